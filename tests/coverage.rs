//! `pnt-suite coverage` on the shipped scenarios and on a selection missing one: every
//! requirement is covered or says why not, and removing a requirement's only scenario is caught.

use std::path::PathBuf;
use std::process::{Command, Output};

use pnt_suite::scenario::find_files;

fn pnt_suite(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pnt-suite"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn every_requirement_is_covered_by_the_shipped_scenarios_or_says_why_not() {
    let out = pnt_suite(&["coverage", "scenarios", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let c: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c["sin_cubrir_sin_razon"], serde_json::json!([]));
    for r in c["requisitos"].as_array().unwrap() {
        let covered = !r["escenarios"].as_array().unwrap().is_empty();
        assert!(covered || r["sin_cubrir"].is_string(), "{r}");
    }
    let seed = c["requisitos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "R-HIST-04")
        .unwrap();
    assert_eq!(
        seed["escenarios"],
        serde_json::json!(["vinculacion/solicitud-semilla.yaml"])
    );
    // The fault matrix: a fault pinned to an endpoint and a jurisdiction is one cell.
    assert!(
        c["fallas"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({
            "falla": "bad_checksum", "operacion": "adjunto", "jurisdiccion": "federacion",
            "escenarios": ["fallas/suma-de-verificacion-incorrecta.yaml"]})),
        "{:#}",
        c["fallas"]
    );

    let out = pnt_suite(&["coverage"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("  R-HIST-04   1  vinculacion/solicitud-semilla.yaml\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Jurisdicción × falla × operación"),
        "{stdout}"
    );
    assert!(stdout.contains("  – R-SES-06: "), "{stdout}");
}

#[test]
fn a_selection_missing_the_only_scenario_of_a_requirement_exits_1() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    // plazos/prevencion.yaml is the only scenario that declares R-PLAZO-06.
    let files: Vec<String> = find_files(&[root])
        .unwrap()
        .into_iter()
        .filter(|f| !f.ends_with("plazos/prevencion.yaml"))
        .map(|f| f.display().to_string())
        .collect();
    let mut args = vec!["coverage"];
    args.extend(files.iter().map(String::as_str));
    let out = pnt_suite(&args);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("  ✗ R-PLAZO-06: ningún escenario lo declara"),
        "{stdout}"
    );
    assert!(
        stdout.contains("[código: requisito_sin_cubrir]"),
        "{stdout}"
    );
    // Only that one: the others are still covered.
    assert_eq!(
        stdout.matches("requisito_sin_cubrir").count(),
        1,
        "{stdout}"
    );
}
