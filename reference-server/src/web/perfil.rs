//! Configuración Perfil, with the form "Vinculación a sistemas de solicitudes de acceso a la
//! información" exactly as PNT's help page describes it: Estado, Usuario, Contraseña, VINCULAR.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use pnt_model::Jurisdiccion;

use super::plantilla::{a, aviso, csrf, e};
use super::{ConSesion, Formulario, Visitante};
use crate::api::{ejecutar_vinculacion, resumenes};
use crate::dto::VinculacionPeticion;
use crate::error::ApiError;
use crate::state::AppState;
use crate::vinculacion::{EstadoVinculacion, Pendiente, ResultadoVinculacion};

fn form_vinculacion(v: &Visitante, elegido: &str, usuario: &str) -> String {
    let opciones: String = Jurisdiccion::ALL
        .iter()
        .map(|j| {
            format!(
                "<option value=\"{}\"{}>{}</option>",
                a(j.slug()),
                if j.slug() == elegido { " selected" } else { "" },
                e(j.nombre())
            )
        })
        .collect();
    format!(
        "<section aria-labelledby=\"vinc\"><h2 id=\"vinc\">Vinculación a sistemas de solicitudes de acceso a la información</h2>\
         <p>Elija el estado cuyo sistema Infomex tiene sus solicitudes y escriba el usuario y la \
         contraseña que usa en ese Infomex. La contraseña se usa solo para esta vinculación: no se guarda.</p>\
         <form method=\"post\" action=\"/perfil/vinculacion\">{}\
         <label for=\"estado\">Estado</label>\
         <select id=\"estado\" name=\"jurisdiccion\" required><option value=\"\">Seleccione…</option>{opciones}</select>\
         <label for=\"usuario\">Usuario</label>\
         <input id=\"usuario\" name=\"usuario\" autocomplete=\"off\" required value=\"{}\">\
         <label for=\"contrasena\">Contraseña</label>\
         <input id=\"contrasena\" name=\"contrasena\" type=\"password\" autocomplete=\"off\" required>\
         <div><button class=\"primario\" type=\"submit\">VINCULAR</button></div></form></section>",
        csrf(&v.csrf),
        a(usuario)
    )
}

fn lista_pendientes(pendientes: &[Pendiente]) -> String {
    let items: String = pendientes
        .iter()
        .map(|p| {
            format!(
                "<li><strong>{}</strong> — {} <code>{}</code></li>",
                e(p.folio.as_deref().unwrap_or("(folio desconocido)")),
                e(&p.motivo),
                e(&p.codigo)
            )
        })
        .collect();
    format!("<ul>{items}</ul>")
}

fn mensaje_resultado(r: &ResultadoVinculacion) -> String {
    match r.estado {
        EstadoVinculacion::Completa => aviso(
            "exito",
            &format!(
                "<p>{}</p><p>{} solicitudes, {} respuestas y {} archivos adjuntos. \
                 <a href=\"/historial\">Ir a Mi Historial</a></p>",
                e(&r.mensaje),
                r.solicitudes,
                r.respuestas,
                r.adjuntos
            ),
        ),
        EstadoVinculacion::Incompleta => aviso(
            "advertencia",
            &format!(
                "<p>{}</p>{}<p><a href=\"/historial\">Ir a Mi Historial</a></p>",
                e(&r.mensaje),
                lista_pendientes(&r.pendientes)
            ),
        ),
    }
}

async fn cuerpo(
    state: &AppState,
    v: &Visitante,
    usuario_id: i64,
    arriba: &str,
    elegido: &str,
    usuario: &str,
) -> Result<String, ApiError> {
    let (nombre, correo) = v
        .usuario
        .as_ref()
        .map(|(u, _)| (u.nombre.clone(), u.correo.clone()))
        .unwrap_or_default();
    let vinculadas = resumenes(state, usuario_id).await?;
    let tabla = if vinculadas.is_empty() {
        "<p>Todavía no ha vinculado ninguna cuenta de Infomex.</p>".to_owned()
    } else {
        let filas: String = vinculadas
            .iter()
            .map(|r| {
                let nombre_j = Jurisdiccion::parse(&r.jurisdiccion)
                    .map(|j| j.nombre())
                    .unwrap_or("?");
                let estado = match r.estado {
                    Some(EstadoVinculacion::Completa) => "Completa".to_owned(),
                    Some(EstadoVinculacion::Incompleta) => {
                        format!("Incompleta ({} pendientes)", r.pendientes.len())
                    }
                    None => "Sin terminar".to_owned(),
                };
                format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    e(nombre_j),
                    e(&r.usuario_infomex),
                    e(&estado),
                    r.solicitudes,
                    r.adjuntos
                )
            })
            .collect();
        format!(
            "<table><caption class=\"sr\">Cuentas de Infomex vinculadas</caption><thead><tr>\
             <th scope=\"col\">Estado o Federación</th><th scope=\"col\">Usuario de Infomex</th>\
             <th scope=\"col\">Resultado de la última vinculación</th><th scope=\"col\">Solicitudes</th>\
             <th scope=\"col\">Adjuntos</th></tr></thead><tbody>{filas}</tbody></table>"
        )
    };
    Ok(format!(
        "<h1>Configuración Perfil</h1>{arriba}<dl><dt>Nombre</dt><dd>{}</dd><dt>Correo</dt><dd>{}</dd></dl>\
         {}<h2>Cuentas vinculadas</h2>{tabla}",
        e(&nombre),
        e(&correo),
        form_vinculacion(v, elegido, usuario)
    ))
}

pub(super) async fn perfil(
    State(state): State<AppState>,
    ConSesion { v, id }: ConSesion,
) -> Response {
    match cuerpo(&state, &v, id, "", "", "").await {
        Ok(html) => v.responder(StatusCode::OK, "Configuración Perfil", &html),
        Err(err) => v.responder_error("Configuración Perfil", &err),
    }
}

/// VINCULAR: runs the linkage and shows its result above the form.
pub(super) async fn vincular(
    State(state): State<AppState>,
    ConSesion { v, id }: ConSesion,
    f: Formulario,
) -> Response {
    let peticion = VinculacionPeticion {
        jurisdiccion: f.campo("jurisdiccion").to_owned(),
        usuario: f.campo("usuario").to_owned(),
        contrasena: f.campo("contrasena").to_owned(),
    };
    let (elegido, usuario) = (peticion.jurisdiccion.clone(), peticion.usuario.clone());
    let (status, arriba) = match ejecutar_vinculacion(&state, id, peticion).await {
        Ok(r) => (StatusCode::OK, mensaje_resultado(&r)),
        Err(err) => (
            err.status(),
            aviso("error", &format!("<p>{}</p>", e(&err.mensaje()))),
        ),
    };
    match cuerpo(&state, &v, id, &arriba, &elegido, &usuario).await {
        Ok(html) => v.responder(status, "Configuración Perfil", &html),
        Err(err) => v.responder_error("Configuración Perfil", &err),
    }
}
