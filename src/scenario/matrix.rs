//! The matrix: one scenario run once per combination of values, with `${name}` replaced by each
//! value. Substitution is textual, before the file is read as a scenario, so a variable may stand
//! anywhere a plain scalar may (a jurisdiction, a map key, part of a name). Lines never change,
//! and columns of errors are mapped back to the file as written.

use std::borrow::Cow;
use std::fmt;

use pnt_model::Jurisdiccion;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::de::{At, OrderedMap, Pos};

/// `matrix:` — variable name → values.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct Matrix(pub OrderedMap<At<String>, At<Values>>);

/// The values one variable takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Values(pub Vec<String>);

/// Named sets of values, so the common matrices need not be written out.
pub const NAMED_SETS: &[(&str, &str)] = &[
    ("jurisdicciones", "the 33 jurisdiction slugs"),
    (
        "entidades",
        "the 32 entidades federativas (every jurisdiction but the Federación)",
    ),
    ("dialects", "modern and legacy"),
];

fn named_set(name: &str) -> Option<Vec<String>> {
    let slugs = |all: &[Jurisdiccion]| all.iter().map(|j| j.slug().to_owned()).collect();
    match name {
        "jurisdicciones" => Some(slugs(&Jurisdiccion::ALL)),
        "entidades" => Some(slugs(&Jurisdiccion::ALL[..32])),
        "dialects" => Some(vec!["modern".to_owned(), "legacy".to_owned()]),
        _ => None,
    }
}

/// Characters a matrix value may hold: whatever stays a plain YAML scalar when substituted.
fn plain(value: &str) -> bool {
    !value.is_empty()
        && !value.starts_with(['-', ' ', '@'])
        && !value.ends_with(' ')
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || "-_./+ @".contains(c))
}

impl<'de> Deserialize<'de> for Values {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValuesVisitor;

        impl<'de> Visitor<'de> for ValuesVisitor {
            type Value = Values;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of values or the name of a set")
            }

            fn visit_str<E: de::Error>(self, name: &str) -> Result<Values, E> {
                named_set(name).map(Values).ok_or_else(|| {
                    let names: Vec<&str> = NAMED_SETS.iter().map(|(n, _)| *n).collect();
                    E::custom(format!(
                        "conjunto desconocido `{name}`; escriba una lista de valores o uno de: {}",
                        names.join(", ")
                    ))
                })
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Values, A::Error> {
                let mut values = Vec::new();
                while let Some(v) = seq.next_element::<Scalar>()? {
                    if !plain(&v.0) {
                        return Err(de::Error::custom(format!(
                            "el valor «{}» no puede usarse en la matriz: use letras, números, espacios y - _ . / + @",
                            v.0
                        )));
                    }
                    if values.contains(&v.0) {
                        return Err(de::Error::custom(format!(
                            "el valor «{}» está repetido en la matriz",
                            v.0
                        )));
                    }
                    values.push(v.0);
                }
                if values.is_empty() {
                    return Err(de::Error::custom(
                        "la lista de valores está vacía: la matriz no correría nada",
                    ));
                }
                Ok(Values(values))
            }
        }

        deserializer.deserialize_any(ValuesVisitor)
    }
}

/// A scalar of any YAML type, as text.
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;

        impl Visitor<'_> for ScalarVisitor {
            type Value = Scalar;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a scalar value")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_owned()))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }

        deserializer.deserialize_any(ScalarVisitor)
    }
}

impl JsonSchema for Matrix {
    fn schema_name() -> Cow<'static, str> {
        "Matrix".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<&str> = NAMED_SETS.iter().map(|(n, _)| *n).collect();
        json_schema!({
            "type": "object",
            "description": "Variable name → its values: a list of scalars, or the name of a set. The scenario runs once per combination; `${name}` in the file is replaced by the value.",
            "propertyNames": {"pattern": "^[a-z_][a-z0-9_]*$"},
            "additionalProperties": {
                "anyOf": [
                    {"type": "array", "items": {"type": ["string", "integer", "boolean"]}, "minItems": 1, "uniqueItems": true},
                    {"type": "string", "enum": names}
                ]
            }
        })
    }
}

/// Whether `name` may name a variable: lower-case ASCII letters, digits and `_`.
pub(super) fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Matrix {
    /// Every combination of values, in file order (the last variable varies fastest).
    pub fn combinations(&self) -> Vec<Vec<(String, String)>> {
        let mut out: Vec<Vec<(String, String)>> = vec![Vec::new()];
        for (name, values) in self.0.iter() {
            out = out
                .into_iter()
                .flat_map(|prefix| {
                    values.value.0.iter().map(move |v| {
                        let mut next = prefix.clone();
                        next.push((name.value.clone(), v.clone()));
                        next
                    })
                })
                .collect();
        }
        out
    }
}

/// A `${name}` in the file as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Reference {
    pub name: String,
    pub pos: Pos,
}

/// Every `${name}` in `text` outside comments, with its position.
pub(super) fn references(text: &str) -> Vec<Reference> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = strip_comment(line);
        let mut rest = code;
        let mut offset = 0;
        while let Some(start) = rest.find("${") {
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else { break };
            let column = code[..offset + start].chars().count() + 1;
            out.push(Reference {
                name: after[..end].to_owned(),
                pos: Pos {
                    line: u32::try_from(i + 1).unwrap_or(u32::MAX),
                    column: u32::try_from(column).unwrap_or(u32::MAX),
                },
            });
            offset += start + 2 + end + 1;
            rest = &code[offset..];
        }
    }
    out
}

/// The part of a line before a YAML comment (a `#` at the start or after a space, outside quotes).
fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && prev.is_whitespace() => return &line[..i],
            None => {}
        }
        prev = c;
    }
    line
}

/// Text after substitution, with what is needed to map its columns back to the original.
#[derive(Debug, Clone)]
pub(super) struct Substituted {
    pub(super) text: String,
    /// Per replaced reference: line, column in the new text where the value starts, the value's
    /// length and the reference's length (columns in characters).
    edits: Vec<Edit>,
}

#[derive(Debug, Clone, Copy)]
struct Edit {
    line: u32,
    new_column: u32,
    new_len: u32,
    old_len: u32,
}

/// What [`substitute`] writes for a `${name}` that has no value in the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Placeholder {
    /// `_` as many times as the reference is long: valid YAML anywhere, same positions.
    Blank,
    /// `$⟨name⟩`, the runner's marker for a captured variable: the same number of characters as
    /// `${name}` but without the braces, which YAML reads as a mapping inside `{…}`.
    Runtime,
}

/// How a runtime marker opens and closes (see [`Placeholder::Runtime`]).
pub const MARKER_OPEN: &str = "$\u{27E8}";
pub const MARKER_CLOSE: char = '\u{27E9}';

/// The marker a captured variable `${name}` becomes in parsed scenarios (see [`Placeholder`]).
pub fn runtime_marker(name: &str) -> String {
    format!("{MARKER_OPEN}{name}{MARKER_CLOSE}")
}

/// Text as the scenario's author wrote it: runtime markers back to `${name}`.
pub fn as_written(text: &str) -> String {
    text.replace(MARKER_OPEN, "${").replace(MARKER_CLOSE, "}")
}

/// Replaces each `${name}` outside comments: with its value when `values` has one, else with
/// `placeholder`.
pub(super) fn substitute(
    text: &str,
    values: &[(String, String)],
    placeholder: Placeholder,
) -> Substituted {
    let mut edits = Vec::new();
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let code_len = strip_comment(line).len();
        let mut new_line = String::with_capacity(line.len());
        let mut rest = line;
        let mut consumed = 0;
        while let Some(start) = rest.find("${").filter(|s| consumed + s < code_len) {
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else { break };
            let name = &after[..end];
            new_line.push_str(&rest[..start]);
            let reference = &rest[start..start + 2 + end + 1];
            match values.iter().find(|(n, _)| n == name) {
                Some((_, value)) => {
                    edits.push(Edit {
                        line: line_no,
                        new_column: u32::try_from(new_line.chars().count() + 1).unwrap_or(u32::MAX),
                        new_len: u32::try_from(value.chars().count()).unwrap_or(u32::MAX),
                        old_len: u32::try_from(reference.chars().count()).unwrap_or(u32::MAX),
                    });
                    new_line.push_str(value);
                }
                None => match placeholder {
                    Placeholder::Blank => new_line.push_str(&"_".repeat(reference.chars().count())),
                    Placeholder::Runtime => new_line.push_str(&runtime_marker(name)),
                },
            }
            consumed += start + reference.len();
            rest = &rest[start + reference.len()..];
        }
        new_line.push_str(rest);
        out.push_str(&new_line);
    }
    Substituted { text: out, edits }
}

impl Substituted {
    /// The position in the original text of `pos` in the substituted text. A position inside a
    /// substituted value maps to the start of its `${name}`.
    pub(super) fn original(&self, pos: Pos) -> Pos {
        let mut shift: i64 = 0;
        for e in self.edits.iter().filter(|e| e.line == pos.line) {
            if pos.column < e.new_column {
                break;
            }
            if pos.column < e.new_column + e.new_len {
                return Pos {
                    line: pos.line,
                    column: u32::try_from(i64::from(e.new_column) + shift).unwrap_or(pos.column),
                };
            }
            shift += i64::from(e.old_len) - i64::from(e.new_len);
        }
        Pos {
            line: pos.line,
            column: u32::try_from(i64::from(pos.column) + shift).unwrap_or(pos.column),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, column: u32) -> Pos {
        Pos { line, column }
    }

    #[test]
    fn substitution_maps_columns_back_to_the_file_as_written() {
        let text = "a: ${j} y ${dialect} # ${comentario}\nb: ${j}x\nc: ${captura}\n";
        let values = [
            ("j".to_owned(), "jalisco".to_owned()),
            ("dialect".to_owned(), "legacy".to_owned()),
        ];
        let s = substitute(text, &values, Placeholder::Runtime);
        assert_eq!(
            s.text,
            "a: jalisco y legacy # ${comentario}\nb: jaliscox\nc: $⟨captura⟩\n"
        );
        let blank = substitute(text, &values[..1], Placeholder::Blank);
        assert_eq!(
            blank.text,
            "a: jalisco y __________ # ${comentario}\nb: jaliscox\nc: __________\n"
        );
        // Before any value, inside a value, and after values on the same line.
        assert_eq!(s.original(pos(1, 1)), pos(1, 1));
        assert_eq!(s.original(pos(1, 6)), pos(1, 4));
        assert_eq!(s.original(pos(1, 12)), pos(1, 9));
        assert_eq!(s.original(pos(1, 14)), pos(1, 11));
        assert_eq!(s.original(pos(1, 21)), pos(1, 22));
        assert_eq!(s.original(pos(2, 11)), pos(2, 8));
        assert_eq!(s.original(pos(3, 4)), pos(3, 4));
    }

    #[test]
    fn references_skip_comments_and_report_positions() {
        let refs = references("a: ${j}\n# ${no}\nb: \"#\" ${folio} # ${tampoco}\n");
        let found: Vec<(&str, Pos)> = refs.iter().map(|r| (r.name.as_str(), r.pos)).collect();
        assert_eq!(found, [("j", pos(1, 4)), ("folio", pos(3, 8))]);
    }

    #[test]
    fn combinations_vary_the_last_variable_fastest() {
        let m: Matrix = serde_saphyr::from_str("j: [a, b]\nd: dialects\n").unwrap();
        let names: Vec<String> = m
            .combinations()
            .iter()
            .map(|c| {
                c.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect();
        assert_eq!(
            names,
            [
                "j=a,d=modern",
                "j=a,d=legacy",
                "j=b,d=modern",
                "j=b,d=legacy"
            ]
        );
        let all: Matrix = serde_saphyr::from_str("j: jurisdicciones\n").unwrap();
        assert_eq!(all.combinations().len(), 33);
    }
}
