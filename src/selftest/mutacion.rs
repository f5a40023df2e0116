//! The mutation layer: what each defect of the catalog does to one exchange between the runner
//! and the reference server. [`Mutacion::antes`] may rewrite a request or answer it itself;
//! [`Mutacion::despues`] rewrites the reference's response. With no defect both leave every
//! byte alone, which is what the self-test's clean baseline proves.

use std::sync::Mutex;

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use bytes::Bytes;
use serde_json::{Value, json};

use super::defecto::Defecto;

/// A request as the proxy holds it.
#[derive(Debug)]
pub(crate) struct Peticion {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// A response as the proxy holds it.
#[derive(Debug)]
pub(crate) struct Respuesta {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// The PNT API's routes a defect can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ruta {
    Historial,
    Detalle,
    Adjunto,
    /// `POST /api/v1/solicitudes/{folio}/quejas`, with the folio's path segment.
    Quejar(String),
    Vincular,
    Vinculaciones,
    IniciarSesion,
    CerrarSesion,
    Descubrimiento,
    Calendarios,
    Otra,
}

fn ruta(method: &Method, path: &str) -> Ruta {
    let get = method == Method::GET;
    match path {
        "/api/v1/historial" if get => Ruta::Historial,
        "/api/v1/vinculaciones" if method == Method::POST => Ruta::Vincular,
        "/api/v1/vinculaciones" if get => Ruta::Vinculaciones,
        "/api/v1/sesiones" if method == Method::POST => Ruta::IniciarSesion,
        "/api/v1/sesiones" if method == Method::DELETE => Ruta::CerrarSesion,
        "/.well-known/pnt-suite" if get => Ruta::Descubrimiento,
        "/__test/calendarios" if method == Method::PUT => Ruta::Calendarios,
        _ => {
            if let Some(rest) = path.strip_prefix("/api/v1/solicitudes/") {
                if let Some(folio) = rest.strip_suffix("/quejas") {
                    if method == Method::POST {
                        return Ruta::Quejar(folio.to_owned());
                    }
                } else if get && !rest.contains('/') {
                    return Ruta::Detalle;
                }
            }
            if get && path.starts_with("/api/v1/adjuntos/") {
                return Ruta::Adjunto;
            }
            Ruta::Otra
        }
    }
}

/// One world's defect and the little it must remember across requests.
#[derive(Debug)]
pub(crate) struct Mutacion {
    defecto: Option<Defecto>,
    /// `datos_ajenos`: the token of the first session opened in this world.
    primer_token: Mutex<Option<String>>,
    /// `calendario_ignorado`: the calendars the scenario declares (slug → calendar, discovery's
    /// JSON form), published although the reference was started without them.
    calendarios_publicados: serde_json::Map<String, Value>,
    /// `calendario_ignorado`: what the runner last asked `PUT /__test/calendarios` to set.
    calendarios_pedidos: Mutex<Option<Bytes>>,
}

impl Mutacion {
    pub(crate) fn new(
        defecto: Option<Defecto>,
        calendarios_publicados: serde_json::Map<String, Value>,
    ) -> Mutacion {
        Mutacion {
            defecto,
            primer_token: Mutex::new(None),
            calendarios_publicados,
            calendarios_pedidos: Mutex::new(None),
        }
    }

    /// Before the request goes to the reference: may change it, or answer it here (`Some`).
    pub(crate) fn antes(&self, p: &mut Peticion) -> Option<Respuesta> {
        let defecto = self.defecto?;
        let r = ruta(&p.method, &p.path);
        match (defecto, &r) {
            (Defecto::FiltrosIgnorados, Ruta::Historial) => {
                p.query = sin_parametros(p.query.as_deref(), &["semaforo", "tipo"]);
            }
            (Defecto::PaginacionIgnorada, Ruta::Historial) => {
                p.query = sin_parametros(p.query.as_deref(), &["pagina", "por_pagina"]);
            }
            (Defecto::PaginacionSinValidar, Ruta::Historial) => {
                p.query = paginacion_acotada(p.query.as_deref());
            }
            (Defecto::CaracteresDeControlAceptados, _)
                if p.path.starts_with("/api/") && !p.body.is_empty() =>
            {
                if let Ok(mut v) = serde_json::from_slice::<Value>(&p.body) {
                    sin_controles(&mut v);
                    p.body = Bytes::from(v.to_string());
                }
            }
            (Defecto::DatosAjenos, Ruta::Historial | Ruta::Detalle | Ruta::Adjunto) => {
                let token = self.primer_token.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(value) = token
                    .as_ref()
                    .and_then(|t| HeaderValue::from_str(&format!("Bearer {t}")).ok())
                {
                    p.headers.insert(header::AUTHORIZATION, value);
                }
            }
            (Defecto::SesionNoRevocada, Ruta::CerrarSesion)
                if p.headers.contains_key(header::AUTHORIZATION) =>
            {
                return Some(Respuesta {
                    status: StatusCode::NO_CONTENT,
                    headers: HeaderMap::new(),
                    body: Bytes::new(),
                });
            }
            (Defecto::QuejaRechazada, Ruta::Quejar(_))
                if p.headers.contains_key(header::AUTHORIZATION) =>
            {
                return Some(error_json(
                    StatusCode::CONFLICT,
                    "queja_fuera_de_plazo",
                    "El plazo para interponer una queja contra esta solicitud ya venció.",
                ));
            }
            (Defecto::CalendarioIgnorado, Ruta::Calendarios) => {
                *self
                    .calendarios_pedidos
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) = Some(p.body.clone());
                p.body = Bytes::from_static(br#"{"calendarios":{}}"#);
            }
            _ => {}
        }
        None
    }

    /// After the reference answered `p`: rewrites its response `r`.
    pub(crate) fn despues(&self, p: &Peticion, r: &mut Respuesta) {
        let ruta = ruta(&p.method, &p.path);
        if ruta == Ruta::IniciarSesion && r.status == StatusCode::CREATED {
            let mut first = self.primer_token.lock().unwrap_or_else(|e| e.into_inner());
            if first.is_none() {
                *first = serde_json::from_slice::<Value>(&r.body)
                    .ok()
                    .and_then(|v| v.get("token")?.as_str().map(str::to_owned));
            }
        }
        let Some(defecto) = self.defecto else { return };
        let api = p.path.starts_with("/api/");
        match (defecto, &ruta) {
            (Defecto::FilaOmitida, Ruta::Historial) => pagina(r, |filas| {
                filas.pop();
            }),
            (Defecto::FilaDuplicada, Ruta::Historial) => pagina(r, |filas| {
                if let Some(first) = filas.first().cloned() {
                    filas.insert(0, first);
                }
            }),
            (Defecto::OrdenInvertido, Ruta::Historial) => pagina(r, |filas| filas.reverse()),
            (Defecto::TotalEquivocado, Ruta::Historial) => json_mut(r, |v| {
                if let Some(total) = v.get("total").and_then(Value::as_u64) {
                    v["total"] = json!(total + 1);
                }
            }),
            (Defecto::LeyendaEquivocada, Ruta::Historial) => json_mut(r, |v| {
                let n = v["solicitudes"].as_array().map_or(0, Vec::len);
                v["leyenda"] = json!(format!("Mostrando {n} solicitudes"));
            }),
            (Defecto::FechaLimiteCorrida, Ruta::Historial | Ruta::Detalle) => {
                filas(r, &ruta, |f| {
                    if let Some(next) = f
                        .get("fecha_limite_entrega")
                        .and_then(Value::as_str)
                        .and_then(dia_habil_siguiente)
                    {
                        f.insert("fecha_limite_entrega".into(), json!(next));
                    }
                });
            }
            (Defecto::SemaforoEquivocado, Ruta::Historial | Ruta::Detalle) => {
                filas(r, &ruta, |f| {
                    let next = match f.get("semaforo").and_then(Value::as_str) {
                        Some("en_tiempo") => "en_alerta",
                        Some("en_alerta") => "fuera_de_tiempo",
                        Some("fuera_de_tiempo") => "en_tiempo",
                        _ => return,
                    };
                    f.insert("semaforo".into(), json!(next));
                });
            }
            (Defecto::SemaforoSinAlerta, Ruta::Historial | Ruta::Detalle) => {
                filas(r, &ruta, |f| {
                    if f.get("semaforo").and_then(Value::as_str) == Some("en_alerta") {
                        f.insert("semaforo".into(), json!("en_tiempo"));
                    }
                });
            }
            (Defecto::FestivosIgnorados, Ruta::Historial | Ruta::Detalle) => {
                filas(r, &ruta, sin_festivos);
            }
            (Defecto::JurisdiccionEquivocada, Ruta::Historial | Ruta::Detalle) => {
                filas(r, &ruta, |f| {
                    if f.contains_key("jurisdiccion") {
                        f.insert("jurisdiccion".into(), json!("federacion"));
                        f.insert("estado_o_federacion".into(), json!("Federación"));
                    }
                });
            }
            (Defecto::EstadoEquivocado, Ruta::Historial | Ruta::Detalle) => {
                filas(r, &ruta, |f| {
                    let next = match f.get("estado").and_then(Value::as_str) {
                        Some("terminada") => "en_proceso",
                        Some("en_proceso") => "terminada",
                        _ => return,
                    };
                    f.insert("estado".into(), json!(next));
                });
            }
            (Defecto::TipoEquivocado, Ruta::Historial | Ruta::Detalle) => filas(r, &ruta, |f| {
                let next = match f.get("tipo").and_then(Value::as_str) {
                    Some("acceso") => "datos-personales",
                    Some("datos-personales") => "acceso",
                    _ => return,
                };
                f.insert("tipo".into(), json!(next));
            }),
            (Defecto::Mojibake, Ruta::Historial | Ruta::Detalle) => json_mut(r, mojibake),
            (Defecto::QuejaDisponibleInvertida, Ruta::Historial) => filas(r, &ruta, |f| {
                if let Some(b) = f.get("queja_disponible").and_then(Value::as_bool) {
                    f.insert("queja_disponible".into(), json!(!b));
                }
            }),
            (Defecto::VentanaDeQuejaCorrida, Ruta::Detalle) => json_mut(r, |v| {
                if let Some(next) = v
                    .pointer("/queja/hasta")
                    .and_then(Value::as_str)
                    .and_then(dia_habil_siguiente)
                {
                    v["queja"]["hasta"] = json!(next);
                }
            }),
            (
                Defecto::QuejaFueraDePlazoAceptada | Defecto::QuejaDuplicadaAceptada,
                Ruta::Quejar(folio),
            ) if r.status == StatusCode::CONFLICT
                && codigo_de_error(&r.body).as_deref()
                    == Some(if defecto == Defecto::QuejaDuplicadaAceptada {
                        "queja_duplicada"
                    } else {
                        "queja_fuera_de_plazo"
                    }) =>
            {
                let folio = percent_encoding::percent_decode_str(folio)
                    .decode_utf8_lossy()
                    .into_owned();
                let body = json!({
                    "folio": "RRA 99999/21", "folio_solicitud": folio,
                    "fecha": "2021-01-04", "motivo": "falta_de_respuesta",
                });
                *r = Respuesta {
                    status: StatusCode::CREATED,
                    headers: json_headers(),
                    body: Bytes::from(body.to_string()),
                };
            }
            (Defecto::QuejaFolioOmitido, Ruta::Historial | Ruta::Detalle) => {
                filas(r, &ruta, |f| {
                    f.remove("queja_folio");
                    if f.get("quejas").and_then(Value::as_array).is_some() {
                        f.insert("quejas".into(), json!([]));
                    }
                });
            }
            (Defecto::RespuestaOmitida, Ruta::Detalle) => json_mut(r, |v| {
                if let Some(respuestas) = v.get_mut("respuestas").and_then(Value::as_array_mut) {
                    respuestas.pop();
                }
            }),
            (Defecto::PrevencionOmitida, Ruta::Detalle) => json_mut(r, |v| {
                if v.get("prevencion").is_some_and(|p| !p.is_null()) {
                    v["prevencion"] = Value::Null;
                }
            }),
            (Defecto::AmpliacionInvertida, Ruta::Detalle) => json_mut(r, |v| {
                if let Some(b) = v.get("ampliacion").and_then(Value::as_bool) {
                    v["ampliacion"] = json!(!b);
                }
            }),
            (Defecto::AdjuntoAlterado | Defecto::AdjuntoRehasheado, Ruta::Adjunto)
                if r.status.is_success() && !r.body.is_empty() =>
            {
                let mut bytes = r.body.to_vec();
                if let Some(last) = bytes.last_mut() {
                    *last ^= 0x01;
                }
                if defecto == Defecto::AdjuntoRehasheado {
                    let sha = pnt_model::Sha256::of(&bytes).to_string();
                    if let Ok(value) = HeaderValue::from_str(&sha) {
                        r.headers.insert("x-sha256", value);
                    }
                }
                r.body = Bytes::from(bytes);
            }
            (Defecto::TipoDeMedioGenerico, Ruta::Adjunto) if r.status.is_success() => {
                r.headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/octet-stream"),
                );
            }
            (Defecto::SinContentDisposition, Ruta::Adjunto) => {
                r.headers.remove(header::CONTENT_DISPOSITION);
            }
            (Defecto::PendientesOcultos, Ruta::Vincular) => json_mut(r, ocultar_pendientes),
            (Defecto::PendientesOcultos, Ruta::Vinculaciones) => json_mut(r, |v| {
                if let Some(all) = v.as_array_mut() {
                    all.iter_mut().for_each(ocultar_pendientes);
                }
            }),
            (Defecto::RevinculacionNoIncremental, Ruta::Vincular) => json_mut(r, |v| {
                if let Some(n) = v.get("solicitudes").cloned() {
                    v["nuevas"] = n;
                    v["actualizadas"] = json!(0);
                }
            }),
            (Defecto::CabecerasDeSeguridadAusentes, _) => {
                for name in [
                    "x-content-type-options",
                    "x-frame-options",
                    "referrer-policy",
                    "content-security-policy",
                ] {
                    r.headers.remove(name);
                }
            }
            (Defecto::SinRetryAfter, _) if r.status == StatusCode::TOO_MANY_REQUESTS => {
                r.headers.remove(header::RETRY_AFTER);
            }
            (Defecto::BloqueoAusente, Ruta::IniciarSesion)
                if r.status == StatusCode::TOO_MANY_REQUESTS =>
            {
                *r = error_json(
                    StatusCode::UNAUTHORIZED,
                    "credenciales_invalidas",
                    "El correo o la contraseña no son correctos. Verifíquelos e intente de nuevo.",
                );
            }
            (Defecto::ErroresGenericos, _) if api && r.status.as_u16() >= 400 => {
                let status = r.status;
                *r = error_json(
                    status,
                    "error",
                    "Ocurrió un error, consulte con el administrador.",
                );
            }
            (Defecto::EstadoHttpGenerico, _) if api && r.status.as_u16() >= 400 => {
                r.status = StatusCode::INTERNAL_SERVER_ERROR;
            }
            (Defecto::CalendarioIgnorado, Ruta::Calendarios) if r.status.is_success() => {
                if let Some(asked) = self
                    .calendarios_pedidos
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take()
                {
                    r.body = asked;
                }
            }
            (Defecto::CalendarioIgnorado, Ruta::Descubrimiento) => {
                let published = self.calendarios_publicados.clone();
                json_mut(r, |v| {
                    if !published.is_empty()
                        && let Some(reglas) = v.get_mut("reglas").and_then(Value::as_object_mut)
                    {
                        reglas.insert("calendarios".into(), Value::Object(published));
                    }
                });
            }
            _ => {}
        }
    }
}

/// The query string without the parameters `names` (`None` when nothing is left).
fn sin_parametros(query: Option<&str>, names: &[&str]) -> Option<String> {
    let kept: Vec<&str> = query?
        .split('&')
        .filter(|pair| {
            let name = pair.split_once('=').map_or(*pair, |(n, _)| n);
            !names.contains(&name)
        })
        .collect();
    (!kept.is_empty()).then(|| kept.join("&"))
}

/// `pagina` and `por_pagina` brought into range instead of refused: a PNT that clamps what it
/// should answer with `400 datos_invalidos`.
fn paginacion_acotada(query: Option<&str>) -> Option<String> {
    let query = query?;
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some(("pagina", v)) => format!("pagina={}", v.parse::<u64>().map_or(1, |n| n.max(1))),
            Some(("por_pagina", v)) => format!(
                "por_pagina={}",
                v.parse::<u64>().map_or(20, |n| n.clamp(1, 100))
            ),
            _ => pair.to_owned(),
        })
        .collect();
    Some(pairs.join("&"))
}

/// Every text of a request body without its control characters (tab, CR and LF kept).
fn sin_controles(v: &mut Value) {
    match v {
        Value::String(s) => {
            s.retain(|c| c != '\u{feff}' && (!c.is_control() || matches!(c, '\t' | '\r' | '\n')))
        }
        Value::Array(items) => items.iter_mut().for_each(sin_controles),
        Value::Object(map) => map.values_mut().for_each(sin_controles),
        _ => {}
    }
}

/// Applies `f` to a successful JSON body; the body is written again only when `f` changed it,
/// so a defect that finds nothing to change leaves the reference's bytes alone.
fn json_mut(r: &mut Respuesta, f: impl FnOnce(&mut Value)) {
    if !r.status.is_success() {
        return;
    }
    let Ok(mut v) = serde_json::from_slice::<Value>(&r.body) else {
        return;
    };
    let before = v.clone();
    f(&mut v);
    if v != before {
        r.body = Bytes::from(v.to_string());
    }
}

/// Applies `f` to the rows of a Mi Historial page.
fn pagina(r: &mut Respuesta, f: impl FnOnce(&mut Vec<Value>)) {
    json_mut(r, |v| {
        if let Some(rows) = v.get_mut("solicitudes").and_then(Value::as_array_mut) {
            f(rows);
        }
    });
}

/// Applies `f` to every row of a Mi Historial page, or to a detail (which has the row's fields).
fn filas(r: &mut Respuesta, ruta: &Ruta, mut f: impl FnMut(&mut serde_json::Map<String, Value>)) {
    let historial = *ruta == Ruta::Historial;
    json_mut(r, |v| {
        if historial {
            for row in v
                .get_mut("solicitudes")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                if let Some(row) = row.as_object_mut() {
                    f(row);
                }
            }
        } else if let Some(detail) = v.as_object_mut() {
            f(detail);
        }
    });
}

/// The next día hábil after `date` counting weekends only: an off-by-one a PNT makes when it
/// counts the day of receipt or forgets one.
fn dia_habil_siguiente(date: &str) -> Option<String> {
    let mut d: jiff::civil::Date = date.parse().ok()?;
    loop {
        d = d.tomorrow().ok()?;
        if !fin_de_semana(d) {
            return Some(d.to_string());
        }
    }
}

/// A row or detail as a PNT blind to the LFT's rest days computes it: the receipt is the
/// presentación moved past weekends only, and the term counts the same number of días hábiles
/// with only Saturdays and Sundays skipped.
fn sin_festivos(f: &mut serde_json::Map<String, Value>) {
    let date = |k: &str| -> Option<jiff::civil::Date> { f.get(k)?.as_str()?.parse().ok() };
    let (Some(recepcion), Some(limite)) = (
        date("fecha_recepcion_oficial"),
        date("fecha_limite_entrega"),
    ) else {
        return;
    };
    let lft = pnt_model::Calendario::lft();
    let n = lft.dias_habiles_entre(recepcion, limite);
    let recepcion_ciega = date("fecha_presentacion").map_or(recepcion, |p| {
        let mut d = p;
        while fin_de_semana(d) {
            d = d.tomorrow().unwrap_or(d);
        }
        d
    });
    let mut d = recepcion_ciega;
    for _ in 0..n {
        d = d.tomorrow().unwrap_or(d);
        while fin_de_semana(d) {
            d = d.tomorrow().unwrap_or(d);
        }
    }
    f.insert(
        "fecha_recepcion_oficial".into(),
        json!(recepcion_ciega.to_string()),
    );
    f.insert("fecha_limite_entrega".into(), json!(d.to_string()));
}

fn fin_de_semana(d: jiff::civil::Date) -> bool {
    matches!(
        d.weekday(),
        jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
    )
}

/// Every text of a JSON value as a PNT that reads UTF-8 as Windows-1252 shows it (`Ã©`).
fn mojibake(v: &mut Value) {
    match v {
        Value::String(s) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(s.as_bytes());
            *s = text.into_owned();
        }
        Value::Array(items) => items.iter_mut().for_each(mojibake),
        Value::Object(map) => map.values_mut().for_each(mojibake),
        _ => {}
    }
}

fn ocultar_pendientes(v: &mut Value) {
    if v.get("pendientes").and_then(Value::as_array).is_some() {
        v["pendientes"] = json!([]);
    }
    if v.get("estado").is_some_and(|e| e == "incompleta") {
        v["estado"] = json!("completa");
    }
}

fn codigo_de_error(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    v.pointer("/error/codigo")?.as_str().map(str::to_owned)
}

fn json_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers
}

/// The API's one error shape.
fn error_json(status: StatusCode, codigo: &str, mensaje: &str) -> Respuesta {
    Respuesta {
        status,
        headers: json_headers(),
        body: Bytes::from(json!({"error": {"codigo": codigo, "mensaje": mensaje}}).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_only_the_named_parameters() {
        assert_eq!(
            sin_parametros(
                Some("semaforo=en_tiempo&pagina=2&tipo=acceso"),
                &["semaforo", "tipo"]
            ),
            Some("pagina=2".to_owned())
        );
        assert_eq!(sin_parametros(Some("tipo=acceso"), &["tipo"]), None);
    }

    #[test]
    fn the_next_business_day_skips_the_weekend() {
        assert_eq!(
            dia_habil_siguiente("2021-09-24").as_deref(),
            Some("2021-09-27")
        );
        assert_eq!(
            dia_habil_siguiente("2021-09-20").as_deref(),
            Some("2021-09-21")
        );
    }

    #[test]
    fn mojibake_is_utf8_read_as_windows_1252() {
        let mut v = json!({"institucion": "Secretaría de Educación"});
        mojibake(&mut v);
        assert_eq!(v["institucion"], "SecretarÃ\u{AD}a de EducaciÃ³n");
    }
}
