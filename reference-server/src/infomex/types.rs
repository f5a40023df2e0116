//! What an Infomex system says, independent of the dialect it said it in. A solicitud's detail
//! decodes into `pnt_model::Solicitud` itself (attachment ids included); only the list, which
//! says less than a detail, has shapes of its own.

use pnt_model::EstadoSolicitud;

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
