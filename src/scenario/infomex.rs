//! The Infomex side of a scenario: which accounts the simulator holds, how its jurisdictions
//! speak, and the fault plan it starts with. Field names are the simulator's own
//! (docs/infomex-sim.md, "Configured accounts"), so an account is sent to `PUT /__admin/accounts`
//! as written.

use pnt_model::{
    Dialect, EstadoSolicitud, Folio, Jurisdiccion, Prevencion, Respuesta, Solicitud, TipoRespuesta,
    TipoSolicitud,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::de::{At, Fecha, JurisdiccionSchema, OrderedMap};
use infomex_sim::{AdjuntoConfig, CuentaConfig, FaultSpec, procedural_password};

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
    pub solicitudes: Vec<At<Written>>,
}

// The scenario file's edge of `pnt_model::Solicitud`, which it becomes through `From` (with
// `AdjuntoConfig` attachments, what the simulator is configured with). It is a shape of its own
// only for what a scenario file adds: strict AAAA-MM-DD dates with a Spanish message, an
// optional `texto`, and a JSON Schema. (Plain comments: doc comments become the schema's text.)
/// A solicitud written out in full, in the simulator's detail shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Written {
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
    pub prevencion: Option<WrittenPrevencion>,
    #[serde(default)]
    pub ampliacion: bool,
    /// In date order.
    #[serde(default)]
    pub respuestas: Vec<WrittenRespuesta>,
}

// Becomes `pnt_model::Prevencion`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WrittenPrevencion {
    pub notificada: Fecha,
    /// Absent while unanswered.
    #[serde(default)]
    pub desahogada: Option<Fecha>,
}

// Becomes `pnt_model::Respuesta`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WrittenRespuesta {
    /// Verbatim from the Infomex answer catalog ("Entrega de información en medio electrónico").
    #[schemars(with = "TipoRespuestaSchema")]
    pub tipo: TipoRespuesta,
    pub fecha: Fecha,
    #[serde(default)]
    pub texto: String,
    /// The simulator declares each attachment's SHA-256.
    #[serde(default)]
    pub adjuntos: Vec<WrittenAdjunto>,
}

// Becomes the simulator's `AdjuntoConfig`.
/// An attachment: its text `contenido`, or `tamano` bytes the simulator generates from the seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WrittenAdjunto {
    pub nombre: String,
    pub media_type: String,
    /// Size in bytes of generated content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tamano: Option<u64>,
    /// The attachment's exact content, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contenido: Option<String>,
}

impl Infomex {
    /// The entries of `dialects` that differ from the default (`Dialect::default_for`): what a
    /// target must be told; the rest it already speaks.
    pub fn non_default_dialects(&self) -> Vec<(Jurisdiccion, Dialect)> {
        self.dialects
            .iter()
            .filter(|(j, d)| **d != Dialect::default_for(**j))
            .map(|(j, d)| (*j, *d))
            .collect()
    }
}

impl Account {
    /// The account as the simulator is configured with it; an absent password is the
    /// procedural one of `seed`, an absent `generar` is none.
    pub fn config(&self, seed: u64) -> CuentaConfig {
        CuentaConfig {
            jurisdiccion: self.jurisdiccion,
            usuario: self.usuario.clone(),
            contrasena: self
                .contrasena
                .clone()
                .unwrap_or_else(|| procedural_password(seed, self.jurisdiccion, &self.usuario)),
            generar: self.generar.unwrap_or(0),
            bloqueada: self.bloqueada,
            solicitudes: self.solicitudes.iter().map(|s| (&s.value).into()).collect(),
        }
    }
}

impl From<&Written> for Solicitud<AdjuntoConfig> {
    fn from(w: &Written) -> Self {
        Solicitud {
            folio: w.folio,
            tipo: w.tipo,
            institucion: w.institucion.clone(),
            descripcion: w.descripcion.clone(),
            fecha_presentacion: w.fecha_presentacion.0,
            estado: w.estado,
            prevencion: w.prevencion.as_ref().map(Prevencion::from),
            ampliacion: w.ampliacion,
            respuestas: w.respuestas.iter().map(Respuesta::from).collect(),
        }
    }
}

impl From<&WrittenPrevencion> for Prevencion {
    fn from(p: &WrittenPrevencion) -> Self {
        Prevencion {
            notificada: p.notificada.0,
            desahogada: p.desahogada.as_ref().map(|d| d.0),
        }
    }
}

impl From<&WrittenRespuesta> for Respuesta<AdjuntoConfig> {
    fn from(r: &WrittenRespuesta) -> Self {
        Respuesta {
            tipo: r.tipo,
            fecha: r.fecha.0,
            texto: r.texto.clone(),
            adjuntos: r.adjuntos.iter().map(AdjuntoConfig::from).collect(),
        }
    }
}

impl From<&WrittenAdjunto> for AdjuntoConfig {
    fn from(a: &WrittenAdjunto) -> Self {
        AdjuntoConfig {
            nombre: a.nombre.clone(),
            media_type: a.media_type.clone(),
            tamano: a.tamano,
            contenido: a.contenido.clone(),
        }
    }
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
