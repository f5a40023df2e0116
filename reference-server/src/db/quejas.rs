//! Quejas (recursos de revisión) and their folios.

use jiff::civil::Date;
use pnt_model::{Jurisdiccion, folio_queja};
use rusqlite::{Connection, OptionalExtension, params};

use super::{DbResult, QuejaGuardada, date_sql, parse_date};

/// A queja to file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NuevaQueja<'a> {
    pub(crate) solicitud_id: i64,
    pub(crate) folio_solicitud: &'a str,
    pub(crate) jurisdiccion: Jurisdiccion,
    pub(crate) fecha: Date,
    pub(crate) motivo: &'a str,
}

/// Files a queja, issuing the next folio of its órgano garante and year. `Err(existing)` when
/// one was filed against this solicitud already.
pub(crate) fn crear(
    conn: &mut Connection,
    q: &NuevaQueja<'_>,
) -> DbResult<Result<QuejaGuardada, QuejaGuardada>> {
    let tx = conn.transaction()?;
    if let Some(existing) = de_solicitud(&tx, q.solicitud_id)?.into_iter().next() {
        return Ok(Err(existing));
    }
    let anio = q.fecha.year();
    let secuencia: i64 = tx.query_row(
        "INSERT INTO folios_queja (jurisdiccion, anio, ultimo) VALUES (?1, ?2, 1)
         ON CONFLICT (jurisdiccion, anio) DO UPDATE SET ultimo = ultimo + 1
         RETURNING ultimo",
        params![q.jurisdiccion.slug(), anio],
        |r| r.get(0),
    )?;
    let folio = folio_queja(q.jurisdiccion, secuencia as u32, anio);
    tx.execute(
        "INSERT INTO quejas (solicitud_id, folio, fecha, motivo) VALUES (?1, ?2, ?3, ?4)",
        params![q.solicitud_id, folio, date_sql(q.fecha), q.motivo],
    )?;
    tx.commit()?;
    Ok(Ok(QuejaGuardada {
        folio,
        folio_solicitud: q.folio_solicitud.to_owned(),
        fecha: q.fecha,
        motivo: q.motivo.to_owned(),
    }))
}

/// The quejas filed against one solicitud (at most one).
pub(crate) fn de_solicitud(conn: &Connection, solicitud_id: i64) -> DbResult<Vec<QuejaGuardada>> {
    let row = conn
        .query_row(
            "SELECT q.folio, s.folio, q.fecha, q.motivo FROM quejas q
             JOIN solicitudes s ON s.id = q.solicitud_id WHERE q.solicitud_id = ?1",
            [solicitud_id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            },
        )
        .optional()?;
    row.into_iter()
        .map(|(folio, folio_solicitud, fecha, motivo)| {
            Ok(QuejaGuardada {
                folio,
                folio_solicitud,
                fecha: parse_date(&fecha)?,
                motivo,
            })
        })
        .collect()
}

/// Every queja the user filed, newest first.
pub(crate) fn de_usuario(conn: &Connection, usuario_id: i64) -> DbResult<Vec<QuejaGuardada>> {
    let mut stmt = conn.prepare(
        "SELECT q.folio, s.folio, q.fecha, q.motivo FROM quejas q
         JOIN solicitudes s ON s.id = q.solicitud_id
         WHERE s.usuario_id = ?1 ORDER BY q.fecha DESC, q.id DESC",
    )?;
    let rows = stmt
        .query_map([usuario_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(folio, folio_solicitud, fecha, motivo)| {
            Ok(QuejaGuardada {
                folio,
                folio_solicitud,
                fecha: parse_date(&fecha)?,
                motivo,
            })
        })
        .collect()
}
