//! `pnt-suite report merge`: the JSON reports of a run split with `--shard K/N` join into the
//! report of the unsharded run (same scenarios, order, outcomes and totals, same exit code), and
//! anything that is not every part of one run exactly once is refused with exit 2.

#[path = "support/fixtures.rs"]
mod fixtures;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn pnt_suite(args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pnt-suite"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The selection the tests split: the deadline scenarios, two instances of the all-jurisdictions
/// matrix (so a matrix file's instances must come back in file order) and two themes, one of
/// which fails (so outcomes differ and the exit code is 1). 14 instances: 4 parts of 4, 4, 3, 3.
fn selection(dir: &Path) -> Vec<String> {
    fixtures::two_themes(dir);
    [
        "scenarios/plazos",
        "scenarios/vinculacion/todas-las-jurisdicciones.yaml",
        &dir.display().to_string(),
        "--filter",
        "plazos",
        "--filter",
        "oaxaca",
        "--filter",
        "escenario.yaml",
        "--jobs",
        "2",
    ]
    .map(String::from)
    .to_vec()
}

/// Runs the selection (one part of it with `shard`), writing its JSON report to `json`.
fn run(dir: &Path, shard: Option<&str>, json: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["run".to_owned()];
    args.extend(selection(dir));
    if let Some(shard) = shard {
        args.extend(["--shard".to_owned(), shard.to_owned()]);
    }
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args.extend(["--report".to_owned(), format!("json={}", json.display())]);
    pnt_suite(&args)
}

fn merge(files: &[&PathBuf], extra: &[String]) -> Output {
    let mut args = vec!["report".to_owned(), "merge".to_owned()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    args.extend(extra.iter().cloned());
    pnt_suite(&args)
}

/// The report without what depends on the machine (durations) or on the split (`shard`).
fn comparable(path: &Path) -> serde_json::Value {
    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let doc = value.as_object_mut().unwrap();
    doc.remove("duration");
    doc.remove("shard");
    for s in doc["scenarios"].as_array_mut().unwrap() {
        s.as_object_mut().unwrap().remove("duration");
    }
    value
}

fn refused(out: &Output) -> String {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("código: informes_no_combinables"),
        "{stderr}"
    );
    stderr
}

#[test]
fn four_shards_merge_into_the_unsharded_report_and_bad_sets_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = dir.path().join("temas");
    let whole = dir.path().join("entero.json");
    let unsharded = run(&scenarios, None, &whole, &[]);
    assert_eq!(
        unsharded.status.code(),
        Some(1),
        "{}",
        text(&unsharded.stderr)
    );

    let parts: Vec<PathBuf> = (1..=4)
        .map(|k| {
            let json = dir.path().join(format!("parte-{k}.json"));
            let out = run(&scenarios, Some(&format!("{k}/4")), &json, &[]);
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "{}",
                text(&out.stderr)
            );
            json
        })
        .collect();
    let part: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&parts[1]).unwrap()).unwrap();
    assert_eq!(part["shard"]["k"], 2);
    assert_eq!(part["shard"]["n"], 4);
    assert_eq!(part["shard"]["selected"], 14);
    assert_eq!(part["scenarios"].as_array().unwrap().len(), 4);

    // Given out of order: the merge orders by the selection, not by the arguments.
    let merged = dir.path().join("combinado.json");
    let junit = dir.path().join("junit.xml");
    let html = dir.path().join("informe.html");
    let out = merge(
        &[&parts[2], &parts[0], &parts[3], &parts[1]],
        &[
            "--report".into(),
            format!("json={}", merged.display()),
            "--report".into(),
            format!("junit={}", junit.display()),
            "--report".into(),
            format!("html={}", html.display()),
        ],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("Informe combinado de 4 fragmentos: 14 escenarios"),
        "{stdout}"
    );
    assert!(stdout.contains("Una fecha límite equivocada"), "{stdout}");

    let (expected, actual) = (comparable(&whole), comparable(&merged));
    let names = |v: &serde_json::Value| -> Vec<(String, String)> {
        v["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["name"].as_str().unwrap().to_owned(),
                    s["outcome"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(names(&actual), names(&expected));
    assert_eq!(actual["counts"], expected["counts"]);
    assert_eq!(expected["counts"]["failed"], 1);
    assert_eq!(actual, expected);
    let junit = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(junit.matches("<testcase").count(), 14, "{junit}");
    assert!(
        std::fs::read_to_string(&html)
            .unwrap()
            .contains("Una fecha límite equivocada")
    );

    // The same part twice: its scenarios would count twice.
    let stderr = refused(&merge(&[&parts[0], &parts[1], &parts[2], &parts[0]], &[]));
    assert!(stderr.contains("fragmento 1/4"), "{stderr}");
    // A part missing: the totals would not be the run's.
    let stderr = refused(&merge(&[&parts[0], &parts[1], &parts[3]], &[]));
    assert!(stderr.contains("faltan los fragmentos 3/4"), "{stderr}");
    // A part of another selection (one more `--filter` takes two more matrix instances), and a
    // part run with another seed.
    let other = dir.path().join("otra.json");
    run(&scenarios, Some("3/4"), &other, &["--filter", "jalisco"]);
    let stderr = refused(&merge(&[&parts[0], &parts[1], &other, &parts[3]], &[]));
    assert!(stderr.contains("selecciones distintas"), "{stderr}");
    let reseeded = dir.path().join("otra-semilla.json");
    run(&scenarios, Some("3/4"), &reseeded, &["--seed", "7"]);
    let stderr = refused(&merge(&[&parts[0], &parts[1], &reseeded, &parts[3]], &[]));
    assert!(stderr.contains("semillas distintas"), "{stderr}");
    // An unsharded report says nothing of its part.
    let stderr = refused(&merge(&[&whole], &[]));
    assert!(
        stderr.contains("no es el informe de un fragmento"),
        "{stderr}"
    );
}

#[test]
fn unreadable_or_foreign_files_are_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-existe.json");
    let out = merge(&[&missing], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("código: informe_ilegible"));

    let old = dir.path().join("viejo.json");
    std::fs::write(&old, r#"{"format": 2, "scenarios": []}"#).unwrap();
    let out = merge(&[&old], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("código: informe_de_otro_formato"));

    let junk = dir.path().join("basura.json");
    std::fs::write(&junk, "<testsuites/>").unwrap();
    let out = merge(&[&junk], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("código: informe_invalido"));
}

/// `report merge --require-all` judges the merged run as `run --require-all` judges a whole
/// one: a part in which a scenario did not apply merges (exit 0) but is no conformance claim
/// (exit 1, código `no_aplica_con_require_all`).
#[test]
fn require_all_refuses_a_merged_run_with_a_scenario_that_did_not_apply() {
    let dir = tempfile::tempdir().unwrap();
    let parts: Vec<PathBuf> = (1..=2)
        .map(|k| {
            let json = dir.path().join(format!("parte-{k}.json"));
            let out = pnt_suite(&[
                "run".to_owned(),
                "scenarios/plazos".to_owned(),
                "--shard".to_owned(),
                format!("{k}/2"),
                "--report".to_owned(),
                format!("json={}", json.display()),
            ]);
            assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
            json
        })
        .collect();
    let out = merge(&[&parts[0], &parts[1]], &["--require-all".into()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    // What a target without one of the scenario's hooks would have reported for it.
    let mut part: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&parts[1]).unwrap()).unwrap();
    let scenario = &mut part["scenarios"][0];
    scenario["outcome"] = "not_applicable".into();
    scenario["reason"] = "el destino no ofrece el gancho `clock`".into();
    std::fs::write(&parts[1], serde_json::to_vec(&part).unwrap()).unwrap();
    let out = merge(&[&parts[0], &parts[1]], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let out = merge(&[&parts[0], &parts[1]], &["--require-all".into()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("código: no_aplica_con_require_all"),
        "{stdout}"
    );
}
