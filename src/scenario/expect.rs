//! What a step expects, and the selectors that point into a response.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, de};
use serde_json::Value;

use super::de::{OrderedMap, one_or_many};
use pnt_model::did_you_mean;

/// A step's expectations. With none, a step expects success (any 2xx).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The HTTP status, or a list of acceptable ones (`[200, 409]`).
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(with = "StatusSchema")]
    pub status: Vec<u16>,
    /// The error `codigo` the target must answer (see docs/pnt-api.md, "Error codes").
    #[serde(default)]
    pub error: Option<Codigo>,
    /// Values at selectors, compared exactly (`estado: completa`, `solicitudes[0].tipo: acceso`).
    #[serde(default)]
    #[schemars(with = "SelectorMap<Value>")]
    pub fields: OrderedMap<Selector, Value>,
    /// Every item of the lists at selectors equals the value (`solicitudes[*].tipo: acceso`);
    /// an empty list passes.
    #[serde(default)]
    #[schemars(with = "SelectorMap<Value>")]
    pub every: OrderedMap<Selector, Value>,
    /// Lengths of the lists at selectors (`solicitudes: 20`, `pendientes: 0`).
    #[serde(default)]
    #[schemars(with = "SelectorMap<usize>")]
    pub counts: OrderedMap<Selector, usize>,
    /// Texts at selectors that must contain a fragment (`error.mensaje: Jalisco`).
    #[serde(default)]
    #[schemars(with = "SelectorMap<String>")]
    pub contains: OrderedMap<Selector, String>,
    /// Texts at selectors that must not contain a fragment; `.` is the whole response.
    #[serde(default)]
    #[schemars(with = "SelectorMap<String>")]
    pub excludes: OrderedMap<Selector, String>,
    /// Response headers by name (any case): a text is the exact value (`${var}` allowed),
    /// `true` present with any value, `false` absent, `{contains: text}` a fragment of it.
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, HeaderExpect>")]
    pub headers: OrderedMap<String, HeaderExpect>,
    /// Name of a snapshot of this step's normalized response in the scenario's transcript.
    #[serde(default)]
    pub snapshot: Option<String>,
}

/// What a step expects of one response header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderExpect {
    /// Present (any value) or absent.
    Present(bool),
    /// Exactly this value (after `${var}` substitution).
    Equals(String),
    /// A value containing this fragment (case-insensitive).
    Contains(String),
}

impl<'de> Deserialize<'de> for HeaderExpect {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct ContainsForm {
            contains: String,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Present(bool),
            Number(u64),
            Text(String),
            Contains(ContainsForm),
        }
        match Form::deserialize(deserializer).map_err(|_| {
            de::Error::custom(
                "un encabezado espera un texto (el valor exacto), true (presente), false (ausente) o {contains: texto}",
            )
        })? {
            Form::Present(p) => Ok(HeaderExpect::Present(p)),
            Form::Number(n) => Ok(HeaderExpect::Equals(n.to_string())),
            Form::Text(t) => Ok(HeaderExpect::Equals(t)),
            Form::Contains(c) => Ok(HeaderExpect::Contains(c.contains)),
        }
    }
}

impl JsonSchema for HeaderExpect {
    fn schema_name() -> Cow<'static, str> {
        "HeaderExpect".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A header's exact value, true (present), false (absent) or {contains: text}.",
            "anyOf": [
                {"type": "string"},
                {"type": "integer", "minimum": 0},
                {"type": "boolean"},
                {"type": "object", "properties": {"contains": {"type": "string"}},
                 "required": ["contains"], "additionalProperties": false}
            ]
        })
    }
}

impl Expect {
    /// Whether the step expects an error rather than success.
    pub fn expects_failure(&self) -> bool {
        self.error.is_some() || self.status.iter().any(|s| *s >= 400)
    }
}

#[derive(JsonSchema)]
#[schemars(untagged)]
#[allow(dead_code)] // Only its schema is used.
enum StatusSchema {
    One(#[schemars(range(min = 100, max = 599))] u16),
    Many(Vec<u16>),
}

/// The error codes of the PNT API contract (docs/pnt-api.md), so a typo in a scenario is caught
/// when the file is checked rather than read as a failure of the target.
pub const CODIGOS_PNT: &[&str] = &[
    "json_invalido",
    "datos_invalidos",
    "caracter_de_control",
    "ruta_desconocida",
    "cuerpo_demasiado_grande",
    "no_autenticado",
    "credenciales_invalidas",
    "correo_ya_registrado",
    "demasiados_intentos",
    "jurisdiccion_desconocida",
    "infomex_credenciales_invalidas",
    "infomex_cuenta_bloqueada",
    "infomex_no_responde",
    "infomex_respuesta_invalida",
    "vinculacion_de_otro_usuario",
    "solicitud_no_encontrada",
    "adjunto_no_encontrado",
    "queja_fuera_de_plazo",
    "queja_duplicada",
];

/// The codes a linkage may give for a pending folio (docs/pnt-api.md, "Codes in pendientes").
pub const CODIGOS_PENDIENTES: &[&str] = &[
    "detalle_no_disponible",
    "adjunto_no_disponible",
    "adjunto_checksum_invalido",
    "no_listada",
    "infomex_no_responde",
];

/// One of [`CODIGOS_PNT`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Codigo(pub String);

impl<'de> Deserialize<'de> for Codigo {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if CODIGOS_PNT.contains(&text.as_str()) {
            return Ok(Codigo(text));
        }
        let hint = match did_you_mean(&text, CODIGOS_PNT.iter().copied()) {
            Some(s) => format!("¿quiso decir `{s}`?"),
            None => "los códigos están en docs/pnt-api.md, \"Error codes\"".to_owned(),
        };
        Err(de::Error::custom(format!(
            "código de error desconocido `{text}`; {hint}"
        )))
    }
}

impl JsonSchema for Codigo {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Codigo".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "enum": CODIGOS_PNT})
    }
}

/// A path into a JSON response: keys separated by `.`, list items as `[N]`, every item as `[*]`.
/// `.` (or an empty text) is the whole response. Examples: `estado`, `pendientes[0].codigo`,
/// `solicitudes[*].folio`, `respuestas[0].adjuntos[1].sha256`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Selector {
    text: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Segment {
    Key(String),
    Index(usize),
    All,
}

/// A selector that cannot be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("selector inválido `{text}`: {why}")]
pub struct SelectorError {
    pub text: String,
    pub why: &'static str,
}

impl SelectorError {
    /// Stable machine code of this failure.
    pub const CODE: &'static str = "selector_invalido";
}

impl Selector {
    /// Parses a selector; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<Selector, SelectorError> {
        let bad = |why: &'static str| SelectorError {
            text: text.to_owned(),
            why,
        };
        let mut segments = Vec::new();
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed == "." {
            return Ok(Selector {
                text: ".".to_owned(),
                segments,
            });
        }
        for part in trimmed.split('.') {
            if part.is_empty() {
                return Err(bad("hay un `.` de más"));
            }
            let (key, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if !key.is_empty() {
                if key.contains(']') {
                    return Err(bad("`]` sin `[`"));
                }
                segments.push(Segment::Key(key.to_owned()));
            } else if segments.is_empty() && rest.is_empty() {
                return Err(bad("falta una clave"));
            }
            while !rest.is_empty() {
                let close = rest.find(']').ok_or_else(|| bad("falta `]`"))?;
                let inner = &rest[1..close];
                segments.push(match inner {
                    "*" => Segment::All,
                    n => Segment::Index(
                        n.parse()
                            .map_err(|_| bad("entre corchetes va un número desde 0 o `*`"))?,
                    ),
                });
                rest = &rest[close + 1..];
                if !rest.is_empty() && !rest.starts_with('[') {
                    return Err(bad("después de `]` va `.` o `[`"));
                }
            }
        }
        Ok(Selector {
            text: trimmed.to_owned(),
            segments,
        })
    }

    /// The selector as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The value the selector points at, if any. `[*]` collects every item's value into a list
    /// (items where the rest of the path is absent are skipped).
    pub fn select(&self, value: &Value) -> Option<Value> {
        select(&self.segments, value)
    }
}

fn select(segments: &[Segment], value: &Value) -> Option<Value> {
    let Some((first, rest)) = segments.split_first() else {
        return Some(value.clone());
    };
    match first {
        Segment::Key(k) => select(rest, value.as_object()?.get(k)?),
        Segment::Index(i) => select(rest, value.as_array()?.get(*i)?),
        Segment::All => Some(Value::Array(
            value
                .as_array()?
                .iter()
                .filter_map(|item| select(rest, item))
                .collect(),
        )),
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Selector {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Selector::parse(&text).map_err(de::Error::custom)
    }
}

impl JsonSchema for Selector {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Selector".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": SELECTOR_PATTERN,
            "description": "A path into the response: keys separated by `.`, `[N]` for an item, `[*]` for every item; `.` is the whole response."
        })
    }
}

/// What [`Selector::parse`] accepts, for the schema: `.` or nothing, or parts separated by `.`,
/// each a key (no `.`, `[` or `]`) and/or items (`[N]`, `[*]`). tests/scenarios_schema.rs holds
/// the two to the same cases.
const SELECTOR_PATTERN: &str = r"^\s*(\.?|(?:[^.\[\]]+(?:\[(?:[0-9]+|\*)\])*|(?:\[(?:[0-9]+|\*)\])+)(?:\.(?:[^.\[\]]+(?:\[(?:[0-9]+|\*)\])*|(?:\[(?:[0-9]+|\*)\])+))*)\s*$";

/// The schema of a map from selectors to `V` (`fields`, `every`, `counts`, …).
pub(super) struct SelectorMap<V>(std::marker::PhantomData<V>);

impl<V: JsonSchema> JsonSchema for SelectorMap<V> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("SelectorMap_of_{}", V::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let values = generator.subschema_for::<V>();
        json_schema!({
            "type": "object",
            "propertyNames": {"pattern": SELECTOR_PATTERN},
            "additionalProperties": values
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(selector: &str, expected: Option<Value>) {
        let body = json!({
            "estado": "completa",
            "pendientes": [],
            "solicitudes": [
                {"folio": "A", "respuestas": [{"adjuntos": [{"sha256": "x"}]}]},
                {"folio": "B", "respuestas": []}
            ]
        });
        assert_eq!(
            Selector::parse(selector).unwrap().select(&body),
            expected,
            "{selector}"
        );
    }

    #[test]
    fn selectors_reach_keys_items_and_every_item() {
        check("estado", Some(json!("completa")));
        check("solicitudes[1].folio", Some(json!("B")));
        check("solicitudes[*].folio", Some(json!(["A", "B"])));
        check(
            "solicitudes[0].respuestas[0].adjuntos[0].sha256",
            Some(json!("x")),
        );
        check(
            "solicitudes[*].respuestas[0].adjuntos[0].sha256",
            Some(json!(["x"])),
        );
        check("solicitudes[2].folio", None);
        check("estado.otro", None);
        check("nada", None);
        check(
            ".",
            Some(json!({
                "estado": "completa",
                "pendientes": [],
                "solicitudes": [
                    {"folio": "A", "respuestas": [{"adjuntos": [{"sha256": "x"}]}]},
                    {"folio": "B", "respuestas": []}
                ]
            })),
        );
    }

    #[test]
    fn malformed_selectors_say_what_is_wrong() {
        for (text, why) in [
            ("a..b", "hay un `.` de más"),
            ("a[0", "falta `]`"),
            ("a[x]", "entre corchetes va un número desde 0 o `*`"),
            ("a[0]b", "después de `]` va `.` o `[`"),
            ("a]", "`]` sin `[`"),
        ] {
            assert_eq!(
                Selector::parse(text).unwrap_err().to_string(),
                format!("selector inválido `{text}`: {why}")
            );
        }
    }
}
