//! pnt-reference-server: a minimal but real Plataforma Nacional de Transparencia.
//!
//! Users register and log in, link ("vincular") their old Infomex accounts — the server logs in
//! to that state's Infomex over HTTP and migrates every solicitud, answer and attachment — and
//! then see Mi Historial, open Detalles, download attachments and file quejas. It serves a JSON
//! API (the conformance contract, docs/pnt-api.md, OpenAPI at `/api/v1/openapi.json`) and plain
//! server-rendered HTML pages in Spanish.
//!
//! ```no_run
//! # async fn run() -> Result<(), pnt_reference_server::ServeError> {
//! use pnt_reference_server::{Config, serve};
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! let config = Config::default()
//!     .db_path("pnt.sqlite")
//!     .infomex_base_url("http://127.0.0.1:8090");
//! serve(config, listener, async { tokio::signal::ctrl_c().await.ok(); }).await
//! # }
//! ```
//!
//! # Layout
//!
//! - `config`, `clock`: what a deployment chooses; the only source of time.
//! - `db`: SQLite storage — migrations, accounts, linkage writes, history reads, quejas.
//! - `infomex`: the HTTP client of the Infomex systems, both dialects, retries and re-login.
//! - `vinculacion`: the linkage algorithm — scan, fetch, verify, store, report what is pending.
//! - `reglas`: plazos, semáforo and queja windows, computed by pnt-model.
//! - `auth`, `limitador`, `cuentas`: passwords, tokens, failed-attempt limits, sessions.
//! - `consultas`: Mi Historial, Detalles, attachments and quejas for both front ends.
//! - `api`, `dto`, `extract`, `error`: the JSON API, its shapes, extractors and the one error
//!   shape.
//! - `web`: the HTML pages (cookie sessions with CSRF tokens).
//! - `seguridad`: the security headers on every response, the limits every request meets
//!   before a handler reads it, and the test-hook guard.
//! - `conexiones`: the accept loop over hyper — timeouts, the connection cap, and hyper's own
//!   error answers in the JSON error shape.
//! - `state`: the shared state; `app` builds the router and `serve` runs it.

mod api;
mod auth;
mod clock;
mod conexiones;
mod config;
mod consultas;
mod cuentas;
mod db;
mod dto;
mod error;
mod extract;
mod infomex;
mod limitador;
mod reglas;
mod seguridad;
mod state;
mod vinculacion;
mod web;

use std::future::Future;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::ACCEPT;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

pub use api::openapi_json;
pub use clock::Clock;
pub use config::{
    Argon2Params, Config, InfomexConfig, Limite, LimiteLogin, LimitesHttp, RetryPolicy, Storage,
};
pub use db::EsquemaTemporal;
pub use seguridad::CABECERA_TOKEN_GANCHOS;
pub use state::{AppState, ServeError};

use error::ApiError;

/// The whole server as a router: API, discovery, hooks (when enabled), HTML pages.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(api::router(&state))
        .merge(web::router())
        .fallback(ruta_desconocida)
        .method_not_allowed_fallback(metodo_no_permitido)
        .layer(DefaultBodyLimit::max(extract::MAX_CUERPO))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            seguridad::limites_de_peticion,
        ))
        .layer(middleware::from_fn(seguridad::cabeceras))
        .layer(middleware::from_fn(registrar_peticion))
        .with_state(state)
}

/// Serves `config` on `listener` until `shutdown` completes.
pub async fn serve(
    config: Config,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let limites = config.http;
    let state = AppState::new(config)?;
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "pnt-reference-server escuchando");
    }
    conexiones::servir(app(state), limites, listener, shutdown).await?;
    Ok(())
}

async fn ruta_desconocida(State(state): State<AppState>, req: Request) -> Response {
    if quiere_html(&req) {
        let (mut parts, _) = req.into_parts();
        web::pagina_no_encontrada(&mut parts, &state).await
    } else {
        ApiError::RutaDesconocida.into_response()
    }
}

async fn metodo_no_permitido() -> ApiError {
    ApiError::MetodoNoPermitido
}

fn quiere_html(req: &Request) -> bool {
    let api = ["/api/", "/__test/", "/.well-known/"]
        .iter()
        .any(|p| req.uri().path().starts_with(p));
    !api && req
        .headers()
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// Logs method, path and status — never bodies, headers or query strings, so neither passwords
/// nor tokens reach the logs.
async fn registrar_peticion(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let response = next.run(req).await;
    tracing::debug!(%method, %path, status = response.status().as_u16(), "petición");
    response
}
