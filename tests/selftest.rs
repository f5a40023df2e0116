//! `pnt-suite selftest` as the real binary: a defect is killed by the scenario written to catch
//! it, survives (exit 1, listed) when given only scenarios that cannot catch it, and a clean
//! reference that fails a scenario makes the self-test meaningless (exit 3). docs/selftest.md's
//! table follows the catalog. Each run is one or two small scenarios, never the whole suite.

use std::path::Path;
use std::process::{Command, Output};

use pnt_suite::selftest::Defecto;

fn selftest(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pnt-suite"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("selftest")
        .args(args)
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_defect_is_killed_by_the_scenario_that_should_catch_it() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("autoprueba.json");
    let out = selftest(&[
        "scenarios/seguridad/cierre-de-sesion.yaml",
        "--defect",
        "sesion_no_revocada",
        "--rapido",
        "--report",
        &format!("json={}", report.display()),
    ]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(
        shown.contains("muerto    sesion_no_revocada")
            && shown.contains("Cerrar sesión revoca el token"),
        "{shown}"
    );
    assert!(
        shown.contains("puntuación de mutación: 1/1 defectos detectados (100.0 %)"),
        "{shown}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(json["mode"], "rapido");
    assert_eq!(json["defects"][0]["id"], "sesion_no_revocada");
    assert_eq!(json["defects"][0]["killed"], true);
    assert_eq!(
        json["defects"][0]["caught_by"][0],
        "Cerrar sesión revoca el token"
    );
}

#[test]
fn a_defect_survives_scenarios_that_cannot_catch_it() {
    // The same defect, given only a scenario that never logs out: nothing can see it.
    let out = selftest(&[
        "scenarios/seguridad/entradas-invalidas.yaml",
        "--defect",
        "sesion_no_revocada",
        "--defect",
        "paginacion_sin_validar",
    ]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(
        shown.contains("VIVO      sesion_no_revocada")
            && shown.contains("ningún escenario (1 corridos)"),
        "{shown}"
    );
    assert!(
        shown.contains("muerto    paginacion_sin_validar"),
        "{shown}"
    );
    assert!(
        shown.contains("puntuación de mutación: 1/2 defectos detectados (50.0 %)"),
        "{shown}"
    );
    assert!(
        shown.contains("sobrevive 1 defecto: sesion_no_revocada")
            && shown.contains("un defecto que ningún escenario detecta es un escenario que falta"),
        "{shown}"
    );
}

#[test]
fn a_clean_reference_that_fails_makes_the_selftest_meaningless() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("falla.yaml");
    std::fs::write(
        &file,
        "name: Espera una solicitud que no existe\nseed: 1\npnt:\n  users:\n    ana: {}\n\
         steps:\n  - registrar: ana\n  - iniciar_sesion: ana\n  - historial: {}\n    expect:\n      \
         fields: {total: 1}\n",
    )
    .unwrap();
    let out = selftest(&[file.to_str().unwrap(), "--defect", "fila_omitida"]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(3), "{shown}");
    assert!(
        shown.contains("la referencia sin defectos no pasa 1 de 1 escenarios")
            && shown.contains("código: referencia_no_pasa")
            && shown.contains("Espera una solicitud que no existe"),
        "{shown}"
    );
    assert!(!shown.contains("veredicto"), "no defect runs: {shown}");
}

#[test]
fn an_unknown_defect_is_bad_input_with_a_suggestion() {
    let out = selftest(&[
        "scenarios/seguridad/cierre-de-sesion.yaml",
        "--defect",
        "fila_omtida",
    ]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(2), "{shown}");
    assert!(
        shown.contains("¿quiso decir «fila_omitida»?")
            && shown.contains("código: defecto_desconocido"),
        "{shown}"
    );
}

/// The rows of the first Markdown table after the line that starts with `header`, as cells.
fn table_after(doc: &str, header: &str) -> Vec<Vec<String>> {
    let mut lines = doc.lines().skip_while(|l| !l.starts_with(header));
    assert!(lines.next().is_some(), "no table `{header}`");
    lines
        .skip(1)
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
fn the_docs_table_is_the_catalog() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/selftest.md"))
            .unwrap();
    let documented = table_after(
        &doc,
        "| defecto | capa | qué hace la PNT rota | requisitos que rompe |",
    );
    let declared: Vec<Vec<String>> = Defecto::ALL
        .iter()
        .map(|d| {
            vec![
                d.id().to_owned(),
                d.capa().id().to_owned(),
                d.descripcion().to_owned(),
                d.requisitos().join(", "),
            ]
        })
        .collect();
    assert_eq!(
        documented, declared,
        "docs/selftest.md's table must list every defect of Defecto::ALL, in order, with its layer, description and requirements"
    );
}
