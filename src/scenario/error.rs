//! Why a scenario file could not be read: a stable code, the file, the position and a Spanish
//! message that says what was expected.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_saphyr::Error as YamlError;

use super::de::Pos;
use crate::error::CliError;
use pnt_model::did_you_mean;

/// What is wrong with a scenario file: an error that makes it invalid or, with code
/// `paso_obsoleto`, a warning about a valid file ([`super::Instance::warnings`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// Stable machine code (`clave_desconocida`, `paso_desconocido`, …).
    pub code: &'static str,
    pub file: PathBuf,
    /// Where in the file, when known.
    pub pos: Option<Pos>,
    /// What is wrong and what was expected, in Spanish.
    pub message: String,
    /// The matrix values with which the error appeared, when it depends on them.
    pub matrix: Vec<(String, String)>,
}

impl ScenarioError {
    pub fn new(
        code: &'static str,
        file: &Path,
        pos: Option<Pos>,
        message: impl Into<String>,
    ) -> Self {
        ScenarioError {
            code,
            file: file.to_owned(),
            pos,
            message: message.into(),
            matrix: Vec::new(),
        }
    }

    /// `FILE:LINE:COLUMN: message`, the form editors and terminals link to.
    pub fn located(&self) -> String {
        let mut out = self.file.display().to_string();
        if let Some(pos) = self.pos {
            out.push_str(&format!(":{}:{}", pos.line, pos.column));
        }
        out.push_str(": ");
        out.push_str(&self.message);
        if !self.matrix.is_empty() {
            let values: Vec<String> = self
                .matrix
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            out.push_str(&format!(" (con la matriz {})", values.join(", ")));
        }
        out
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.located())
    }
}

impl std::error::Error for ScenarioError {}

impl From<ScenarioError> for CliError {
    fn from(e: ScenarioError) -> CliError {
        CliError::bad_input(e.code, e.located())
    }
}

/// Codes.
pub mod code {
    pub const ARCHIVO_ILEGIBLE: &str = "archivo_ilegible";
    pub const YAML_INVALIDO: &str = "yaml_invalido";
    pub const CLAVE_DESCONOCIDA: &str = "clave_desconocida";
    pub const PASO_DESCONOCIDO: &str = "paso_desconocido";
    pub const CLAVE_FALTANTE: &str = "clave_faltante";
    pub const CLAVE_REPETIDA: &str = "clave_repetida";
    pub const VALOR_INVALIDO: &str = "valor_invalido";
    pub const TIPO_INVALIDO: &str = "tipo_invalido";
    pub const VARIABLE_DESCONOCIDA: &str = "variable_desconocida";
    pub const MATRIZ_INVALIDA: &str = "matriz_invalida";
    pub const ESCENARIO_INCOHERENTE: &str = "escenario_incoherente";
    pub const SNAPSHOT_SIN_RELOJ: &str = "snapshot_sin_reloj";
    /// A warning, not an error: a step written with its action's former key.
    pub const PASO_OBSOLETO: &str = "paso_obsoleto";
    /// A `calendarios` file that names no jurisdiction.
    pub const CALENDARIO_SIN_JURISDICCION: &str = "calendario_sin_jurisdiccion";
    /// A `requisitos` id that is not in the catalog (docs/requisitos.md).
    pub const REQUISITO_DESCONOCIDO: &str = "requisito_desconocido";
}

/// Translates a parser error into a code and a Spanish message, with its position.
pub(super) fn describe(err: &YamlError) -> (&'static str, Option<Pos>, String) {
    let pos = err.location().map(|l| Pos {
        line: u32::try_from(l.line()).unwrap_or(u32::MAX),
        column: u32::try_from(l.column()).unwrap_or(u32::MAX),
    });
    let (code, message) = match err.without_snippet() {
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => (code::CLAVE_DESCONOCIDA, unknown(field, "clave", expected)),
        YamlError::SerdeUnknownVariant {
            variant, expected, ..
        } => (code::VALOR_INVALIDO, unknown(variant, "valor", expected)),
        YamlError::SerdeMissingField { field, .. } => (
            code::CLAVE_FALTANTE,
            format!("falta la clave obligatoria `{field}` en este mapa"),
        ),
        YamlError::DuplicateMappingKey { .. } => (
            code::CLAVE_REPETIDA,
            "esta clave ya apareció en el mismo mapa; deje una sola".to_owned(),
        ),
        YamlError::SerdeInvalidType {
            unexpected,
            expected,
            ..
        } => (
            code::TIPO_INVALIDO,
            format!(
                "se esperaba {}, pero aquí hay {}",
                expected_es(expected),
                unexpected_es(unexpected)
            ),
        ),
        YamlError::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => (
            code::VALOR_INVALIDO,
            format!(
                "se esperaba {}, pero aquí hay {}",
                expected_es(expected),
                unexpected_es(unexpected)
            ),
        ),
        YamlError::SerdeInvalidLength { len, expected, .. } => (
            code::VALOR_INVALIDO,
            format!("se esperaban {}, pero hay {len}", expected_es(expected)),
        ),
        YamlError::InvalidScalar { ty, .. } => (
            code::TIPO_INVALIDO,
            format!("se esperaba {}", expected_es(ty)),
        ),
        YamlError::Unexpected { expected, .. } => (
            code::TIPO_INVALIDO,
            format!("se esperaba {}", expected_es(expected)),
        ),
        YamlError::NullIntoString { .. } => (
            code::TIPO_INVALIDO,
            "falta el valor: se esperaba un texto".to_owned(),
        ),
        YamlError::Eof { .. } => (
            code::YAML_INVALIDO,
            "el archivo termina antes de tiempo: falta cerrar una lista, un mapa o unas comillas"
                .to_owned(),
        ),
        YamlError::MultipleDocuments { .. } => (
            code::YAML_INVALIDO,
            "hay más de un documento YAML (`---`); un archivo describe un solo escenario"
                .to_owned(),
        ),
        YamlError::Message { msg, .. } => classify_message(msg),
        YamlError::ExternalMessage { msg, .. } => (
            code::YAML_INVALIDO,
            format!("YAML mal formado: {}", yaml_syntax_es(msg)),
        ),
        YamlError::InvalidUtf8Input => (
            code::ARCHIVO_ILEGIBLE,
            "el archivo no está en UTF-8; guárdelo como UTF-8".to_owned(),
        ),
        other => (
            code::YAML_INVALIDO,
            format!("YAML inválido: {}", strip_location(&other.to_string())),
        ),
    };
    (code, pos, message)
}

/// Messages our own `Deserialize` impls raise are already Spanish; the step ones say which code
/// applies by their wording.
fn classify_message(msg: &str) -> (&'static str, String) {
    let msg = strip_location(msg);
    let code = if msg.starts_with("paso desconocido") {
        code::PASO_DESCONOCIDO
    } else if msg.starts_with("clave desconocida") {
        code::CLAVE_DESCONOCIDA
    } else {
        code::VALOR_INVALIDO
    };
    (code, msg)
}

/// serde-saphyr appends " at line L, column C" to some messages; the position is reported apart.
fn strip_location(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) if msg[i..].contains("column") => msg[..i].to_owned(),
        _ => msg.to_owned(),
    }
}

fn unknown(given: &str, what: &str, expected: &[&'static str]) -> String {
    // "clave" is feminine, "valor" masculine.
    let (unknown, one_of) = if what == "valor" {
        ("valor desconocido", "uno de")
    } else {
        ("clave desconocida", "una de")
    };
    match did_you_mean(given, expected.iter().copied()) {
        Some(s) => format!("{unknown} `{given}`; ¿quiso decir `{s}`?"),
        None if expected.is_empty() => format!("{unknown} `{given}`: aquí no van claves"),
        None => format!(
            "{unknown} `{given}`; se esperaba {one_of}: {}",
            expected.join(", ")
        ),
    }
}

/// Serde's and the parser's descriptions of what was expected, in Spanish.
fn expected_es(expected: &str) -> String {
    let e = expected.trim();
    let known = match e {
        "string scalar" | "a string" | "string" | "a borrowed string" => "un texto",
        "u8" | "u16" | "u32" | "u64" | "usize" | "an unsigned integer" => {
            "un número entero no negativo"
        }
        "i8" | "i16" | "i32" | "i64" | "isize" | "an integer" => "un número entero",
        "f32" | "f64" | "a float" => "un número",
        "bool" | "a boolean" => "true o false",
        "sequence start" | "a sequence" | "sequence" => "una lista",
        "mapping start" | "a mapping" | "a map" | "map" => "un mapa (clave: valor)",
        "a step" => "un paso (`- login: ana`, `- restart`, …)",
        "an HTTP status or a list of them" => "un estado HTTP o una lista de ellos",
        "a list of values or the name of a set" => {
            "una lista de valores o el nombre de un conjunto (jurisdicciones, entidades, dialects)"
        }
        "a scalar value" => "un valor simple (texto, número o booleano)",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_owned();
    }
    if e.starts_with("struct ") {
        return "un mapa (clave: valor)".to_owned();
    }
    if e.starts_with("enum ") || e.starts_with("variant identifier") {
        return "uno de los valores permitidos".to_owned();
    }
    if let Some(rest) = e.strip_suffix(" or a mapping") {
        return format!("{} o un mapa", expected_es(rest));
    }
    match e {
        "a user name" => "un nombre de usuario".to_owned(),
        "a folio" => "un folio".to_owned(),
        "an attachment id" => "un id de adjunto".to_owned(),
        _ => format!("«{e}»"),
    }
}

fn unexpected_es(unexpected: &str) -> String {
    let u = unexpected.trim();
    if let Some(rest) = u.strip_prefix("string ") {
        return format!("el texto {rest}");
    }
    if let Some(rest) = u
        .strip_prefix("integer ")
        .or_else(|| u.strip_prefix("unsigned integer "))
        .or_else(|| u.strip_prefix("floating point "))
    {
        return format!("el número {}", rest.trim_matches('`'));
    }
    if let Some(rest) = u.strip_prefix("boolean ") {
        return format!("el booleano {}", rest.trim_matches('`'));
    }
    match u {
        "sequence" => "una lista".to_owned(),
        "map" => "un mapa".to_owned(),
        "unit value" | "null" | "unit" => "un valor vacío".to_owned(),
        other => format!("«{other}»"),
    }
}

/// The parser's syntax messages, with the common ones in Spanish.
fn yaml_syntax_es(msg: &str) -> String {
    let msg = strip_location(msg);
    let table = [
        (
            "mapping values are not allowed in this context",
            "aquí no puede ir `clave: valor`; revise la sangría o ponga el texto entre comillas",
        ),
        (
            "did not find expected ',' or ']'",
            "falta `,` o `]` en una lista entre corchetes (un texto con `[`, `]`, `{`, `}` o `,` dentro de corchetes va entre comillas)",
        ),
        (
            "did not find expected ',' or '}'",
            "falta `,` o `}` en un mapa entre llaves (un texto con `[`, `]`, `{`, `}` o `,` dentro de llaves va entre comillas)",
        ),
        (
            "found character that cannot start any token",
            "hay un carácter que no puede empezar un valor; ponga el texto entre comillas",
        ),
        (
            "did not find expected key",
            "se esperaba una clave; revise la sangría",
        ),
        (
            "found unexpected end of stream",
            "el archivo termina antes de tiempo: falta cerrar una lista, un mapa o unas comillas",
        ),
        ("invalid indentation", "sangría incorrecta"),
        (
            "found a tab character",
            "hay un tabulador; YAML solo admite espacios para sangrar",
        ),
        (
            "tabs disallowed",
            "hay un tabulador; YAML solo admite espacios para sangrar",
        ),
        ("unclosed bracket", "falta cerrar un `[`"),
        ("unclosed brace", "falta cerrar un `{`"),
        ("unclosed quote", "faltan las comillas de cierre"),
    ];
    for (en, es) in table {
        if msg.contains(en) {
            return es.to_owned();
        }
    }
    msg
}
