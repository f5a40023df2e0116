//! The linkage result and the Spanish texts it carries.

use pnt_model::Jurisdiccion;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::infomex::nombre_infomex;

/// `completa` when everything Infomex declared is in the history; `incompleta` otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum EstadoVinculacion {
    Completa,
    Incompleta,
}

impl EstadoVinculacion {
    pub(crate) fn slug(self) -> &'static str {
        match self {
            EstadoVinculacion::Completa => "completa",
            EstadoVinculacion::Incompleta => "incompleta",
        }
    }
}

/// Something Infomex holds that this linkage did not bring, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub(crate) struct Pendiente {
    /// `null` only when Infomex declared more solicitudes than it ever listed.
    pub(crate) folio: Option<String>,
    /// `detalle_no_disponible`, `adjunto_no_disponible`, `adjunto_checksum_invalido`,
    /// `no_listada` or `infomex_no_responde`.
    pub(crate) codigo: String,
    /// What happened and what to do, in Spanish.
    pub(crate) motivo: String,
}

/// The answer to `POST /api/v1/vinculaciones`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub(crate) struct ResultadoVinculacion {
    /// Jurisdiction slug.
    pub(crate) jurisdiccion: String,
    pub(crate) usuario_infomex: String,
    pub(crate) estado: EstadoVinculacion,
    pub(crate) mensaje: String,
    /// Solicitudes the history now holds from this Infomex account.
    pub(crate) solicitudes: u64,
    /// Respuestas the history now holds from this account.
    pub(crate) respuestas: u64,
    /// Adjuntos (bytes verified) the history now holds from this account.
    pub(crate) adjuntos: u64,
    /// Solicitudes this call added.
    pub(crate) nuevas: u64,
    /// Solicitudes this call changed (status, answers, attachments).
    pub(crate) actualizadas: u64,
    pub(crate) pendientes: Vec<Pendiente>,
}

/// One of the user's linkages (`GET /api/v1/vinculaciones`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub(crate) struct ResumenVinculacion {
    pub(crate) jurisdiccion: String,
    pub(crate) usuario_infomex: String,
    /// The last run's estado; `null` while the first run has not finished.
    pub(crate) estado: Option<EstadoVinculacion>,
    pub(crate) solicitudes: u64,
    pub(crate) respuestas: u64,
    pub(crate) adjuntos: u64,
    /// RFC 3339 instant of the last run.
    pub(crate) ultima_vinculacion: String,
    /// What the last run could not bring.
    pub(crate) pendientes: Vec<Pendiente>,
}

/// The result's message. `en_historial`: solicitudes the history now holds from the account.
pub(crate) fn mensaje(
    j: Jurisdiccion,
    estado: EstadoVinculacion,
    en_historial: u64,
    pendientes: usize,
) -> String {
    let sistema = nombre_infomex(j);
    match estado {
        EstadoVinculacion::Completa => format!(
            "Las solicitudes de {sistema} se migraron a la PNT. Puede verlas en Mi Historial."
        ),
        EstadoVinculacion::Incompleta => format!(
            "La migración de {sistema} quedó incompleta: Mi Historial ya tiene {en_historial} \
             solicitudes de esa cuenta, pero {pendientes} {} no se {} traer; la lista dice \
             cuáles y por qué. Vuelva a vincular la cuenta más tarde para completarla: no se \
             duplicará nada.",
            if pendientes == 1 {
                "elemento"
            } else {
                "elementos"
            },
            if pendientes == 1 { "pudo" } else { "pudieron" },
        ),
    }
}

pub(crate) fn no_listada(
    j: Jurisdiccion,
    declaradas: u64,
    listadas: usize,
    escaneos: u32,
) -> Pendiente {
    Pendiente {
        folio: None,
        codigo: "no_listada".to_owned(),
        motivo: format!(
            "{} declara {declaradas} solicitudes en la cuenta pero solo listó {listadas}, incluso \
             tras {escaneos} consultas de la lista completa; esta no apareció y no se conoce su \
             folio. Vuelva a vincular la cuenta más tarde.",
            nombre_infomex(j)
        ),
    }
}

pub(crate) fn lista_interrumpida(j: Jurisdiccion, folio: Option<String>) -> Pendiente {
    Pendiente {
        folio,
        codigo: "infomex_no_responde".to_owned(),
        motivo: format!(
            "{} dejó de responder antes de terminar la migración, así que esta solicitud no se \
             pudo traer. Vuelva a vincular la cuenta más tarde para completarla.",
            nombre_infomex(j)
        ),
    }
}

pub(crate) fn detalle_no_disponible(j: Jurisdiccion, folio: &str) -> Pendiente {
    Pendiente {
        folio: Some(folio.to_owned()),
        codigo: "detalle_no_disponible".to_owned(),
        motivo: format!(
            "{} listó la solicitud {folio} pero no entregó un detalle legible de ella, incluso \
             tras varios intentos. Vuelva a vincular la cuenta más tarde para reintentarlo.",
            nombre_infomex(j)
        ),
    }
}

pub(crate) fn adjunto_no_disponible(folio: &str, nombre: &str) -> Pendiente {
    Pendiente {
        folio: Some(folio.to_owned()),
        codigo: "adjunto_no_disponible".to_owned(),
        motivo: format!(
            "No se pudo descargar el adjunto «{nombre}» de la solicitud {folio}, incluso tras \
             varios intentos; la solicitud se migrará completa con él. Vuelva a vincular la \
             cuenta más tarde."
        ),
    }
}

pub(crate) fn adjunto_checksum_invalido(folio: &str, nombre: &str) -> Pendiente {
    Pendiente {
        folio: Some(folio.to_owned()),
        codigo: "adjunto_checksum_invalido".to_owned(),
        motivo: format!(
            "El adjunto «{nombre}» de la solicitud {folio} llegó alterado (su SHA-256 no \
             coincide con el que declara Infomex), incluso tras varios intentos; no se guardó \
             una copia dañada. Vuelva a vincular la cuenta más tarde."
        ),
    }
}
