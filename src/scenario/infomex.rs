//! The Infomex side of a scenario: which accounts the simulator holds, how its jurisdictions
//! speak, and the fault plan it starts with. Field names are the simulator's own
//! (docs/infomex-sim.md, "Configured accounts"), so an account is sent to `PUT /__admin/accounts`
//! as written.

use pnt_model::{Dialect, EstadoSolicitud, Folio, Jurisdiccion, TipoRespuesta, TipoSolicitud};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::de::{At, Fecha, JurisdiccionSchema, OrderedMap};
use infomex_sim::FaultSpec;

/// What the simulator holds when the scenario starts.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Infomex {
    /// The wire dialect of some jurisdictions (`jalisco: modern`); the others keep the
    /// simulator's default (legacy for chiapas, guerrero, jalisco, michoacan, oaxaca, veracruz).
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, Dialect>")]
    pub dialects: OrderedMap<Jurisdiccion, Dialect>,
    /// Failed log-ins in a row before an account locks (simulator default 5).
    #[serde(default)]
    pub max_intentos: Option<u32>,
    /// How long an Infomex session lasts, in seconds (simulator default 900).
    #[serde(default)]
    pub sesion_segundos: Option<u32>,
    /// Configured accounts. Procedural accounts (`ciudadano` + 1–9 digits) exist in every
    /// jurisdiction without being listed.
    #[serde(default)]
    pub accounts: Vec<At<Account>>,
    /// The fault plan at the start; steps may add faults or clear them.
    #[serde(default)]
    pub faults: Vec<At<FaultSpec>>,
}

/// A configured Infomex account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// The jurisdiction whose Infomex holds the account (slug, INEGI code or name).
    #[schemars(with = "JurisdiccionSchema")]
    pub jurisdiccion: Jurisdiccion,
    /// The Infomex user name.
    pub usuario: String,
    /// The password. When absent, the procedural one: `clave-` + the first 12 hex digits of
    /// SHA-256("{seed}:{slug}:{usuario}").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contrasena: Option<String>,
    /// How many solicitudes to generate from the account's own random stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generar: Option<u32>,
    /// The account is locked: every log-in answers `cuenta_bloqueada`.
    #[serde(default)]
    pub bloqueada: bool,
    /// Solicitudes written out in full, added to the generated ones.
    #[serde(default)]
    pub solicitudes: Vec<At<SolicitudInfomex>>,
}

/// A solicitud written out in full, in the simulator's detail shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SolicitudInfomex {
    /// In the jurisdiction's Infomex format (docs/folios.md).
    #[schemars(with = "String")]
    pub folio: Folio,
    /// `acceso` or `datos-personales`.
    #[schemars(with = "TipoSolicitudSchema")]
    pub tipo: TipoSolicitud,
    /// The sujeto obligado.
    pub institucion: String,
    /// The request text.
    pub descripcion: String,
    pub fecha_presentacion: Fecha,
    /// `en_proceso`, `con_prevencion`, `con_ampliacion`, `terminada` or `no_presentada`.
    #[schemars(with = "EstadoSchema")]
    pub estado: EstadoSolicitud,
    #[serde(default)]
    pub prevencion: Option<PrevencionInfomex>,
    #[serde(default)]
    pub ampliacion: bool,
    /// In date order.
    #[serde(default)]
    pub respuestas: Vec<RespuestaInfomex>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrevencionInfomex {
    pub notificada: Fecha,
    /// Absent while unanswered.
    #[serde(default)]
    pub desahogada: Option<Fecha>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RespuestaInfomex {
    /// Verbatim from the Infomex answer catalog ("Entrega de información en medio electrónico").
    #[schemars(with = "TipoRespuestaSchema")]
    pub tipo: TipoRespuesta,
    pub fecha: Fecha,
    #[serde(default)]
    pub texto: String,
    /// The simulator declares each attachment's SHA-256.
    #[serde(default)]
    pub adjuntos: Vec<AdjuntoInfomex>,
}

/// An attachment: its text `contenido`, or `tamano` bytes the simulator generates from the seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjuntoInfomex {
    pub nombre: String,
    pub media_type: String,
    /// Size in bytes of generated content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tamano: Option<u64>,
    /// The attachment's exact content, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contenido: Option<String>,
}

/// Schema-only mirrors of pnt-model's enums, which do not depend on schemars.
#[derive(JsonSchema)]
#[allow(dead_code)] // Only its schema is used.
enum TipoSolicitudSchema {
    #[serde(rename = "acceso")]
    Acceso,
    #[serde(rename = "datos-personales")]
    DatosPersonales,
}

#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // Only its schema is used.
enum EstadoSchema {
    EnProceso,
    ConPrevencion,
    ConAmpliacion,
    Terminada,
    NoPresentada,
}

#[allow(dead_code)] // Only its schema is used.
struct TipoRespuestaSchema;

impl JsonSchema for TipoRespuestaSchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TipoRespuesta".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let textos: Vec<&str> = TipoRespuesta::ALL.iter().map(|t| t.texto()).collect();
        schemars::json_schema!({"type": "string", "enum": textos})
    }
}
