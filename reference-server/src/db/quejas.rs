//! Quejas (recursos de revisión) and their folios.

use super::sql::{Conexion, Row, Sql, vals};
use super::{DbResult, QuejaGuardada, date_sql, parse_date};
use jiff::civil::Date;
use pnt_model::{Jurisdiccion, folio_queja};

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
///
/// The UNIQUE constraint on `quejas.solicitud_id` decides between two filings at once (two
/// server instances on one PostgreSQL database): the second one's insert does nothing, its
/// transaction is rolled back with the folio number it took, and it answers with the first.
pub(crate) fn crear(
    conn: &mut Conexion<'_>,
    q: &NuevaQueja<'_>,
) -> DbResult<Result<QuejaGuardada, QuejaGuardada>> {
    if let Some(existing) = de_solicitud(conn, q.solicitud_id)?.into_iter().next() {
        return Ok(Err(existing));
    }
    let anio = q.fecha.year();
    let creada = conn.transaction(|tx| {
        let secuencia = tx
            .query_one(
                "INSERT INTO folios_queja (jurisdiccion, anio, ultimo) VALUES (?1, ?2, 1)
                 ON CONFLICT (jurisdiccion, anio) DO UPDATE SET ultimo = folios_queja.ultimo + 1
                 RETURNING ultimo",
                vals![q.jurisdiccion.slug(), anio],
            )?
            .i64(0)?;
        let folio = folio_queja(q.jurisdiccion, secuencia as u32, anio);
        let insertada = tx.execute(
            "INSERT INTO quejas (solicitud_id, folio, fecha, motivo) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (solicitud_id) DO NOTHING",
            vals![q.solicitud_id, &folio, date_sql(q.fecha), q.motivo],
        )?;
        if insertada == 0 {
            return Err(super::DbError::Deshecha(CARRERA));
        }
        Ok(folio)
    });
    match creada {
        Ok(folio) => Ok(Ok(QuejaGuardada {
            folio,
            folio_solicitud: q.folio_solicitud.to_owned(),
            fecha: q.fecha,
            motivo: q.motivo.to_owned(),
        })),
        Err(super::DbError::Deshecha(CARRERA)) => {
            let existing = de_solicitud(conn, q.solicitud_id)?.into_iter().next();
            existing.map(Err).ok_or(super::DbError::Deshecha(CARRERA))
        }
        Err(e) => Err(e),
    }
}

/// Rolls back a filing that lost the race to another one against the same solicitud.
const CARRERA: &str = "otra queja contra la misma solicitud se registró a la vez";

fn queja(mut r: Row) -> DbResult<QuejaGuardada> {
    Ok(QuejaGuardada {
        folio: r.text(0)?,
        folio_solicitud: r.text(1)?,
        fecha: parse_date(&r.text(2)?)?,
        motivo: r.text(3)?,
    })
}

/// The quejas filed against one solicitud (at most one).
pub(crate) fn de_solicitud(conn: &mut dyn Sql, solicitud_id: i64) -> DbResult<Vec<QuejaGuardada>> {
    conn.query(
        "SELECT q.folio, s.folio, q.fecha, q.motivo FROM quejas q
         JOIN solicitudes s ON s.id = q.solicitud_id WHERE q.solicitud_id = ?1",
        vals![solicitud_id],
    )?
    .into_iter()
    .map(queja)
    .collect()
}

/// Every queja the user filed, newest first.
pub(crate) fn de_usuario(conn: &mut dyn Sql, usuario_id: i64) -> DbResult<Vec<QuejaGuardada>> {
    conn.query(
        "SELECT q.folio, s.folio, q.fecha, q.motivo FROM quejas q
         JOIN solicitudes s ON s.id = q.solicitud_id
         WHERE s.usuario_id = ?1 ORDER BY q.fecha DESC, q.id DESC",
        vals![usuario_id],
    )?
    .into_iter()
    .map(queja)
    .collect()
}
