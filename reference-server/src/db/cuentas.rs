//! PNT users and their sessions.

use super::DbResult;
use super::sql::{Sql, vals};
use jiff::Timestamp;

/// A registered PNT user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Usuario {
    pub(crate) id: i64,
    pub(crate) correo: String,
    pub(crate) nombre: String,
}

/// The user a valid session token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SesionActiva {
    pub(crate) usuario: Usuario,
    pub(crate) expira: Timestamp,
}

/// Registers a user; `None` when the correo is taken.
pub(crate) fn crear_usuario(
    conn: &mut dyn Sql,
    correo: &str,
    nombre: &str,
    contrasena_hash: &str,
    ahora: Timestamp,
) -> DbResult<Option<Usuario>> {
    let inserted = conn.query_opt(
        "INSERT INTO usuarios (correo, nombre, contrasena_hash, creado) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (correo) DO NOTHING RETURNING id",
        vals![correo, nombre, contrasena_hash, ahora.to_string()],
    )?;
    inserted
        .map(|mut r| {
            Ok(Usuario {
                id: r.i64(0)?,
                correo: correo.to_owned(),
                nombre: nombre.to_owned(),
            })
        })
        .transpose()
}

/// The user with this correo and their password hash.
pub(crate) fn usuario_por_correo(
    conn: &mut dyn Sql,
    correo: &str,
) -> DbResult<Option<(Usuario, String)>> {
    conn.query_opt(
        "SELECT id, correo, nombre, contrasena_hash FROM usuarios WHERE correo = ?1",
        vals![correo],
    )?
    .map(|mut r| Ok((usuario(&mut r)?, r.text(3)?)))
    .transpose()
}

/// A user from the first three columns of `r` (id, correo, nombre).
fn usuario(r: &mut super::sql::Row) -> DbResult<Usuario> {
    Ok(Usuario {
        id: r.i64(0)?,
        correo: r.text(1)?,
        nombre: r.text(2)?,
    })
}

pub(crate) fn crear_sesion(
    conn: &mut dyn Sql,
    token_sha256: &[u8; 32],
    usuario_id: i64,
    expira: Timestamp,
    ahora: Timestamp,
) -> DbResult<()> {
    // Expired sessions are swept here, where a new one is made, so the table stays small
    // without a background task.
    conn.execute(
        "DELETE FROM sesiones WHERE expira <= ?1",
        vals![ahora.as_second()],
    )?;
    conn.execute(
        "INSERT INTO sesiones (token_sha256, usuario_id, expira) VALUES (?1, ?2, ?3)",
        vals![&token_sha256[..], usuario_id, expira.as_second()],
    )?;
    Ok(())
}

/// The session with this token hash, if it exists and has not expired at `ahora`.
pub(crate) fn sesion(
    conn: &mut dyn Sql,
    token_sha256: &[u8; 32],
    ahora: Timestamp,
) -> DbResult<Option<SesionActiva>> {
    let row = conn
        .query_opt(
            "SELECT u.id, u.correo, u.nombre, s.expira FROM sesiones s
             JOIN usuarios u ON u.id = s.usuario_id
             WHERE s.token_sha256 = ?1 AND s.expira > ?2",
            vals![&token_sha256[..], ahora.as_second()],
        )?
        .map(|mut r| Ok::<_, super::DbError>((usuario(&mut r)?, r.i64(3)?)))
        .transpose()?;
    Ok(row.and_then(|(usuario, expira)| {
        Some(SesionActiva {
            usuario,
            expira: Timestamp::from_second(expira).ok()?,
        })
    }))
}

pub(crate) fn borrar_sesion(conn: &mut dyn Sql, token_sha256: &[u8; 32]) -> DbResult<()> {
    conn.execute(
        "DELETE FROM sesiones WHERE token_sha256 = ?1",
        vals![&token_sha256[..]],
    )?;
    Ok(())
}

/// Moves every session's expiry by `segundos` (the clock hook moved time by that much).
pub(crate) fn desplazar_sesiones(conn: &mut dyn Sql, segundos: i64) -> DbResult<()> {
    conn.execute("UPDATE sesiones SET expira = expira + ?1", vals![segundos])?;
    Ok(())
}
