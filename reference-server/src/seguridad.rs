//! Security headers on every response (docs/reference-server.md, "Security").
//!
//! Pages get a strict Content-Security-Policy (no script, the inline stylesheet by hash); JSON and
//! every other body get `default-src 'none'`; attachments set their own policy before this layer
//! runs (a sandbox for anything a browser could run) and keep it. Every response is `nosniff`,
//! cannot be framed and sends no Referer, so folios in our URLs do not leak to other sites.
//!
//! Also here: the limits every request meets before a handler reads it, and the guard of the
//! `/__test` hooks, which can wipe every user and so answer only the machine itself or whoever
//! holds the configured token.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
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

/// The header that carries `--test-hooks-token` (docs/pnt-api.md, "Test hooks").
pub const CABECERA_TOKEN_GANCHOS: &str = "x-pnt-test-token";

/// Whether a hook call may run. With a token configured, only a call that sends it passes,
/// whatever its origin; without one, only a loopback peer (an IPv4-mapped loopback included).
/// A request without a known peer (a router served without connection info) is refused: the
/// guard fails closed.
pub(crate) fn gancho_permitido(
    token: Option<&str>,
    peer: Option<SocketAddr>,
    enviado: Option<&[u8]>,
) -> bool {
    match token {
        // Digests of equal length compared: the comparison's time says nothing about the token.
        Some(token) => enviado.is_some_and(|e| {
            use sha2::{Digest, Sha256};
            Sha256::digest(e) == Sha256::digest(token.as_bytes())
        }),
        None => peer.is_some_and(|p| p.ip().to_canonical().is_loopback()),
    }
}

/// Refuses a `/__test` call [`gancho_permitido`] does not allow with `403 ganchos_restringidos`.
pub(crate) async fn guardia_de_ganchos(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let enviado = req
        .headers()
        .get(CABECERA_TOKEN_GANCHOS)
        .map(|v| v.as_bytes());
    if gancho_permitido(state.config().test_hooks_token.as_deref(), peer, enviado) {
        next.run(req).await
    } else {
        ApiError::GanchosRestringidos.into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hooks_answer_loopback_or_the_token_only() {
        let local: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let local6: SocketAddr = "[::1]:5000".parse().unwrap();
        let mapeada: SocketAddr = "[::ffff:127.0.0.1]:5000".parse().unwrap();
        let remota: SocketAddr = "192.0.2.7:5000".parse().unwrap();
        // No token: loopback only, and never an unknown peer.
        for p in [local, local6, mapeada] {
            assert!(gancho_permitido(None, Some(p), None), "{p}");
        }
        assert!(!gancho_permitido(None, Some(remota), None));
        assert!(!gancho_permitido(None, Some(remota), Some(b"algo")));
        assert!(!gancho_permitido(None, None, None));
        // A token: the token from anywhere, and nothing without it, loopback included.
        let t = Some("s3creto");
        assert!(gancho_permitido(t, Some(remota), Some(b"s3creto")));
        assert!(gancho_permitido(t, None, Some(b"s3creto")));
        assert!(!gancho_permitido(t, Some(remota), Some(b"s3creta")));
        assert!(!gancho_permitido(t, Some(remota), None));
        assert!(!gancho_permitido(t, Some(local), None));
    }
}
