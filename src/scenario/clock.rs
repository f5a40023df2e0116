//! The scenario's clock: its `hoy` (the day the target and the simulator take as the current
//! one, as Mi Historial's `hoy` does), in a time zone.

use std::borrow::Cow;

use jiff::tz::TimeZone;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, de};

use super::de::Fecha;

/// `hoy` for the target and the simulator. A scenario with a clock needs the target's `clock`
/// hook; without one, the target's own date applies.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Clock {
    /// The date the target and the simulator take as `hoy`.
    pub hoy: Fecha,
    /// IANA time zone in which `hoy` is a day (default America/Mexico_City).
    #[serde(default)]
    pub timezone: Timezone,
}

/// An IANA time-zone name, checked against the system's zoneinfo database when loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timezone(pub String);

impl Default for Timezone {
    fn default() -> Self {
        Timezone(DEFAULT_TIMEZONE.to_owned())
    }
}

/// The time zone of Mexico City, where the Federación's órgano garante counts its days.
pub const DEFAULT_TIMEZONE: &str = "America/Mexico_City";

/// Where the zone files are read from. The tz database ships with the operating system (package
/// `tzdata`); the runner reads it there rather than bundling a copy that would go stale.
const ZONEINFO: &str = "/usr/share/zoneinfo";

/// A scenario's `clock.timezone` whose rules cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimezoneError {
    #[error(
        "zona horaria desconocida «{0}»; use un nombre IANA como {tz} (las zonas se leen de {dir}, del paquete tzdata)",
        tz = DEFAULT_TIMEZONE,
        dir = ZONEINFO
    )]
    Unknown(String),
    #[error("zona horaria «{name}» ilegible: {cause}; reinstale tzdata")]
    Unreadable { name: String, cause: String },
}

impl TimezoneError {
    /// Stable machine code of this failure.
    pub fn code(&self) -> &'static str {
        match self {
            TimezoneError::Unknown(_) => "zona_horaria_desconocida",
            TimezoneError::Unreadable { .. } => "zona_horaria_ilegible",
        }
    }
}

impl Timezone {
    /// Loads the zone's rules.
    pub fn load(&self) -> Result<TimeZone, TimezoneError> {
        let path = std::path::Path::new(ZONEINFO).join(&self.0);
        let bytes = std::fs::read(&path).map_err(|_| TimezoneError::Unknown(self.0.clone()))?;
        TimeZone::tzif(&self.0, &bytes).map_err(|e| TimezoneError::Unreadable {
            name: self.0.clone(),
            cause: e.to_string(),
        })
    }
}

impl<'de> Deserialize<'de> for Timezone {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        let well_formed = !name.is_empty()
            && !name.starts_with('/')
            && !name
                .split('/')
                .any(|part| part.is_empty() || part == "." || part == "..")
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c));
        if well_formed {
            let tz = Timezone(name);
            // Checked here, where the position of the value is known.
            tz.load().map_err(de::Error::custom)?;
            Ok(tz)
        } else {
            Err(de::Error::custom(format!(
                "«{name}» no es un nombre de zona horaria IANA; use uno como {DEFAULT_TIMEZONE}"
            )))
        }
    }
}

impl JsonSchema for Timezone {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Timezone".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "IANA time zone name.",
            "default": DEFAULT_TIMEZONE,
            "examples": [DEFAULT_TIMEZONE, "America/Tijuana", "America/Cancun"]
        })
    }
}
