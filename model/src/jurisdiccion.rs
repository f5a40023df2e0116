//! The 33 jurisdictions whose Infomex systems PNT replaced: the 32 entidades federativas and the
//! Federación.
//!
//! INEGI assigns the entidades the codes 01–32 (catálogo de claves de entidades federativas); PNT
//! folios use 33 for the Federación's órgano garante (DESIGN.md, "Domain facts").

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One of the 33 jurisdictions. Ordered by code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Jurisdiccion {
    Aguascalientes = 1,
    BajaCalifornia = 2,
    BajaCaliforniaSur = 3,
    Campeche = 4,
    Coahuila = 5,
    Colima = 6,
    Chiapas = 7,
    Chihuahua = 8,
    CiudadDeMexico = 9,
    Durango = 10,
    Guanajuato = 11,
    Guerrero = 12,
    Hidalgo = 13,
    Jalisco = 14,
    EstadoDeMexico = 15,
    Michoacan = 16,
    Morelos = 17,
    Nayarit = 18,
    NuevoLeon = 19,
    Oaxaca = 20,
    Puebla = 21,
    Queretaro = 22,
    QuintanaRoo = 23,
    SanLuisPotosi = 24,
    Sinaloa = 25,
    Sonora = 26,
    Tabasco = 27,
    Tamaulipas = 28,
    Tlaxcala = 29,
    Veracruz = 30,
    Yucatan = 31,
    Zacatecas = 32,
    Federacion = 33,
}

/// (variant, slug, display name as PNT shows it, other accepted names).
const TABLE: [(Jurisdiccion, &str, &str, &[&str]); 33] = {
    use Jurisdiccion::*;
    [
        (Aguascalientes, "aguascalientes", "Aguascalientes", &[]),
        (BajaCalifornia, "baja-california", "Baja California", &[]),
        (
            BajaCaliforniaSur,
            "baja-california-sur",
            "Baja California Sur",
            &[],
        ),
        (Campeche, "campeche", "Campeche", &[]),
        (Coahuila, "coahuila", "Coahuila", &["Coahuila de Zaragoza"]),
        (Colima, "colima", "Colima", &[]),
        (Chiapas, "chiapas", "Chiapas", &[]),
        (Chihuahua, "chihuahua", "Chihuahua", &[]),
        (
            CiudadDeMexico,
            "ciudad-de-mexico",
            "Ciudad de México",
            &["CDMX", "Distrito Federal"],
        ),
        (Durango, "durango", "Durango", &[]),
        (Guanajuato, "guanajuato", "Guanajuato", &[]),
        (Guerrero, "guerrero", "Guerrero", &[]),
        (Hidalgo, "hidalgo", "Hidalgo", &[]),
        (Jalisco, "jalisco", "Jalisco", &[]),
        (
            EstadoDeMexico,
            "estado-de-mexico",
            "Estado de México",
            &["México", "Edomex"],
        ),
        (
            Michoacan,
            "michoacan",
            "Michoacán",
            &["Michoacán de Ocampo"],
        ),
        (Morelos, "morelos", "Morelos", &[]),
        (Nayarit, "nayarit", "Nayarit", &[]),
        (NuevoLeon, "nuevo-leon", "Nuevo León", &[]),
        (Oaxaca, "oaxaca", "Oaxaca", &[]),
        (Puebla, "puebla", "Puebla", &[]),
        (
            Queretaro,
            "queretaro",
            "Querétaro",
            &["Querétaro de Arteaga"],
        ),
        (QuintanaRoo, "quintana-roo", "Quintana Roo", &[]),
        (SanLuisPotosi, "san-luis-potosi", "San Luis Potosí", &[]),
        (Sinaloa, "sinaloa", "Sinaloa", &[]),
        (Sonora, "sonora", "Sonora", &[]),
        (Tabasco, "tabasco", "Tabasco", &[]),
        (Tamaulipas, "tamaulipas", "Tamaulipas", &[]),
        (Tlaxcala, "tlaxcala", "Tlaxcala", &[]),
        (
            Veracruz,
            "veracruz",
            "Veracruz",
            &["Veracruz de Ignacio de la Llave"],
        ),
        (Yucatan, "yucatan", "Yucatán", &[]),
        (Zacatecas, "zacatecas", "Zacatecas", &[]),
        (Federacion, "federacion", "Federación", &["Federal", "INAI"]),
    ]
};

impl Jurisdiccion {
    /// All 33 jurisdictions, ordered by code (Federación last).
    pub const ALL: [Jurisdiccion; 33] = {
        let mut all = [Jurisdiccion::Aguascalientes; 33];
        let mut i = 0;
        while i < 33 {
            all[i] = TABLE[i].0;
            i += 1;
        }
        all
    };

    /// The 2-digit code: INEGI's for the entidades (01–32), 33 for the Federación.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The jurisdiction with this code, if any.
    pub const fn from_code(code: u8) -> Option<Jurisdiccion> {
        if code >= 1 && code <= 33 {
            Some(TABLE[code as usize - 1].0)
        } else {
            None
        }
    }

    /// Stable ASCII identifier used in URLs, files and scenario keys (`ciudad-de-mexico`).
    pub const fn slug(self) -> &'static str {
        TABLE[self as usize - 1].1
    }

    /// The name as PNT's "Estado o Federación" column shows it (`Ciudad de México`).
    pub const fn nombre(self) -> &'static str {
        TABLE[self as usize - 1].2
    }

    /// Whether this is the Federación rather than an entidad federativa.
    pub const fn es_federacion(self) -> bool {
        matches!(self, Jurisdiccion::Federacion)
    }

    /// Parses a slug, a code (`14`, `9`, `09`) or a name, ignoring case, accents, spaces and
    /// hyphens. An unknown value fails with the nearest valid slug as a suggestion.
    pub fn parse(input: &str) -> Result<Jurisdiccion, JurisdiccionDesconocida> {
        let trimmed = input.trim();
        if let Ok(code) = trimmed.parse::<u8>() {
            return Jurisdiccion::from_code(code).ok_or_else(|| JurisdiccionDesconocida {
                input: input.to_owned(),
                sugerencia: None,
            });
        }
        let key = normalize(trimmed);
        for (j, slug, nombre, otros) in TABLE.iter() {
            if key == normalize(slug)
                || key == normalize(nombre)
                || otros.iter().any(|o| key == normalize(o))
            {
                return Ok(*j);
            }
        }
        Err(JurisdiccionDesconocida {
            input: input.to_owned(),
            sugerencia: nearest_slug(&key),
        })
    }
}

impl fmt::Display for Jurisdiccion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.nombre())
    }
}

impl FromStr for Jurisdiccion {
    type Err = JurisdiccionDesconocida;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Jurisdiccion::parse(s)
    }
}

/// Serialized as the slug, the one spelling used in every API field and scenario key.
impl Serialize for Jurisdiccion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.slug())
    }
}

/// Deserializes anything [`Jurisdiccion::parse`] accepts, so YAML authors may write a name.
impl<'de> Deserialize<'de> for Jurisdiccion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Jurisdiccion::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The schema of a jurisdiction as files write it: anything [`Jurisdiccion::parse`] accepts — a
/// slug, a name (accents and case aside) or an INEGI code, which YAML reads as a number. The
/// texts are not enumerated (every spelling of every name would be); the slugs are offered as
/// examples for completion.
#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Jurisdiccion {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Jurisdiccion".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let slugs: Vec<&str> = Jurisdiccion::ALL.iter().map(|j| j.slug()).collect();
        // One schema for both forms: a text stays a text (a number is a code, never a name),
        // and the bounds apply to numbers only.
        schemars::json_schema!({
            "description": "A jurisdiction: its slug (`jalisco`), its name (`Jalisco`) or its INEGI code (14; the Federación is 33).",
            "type": ["string", "integer"],
            "minimum": 1,
            "maximum": 33,
            "examples": slugs
        })
    }
}

/// An input that names none of the 33 jurisdictions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct JurisdiccionDesconocida {
    /// What was given.
    pub input: String,
    /// The nearest slug, when one is close enough to be a likely typo.
    pub sugerencia: Option<&'static str>,
}

impl JurisdiccionDesconocida {
    /// Stable machine code of this failure.
    pub const CODE: &'static str = "jurisdiccion_desconocida";
}

impl fmt::Display for JurisdiccionDesconocida {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "jurisdicción desconocida «{}»", self.input)?;
        match self.sugerencia {
            Some(s) => write!(f, "; ¿quiso decir `{s}`?"),
            None => write!(
                f,
                "; use un slug (p. ej. `jalisco`), una clave INEGI de 01 a 32, 33 para la Federación, o el nombre"
            ),
        }
    }
}

/// Lower-case ASCII with accents folded and every separator removed: "Nuevo León" → "nuevoleon".
fn normalize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            let c = match c {
                'á' | 'à' | 'ä' | 'Á' | 'À' | 'Ä' => 'a',
                'é' | 'è' | 'ë' | 'É' | 'È' | 'Ë' => 'e',
                'í' | 'ì' | 'ï' | 'Í' | 'Ì' | 'Ï' => 'i',
                'ó' | 'ò' | 'ö' | 'Ó' | 'Ò' | 'Ö' => 'o',
                'ú' | 'ù' | 'ü' | 'Ú' | 'Ù' | 'Ü' => 'u',
                'ñ' | 'Ñ' => 'n',
                c => c.to_ascii_lowercase(),
            };
            c.is_ascii_alphanumeric().then_some(c)
        })
        .collect()
}

/// The slug whose name, other name or slug is nearest to `key` (already normalized), if it is a
/// plausible typo by the one rule of [`crate::did_you_mean`].
fn nearest_slug(key: &str) -> Option<&'static str> {
    let names: Vec<(String, &'static str)> = TABLE
        .iter()
        .flat_map(|(_, slug, nombre, otros)| {
            std::iter::once(*nombre)
                .chain(otros.iter().copied())
                .chain(std::iter::once(*slug))
                .map(move |name| (normalize(name), *slug))
        })
        .collect();
    let nearest = crate::did_you_mean(key, names.iter().map(|(name, _)| name.as_str()))?;
    names
        .iter()
        .find(|(name, _)| name == nearest)
        .map(|(_, slug)| *slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_inegi_order_and_round_trip() {
        for (i, j) in Jurisdiccion::ALL.iter().enumerate() {
            assert_eq!(j.code() as usize, i + 1);
            assert_eq!(Jurisdiccion::from_code(j.code()), Some(*j));
            assert_eq!(Jurisdiccion::parse(j.slug()), Ok(*j));
            assert_eq!(Jurisdiccion::parse(j.nombre()), Ok(*j));
        }
        assert_eq!(Jurisdiccion::from_code(0), None);
        assert_eq!(Jurisdiccion::from_code(34), None);
    }

    #[test]
    fn slugs_are_unique_ascii() {
        let mut slugs: Vec<_> = Jurisdiccion::ALL.iter().map(|j| j.slug()).collect();
        assert!(
            slugs
                .iter()
                .all(|s| s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
        );
        slugs.sort();
        slugs.dedup();
        assert_eq!(slugs.len(), 33);
    }

    #[test]
    fn parses_codes_names_and_accentless_spellings() {
        assert_eq!(Jurisdiccion::parse("14"), Ok(Jurisdiccion::Jalisco));
        assert_eq!(Jurisdiccion::parse("09"), Ok(Jurisdiccion::CiudadDeMexico));
        assert_eq!(Jurisdiccion::parse("9"), Ok(Jurisdiccion::CiudadDeMexico));
        assert_eq!(Jurisdiccion::parse("33"), Ok(Jurisdiccion::Federacion));
        assert_eq!(
            Jurisdiccion::parse("NUEVO LEON"),
            Ok(Jurisdiccion::NuevoLeon)
        );
        assert_eq!(
            Jurisdiccion::parse("Federacion"),
            Ok(Jurisdiccion::Federacion)
        );
        assert_eq!(
            Jurisdiccion::parse("México"),
            Ok(Jurisdiccion::EstadoDeMexico)
        );
        assert_eq!(
            Jurisdiccion::parse("cdmx"),
            Ok(Jurisdiccion::CiudadDeMexico)
        );
    }

    #[test]
    fn unknown_value_suggests_the_nearest_slug() {
        let err = Jurisdiccion::parse("jaliscoo").unwrap_err();
        assert_eq!(err.sugerencia, Some("jalisco"));
        assert_eq!(
            err.to_string(),
            "jurisdicción desconocida «jaliscoo»; ¿quiso decir `jalisco`?"
        );
        assert_eq!(
            Jurisdiccion::parse("nuevo-lion").unwrap_err().sugerencia,
            Some("nuevo-leon")
        );
        assert_eq!(Jurisdiccion::parse("xyz").unwrap_err().sugerencia, None);
        assert_eq!(Jurisdiccion::parse("34").unwrap_err().sugerencia, None);
    }

    #[test]
    fn serializes_as_slug() {
        let json = serde_json::to_string(&Jurisdiccion::EstadoDeMexico).unwrap();
        assert_eq!(json, "\"estado-de-mexico\"");
        let back: Jurisdiccion = serde_json::from_str("\"Querétaro\"").unwrap();
        assert_eq!(back, Jurisdiccion::Queretaro);
    }
}
