//! Security headers on every response (docs/reference-server.md, "Security").
//!
//! Pages get a strict Content-Security-Policy (no script, the inline stylesheet by hash); JSON and
//! every other body get `default-src 'none'`; attachments set their own policy before this layer
//! runs (a sandbox for anything a browser could run) and keep it. Every response is `nosniff`,
//! cannot be framed and sends no Referer, so folios in our URLs do not leak to other sites.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;

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
