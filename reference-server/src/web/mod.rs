//! The HTML pages: plain, server-rendered, accessible, in Spanish like PNT.
//!
//! Sessions travel in an `HttpOnly; SameSite=Lax` cookie holding the same kind of token the API
//! uses (only its digest is stored). Every POST form carries a CSRF token bound to the session:
//! an HMAC, under a per-process server secret, of the browser's `pnt_csrf` nonce cookie and of the
//! session cookie. A cross-site form cannot read the page, so it cannot send the field; and unlike
//! a plain double-submit cookie, a forged cookie + field pair, or a token copied from another
//! session or browser, does not match either (docs/reference-server.md, "Security").

mod cuentas;
mod historial;
mod perfil;
mod plantilla;
mod quejas;

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use crate::auth::nuevo_token;
use crate::db::Usuario;
use crate::extract::sesion_de_token;
use crate::state::AppState;

pub(crate) use plantilla::csp_paginas;
use plantilla::{Encabezado, aviso, e, pagina};

const COOKIE_SESION: &str = "pnt_sesion";
const COOKIE_CSRF: &str = "pnt_csrf";

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(inicio))
        .route("/entrar", get(cuentas::entrar_form).post(cuentas::entrar))
        .route(
            "/registro",
            get(cuentas::registro_form).post(cuentas::registro),
        )
        .route("/salir", post(cuentas::salir))
        .route("/perfil", get(perfil::perfil))
        .route("/perfil/vinculacion", post(perfil::vincular))
        .route("/historial", get(historial::historial))
        .route("/solicitudes/{folio}", get(historial::detalle))
        .route(
            "/solicitudes/{folio}/queja",
            get(quejas::queja_form).post(quejas::queja),
        )
        .route("/adjuntos/{id}", get(historial::adjunto))
        .route("/adjuntos/{id}/ver", get(historial::ver_adjunto))
        .route("/quejas", get(quejas::quejas))
}

/// Whoever is looking: maybe a logged-in user, always a CSRF token for the forms.
#[derive(Debug, Clone)]
pub(crate) struct Visitante {
    pub(crate) usuario: Option<(Usuario, [u8; 32])>,
    pub(crate) csrf: String,
    /// The browser's random `pnt_csrf` cookie the token is bound to (with the session).
    nonce: String,
    /// The CSRF cookie must be set with the response.
    csrf_nuevo: bool,
}

impl Visitante {
    pub(crate) fn encabezado(&self) -> Encabezado<'_> {
        Encabezado {
            nombre: self.usuario.as_ref().map(|(u, _)| u.nombre.as_str()),
            csrf: &self.csrf,
        }
    }

    /// A page response, setting the CSRF cookie when it is new.
    pub(crate) fn responder(&self, status: StatusCode, titulo: &str, cuerpo: &str) -> Response {
        let html = pagina(titulo, self.encabezado(), cuerpo);
        let mut response = (status, Html(html)).into_response();
        if self.csrf_nuevo {
            agregar_cookie(response.headers_mut(), &cookie_csrf(&self.nonce));
        }
        response
    }

    /// The page `titulo` with the error's Spanish message, under the error's status.
    pub(crate) fn responder_error(&self, titulo: &str, err: &crate::error::ApiError) -> Response {
        self.responder(err.status(), titulo, &aviso("error", &e(&err.mensaje())))
    }

    /// The logged-in user's id; pages that need one redirect to `/entrar` without it.
    pub(crate) fn usuario_id(&self) -> Option<i64> {
        self.usuario.as_ref().map(|(u, _)| u.id)
    }
}

fn cookies(headers: &HeaderMap) -> HashMap<String, String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            Some((k.to_owned(), v.to_owned()))
        })
        .collect()
}

impl FromRequestParts<AppState> for Visitante {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let jar = cookies(&parts.headers);
        let usuario = match jar.get(COOKIE_SESION).filter(|t| !t.is_empty()) {
            Some(token) => match sesion_de_token(state, token).await {
                Ok(auth) => Some((auth.sesion.usuario, auth.token_sha256)),
                Err(crate::error::ApiError::NoAutenticado) => None,
                Err(err) => return Err(pagina_error(err.status(), &err.mensaje())),
            },
            None => None,
        };
        let (nonce, csrf_nuevo) = match jar.get(COOKIE_CSRF).filter(|t| t.len() == 64) {
            Some(t) => (t.clone(), false),
            None => (
                nuevo_token()
                    .map_err(|_| {
                        pagina_error(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "Sin aleatoriedad del sistema.",
                        )
                    })?
                    .0,
                true,
            ),
        };
        let sesion = jar
            .get(COOKIE_SESION)
            .map(String::as_str)
            .unwrap_or_default();
        Ok(Visitante {
            usuario,
            csrf: token_csrf(state, &nonce, sesion),
            nonce,
            csrf_nuevo,
        })
    }
}

/// A visitor with a session, and the user's id. Pages that need one extract this instead of
/// [`Visitante`]: everyone else is sent to `/entrar`.
#[derive(Debug, Clone)]
pub(crate) struct ConSesion {
    pub(crate) v: Visitante,
    pub(crate) id: i64,
}

impl FromRequestParts<AppState> for ConSesion {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let v = Visitante::from_request_parts(parts, state).await?;
        match v.usuario_id() {
            Some(id) => Ok(ConSesion { v, id }),
            None => Err(redirigir("/entrar")),
        }
    }
}

/// A POST form's fields, once its CSRF token matched the cookie.
#[derive(Debug)]
pub(crate) struct Formulario(pub(crate) HashMap<String, String>);

impl Formulario {
    pub(crate) fn campo(&self, nombre: &str) -> &str {
        self.0.get(nombre).map(String::as_str).unwrap_or_default()
    }
}

impl FromRequest<AppState> for Formulario {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let jar = cookies(req.headers());
        let esperado = jar.get(COOKIE_CSRF).filter(|n| n.len() == 64).map(|nonce| {
            let sesion = jar
                .get(COOKIE_SESION)
                .map(String::as_str)
                .unwrap_or_default();
            token_csrf(state, nonce, sesion)
        });
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            let err = crate::extract::rechazo_de_cuerpo(e);
            pagina_error(err.status(), &err.mensaje())
        })?;
        let campos: HashMap<String, String> =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| {
                pagina_error(
                    StatusCode::BAD_REQUEST,
                    "El formulario llegó dañado. Vuelva a la página anterior e intente de nuevo.",
                )
            })?;
        let enviado = campos.get("csrf").map(String::as_bytes).unwrap_or_default();
        let valido = esperado
            .as_deref()
            .is_some_and(|t| iguales(t.as_bytes(), enviado));
        if !valido {
            return Err(pagina_error(
                StatusCode::FORBIDDEN,
                "El formulario caducó o no se envió desde esta página. Recargue la página e intente de nuevo.",
            ));
        }
        for (nombre, valor) in &campos {
            crate::dto::sin_caracteres_de_control(nombre, valor)
                .map_err(|err| pagina_error(err.status(), &err.mensaje()))?;
        }
        Ok(Formulario(campos))
    }
}

/// The CSRF token of the browser whose nonce cookie is `nonce` and whose session cookie is
/// `sesion` (empty without one): HMAC-SHA256 under the server secret, in hex. Binding it to the
/// session means a token seen in one session (or forged together with a cookie) is worthless in
/// another.
fn token_csrf(state: &AppState, nonce: &str, sesion: &str) -> String {
    use hmac::{KeyInit, Mac};
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(state.secreto_csrf())
        .expect("HMAC takes keys of any length");
    mac.update(b"pnt-csrf-v1\0");
    mac.update(nonce.as_bytes());
    mac.update(b"\0");
    mac.update(sesion.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Constant-time comparison, so the CSRF check leaks nothing through timing.
fn iguales(x: &[u8], y: &[u8]) -> bool {
    x.len() == y.len() && x.iter().zip(y).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

fn cookie_csrf(nonce: &str) -> String {
    format!("{COOKIE_CSRF}={nonce}; Path=/; HttpOnly; SameSite=Lax")
}

pub(crate) fn cookie_sesion(token: &str, segundos: u64) -> String {
    format!("{COOKIE_SESION}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={segundos}")
}

pub(crate) fn cookie_sesion_borrada() -> String {
    format!("{COOKIE_SESION}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

pub(crate) fn agregar_cookie(headers: &mut HeaderMap, cookie: &str) {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        headers.append(SET_COOKIE, v);
    }
}

/// A 303 redirect (after a POST, the browser follows with GET).
pub(crate) fn redirigir(destino: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(
            LOCATION,
            HeaderValue::from_str(destino).unwrap_or(HeaderValue::from_static("/")),
        )],
    )
        .into_response()
}

/// What an error page says: what went wrong and what to do.
fn cuerpo_error(mensaje: &str) -> String {
    format!(
        "<h1>No se pudo completar la acción</h1>{}<p><a href=\"/\">Volver al inicio</a></p>",
        aviso("error", &e(mensaje))
    )
}

/// A page that only says what went wrong and what to do, for requests whose visitor could not
/// be told (a broken form, a failed session lookup): with the menu of a visitor without session.
pub(crate) fn pagina_error(status: StatusCode, mensaje: &str) -> Response {
    let cuerpo = cuerpo_error(mensaje);
    let html = pagina(
        "Error",
        Encabezado {
            nombre: None,
            csrf: "",
        },
        &cuerpo,
    );
    (status, Html(html)).into_response()
}

/// The 404 page, with the menu of whoever is looking (a logged-in user keeps Mi Historial,
/// Configuración Perfil, Mis quejas and Salir at hand).
pub(crate) async fn pagina_no_encontrada(parts: &mut Parts, state: &AppState) -> Response {
    let cuerpo = cuerpo_error("No existe esta página. Revise la dirección o vuelva al inicio.");
    match Visitante::from_request_parts(parts, state).await {
        Ok(v) => v.responder(StatusCode::NOT_FOUND, "Página no encontrada", &cuerpo),
        Err(response) => response,
    }
}

async fn inicio(v: Visitante) -> Response {
    if v.usuario.is_some() {
        redirigir("/historial")
    } else {
        redirigir("/entrar")
    }
}
