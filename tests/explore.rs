//! `pnt-suite explore` through the binary: the reference against itself finds nothing; a
//! target with a planted defect is found, shrunk, and written as a file `run` reproduces.

use std::process::{Command, Output};

fn pnt_suite(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pnt-suite"))
        .args(args)
        .output()
        .expect("pnt-suite runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_reference_against_itself_shows_no_difference() {
    let out_dir = tempfile::tempdir().unwrap();
    let out = pnt_suite(&[
        "explore",
        "--cases",
        "4",
        "--seed",
        "3",
        "--out",
        out_dir.path().to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("4 casos generados con la semilla 3: 0 con diferencias"),
        "{stdout}"
    );
    assert_eq!(std::fs::read_dir(out_dir.path()).unwrap().count(), 0);
}

#[test]
fn bad_input_is_refused_with_a_code() {
    let out = pnt_suite(&["explore", "--cases", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("código: casos_invalido"));
}

/// A planted defect of the self-test's catalog (the deadline moved by a día hábil) is found,
/// shrunk to a scenario of a few steps, and the file written passes on the reference and is
/// caught by the self-test with that defect.
#[test]
fn a_planted_defect_is_found_shrunk_and_written_as_a_reproducible_file() {
    let out_dir = tempfile::tempdir().unwrap();
    let dir = out_dir.path().to_str().unwrap();
    let out = pnt_suite(&[
        "explore",
        "--cases",
        "2",
        "--seed",
        "1",
        "--defect",
        "fecha_limite_corrida",
        "--out",
        dir,
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("2 casos generados con la semilla 1: 2 con diferencias"),
        "{stdout}"
    );
    let file = out_dir.path().join("explora-1-caso-0.yaml");
    assert!(
        stdout.contains(&format!(
            "Escrito {}: en la referencia pasa, en el destino falla",
            file.display()
        )),
        "{stdout}"
    );
    // Few steps are left of the twelve generated.
    let reduced = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Reducido a "))
        .expect("a shrinking line");
    let steps: usize = reduced.split(' ').next().unwrap().parse().unwrap();
    assert!(steps <= 3, "{reduced}");
    // The file is a scenario: it passes on the reference, and the self-test's defect fails it.
    let run = pnt_suite(&["run", file.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stdout));
    let caught = pnt_suite(&[
        "selftest",
        file.to_str().unwrap(),
        "--defect",
        "fecha_limite_corrida",
    ]);
    assert_eq!(caught.status.code(), Some(0), "{}", text(&caught.stdout));
}
