//! The Infomex client: one logged-in session with one jurisdiction's Infomex, in either dialect,
//! with timeouts, retries and re-login.
//!
//! Layers: `texto` and `xml` decode bytes; `modern` and `legacy` build each dialect's requests
//! and parse its answers into the dialect-free `types`; this module sends them, classifies
//! failures (`fallo`), retries the transient ones with `retry`'s backoff, and logs in again
//! when the session expires.

mod fallo;
mod legacy;
mod modern;
mod retry;
mod texto;
mod types;
mod xml;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use bytes::Bytes;
use pnt_model::{Folio, Jurisdiccion, Sha256, Solicitud};
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Client, RequestBuilder, StatusCode};

use crate::config::InfomexConfig;
use pnt_model::Dialect;

pub(crate) use fallo::Fallo;
use fallo::Respuesta;
use retry::Backoff;
pub(crate) use types::PaginaLista;

/// A folio as a detail gives it: one pnt-model reads, or the detail is unreadable.
fn folio(texto: &str) -> Result<Folio, Fallo> {
    Folio::parse(texto.trim()).map_err(|e| Fallo::Ilegible(e.to_string()))
}

/// "Infomex Jalisco", or the federal system's name.
pub(crate) fn nombre_infomex(j: Jurisdiccion) -> String {
    if j.es_federacion() {
        "Infomex del Gobierno Federal".to_owned()
    } else {
        format!("Infomex {}", j.nombre())
    }
}

/// Legacy systems page by a fixed 50.
const POR_PAGINA_LEGACY: u32 = 50;

/// How many times one request may log in again because its session expired.
const MAX_RELOGINS: u32 = 3;

/// Shared HTTP client and settings; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Cliente {
    http: Client,
    config: InfomexConfig,
    /// What the `/__test/infomex` hook set over `config`; shared by every clone, so a linkage
    /// started after the hook answered sees it.
    ajustes: Arc<RwLock<Ajustes>>,
}

/// Per-jurisdiction dialects and base URLs, and the linkage concurrency, that replace the
/// start-up configuration's while set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Ajustes {
    pub(crate) dialects: BTreeMap<Jurisdiccion, Dialect>,
    pub(crate) urls: BTreeMap<Jurisdiccion, String>,
    pub(crate) concurrencia: Option<u32>,
}

/// A password held only in memory for the length of a linkage; never printed.
struct Secreto(String);

impl fmt::Debug for Secreto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("«oculta»")
    }
}

impl Cliente {
    pub(crate) fn new(config: InfomexConfig) -> Result<Cliente, reqwest::Error> {
        let http = Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .no_proxy()
            .user_agent(concat!("pnt-reference-server/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Cliente {
            http,
            config,
            ajustes: Arc::default(),
        })
    }

    pub(crate) fn config(&self) -> &InfomexConfig {
        &self.config
    }

    /// Replaces the hook's adjustments (`Ajustes::default()` returns to the start-up
    /// configuration).
    pub(crate) fn ajustar(&self, ajustes: Ajustes) {
        *self.ajustes.write().unwrap_or_else(|e| e.into_inner()) = ajustes;
    }

    /// How many solicitudes a linkage fetches at once: the hook's adjustment, else the start-up
    /// configuration.
    pub(crate) fn concurrencia(&self) -> u32 {
        let ajustes = self.ajustes.read().unwrap_or_else(|e| e.into_inner());
        ajustes
            .concurrencia
            .unwrap_or(self.config.concurrencia)
            .max(1)
    }

    /// Where `j`'s Infomex is and which dialect to try first: the hook's adjustment, else the
    /// start-up configuration.
    fn destino(&self, j: Jurisdiccion) -> (String, Dialect) {
        let ajustes = self.ajustes.read().unwrap_or_else(|e| e.into_inner());
        let base = match ajustes.urls.get(&j) {
            Some(url) => format!("{}/{}", url.trim_end_matches('/'), j.slug()),
            None => self.config.url(j),
        };
        let dialect = ajustes
            .dialects
            .get(&j)
            .copied()
            .unwrap_or_else(|| self.config.dialect(j));
        (base, dialect)
    }

    /// Logs in to `j`'s Infomex.
    pub(crate) async fn iniciar(
        &self,
        j: Jurisdiccion,
        usuario: &str,
        contrasena: String,
    ) -> Result<Sesion, Fallo> {
        let (base, dialect) = self.destino(j);
        let sesion = Sesion {
            http: self.http.clone(),
            base,
            usuario: usuario.to_owned(),
            contrasena: Secreto(contrasena),
            estado: Mutex::new(Estado {
                dialect,
                token: Arc::from(""),
                generacion: 0,
            }),
            relogin: tokio::sync::Mutex::new(()),
            backoff: Mutex::new(Backoff::new(
                self.config.retry.clone(),
                retry::stream_de(&format!("{}:{usuario}", j.slug())),
            )),
            por_pagina: self.config.por_pagina.clamp(1, 200),
        };
        sesion.login().await?;
        Ok(sesion)
    }
}

/// A logged-in session. Its methods retry transient failures and log in again as needed; what
/// they return is final.
///
/// The methods take `&self` so that a linkage can have several requests in flight on one
/// session (`InfomexConfig::concurrencia`): the token and the dialect live behind a lock held
/// only between awaits, and a log-in after an expiry happens once however many requests saw the
/// session expire (`generacion` tells a request whether another one already logged in again).
#[derive(Debug)]
pub(crate) struct Sesion {
    http: Client,
    base: String,
    usuario: String,
    contrasena: Secreto,
    estado: Mutex<Estado>,
    /// Held while logging in again, so concurrent requests that saw the session expire log in
    /// once between them.
    relogin: tokio::sync::Mutex<()>,
    backoff: Mutex<Backoff>,
    por_pagina: u32,
}

/// What a log-in sets.
#[derive(Debug, Clone)]
struct Estado {
    dialect: Dialect,
    token: Arc<str>,
    /// How many log-ins this session made.
    generacion: u64,
}

/// What one request asks for.
enum Peticion<'a> {
    Lista(u32),
    Detalle(&'a str),
    Adjunto { id: &'a str, sha256: &'a Sha256 },
}

enum Salida {
    Lista(PaginaLista),
    Detalle(Box<Solicitud>),
    Adjunto(Bytes),
}

impl Sesion {
    fn estado(&self) -> Estado {
        self.estado
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Page size this session's list pages have.
    pub(crate) fn por_pagina(&self) -> u32 {
        match self.estado().dialect {
            Dialect::Modern => self.por_pagina,
            Dialect::Legacy => POR_PAGINA_LEGACY,
        }
    }

    pub(crate) async fn pagina(&self, n: u32) -> Result<PaginaLista, Fallo> {
        match self.ejecutar(Peticion::Lista(n)).await? {
            Salida::Lista(p) => Ok(p),
            _ => unreachable!("a list request yields a list"),
        }
    }

    pub(crate) async fn detalle(&self, folio: &str) -> Result<Solicitud, Fallo> {
        match self.ejecutar(Peticion::Detalle(folio)).await? {
            Salida::Detalle(d) => Ok(*d),
            _ => unreachable!("a detail request yields a detail"),
        }
    }

    /// The attachment's bytes, verified against `sha256`.
    pub(crate) async fn adjunto(&self, id: &str, sha256: &Sha256) -> Result<Bytes, Fallo> {
        match self.ejecutar(Peticion::Adjunto { id, sha256 }).await? {
            Salida::Adjunto(b) => Ok(b),
            _ => unreachable!("an attachment request yields bytes"),
        }
    }

    /// Logs out, once and without retries: the session expires on its own anyway.
    pub(crate) async fn cerrar(self) {
        let Estado { dialect, token, .. } = self.estado();
        let req = match dialect {
            Dialect::Modern => modern::logout(&self.http, &self.base, &token),
            Dialect::Legacy => legacy::logout(&self.http, &self.base, &token),
        };
        if let Err(e) = enviar(req).await {
            tracing::debug!(error = %e, "logout de Infomex fallido (sin consecuencias)");
        }
    }

    async fn login(&self) -> Result<(), Fallo> {
        let mut cambio_de_dialecto = false;
        let mut fallidos = 0;
        let mut dialect = self.estado().dialect;
        loop {
            let req = match dialect {
                Dialect::Modern => {
                    modern::login(&self.http, &self.base, &self.usuario, &self.contrasena.0)
                }
                Dialect::Legacy => {
                    legacy::login(&self.http, &self.base, &self.usuario, &self.contrasena.0)
                }
            };
            let result = enviar(req).await.and_then(|r| match dialect {
                Dialect::Modern => modern::parse_login(&r),
                Dialect::Legacy => legacy::parse_login(&r),
            });
            match result {
                Ok(token) => {
                    let mut estado = self.estado.lock().unwrap_or_else(|e| e.into_inner());
                    estado.dialect = dialect;
                    estado.token = Arc::from(token);
                    estado.generacion += 1;
                    return Ok(());
                }
                // The configured dialect was wrong: this system speaks the other one.
                Err(Fallo::RutaDesconocida(_)) if !cambio_de_dialecto => {
                    cambio_de_dialecto = true;
                    dialect = dialect.other();
                    tracing::info!(?dialect, base = %self.base, "se cambia de dialecto");
                }
                Err(f) if f.transitorio() => {
                    fallidos += 1;
                    self.esperar(fallidos, &f, "login").await?;
                }
                Err(f) => return Err(f),
            }
        }
    }

    /// Logs in again after a request made with log-in `generacion` found the session expired,
    /// unless another request already did. Whether this call logged in.
    async fn relogin(&self, generacion: u64) -> Result<bool, Fallo> {
        let _turno = self.relogin.lock().await;
        if self.estado().generacion != generacion {
            return Ok(false);
        }
        tracing::debug!("sesión de Infomex expirada: nuevo login");
        self.login().await?;
        Ok(true)
    }

    /// Sleeps before retry `k` of a request that failed with `f`, or gives up with `f`.
    async fn esperar(&self, k: u32, f: &Fallo, que: &str) -> Result<(), Fallo> {
        let espera = {
            let mut backoff = self.backoff.lock().unwrap_or_else(|e| e.into_inner());
            if k >= backoff.intentos() {
                tracing::warn!(%que, intentos = k, fallo = %f, "Infomex: sin más reintentos");
                return Err(f.clone());
            }
            backoff.espera(k, f.retry_after())
        };
        let Some(espera) = espera else {
            tracing::warn!(%que, fallo = %f, "Infomex pide esperar más de lo admitido");
            return Err(f.clone());
        };
        tracing::debug!(%que, reintento = k, ?espera, fallo = %f, "reintento");
        tokio::time::sleep(espera).await;
        Ok(())
    }

    async fn ejecutar(&self, p: Peticion<'_>) -> Result<Salida, Fallo> {
        let mut fallidos = 0;
        let mut relogins = 0;
        loop {
            let estado = self.estado();
            let result = self.intento(&p, &estado).await;
            match result {
                Ok(salida) => return Ok(salida),
                // Only the log-ins this request made count towards its limit: with several
                // requests in flight, a session that expires after a few requests may be
                // used up by the others before this one gets its turn, and each log-in by
                // another request is progress all the same.
                Err(Fallo::SesionInvalida) if relogins < MAX_RELOGINS => {
                    if self.relogin(estado.generacion).await? {
                        relogins += 1;
                    }
                }
                // A folio the list named, or an attachment the detail declared, that is not
                // found contradicts what the system just said: worth asking again.
                Err(f)
                    if f.transitorio()
                        || matches!(f, Fallo::NoEncontrado) && !matches!(p, Peticion::Lista(_)) =>
                {
                    fallidos += 1;
                    let que = match &p {
                        Peticion::Lista(n) => format!("lista página {n}"),
                        Peticion::Detalle(folio) => format!("detalle {folio}"),
                        Peticion::Adjunto { id, .. } => format!("adjunto {id}"),
                    };
                    self.esperar(fallidos, &f, &que).await?;
                }
                Err(f) => return Err(f),
            }
        }
    }

    async fn intento(&self, p: &Peticion<'_>, estado: &Estado) -> Result<Salida, Fallo> {
        let (http, base, token) = (&self.http, self.base.as_str(), &*estado.token);
        let req: RequestBuilder = match (estado.dialect, p) {
            (Dialect::Modern, Peticion::Lista(n)) => {
                modern::lista(http, base, token, *n, self.por_pagina)
            }
            (Dialect::Modern, Peticion::Detalle(f)) => modern::detalle(http, base, token, f),
            (Dialect::Modern, Peticion::Adjunto { id, .. }) => {
                modern::adjunto(http, base, token, id)
            }
            (Dialect::Legacy, Peticion::Lista(n)) => legacy::lista(http, base, token, *n),
            (Dialect::Legacy, Peticion::Detalle(f)) => legacy::detalle(http, base, token, f),
            (Dialect::Legacy, Peticion::Adjunto { id, .. }) => {
                legacy::adjunto(http, base, token, id)
            }
        };
        if let Peticion::Adjunto { sha256, .. } = p {
            // Attachments are hashed chunk by chunk as they arrive (`recibir`), so the bytes
            // are read once and held once.
            let (r, recibido) = recibir(req).await?;
            let bytes = match estado.dialect {
                Dialect::Modern => modern::parse_adjunto(&r)?,
                Dialect::Legacy => legacy::parse_adjunto(&r, &recibido, sha256)?,
            };
            if recibido != **sha256 {
                return Err(Fallo::Checksum {
                    esperado: **sha256,
                    recibido,
                });
            }
            return Ok(Salida::Adjunto(bytes));
        }
        let r = enviar(req).await?;
        match (estado.dialect, p) {
            (Dialect::Modern, Peticion::Lista(_)) => modern::parse_lista(&r).map(Salida::Lista),
            (Dialect::Legacy, Peticion::Lista(_)) => legacy::parse_lista(&r).map(Salida::Lista),
            (d, Peticion::Detalle(folio)) => {
                let detalle = match d {
                    Dialect::Modern => modern::parse_detalle(&r)?,
                    Dialect::Legacy => legacy::parse_detalle(&r)?,
                };
                if detalle.folio.to_string() != *folio {
                    return Err(Fallo::Ilegible(format!(
                        "se pidió el folio {folio} y llegó el {}",
                        detalle.folio
                    )));
                }
                Ok(Salida::Detalle(Box::new(detalle)))
            }
            (_, Peticion::Adjunto { .. }) => unreachable!("attachments are received above"),
        }
    }
}

/// Sends one request and reads the whole answer. 5xx and 429 are failures here already.
async fn enviar(req: RequestBuilder) -> Result<Respuesta, Fallo> {
    let (respuesta, cabeza) = cabeza(req).await?;
    let body = respuesta
        .bytes()
        .await
        .map_err(|e| Fallo::no_responde(format!("cuerpo incompleto: {}", e.without_url())))?;
    cabeza.completa(body)
}

/// Like [`enviar`], for attachments: the body is fed to SHA-256 chunk by chunk as it arrives and
/// gathered into one buffer sized from `Content-Length`, so a large file is neither held twice
/// (reqwest's `bytes()` keeps the chunks and then copies them into one buffer) nor read twice
/// to hash it. Returns the answer and the digest of its body.
async fn recibir(req: RequestBuilder) -> Result<(Respuesta, Sha256), Fallo> {
    use sha2::Digest;
    // What a `Content-Length` may reserve up front; a larger body still arrives whole, by
    // growing the buffer, but a lying header cannot make the server reserve gigabytes.
    const MAX_RESERVA: u64 = 64 << 20;
    let (mut respuesta, cabeza) = cabeza(req).await?;
    let reserva = respuesta.content_length().unwrap_or(0).min(MAX_RESERVA);
    let mut body = Vec::with_capacity(reserva as usize);
    let mut hasher = sha2::Sha256::new();
    while let Some(chunk) = respuesta
        .chunk()
        .await
        .map_err(|e| Fallo::no_responde(format!("cuerpo incompleto: {}", e.without_url())))?
    {
        hasher.update(&chunk);
        body.extend_from_slice(&chunk);
    }
    let digest = Sha256(hasher.finalize().into());
    Ok((cabeza.completa(Bytes::from(body))?, digest))
}

/// The head of an answer whose body has not been read yet.
struct Cabeza {
    status: StatusCode,
    content_type: Option<String>,
    retry_after: Option<Duration>,
}

/// Sends one request and waits for the head of its answer.
async fn cabeza(req: RequestBuilder) -> Result<(reqwest::Response, Cabeza), Fallo> {
    // `without_url`: legacy URLs carry the session token; errors must not print it.
    let respuesta = req
        .send()
        .await
        .map_err(|e| Fallo::no_responde(e.without_url().to_string()))?;
    let status = respuesta.status();
    let content_type = respuesta
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let retry_after = respuesta
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    Ok((
        respuesta,
        Cabeza {
            status,
            content_type,
            retry_after,
        },
    ))
}

impl Cabeza {
    /// The answer with its whole body; 5xx and 429 are failures.
    fn completa(self, body: Bytes) -> Result<Respuesta, Fallo> {
        if self.status == StatusCode::TOO_MANY_REQUESTS || self.status.is_server_error() {
            return Err(Fallo::NoResponde {
                detalle: format!("HTTP {}", self.status.as_u16()),
                retry_after: self.retry_after,
            });
        }
        Ok(Respuesta {
            status: self.status,
            content_type: self.content_type,
            body,
        })
    }
}
