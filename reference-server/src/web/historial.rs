//! Mi Historial, Detalles de la solicitud, attachment downloads and quejas.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use pnt_model::{EstadoSolicitud, Semaforo, TipoSolicitud};

use super::ConSesion;
use super::plantilla::{e, fecha, parrafos, punto, seg};
use crate::api::{descarga, filtros, se_ve_en_el_navegador, vista};
use crate::consultas::{self, Filtros};
use crate::dto::{DetalleDto, FilaDto};
use crate::extract::Segmento;
use crate::state::AppState;

fn etiqueta_semaforo(slug: &str) -> &'static str {
    Semaforo::parse(slug).map_or("", Semaforo::etiqueta)
}

fn etiqueta_tipo(slug: &str) -> &'static str {
    TipoSolicitud::parse(slug).map_or("", TipoSolicitud::etiqueta)
}

fn etiqueta_estado(slug: &str) -> &'static str {
    EstadoSolicitud::parse(slug).map_or("", EstadoSolicitud::etiqueta)
}

/// A Mi Historial link keeping the other filter and the page size.
fn enlace(semaforo: Option<&str>, tipo: Option<&str>, pagina: u32, por_pagina: u32) -> String {
    let mut q: Vec<String> = Vec::new();
    if let Some(s) = semaforo {
        q.push(format!("semaforo={s}"));
    }
    if let Some(t) = tipo {
        q.push(format!("tipo={t}"));
    }
    if pagina > 1 {
        q.push(format!("pagina={pagina}"));
    }
    if por_pagina != consultas::POR_PAGINA {
        q.push(format!("por_pagina={por_pagina}"));
    }
    if q.is_empty() {
        "/historial".to_owned()
    } else {
        format!("/historial?{}", q.join("&amp;"))
    }
}

/// The legend: the semáforo and type dots, each a filter link.
fn leyenda(f: &Filtros) -> String {
    let actual_s = f.semaforo.map(Semaforo::slug);
    let actual_t = f.tipo.map(TipoSolicitud::slug);
    let mut html = String::from("<nav class=\"leyenda\" aria-label=\"Filtros de Mi Historial\">");
    for s in Semaforo::ALL {
        let activo = actual_s == Some(s.slug());
        let destino = if activo { None } else { Some(s.slug()) };
        html.push_str(&format!(
            "<a href=\"{}\"{}>{} {}</a>",
            enlace(destino, actual_t, 1, f.por_pagina),
            if activo { " aria-current=\"true\"" } else { "" },
            format_args!(
                "<span class=\"punto {}\" aria-hidden=\"true\">●</span>",
                s.slug()
            ),
            e(s.etiqueta())
        ));
    }
    for t in TipoSolicitud::ALL {
        let activo = actual_t == Some(t.slug());
        let destino = if activo { None } else { Some(t.slug()) };
        html.push_str(&format!(
            "<a href=\"{}\"{}><span class=\"punto {}\" aria-hidden=\"true\">●</span> {}</a>",
            enlace(actual_s, destino, 1, f.por_pagina),
            if activo { " aria-current=\"true\"" } else { "" },
            t.slug(),
            e(t.etiqueta())
        ));
    }
    if f.semaforo.is_some() || f.tipo.is_some() {
        html.push_str("<a href=\"/historial\">Quitar filtros</a>");
    }
    html.push_str("</nav>");
    html
}

fn fila(r: &FilaDto) -> String {
    let limite = r
        .fecha_limite_entrega
        .map(fecha)
        .unwrap_or_else(|| "Suspendida por prevención".to_owned());
    let queja = match &r.queja_folio {
        // As PNT shows a filed recurso: its folio, leading to the list of the user's quejas.
        Some(folio) => format!(
            "<a href=\"/quejas\" title=\"Queja interpuesta\">{}</a>",
            e(folio)
        ),
        None if r.queja_disponible => format!(
            "<a href=\"/solicitudes/{}/queja\">Interponer queja</a>",
            seg(&r.folio)
        ),
        None => "No disponible".to_owned(),
    };
    format!(
        "<tr><td>{}</td><td>{}</td><td class=\"nw\">{}</td><td>{}</td><td>{}</td><td class=\"nw\">{}</td><td class=\"nw\">{}</td>\
         <td><a href=\"/solicitudes/{}\">{}</a></td><td>{}</td></tr>",
        punto(&r.semaforo, etiqueta_semaforo(&r.semaforo)),
        punto(&r.tipo, etiqueta_tipo(&r.tipo)),
        e(&r.folio),
        e(&r.estado_o_federacion),
        e(&r.institucion),
        fecha(r.fecha_recepcion_oficial),
        e(&limite),
        seg(&r.folio),
        e(&r.descripcion),
        queja
    )
}

/// The page links: "Anterior", the page numbers (the first, the last and two either side of the
/// current one, with "…" between), "Siguiente". At the ends "Anterior" / "Siguiente" stay, greyed
/// and not links, so the bar does not jump. Nothing when everything fits on one page.
fn paginacion(pagina: u32, por_pagina: u32, total: u64, enlace: impl Fn(u32) -> String) -> String {
    let ultima = u32::try_from(total.div_ceil(u64::from(por_pagina.max(1)))).unwrap_or(u32::MAX);
    if ultima <= 1 && pagina <= 1 {
        return String::new();
    }
    let mut html =
        String::from("<nav class=\"paginas\" aria-label=\"Páginas de Mi Historial\"><ul>");
    let mut item = |contenido: String| html.push_str(&format!("<li>{contenido}</li>"));
    item(if pagina > 1 {
        format!(
            "<a href=\"{}\" rel=\"prev\">Anterior</a>",
            enlace(pagina - 1)
        )
    } else {
        "<span aria-disabled=\"true\">Anterior</span>".to_owned()
    });
    let mut anterior = 0;
    for p in 1..=ultima.max(pagina) {
        let cerca = p + 2 >= pagina && p <= pagina + 2;
        if !(p == 1 || p == ultima || cerca) {
            continue;
        }
        if p > anterior + 1 {
            item("<span aria-hidden=\"true\">…</span>".to_owned());
        }
        anterior = p;
        item(if p == pagina {
            format!("<a href=\"{}\" aria-current=\"page\">{p}</a>", enlace(p))
        } else {
            format!(
                "<a href=\"{}\" aria-label=\"Página {p}\">{p}</a>",
                enlace(p)
            )
        });
    }
    item(if pagina < ultima {
        format!(
            "<a href=\"{}\" rel=\"next\">Siguiente</a>",
            enlace(pagina + 1)
        )
    } else {
        "<span aria-disabled=\"true\">Siguiente</span>".to_owned()
    });
    html.push_str("</ul></nav>");
    html
}

pub(super) async fn historial(
    State(state): State<AppState>,
    ConSesion { v, id }: ConSesion,
    RawQuery(q): RawQuery,
) -> Response {
    let resultado = match filtros(q.as_deref()) {
        Ok(f) => consultas::historial(&state, id, f).await.map(|h| (f, h)),
        Err(err) => Err(err),
    };
    let (f, h) = match resultado {
        Ok(x) => x,
        Err(err) => {
            return v.responder_error("Mi Historial", &err);
        }
    };
    let filas: String = h.solicitudes.iter().map(fila).collect();
    let tabla = if h.solicitudes.is_empty() {
        "<p>No hay solicitudes que mostrar. Para traer las de Infomex, vincule su cuenta en \
         <a href=\"/perfil\">Configuración Perfil</a>.</p>"
            .to_owned()
    } else {
        format!(
            "<table><caption class=\"sr\">Mis solicitudes</caption><thead><tr>\
             <th scope=\"col\">Tiempo</th><th scope=\"col\">Tipo</th><th scope=\"col\">Folio</th>\
             <th scope=\"col\">Estado o Federación</th><th scope=\"col\">Institución</th>\
             <th scope=\"col\">Fecha de recepción oficial</th><th scope=\"col\">Fecha límite de entrega</th>\
             <th scope=\"col\">Detalles de la solicitud</th><th scope=\"col\">Interponer queja</th>\
             </tr></thead><tbody>{filas}</tbody></table>"
        )
    };
    let (s, t) = (
        f.semaforo.map(Semaforo::slug),
        f.tipo.map(TipoSolicitud::slug),
    );
    let paginas = paginacion(f.pagina, f.por_pagina, h.total, |p| {
        enlace(s, t, p, f.por_pagina)
    });
    let cuerpo = format!(
        "<h1>Mi Historial</h1><p role=\"status\">{}</p>{}{tabla}{paginas}\
         <p><small>Semáforo al {}.</small></p>",
        e(&h.leyenda),
        leyenda(&f),
        fecha(h.hoy)
    );
    v.responder(StatusCode::OK, "Mi Historial", &cuerpo)
}

fn detalle_html(d: &DetalleDto) -> String {
    let r = &d.fila;
    let prevencion = match &d.prevencion {
        None => "No".to_owned(),
        Some(p) => format!(
            "Notificada el {}; {}",
            fecha(p.notificada),
            p.desahogada.map_or("sin desahogar".to_owned(), |x| format!(
                "desahogada el {}",
                fecha(x)
            ))
        ),
    };
    let respuestas: String = if d.respuestas.is_empty() {
        "<p>Sin respuestas registradas.</p>".to_owned()
    } else {
        d.respuestas
            .iter()
            .map(|resp| {
                let adjuntos: String = resp
                    .adjuntos
                    .iter()
                    .map(|x| {
                        let ver = if se_ve_en_el_navegador(&x.media_type) {
                            format!(
                                " · <a href=\"/adjuntos/{}/ver\" target=\"_blank\" rel=\"noopener\">Ver</a>",
                                x.id
                            )
                        } else {
                            String::new()
                        };
                        format!(
                            "<li><a href=\"/adjuntos/{}\" download>{}</a>{ver} ({}, {} bytes) — SHA-256 <code>{}</code></li>",
                            x.id,
                            e(&x.nombre),
                            e(&x.media_type),
                            x.tamano,
                            e(&x.sha256)
                        )
                    })
                    .collect();
                format!(
                    "<article class=\"respuesta\"><h3>{} — {}</h3><p>{}</p>{}</article>",
                    e(&resp.tipo),
                    fecha(resp.fecha),
                    parrafos(&resp.texto),
                    if adjuntos.is_empty() { String::new() } else { format!("<p>Archivos adjuntos:</p><ul>{adjuntos}</ul>") }
                )
            })
            .collect()
    };
    let quejas: String = d
        .quejas
        .iter()
        .map(|q| {
            format!(
                "<li>Queja {} interpuesta el {}: {}</li>",
                e(&q.folio),
                fecha(q.fecha),
                e(&q.motivo)
            )
        })
        .collect();
    let ventana = match &d.queja {
        None => "Todavía no hay plazo para interponer una queja.".to_owned(),
        Some(w) => format!(
            "Plazo para interponer queja: del {} al {} ({}). {}",
            fecha(w.desde),
            fecha(w.hasta),
            if w.motivo == "respuesta" {
                "contra la respuesta"
            } else {
                "por falta de respuesta"
            },
            if w.disponible {
                "Está abierto hoy."
            } else {
                "Hoy no está abierto."
            }
        ),
    };
    let accion = if r.queja_disponible {
        format!(
            "<p><a href=\"/solicitudes/{}/queja\">Interponer queja</a></p>",
            seg(&r.folio)
        )
    } else {
        String::new()
    };
    format!(
        "<h1>Detalles de la solicitud {}</h1><dl>\
         <dt>Tiempo</dt><dd>{} {}</dd><dt>Tipo</dt><dd>{}</dd><dt>Estado o Federación</dt><dd>{}</dd>\
         <dt>Institución</dt><dd>{}</dd><dt>Estatus</dt><dd>{}</dd>\
         <dt>Fecha de presentación</dt><dd>{}</dd><dt>Fecha de recepción oficial</dt><dd>{}</dd>\
         <dt>Fecha límite de entrega</dt><dd>{}</dd><dt>Prevención</dt><dd>{}</dd><dt>Ampliación</dt><dd>{}</dd>\
         </dl><h2>Solicitud</h2><p>{}</p><h2>Respuestas</h2>{respuestas}\
         <h2>Queja</h2><p>{}</p>{accion}{}<p><a href=\"/historial\">Volver a Mi Historial</a></p>",
        e(&r.folio),
        punto(&r.semaforo, etiqueta_semaforo(&r.semaforo)),
        e(etiqueta_semaforo(&r.semaforo)),
        e(etiqueta_tipo(&r.tipo)),
        e(&r.estado_o_federacion),
        e(&r.institucion),
        e(etiqueta_estado(&r.estado)),
        fecha(d.fecha_presentacion),
        fecha(r.fecha_recepcion_oficial),
        r.fecha_limite_entrega
            .map(fecha)
            .unwrap_or_else(|| "Suspendida por prevención".to_owned()),
        e(&prevencion),
        if d.ampliacion { "Sí" } else { "No" },
        parrafos(&r.descripcion),
        e(&ventana),
        if quejas.is_empty() {
            String::new()
        } else {
            format!("<ul>{quejas}</ul>")
        }
    )
}

pub(super) async fn detalle(
    State(state): State<AppState>,
    ConSesion { v, id }: ConSesion,
    Segmento(folio): Segmento,
) -> Response {
    match consultas::detalle(&state, id, folio).await {
        Ok(d) => v.responder(
            StatusCode::OK,
            "Detalles de la solicitud",
            &detalle_html(&d),
        ),
        Err(err) => v.responder_error("Detalles de la solicitud", &err),
    }
}

/// An attachment shown by the browser itself (PDF viewer, image), not downloaded.
pub(super) async fn ver_adjunto(
    State(state): State<AppState>,
    ConSesion { v, id: usuario }: ConSesion,
    Segmento(id): Segmento,
) -> Response {
    match consultas::adjunto(&state, usuario, &id).await {
        Ok((meta, bytes)) => vista(&meta, bytes),
        Err(err) => v.responder_error("Archivo adjunto", &err),
    }
}

pub(super) async fn adjunto(
    State(state): State<AppState>,
    ConSesion { v, id: usuario }: ConSesion,
    Segmento(id): Segmento,
) -> Response {
    match consultas::adjunto(&state, usuario, &id).await {
        Ok((meta, bytes)) => descarga(&meta, bytes),
        Err(err) => v.responder_error("Archivo adjunto", &err),
    }
}
