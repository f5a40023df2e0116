//! Failed attempts, by key (see `crate::limitador`): in the database, so that every server
//! instance on a shared database counts the same failures.

use jiff::Timestamp;

use super::sql::{Conexion, Sql, vals};
use super::{DbError, DbResult};

/// The failures recorded under `clave`, oldest first.
pub(crate) fn de(conn: &mut dyn Sql, clave: &str) -> DbResult<Vec<Timestamp>> {
    conn.query(
        "SELECT instante FROM intentos_fallidos WHERE clave = ?1 ORDER BY instante",
        vals![clave],
    )?
    .into_iter()
    .map(|mut r| {
        let micros = r.i64(0)?;
        Timestamp::from_microsecond(micros)
            .map_err(|_| DbError::Corrupto(format!("instante {micros}")))
    })
    .collect()
}

/// Replaces what `clave` holds by `conservar` (the failures still counted) plus one at `ahora`,
/// in one transaction.
pub(crate) fn registrar(
    conn: &mut Conexion<'_>,
    clave: &str,
    conservar: impl Fn(&[Timestamp]) -> Vec<Timestamp>,
    ahora: Timestamp,
) -> DbResult<()> {
    conn.transaction(|tx| {
        let antes = de(tx, clave)?;
        tx.execute(
            "DELETE FROM intentos_fallidos WHERE clave = ?1",
            vals![clave],
        )?;
        for t in conservar(&antes).into_iter().chain([ahora]) {
            tx.execute(
                "INSERT INTO intentos_fallidos (clave, instante) VALUES (?1, ?2)",
                vals![clave, t.as_microsecond()],
            )?;
        }
        Ok(())
    })
}

/// Forgets every failure of `clave`.
pub(crate) fn olvidar(conn: &mut dyn Sql, clave: &str) -> DbResult<()> {
    conn.execute(
        "DELETE FROM intentos_fallidos WHERE clave = ?1",
        vals![clave],
    )?;
    Ok(())
}
