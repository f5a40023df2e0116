//! The JSON shapes of the API (docs/pnt-api.md), documented for OpenAPI.
//!
//! Request bodies are read field by field (`DesdeJson`) rather than by serde's derive, so every
//! missing or mistyped field gets a Spanish message that names it.

use std::collections::BTreeMap;

use jiff::civil::Date;
use pnt_model::{Calendario, Jurisdiccion, ReglasAplicadas, Terminos, TipoSolicitud};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

/// A request body that can be read from a JSON object.
pub(crate) trait DesdeJson: Sized {
    fn desde(obj: &Map<String, Value>) -> Result<Self, ApiError>;
}

/// The text fields in which a line break or tab is text: a queja's motivo is written in a
/// multi-line box. Everywhere else (correo, nombre, contraseñas, Infomex usuario, jurisdicción)
/// a text is one line.
const MULTILINEA: [&str; 1] = ["motivo"];

/// Refuses a control character (C0 including NUL, DEL, C1) or a byte-order mark in the text
/// field `nombre`, except tab, CR and LF in multi-line fields. Such characters are never typed on
/// purpose, and a NUL or BOM in a correo makes two accounts look alike
/// (docs/reference-server.md, "Security").
pub(crate) fn sin_caracteres_de_control(nombre: &str, valor: &str) -> Result<(), ApiError> {
    let multilinea = MULTILINEA.contains(&nombre);
    match valor.chars().find(|&c| {
        c == '\u{FEFF}' || (c.is_control() && !(multilinea && matches!(c, '\t' | '\n' | '\r')))
    }) {
        Some(caracter) => Err(ApiError::CaracterDeControl {
            campo: nombre.to_owned(),
            caracter,
        }),
        None => Ok(()),
    }
}

/// The string field `nombre`, required, without control characters.
pub(crate) fn texto(obj: &Map<String, Value>, nombre: &str) -> Result<String, ApiError> {
    match obj.get(nombre) {
        Some(Value::String(s)) => {
            sin_caracteres_de_control(nombre, s)?;
            Ok(s.clone())
        }
        None | Some(Value::Null) => Err(ApiError::DatosInvalidos(format!(
            "Falta el campo «{nombre}»."
        ))),
        Some(_) => Err(ApiError::DatosInvalidos(format!(
            "El campo «{nombre}» debe ser texto."
        ))),
    }
}

// The OpenAPI states each text field's pattern, so that a schema-valid request is one the server
// accepts (schemathesis checks it in CI): a one-line text has no control character (C0, DEL, C1)
// and no byte-order mark (`sin_caracteres_de_control`), a multi-line one may hold tab and line
// breaks, a "no vacía" one has something besides white space (the server trims it), and a correo
// is an ASCII address with a dotted domain. utoipa takes only literals here, hence the repetition.

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct RegistroPeticion {
    /// The e-mail address to log in with (stored lower-cased).
    #[schema(
        example = "maria@example.mx",
        max_length = 254,
        pattern = "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"
    )]
    pub(crate) correo: String,
    /// 8 to 128 characters.
    #[schema(
        min_length = 8,
        max_length = 128,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\uFEFF]*$"
    )]
    pub(crate) contrasena: String,
    /// 1 to 120 characters besides leading and trailing white space.
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\uFEFF]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\uFEFF][^\\u0000-\\u001F\\u007F-\\u009F\\uFEFF]*$"
    )]
    pub(crate) nombre: String,
}

impl DesdeJson for RegistroPeticion {
    fn desde(obj: &Map<String, Value>) -> Result<Self, ApiError> {
        Ok(RegistroPeticion {
            correo: texto(obj, "correo")?,
            contrasena: texto(obj, "contrasena")?,
            nombre: texto(obj, "nombre")?,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct UsuarioCreado {
    pub(crate) correo: String,
    pub(crate) nombre: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct SesionPeticion {
    #[schema(
        example = "maria@example.mx",
        max_length = 254,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\uFEFF]*$"
    )]
    pub(crate) correo: String,
    #[schema(
        max_length = 128,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\uFEFF]*$"
    )]
    pub(crate) contrasena: String,
}

impl DesdeJson for SesionPeticion {
    fn desde(obj: &Map<String, Value>) -> Result<Self, ApiError> {
        Ok(SesionPeticion {
            correo: texto(obj, "correo")?,
            contrasena: texto(obj, "contrasena")?,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct SesionCreada {
    /// Send as `Authorization: Bearer <token>`.
    pub(crate) token: String,
    /// RFC 3339 instant at which the token stops working.
    pub(crate) expira: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct JurisdiccionDto {
    #[schema(example = "jalisco")]
    pub(crate) slug: String,
    /// Two digits: INEGI's code for the states, 33 for the Federación.
    #[schema(example = "14")]
    pub(crate) codigo: String,
    #[schema(example = "Jalisco")]
    pub(crate) nombre: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct VinculacionPeticion {
    /// One of the 33 jurisdictions: its slug or its two-digit code (the server also reads a
    /// name, such as «Nuevo León»).
    #[schema(value_type = JurisdiccionClave)]
    pub(crate) jurisdiccion: String,
    /// The Infomex user: 1 to 100 characters besides leading and trailing white space.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\uFEFF]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\uFEFF][^\\u0000-\\u001F\\u007F-\\u009F\\uFEFF]*$"
    )]
    pub(crate) usuario: String,
    /// The Infomex password: used for this linkage only, never stored or logged.
    #[schema(
        min_length = 1,
        max_length = 256,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\uFEFF]*$"
    )]
    pub(crate) contrasena: String,
}

/// What the OpenAPI lists for `jurisdiccion`: the 33 slugs and the 33 two-digit codes.
pub(crate) struct JurisdiccionClave;

impl utoipa::PartialSchema for JurisdiccionClave {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let valores: Vec<String> = Jurisdiccion::ALL
            .iter()
            .map(|j| j.slug().to_owned())
            .chain(Jurisdiccion::ALL.iter().map(|j| format!("{:02}", j.code())))
            .collect();
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(valores))
            .examples(["jalisco"])
            .into()
    }
}

impl ToSchema for JurisdiccionClave {}

impl DesdeJson for VinculacionPeticion {
    fn desde(obj: &Map<String, Value>) -> Result<Self, ApiError> {
        Ok(VinculacionPeticion {
            jurisdiccion: texto(obj, "jurisdiccion")?,
            usuario: texto(obj, "usuario")?,
            contrasena: texto(obj, "contrasena")?,
        })
    }
}

/// Mi Historial's filters and page.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct HistorialConsulta {
    /// `en_tiempo`, `en_alerta` or `fuera_de_tiempo`.
    #[param(value_type = Option<SemaforoFiltro>)]
    pub(crate) semaforo: Option<String>,
    /// `acceso` or `datos-personales`.
    #[param(value_type = Option<TipoFiltro>)]
    pub(crate) tipo: Option<String>,
    /// From 1 (default 1).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1_000_000)]
    pub(crate) pagina: Option<String>,
    /// 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub(crate) por_pagina: Option<String>,
}

/// A solicitud's status in its procedure.
#[derive(Debug, Clone, Copy, ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)] // Only its schema is used.
pub(crate) enum EstadoSolicitudDto {
    EnProceso,
    ConPrevencion,
    ConAmpliacion,
    Terminada,
    NoPresentada,
}

/// One of the 33 jurisdictions' slugs.
pub(crate) struct JurisdiccionSlug;

impl utoipa::PartialSchema for JurisdiccionSlug {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(Jurisdiccion::ALL.iter().map(|j| j.slug())))
            .into()
    }
}

impl ToSchema for JurisdiccionSlug {}

/// Mi Historial's `semaforo` filter.
#[derive(Debug, Clone, Copy, ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)] // Only its schema is used: the query is read as text and checked in Spanish.
pub(crate) enum SemaforoFiltro {
    EnTiempo,
    EnAlerta,
    FueraDeTiempo,
}

/// Mi Historial's `tipo` filter.
#[derive(Debug, Clone, Copy, ToSchema)]
#[allow(dead_code)] // Only its schema is used.
pub(crate) enum TipoFiltro {
    #[schema(rename = "acceso")]
    Acceso,
    #[schema(rename = "datos-personales")]
    DatosPersonales,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct HistorialDto {
    /// The server's date, on which semáforo and quejas were judged.
    #[schema(value_type = String, format = Date)]
    pub(crate) hoy: Date,
    /// Rows matching the filters.
    pub(crate) total: u64,
    pub(crate) pagina: u32,
    pub(crate) por_pagina: u32,
    /// "Mostrando X de Y solicitudes".
    pub(crate) leyenda: String,
    pub(crate) solicitudes: Vec<FilaDto>,
}

/// A row of Mi Historial.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct FilaDto {
    pub(crate) folio: String,
    /// `acceso` or `datos-personales`.
    #[schema(value_type = TipoFiltro)]
    pub(crate) tipo: String,
    /// Jurisdiction slug.
    #[schema(value_type = JurisdiccionSlug)]
    pub(crate) jurisdiccion: String,
    /// The "Estado o Federación" column.
    pub(crate) estado_o_federacion: String,
    pub(crate) institucion: String,
    #[schema(value_type = String, format = Date)]
    pub(crate) fecha_recepcion_oficial: Date,
    /// `null` while a prevención interrupts the term.
    #[schema(value_type = Option<String>, format = Date)]
    pub(crate) fecha_limite_entrega: Option<Date>,
    /// `en_tiempo`, `en_alerta` or `fuera_de_tiempo`.
    #[schema(value_type = SemaforoFiltro)]
    pub(crate) semaforo: String,
    /// `en_proceso`, `con_prevencion`, `con_ampliacion`, `terminada` or `no_presentada`.
    #[schema(value_type = EstadoSolicitudDto)]
    pub(crate) estado: String,
    /// The request text ("Detalles de la solicitud").
    pub(crate) descripcion: String,
    /// Whether a queja can be filed today (window open and none filed yet).
    pub(crate) queja_disponible: bool,
    /// The folio of the queja filed against this solicitud (`RRA 00001/21`); absent while none
    /// was filed. Mi Historial's "Interponer queja" column shows it in place of the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub(crate) queja_folio: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct PrevencionDto {
    #[schema(value_type = String, format = Date)]
    pub(crate) notificada: Date,
    #[schema(value_type = Option<String>, format = Date)]
    pub(crate) desahogada: Option<Date>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct AdjuntoDto {
    /// This server's id: download at `/api/v1/adjuntos/{id}`.
    pub(crate) id: i64,
    pub(crate) nombre: String,
    pub(crate) media_type: String,
    /// Bytes.
    pub(crate) tamano: u64,
    /// 64 lower-case hex digits.
    pub(crate) sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct RespuestaDto {
    /// Verbatim from the Infomex catalog.
    pub(crate) tipo: String,
    #[schema(value_type = String, format = Date)]
    pub(crate) fecha: Date,
    pub(crate) texto: String,
    pub(crate) adjuntos: Vec<AdjuntoDto>,
}

/// When a queja may be filed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct VentanaDto {
    /// Whether the window is open today.
    pub(crate) disponible: bool,
    #[schema(value_type = String, format = Date)]
    pub(crate) desde: Date,
    #[schema(value_type = String, format = Date)]
    pub(crate) hasta: Date,
    /// `respuesta` (against the answer) or `falta_de_respuesta` (the deadline passed).
    pub(crate) motivo: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct QuejaDto {
    /// Issued by this server (`RRA 00001/21`, `RR/14/00001/2021`).
    pub(crate) folio: String,
    pub(crate) folio_solicitud: String,
    #[schema(value_type = String, format = Date)]
    pub(crate) fecha: Date,
    pub(crate) motivo: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct DetalleDto {
    #[serde(flatten)]
    pub(crate) fila: FilaDto,
    #[schema(value_type = String, format = Date)]
    pub(crate) fecha_presentacion: Date,
    pub(crate) prevencion: Option<PrevencionDto>,
    pub(crate) ampliacion: bool,
    pub(crate) respuestas: Vec<RespuestaDto>,
    /// `null` while no window exists yet (no answer and no running deadline).
    pub(crate) queja: Option<VentanaDto>,
    pub(crate) quejas: Vec<QuejaDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct QuejaPeticion {
    /// What the requester complains about (1 to 4000 characters besides leading and trailing
    /// white space; several lines allowed).
    #[schema(
        min_length = 1,
        max_length = 4000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\uFEFF]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\uFEFF][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\uFEFF]*$"
    )]
    pub(crate) motivo: String,
}

impl DesdeJson for QuejaPeticion {
    fn desde(obj: &Map<String, Value>) -> Result<Self, ApiError> {
        Ok(QuejaPeticion {
            motivo: texto(obj, "motivo")?,
        })
    }
}

/// `GET /.well-known/pnt-suite`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct Descubrimiento {
    pub(crate) api: String,
    pub(crate) version: String,
    pub(crate) openapi: String,
    pub(crate) hooks: Hooks,
    pub(crate) reglas: ReglasPublicadas,
}

/// The rules Mi Historial applies, published so that a runner's oracle computes the same plazos
/// and semáforo as the target.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct ReglasPublicadas {
    /// The rules every calendar starts from: `lft` (weekends and the rest days of Ley Federal
    /// del Trabajo art. 74, computed by rule for any year).
    pub(crate) calendario: String,
    /// With this many días hábiles left or fewer, an unanswered solicitud is En alerta.
    pub(crate) umbral_alerta: u32,
    /// Per jurisdiction slug, the días inhábiles and suspensions its órgano garante adds to
    /// `lft`: `{"descripcion", "dias_inhabiles": ["AAAA-MM-DD"], "suspensiones": [{"desde",
    /// "hasta", "motivo"}]}`. A jurisdiction not listed uses `lft` alone.
    #[schema(value_type = Object)]
    pub(crate) calendarios: BTreeMap<Jurisdiccion, Calendario>,
    /// Per jurisdiction slug (all 33), the terms in días hábiles: `{"respuesta", "ampliacion",
    /// "prevencion", "desahogo", "queja"}`.
    #[schema(value_type = Object)]
    pub(crate) terminos: BTreeMap<Jurisdiccion, Terminos>,
}

impl ReglasPublicadas {
    /// What `reglas` holds, as data: every jurisdiction's terms written out, so that a reader
    /// needs no knowledge of the law's defaults.
    pub(crate) fn de(reglas: &ReglasAplicadas) -> ReglasPublicadas {
        ReglasPublicadas {
            calendario: "lft".to_owned(),
            umbral_alerta: reglas.semaforo.umbral_alerta,
            calendarios: reglas.calendarios.clone(),
            terminos: Jurisdiccion::ALL
                .into_iter()
                // The law sets the same terms for both types of solicitud (pnt-model's
                // `Terminos::de`), so one entry per jurisdiction says it all.
                .map(|j| (j, reglas.terminos(j, TipoSolicitud::AccesoInformacion)))
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct Hooks {
    pub(crate) prefix: String,
    /// `clock`, `reset`; empty when the hooks are disabled.
    pub(crate) available: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct RelojPeticion {
    #[schema(value_type = String, format = Date)]
    pub(crate) hoy: Date,
}

impl DesdeJson for RelojPeticion {
    fn desde(obj: &Map<String, Value>) -> Result<Self, ApiError> {
        let hoy = texto(obj, "hoy")?;
        Ok(RelojPeticion {
            hoy: hoy.parse().map_err(|_| {
                ApiError::DatosInvalidos(format!(
                    "El campo «hoy» debe ser una fecha AAAA-MM-DD válida, no «{hoy}»."
                ))
            })?,
        })
    }
}

/// `PUT /__test/infomex`: how this server reaches some jurisdictions' Infomex, replacing what an
/// earlier call set. Jurisdictions not named keep the start-up configuration; `{}` restores it
/// for all of them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub(crate) struct InfomexPeticion {
    /// Dialect per jurisdiction (slug → `modern` or `legacy`).
    #[serde(default)]
    #[schema(value_type = std::collections::BTreeMap<String, String>, example = json!({"jalisco": "modern"}))]
    pub(crate) dialects: std::collections::BTreeMap<String, pnt_model::Dialect>,
    /// Base URL per jurisdiction (slug → `http://host:port`; the slug is still appended).
    #[serde(default)]
    #[schema(value_type = std::collections::BTreeMap<String, String>)]
    pub(crate) urls: std::collections::BTreeMap<String, String>,
    /// Solicitudes one linkage fetches at once (1–64), as `serve --concurrencia`; absent for
    /// the start-up value. The runner sends 1 for scenarios whose faults count requests in
    /// arrival order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 64)]
    pub(crate) concurrencia: Option<u32>,
}

impl DesdeJson for InfomexPeticion {
    fn desde(obj: &Map<String, Value>) -> Result<Self, ApiError> {
        if let Some(otro) = obj
            .keys()
            .find(|k| !["dialects", "urls", "concurrencia"].contains(&k.as_str()))
        {
            return Err(ApiError::DatosInvalidos(format!(
                "El campo «{otro}» no existe; los campos son «dialects», «urls» y «concurrencia»."
            )));
        }
        let concurrencia = match obj.get("concurrencia") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_u64() {
                Some(n @ 1..=64) => Some(n as u32),
                _ => {
                    return Err(ApiError::DatosInvalidos(format!(
                        "«concurrencia» debe ser un entero de 1 a 64, no {v}."
                    )));
                }
            },
        };
        let mapa = |nombre: &str| -> Result<Vec<(String, String)>, ApiError> {
            match obj.get(nombre) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Object(m)) => m
                    .iter()
                    .map(|(k, v)| match v {
                        Value::String(s) => Ok((k.clone(), s.clone())),
                        _ => Err(ApiError::DatosInvalidos(format!(
                            "El valor de «{nombre}.{k}» debe ser texto."
                        ))),
                    })
                    .collect(),
                Some(_) => Err(ApiError::DatosInvalidos(format!(
                    "El campo «{nombre}» debe ser un objeto (jurisdicción → valor)."
                ))),
            }
        };
        let jurisdiccion = |k: &str| {
            pnt_model::Jurisdiccion::parse(k)
                .map(|j| j.slug().to_owned())
                .map_err(|e| ApiError::DatosInvalidos(format!("{e}")))
        };
        let mut dialects = std::collections::BTreeMap::new();
        for (k, v) in mapa("dialects")? {
            let d = pnt_model::Dialect::parse(&v).ok_or_else(|| {
                ApiError::DatosInvalidos(format!(
                    "El dialecto de «{k}» debe ser «modern» o «legacy», no «{v}»."
                ))
            })?;
            dialects.insert(jurisdiccion(&k)?, d);
        }
        let mut urls = std::collections::BTreeMap::new();
        for (k, v) in mapa("urls")? {
            if !(v.starts_with("http://") || v.starts_with("https://")) {
                return Err(ApiError::DatosInvalidos(format!(
                    "La URL de «{k}» debe empezar con http:// o https://, no «{v}»."
                )));
            }
            urls.insert(jurisdiccion(&k)?, v);
        }
        Ok(InfomexPeticion {
            dialects,
            urls,
            concurrencia,
        })
    }
}

/// `PUT /__test/calendarios`: the calendar of some jurisdictions (slug → the JSON form of a
/// calendar, as the discovery document publishes it), replacing what an earlier call set.
/// Jurisdictions not named keep the start-up calendars (`--calendar`); `{}` restores them all.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub(crate) struct CalendariosPeticion {
    /// Calendar per jurisdiction: `{"descripcion", "dias_inhabiles": [...], "suspensiones":
    /// [{"desde", "hasta", "motivo"}]}`.
    #[serde(default)]
    #[schema(value_type = std::collections::BTreeMap<String, Object>)]
    pub(crate) calendarios: std::collections::BTreeMap<String, pnt_model::Calendario>,
}

impl DesdeJson for CalendariosPeticion {
    fn desde(obj: &Map<String, Value>) -> Result<Self, ApiError> {
        if let Some(otro) = obj.keys().find(|k| *k != "calendarios") {
            return Err(ApiError::DatosInvalidos(format!(
                "El campo «{otro}» no existe; el único campo es «calendarios»."
            )));
        }
        let mut calendarios = std::collections::BTreeMap::new();
        match obj.get("calendarios") {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    let j = pnt_model::Jurisdiccion::parse(k)
                        .map_err(|e| ApiError::DatosInvalidos(format!("{e}")))?;
                    let cal: pnt_model::Calendario = serde_json::from_value(v.clone())
                        .map_err(|e| {
                            ApiError::DatosInvalidos(format!(
                                "El calendario de «{k}» no se pudo leer: debe ser {{\"descripcion\", \"dias_inhabiles\": [\"AAAA-MM-DD\"], \"suspensiones\": [{{\"desde\", \"hasta\", \"motivo\"}}]}} ({e})."
                            ))
                        })?;
                    calendarios.insert(j.slug().to_owned(), cal);
                }
            }
            Some(_) => {
                return Err(ApiError::DatosInvalidos(
                    "El campo «calendarios» debe ser un objeto (jurisdicción → calendario).".into(),
                ));
            }
        }
        Ok(CalendariosPeticion { calendarios })
    }
}
