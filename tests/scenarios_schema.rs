//! docs/scenario.schema.json is generated from the Rust types; this test fails when it is stale.
//! Regenerate with `UPDATE_SCHEMA=1 cargo test -p pnt-suite --test scenarios_schema`.

use std::path::Path;

use pnt_suite::scenario::{ActionKind, json_schema};

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
    // A bare action may also be a `${name}` of the matrix: its list is the first alternative.
    let bare: Vec<&str> = variants[0]["anyOf"][0]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let former_bare = ActionKind::ALL
        .iter()
        .filter(|k| k.bare().is_some())
        .filter_map(|k| k.former_name());
    assert_eq!(
        bare,
        ActionKind::bare_names()
            .chain(former_bare)
            .collect::<Vec<_>>()
    );
    let keyed = |deprecated: bool| -> Vec<&str> {
        variants[1..]
            .iter()
            .filter(|v| v.get("required").is_some())
            .filter(|v| v.get("deprecated").is_some() == deprecated)
            .map(|v| v["required"][0].as_str().unwrap())
            .collect()
    };
    assert_eq!(keyed(false), ActionKind::names().collect::<Vec<_>>());
    // The former keys are still accepted, so the schema accepts them too, marked deprecated.
    let former: Vec<&str> = ActionKind::ALL
        .iter()
        .filter_map(|k| k.former_name())
        .collect();
    assert_eq!(keyed(true), former);
}

/// The file read as an editor reads it: YAML 1.2 with no substitution of `${name}` and no
/// special case for folios, so `{}` is an empty mapping and `${dialect}` a text.
fn read_as_editor(text: &str) -> Result<serde_json::Value, String> {
    serde_saphyr::from_str::<serde_json::Value>(text).map_err(|e| e.to_string())
}

/// A validator built by the `jsonschema` crate, independent of schemars and of the runner's
/// parser, for the scenario schema or one of its parts.
fn validator(schema: &serde_json::Value) -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("the committed schema is a valid JSON Schema")
}

fn committed_schema() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(COMMITTED);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every error of `value` against `validator`, one line each, with the instance path.
fn violations(validator: &jsonschema::Validator, value: &serde_json::Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| format!("  at `{}`: {e}", e.instance_path()))
        .collect()
}

/// Every shipped scenario file: `*.yaml`, `*.yml`, and the slow ones kept as `*.yaml.lento`.
fn shipped_scenarios() -> Vec<std::path::PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                walk(&path, out);
            } else if [".yaml", ".yml", ".yaml.lento"]
                .iter()
                .any(|ext| name.ends_with(ext))
            {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"),
        &mut out,
    );
    out.sort();
    out
}

#[test]
fn every_shipped_scenario_validates_against_the_schema() {
    let validator = validator(&committed_schema());
    let files = shipped_scenarios();
    assert!(
        files.len() >= 40,
        "only {} scenario files found",
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        let shown = file
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .display();
        match read_as_editor(&std::fs::read_to_string(file).unwrap()) {
            Err(e) => failures.push(format!("{shown}: not YAML 1.2: {e}")),
            Ok(value) => {
                let found = violations(&validator, &value);
                if !found.is_empty() {
                    failures.push(format!("{shown}:\n{}", found.join("\n")));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} shipped scenarios do not validate against {COMMITTED}:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

/// A fenced YAML block of docs/scenarios.md: its first line and what it claims to be.
struct Example {
    line: usize,
    /// The info string after `yaml`: empty for a whole scenario, `fragment` for some top-level
    /// keys of one (docs/scenarios.md, "About the examples").
    kind: String,
    text: String,
}

fn doc_examples(markdown: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut current: Option<Example> = None;
    for (i, line) in markdown.lines().enumerate() {
        match &mut current {
            None => {
                if let Some(info) = line.strip_prefix("```yaml") {
                    current = Some(Example {
                        line: i + 1,
                        kind: info.trim().to_owned(),
                        text: String::new(),
                    });
                }
            }
            Some(example) if line.starts_with("```") => {
                out.push(std::mem::replace(
                    example,
                    Example {
                        line: 0,
                        kind: String::new(),
                        text: String::new(),
                    },
                ));
                current = None;
            }
            Some(example) => {
                example.text.push_str(line);
                example.text.push('\n');
            }
        }
    }
    assert!(
        current.is_none(),
        "docs/scenarios.md has an unclosed ```yaml block"
    );
    out
}

#[test]
fn every_yaml_example_in_the_docs_validates_against_the_schema() {
    let schema = committed_schema();
    let whole = validator(&schema);
    // A fragment holds some top-level keys of a scenario: the same schema without `required`.
    let mut partial = schema.clone();
    partial.as_object_mut().unwrap().remove("required");
    let fragment = validator(&partial);

    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scenarios.md");
    let examples = doc_examples(&std::fs::read_to_string(docs).unwrap());
    assert!(
        examples.len() >= 5,
        "only {} examples found",
        examples.len()
    );
    let mut failures = Vec::new();
    for example in &examples {
        let validator = match example.kind.as_str() {
            "" => &whole,
            "fragment" => &fragment,
            // Not a scenario: a `run --expect-failures` file, read as the runner reads it and
            // checked against the shipped scenarios and the requirements catalog.
            "expect-failures" => {
                let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
                let files = pnt_suite::scenario::find_files(&[root]).unwrap();
                let read = pnt_suite::report::expected::ExpectedFailures::parse(
                    Path::new("docs/scenarios.md"),
                    &example.text,
                )
                .and_then(|e| e.check(&files));
                if let Err(e) = read {
                    failures.push(format!("docs/scenarios.md:{}: {e}", example.line));
                }
                continue;
            }
            other => {
                failures.push(format!(
                    "docs/scenarios.md:{}: unknown kind of example `{other}` (write ```yaml, ```yaml fragment or ```yaml expect-failures)",
                    example.line
                ));
                continue;
            }
        };
        match read_as_editor(&example.text) {
            Err(e) => failures.push(format!(
                "docs/scenarios.md:{}: not YAML 1.2: {e}",
                example.line
            )),
            Ok(value) => {
                let found = violations(validator, &value);
                if !found.is_empty() {
                    failures.push(format!(
                        "docs/scenarios.md:{} ({}):\n{}",
                        example.line,
                        if example.kind.is_empty() {
                            "scenario"
                        } else {
                            "fragment"
                        },
                        found.join("\n")
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} YAML examples in docs/scenarios.md do not validate against {COMMITTED}:\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n")
    );
}

/// The runner and the schema agree on small files that differ from a valid one in one place:
/// both accept or both refuse. Coherence the schema cannot express (users, references) is kept
/// valid in every case.
#[test]
fn the_schema_and_the_runner_agree_on_edge_cases() {
    let validator = validator(&committed_schema());
    let base = "name: x\nclock: {hoy: 2021-09-20}\npnt:\n  users:\n    ana: {}\n";
    let cases: &[(&str, bool)] = &[
        // Actions without arguments: nothing or `{}`, never anything else.
        (
            "steps:\n  - vinculaciones: {}\n    expect: {counts: {.: 1}}\n",
            true,
        ),
        ("steps:\n  - vinculaciones:\n", true),
        ("steps:\n  - quejas: {}\n    as: ana\n", true),
        ("steps:\n  - restart: {}\n", true),
        ("steps:\n  - clear_faults: {}\n", true),
        ("steps:\n  - cerrar_sesion: {}\n", true),
        ("steps:\n  - cerrar_sesion: ana\n", true),
        ("steps:\n  - restart: 5\n", false),
        ("steps:\n  - vinculaciones: {todas: true}\n", false),
        ("steps:\n  - quejas: [1]\n", false),
        ("steps:\n  - cerrar_sesion: {user: ana}\n", false),
        ("steps:\n  - historial: {}\n", true),
        ("steps:\n  - historial: {semaforo: rojo}\n", false),
        (
            "steps:\n  - vinular: {jurisdiccion: jalisco, usuario: u}\n",
            false,
        ),
        ("steps:\n  - detalle: 123\n", true),
        // The former keys: still accepted by both (the runner warns, the schema marks them
        // deprecated), with the same arguments as the current ones.
        ("steps:\n  - history\n  - details: 123\n", true),
        ("steps:\n  - login: {user: ana, contrasena: x}\n", true),
        ("steps:\n  - history: {semaforo: rojo}\n", false),
        ("steps:\n  - logout: {user: ana}\n", false),
        // A jurisdiction by slug, name or INEGI code (a number to YAML).
        (
            "steps:\n  - vincular: {jurisdiccion: 14, usuario: u}\n",
            true,
        ),
        (
            "steps:\n  - vincular: {jurisdiccion: Jalisco, usuario: u}\n",
            true,
        ),
        (
            "steps:\n  - vincular: {jurisdiccion: 34, usuario: u}\n",
            false,
        ),
        (
            "infomex:\n  faults:\n    - {kind: hang, jurisdiccion: 9}\nsteps: []\n",
            true,
        ),
        // Matrix variables in places that are not texts.
        (
            "matrix:\n  d: dialects\ninfomex:\n  dialects:\n    jalisco: ${d}\nsteps: []\n",
            true,
        ),
        (
            "infomex:\n  dialects:\n    jalisco: moderno\nsteps: []\n",
            false,
        ),
        ("matrix:\n  s: [7, 8]\nseed: ${s}\nsteps: []\n", true),
        (
            "matrix:\n  a: [cerrar_sesion, restart]\nsteps:\n  - ${a}\n",
            true,
        ),
        (
            "matrix:\n  k: [hang, reset]\ninfomex:\n  faults:\n    - {kind: \"${k}\"}\nsteps: []\n",
            true,
        ),
        (
            "matrix:\n  f: [2021-09-21]\nsteps:\n  - set_clock: ${f}\n",
            true,
        ),
        // Values out of their range or set.
        ("steps:\n  - set_clock: 2021-02-30\n", false),
        ("steps:\n  - set_clock: mañana\n", false),
        (
            "steps:\n  - historial: {}\n    expect: {status: 999}\n",
            false,
        ),
        (
            "steps:\n  - historial: {}\n    expect: {status: [200, 409]}\n",
            true,
        ),
        // Sent as written, so a scenario can test that the API refuses them.
        (
            "steps:\n  - historial: {pagina: 0, por_pagina: 101}\n",
            true,
        ),
        ("infomex: {max_intentos: 0}\nsteps: []\n", true),
        // What each fault kind needs and takes.
        (
            "infomex:\n  faults:\n    - {kind: http_status, status: 503}\nsteps: []\n",
            true,
        ),
        (
            "infomex:\n  faults:\n    - {kind: http_status}\nsteps: []\n",
            false,
        ),
        (
            "infomex:\n  faults:\n    - {kind: http_status, status: 404}\nsteps: []\n",
            false,
        ),
        (
            "infomex:\n  faults:\n    - {kind: hang, status: 503}\nsteps: []\n",
            false,
        ),
        (
            "infomex:\n  faults:\n    - {kind: missing_from_list}\nsteps: []\n",
            true,
        ),
        (
            "infomex:\n  faults:\n    - {kind: delay, ms: 5, probability: 1.5}\nsteps: []\n",
            false,
        ),
        ("steps:\n  - faults:\n      - {kind: rate_limited}\n", false),
        (
            "infomex:\n  faults:\n    - {kind: hang, nth: 0}\nsteps: []\n",
            false,
        ),
        (
            "infomex:\n  faults:\n    - {kind: hnag}\nsteps: []\n",
            false,
        ),
        (
            "steps:\n  - historial: {}\n    expect: {error: no_existe}\n",
            false,
        ),
        ("sede: 1\nsteps: []\n", false),
        // Selectors, as keys of expectations and as values of `capture`.
        (
            "steps:\n  - historial: {}\n    expect:\n      fields: {\"solicitudes[0].folio\": x, \".\": y, \"[0]\": z}\n",
            true,
        ),
        (
            "steps:\n  - historial: {}\n    expect:\n      counts: {\"a.[0][*]\": 1}\n",
            true,
        ),
        (
            "steps:\n  - historial: {}\n    expect:\n      fields: {\"solicitudes[0.folio\": x}\n",
            false,
        ),
        (
            "steps:\n  - historial: {}\n    expect:\n      every: {\"a..b\": x}\n",
            false,
        ),
        (
            "steps:\n  - historial: {}\n    expect:\n      contains: {\"a[x]\": x}\n",
            false,
        ),
        (
            "steps:\n  - historial: {}\n    expect:\n      excludes: {\"a[0]b\": x}\n",
            false,
        ),
        (
            "steps:\n  - historial: {}\n    expect:\n      counts: {\"a]\": 1}\n",
            false,
        ),
        (
            "steps:\n  - historial: {}\n    expect:\n      counts: {\".a\": 1}\n",
            false,
        ),
        (
            "steps:\n  - historial: {}\n    capture: {folio: \"solicitudes[*].folio\"}\n",
            true,
        ),
        (
            "steps:\n  - historial: {}\n    capture: {folio: \"solicitudes[-1].folio\"}\n",
            false,
        ),
        // Numbers where a text goes.
        (
            "steps:\n  - vincular: {jurisdiccion: jalisco, usuario: 123}\n",
            true,
        ),
        (
            "steps:\n  - historial: {}\n    expect: {contains: {estado: 5}}\n",
            true,
        ),
        ("steps:\n  - detalle: {folio: 123}\n", true),
        ("description: 5\nsteps: []\n", true),
        ("description: 1.5\nsteps: []\n", true),
        ("description: true\nsteps: []\n", true),
        ("description: 0x1F\nsteps: []\n", true),
        ("description: 1e3\nsteps: []\n", true),
        ("steps:\n  - historial: {}\n    capture: {folio: 5}\n", true),
        ("steps:\n  - set_clock: 20210920\n", false),
        ("steps:\n  - historial: {}\n    expect: {error: 5}\n", false),
        ("matrix:\n  j: [a, a]\nsteps: []\n", false),
        // Keys written with nothing after them: only `expect` (and the optional `clock`) may be.
        ("steps:\n  - historial: {}\n    expect:\n", true),
        ("steps:\n  - historial: {}\n    capture:\n", false),
        ("steps:\n  - historial: {}\n    as:\n", false),
        ("description:\nsteps: []\n", false),
        ("matrix:\nsteps: []\n", false),
        ("infomex:\nsteps: []\n", false),
        ("infomex:\n  faults:\nsteps: []\n", false),
        ("seed:\nsteps: []\n", false),
        ("steps:\n", false),
    ];
    let mut disagreements = Vec::new();
    for (part, valid) in cases {
        let text = format!("{base}{part}");
        let runner = pnt_suite::scenario::load_str(Path::new("caso.yaml"), &text);
        let schema = read_as_editor(&text).map(|v| violations(&validator, &v));
        let schema_ok = matches!(&schema, Ok(v) if v.is_empty());
        if runner.is_ok() != *valid || schema_ok != *valid {
            disagreements.push(format!(
                "{part:?}: expected {}, runner {}, schema {}",
                if *valid { "valid" } else { "invalid" },
                match &runner {
                    Ok(_) => "accepts".to_owned(),
                    Err(e) => format!("refuses ({e})"),
                },
                match &schema {
                    Ok(v) if v.is_empty() => "accepts".to_owned(),
                    Ok(v) => format!("refuses:\n{}", v.join("\n")),
                    Err(e) => format!("cannot read it: {e}"),
                }
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "the runner and {COMMITTED} disagree:\n{}",
        disagreements.join("\n")
    );
}
