//! Why a request to Infomex failed, and whether trying again may help.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use pnt_model::Sha256;
use reqwest::StatusCode;

/// The outcome of one failed attempt (and, after the last attempt, of the request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fallo {
    /// No useful answer: connection refused or reset, timeout, truncated body, 5xx, 429.
    NoResponde {
        detalle: String,
        retry_after: Option<Duration>,
    },
    /// An answer that cannot be read: malformed JSON or XML, an unexpected shape.
    Ilegible(String),
    /// Attachment bytes that do not match the SHA-256 the detail declared.
    Checksum { esperado: Sha256, recibido: Sha256 },
    /// The session token is unknown or expired: log in again.
    SesionInvalida,
    /// Infomex refused the usuario or the password.
    CredencialesInvalidas,
    /// The Infomex account is locked.
    CuentaBloqueada,
    /// No such folio or attachment in the account.
    NoEncontrado,
    /// The route does not exist here: this system speaks the other dialect, or is no Infomex.
    RutaDesconocida(String),
}

impl Fallo {
    /// Whether the same request may succeed if sent again.
    pub(crate) fn transitorio(&self) -> bool {
        matches!(
            self,
            Fallo::NoResponde { .. } | Fallo::Ilegible(_) | Fallo::Checksum { .. }
        )
    }

    pub(crate) fn retry_after(&self) -> Option<Duration> {
        match self {
            Fallo::NoResponde { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub(crate) fn no_responde(detalle: impl Into<String>) -> Fallo {
        Fallo::NoResponde {
            detalle: detalle.into(),
            retry_after: None,
        }
    }
}

impl fmt::Display for Fallo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fallo::NoResponde { detalle, .. } => write!(f, "no responde: {detalle}"),
            Fallo::Ilegible(d) => write!(f, "respuesta ilegible: {d}"),
            Fallo::Checksum { esperado, recibido } => {
                write!(f, "SHA-256 {recibido} en lugar de {esperado}")
            }
            Fallo::SesionInvalida => f.write_str("sesión inválida"),
            Fallo::CredencialesInvalidas => f.write_str("credenciales inválidas"),
            Fallo::CuentaBloqueada => f.write_str("cuenta bloqueada"),
            Fallo::NoEncontrado => f.write_str("no encontrado"),
            Fallo::RutaDesconocida(d) => write!(f, "ruta desconocida: {d}"),
        }
    }
}

/// An HTTP answer that arrived whole (headers and the complete body).
#[derive(Debug, Clone)]
pub(crate) struct Respuesta {
    pub(crate) status: StatusCode,
    pub(crate) content_type: Option<String>,
    pub(crate) body: Bytes,
}

impl Respuesta {
    /// The body as text for error messages: short and lossy.
    pub(crate) fn resumen(&self) -> String {
        let text = String::from_utf8_lossy(&self.body[..self.body.len().min(120)]);
        format!(
            "HTTP {} «{}»",
            self.status.as_u16(),
            text.replace('\n', " ")
        )
    }
}
