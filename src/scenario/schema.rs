//! The JSON Schema of the scenario format, generated from the types so it cannot drift from
//! what the parser accepts. Committed as `docs/scenario.schema.json` for editors
//! (`# yaml-language-server: $schema=…`).

use super::Scenario;

/// The schema, pretty-printed, ending with a newline.
pub fn json_schema() -> String {
    let mut schema = schemars::schema_for!(Scenario);
    schema.insert(
        "$comment".to_owned(),
        "Generated from src/scenario by `UPDATE_SCHEMA=1 cargo test -p pnt-suite --test scenarios_schema`; do not edit by hand.".into(),
    );
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema is plain JSON");
    text.push('\n');
    text
}
