//! Extractors whose rejections speak the API's one error shape.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use serde_json::Value;

use crate::auth::digest_token;
use crate::db::{self, SesionActiva};
use crate::dto::DesdeJson;
use crate::error::ApiError;
use crate::state::AppState;

/// The largest request body accepted (docs/pnt-api.md, "Conventions").
pub(crate) const MAX_CUERPO: usize = 64 * 1024;

/// A JSON request body read through [`DesdeJson`].
#[derive(Debug)]
pub(crate) struct Cuerpo<T>(pub(crate) T);

impl<T: DesdeJson, S: Send + Sync> FromRequest<S> for Cuerpo<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if let Some(ct) = req.headers().get(CONTENT_TYPE) {
            let ct = ct.to_str().unwrap_or_default().to_ascii_lowercase();
            if !ct.starts_with("application/json") && !ct.contains("+json") {
                return Err(ApiError::JsonInvalido(format!(
                    "Content-Type «{ct}»; use application/json"
                )));
            }
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(rechazo_de_cuerpo)?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::JsonInvalido(format!("línea {}, columna {}", e.line(), e.column()))
        })?;
        let Value::Object(obj) = value else {
            return Err(ApiError::JsonInvalido(
                "se esperaba un objeto JSON".to_owned(),
            ));
        };
        T::desde(&obj).map(Cuerpo)
    }
}

pub(crate) fn rechazo_de_cuerpo(e: BytesRejection) -> ApiError {
    // The HTTP layer's body timeout surfaces as a failed read; find it in the error's chain.
    let mut causa: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(c) = causa {
        if c.is::<tower_http::timeout::TimeoutError>() {
            return ApiError::CuerpoLento;
        }
        causa = c.source();
    }
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::CuerpoDemasiadoGrande
    } else {
        ApiError::JsonInvalido("no se pudo leer el cuerpo".to_owned())
    }
}

/// The user of a valid bearer token.
#[derive(Debug, Clone)]
pub(crate) struct Autenticado {
    pub(crate) sesion: SesionActiva,
    pub(crate) token_sha256: [u8; 32],
}

impl FromRequestParts<AppState> for Autenticado {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::NoAutenticado)?;
        sesion_de_token(state, token).await
    }
}

pub(crate) async fn sesion_de_token(
    state: &AppState,
    token: &str,
) -> Result<Autenticado, ApiError> {
    let digest = digest_token(token);
    let ahora = state.clock().now();
    let sesion = state
        .db()
        .call(move |c| db::cuentas::sesion(c, &digest, ahora))
        .await?
        .ok_or(ApiError::NoAutenticado)?;
    Ok(Autenticado {
        sesion,
        token_sha256: digest,
    })
}

/// The peer's address, as the connection layer recorded it (`None` for a router served
/// without connection info). Failed-attempt limits are counted per address; `X-Forwarded-For`
/// is not trusted, so behind a reverse proxy every client shares the proxy's address.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Origen(pub(crate) Option<std::net::IpAddr>);

impl Origen {
    /// The address as a limiter key's part.
    pub(crate) fn clave(self) -> String {
        self.0
            .map_or_else(|| "desconocido".to_owned(), |ip| ip.to_string())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Origen {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Origen(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_canonical()),
        ))
    }
}

/// A path segment, percent-decoded; a malformed one reads as "not found".
#[derive(Debug)]
pub(crate) struct Segmento(pub(crate) String);

impl<S: Send + Sync> FromRequestParts<S> for Segmento {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|p| Segmento(p.0))
            .map_err(|_| ApiError::RutaDesconocida)
    }
}
