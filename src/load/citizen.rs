//! One virtual citizen's visit: registrar, iniciar_sesion, vincular each planned account, page
//! Mi Historial, open some details and download some attachments. Every request is timed and
//! recorded under its operation; a failed registrar or iniciar_sesion ends the visit (what
//! follows would only fail the same way), any other failure is recorded and the visit goes on.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pnt_model::Sha256;
use reqwest::Method;
use serde_json::{Value, json};

use super::plan::Citizen;
use super::stats::{Op, Stats};
use crate::run::{Observed, PntClient, Unreachable, segment};

/// How a visit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Visit {
    /// Every planned account was linked `completa`.
    pub(super) linked: bool,
    /// Requests that failed, of any operation.
    pub(super) errors: u64,
}

pub(super) struct Runner {
    pub(super) client: PntClient,
    pub(super) stats: Arc<Mutex<Stats>>,
}

impl Runner {
    /// Carries out `citizen`'s plan.
    pub(super) async fn visit(&self, mut citizen: Citizen) -> Visit {
        let mut visit = Visit {
            linked: false,
            errors: 0,
        };
        let registro = json!({
            "correo": citizen.correo,
            "contrasena": citizen.contrasena,
            "nombre": citizen.nombre,
        });
        if self
            .expect(
                &mut visit,
                Op::Registrar,
                201,
                Method::POST,
                "/usuarios",
                None,
                Some(registro),
            )
            .await
            .is_none()
        {
            return visit;
        }
        let Some(token) = login(self, &mut visit, &citizen).await else {
            return visit;
        };
        let token = Some(token.as_str());
        let mut linked = 0;
        for (j, usuario) in &citizen.accounts {
            let body = json!({
                "jurisdiccion": j.slug(),
                "usuario": usuario,
                "contrasena": infomex_sim::procedural_password(citizen.seed, *j, usuario),
            });
            let started = Instant::now();
            let answer = self
                .client
                .call(Method::POST, "/vinculaciones", token, Some(body))
                .await;
            // A linkage left `incompleta` lost solicitudes on the way: under load that is an
            // error, whatever the status.
            let error = match &answer {
                Ok(o) if o.status == 200 => match o.body.get("estado").and_then(Value::as_str) {
                    Some("completa") => None,
                    _ => Some("vinculacion_incompleta".to_owned()),
                },
                other => Some(error_code(other)),
            };
            if error.is_none() {
                linked += 1;
            }
            self.record(&mut visit, Op::Vincular, started.elapsed(), error);
        }
        visit.linked = linked == citizen.accounts.len();
        let mut folios: Vec<String> = Vec::new();
        for pagina in 1..=citizen.paginas {
            let path = format!(
                "/historial?pagina={pagina}&por_pagina={}",
                citizen.por_pagina
            );
            let Some(page) = self
                .expect(
                    &mut visit,
                    Op::Historial,
                    200,
                    Method::GET,
                    &path,
                    token,
                    None,
                )
                .await
            else {
                break;
            };
            let rows = page
                .body
                .get("solicitudes")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            folios.extend(
                rows.iter()
                    .filter_map(|r| r.get("folio").and_then(Value::as_str))
                    .map(str::to_owned),
            );
            let total = page.body.get("total").and_then(Value::as_u64).unwrap_or(0);
            if rows.is_empty() || folios.len() as u64 >= total {
                break;
            }
        }
        let mut adjuntos: Vec<String> = Vec::new();
        for _ in 0..citizen.detalles {
            if folios.is_empty() {
                break;
            }
            let folio = folios.swap_remove(citizen.pick(folios.len()));
            let path = format!("/solicitudes/{}", segment(&folio));
            if let Some(detail) = self
                .expect(
                    &mut visit,
                    Op::Detalle,
                    200,
                    Method::GET,
                    &path,
                    token,
                    None,
                )
                .await
            {
                adjuntos.extend(attachment_ids(&detail.body));
            }
        }
        for _ in 0..citizen.descargas {
            if adjuntos.is_empty() {
                break;
            }
            let id = adjuntos.swap_remove(citizen.pick(adjuntos.len()));
            let started = Instant::now();
            let answer = self.client.download(&id, token).await;
            let error = match &answer {
                Ok((_, Some(d))) => match &d.declared {
                    // The bytes must be the ones the target vouches for.
                    Some(sha) if *sha != Sha256::of(&d.bytes).to_string() => {
                        Some("adjunto_checksum_distinto".to_owned())
                    }
                    _ => None,
                },
                Ok((o, None)) => Some(api_code(o)),
                Err(u) => Some(transport_code(u)),
            };
            self.record(&mut visit, Op::Descargar, started.elapsed(), error);
        }
        visit
    }

    /// One timed API call that must answer `status`; its answer when it did.
    #[allow(clippy::too_many_arguments)]
    async fn expect(
        &self,
        visit: &mut Visit,
        op: Op,
        status: u16,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Option<Observed> {
        let started = Instant::now();
        let answer = self.client.call(method, path, token, body).await;
        let took = started.elapsed();
        match answer {
            Ok(o) if o.status == status => {
                self.record(visit, op, took, None);
                Some(o)
            }
            other => {
                self.record(visit, op, took, Some(error_code(&other)));
                None
            }
        }
    }

    fn record(&self, visit: &mut Visit, op: Op, took: Duration, error: Option<String>) {
        if error.is_some() {
            visit.errors += 1;
        }
        self.stats
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .record(op, took, error);
    }
}

/// `POST /sesiones` with the citizen's credentials: the bearer token.
pub(super) async fn login(runner: &Runner, visit: &mut Visit, citizen: &Citizen) -> Option<String> {
    let credentials = json!({"correo": citizen.correo, "contrasena": citizen.contrasena});
    let session = runner
        .expect(
            visit,
            Op::IniciarSesion,
            201,
            Method::POST,
            "/sesiones",
            None,
            Some(credentials),
        )
        .await?;
    let token = session.body.get("token").and_then(Value::as_str);
    if token.is_none() {
        runner.record(
            visit,
            Op::IniciarSesion,
            Duration::ZERO,
            Some("sesion_sin_token".into()),
        );
    }
    token.map(str::to_owned)
}

/// The `código` of an answer that was not the expected one.
fn error_code(answer: &Result<Observed, Unreachable>) -> String {
    match answer {
        Ok(o) => api_code(o),
        Err(u) => transport_code(u),
    }
}

/// The API's own `error.codigo`, or `http_{status}` when the body has none.
fn api_code(o: &Observed) -> String {
    o.body
        .pointer("/error/codigo")
        .and_then(Value::as_str)
        .map_or_else(|| format!("http_{}", o.status), str::to_owned)
}

/// The `[código: …]` the runner puts at the end of a transport failure.
pub(super) fn transport_code(u: &Unreachable) -> String {
    u.0.rsplit_once("[código: ")
        .and_then(|(_, rest)| rest.strip_suffix(']'))
        .unwrap_or("destino_inaccesible")
        .to_owned()
}

/// The ids of every attachment of a detail (integers in the contract, strings accepted).
fn attachment_ids(detail: &Value) -> Vec<String> {
    let list = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    list(detail, "respuestas")
        .iter()
        .flat_map(|r| list(r, "adjuntos"))
        .filter_map(|a| match a.get("id")? {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_come_from_the_api_error_or_the_transport_failure() {
        let o = Observed {
            status: 502,
            body: json!({"error": {"codigo": "infomex_no_responde", "mensaje": "…"}}),
            text: String::new(),
            headers: Vec::new(),
        };
        assert_eq!(api_code(&o), "infomex_no_responde");
        let bare = Observed {
            body: Value::Null,
            ..o
        };
        assert_eq!(api_code(&bare), "http_502");
        let u = Unreachable("no se pudo conectar (causa: x) [código: destino_inaccesible]".into());
        assert_eq!(transport_code(&u), "destino_inaccesible");
        let u = Unreachable("tiempo agotado [código: destino_sin_respuesta]".into());
        assert_eq!(transport_code(&u), "destino_sin_respuesta");
    }

    #[test]
    fn attachment_ids_are_read_from_every_answer() {
        let d = json!({"respuestas": [
            {"adjuntos": [{"id": 3}, {"id": "a-4"}]},
            {"adjuntos": []},
            {"adjuntos": [{"id": 5}, {"nombre": "sin id"}]}
        ]});
        assert_eq!(attachment_ids(&d), ["3", "a-4", "5"]);
    }
}
