//! `pnt-suite run` as CI drives it: lines as scenarios finish, an interruption that still leaves
//! its reports, `--report` paths checked before anything runs, and the JSON report against its
//! published schema.

#[path = "support/fixtures.rs"]
mod fixtures;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

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

/// A scenario result line as `human.rs` prints it.
fn is_scenario_line(line: &str) -> bool {
    ["✓ PASÓ", "✗ FALLÓ", "– NO APLICA", "! ERROR"]
        .iter()
        .any(|m| line.starts_with(m))
}

#[test]
fn an_interrupted_run_has_printed_and_reported_what_finished() {
    interrupted_by("-INT");
}

/// SIGTERM is how CI systems cancel a job: the same as Ctrl+C.
#[test]
fn a_run_cancelled_by_ci_has_printed_and_reported_what_finished() {
    interrupted_by("-TERM");
}

/// Starts a run of the whole library, waits (reading its piped output) for the first scenario
/// line, sends `signal`, and checks what the run left.
fn interrupted_by(signal: &str) {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let json = dir.path().join("informe.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pnt-suite"))
        .args(["run", "scenarios", "--jobs", "1", "--report"])
        .arg(format!("junit={}", junit.display()))
        .arg("--report")
        .arg(format!("json={}", json.display()))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = Vec::new();
    // Wait for the first scenario's line: it must come while the run goes on, not at its end.
    while printed.is_empty() {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "the run ended before printing a scenario line"
        );
        if is_scenario_line(&line) {
            printed.push(line.trim_end().to_owned());
        }
    }
    let killed = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success(), "the runner was no longer running");
    let mut rest = String::new();
    for line in stdout.lines() {
        let line = line.unwrap();
        if is_scenario_line(&line) {
            printed.push(line.trim_end().to_owned());
        }
        rest.push_str(&line);
        rest.push('\n');
    }
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(130), "{rest}{stderr}");
    assert!(
        rest.contains("INTERRUMPIDO: la corrida se detuvo"),
        "{rest}"
    );
    assert!(rest.contains("(interrumpido):"), "{rest}");

    // The JUnit file parses and holds exactly the scenarios that were printed.
    let xml = std::fs::read_to_string(&junit).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut cases = Vec::new();
    let mut interrupted_property = false;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                let attr = |name: &str| {
                    e.try_get_attribute(name).unwrap().map(|a| {
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .unwrap()
                            .into_owned()
                    })
                };
                match e.name().0 {
                    "testcase" => cases.push(attr("name").unwrap()),
                    "property" => {
                        interrupted_property |= attr("name").as_deref() == Some("interrumpido")
                            && attr("value").as_deref() == Some("true");
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    assert!(interrupted_property, "{xml}");
    assert!(xml.contains("La corrida se interrumpió"), "{xml}");
    assert!(!cases.is_empty());
    assert_eq!(cases.len(), printed.len(), "{xml}\n{printed:#?}");
    for case in &cases {
        assert!(
            printed.iter().any(|l| l.contains(case.as_str())),
            "{case} is in the JUnit file but was not printed: {printed:#?}"
        );
    }

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["interrupted"], true);
    assert_eq!(report["scenarios"].as_array().unwrap().len(), printed.len());
    assert!(report["unfinished"].as_u64().unwrap() > 0, "{report}");
}

#[test]
fn unwritable_report_paths_exit_2_before_any_scenario_runs() {
    let dir = tempfile::tempdir().unwrap();
    let read_only = dir.path().join("solo-lectura");
    std::fs::create_dir(&read_only).unwrap();
    let mut perms = std::fs::metadata(&read_only).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o555);
    std::fs::set_permissions(&read_only, perms).unwrap();
    // Root writes anywhere: then a folder of /proc, where no file can be created, stands in.
    let unwritable = if std::fs::write(read_only.join("prueba"), "").is_ok() {
        Path::new("/proc").to_path_buf()
    } else {
        read_only.clone()
    };
    let cases = [
        (
            format!("junit={}/no/existe/junit.xml", dir.path().display()),
            "informe_sin_carpeta",
            "no existe",
        ),
        (
            format!("html={}", dir.path().display()),
            "informe_es_carpeta",
            "es una carpeta",
        ),
        (
            format!("json={}", unwritable.join("informe.json").display()),
            "informe_no_escribible",
            "no se puede escribir",
        ),
    ];
    for (spec, code, says) in cases {
        let out = pnt_suite(&["run", "scenarios", "--report", &spec]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{spec}: {stderr}");
        assert!(
            stderr.contains(&format!("código: {code}")),
            "{spec}: {stderr}"
        );
        assert!(stderr.contains(says), "{spec}: {stderr}");
        assert!(
            text(&out.stdout).is_empty(),
            "{spec}: a scenario ran before the check"
        );
    }
    let twice = format!("json={}", dir.path().join("a.json").display());
    let out = pnt_suite(&["run", "scenarios", "--report", &twice, "--report", &twice]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("código: informe_repetido"));
    // The probe leaves nothing behind.
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

#[test]
fn committed_report_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json");
    let generated = pnt_suite::report::json::json_schema();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/report.schema.json is stale (the report types changed). Regenerate it with:\n\n    \
         UPDATE_SCHEMA=1 cargo test -p pnt-suite --test run_reports committed_report_schema\n\n\
         and commit the result."
    );
}

#[test]
fn a_real_json_report_validates_against_the_published_schema() {
    let dir = tempfile::tempdir().unwrap();
    fixtures::two_themes(dir.path());
    let json = dir.path().join("informe.json");
    let out = pnt_suite(&[
        "run",
        dir.path().to_str().unwrap(),
        "--report",
        &format!("json={}", json.display()),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{report:#}");
    // What the report says, in the types the schema gives.
    let scenarios = report["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 2);
    let failed = scenarios.iter().find(|s| s["outcome"] == "failed").unwrap();
    assert_eq!(failed["theme"], "tema-b");
    assert_eq!(failed["jurisdictions"], serde_json::json!(["federacion"]));
    assert_eq!(failed["failures"][0]["step"]["index"], 4);
    assert_eq!(failed["steps"][2]["status"], 200);
    assert_eq!(report["counts"]["failed"], 1);
    assert_eq!(report["interrupted"], false);
}
