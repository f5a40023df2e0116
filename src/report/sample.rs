//! A report with one scenario of each outcome and each kind of diff, for renderer snapshots.

use std::path::PathBuf;
use std::time::Duration;

use super::*;

pub(crate) fn report() -> RunReport {
    let target = Target::Embedded;
    let scenario = |name: &str, file: &str, matrix: Vec<(String, String)>, seed, outcome| {
        let file = PathBuf::from(file);
        ScenarioReport {
            name: name.to_owned(),
            repro: repro_command(&file, seed, &matrix, &target),
            file,
            matrix,
            seed,
            outcome,
            reason: None,
            failures: Vec::new(),
            duration: Duration::from_millis(412),
        }
    };
    let passed = scenario(
        "Vinculación completa en jalisco (legacy) [jurisdiccion=jalisco, dialecto=legacy]",
        "scenarios/vinculacion/todas-las-jurisdicciones.yaml",
        vec![
            ("jurisdiccion".into(), "jalisco".into()),
            ("dialecto".into(), "legacy".into()),
        ],
        42,
        Outcome::Passed,
    );
    let mut failed = scenario(
        "La ventana de queja abre y cierra con el reloj",
        "scenarios/plazos/ventana-de-queja.yaml",
        vec![],
        1,
        Outcome::Failed,
    );
    failed.failures = vec![
        Failure {
            step: Some(StepRef {
                index: "7".into(),
                action: "details".into(),
                line: 41,
            }),
            check: "fields.semaforo".into(),
            message: "el valor en `semaforo` no es el esperado".into(),
            diff: Some(Diff::Value {
                expected: "\"en_alerta\"".into(),
                actual: "\"en_tiempo\"".into(),
            }),
        },
        Failure {
            step: Some(StepRef {
                index: "3".into(),
                action: "vincular".into(),
                line: 27,
            }),
            check: "oráculo".into(),
            message: "Mi Historial no coincide con la cuenta de Infomex".into(),
            diff: Some(Diff::Table {
                columns: vec!["Folio".into(), "Tipo".into(), "Fecha límite".into(), "Tiempo".into()],
                expected: vec![
                    vec!["0623800160321".into(), "acceso".into(), "2021-09-24".into(), "En alerta".into()],
                    vec!["0623800160421".into(), "datos-personales".into(), "2021-10-01".into(), "En tiempo".into()],
                ],
                actual: vec![vec![
                    "0623800160321".into(),
                    "acceso".into(),
                    "2021-09-23".into(),
                    "En alerta".into(),
                ]],
            }),
        },
        Failure {
            step: Some(StepRef {
                index: "5.2".into(),
                action: "details".into(),
                line: 60,
            }),
            check: "fields.respuestas[0].texto".into(),
            message: "el texto de la respuesta difiere".into(),
            diff: Some(Diff::Text {
                expected: "Se adjunta la información solicitada.\nAtentamente\nLa Unidad de Transparencia\n".into(),
                actual: "Se adjunta la informaci&oacute;n solicitada.<br/>Atentamente\nLa Unidad de Transparencia\n".into(),
            }),
        },
    ];
    let mut not_applicable = scenario(
        "El semáforo cambia con el reloj",
        "scenarios/plazos/semaforo.yaml",
        vec![],
        3,
        Outcome::NotApplicable,
    );
    not_applicable.reason = Some("el destino no ofrece el gancho `clock`".into());
    let mut error = scenario(
        "Reinicio a media vinculación",
        "scenarios/robustez/reinicio.yaml",
        vec![],
        5,
        Outcome::Error,
    );
    error.reason = Some("el destino no respondió en 30 s (paso 4, vincular, línea 22)".into());
    RunReport {
        target,
        scenarios: vec![passed, failed, not_applicable, error],
        duration: Duration::from_millis(2310),
    }
}
