//! What each step does: a control step (clock, faults, restart) is carried out here, in one
//! place; any other step becomes the request it makes, built from the execution's state and
//! sent on its own (so `concurrent` steps go out together).

use pnt_model::Calendario;
use reqwest::Method;
use serde_json::{Value, json};

use super::client::{PntClient, Unreachable, segment};
use super::error::RunError;
use super::exec::{Execution, Stopped};
use super::verify::Observed;
use crate::scenario::{Action, Advance, At, FaultSpec, Step};

/// The reason given to a queja against an answer when the scenario names none.
const MOTIVO_RESPUESTA: &str = "La respuesta no corresponde a lo solicitado.";

/// The reason given to a queja when the scenario names none and the solicitud's window is the
/// one for a missing answer (LGTAIP art. 143: "la falta de respuesta … dentro de los plazos").
const MOTIVO_FALTA_DE_RESPUESTA: &str = "La solicitud no fue respondida dentro del plazo.";

/// A request a step makes, built before it is sent (so `concurrent` can send several at once).
pub(super) enum Call {
    Api {
        method: Method,
        path: String,
        token: Option<String>,
        body: Option<Value>,
    },
    Download {
        id: String,
        token: Option<String>,
    },
    /// The attachment at a position in a solicitud's details.
    DownloadAt {
        folio: String,
        respuesta: usize,
        adjunto: usize,
        token: Option<String>,
    },
    /// A queja; without a `motivo`, the detail's queja window says which reason fits.
    Queja {
        folio: String,
        motivo: Option<String>,
        token: Option<String>,
    },
}

/// A step made ready: a request still to send, or a control step already carried out.
pub(super) enum Prepared {
    /// A request to the target, sent by [`perform`] (with others, under `concurrent`).
    Request(Call),
    /// A step on the world the requests meet (clock, faults, restart), done: what the
    /// transcript says of it.
    Done(String),
}

pub(super) struct Performed {
    pub(super) observed: Observed,
    pub(super) download: Option<super::client::Download>,
}

impl Execution<'_> {
    /// Makes a step ready: a control step (clock, faults, restart) is carried out here, the one
    /// place the clock, the fault plan and the target's process change; any other step becomes
    /// the request it makes.
    pub(super) async fn prepare(&mut self, step: &At<Step>) -> Result<Prepared, Stopped> {
        let token = self.token(step);
        let resolve = |v: &Execution<'_>, text: &str| v.resolve(text).map_err(Stopped::from);
        let call = match &step.action {
            Action::Registrar(user) => {
                let c = self.credentials(user);
                Call::Api {
                    method: Method::POST,
                    path: "/usuarios".into(),
                    token: None,
                    body: Some(
                        json!({"correo": c.correo, "contrasena": c.contrasena, "nombre": c.nombre}),
                    ),
                }
            }
            Action::IniciarSesion(login) => {
                let c = self.credentials(&login.user);
                let contrasena = login.contrasena.clone().unwrap_or(c.contrasena);
                Call::Api {
                    method: Method::POST,
                    path: "/sesiones".into(),
                    token: None,
                    body: Some(json!({"correo": c.correo, "contrasena": contrasena})),
                }
            }
            Action::CerrarSesion(_) => Call::Api {
                method: Method::DELETE,
                path: "/sesiones".into(),
                token,
                body: None,
            },
            Action::Vincular(v) => {
                let contrasena = match &v.contrasena {
                    Some(c) => resolve(self, c)?,
                    None => self
                        .world
                        .infomex
                        .account(v.jurisdiccion, v.usuario.clone())
                        .await
                        .map_err(|e| RunError::SimAccountUnavailable(Box::new(e)))?
                        .map(|a| a.contrasena)
                        .unwrap_or_default(),
                };
                Call::Api {
                    method: Method::POST,
                    path: "/vinculaciones".into(),
                    token,
                    body: Some(json!({
                        "jurisdiccion": v.jurisdiccion.slug(),
                        "usuario": resolve(self, &v.usuario)?,
                        "contrasena": contrasena,
                    })),
                }
            }
            Action::Vinculaciones(_) => api_get("/vinculaciones".into(), token),
            Action::Historial(h) => {
                let mut query = Vec::new();
                if let Some(s) = h.semaforo {
                    query.push(format!("semaforo={}", s.slug()));
                }
                if let Some(t) = h.tipo {
                    query.push(format!("tipo={}", t.slug()));
                }
                if let Some(p) = h.pagina {
                    query.push(format!("pagina={p}"));
                }
                if let Some(p) = h.por_pagina {
                    query.push(format!("por_pagina={p}"));
                }
                let q = if query.is_empty() {
                    String::new()
                } else {
                    format!("?{}", query.join("&"))
                };
                api_get(format!("/historial{q}"), token)
            }
            Action::Detalle(d) => api_get(
                format!("/solicitudes/{}", segment(&resolve(self, &d.folio)?)),
                token,
            ),
            Action::Descargar(d) => match (&d.id, &d.folio) {
                (Some(id), _) => Call::Download {
                    id: resolve(self, id)?,
                    token,
                },
                (None, Some(folio)) => Call::DownloadAt {
                    folio: resolve(self, folio)?,
                    respuesta: d.respuesta,
                    adjunto: d.adjunto,
                    token,
                },
                (None, None) => return Err(RunError::DownloadWithoutTarget.into()),
            },
            Action::Queja(q) => Call::Queja {
                folio: resolve(self, &q.folio)?,
                motivo: q.motivo.as_deref().map(|m| resolve(self, m)).transpose()?,
                token,
            },
            Action::Quejas(_) => api_get("/quejas".into(), token),
            Action::Concurrent(_) => return Err(RunError::NestedConcurrent.into()),
            Action::SetClock(date) => {
                self.set_hoy(date.0).await?;
                return Ok(self.done(&step.action));
            }
            Action::AdvanceClock(a) => {
                self.advance_clock(a).await?;
                return Ok(self.done(&step.action));
            }
            Action::Faults(faults) => {
                self.add_faults(faults).await?;
                return Ok(self.done(&step.action));
            }
            Action::ClearFaults(_) => {
                self.world
                    .infomex
                    .clear_faults()
                    .await
                    .map_err(|e| RunError::FaultsNotCleared(e.to_string()))?;
                return Ok(self.done(&step.action));
            }
            Action::Restart(_) => {
                let restart = self
                    .world
                    .restart
                    .as_ref()
                    .ok_or(RunError::NotRestartable)?;
                restart
                    .restart()
                    .await
                    .map_err(|e| RunError::RestartFailed(Box::new(e)))?;
                // A restarted process starts on its own clock; the scenario's `hoy` is set
                // again so what follows sees the same date (a no-op for the embedded server,
                // whose clock survives the restart).
                if let Some(hoy) = self.hoy {
                    self.set_hoy(hoy).await?;
                }
                return Ok(self.done(&step.action));
            }
        };
        Ok(Prepared::Request(call))
    }

    /// Moves `hoy` forward by calendar days or by días hábiles: of the calendar the scenario's
    /// `calendarios` give the step's `jurisdiccion`, else of LFT.
    async fn advance_clock(&mut self, a: &Advance) -> Result<(), RunError> {
        let hoy = self.hoy.ok_or(RunError::NoClock)?;
        let next = match (a.dias_habiles, a.dias) {
            (Some(n), _) => match a.jurisdiccion.and_then(|j| self.calendarios.get(&j)) {
                Some(calendario) => calendario.sumar_dias_habiles(hoy, n),
                None => Calendario::lft().sumar_dias_habiles(hoy, n),
            },
            (None, Some(n)) => hoy
                .checked_add(jiff::Span::new().days(i64::from(n)))
                .map_err(|e| RunError::DateOutOfRange(e.to_string()))?,
            (None, None) => hoy,
        };
        self.set_hoy(next).await
    }

    /// Adds faults to the simulator's plan.
    async fn add_faults(&self, faults: &[At<FaultSpec>]) -> Result<(), RunError> {
        // `check` passed when the scenario was loaded; it is the same catalog here.
        let faults = faults
            .iter()
            .map(|f| f.check())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| RunError::FaultsRefused(e.to_string()))?;
        self.world
            .infomex
            .add_faults(faults)
            .await
            .map_err(|e| RunError::FaultsRefused(e.to_string()))
    }

    /// A control step carried out, as the transcript shows it: the clock's steps say the date
    /// they set, which the scenario may only imply.
    fn done(&self, action: &Action) -> Prepared {
        let what = action.describe();
        Prepared::Done(match action {
            Action::SetClock(_) | Action::AdvanceClock(_) => {
                let hoy = self.hoy.map(|d| d.to_string()).unwrap_or_default();
                format!("{what} → hoy {hoy}")
            }
            _ => what,
        })
    }
}

fn api_get(path: String, token: Option<String>) -> Call {
    Call::Api {
        method: Method::GET,
        path,
        token,
        body: None,
    }
}

pub(super) async fn perform(client: &PntClient, call: Call) -> Result<Performed, Unreachable> {
    match call {
        Call::Api {
            method,
            path,
            token,
            body,
        } => Ok(Performed {
            observed: client.call(method, &path, token.as_deref(), body).await?,
            download: None,
        }),
        Call::Download { id, token } => {
            let (observed, download) = client.download(&id, token.as_deref()).await?;
            Ok(Performed { observed, download })
        }
        Call::DownloadAt {
            folio,
            respuesta,
            adjunto,
            token,
        } => {
            let detail = client
                .call(
                    Method::GET,
                    &format!("/solicitudes/{}", segment(&folio)),
                    token.as_deref(),
                    None,
                )
                .await?;
            let id = attachment_id(&detail.body, respuesta, adjunto);
            match id {
                Some(id) => {
                    let (observed, download) = client.download(&id, token.as_deref()).await?;
                    Ok(Performed { observed, download })
                }
                // The detail itself failed, or has no such attachment: its answer is the step's.
                None if detail.status != 200 => Ok(Performed {
                    observed: detail,
                    download: None,
                }),
                None => Ok(Performed {
                    observed: Observed {
                        status: 404,
                        body: json!({"error": {"codigo": "adjunto_no_encontrado",
                                    "mensaje": format!("el detalle de {folio} no tiene la respuesta {respuesta} con el adjunto {adjunto}")}}),
                        text: String::new(),
                        headers: Vec::new(),
                    },
                    download: None,
                }),
            }
        }
        Call::Queja {
            folio,
            motivo,
            token,
        } => {
            let motivo = match motivo {
                Some(m) => m,
                None => {
                    let detail = client
                        .call(
                            Method::GET,
                            &format!("/solicitudes/{}", segment(&folio)),
                            token.as_deref(),
                            None,
                        )
                        .await?;
                    motivo_por_defecto(&detail.body).to_owned()
                }
            };
            Ok(Performed {
                observed: client
                    .call(
                        Method::POST,
                        &format!("/solicitudes/{}/quejas", segment(&folio)),
                        token.as_deref(),
                        Some(json!({ "motivo": motivo })),
                    )
                    .await?,
                download: None,
            })
        }
    }
}

/// The reason for a queja the scenario gave none: about the missing answer when the detail's
/// window is the one for a missing answer, about the answer otherwise (also when the detail
/// could not be read: the queja's own answer then tells what went wrong).
fn motivo_por_defecto(detail: &Value) -> &'static str {
    if detail.pointer("/queja/motivo") == Some(&json!("falta_de_respuesta")) {
        MOTIVO_FALTA_DE_RESPUESTA
    } else {
        MOTIVO_RESPUESTA
    }
}

/// The id of answer `respuesta`'s attachment `adjunto` in a detail. The PNT API declares ids
/// as integers (docs/openapi.json); a text id is accepted too.
fn attachment_id(detail: &Value, respuesta: usize, adjunto: usize) -> Option<String> {
    match detail.pointer(&format!("/respuestas/{respuesta}/adjuntos/{adjunto}/id"))? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A response body as snapshots keep it: pretty JSON, with tokens and expiry times redacted.
pub(super) fn normalized(body: &Value) -> String {
    fn redact(v: &Value) -> Value {
        match v {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let v = match k.as_str() {
                            "token" | "expira" => Value::String(format!("[{k}]")),
                            _ => redact(v),
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
            other => other.clone(),
        }
    }
    serde_json::to_string_pretty(&redact(body)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_ids_are_read_whether_integer_or_text() {
        let detail = json!({"respuestas": [{"adjuntos": [{"id": 7}, {"id": "3-0-1"}]}]});
        assert_eq!(attachment_id(&detail, 0, 0).as_deref(), Some("7"));
        assert_eq!(attachment_id(&detail, 0, 1).as_deref(), Some("3-0-1"));
        assert_eq!(attachment_id(&detail, 0, 2), None);
        assert_eq!(attachment_id(&detail, 1, 0), None);
    }
}
