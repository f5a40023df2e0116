//! [`Mutante`]: the runner's embedded environment with a defect between runner and reference.
//!
//! Each world is the embedded one (simulator, reference server, restart, hooks, clock, reset and
//! calendars untouched) with an in-process HTTP proxy in front of the reference: the runner
//! talks to the proxy, which passes every request on and lets the [`Mutacion`] of the world's
//! defect rewrite it or its response. Because the proxy forwards to the reference's address,
//! a `restart` (the reference stopped and started again on the same address) goes through it.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::defecto::{Capa, Defecto};
use super::mutacion::{Mutacion, Peticion, Respuesta};
use crate::report;
use crate::run::{BoxFuture, Embedded, Environment, RunError, World};
use crate::scenario::Instance;

/// The largest body the proxy passes on; the reference refuses far smaller ones (64 KiB), so
/// nothing a scenario sends is cut.
const MAX_BODY: usize = 64 * 1024 * 1024;

/// The embedded reference with `defecto` (or none: the clean baseline, through the same proxy).
#[derive(Debug)]
pub struct Mutante {
    inner: Embedded,
    defecto: Option<Defecto>,
}

impl Mutante {
    pub fn new(defecto: Option<Defecto>) -> Mutante {
        Mutante {
            inner: Embedded::default(),
            defecto,
        }
    }
}

impl Environment for Mutante {
    fn target(&self) -> report::Target {
        report::Target::Embedded
    }

    fn parallel(&self) -> bool {
        true
    }

    fn start<'a>(
        &'a self,
        instance: &'a Instance,
        seed: u64,
    ) -> BoxFuture<'a, Result<World, RunError>> {
        Box::pin(async move {
            // The scenario's calendars as discovery publishes them (slug → calendar).
            let published: serde_json::Map<String, Value> = instance
                .calendarios
                .iter()
                .map(|(j, c)| (j.slug().to_owned(), serde_json::json!(c)))
                .collect();
            let world = if self.defecto.is_some_and(|d| d.capa() == Capa::Referencia) {
                // `calendario_ignorado`: the reference computes with LFT alone while the proxy
                // publishes the scenario's calendars.
                let mut blind = instance.clone();
                blind.calendarios.clear();
                self.inner.start(&blind, seed).await?
            } else {
                self.inner.start(instance, seed).await?
            };
            let proxy = Arc::new(Proxy {
                destino: world.pnt_base.clone(),
                http: reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    // A fresh connection per request: after a `restart` no pooled connection
                    // points at the stopped server.
                    .pool_max_idle_per_host(0)
                    .build()
                    .map_err(|e| RunError::ServerPort(e.to_string()))?,
                mutacion: Mutacion::new(self.defecto, published),
            });
            let listener = TcpListener::bind("127.0.0.1:0")
                .await
                .map_err(|e| RunError::ServerPort(e.to_string()))?;
            let addr = listener
                .local_addr()
                .map_err(|e| RunError::ServerAddr(e.to_string()))?;
            let (stop, stopped) = oneshot::channel::<()>();
            let router = axum::Router::new().fallback(pasar).with_state(proxy);
            tokio::spawn(async move {
                let _ = axum::serve(listener, router)
                    .with_graceful_shutdown(async move {
                        let _ = stopped.await;
                    })
                    .await;
            });
            Ok(World {
                pnt_base: format!("http://{addr}"),
                guard: Box::new((world.guard, ProxyGuard(Some(stop)))),
                ..world
            })
        })
    }
}

/// Stops the proxy when the world is dropped.
struct ProxyGuard(Option<oneshot::Sender<()>>);

impl Drop for ProxyGuard {
    fn drop(&mut self) {
        if let Some(stop) = self.0.take() {
            let _ = stop.send(());
        }
    }
}

struct Proxy {
    destino: String,
    http: reqwest::Client,
    mutacion: Mutacion,
}

/// Headers that belong to one connection, not to the message: never passed on.
fn hop_by_hop(name: &header::HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "transfer-encoding"
            | "te"
            | "trailer"
            | "upgrade"
            | "proxy-connection"
            | "host"
            | "content-length"
    )
}

fn passed_on(headers: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::new();
    for (name, value) in headers {
        if !hop_by_hop(name) {
            out.append(name.clone(), value.clone());
        }
    }
    out
}

async fn pasar(State(proxy): State<Arc<Proxy>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = match to_bytes(body, MAX_BODY).await {
        Ok(body) => body,
        Err(e) => return falla_del_proxy(format!("no se pudo leer la petición: {e}")),
    };
    let mut peticion = Peticion {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: passed_on(&parts.headers),
        body,
    };
    let respuesta = match proxy.mutacion.antes(&mut peticion) {
        Some(answered) => answered,
        None => {
            let url = match &peticion.query {
                Some(q) => format!("{}{}?{q}", proxy.destino, peticion.path),
                None => format!("{}{}", proxy.destino, peticion.path),
            };
            let sent = proxy
                .http
                .request(peticion.method.clone(), url)
                .headers(peticion.headers.clone())
                .body(peticion.body.clone())
                .send()
                .await;
            let answer = match sent {
                Ok(answer) => answer,
                Err(e) => return falla_del_proxy(format!("la referencia no respondió: {e}")),
            };
            let status = answer.status();
            let headers = passed_on(answer.headers());
            let body = match answer.bytes().await {
                Ok(body) => body,
                Err(e) => return falla_del_proxy(format!("la respuesta se cortó: {e}")),
            };
            let mut respuesta = Respuesta {
                status,
                headers,
                body,
            };
            proxy.mutacion.despues(&peticion, &mut respuesta);
            respuesta
        }
    };
    let mut response = Response::new(Body::from(respuesta.body));
    *response.status_mut() = respuesta.status;
    *response.headers_mut() = respuesta.headers;
    response
}

/// What the proxy answers when it could not pass a request on (the runner reports it as the
/// target's answer, so the scenario fails and says why).
fn falla_del_proxy(why: String) -> Response {
    let body = serde_json::json!({"error": {
        "codigo": "autoprueba_sin_referencia",
        "mensaje": format!("El intermediario de la autoprueba no pudo pasar la petición: {why}"),
    }});
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = StatusCode::BAD_GATEWAY;
    response
}
