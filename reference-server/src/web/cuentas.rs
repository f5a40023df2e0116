//! Log-in, registration and log-out pages.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::plantilla::{a, aviso, csrf, e};
use super::{
    Formulario, Visitante, agregar_cookie, cookie_sesion, cookie_sesion_borrada, redirigir,
};
use crate::cuentas;
use crate::extract::Origen;
use crate::state::AppState;

fn form_entrar(v: &Visitante, correo: &str, mensaje: Option<&str>) -> String {
    format!(
        "<h1>Iniciar sesión</h1>{}\
         <form method=\"post\" action=\"/entrar\">{}\
         <label for=\"correo\">Correo electrónico</label>\
         <input id=\"correo\" name=\"correo\" type=\"email\" autocomplete=\"username\" required value=\"{}\">\
         <label for=\"contrasena\">Contraseña</label>\
         <input id=\"contrasena\" name=\"contrasena\" type=\"password\" autocomplete=\"current-password\" required>\
         <div><button class=\"primario\" type=\"submit\">Entrar</button></div></form>\
         <p>¿No tiene cuenta? <a href=\"/registro\">Regístrese</a>.</p>",
        mensaje.map(|m| aviso("error", &e(m))).unwrap_or_default(),
        csrf(&v.csrf),
        a(correo)
    )
}

pub(super) async fn entrar_form(v: Visitante) -> Response {
    if v.usuario.is_some() {
        return redirigir("/historial");
    }
    v.responder(StatusCode::OK, "Iniciar sesión", &form_entrar(&v, "", None))
}

pub(super) async fn entrar(
    State(state): State<AppState>,
    origen: Origen,
    v: Visitante,
    f: Formulario,
) -> Response {
    let correo = f.campo("correo");
    match cuentas::iniciar_sesion(&state, origen, correo, f.campo("contrasena")).await {
        Ok((token, _, _)) => {
            let mut r = redirigir("/historial");
            let segundos = state.config().duracion_sesion.as_secs();
            agregar_cookie(r.headers_mut(), &cookie_sesion(&token, segundos));
            r
        }
        Err(err) => v.responder(
            err.status(),
            "Iniciar sesión",
            &form_entrar(&v, correo, Some(&err.mensaje())),
        ),
    }
}

fn form_registro(v: &Visitante, correo: &str, nombre: &str, mensaje: Option<&str>) -> String {
    format!(
        "<h1>Registrarse en la PNT</h1>{}\
         <form method=\"post\" action=\"/registro\">{}\
         <label for=\"nombre\">Nombre completo</label>\
         <input id=\"nombre\" name=\"nombre\" autocomplete=\"name\" required value=\"{}\">\
         <label for=\"correo\">Correo electrónico</label>\
         <input id=\"correo\" name=\"correo\" type=\"email\" autocomplete=\"email\" required value=\"{}\">\
         <label for=\"contrasena\">Contraseña (al menos 8 caracteres)</label>\
         <input id=\"contrasena\" name=\"contrasena\" type=\"password\" autocomplete=\"new-password\" minlength=\"8\" required>\
         <div><button class=\"primario\" type=\"submit\">Registrarse</button></div></form>\
         <p>¿Ya tiene cuenta? <a href=\"/entrar\">Inicie sesión</a>.</p>",
        mensaje.map(|m| aviso("error", &e(m))).unwrap_or_default(),
        csrf(&v.csrf),
        a(nombre),
        a(correo)
    )
}

pub(super) async fn registro_form(v: Visitante) -> Response {
    v.responder(
        StatusCode::OK,
        "Registrarse",
        &form_registro(&v, "", "", None),
    )
}

/// Registers and logs straight in.
pub(super) async fn registro(
    State(state): State<AppState>,
    origen: Origen,
    v: Visitante,
    f: Formulario,
) -> Response {
    let (correo, nombre, contrasena) =
        (f.campo("correo"), f.campo("nombre"), f.campo("contrasena"));
    if let Err(err) = cuentas::registrar(&state, origen, correo, contrasena, nombre).await {
        return v.responder(
            err.status(),
            "Registrarse",
            &form_registro(&v, correo, nombre, Some(&err.mensaje())),
        );
    }
    entrar(State(state), origen, v, f).await
}

pub(super) async fn salir(State(state): State<AppState>, v: Visitante, _f: Formulario) -> Response {
    if let Some((_, digest)) = &v.usuario
        && let Err(err) = cuentas::cerrar_sesion(&state, *digest).await
    {
        return v.responder_error("Salir", &err);
    }
    let mut r = redirigir("/entrar");
    agregar_cookie(r.headers_mut(), &cookie_sesion_borrada());
    r
}
