//! Requests to the simulated Infomex systems: route, meet the fault plan, execute, journal.

use std::borrow::Cow;
use std::sync::Arc;

use axum::http::{Method, Request, Response, header};
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use pnt_model::{EstadoSolicitud, Jurisdiccion, Solicitud};
use serde::Deserialize;
use tower_http::timeout::TimeoutBody;

use crate::AdjuntoFile;
use crate::account::Generated;
use crate::fault::{Endpoint, FaultKind, RequestInfo};
use crate::journal::{Record, redact};
use crate::query::{Query, split_ascii};
use crate::server::{ConnCtx, SimBody, wire_response};
use crate::state::{Cached, LoginError, SimState};
use crate::wire::{SimError, Wire, legacy, modern};
use pnt_model::Dialect;

/// The largest request body read (log-in forms are tiny).
const MAX_BODY: usize = 64 * 1024;
/// The legacy dialect's fixed page size.
const LEGACY_PAGE: u32 = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    Login,
    Lista,
    Detalle(String),
    Adjunto(String),
    Logout,
    Unknown,
}

impl Action {
    fn endpoint(&self) -> Endpoint {
        match self {
            Action::Login => Endpoint::Login,
            Action::Lista => Endpoint::Lista,
            Action::Detalle(_) => Endpoint::Detalle,
            Action::Adjunto(_) => Endpoint::Adjunto,
            Action::Logout => Endpoint::Logout,
            Action::Unknown => Endpoint::Otro,
        }
    }
}

/// Parses `/{slug}/api/…` (modern) and `/{slug}/infomex/….do` (legacy).
fn route(
    method: &Method,
    path: &str,
    query: &Query<'_>,
) -> (Option<Jurisdiccion>, Option<Dialect>, Action) {
    // At most five segments are meaningful; a fixed array keeps routing allocation-free.
    let mut segments = [""; 5];
    let mut count = 0;
    let mut too_long = false;
    for part in split_ascii(path.strip_prefix('/').unwrap_or(path), b'/') {
        if count == segments.len() {
            too_long = true;
            break;
        }
        segments[count] = part;
        count += 1;
    }
    let segments = &segments[..count];
    // Exact slugs only: a system's URL is not a place for fuzzy matching.
    let slug = segments.first().and_then(|s| by_slug(s));
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let q = |k: &str| query.get(k).map(Cow::into_owned).unwrap_or_default();
    if too_long {
        return (slug, None, Action::Unknown);
    }
    let (dialect, action) = match (method, &segments[1..]) {
        (&Method::POST, ["api", "sesion"]) => (Some(Dialect::Modern), Action::Login),
        (&Method::DELETE, ["api", "sesion"]) => (Some(Dialect::Modern), Action::Logout),
        (&Method::GET, ["api", "solicitudes"]) => (Some(Dialect::Modern), Action::Lista),
        (&Method::GET, ["api", "solicitudes", folio]) => {
            (Some(Dialect::Modern), Action::Detalle(decode(folio)))
        }
        (&Method::GET, ["api", "adjuntos", id]) => {
            (Some(Dialect::Modern), Action::Adjunto(decode(id)))
        }
        (&Method::POST, ["infomex", "login.do"]) => (Some(Dialect::Legacy), Action::Login),
        (&Method::GET, ["infomex", "consultaSolicitudes.do"]) => {
            (Some(Dialect::Legacy), Action::Lista)
        }
        (&Method::GET, ["infomex", "detalleSolicitud.do"]) => {
            (Some(Dialect::Legacy), Action::Detalle(q("folio")))
        }
        (&Method::GET, ["infomex", "descargaArchivo.do"]) => {
            (Some(Dialect::Legacy), Action::Adjunto(q("id")))
        }
        (&Method::GET, ["infomex", "logout.do"]) => (Some(Dialect::Legacy), Action::Logout),
        _ => (None, Action::Unknown),
    };
    (slug, dialect, action)
}

/// Everything the fallback route serves: the 33 systems.
/// The jurisdiction with exactly this slug: a binary search over the slugs, sorted once.
fn by_slug(slug: &str) -> Option<Jurisdiccion> {
    static SORTED: std::sync::OnceLock<Vec<(&'static str, Jurisdiccion)>> =
        std::sync::OnceLock::new();
    let sorted = SORTED.get_or_init(|| {
        let mut v: Vec<_> = Jurisdiccion::ALL
            .into_iter()
            .map(|j| (j.slug(), j))
            .collect();
        v.sort_unstable();
        v
    });
    sorted
        .binary_search_by(|(s, _)| (*s).cmp(slug))
        .ok()
        .map(|i| sorted[i].1)
}

/// Everything the systems serve: the 33 jurisdictions. Called by the connection's service
/// directly (not through axum's router): this is the hot path the throughput target is about.
pub(crate) async fn infomex(
    state: &SimState,
    ctx: &ConnCtx,
    req: Request<TimeoutBody<Incoming>>,
) -> Response<SimBody> {
    let (parts, body) = req.into_parts();
    let method = &parts.method;
    let uri = &parts.uri;
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let query = Query(uri.query().unwrap_or(""));
    let (slug, route_dialect, action) = route(method, uri.path(), &query);
    let path = redact(uri.path_and_query().map_or(uri.path(), |p| p.as_str()));

    let Some(j) = slug else {
        let wire = if uri.path().starts_with("/__admin") {
            crate::admin::unknown_route()
        } else {
            SimError::JurisdiccionDesconocida.render(Dialect::Modern)
        };
        state.lock().journal.push(Record {
            jurisdiccion: None,
            dialect: None,
            endpoint: Endpoint::Otro,
            method: method.clone(),
            path,
            status: Some(wire.status),
            fault: None,
        });
        return wire_response(wire, None, None);
    };
    // A body declared larger than any this server reads is refused before a byte of it is read
    // (and before the fault plan is consulted): waiting for it would hold the connection for
    // nothing.
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        let dialect = state.lock().config.dialect(j);
        let mut wire = SimError::PeticionInvalida(
            "el cuerpo declarado excede el máximo de 64 KiB; envíe uno más pequeño".into(),
        )
        .render(dialect);
        wire.status = 413;
        state.lock().journal.push(Record {
            jurisdiccion: Some(j),
            dialect: Some(dialect),
            endpoint: action.endpoint(),
            method: method.clone(),
            path,
            status: Some(wire.status),
            fault: None,
        });
        return wire_response(wire, None, None);
    }
    let pagina = match action {
        Action::Lista => Some(
            query
                .get("pagina")
                .and_then(|p| p.parse().ok())
                .unwrap_or(1),
        ),
        _ => None,
    };
    let (dialect, fault) = {
        let mut inner = state.lock();
        let fault = inner.faults.select(RequestInfo {
            jurisdiccion: j,
            endpoint: action.endpoint(),
            pagina,
            folio: match &action {
                Action::Detalle(folio) => Some(folio.as_str()),
                _ => None,
            },
        });
        (inner.config.dialect(j), fault)
    };
    // Every way out journals exactly once, so the record takes the path without copying it.
    let log = |status: Option<u16>| {
        state.lock().journal.push(Record {
            jurisdiccion: Some(j),
            dialect: Some(dialect),
            endpoint: action.endpoint(),
            method: method.clone(),
            path,
            status,
            fault: fault.as_ref().map(FaultKind::name),
        });
    };

    // Faults that replace the answer altogether.
    let early = match &fault {
        Some(FaultKind::SystemDown) => Some(SimError::NoDisponible(503)),
        Some(FaultKind::HttpStatus { status }) => Some(SimError::NoDisponible(*status)),
        Some(FaultKind::RateLimited { retry_after }) => {
            Some(SimError::DemasiadasPeticiones(*retry_after))
        }
        _ => None,
    };
    if let Some(e) = early {
        // Faults speak the jurisdiction's dialect, but always with their real status.
        let mut wire = e.render(dialect);
        if let SimError::NoDisponible(status) = e {
            wire.status = status;
        }
        log(Some(wire.status));
        return wire_response(wire, None, None);
    }
    if let Some(FaultKind::Hang) = fault {
        log(None);
        ctx.stopping.clone().wait().await;
        return wire_response(SimError::NoDisponible(503).render(dialect), None, None);
    }
    if let Some(FaultKind::Delay { ms }) = fault {
        state.clock.sleep(ms).await;
    }

    let wire = if route_dialect != Some(dialect) || action == Action::Unknown {
        SimError::RutaDesconocida.render(dialect)
    } else {
        let body = if action == Action::Login {
            match Limited::new(body, MAX_BODY).collect().await {
                Ok(b) => b.to_bytes(),
                Err(_) => {
                    let wire = SimError::PeticionInvalida(
                        "cuerpo demasiado grande o que dejó de llegar".into(),
                    )
                    .render(dialect);
                    log(Some(wire.status));
                    return wire_response(wire, None, None);
                }
            }
        } else {
            bytes::Bytes::new()
        };
        let call = Call {
            state,
            j,
            dialect,
            authorization,
            query,
            fault: fault.as_ref(),
        };
        call.execute(&action, &body)
            .unwrap_or_else(|e| e.render(dialect))
    };
    let wire = corrupt(wire, fault.as_ref(), dialect);
    log(Some(wire.status));
    wire_response(wire, fault.as_ref(), Some(&ctx.reset))
}

/// Body faults: `malformed` and `wrong_encoding`.
fn corrupt(mut wire: Wire, fault: Option<&FaultKind>, dialect: Dialect) -> Wire {
    match fault {
        Some(FaultKind::Malformed) => {
            wire.status = 200;
            let mut body = wire.body[..wire.body.len() / 2].to_vec();
            body.extend_from_slice(b"\n<<< error interno >>>");
            wire.body = body.into();
        }
        Some(FaultKind::WrongEncoding) if wire.content_type.contains("charset") => match dialect {
            Dialect::Modern => {
                let text = String::from_utf8_lossy(&wire.body).into_owned();
                wire.body = encoding_rs::WINDOWS_1252
                    .encode(&text)
                    .0
                    .into_owned()
                    .into();
            }
            Dialect::Legacy => {
                let from = b"encoding=\"windows-1252\"";
                if let Some(pos) = wire.body.windows(from.len()).position(|w| w == from) {
                    let mut body = wire.body.to_vec();
                    body.splice(pos..pos + from.len(), b"encoding=\"UTF-8\"".iter().copied());
                    wire.body = body.into();
                }
                wire.content_type = "text/xml; charset=utf-8".into();
            }
        },
        _ => {}
    }
    wire
}

fn render_lista(
    dialect: Dialect,
    total: usize,
    pagina: u32,
    por_pagina: u32,
    records: &[(&Solicitud<AdjuntoFile>, EstadoSolicitud)],
) -> Wire {
    match dialect {
        Dialect::Modern => modern::lista(total, pagina, por_pagina, records),
        Dialect::Legacy => legacy::lista(total, pagina, por_pagina, records),
    }
}

/// A row of a list page: the solicitud and the estado the list shows for it (a fault may show
/// another than the detail's).
fn record(g: &Generated) -> (&Solicitud<AdjuntoFile>, EstadoSolicitud) {
    (&g.solicitud, g.solicitud.estado)
}

struct Call<'a> {
    state: &'a SimState,
    j: Jurisdiccion,
    dialect: Dialect,
    authorization: Option<&'a str>,
    query: Query<'a>,
    fault: Option<&'a FaultKind>,
}

#[derive(Deserialize)]
struct ModernLogin {
    usuario: String,
    contrasena: String,
}

#[derive(Deserialize)]
struct LegacyLogin {
    usuario: String,
    password: String,
}

impl Call<'_> {
    fn execute(&self, action: &Action, body: &[u8]) -> Result<Wire, SimError> {
        match action {
            Action::Login => self.login(body),
            Action::Logout => {
                self.state
                    .logout(&self.token().ok_or(SimError::SesionInvalida)?);
                Ok(match self.dialect {
                    Dialect::Modern => Wire {
                        status: 204,
                        content_type: "".into(),
                        headers: Vec::new(),
                        body: Bytes::new(),
                    },
                    Dialect::Legacy => legacy::logout(),
                })
            }
            Action::Lista => self.lista(),
            Action::Detalle(folio) => {
                let cached = self.cuenta()?;
                let s = cached
                    .solicitud(folio)
                    .ok_or(SimError::SolicitudNoEncontrada)?;
                for a in s.solicitud.respuestas.iter().flat_map(|r| &r.adjuntos) {
                    if let Some(bytes) = a.preparar() {
                        self.state.guardar_bytes(&cached, &a.id, bytes.into());
                    }
                }
                Ok(match self.dialect {
                    Dialect::Modern => modern::detalle(&s.solicitud),
                    Dialect::Legacy => legacy::detalle(&s.solicitud),
                })
            }
            Action::Adjunto(id) => self.adjunto(id),
            Action::Unknown => Err(SimError::RutaDesconocida),
        }
    }

    fn login(&self, body: &[u8]) -> Result<Wire, SimError> {
        let (usuario, contrasena) = match self.dialect {
            Dialect::Modern => {
                let l: ModernLogin = serde_json::from_slice(body).map_err(|e| {
                    SimError::PeticionInvalida(format!(
                        "se esperaba {{\"usuario\", \"contrasena\"}}: {e}"
                    ))
                })?;
                (l.usuario, l.contrasena)
            }
            Dialect::Legacy => {
                let l: LegacyLogin = serde_urlencoded::from_bytes(body).map_err(|_| {
                    SimError::PeticionInvalida("se esperaban usuario y password".into())
                })?;
                (l.usuario, l.password)
            }
        };
        let token = self
            .state
            .login(self.j, &usuario, &contrasena)
            .map_err(|e| match e {
                LoginError::Credenciales => SimError::CredencialesInvalidas,
                LoginError::Bloqueada => SimError::CuentaBloqueada,
            })?;
        let segundos = self.state.lock().config.sesion_segundos;
        Ok(match self.dialect {
            Dialect::Modern => modern::sesion(&token, segundos),
            Dialect::Legacy => legacy::sesion(&token, segundos),
        })
    }

    fn token(&self) -> Option<Cow<'_, str>> {
        match self.dialect {
            Dialect::Modern => self
                .authorization?
                .strip_prefix("Bearer ")
                .map(Cow::Borrowed),
            Dialect::Legacy => self.query.get("sesion"),
        }
    }

    fn cuenta(&self) -> Result<Arc<Cached>, SimError> {
        let token = self.token().ok_or(SimError::SesionInvalida)?;
        let (_, cached) = self
            .state
            .session_account(self.j, &token)
            .ok_or(SimError::SesionInvalida)?;
        Ok(cached)
    }

    fn lista(&self) -> Result<Wire, SimError> {
        let token = self.token().ok_or(SimError::SesionInvalida)?;
        let (usuario, mut cached) = self
            .state
            .session_account(self.j, &token)
            .ok_or(SimError::SesionInvalida)?;
        let number = |k: &str, default: u32| -> Result<u32, SimError> {
            match self.query.get(k) {
                None => Ok(default),
                Some(v) => v.parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                    SimError::PeticionInvalida(format!("`{k}` debe ser un entero ≥ 1"))
                }),
            }
        };
        let pagina = number("pagina", 1)?;
        let por_pagina = match self.dialect {
            Dialect::Modern => number("por_pagina", 50)?,
            Dialect::Legacy => LEGACY_PAGE,
        };
        if por_pagina > 200 {
            return Err(SimError::PeticionInvalida(
                "`por_pagina` admite hasta 200".into(),
            ));
        }
        let alters_data = matches!(
            self.fault,
            Some(
                FaultKind::DuplicateRecord
                    | FaultKind::PageDrift
                    | FaultKind::MissingFromList { .. }
                    | FaultKind::StatusMismatch
            )
        );
        if !alters_data {
            // The common path: the page as the account holds it, rendered once per account.
            let dialect = self.dialect;
            let body = cached.page((dialect, pagina, por_pagina), |cuenta| {
                let all = &cuenta.solicitudes;
                let start = ((pagina - 1) as usize)
                    .saturating_mul(por_pagina as usize)
                    .min(all.len());
                let end = (start + por_pagina as usize).min(all.len());
                let records: Vec<_> = all[start..end].iter().map(record).collect();
                render_lista(dialect, all.len(), pagina, por_pagina, &records).body
            });
            return Ok(Wire {
                status: 200,
                content_type: match dialect {
                    Dialect::Modern => modern::CONTENT_TYPE,
                    Dialect::Legacy => legacy::CONTENT_TYPE,
                }
                .into(),
                headers: Vec::new(),
                body,
            });
        }
        if let Some(FaultKind::PageDrift) = self.fault {
            self.state
                .drift(self.j, &usuario, &cached.cuenta.solicitudes);
            cached = self
                .state
                .account(self.j, &usuario)
                .ok_or(SimError::SesionInvalida)?;
        }
        let all = &cached.cuenta.solicitudes;
        let page_of = |p: u32| -> &[Generated] {
            let start = ((p - 1) as usize)
                .saturating_mul(por_pagina as usize)
                .min(all.len());
            let end = (start + por_pagina as usize).min(all.len());
            &all[start..end]
        };
        let mut records: Vec<(&Solicitud<AdjuntoFile>, EstadoSolicitud)> =
            page_of(pagina).iter().map(record).collect();
        match self.fault {
            Some(FaultKind::DuplicateRecord) => {
                let next = page_of(pagina + 1);
                if let Some(first_next) = next.first() {
                    records.push(record(first_next));
                } else if pagina > 1 {
                    if let Some(last_prev) = page_of(pagina - 1).last() {
                        records.insert(0, record(last_prev));
                    }
                } else if let Some(first) = records.first().copied() {
                    records.push(first);
                }
            }
            Some(FaultKind::MissingFromList { folio }) => {
                let pos = match folio {
                    Some(f) => records.iter().position(|(s, _)| s.folio == *f),
                    None => (!records.is_empty()).then_some(0),
                };
                if let Some(pos) = pos {
                    records.remove(pos);
                }
            }
            Some(FaultKind::StatusMismatch) => {
                if let Some((_, estado)) = records.first_mut() {
                    *estado = if *estado == EstadoSolicitud::Terminada {
                        EstadoSolicitud::EnProceso
                    } else {
                        EstadoSolicitud::Terminada
                    };
                }
            }
            _ => {}
        }
        Ok(render_lista(
            self.dialect,
            all.len(),
            pagina,
            por_pagina,
            &records,
        ))
    }

    fn adjunto(&self, id: &str) -> Result<Wire, SimError> {
        let cached = self.cuenta()?;
        let adjunto = cached.adjunto(id).ok_or(SimError::AdjuntoNoEncontrado)?;
        if let Some(FaultKind::Attachment404) = self.fault {
            return Err(SimError::AdjuntoNoEncontrado);
        }
        let mut bytes = self
            .state
            .tomar_bytes(&cached, id)
            .unwrap_or_else(|| adjunto.bytes().into());
        let sha256 = adjunto.sha256_de(&bytes);
        if let Some(FaultKind::BadChecksum) = self.fault
            && !bytes.is_empty()
        {
            let mut alterados = bytes.to_vec();
            alterados[0] ^= 0xFF;
            bytes = alterados.into();
        }
        Ok(Wire {
            status: 200,
            content_type: adjunto.media_type.clone().into(),
            headers: vec![("x-sha256", sha256.to_string())],
            body: bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_slug_routes_to_its_jurisdiction() {
        for j in Jurisdiccion::ALL {
            assert_eq!(by_slug(j.slug()), Some(j));
        }
        assert_eq!(by_slug("Jalisco"), None);
        assert_eq!(by_slug(""), None);
    }

    #[test]
    fn routes() {
        let q = Query("folio=JAL-001-000001-19");
        assert_eq!(
            route(&Method::GET, "/jalisco/infomex/detalleSolicitud.do", &q),
            (
                Some(Jurisdiccion::Jalisco),
                Some(Dialect::Legacy),
                Action::Detalle("JAL-001-000001-19".into())
            )
        );
        assert_eq!(
            route(
                &Method::GET,
                "/ciudad-de-mexico/api/solicitudes/CDMX%2FUT%2F00001%2F2019",
                &Query("")
            ),
            (
                Some(Jurisdiccion::CiudadDeMexico),
                Some(Dialect::Modern),
                Action::Detalle("CDMX/UT/00001/2019".into())
            )
        );
        assert_eq!(
            route(&Method::GET, "/narnia/api/solicitudes", &Query("")).0,
            None
        );
        assert_eq!(
            route(&Method::PUT, "/jalisco/api/sesion", &Query("")).2,
            Action::Unknown
        );
    }
}
