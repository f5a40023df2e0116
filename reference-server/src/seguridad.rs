//! Security headers on every response (docs/reference-server.md, "Security").
//!
//! Pages get a strict Content-Security-Policy (no script, the inline stylesheet by hash); JSON and
//! every other body get `default-src 'none'`; attachments set their own policy before this layer
//! runs (a sandbox for anything a browser could run) and keep it. Every response is `nosniff`,
//! cannot be framed and sends no Referer, so folios in our URLs do not leak to other sites.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::extract::MAX_CUERPO;
use crate::state::AppState;

/// The policy of anything that is not a page: nothing may load, nothing may frame it.
pub(crate) const CSP_DATOS: &str = "default-src 'none'; frame-ancestors 'none'";

/// The policy of an attachment a browser could run (HTML, SVG, XML, script…): a sandbox with
/// no origin, no script and nothing to load, even if a browser were to render it.
pub(crate) const CSP_ADJUNTO: &str = "sandbox; default-src 'none'; frame-ancestors 'none'";

pub(crate) async fn cabeceras(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let es_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let h = response.headers_mut();
    if !h.contains_key(CONTENT_SECURITY_POLICY) {
        let csp = if es_html {
            HeaderValue::from_static(crate::web::csp_paginas())
        } else {
            HeaderValue::from_static(CSP_DATOS)
        };
        h.insert(CONTENT_SECURITY_POLICY, csp);
    }
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// What every request meets before a handler reads it: a request target longer than
/// `max_uri` gets `414`, and a body declared (`Content-Length`) larger than the API accepts gets
/// `413` at once, without waiting for a body that may never come. A chunked body without a
/// declared length is still cut at the same size as it is read.
pub(crate) async fn limites_de_peticion(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let largo_uri = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if largo_uri > state.config().http.max_uri {
        return ApiError::UriDemasiadoLarga.into_response();
    }
    let declarado = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declarado.is_some_and(|n| n > MAX_CUERPO as u64) {
        return ApiError::CuerpoDemasiadoGrande.into_response();
    }
    next.run(req).await
}
