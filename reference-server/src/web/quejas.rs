//! Interponer queja and Mis quejas.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::plantilla::{aviso, csrf, e, fecha, seg};
use super::{ConSesion, Formulario, Visitante, redirigir};
use crate::consultas;
use crate::extract::Segmento;
use crate::state::AppState;

fn form_queja(v: &Visitante, folio: &str, mensaje: Option<&str>) -> String {
    format!(
        "<h1>Interponer queja</h1><p>Solicitud {}</p>{}\
         <form method=\"post\" action=\"/solicitudes/{}/queja\">{}\
         <label for=\"motivo\">Motivo de la queja</label>\
         <textarea id=\"motivo\" name=\"motivo\" rows=\"6\" cols=\"60\" required maxlength=\"4000\"></textarea>\
         <div><button class=\"primario\" type=\"submit\">Interponer queja</button></div></form>",
        e(folio),
        mensaje.map(|m| aviso("error", &e(m))).unwrap_or_default(),
        seg(folio),
        csrf(&v.csrf)
    )
}

pub(super) async fn queja_form(
    State(state): State<AppState>,
    ConSesion { v, id }: ConSesion,
    Segmento(folio): Segmento,
) -> Response {
    match consultas::detalle(&state, id, folio.clone()).await {
        Ok(_) => v.responder(
            StatusCode::OK,
            "Interponer queja",
            &form_queja(&v, &folio, None),
        ),
        Err(err) => v.responder_error("Interponer queja", &err),
    }
}

pub(super) async fn queja(
    State(state): State<AppState>,
    ConSesion { v, id }: ConSesion,
    Segmento(folio): Segmento,
    f: Formulario,
) -> Response {
    match consultas::interponer_queja(&state, id, folio.clone(), f.campo("motivo")).await {
        Ok(_) => redirigir("/quejas?registrada=1"),
        Err(err) => v.responder(
            err.status(),
            "Interponer queja",
            &form_queja(&v, &folio, Some(&err.mensaje())),
        ),
    }
}

pub(super) async fn quejas(
    State(state): State<AppState>,
    ConSesion { v, id }: ConSesion,
    RawQuery(q): RawQuery,
) -> Response {
    let lista = match consultas::quejas(&state, id).await {
        Ok(l) => l,
        Err(err) => {
            return v.responder_error("Mis quejas", &err);
        }
    };
    let cuerpo = if lista.is_empty() {
        "<h1>Mis quejas</h1><p>No ha interpuesto ninguna queja.</p>".to_owned()
    } else {
        let filas: String = lista
            .iter()
            .map(|q| {
                format!(
                    "<tr><td>{}</td><td><a href=\"/solicitudes/{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
                    e(&q.folio),
                    seg(&q.folio_solicitud),
                    e(&q.folio_solicitud),
                    fecha(q.fecha),
                    e(&q.motivo)
                )
            })
            .collect();
        format!(
            "<h1>Mis quejas</h1>{}<table><thead><tr><th scope=\"col\">Folio de la queja</th>\
             <th scope=\"col\">Solicitud</th><th scope=\"col\">Fecha</th><th scope=\"col\">Motivo</th>\
             </tr></thead><tbody>{filas}</tbody></table>",
            if q.as_deref() == Some("registrada=1") {
                aviso(
                    "exito",
                    "Su queja quedó registrada; su folio es el primero de la lista.",
                )
            } else {
                String::new()
            }
        )
    };
    v.responder(StatusCode::OK, "Mis quejas", &cuerpo)
}
