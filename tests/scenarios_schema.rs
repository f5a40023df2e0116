//! docs/scenario.schema.json is generated from the Rust types; this test fails when it is stale.
//! Regenerate with `UPDATE_SCHEMA=1 cargo test -p pnt-suite --test scenarios_schema`.

use std::path::Path;

use pnt_suite::scenario::{ACTIONS, BARE_ACTIONS, json_schema};

const COMMITTED: &str = "docs/scenario.schema.json";

#[test]
fn committed_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(COMMITTED);
    let generated = json_schema();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{COMMITTED} is stale (the scenario types changed). Regenerate it with:\n\n    \
         UPDATE_SCHEMA=1 cargo test -p pnt-suite --test scenarios_schema\n\nand commit the result."
    );
}

#[test]
fn schema_offers_every_step_and_top_level_key() {
    let schema: serde_json::Value = serde_json::from_str(&json_schema()).unwrap();
    let top: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "name",
        "description",
        "seed",
        "clock",
        "matrix",
        "infomex",
        "pnt",
        "steps",
    ] {
        assert!(top.contains(&key), "{key} missing from {top:?}");
    }
    assert_eq!(schema["required"], serde_json::json!(["name", "steps"]));

    let variants = schema["$defs"]["Step"]["oneOf"].as_array().unwrap();
    let bare: Vec<&str> = variants[0]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(bare, BARE_ACTIONS);
    let keyed: Vec<&str> = variants[1..]
        .iter()
        .map(|v| v["required"][0].as_str().unwrap())
        .collect();
    assert_eq!(keyed, ACTIONS);
}
