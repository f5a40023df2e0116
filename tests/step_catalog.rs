//! The scenario actions are declared once (`ActionKind::ALL`, from the `actions!` table in
//! src/scenario/step.rs); everything that describes an action to a person or an editor must
//! follow it. An action added to the table fails here until docs/scenarios.md has its row, and
//! the committed schema its entry; a former key, until the renaming table lists it.

use std::collections::BTreeMap;
use std::path::Path;

use pnt_suite::scenario::{ActionKind, load_str};

fn read(path: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The rows of the first Markdown table after the line that starts with `header`, as cells.
fn table_after(doc: &str, header: &str) -> Vec<Vec<String>> {
    let mut lines = doc.lines().skip_while(|l| !l.starts_with(header));
    assert!(lines.next().is_some(), "no table `{header}`");
    lines
        .skip(1) // The `| --- |` line.
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().trim_matches('`').to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn every_action_has_its_row_in_the_docs_in_order() {
    let rows = table_after(
        &read("docs/scenarios.md"),
        "| action | argument | what it does |",
    );
    let documented: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let declared: Vec<&str> = ActionKind::names().collect();
    assert_eq!(
        documented, declared,
        "docs/scenarios.md's table of steps must list every action of ActionKind::ALL, in order"
    );
}

#[test]
fn every_former_key_is_in_the_renaming_table() {
    let rows = table_after(&read("docs/scenarios.md"), "| former key | current key |");
    let documented: BTreeMap<&str, &str> = rows
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    let declared: BTreeMap<&str, &str> = ActionKind::ALL
        .iter()
        .filter_map(|k| Some((k.former_name()?, k.name())))
        .collect();
    assert_eq!(documented, declared);
}

#[test]
fn the_committed_schema_has_every_action() {
    let schema: serde_json::Value =
        serde_json::from_str(&read("docs/scenario.schema.json")).unwrap();
    let keyed: Vec<&str> = schema["$defs"]["Step"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["required"][0].as_str())
        .collect();
    for kind in ActionKind::ALL {
        assert!(
            keyed.contains(&kind.name()),
            "docs/scenario.schema.json has no step `{}`; regenerate it",
            kind.name()
        );
    }
    // The generated schema and the committed one are the same (tests/scenarios_schema.rs), so
    // this holds for the generator too.
}

/// A former key reads as the same action as the current one, and is the only thing the
/// warning is about.
#[test]
fn a_former_key_parses_as_its_action_with_a_warning_naming_the_current_one() {
    let file =
        |steps: &str| format!("name: Renombres\npnt:\n  users:\n    ana: {{}}\nsteps:\n{steps}");
    let current = load_str(
        Path::new("nuevo.yaml"),
        &file("  - registrar: ana\n  - iniciar_sesion: ana\n  - historial\n  - detalle: \"1\"\n"),
    )
    .unwrap();
    let former = load_str(
        Path::new("viejo.yaml"),
        &file("  - register: ana\n  - login: ana\n  - history\n  - details: \"1\"\n"),
    )
    .unwrap();
    let actions = |i: &pnt_suite::scenario::Instance| -> Vec<_> {
        i.scenario.steps.iter().map(|s| s.action.clone()).collect()
    };
    assert_eq!(actions(&current[0]), actions(&former[0]));
    assert!(current[0].warnings.is_empty());
    let warnings: Vec<String> = former[0]
        .warnings
        .iter()
        .map(|w| format!("{} {}", w.code, w.located()))
        .collect();
    assert_eq!(
        warnings,
        [
            "paso_obsoleto viejo.yaml:6:5: el paso `register` ahora se llama `registrar`; escriba `registrar` (`register` se sigue aceptando por ahora)",
            "paso_obsoleto viejo.yaml:7:5: el paso `login` ahora se llama `iniciar_sesion`; escriba `iniciar_sesion` (`login` se sigue aceptando por ahora)",
            "paso_obsoleto viejo.yaml:8:5: el paso `history` ahora se llama `historial`; escriba `historial` (`history` se sigue aceptando por ahora)",
            "paso_obsoleto viejo.yaml:9:5: el paso `details` ahora se llama `detalle`; escriba `detalle` (`details` se sigue aceptando por ahora)",
        ]
    );
}
