//! The two wire dialects and the response type they render to.

pub(crate) mod legacy;
pub(crate) mod modern;

use std::borrow::Cow;

use bytes::Bytes;

use pnt_model::Dialect;

/// A rendered response, before faults that corrupt the transport are applied.
#[derive(Debug, Clone)]
pub(crate) struct Wire {
    pub(crate) status: u16,
    /// Static for the dialects' own types; owned only for attachments' media types.
    pub(crate) content_type: Cow<'static, str>,
    pub(crate) headers: Vec<(&'static str, String)>,
    /// `Bytes`, so a cached page is shared, not copied.
    pub(crate) body: Bytes,
}

/// Every error the simulated systems answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SimError {
    CredencialesInvalidas,
    CuentaBloqueada,
    SesionInvalida,
    SolicitudNoEncontrada,
    AdjuntoNoEncontrado,
    PeticionInvalida(String),
    RutaDesconocida,
    JurisdiccionDesconocida,
    NoDisponible(u16),
    DemasiadasPeticiones(u32),
}

impl SimError {
    /// Renders the error in `dialect`.
    pub(crate) fn render(&self, dialect: Dialect) -> Wire {
        match dialect {
            Dialect::Modern => modern::error(self),
            Dialect::Legacy => legacy::error(self),
        }
    }

    pub(crate) fn mensaje(&self) -> String {
        match self {
            SimError::CredencialesInvalidas => "Usuario o contraseña incorrectos.".into(),
            SimError::CuentaBloqueada => {
                "La cuenta está bloqueada por exceso de intentos fallidos. Solicite su desbloqueo a la unidad de transparencia.".into()
            }
            SimError::SesionInvalida => "La sesión no es válida o expiró. Inicie sesión nuevamente.".into(),
            SimError::SolicitudNoEncontrada => "No existe una solicitud con ese folio en su cuenta.".into(),
            SimError::AdjuntoNoEncontrado => "El archivo solicitado no existe.".into(),
            SimError::PeticionInvalida(detalle) => format!("Petición inválida: {detalle}."),
            SimError::RutaDesconocida => "La ruta solicitada no existe.".into(),
            SimError::JurisdiccionDesconocida => "No existe un sistema Infomex con ese nombre.".into(),
            SimError::NoDisponible(_) => "El sistema Infomex no está disponible en este momento.".into(),
            SimError::DemasiadasPeticiones(_) => "Demasiadas peticiones; espere e intente de nuevo.".into(),
        }
    }
}
