//! The write side of the linkage: claiming an Infomex account and storing what it holds.
//!
//! Solicitudes are written whole — detail, answers, attachment rows and the bytes those need —
//! in batches, one transaction per batch: a solicitud is stored entirely or not at all, and a
//! crash mid-linkage loses at most the batch being written (nothing reported as migrated, since
//! the result is reported only after the last write).

use super::sql::{Backend, Conexion, Sql, Value, vals};
use super::{DbError, DbResult, date_sql};
use bytes::Bytes;
use jiff::Timestamp;
use jiff::civil::Date;
use pnt_model::{Jurisdiccion, Sha256, Solicitud};

/// What pnt-model derives from a solicitud, stored for indexed filtering and ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Derivados {
    pub(crate) recepcion_oficial: Date,
    pub(crate) fecha_limite: Option<Date>,
    pub(crate) respuesta_final: Option<Date>,
}

/// What writing one solicitud did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cambio {
    Nueva,
    Actualizada,
    SinCambios,
}

/// A linkage of an Infomex account to a PNT user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Vinculacion {
    pub(crate) id: i64,
    pub(crate) jurisdiccion: String,
    pub(crate) usuario_infomex: String,
    pub(crate) estado: Option<String>,
    /// The last result's `pendientes`, as JSON.
    pub(crate) pendientes: String,
    pub(crate) ultima: String,
    pub(crate) solicitudes: u64,
    pub(crate) respuestas: u64,
    pub(crate) adjuntos: u64,
}

/// Claims `(j, usuario_infomex)` for `usuario_id`. `Ok(id)` is the linkage's id; `Err(owner)`
/// names the other PNT user that already holds it.
pub(crate) fn reclamar(
    conn: &mut dyn Sql,
    usuario_id: i64,
    j: Jurisdiccion,
    usuario_infomex: &str,
    ahora: Timestamp,
) -> DbResult<Result<i64, i64>> {
    conn.execute(
        "INSERT INTO vinculaciones (usuario_id, jurisdiccion, usuario_infomex, creada, ultima)
         VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (jurisdiccion, usuario_infomex) DO NOTHING",
        vals![usuario_id, j.slug(), usuario_infomex, ahora.to_string()],
    )?;
    let mut r = conn.query_one(
        "SELECT id, usuario_id FROM vinculaciones WHERE jurisdiccion = ?1 AND usuario_infomex = ?2",
        vals![j.slug(), usuario_infomex],
    )?;
    let (id, owner) = (r.i64(0)?, r.i64(1)?);
    Ok(if owner == usuario_id {
        Ok(id)
    } else {
        Err(owner)
    })
}

/// Whether verified bytes with this digest are stored already (then they need no download).
pub(crate) fn tiene_blob(conn: &mut dyn Sql, sha256: &Sha256) -> DbResult<bool> {
    Ok(conn
        .query_opt(
            "SELECT 1 FROM blobs WHERE sha256 = ?1",
            vals![sha256.to_string()],
        )?
        .is_some())
}

/// The fingerprint of a detail's content (Infomex attachment ids excluded: an empty id is left
/// out of the JSON, so the bytes hashed are the ones earlier versions hashed).
pub(crate) fn huella(detalle: &Solicitud) -> [u8; 32] {
    let sin_ids = detalle.map_adjuntos(|a| pnt_model::Adjunto {
        id: String::new(),
        ..a.clone()
    });
    let json = serde_json::to_vec(&sin_ids).expect("a detail always serializes");
    Sha256::of(&json).0
}

/// A fetched solicitud ready to store: its detail, what pnt-model derives from it, and the
/// verified bytes of its attachments that are not stored yet.
#[derive(Debug, Clone)]
pub(crate) struct Migrada {
    pub(crate) detalle: Solicitud,
    pub(crate) derivados: Derivados,
    pub(crate) blobs: Vec<(Sha256, Bytes)>,
}

/// Stores a batch of whole solicitudes in one transaction (all of them or none) and says what
/// each write did. One commit per batch rather than per solicitud: a commit costs more than a
/// solicitud's rows.
pub(crate) fn guardar(
    conn: &mut Conexion<'_>,
    usuario_id: i64,
    vinculacion_id: i64,
    j: Jurisdiccion,
    lote: &[Migrada],
) -> DbResult<Vec<Cambio>> {
    let cambios = conn.transaction(|tx| {
        lote.iter()
            .map(|m| guardar_una(tx, usuario_id, vinculacion_id, j, m))
            .collect::<DbResult<Vec<_>>>()
    })?;
    if conn.backend() == Backend::Postgres {
        analizar_si_crecio(conn)?;
    }
    Ok(cambios)
}

/// Refreshes PostgreSQL's statistics of the linkage's tables once `solicitudes` has changed by
/// more than its size (and by 1,000 rows at least) since they were last taken: at 1k, 2k, 4k…
/// rows, a few times in a large first linkage and seldom after.
///
/// Why: on tables without statistics — a new database's first linkage — every index that
/// starts with `usuario_id` costs PostgreSQL's planner the same, and it kept a plan that looked
/// each folio up through `solicitudes_tipo` (folio is not its second column), reading all the
/// user's entries for every solicitud: a 10k linkage took 15× a 1k one. Autovacuum would take the
/// statistics too, but only after its next nap, long after such a linkage ends.
fn analizar_si_crecio(conn: &mut Conexion<'_>) -> DbResult<()> {
    let mut r = conn.query_one(
        "SELECT CAST(COALESCE(s.n_mod_since_analyze, 0) AS BIGINT),
                CAST(GREATEST(c.reltuples, 0) AS BIGINT)
         FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
         WHERE c.oid = CAST('solicitudes' AS regclass)",
        &[],
    )?;
    let (cambios, filas) = (r.i64(0)?, r.i64(1)?);
    if cambios >= 1_000 && cambios > filas {
        conn.batch("ANALYZE solicitudes, respuestas, adjuntos, blobs")?;
    }
    Ok(())
}

fn guardar_una(
    tx: &mut dyn Sql,
    usuario_id: i64,
    vinculacion_id: i64,
    j: Jurisdiccion,
    m: &Migrada,
) -> DbResult<Cambio> {
    let (detalle, derivados, blobs) = (&m.detalle, m.derivados, &m.blobs);
    for (sha, bytes) in blobs {
        tx.execute(
            "INSERT INTO blobs (sha256, bytes) VALUES (?1, ?2) ON CONFLICT (sha256) DO NOTHING",
            vals![sha.to_string(), &bytes[..]],
        )?;
    }
    let huella = huella(detalle);
    let existing: Option<(i64, Vec<u8>, i64)> = tx
        .query_opt(
            "SELECT id, huella, vinculacion_id FROM solicitudes WHERE usuario_id = ?1 AND folio = ?2",
            vals![usuario_id, detalle.folio.to_string()],
        )?
        .map(|mut r| Ok::<_, DbError>((r.i64(0)?, r.bytes(1)?, r.i64(2)?)))
        .transpose()?;
    let cambio = match existing {
        Some((id, old, vinc)) if old == huella => {
            if vinc != vinculacion_id {
                tx.execute(
                    "UPDATE solicitudes SET vinculacion_id = ?1 WHERE id = ?2",
                    vals![vinculacion_id, id],
                )?;
            }
            Cambio::SinCambios
        }
        Some((id, _, _)) => {
            escribir_solicitud(
                tx,
                Some(id),
                usuario_id,
                vinculacion_id,
                j,
                detalle,
                derivados,
                &huella,
            )?;
            escribir_respuestas(tx, id, detalle)?;
            Cambio::Actualizada
        }
        None => {
            let id = escribir_solicitud(
                tx,
                None,
                usuario_id,
                vinculacion_id,
                j,
                detalle,
                derivados,
                &huella,
            )?;
            escribir_respuestas(tx, id, detalle)?;
            Cambio::Nueva
        }
    };
    Ok(cambio)
}

#[allow(clippy::too_many_arguments)]
fn escribir_solicitud(
    tx: &mut dyn Sql,
    id: Option<i64>,
    usuario_id: i64,
    vinculacion_id: i64,
    j: Jurisdiccion,
    d: &Solicitud,
    derivados: Derivados,
    huella: &[u8; 32],
) -> DbResult<i64> {
    let (notificada, desahogada) = match d.prevencion {
        Some(p) => (Some(date_sql(p.notificada)), p.desahogada.map(date_sql)),
        None => (None, None),
    };
    let mut values = vec![
        Value::from(usuario_id),
        Value::from(vinculacion_id),
        Value::from(d.folio.to_string()),
        Value::from(j.slug()),
        Value::from(d.tipo.slug()),
        Value::from(&d.institucion),
        Value::from(&d.descripcion),
        Value::from(date_sql(d.fecha_presentacion)),
        Value::from(d.estado.slug()),
        Value::from(notificada),
        Value::from(desahogada),
        Value::from(d.ampliacion),
        Value::from(date_sql(derivados.recepcion_oficial)),
        Value::from(derivados.fecha_limite.map(date_sql)),
        Value::from(derivados.respuesta_final.map(date_sql)),
        Value::from(&huella[..]),
    ];
    match id {
        None => tx
            .query_one(
                "INSERT INTO solicitudes (usuario_id, vinculacion_id, folio, jurisdiccion, tipo,
                    institucion, descripcion, fecha_presentacion, estado, prevencion_notificada,
                    prevencion_desahogada, ampliacion, recepcion_oficial, fecha_limite,
                    respuesta_final, huella)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
                 RETURNING id",
                &values,
            )?
            .i64(0),
        Some(id) => {
            // usuario_id and folio are the row's identity and stay; the rest follows Infomex.
            values.push(Value::from(id));
            tx.execute(
                "UPDATE solicitudes SET vinculacion_id = ?2, jurisdiccion = ?4, tipo = ?5,
                    institucion = ?6, descripcion = ?7, fecha_presentacion = ?8, estado = ?9,
                    prevencion_notificada = ?10, prevencion_desahogada = ?11, ampliacion = ?12,
                    recepcion_oficial = ?13, fecha_limite = ?14, respuesta_final = ?15,
                    huella = ?16
                 WHERE id = ?17 AND usuario_id = ?1 AND folio = ?3",
                &values,
            )?;
            Ok(id)
        }
    }
}

/// Upserts answers and attachments by position, so the ids of attachments that did not change
/// (and so the download links users hold) stay valid across re-links.
fn escribir_respuestas(tx: &mut dyn Sql, solicitud_id: i64, d: &Solicitud) -> DbResult<()> {
    for (orden, r) in d.respuestas.iter().enumerate() {
        let respuesta_id = tx
            .query_one(
                "INSERT INTO respuestas (solicitud_id, orden, tipo, fecha, texto)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (solicitud_id, orden) DO UPDATE
                SET tipo = excluded.tipo, fecha = excluded.fecha, texto = excluded.texto
             RETURNING id",
                vals![
                    solicitud_id,
                    orden as i64,
                    r.tipo.texto(),
                    date_sql(r.fecha),
                    &r.texto
                ],
            )?
            .i64(0)?;
        for (orden, a) in r.adjuntos.iter().enumerate() {
            let tamano = i64::try_from(a.tamano)
                .map_err(|_| DbError::Corrupto(format!("tamaño {}", a.tamano)))?;
            tx.execute(
                "INSERT INTO adjuntos (respuesta_id, orden, nombre, media_type, tamano, sha256)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (respuesta_id, orden) DO UPDATE
                    SET nombre = excluded.nombre, media_type = excluded.media_type,
                        tamano = excluded.tamano, sha256 = excluded.sha256",
                vals![
                    respuesta_id,
                    orden as i64,
                    &a.nombre,
                    &a.media_type,
                    tamano,
                    a.sha256.to_string()
                ],
            )?;
        }
        tx.execute(
            "DELETE FROM adjuntos WHERE respuesta_id = ?1 AND orden >= ?2",
            vals![respuesta_id, r.adjuntos.len() as i64],
        )?;
    }
    tx.execute(
        "DELETE FROM respuestas WHERE solicitud_id = ?1 AND orden >= ?2",
        vals![solicitud_id, d.respuestas.len() as i64],
    )?;
    Ok(())
}

/// Records the outcome of a linkage run.
pub(crate) fn cerrar(
    conn: &mut dyn Sql,
    vinculacion_id: i64,
    estado: &str,
    pendientes_json: &str,
    ahora: Timestamp,
) -> DbResult<()> {
    conn.execute(
        "UPDATE vinculaciones SET estado = ?2, pendientes = ?3, ultima = ?4 WHERE id = ?1",
        vals![vinculacion_id, estado, pendientes_json, ahora.to_string()],
    )?;
    Ok(())
}

/// How many solicitudes, respuestas and adjuntos the history holds from one linkage.
pub(crate) fn conteos(conn: &mut dyn Sql, vinculacion_id: i64) -> DbResult<(u64, u64, u64)> {
    let mut count = |sql: &str| -> DbResult<u64> {
        Ok(conn.query_one(sql, vals![vinculacion_id])?.i64(0)? as u64)
    };
    Ok((
        count("SELECT COUNT(*) FROM solicitudes WHERE vinculacion_id = ?1")?,
        count(
            "SELECT COUNT(*) FROM respuestas r JOIN solicitudes s ON s.id = r.solicitud_id
             WHERE s.vinculacion_id = ?1",
        )?,
        count(
            "SELECT COUNT(*) FROM adjuntos a JOIN respuestas r ON r.id = a.respuesta_id
             JOIN solicitudes s ON s.id = r.solicitud_id WHERE s.vinculacion_id = ?1",
        )?,
    ))
}

/// The user's linkages, oldest first.
pub(crate) fn de_usuario(conn: &mut dyn Sql, usuario_id: i64) -> DbResult<Vec<Vinculacion>> {
    let rows = conn
        .query(
            "SELECT id, jurisdiccion, usuario_infomex, estado, pendientes, ultima
             FROM vinculaciones WHERE usuario_id = ?1 ORDER BY id",
            vals![usuario_id],
        )?
        .into_iter()
        .map(|mut r| {
            Ok(Vinculacion {
                id: r.i64(0)?,
                jurisdiccion: r.text(1)?,
                usuario_infomex: r.text(2)?,
                estado: r.opt_text(3)?,
                pendientes: r.text(4)?,
                ultima: r.text(5)?,
                solicitudes: 0,
                respuestas: 0,
                adjuntos: 0,
            })
        })
        .collect::<DbResult<Vec<_>>>()?;
    rows.into_iter()
        .map(|mut v| {
            (v.solicitudes, v.respuestas, v.adjuntos) = conteos(conn, v.id)?;
            Ok(v)
        })
        .collect()
}
