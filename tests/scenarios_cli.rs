//! `pnt-suite check` driven as a user drives it: paths in, one line per file, exit code out.

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

const VALID: &str = "name: Registro\npnt:\n  users:\n    ana: {}\nsteps:\n  - register: ana\n";

#[test]
fn check_accepts_the_scenario_library() {
    let out = pnt_suite(&["check", "scenarios"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.len() >= 4, "{stdout}");
    assert!(
        lines.iter().all(|l| l.starts_with("ok     scenarios/")),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("ok     scenarios/vinculacion/todas-las-jurisdicciones.yaml (66 escenarios)"),
        "{stdout}"
    );
}

#[test]
fn check_walks_folders_and_reports_each_file_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/bueno.yaml", VALID);
    write(
        dir.path(),
        "a/b/malo.yml",
        &VALID.replace("register", "registrar"),
    );
    write(dir.path(), "a/notas.txt", "no es un escenario");
    let out = pnt_suite(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = text(&out.stdout);
    let root = dir.path().display();
    assert_eq!(
        stdout,
        format!(
            "error  {root}/a/b/malo.yml:6:5: paso desconocido `registrar`; ¿quiso decir `register`?  [código: paso_desconocido]\n\
             ok     {root}/a/bueno.yaml (1 escenario)\n"
        )
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: 1 de 2 archivos no son escenarios válidos"),
        "{stderr}"
    );
    assert!(stderr.contains("código: escenarios_invalidos"), "{stderr}");
}

#[test]
fn check_accepts_single_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "uno.yaml", VALID);
    let file = dir.path().join("uno.yaml");
    let out = pnt_suite(&["check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!("ok     {} (1 escenario)\n", file.display())
    );
}

#[test]
fn check_without_scenarios_or_with_a_missing_path_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = pnt_suite(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("código: sin_escenarios"));

    let out = pnt_suite(&["check", "no/existe"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: no/existe: no existe"),
        "{stderr}"
    );
    assert!(stderr.contains("código: archivo_ilegible"), "{stderr}");

    let out = pnt_suite(&["check"]);
    assert_eq!(out.status.code(), Some(2));
}
