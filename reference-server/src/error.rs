//! The one error type of the HTTP layer and its one JSON shape.
//!
//! Every failure a user can meet has a stable `codigo` and a Spanish `mensaje` that says what
//! happened and what to do (docs/pnt-api.md, "Error codes"). Internal details are logged, never
//! sent.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pnt_model::Jurisdiccion;
use serde::Serialize;
use utoipa::ToSchema;

use crate::infomex::nombre_infomex;

/// `{"error": {"codigo", "mensaje"}}`.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ErrorBody {
    pub(crate) error: ErrorDetalle,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ErrorDetalle {
    /// Stable machine-readable code.
    pub(crate) codigo: String,
    /// What happened and what to do, in Spanish.
    pub(crate) mensaje: String,
}

/// Every failure the API reports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ApiError {
    #[error("json_invalido: {0}")]
    JsonInvalido(String),
    #[error("datos_invalidos: {0}")]
    DatosInvalidos(String),
    /// A text field holds a control character or a byte-order mark: `campo` is the field's name,
    /// `caracter` the first offending character.
    #[error("caracter_de_control: {campo} U+{:04X}", *caracter as u32)]
    CaracterDeControl { campo: String, caracter: char },
    #[error("ruta_desconocida")]
    RutaDesconocida,
    #[error("metodo_no_permitido")]
    MetodoNoPermitido,
    #[error("cuerpo_demasiado_grande")]
    CuerpoDemasiadoGrande,
    /// The body stalled longer than the HTTP layer's `espera_cuerpo`.
    #[error("cuerpo_lento")]
    CuerpoLento,
    /// The request target is longer than the HTTP layer's `max_uri`.
    #[error("uri_demasiado_larga")]
    UriDemasiadoLarga,
    /// The request head is larger than the HTTP layer's `max_cabeceras` (hyper's `431`).
    #[error("cabeceras_demasiado_grandes")]
    CabecerasDemasiadoGrandes,
    /// Not HTTP/1.1 hyper could parse: a bad request line, header or version (hyper's `400`).
    #[error("peticion_malformada")]
    PeticionMalformada,
    /// The connection cap is reached.
    #[error("demasiadas_conexiones")]
    DemasiadasConexiones,
    /// A `/__test` hook from a peer the guard refuses.
    #[error("ganchos_restringidos")]
    GanchosRestringidos,
    #[error("no_autenticado")]
    NoAutenticado,
    #[error("credenciales_invalidas")]
    CredencialesInvalidas,
    #[error("correo_ya_registrado")]
    CorreoYaRegistrado,
    /// Too many failed attempts; retry after this many seconds.
    #[error("demasiados_intentos ({que}, {segundos} s)")]
    DemasiadosIntentos { que: Intento, segundos: u64 },
    #[error("jurisdiccion_desconocida: {0}")]
    JurisdiccionDesconocida(String),
    #[error("infomex_credenciales_invalidas")]
    InfomexCredencialesInvalidas(Jurisdiccion),
    #[error("infomex_cuenta_bloqueada")]
    InfomexCuentaBloqueada(Jurisdiccion),
    #[error("infomex_no_responde")]
    InfomexNoResponde(Jurisdiccion),
    #[error("infomex_respuesta_invalida")]
    InfomexRespuestaInvalida(Jurisdiccion),
    #[error("vinculacion_de_otro_usuario")]
    VinculacionDeOtroUsuario(Jurisdiccion),
    #[error("solicitud_no_encontrada")]
    SolicitudNoEncontrada,
    #[error("adjunto_no_encontrado")]
    AdjuntoNoEncontrado,
    #[error("queja_fuera_de_plazo: {0}")]
    QuejaFueraDePlazo(String),
    #[error("queja_duplicada: {0}")]
    QuejaDuplicada(String),
    /// A bug or an unusable database; the detail is logged, not sent.
    #[error("error_interno: {0}")]
    Interno(String),
}

/// What was attempted too often.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Intento {
    Login,
    Vinculacion,
    Registro,
}

impl std::fmt::Display for Intento {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Intento::Login => "inicio de sesión",
            Intento::Vinculacion => "vinculación",
            Intento::Registro => "registro con un correo ya registrado",
        })
    }
}

impl ApiError {
    pub(crate) fn status(&self) -> StatusCode {
        use ApiError::*;
        match self {
            JsonInvalido(_)
            | DatosInvalidos(_)
            | CaracterDeControl { .. }
            | JurisdiccionDesconocida(_) => StatusCode::BAD_REQUEST,
            RutaDesconocida | SolicitudNoEncontrada | AdjuntoNoEncontrado => StatusCode::NOT_FOUND,
            MetodoNoPermitido => StatusCode::METHOD_NOT_ALLOWED,
            CuerpoDemasiadoGrande => StatusCode::PAYLOAD_TOO_LARGE,
            CuerpoLento => StatusCode::REQUEST_TIMEOUT,
            UriDemasiadoLarga => StatusCode::URI_TOO_LONG,
            CabecerasDemasiadoGrandes => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            PeticionMalformada => StatusCode::BAD_REQUEST,
            DemasiadasConexiones => StatusCode::SERVICE_UNAVAILABLE,
            GanchosRestringidos => StatusCode::FORBIDDEN,
            NoAutenticado | CredencialesInvalidas => StatusCode::UNAUTHORIZED,
            CorreoYaRegistrado
            | VinculacionDeOtroUsuario(_)
            | QuejaFueraDePlazo(_)
            | QuejaDuplicada(_) => StatusCode::CONFLICT,
            DemasiadosIntentos { .. } => StatusCode::TOO_MANY_REQUESTS,
            InfomexCredencialesInvalidas(_) => StatusCode::UNPROCESSABLE_ENTITY,
            InfomexCuentaBloqueada(_) => StatusCode::LOCKED,
            InfomexNoResponde(_) | InfomexRespuestaInvalida(_) => StatusCode::BAD_GATEWAY,
            Interno(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub(crate) fn codigo(&self) -> &'static str {
        use ApiError::*;
        match self {
            JsonInvalido(_) => "json_invalido",
            DatosInvalidos(_) => "datos_invalidos",
            CaracterDeControl { .. } => "caracter_de_control",
            RutaDesconocida => "ruta_desconocida",
            MetodoNoPermitido => "metodo_no_permitido",
            CuerpoDemasiadoGrande => "cuerpo_demasiado_grande",
            CuerpoLento => "cuerpo_lento",
            UriDemasiadoLarga => "uri_demasiado_larga",
            CabecerasDemasiadoGrandes => "cabeceras_demasiado_grandes",
            PeticionMalformada => "peticion_malformada",
            DemasiadasConexiones => "demasiadas_conexiones",
            GanchosRestringidos => "ganchos_restringidos",
            NoAutenticado => "no_autenticado",
            CredencialesInvalidas => "credenciales_invalidas",
            CorreoYaRegistrado => "correo_ya_registrado",
            DemasiadosIntentos { .. } => "demasiados_intentos",
            JurisdiccionDesconocida(_) => "jurisdiccion_desconocida",
            InfomexCredencialesInvalidas(_) => "infomex_credenciales_invalidas",
            InfomexCuentaBloqueada(_) => "infomex_cuenta_bloqueada",
            InfomexNoResponde(_) => "infomex_no_responde",
            InfomexRespuestaInvalida(_) => "infomex_respuesta_invalida",
            VinculacionDeOtroUsuario(_) => "vinculacion_de_otro_usuario",
            SolicitudNoEncontrada => "solicitud_no_encontrada",
            AdjuntoNoEncontrado => "adjunto_no_encontrado",
            QuejaFueraDePlazo(_) => "queja_fuera_de_plazo",
            QuejaDuplicada(_) => "queja_duplicada",
            Interno(_) => "error_interno",
        }
    }

    /// The Spanish message: what happened and what to do.
    pub(crate) fn mensaje(&self) -> String {
        use ApiError::*;
        match self {
            JsonInvalido(detalle) => format!(
                "El cuerpo de la petición no es JSON válido con la forma esperada ({detalle}). \
                 Corríjalo y envíelo de nuevo."
            ),
            DatosInvalidos(detalle) => format!("{detalle} Corríjalo e intente de nuevo."),
            CaracterDeControl { campo, caracter } => format!(
                "El campo «{campo}» contiene un carácter de control o invisible (U+{:04X}) que no \
                 se admite. Escríbalo de nuevo sin copiarlo de otro documento y envíelo otra vez.",
                *caracter as u32
            ),
            RutaDesconocida => "No existe esa ruta en la API de la PNT. Revise la dirección; \
                 la API está documentada en /api/v1/openapi.json."
                .to_owned(),
            MetodoNoPermitido => "Esa ruta existe pero no admite este método HTTP. Revise la \
                 documentación en /api/v1/openapi.json."
                .to_owned(),
            CuerpoDemasiadoGrande => "El cuerpo de la petición excede el máximo de 64 KiB. \
                 Envíe un cuerpo más pequeño."
                .to_owned(),
            CuerpoLento => "El cuerpo de la petición dejó de llegar antes de completarse y se \
                 cerró la conexión. Revise su conexión y envíe la petición de nuevo."
                .to_owned(),
            UriDemasiadoLarga => "La dirección de la petición (ruta y parámetros) es demasiado \
                 larga. Acórtela; los filtros de Mi Historial caben en pocos parámetros."
                .to_owned(),
            CabecerasDemasiadoGrandes => "Las cabeceras de la petición son demasiado grandes. \
                 Envíela con menos cabeceras o cookies más cortas."
                .to_owned(),
            PeticionMalformada => "La petición no es HTTP/1.1 válido (línea de petición, \
                 cabecera o versión ilegible). Revise el cliente que la envía."
                .to_owned(),
            DemasiadasConexiones => "El servidor atiende el máximo de conexiones en este \
                 momento. Intente de nuevo en unos segundos."
                .to_owned(),
            GanchosRestringidos => "Los ganchos de prueba solo responden a la misma máquina o a \
                 quien envíe el token configurado en la cabecera X-Pnt-Test-Token. Use \
                 --test-hooks-token en el servidor y en el ejecutor."
                .to_owned(),
            NoAutenticado => "No ha iniciado sesión o su sesión expiró. Inicie sesión de nuevo \
                 para continuar."
                .to_owned(),
            CredencialesInvalidas => "El correo o la contraseña de la PNT no son correctos. \
                 Verifíquelos e intente de nuevo."
                .to_owned(),
            CorreoYaRegistrado => "Ya existe una cuenta de la PNT con ese correo. Inicie sesión \
                 con ella o registre otro correo."
                .to_owned(),
            DemasiadosIntentos { que, segundos } => format!(
                "Hubo demasiados intentos fallidos de {que}. Por su seguridad, espere {} antes \
                 de intentarlo de nuevo.",
                minutos(*segundos)
            ),
            JurisdiccionDesconocida(detalle) => format!(
                "El estado indicado no corresponde a ningún sistema Infomex ({detalle}). Elija \
                 uno de los 32 estados o la Federación."
            ),
            InfomexCredencialesInvalidas(j) => format!(
                "El usuario o la contraseña de {} no son correctos. Verifíquelos en Infomex e \
                 intente de nuevo.",
                nombre_infomex(*j)
            ),
            InfomexCuentaBloqueada(j) => format!(
                "La cuenta de {} está bloqueada, por lo que no se pudo vincular. Desbloquéela \
                 con el organismo garante de ese sistema y vuelva a vincularla.",
                nombre_infomex(*j)
            ),
            InfomexNoResponde(j) => format!(
                "El sistema {} no responde en este momento. No se migró nada nuevo; intente la \
                 vinculación más tarde.",
                nombre_infomex(*j)
            ),
            InfomexRespuestaInvalida(j) => format!(
                "El sistema {} respondió con datos ilegibles incluso tras varios reintentos. \
                 No se migró nada nuevo; intente la vinculación más tarde.",
                nombre_infomex(*j)
            ),
            VinculacionDeOtroUsuario(j) => format!(
                "Esa cuenta de {} ya está vinculada a otro usuario de la PNT. Cada cuenta de \
                 Infomex se vincula a un solo usuario: inicie sesión con ese usuario para ver \
                 sus solicitudes.",
                nombre_infomex(*j)
            ),
            SolicitudNoEncontrada => "No tiene ninguna solicitud con ese folio. Revise el folio \
                 en Mi Historial."
                .to_owned(),
            AdjuntoNoEncontrado => "No tiene ningún archivo adjunto con ese identificador. Abra \
                 los detalles de la solicitud para ver sus adjuntos."
                .to_owned(),
            QuejaFueraDePlazo(detalle) | QuejaDuplicada(detalle) => detalle.clone(),
            Interno(_) => "Ocurrió un error interno en el servidor de la PNT y no se guardó \
                 ningún cambio. Intente de nuevo en unos minutos."
                .to_owned(),
        }
    }

    pub(crate) fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetalle {
                codigo: self.codigo().to_owned(),
                mensaje: self.mensaje(),
            },
        }
    }
}

fn minutos(segundos: u64) -> String {
    match segundos.div_ceil(60) {
        0 | 1 => "un minuto".to_owned(),
        n => format!("{n} minutos"),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Interno(detalle) = &self {
            tracing::error!(%detalle, "error interno");
        }
        let mut response = (self.status(), Json(self.body())).into_response();
        if let ApiError::DemasiadosIntentos { segundos, .. } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(segundos.max(1)));
        }
        response
    }
}

impl From<crate::db::DbError> for ApiError {
    fn from(e: crate::db::DbError) -> Self {
        ApiError::Interno(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_message_sends_the_user_to_the_administrator() {
        let j = Jurisdiccion::Jalisco;
        let all = [
            ApiError::JsonInvalido("x".into()),
            ApiError::DatosInvalidos("El campo «correo» falta.".into()),
            ApiError::RutaDesconocida,
            ApiError::MetodoNoPermitido,
            ApiError::CuerpoDemasiadoGrande,
            ApiError::CuerpoLento,
            ApiError::UriDemasiadoLarga,
            ApiError::CabecerasDemasiadoGrandes,
            ApiError::PeticionMalformada,
            ApiError::DemasiadasConexiones,
            ApiError::GanchosRestringidos,
            ApiError::NoAutenticado,
            ApiError::CredencialesInvalidas,
            ApiError::CorreoYaRegistrado,
            ApiError::DemasiadosIntentos {
                que: Intento::Login,
                segundos: 900,
            },
            ApiError::JurisdiccionDesconocida("x".into()),
            ApiError::InfomexCredencialesInvalidas(j),
            ApiError::InfomexCuentaBloqueada(j),
            ApiError::InfomexNoResponde(j),
            ApiError::InfomexRespuestaInvalida(j),
            ApiError::VinculacionDeOtroUsuario(j),
            ApiError::SolicitudNoEncontrada,
            ApiError::AdjuntoNoEncontrado,
            ApiError::Interno("disk".into()),
        ];
        for e in all {
            let m = e.mensaje();
            assert!(!m.to_lowercase().contains("administrador"), "{m}");
            assert!(!m.contains("disk"), "internal detail leaked: {m}");
            assert!(m.ends_with('.'), "{m}");
        }
    }

    #[test]
    fn jalisco_wrong_password_message_is_the_documented_one() {
        assert_eq!(
            ApiError::InfomexCredencialesInvalidas(Jurisdiccion::Jalisco).mensaje(),
            "El usuario o la contraseña de Infomex Jalisco no son correctos. Verifíquelos en \
             Infomex e intente de nuevo."
        );
    }

    #[test]
    fn retry_after_is_rounded_up_to_minutes() {
        assert_eq!(minutos(59), "un minuto");
        assert_eq!(minutos(61), "2 minutos");
    }
}
