//! `POST /usuarios`, `POST /sesiones`, `DELETE /sesiones`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::cuentas;
use crate::dto::{RegistroPeticion, SesionCreada, SesionPeticion, UsuarioCreado};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Autenticado, Cuerpo, Origen};
use crate::state::AppState;

/// Register a PNT user.
#[utoipa::path(
    post, path = "/api/v1/usuarios", tag = "cuentas",
    request_body = RegistroPeticion,
    responses(
        (status = 201, description = "Registered", body = UsuarioCreado),
        (status = 400, description = "`json_invalido`, `datos_invalidos`, `caracter_de_control`", body = ErrorBody),
        (status = 409, description = "`correo_ya_registrado`", body = ErrorBody),
        (status = 429, description = "`demasiados_intentos`: 10 registrations refused as `correo_ya_registrado` from one address in 15 minutes; see `Retry-After`", body = ErrorBody),
    )
)]
pub(crate) async fn registrar(
    State(state): State<AppState>,
    origen: Origen,
    Cuerpo(p): Cuerpo<RegistroPeticion>,
) -> Result<(StatusCode, Json<UsuarioCreado>), ApiError> {
    let u = cuentas::registrar(&state, origen, &p.correo, &p.contrasena, &p.nombre).await?;
    Ok((
        StatusCode::CREATED,
        Json(UsuarioCreado {
            correo: u.correo,
            nombre: u.nombre,
        }),
    ))
}

/// Log in: a bearer token for the API.
#[utoipa::path(
    post, path = "/api/v1/sesiones", tag = "cuentas",
    request_body = SesionPeticion,
    responses(
        (status = 201, description = "Logged in", body = SesionCreada),
        (status = 400, description = "`json_invalido`, `datos_invalidos`, `caracter_de_control`", body = ErrorBody),
        (status = 401, description = "`credenciales_invalidas`", body = ErrorBody),
        (status = 429, description = "`demasiados_intentos`: after 5 failures for a correo from one address, a delay of 1 minute doubling per failure up to 15; or 100 failures for the correo from every address in 15 minutes; see `Retry-After`", body = ErrorBody),
    )
)]
pub(crate) async fn iniciar_sesion(
    State(state): State<AppState>,
    origen: Origen,
    Cuerpo(p): Cuerpo<SesionPeticion>,
) -> Result<(StatusCode, Json<SesionCreada>), ApiError> {
    let (token, expira, _) =
        cuentas::iniciar_sesion(&state, origen, &p.correo, &p.contrasena).await?;
    Ok((
        StatusCode::CREATED,
        Json(SesionCreada {
            token,
            expira: expira.to_string(),
        }),
    ))
}

/// Log out the bearer token.
#[utoipa::path(
    delete, path = "/api/v1/sesiones", tag = "cuentas",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, description = "`no_autenticado`", body = ErrorBody),
    )
)]
pub(crate) async fn cerrar_sesion(
    State(state): State<AppState>,
    auth: Autenticado,
) -> Result<StatusCode, ApiError> {
    cuentas::cerrar_sesion(&state, auth.token_sha256).await?;
    Ok(StatusCode::NO_CONTENT)
}
