//! Mi Historial, Detalles, attachments and quejas.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use crate::consultas::{self, Filtros};
use crate::db::AdjuntoGuardado;
use crate::dto::{DetalleDto, HistorialConsulta, HistorialDto, QuejaDto, QuejaPeticion};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Autenticado, Cuerpo, Segmento};
use crate::state::AppState;

/// Parses a query string into Mi Historial's filters.
pub(crate) fn filtros(query: Option<&str>) -> Result<Filtros, ApiError> {
    let query = query.unwrap_or_default();
    // Read as pairs first, so a repeated or unreadable parameter gets a Spanish message that
    // names it instead of serde's English ("duplicate field `pagina`").
    let pares: Vec<(String, String)> = serde_urlencoded::from_str(query).map_err(|_| {
        ApiError::DatosInvalidos(
            "La consulta no se pudo leer: use parámetros de la forma nombre=valor separados \
             por &, codificados como URL."
                .to_owned(),
        )
    })?;
    // Unknown parameters are ignored, as before; only Mi Historial's own must appear once.
    const PARAMETROS: [&str; 4] = ["semaforo", "tipo", "pagina", "por_pagina"];
    let mut vistos = std::collections::HashSet::new();
    if let Some((nombre, _)) = pares
        .iter()
        .find(|(k, _)| PARAMETROS.contains(&k.as_str()) && !vistos.insert(k.as_str()))
    {
        return Err(ApiError::DatosInvalidos(format!(
            "El parámetro «{nombre}» aparece más de una vez en la consulta; envíelo una sola vez."
        )));
    }
    let consulta: HistorialConsulta = serde_urlencoded::from_str(query)
        .map_err(|_| ApiError::DatosInvalidos("La consulta no se pudo leer.".to_owned()))?;
    Filtros::parse(&consulta)
}

/// Mi Historial: the user's solicitudes, newest first, filtered by semáforo and type.
#[utoipa::path(
    get, path = "/api/v1/historial", tag = "historial",
    security(("bearer" = [])),
    params(HistorialConsulta),
    responses(
        (status = 200, description = "One page", body = HistorialDto),
        (status = 400, description = "`datos_invalidos`", body = ErrorBody),
        (status = 401, description = "`no_autenticado`", body = ErrorBody),
    )
)]
pub(crate) async fn historial(
    State(state): State<AppState>,
    auth: Autenticado,
    RawQuery(query): RawQuery,
) -> Result<Json<HistorialDto>, ApiError> {
    let f = filtros(query.as_deref())?;
    Ok(Json(
        consultas::historial(&state, auth.sesion.usuario.id, f).await?,
    ))
}

/// Detalles de la solicitud: the row plus the request, every answer and attachment, the queja
/// window and the quejas filed.
#[utoipa::path(
    get, path = "/api/v1/solicitudes/{folio}", tag = "historial",
    security(("bearer" = [])),
    params(("folio" = String, Path, description = "The folio, percent-encoded as one segment")),
    responses(
        (status = 200, description = "Detail", body = DetalleDto),
        (status = 401, description = "`no_autenticado`", body = ErrorBody),
        (status = 404, description = "`solicitud_no_encontrada` (absent or another user's)", body = ErrorBody),
    )
)]
pub(crate) async fn detalle(
    State(state): State<AppState>,
    auth: Autenticado,
    Segmento(folio): Segmento,
) -> Result<Json<DetalleDto>, ApiError> {
    Ok(Json(
        consultas::detalle(&state, auth.sesion.usuario.id, folio).await?,
    ))
}

/// An attachment's bytes, exactly as Infomex held them.
#[utoipa::path(
    get, path = "/api/v1/adjuntos/{id}", tag = "historial",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The attachment id from the detail")),
    responses(
        (status = 200, description = "The bytes, with the media type Infomex declared for the file as `Content-Type` (`application/pdf`, `image/jpeg`, `text/csv`, … any type), `X-Sha256` its digest and `Content-Disposition: attachment` its name", content_type = "*/*",
            headers(
                ("X-Sha256" = String, description = "SHA-256 of the bytes, 64 lowercase hex digits"),
                ("Content-Disposition" = String, description = "`attachment` with the file's name"),
            )),
        (status = 401, description = "`no_autenticado`", body = ErrorBody),
        (status = 404, description = "`adjunto_no_encontrado` (absent or another user's)", body = ErrorBody),
    )
)]
pub(crate) async fn adjunto(
    State(state): State<AppState>,
    auth: Autenticado,
    Segmento(id): Segmento,
) -> Result<Response, ApiError> {
    let (meta, bytes) = consultas::adjunto(&state, auth.sesion.usuario.id, &id).await?;
    Ok(descarga(&meta, bytes))
}

/// The download response of an attachment (shared with the HTML pages).
pub(crate) fn descarga(meta: &AdjuntoGuardado, bytes: Vec<u8>) -> Response {
    adjunto_respuesta(meta, bytes, "attachment")
}

/// The media types a browser shows itself (its PDF viewer, an image) and that run no script in
/// this site's origin: only these are ever served `inline`.
const SE_VEN_EN_EL_NAVEGADOR: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];

/// An attachment for the browser to show (the "Ver" link of Detalles): `inline` when it is a PDF
/// or an image, a download otherwise.
pub(crate) fn vista(meta: &AdjuntoGuardado, bytes: Vec<u8>) -> Response {
    let disposicion = if SE_VEN_EN_EL_NAVEGADOR.contains(&meta.media_type.as_str()) {
        "inline"
    } else {
        "attachment"
    };
    adjunto_respuesta(meta, bytes, disposicion)
}

/// Whether Detalles offers to show this media type in the browser.
pub(crate) fn se_ve_en_el_navegador(media_type: &str) -> bool {
    SE_VEN_EN_EL_NAVEGADOR.contains(&media_type)
}

fn adjunto_respuesta(meta: &AdjuntoGuardado, bytes: Vec<u8>, disposicion: &str) -> Response {
    let mut headers = HeaderMap::new();
    // The type Infomex declared is the one the browser uses: never a guess from the bytes, so
    // a "PDF" holding HTML cannot become a page of this site.
    headers.insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_str(&meta.media_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        HeaderName::from_static("x-sha256"),
        HeaderValue::from_str(&meta.sha256.to_string()).expect("hex is a valid header"),
    );
    let ascii: String = meta
        .nombre
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "{disposicion}; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8_percent_encode(&meta.nombre, NON_ALPHANUMERIC)
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(CONTENT_DISPOSITION, v);
    }
    // Only PDFs and images are ever shown inline; everything else — HTML, SVG, XML, script, and
    // types no one listed — is a download, and should a browser render it anyway, the sandbox
    // gives it no origin and no script.
    if disposicion != "inline" {
        headers.insert(
            axum::http::header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(crate::seguridad::CSP_ADJUNTO),
        );
    }
    (StatusCode::OK, headers, bytes).into_response()
}

/// Interponer queja: file a recurso de revisión while its window is open.
#[utoipa::path(
    post, path = "/api/v1/solicitudes/{folio}/quejas", tag = "quejas",
    security(("bearer" = [])),
    params(("folio" = String, Path, description = "The folio, percent-encoded as one segment")),
    request_body = QuejaPeticion,
    responses(
        (status = 201, description = "Filed", body = QuejaDto),
        (status = 400, description = "`json_invalido`, `datos_invalidos`, `caracter_de_control`", body = ErrorBody),
        (status = 401, description = "`no_autenticado`", body = ErrorBody),
        (status = 404, description = "`solicitud_no_encontrada`", body = ErrorBody),
        (status = 409, description = "`queja_fuera_de_plazo`, `queja_duplicada`", body = ErrorBody),
    )
)]
pub(crate) async fn interponer_queja(
    State(state): State<AppState>,
    auth: Autenticado,
    Segmento(folio): Segmento,
    Cuerpo(p): Cuerpo<QuejaPeticion>,
) -> Result<(StatusCode, Json<QuejaDto>), ApiError> {
    let q = consultas::interponer_queja(&state, auth.sesion.usuario.id, folio, &p.motivo).await?;
    Ok((StatusCode::CREATED, Json(q)))
}

/// The quejas the user filed, newest first.
#[utoipa::path(
    get, path = "/api/v1/quejas", tag = "quejas",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Quejas", body = [QuejaDto]),
        (status = 401, description = "`no_autenticado`", body = ErrorBody),
    )
)]
pub(crate) async fn quejas(
    State(state): State<AppState>,
    auth: Autenticado,
) -> Result<Json<Vec<QuejaDto>>, ApiError> {
    Ok(Json(
        consultas::quejas(&state, auth.sesion.usuario.id).await?,
    ))
}
