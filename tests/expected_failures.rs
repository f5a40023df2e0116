//! `pnt-suite run --expect-failures FILE` driven as a user drives it: small scenario folders run
//! against the embedded reference, each case of the strict-xfail rules seen in the exit code,
//! the output and every report.

use std::path::Path;
use std::process::{Command, Output};

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

fn write(dir: &Path, name: &str, body: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, body).unwrap();
}

/// Registering answers 201: expecting 200 fails, on any target that follows the API.
const FAILS: &str = "name: Registro con estado equivocado
requisitos: [R-VINC-03]
pnt:
  users:
    ana: {}
steps:
  - registrar: ana
    expect: {status: 200}
";

const PASSES: &str = "name: Registro
requisitos: [R-VINC-03, R-SES-01]
pnt:
  users:
    ana: {}
steps:
  - registrar: ana
    expect: {status: 201}
";

fn entry(what: &str, expires: &str) -> String {
    format!(
        "expected_failures:\n  - {what}\n    owner: equipo-pnt@example.mx\n    expires: {expires}\n    reason: el registro responde 201\n"
    )
}

/// A folder with the failing scenario in `temas/falla.yaml` and the passing one in
/// `temas/pasa.yaml`, and the expected failures in `conocidas.yaml`.
fn setup(known: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "escenarios/temas/falla.yaml", FAILS);
    write(dir.path(), "escenarios/temas/pasa.yaml", PASSES);
    write(dir.path(), "conocidas.yaml", known);
    dir
}

fn run(dir: &Path, extra: &[&str]) -> Output {
    run_on(dir, "2026-11-30", extra)
}

/// Runs with `--hoy hoy`: the day expiry dates are judged on.
fn run_on(dir: &Path, hoy: &str, extra: &[&str]) -> Output {
    let scenarios = dir.join("escenarios");
    let known = dir.join("conocidas.yaml");
    let mut args = vec![
        "run",
        scenarios.to_str().unwrap(),
        "--expect-failures",
        known.to_str().unwrap(),
        "--hoy",
        hoy,
    ];
    args.extend_from_slice(extra);
    pnt_suite(&args)
}

#[test]
fn without_the_list_the_failure_fails_the_run() {
    let dir = setup(&entry("scenario: temas/falla.yaml", "2026-12-31"));
    let out = pnt_suite(&["run", dir.path().join("escenarios").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
}

#[test]
fn a_listed_failure_is_known_in_every_report_and_does_not_fail_the_run() {
    let dir = setup(&entry("scenario: temas/falla.yaml", "2026-12-31"));
    let (json, junit, html) = (
        dir.path().join("r.json"),
        dir.path().join("r.xml"),
        dir.path().join("r.html"),
    );
    let out = run(
        dir.path(),
        &[
            "--report",
            &format!("json={}", json.display()),
            "--report",
            &format!("junit={}", junit.display()),
            "--report",
            &format!("html={}", html.display()),
        ],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("≈ FALLA CONOCIDA Registro con estado equivocado"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "falla conocida: el registro responde 201 (--expect-failures: temas/falla.yaml; responsable equipo-pnt@example.mx; vence 2026-12-31)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 escenarios: 1 pasó, 1 falla conocida"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  ≈ R-VINC-03   1 pasó, 1 falla conocida"),
        "{stdout}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert_eq!(report["counts"]["known_failure"], 1);
    let known = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["outcome"] == "known_failure")
        .expect("a known failure");
    assert_eq!(known["known_failure"]["owner"], "equipo-pnt@example.mx");
    let xml = std::fs::read_to_string(junit).unwrap();
    assert!(xml.contains(r#"type="falla_conocida""#), "{xml}");
    assert!(xml.contains(r#"failures="0""#), "{xml}");
    let page = std::fs::read_to_string(html).unwrap();
    assert!(page.contains("id=\"fallas-conocidas\""), "{page}");
}

#[test]
fn a_listed_requirement_covers_its_failing_scenarios() {
    let dir = setup(&entry("requirement: R-VINC-03", "2026-12-31"));
    // R-VINC-03 is also declared by the passing scenario: the entry still holds, since one of
    // its scenarios fails.
    let out = run(dir.path(), &[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("≈ FALLA CONOCIDA"), "{stdout}");
}

#[test]
fn an_expired_entry_fails_the_run_on_the_given_day() {
    let dir = setup(&entry("scenario: temas/falla.yaml", "2026-11-29"));
    let out = run(dir.path(), &[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("✗ FALLÓ     Registro con estado equivocado"),
        "{stdout}"
    );
    assert!(
        stdout.contains("venció el 2026-11-29 y hoy es 2026-11-30"),
        "{stdout}"
    );
    assert!(
        stdout.contains("[código: falla_conocida_vencida]"),
        "{stdout}"
    );
    // The same file on its last day still holds.
    let out = run_on(dir.path(), "2026-11-29", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn an_entry_whose_scenario_passes_says_to_remove_it() {
    let dir = setup(&entry("scenario: temas/pasa.yaml", "2026-12-31"));
    let out = run(dir.path(), &["--filter", "pasa"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("`temas/pasa.yaml` ya pasa"), "{stdout}");
    assert!(stdout.contains("quite la entrada"), "{stdout}");
    assert!(
        stdout.contains("[código: falla_conocida_ya_pasa]"),
        "{stdout}"
    );
}

#[test]
fn an_entry_naming_nothing_known_is_bad_input_before_anything_runs() {
    for (what, hint) in [
        (
            "scenario: temas/no-existe.yaml",
            "termina en `temas/no-existe.yaml`",
        ),
        ("requirement: R-VINC-3", "¿quiso decir `R-VINC-03`?"),
    ] {
        let dir = setup(&entry(what, "2026-12-31"));
        let out = run(dir.path(), &[]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("código: falla_esperada_desconocida"),
            "{stderr}"
        );
        assert!(stderr.contains(hint), "{stderr}");
        assert!(text(&out.stdout).is_empty());
    }
    let dir = setup("expected_failures:\n  - scenario: temas/falla.yaml\n");
    let out = run(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("código: fallas_esperadas_invalidas"));
}
