//! Variables captured during a run (`capture:`) and their use as `${name}` in later steps.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::scenario::{MARKER_CLOSE as CLOSE, MARKER_OPEN as OPEN};

/// A `${name}` used before any step captured it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("la variable `${{{name}}}` aún no tiene valor: ningún paso anterior la capturó")]
pub struct UnsetVariable {
    pub name: String,
}

impl UnsetVariable {
    /// Stable machine code of this failure.
    pub const CODE: &'static str = "variable_sin_valor";
}

/// The variables captured so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vars(BTreeMap<String, String>);

impl Vars {
    pub fn set(&mut self, name: &str, value: &Value) {
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        self.0.insert(name.to_owned(), text);
    }

    /// `text` with every captured variable replaced; the error names the first one not
    /// captured yet.
    pub fn resolve(&self, text: &str) -> Result<String, UnsetVariable> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find(OPEN) {
            out.push_str(&rest[..start]);
            let after = &rest[start + OPEN.len()..];
            let Some(end) = after.find(CLOSE) else {
                out.push_str(&rest[start..]);
                return Ok(out);
            };
            let name = &after[..end];
            match self.0.get(name) {
                Some(v) => out.push_str(v),
                None => {
                    return Err(UnsetVariable {
                        name: name.to_owned(),
                    });
                }
            }
            rest = &after[end + CLOSE.len_utf8()..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// A JSON value with variables replaced in every string. A string that is exactly one
    /// variable takes the captured value's JSON type back (a captured number stays a number).
    pub fn resolve_value(&self, value: &Value) -> Result<Value, UnsetVariable> {
        Ok(match value {
            Value::String(s) => {
                let resolved = self.resolve(s)?;
                let whole =
                    s.starts_with(OPEN) && s.ends_with(CLOSE) && s.matches(OPEN).count() == 1;
                match serde_json::from_str::<Value>(&resolved) {
                    Ok(v @ (Value::Number(_) | Value::Bool(_))) if whole => v,
                    _ => Value::String(resolved),
                }
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.resolve_value(v))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.resolve_value(v)?)))
                    .collect::<Result<_, UnsetVariable>>()?,
            ),
            other => other.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{as_written, runtime_marker};
    use serde_json::json;

    #[test]
    fn captured_values_replace_markers_and_missing_ones_are_named() {
        let mut vars = Vars::default();
        vars.set("folio", &json!("JAL-045-012345-19"));
        vars.set("total", &json!(12));
        let text = format!(
            "folio {} de {}",
            runtime_marker("folio"),
            runtime_marker("total")
        );
        assert_eq!(
            vars.resolve(&text).unwrap(),
            "folio JAL-045-012345-19 de 12"
        );
        assert_eq!(
            vars.resolve(&runtime_marker("otro"))
                .unwrap_err()
                .to_string(),
            "la variable `${otro}` aún no tiene valor: ningún paso anterior la capturó"
        );
        assert_eq!(
            vars.resolve_value(
                &json!({"n": runtime_marker("total"), "f": [runtime_marker("folio")]})
            )
            .unwrap(),
            json!({"n": 12, "f": ["JAL-045-012345-19"]})
        );
        assert_eq!(as_written(&text), "folio ${folio} de ${total}");
    }
}
