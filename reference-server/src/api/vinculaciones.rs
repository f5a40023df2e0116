//! `GET /jurisdicciones`, `POST /vinculaciones`, `GET /vinculaciones`.

use axum::Json;
use axum::extract::State;
use pnt_model::Jurisdiccion;

use crate::db;
use crate::dto::{JurisdiccionDto, VinculacionPeticion};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Autenticado, Cuerpo};
use crate::state::AppState;
use crate::vinculacion::{self, EstadoVinculacion, ResultadoVinculacion, ResumenVinculacion};

/// The 33 jurisdictions, ordered by code.
#[utoipa::path(
    get, path = "/api/v1/jurisdicciones", tag = "vinculacion",
    responses((status = 200, description = "The 33", body = [JurisdiccionDto]))
)]
pub(crate) async fn jurisdicciones() -> Json<Vec<JurisdiccionDto>> {
    Json(
        Jurisdiccion::ALL
            .iter()
            .map(|j| JurisdiccionDto {
                slug: j.slug().to_owned(),
                codigo: format!("{:02}", j.code()),
                nombre: j.nombre().to_owned(),
            })
            .collect(),
    )
}

/// Checked linkage input: `(jurisdicción, usuario, contraseña)`.
pub(crate) fn validar(p: VinculacionPeticion) -> Result<(Jurisdiccion, String, String), ApiError> {
    let j = Jurisdiccion::parse(&p.jurisdiccion)
        .map_err(|e| ApiError::JurisdiccionDesconocida(e.to_string()))?;
    let usuario = p.usuario.trim().to_owned();
    if usuario.is_empty() || usuario.chars().count() > 100 || usuario.chars().any(char::is_control)
    {
        return Err(ApiError::DatosInvalidos(
            "El campo «usuario» debe ser el usuario de Infomex, de 1 a 100 caracteres.".to_owned(),
        ));
    }
    if p.contrasena.is_empty() || p.contrasena.chars().count() > 256 {
        return Err(ApiError::DatosInvalidos(
            "El campo «contrasena» debe ser la contraseña de Infomex, de 1 a 256 caracteres."
                .to_owned(),
        ));
    }
    Ok((j, usuario, p.contrasena))
}

/// Runs a linkage to completion even if the client goes away: a half-run linkage would be
/// correct (every solicitud is stored whole) but its summary would not be recorded.
pub(crate) async fn ejecutar(
    state: &AppState,
    usuario_id: i64,
    p: VinculacionPeticion,
) -> Result<ResultadoVinculacion, ApiError> {
    let (j, usuario, contrasena) = validar(p)?;
    let st = state.clone();
    tokio::spawn(
        async move { vinculacion::vincular(&st, usuario_id, j, usuario, contrasena).await },
    )
    .await
    .map_err(|e| ApiError::Interno(format!("tarea de vinculación: {e}")))?
}

/// Link an Infomex account: migrate its solicitudes, answers and attachments into Mi Historial.
#[utoipa::path(
    post, path = "/api/v1/vinculaciones", tag = "vinculacion",
    security(("bearer" = [])),
    request_body = VinculacionPeticion,
    responses(
        (status = 200, description = "Linkage result: `completa`, or `incompleta` with every pending item named", body = ResultadoVinculacion),
        (status = 400, description = "`json_invalido`, `datos_invalidos`, `caracter_de_control`, `jurisdiccion_desconocida`", body = ErrorBody),
        (status = 401, description = "`no_autenticado`", body = ErrorBody),
        (status = 409, description = "`vinculacion_de_otro_usuario`", body = ErrorBody),
        (status = 422, description = "`infomex_credenciales_invalidas`", body = ErrorBody),
        (status = 423, description = "`infomex_cuenta_bloqueada`", body = ErrorBody),
        (status = 429, description = "`demasiados_intentos` (5 refused linkages per user in 15 minutes); see `Retry-After`", body = ErrorBody),
        (status = 502, description = "`infomex_no_responde`, `infomex_respuesta_invalida`", body = ErrorBody),
    )
)]
pub(crate) async fn vincular(
    State(state): State<AppState>,
    auth: Autenticado,
    Cuerpo(p): Cuerpo<VinculacionPeticion>,
) -> Result<Json<ResultadoVinculacion>, ApiError> {
    Ok(Json(ejecutar(&state, auth.sesion.usuario.id, p).await?))
}

pub(crate) async fn resumenes(
    state: &AppState,
    usuario_id: i64,
) -> Result<Vec<ResumenVinculacion>, ApiError> {
    let lista = state
        .db()
        .call(move |c| db::solicitudes::de_usuario(c, usuario_id))
        .await?;
    Ok(lista
        .into_iter()
        .map(|v| ResumenVinculacion {
            jurisdiccion: v.jurisdiccion,
            usuario_infomex: v.usuario_infomex,
            estado: match v.estado.as_deref() {
                Some("completa") => Some(EstadoVinculacion::Completa),
                Some("incompleta") => Some(EstadoVinculacion::Incompleta),
                _ => None,
            },
            solicitudes: v.solicitudes,
            respuestas: v.respuestas,
            adjuntos: v.adjuntos,
            ultima_vinculacion: v.ultima,
            pendientes: serde_json::from_str(&v.pendientes).unwrap_or_default(),
        })
        .collect())
}

/// The user's linked Infomex accounts and how their last linkage ended.
#[utoipa::path(
    get, path = "/api/v1/vinculaciones", tag = "vinculacion",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Linkage summaries", body = [ResumenVinculacion]),
        (status = 401, description = "`no_autenticado`", body = ErrorBody),
    )
)]
pub(crate) async fn listar(
    State(state): State<AppState>,
    auth: Autenticado,
) -> Result<Json<Vec<ResumenVinculacion>>, ApiError> {
    Ok(Json(resumenes(&state, auth.sesion.usuario.id).await?))
}
