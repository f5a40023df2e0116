//! The JSON Schema of the scenario format, generated from the types so it cannot drift from
//! what the parser accepts. Committed as `docs/scenario.schema.json` for editors
//! (`# yaml-language-server: $schema=…`).
//!
//! Editors read the file as written, before the runner replaces `${name}`: where the format
//! wants a number, a date or one word of a set (a dialect, a fault kind), a file may hold a
//! `${name}` the runner replaces by each matrix value before it reads the file. The types
//! describe the values after that replacement, so [`accept_variables`] lets every such place
//! also hold a `${name}`; the runner checks each value it takes.

use serde_json::{Map, Value, json};

use infomex_sim::FaultKindName;
use infomex_sim::fault::KIND_FIELDS;

use super::Scenario;

/// The name of the definition of a `${name}` in the schema.
const VARIABLE: &str = "Variable";

/// The schema, pretty-printed, ending with a newline.
pub fn json_schema() -> String {
    let mut schema = schemars::schema_for!(Scenario).to_value();
    fault_rules(&mut schema);
    accept_variables(&mut schema);
    let root = schema
        .as_object_mut()
        .expect("a schema of a struct is an object");
    root.insert(
        "$comment".to_owned(),
        "Generated from src/scenario by `UPDATE_SCHEMA=1 cargo test -p pnt-suite --test scenarios_schema`; do not edit by hand.".into(),
    );
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema is plain JSON");
    text.push('\n');
    text
}

/// Adds to `$defs/Fault` what [`FaultSpec::check`](infomex_sim::FaultSpec::check) requires of
/// each kind: the field it needs, and no field it does not take. Both come from the simulator's
/// catalog ([`FaultKindName`]), the one list of kinds and their fields.
fn fault_rules(root: &mut Value) {
    let rules: Vec<Value> = FaultKindName::ALL
        .iter()
        .map(|kind| {
            let forbidden: Map<String, Value> = KIND_FIELDS
                .iter()
                .filter(|f| !kind.fields().contains(f))
                .map(|f| ((*f).to_owned(), Value::Bool(false)))
                .collect();
            let mut then = json!({"properties": forbidden});
            if let Some(required) = kind.required_field() {
                then["required"] = json!([required]);
            }
            json!({
                "if": {"properties": {"kind": {"const": kind.name()}}, "required": ["kind"]},
                "then": then
            })
        })
        .collect();
    let fault = root
        .pointer_mut("/$defs/Fault")
        .and_then(Value::as_object_mut)
        .expect("Fault is defined");
    fault.insert("allOf".to_owned(), Value::Array(rules));
}

/// Lets every constrained scalar of the schema (numbers, booleans, dates, words of a set) also
/// be a text holding a `${name}`, and defines that text as `$defs/Variable`.
fn accept_variables(root: &mut Value) {
    let Some(object) = root.as_object_mut() else {
        return;
    };
    if let Some(Value::Object(defs)) = object.get_mut("$defs") {
        // The matrix is read before any replacement: a variable there stands for nothing.
        for (_, def) in defs.iter_mut().filter(|(name, _)| *name != "Matrix") {
            visit(def);
        }
    }
    visit_children(object);
    let defs = object
        .entry("$defs")
        .or_insert_with(|| Value::Object(Map::new()));
    defs.as_object_mut().expect("$defs is an object").insert(
        VARIABLE.to_owned(),
        json!({
            "type": "string",
            "pattern": r"\$\{[^}]+\}",
            "description": "A text holding `${name}`, which the runner replaces before it reads the file: a matrix variable (any place; the runner checks each of its values) or a value an earlier step captured (texts only)."
        }),
    );
}

/// Wraps `schema` if it constrains a scalar, else looks inside it; and lets a text be written
/// as a plain number or boolean (see [`widen_text`]).
fn visit(schema: &mut Value) {
    let Value::Object(object) = schema else {
        return;
    };
    let wrap = constrains_scalar(object);
    widen_text(object);
    if !wrap {
        visit_children(object);
        return;
    }
    // Annotations stay outside, where editors show them on hover.
    let mut outer = Map::new();
    for key in ["title", "description", "default", "examples"] {
        if let Some(v) = object.remove(key) {
            outer.insert(key.to_owned(), v);
        }
    }
    let inner = Value::Object(std::mem::take(object));
    outer.insert(
        "anyOf".to_owned(),
        json!([inner, {"$ref": format!("#/$defs/{VARIABLE}")}]),
    );
    *object = outer;
}

/// The runner reads a plain scalar where it wants a text as that text (`usuario: 123` is the
/// user "123"), while an editor reads `123` as a number: so a text may also be a number or a
/// boolean, unless it must be one word of a set or have a format (a date), which the number's
/// text never is. A pattern still applies to texts only; the one the format has (selectors)
/// accepts the text of every number and boolean.
fn widen_text(object: &mut Map<String, Value>) {
    if ["enum", "const", "format"]
        .iter()
        .any(|k| object.contains_key(*k))
    {
        return;
    }
    let widened = match object.get("type") {
        Some(Value::String(t)) if t == "string" => json!(["string", "number", "boolean"]),
        Some(Value::Array(types)) if types == &[json!("string"), json!("null")] => {
            json!(["string", "number", "boolean", "null"])
        }
        _ => return,
    };
    object.insert("type".to_owned(), widened);
}

/// The subschemas a value of the file may meet: properties, map values, list items and the
/// alternatives of `anyOf`/`oneOf`/`allOf`. Property names are left alone: a variable is a
/// value, never a key of the format.
fn visit_children(object: &mut Map<String, Value>) {
    if let Some(Value::Object(properties)) = object.get_mut("properties") {
        for p in properties.values_mut() {
            visit(p);
        }
    }
    for key in ["additionalProperties", "items"] {
        if let Some(child) = object.get_mut(key) {
            visit(child);
        }
    }
    for key in ["anyOf", "oneOf", "allOf", "prefixItems"] {
        if let Some(Value::Array(alternatives)) = object.get_mut(key) {
            for a in alternatives {
                visit(a);
            }
        }
    }
}

/// Whether a schema accepts only some scalars other than any text or null: a number, a
/// boolean, a formatted text (a date), or one value of a set (also as alternatives).
fn constrains_scalar(object: &Map<String, Value>) -> bool {
    if object.contains_key("$ref") {
        // The definition it points to is wrapped once, where it is defined.
        return false;
    }
    if object.contains_key("enum") || object.contains_key("const") {
        return true;
    }
    if let Some(t) = object.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if types
            .iter()
            .any(|t| ["integer", "number", "boolean"].contains(t))
        {
            return types.iter().all(|t| !["object", "array"].contains(t));
        }
        return types == ["string"]
            && ["format", "pattern", "minLength", "maxLength"]
                .iter()
                .any(|k| object.contains_key(*k));
    }
    let alternatives = object
        .get("oneOf")
        .or_else(|| object.get("anyOf"))
        .and_then(Value::as_array);
    alternatives.is_some_and(|alts| {
        !alts.is_empty()
            && alts
                .iter()
                .all(|a| a.as_object().is_some_and(constrains_scalar))
    })
}
