//! The HTTP side of a target: the PNT API (docs/pnt-api.md) and its test hooks, over reqwest.

use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::{Client, Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::verify::Observed;
use std::collections::BTreeMap;

use pnt_model::{Calendario, Date, Jurisdiccion, ReglaSemaforo, ReglasAplicadas, Sha256, Terminos};

/// How long one request may take before the target counts as not answering. A target facing a
/// `hang` fault must give up on Infomex well before this.
/// The time limit of one request to the target unless `run --timeout` says otherwise.
pub(super) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The discovery document (`GET /.well-known/pnt-suite`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Discovery {
    pub api: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub hooks: Hooks,
    /// The rules the target's plazos and semáforo follow; LFT and 5 días hábiles when absent.
    #[serde(default)]
    pub reglas: Option<Rules>,
}

/// The rules a target publishes (docs/pnt-api.md, "Discovery").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Rules {
    /// The rules every calendar starts from; `lft` is the one pnt-suite knows.
    pub calendario: String,
    /// With this many días hábiles left or fewer, an unanswered solicitud is En alerta.
    pub umbral_alerta: u32,
    /// Per jurisdiction, the días inhábiles and suspensions its calendar adds to `lft`.
    #[serde(default)]
    pub calendarios: BTreeMap<Jurisdiccion, Calendario>,
    /// Per jurisdiction, its terms; a jurisdiction not listed has the law's (`Terminos::de`).
    #[serde(default)]
    pub terminos: BTreeMap<Jurisdiccion, Terminos>,
}

/// The only base calendar the oracle computes with.
const KNOWN_CALENDAR: &str = "lft";

/// The test hooks a target offers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Hooks {
    #[serde(default)]
    pub prefix: String,
    #[serde(default)]
    pub available: Vec<String>,
}

/// A failure to talk to the target at all (as opposed to an answer that is wrong): one line in
/// Spanish that says what failed and what to do, with the technical cause and its `[código: …]`
/// at the end (it becomes the scenario's reason in every report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable(pub String);

/// Why a request got no (whole) answer, in Spanish: reqwest's own text ("error sending request
/// for url (…)") says neither what went wrong nor what to do, so the error is classified and
/// only its innermost cause is kept, as a detail.
fn unanswered(method: &Method, url: &str, e: &reqwest::Error, what: &str) -> Unreachable {
    // reqwest's own time-out error says no more than the message does.
    let cause = if e.is_timeout() {
        "tiempo agotado".to_owned()
    } else {
        cause(e)
    };
    let (code, message) = if e.is_timeout() {
        (
            "destino_sin_respuesta",
            format!(
                "{method} {url}: {what} dentro del tiempo límite; si el destino es lento (una vinculación grande es una sola petición), aumente `--timeout`"
            ),
        )
    } else if e.is_builder() {
        (
            "url_invalida",
            format!("«{url}» no es una URL válida; revise --target (p. ej. http://127.0.0.1:8080)"),
        )
    } else if e.is_connect() && mentions(e, "dns error") {
        (
            "destino_inaccesible",
            format!("no se encontró el host de {url}; revise el nombre en --target"),
        )
    } else if e.is_connect() {
        (
            "destino_inaccesible",
            format!(
                "no se pudo conectar con el destino en {url}: ¿está en marcha? revise --target"
            ),
        )
    } else if e.is_body() || e.is_decode() {
        (
            "respuesta_cortada",
            format!(
                "{method} {url}: {what} a medias; revise el registro del destino, que cerró la conexión"
            ),
        )
    } else {
        (
            "conexion_fallida",
            format!(
                "{method} {url}: {what}, la conexión falló; revise que el destino siga en marcha"
            ),
        )
    };
    Unreachable(format!("{message} (causa: {cause}) [código: {code}]"))
}

/// Whether any error in `e`'s chain says `text`: hyper-util marks a failed name lookup only in
/// its message ("dns error"), not in a type or kind.
fn mentions(e: &reqwest::Error, text: &str) -> bool {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        if err.to_string().contains(text) {
            return true;
        }
        next = err.source();
    }
    false
}

/// The innermost error under reqwest's, which names the actual failure (a refused connection, a
/// reset); an IO error in Spanish.
fn cause(e: &reqwest::Error) -> String {
    let mut inner: &(dyn std::error::Error + 'static) = e;
    while let Some(next) = inner.source() {
        if let Some(io) = next.downcast_ref::<std::io::Error>() {
            // The first IO error down the chain has the kind a user can act on.
            return crate::error::io_cause(io);
        }
        inner = next;
    }
    inner.to_string()
}

/// A client of one target.
#[derive(Debug, Clone)]
pub struct PntClient {
    http: Client,
    base: String,
    api: String,
    hooks: Hooks,
    reglas: ReglasAplicadas,
    reglas_publicadas: bool,
    /// Sent in `X-Pnt-Test-Token` on every hook call (`run --test-hooks-token`), never on any
    /// other request.
    hooks_token: Option<String>,
}

/// The bytes of a download and what the target declared about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    pub bytes: Vec<u8>,
    pub declared: Option<String>,
    pub media_type: Option<String>,
}

impl PntClient {
    /// Reads the target's discovery document.
    pub async fn discover(base: &str, timeout: Duration) -> Result<PntClient, Unreachable> {
        // No idle connections kept: a `restart` step replaces the server on the same address, and a
        // pooled connection to the old one would fail the next request at random.
        PntClient::discover_with(Client::builder().pool_max_idle_per_host(0), base, timeout).await
    }

    /// [`PntClient::discover`] with idle connections kept for reuse: for `load`, whose thousands
    /// of requests would otherwise use up the loopback's ephemeral ports, and whose target is
    /// never restarted under it.
    pub async fn discover_pooled(base: &str, timeout: Duration) -> Result<PntClient, Unreachable> {
        PntClient::discover_with(Client::builder(), base, timeout).await
    }

    async fn discover_with(
        builder: reqwest::ClientBuilder,
        base: &str,
        timeout: Duration,
    ) -> Result<PntClient, Unreachable> {
        let http = builder.timeout(timeout).build().map_err(|e| {
            Unreachable(format!(
                "no se pudo crear el cliente HTTP (causa: {}) [código: cliente_http]",
                cause(&e)
            ))
        })?;
        let base = base.trim_end_matches('/').to_owned();
        let url = format!("{base}/.well-known/pnt-suite");
        let resp = http
            .get(&url)
            .send()
            .await
            .map_err(|e| unanswered(&Method::GET, &url, &e, "el destino no respondió"))?;
        if !resp.status().is_success() {
            return Err(Unreachable(format!(
                "{url} respondió {}; el destino debe publicar su documento de descubrimiento (docs/pnt-api.md, \"Discovery\") [código: descubrimiento_ausente]",
                resp.status().as_u16()
            )));
        }
        let discovery: Discovery = resp.json().await.map_err(|e| {
            Unreachable(format!(
                "{url} no es un documento de descubrimiento válido (docs/pnt-api.md, \"Discovery\") (causa: {}) [código: descubrimiento_invalido]",
                cause(&e)
            ))
        })?;
        let reglas_publicadas = discovery.reglas.is_some();
        let reglas = match discovery.reglas {
            None => ReglasAplicadas::default(),
            Some(r) if r.calendario == KNOWN_CALENDAR => ReglasAplicadas {
                semaforo: ReglaSemaforo {
                    umbral_alerta: r.umbral_alerta,
                },
                calendarios: r.calendarios,
                terminos: r.terminos,
            },
            Some(r) => {
                return Err(Unreachable(format!(
                    "{url} declara el calendario «{}»; pnt-suite solo calcula plazos con `{KNOWN_CALENDAR}` (docs/pnt-api.md, \"Discovery\"), así que no puede verificar las fechas de este destino [código: calendario_no_soportado]",
                    r.calendario
                )));
            }
        };
        Ok(PntClient {
            http,
            api: format!("{base}{}", discovery.api.trim_end_matches('/')),
            hooks: discovery.hooks,
            reglas,
            reglas_publicadas,
            base,
            hooks_token: None,
        })
    }

    /// Sends `token` with every hook call from now on (a target started with
    /// `--test-hooks-token`).
    pub fn with_hooks_token(mut self, token: Option<String>) -> PntClient {
        self.hooks_token = token;
        self
    }

    /// The hooks the target offers.
    pub fn hooks(&self) -> &Hooks {
        &self.hooks
    }

    /// The rules the target publishes — per-jurisdiction calendars and terms, semáforo
    /// threshold — or LFT, the law's terms and 5 días hábiles when it publishes none.
    pub fn reglas(&self) -> &ReglasAplicadas {
        &self.reglas
    }

    /// Whether [`PntClient::reglas`] are the target's own (its discovery has `reglas`).
    pub fn reglas_publicadas(&self) -> bool {
        self.reglas_publicadas
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// A request to the API (`path` after `/api/v1`), with the bearer token when given.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<Observed, Unreachable> {
        let url = format!("{}{path}", self.api);
        self.send(method, &url, token, body).await
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<Observed, Unreachable> {
        let mut req = self.http.request(method.clone(), url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.finish(method, url, req, body).await
    }

    /// A call to one of the target's test hooks, with the hooks token when there is one.
    async fn send_hook(
        &self,
        method: Method,
        url: &str,
        body: Option<Value>,
    ) -> Result<Observed, Unreachable> {
        let mut req = self.http.request(method.clone(), url);
        if let Some(t) = &self.hooks_token {
            req = req.header(pnt_reference_server::CABECERA_TOKEN_GANCHOS, t);
        }
        self.finish(method, url, req, body).await
    }

    async fn finish(
        &self,
        method: Method,
        url: &str,
        mut req: reqwest::RequestBuilder,
        body: Option<Value>,
    ) -> Result<Observed, Unreachable> {
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| unanswered(&method, url, &e, "el destino no respondió"))?;
        let status = resp.status().as_u16();
        let headers = header_list(resp.headers());
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| unanswered(&method, url, &e, "la respuesta se cortó"))?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(text.clone()))
        };
        Ok(Observed {
            status,
            body,
            text,
            headers,
        })
    }

    /// `GET /api/v1/adjuntos/{id}`: the bytes, checked against `X-Sha256` by the caller.
    pub async fn download(
        &self,
        id: &str,
        token: Option<&str>,
    ) -> Result<(Observed, Option<Download>), Unreachable> {
        let url = format!("{}/adjuntos/{}", self.api, segment(id));
        let mut req = self.http.get(&url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| unanswered(&Method::GET, &url, &e, "el destino no respondió"))?;
        let status = resp.status();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let headers = header_list(resp.headers());
        let declared = header("x-sha256");
        let media_type = header("content-type");
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| unanswered(&Method::GET, &url, &e, "la descarga se cortó"))?
            .to_vec();
        if status != StatusCode::OK {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let body = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
            return Ok((
                Observed {
                    status: status.as_u16(),
                    body,
                    text,
                    headers,
                },
                None,
            ));
        }
        let sha = Sha256::of(&bytes).to_string();
        let body = json!({
            "sha256": sha,
            "x_sha256": declared,
            "tamano": bytes.len(),
            "media_type": media_type,
        });
        Ok((
            Observed {
                status: status.as_u16(),
                text: body.to_string(),
                body,
                headers,
            },
            Some(Download {
                bytes,
                declared,
                media_type,
            }),
        ))
    }

    /// `PUT {prefix}/clock`.
    pub async fn set_clock(&self, hoy: Date) -> Result<Observed, Unreachable> {
        let url = format!("{}{}/clock", self.base, self.hooks.prefix);
        self.send_hook(Method::PUT, &url, Some(json!({"hoy": hoy.to_string()})))
            .await
    }

    /// `PUT {prefix}/infomex`: the dialect of each jurisdiction `dialects` names (docs/pnt-api.md,
    /// "Test hooks"); the others return to the target's own configuration. With `one_by_one`,
    /// also `concurrencia: 1`: linkages fetch one solicitud at a time.
    pub async fn set_infomex(
        &self,
        dialects: &[(pnt_model::Jurisdiccion, pnt_model::Dialect)],
        one_by_one: bool,
    ) -> Result<Observed, Unreachable> {
        let url = format!("{}{}/infomex", self.base, self.hooks.prefix);
        let map: serde_json::Map<String, Value> = dialects
            .iter()
            .map(|(j, d)| (j.slug().to_owned(), Value::from(d.slug())))
            .collect();
        let mut body = json!({"dialects": map});
        if one_by_one {
            body["concurrencia"] = json!(1);
        }
        self.send_hook(Method::PUT, &url, Some(body)).await
    }

    /// `PUT {prefix}/calendarios`: the calendar of each jurisdiction `calendarios` names
    /// (docs/pnt-api.md, "Test hooks"); the others return to the target's own calendars.
    pub async fn set_calendarios(
        &self,
        calendarios: &BTreeMap<Jurisdiccion, Calendario>,
    ) -> Result<Observed, Unreachable> {
        let url = format!("{}{}/calendarios", self.base, self.hooks.prefix);
        let map: serde_json::Map<String, Value> = calendarios
            .iter()
            .map(|(j, c)| (j.slug().to_owned(), json!(c)))
            .collect();
        self.send_hook(Method::PUT, &url, Some(json!({"calendarios": map})))
            .await
    }

    /// Whether the target offers the test hook `name` (`clock`, `reset`, `infomex`,
    /// `calendarios`).
    pub fn offers(&self, name: &str) -> bool {
        self.hooks.available.iter().any(|h| h == name)
    }

    /// `POST {prefix}/reset`.
    pub async fn reset(&self) -> Result<Observed, Unreachable> {
        let url = format!("{}{}/reset", self.base, self.hooks.prefix);
        self.send_hook(Method::POST, &url, None).await
    }
}

/// Everything but RFC 3986's unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A folio or id as one percent-encoded path segment (`CDMX%2FUT%2F01234%2F2019`).
pub(crate) fn segment(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

/// A response's headers as [`Observed`] keeps them: lower-case names, values that are not
/// visible ASCII shown lossily.
fn header_list(headers: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}
