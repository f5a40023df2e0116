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
            theme: theme_of(&file, &[PathBuf::from("scenarios")]),
            jurisdictions: vec!["federacion".into()],
            requisitos: Vec::new(),
            known_failure: None,
            file,
            matrix,
            seed,
            outcome,
            reason: None,
            steps: Vec::new(),
            failures: Vec::new(),
            snapshots: Vec::new(),
            duration: Duration::from_millis(412),
        }
    };
    let step =
        |index, inner, action: &str, line, description: &str, status, error: Option<&str>| {
            StepRecord {
                step: StepRef {
                    index,
                    inner,
                    action: action.to_owned(),
                    line,
                },
                description: description.to_owned(),
                user: None,
                status,
                error: error.map(str::to_owned),
            }
        };
    let mut passed = scenario(
        "Vinculación completa en jalisco (legacy) [jurisdiccion=jalisco, dialect=legacy]",
        "scenarios/vinculacion/todas-las-jurisdicciones.yaml",
        vec![
            ("jurisdiccion".into(), "jalisco".into()),
            ("dialect".into(), "legacy".into()),
        ],
        42,
        Outcome::Passed,
    );
    passed.jurisdictions = vec!["jalisco".into()];
    passed.steps = vec![
        step(1, None, "registrar", 12, "registrar luis", Some(201), None),
        step(
            2,
            None,
            "iniciar_sesion",
            13,
            "iniciar_sesion luis",
            Some(201),
            None,
        ),
        step(
            3,
            None,
            "vincular",
            14,
            "vincular jalisco/ciudadano.jalisco",
            Some(200),
            None,
        ),
    ];
    let snapshot = |index, name: &str, result| SnapshotCheck {
        step: StepRef {
            index,
            inner: None,
            action: "vincular".into(),
            line: 14,
        },
        name: name.to_owned(),
        result,
    };
    passed.snapshots = vec![
        snapshot(3, "vinculacion", SnapshotResult::Matched),
        snapshot(3, "resumen", SnapshotResult::NoGolden),
    ];
    passed.requisitos = vec!["R-VINC-01".into(), "R-HIST-01".into()];
    let mut failed = scenario(
        "La ventana de queja abre y cierra con el reloj",
        "scenarios/plazos/ventana-de-queja.yaml",
        vec![],
        1,
        Outcome::Failed,
    );
    failed.steps = vec![
        step(1, None, "registrar", 20, "registrar luis", Some(201), None),
        step(
            2,
            None,
            "iniciar_sesion",
            24,
            "iniciar_sesion luis",
            Some(201),
            None,
        ),
        step(
            3,
            None,
            "vincular",
            27,
            "vincular federacion/ciudadano.federal",
            Some(200),
            None,
        ),
        step(
            4,
            None,
            "set_clock",
            40,
            "set_clock 2021-09-20 → hoy 2021-09-20",
            None,
            None,
        ),
        step(5, None, "concurrent", 55, "concurrent", None, None),
        step(
            5,
            Some(1),
            "detalle",
            57,
            "detalle 0623800160421",
            Some(404),
            Some("solicitud_no_encontrada"),
        ),
        step(
            5,
            Some(2),
            "detalle",
            60,
            "detalle 0623800160321",
            Some(200),
            None,
        ),
        step(
            7,
            None,
            "detalle",
            41,
            "detalle 0623800160321",
            Some(200),
            None,
        ),
    ];
    failed.failures = vec![
        Failure {
            step: Some(StepRef {
                index: 7,
                inner: None,
                action: "detalle".into(),
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
                index: 3,
                inner: None,
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
                index: 5,
                inner: Some(2),
                action: "detalle".into(),
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
    failed.requisitos = vec!["R-QUEJA-02".into(), "R-HIST-01".into()];
    not_applicable.requisitos = vec!["R-SEM-01".into()];
    not_applicable.reason = Some("el destino no ofrece el gancho `clock`".into());
    not_applicable.jurisdictions = vec![];
    let mut error = scenario(
        "Reinicio a media vinculación",
        "scenarios/robustez/reinicio.yaml",
        vec![],
        5,
        Outcome::Error,
    );
    error.reason = Some("el destino no respondió en 30 s (paso 4, vincular, línea 22)".into());
    error.jurisdictions = vec!["federacion".into(), "ciudad-de-mexico".into()];
    error.steps = vec![
        step(1, None, "registrar", 8, "registrar ana", Some(201), None),
        step(
            2,
            None,
            "iniciar_sesion",
            9,
            "iniciar_sesion ana",
            Some(201),
            None,
        ),
        step(3, None, "restart", 15, "restart", None, None),
    ];
    RunReport {
        target,
        seed: None,
        interrupted: false,
        unfinished: 0,
        scenarios: vec![passed, failed, not_applicable, error],
        duration: Duration::from_millis(2310),
        expectations: Vec::new(),
        shard: None,
    }
}

/// The sample run as `--expect-failures` would leave it: the failed scenario listed (a known
/// failure), one expired entry and one whose scenario passed, and no scenario that could not run.
pub(crate) fn with_known_failures() -> RunReport {
    let mut report = report();
    report.scenarios.retain(|s| s.outcome != Outcome::Error);
    let entry = |id: &str, expires: &str| KnownFailure {
        id: id.into(),
        owner: "equipo-pnt@example.mx".into(),
        expires: expires.into(),
        reason: "la ventana de queja aún cuenta días naturales".into(),
    };
    let failed = &mut report.scenarios[1];
    failed.outcome = Outcome::KnownFailure;
    failed.known_failure = Some(entry("plazos/ventana-de-queja.yaml", "2021-12-31"));
    report.expectations = vec![
        ExpectationProblem {
            codigo: "falla_conocida_vencida".into(),
            entry: entry("R-SEM-01", "2021-09-01"),
            message: "la entrada R-SEM-01 venció el 2021-09-01 (hoy es 2021-09-20): corrija la falla o renueve la entrada".into(),
        },
        ExpectationProblem {
            codigo: "falla_conocida_ya_pasa".into(),
            entry: entry("vinculacion/todas-las-jurisdicciones.yaml", "2021-12-31"),
            message: "vinculacion/todas-las-jurisdicciones.yaml ya pasa: quite la entrada de --expect-failures".into(),
        },
    ];
    report
}
