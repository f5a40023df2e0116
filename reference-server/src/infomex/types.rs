//! What an Infomex system says, independent of the dialect it said it in.

use jiff::civil::Date;
use pnt_model::{Adjunto, EstadoSolicitud, Prevencion, TipoRespuesta, TipoSolicitud};
use serde::Serialize;

/// One page of an account's list of solicitudes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PaginaLista {
    /// How many solicitudes the system says the account holds.
    pub(crate) total: u64,
    /// The page size the system says it used, when it says.
    pub(crate) por_pagina: Option<u32>,
    pub(crate) registros: Vec<RegistroLista>,
}

/// One row of the list. Only the folio is trusted: the detail is the source of truth for the
/// rest (lists and details may disagree, see the `status_mismatch` fault).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RegistroLista {
    pub(crate) folio: String,
    pub(crate) estado: Option<EstadoSolicitud>,
}

/// A solicitud's detail, decoded.
///
/// Serialized (without Infomex's attachment ids) to fingerprint the content, so a re-link can
/// tell an unchanged solicitud from an updated one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Detalle {
    pub(crate) folio: String,
    pub(crate) tipo: TipoSolicitud,
    pub(crate) institucion: String,
    pub(crate) descripcion: String,
    pub(crate) fecha_presentacion: Date,
    pub(crate) estado: EstadoSolicitud,
    pub(crate) prevencion: Option<Prevencion>,
    pub(crate) ampliacion: bool,
    pub(crate) respuestas: Vec<RespuestaInfomex>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct RespuestaInfomex {
    pub(crate) tipo: TipoRespuesta,
    pub(crate) fecha: Date,
    pub(crate) texto: String,
    pub(crate) adjuntos: Vec<AdjuntoInfomex>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct AdjuntoInfomex {
    /// The id to download it with, from this Infomex only.
    #[serde(skip)]
    pub(crate) id: String,
    #[serde(flatten)]
    pub(crate) adjunto: Adjunto,
}

impl Detalle {
    /// The final answer's date (the one that ends the procedure), per pnt-model's catalog rule.
    pub(crate) fn respuesta_final(&self) -> Option<Date> {
        self.respuestas
            .iter()
            .find(|r| r.tipo.es_final())
            .map(|r| r.fecha)
    }

    pub(crate) fn adjuntos(&self) -> impl Iterator<Item = &AdjuntoInfomex> {
        self.respuestas.iter().flat_map(|r| r.adjuntos.iter())
    }
}
