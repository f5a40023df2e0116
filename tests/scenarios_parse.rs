//! Malformed scenario files: each must fail with its exact line, column, code and Spanish
//! message, so a QA engineer can go straight to the mistake.

use std::path::Path;

use pnt_suite::scenario::{load_str, load_str_all};

/// A valid scenario that each case breaks in one place (lines 1–8).
const BASE: &str = "\
name: Vinculación en Jalisco
seed: 7
pnt:
  users:
    ana: {}
steps:
  - registrar: ana
  - iniciar_sesion: ana
";

/// Loads `yaml` and asserts the error reads `LINE:COL [code] message`.
fn check(yaml: &str, expected: &str) {
    let err = load_str(Path::new("caso.yaml"), yaml)
        .expect_err(&format!("this file should not load:\n{yaml}"));
    let pos = err
        .pos
        .map(|p| p.to_string())
        .unwrap_or_else(|| "-".to_owned());
    let mut actual = format!("{pos} [{}] {}", err.code, err.message);
    if !err.matrix.is_empty() {
        let values: Vec<String> = err.matrix.iter().map(|(k, v)| format!("{k}={v}")).collect();
        actual.push_str(&format!(" (matriz {})", values.join(", ")));
    }
    assert_eq!(actual, expected, "\nfile:\n{yaml}");
}

/// BASE with more steps from line 9 on.
fn steps(more: &str) -> String {
    format!("{BASE}{more}")
}

#[test]
fn the_base_file_is_valid() {
    let instances = load_str(Path::new("caso.yaml"), BASE).unwrap();
    assert_eq!(instances.len(), 1);
    assert_eq!(instances[0].scenario.steps.len(), 2);
}

#[test]
fn unknown_keys_and_steps_suggest_the_nearest() {
    check(
        &BASE.replace("seed: 7", "sede: 7"),
        "2:1 [clave_desconocida] clave desconocida `sede`; ¿quiso decir `seed`?",
    );
    check(
        &steps("  - vinular: {jurisdiccion: jalisco, usuario: u}\n"),
        "9:5 [paso_desconocido] paso desconocido `vinular`; ¿quiso decir `vincular`?",
    );
    check(
        &steps("  - historial: {}\n    expct: {status: 200}\n"),
        "9:5 [clave_desconocida] clave desconocida `expct` en un paso; ¿quiso decir `expect`?",
    );
    check(
        &steps("  - bajar: x\n"),
        "9:5 [paso_desconocido] paso desconocido `bajar`; los pasos son: registrar, \
         iniciar_sesion, cerrar_sesion, vincular, vinculaciones, historial, detalle, descargar, \
         queja, quejas, set_clock, advance_clock, faults, clear_faults, restart, concurrent; y \
         cada paso admite además as, expect, capture",
    );
    check(
        &format!("{BASE}infomex:\n  faults:\n    - kind: http_stat\n"),
        "11:13 [valor_invalido] valor desconocido `http_stat`; ¿quiso decir `http_status`?",
    );
    check(
        &steps("  - historial: {semaforo: rojo}\n"),
        "9:27 [valor_invalido] valor desconocido `rojo`; se esperaba uno de: en_tiempo, \
         en_alerta, fuera_de_tiempo",
    );
    check(
        &steps("  - vincular: {jurisdiccion: jaliscoo, usuario: u}\n"),
        "9:30 [valor_invalido] jurisdicción desconocida «jaliscoo»; ¿quiso decir `jalisco`?",
    );
    check(
        &steps(
            "  - vincular: {jurisdiccion: jalisco, usuario: u}\n    \
             expect: {error: infomex_credenciales_invalida}\n",
        ),
        "10:21 [valor_invalido] código de error desconocido `infomex_credenciales_invalida`; \
         ¿quiso decir `infomex_credenciales_invalidas`?",
    );
    check(
        &steps("  - iniciar_sesion: anna\n"),
        "9:5 [escenario_incoherente] usuario desconocido `anna`; ¿quiso decir `ana`?",
    );
}

#[test]
fn missing_repeated_and_mistyped_values_say_what_was_expected() {
    check(
        "name: x\n",
        "1:1 [clave_faltante] falta la clave obligatoria `steps` en este mapa",
    );
    check(
        "",
        "1:1 [clave_faltante] el archivo está vacío: un escenario necesita al menos `name` y `steps`",
    );
    check(
        &BASE.replace("seed: 7", "seed: siete"),
        "2:7 [tipo_invalido] se esperaba un número entero no negativo",
    );
    check(
        &BASE.replace("seed: 7", "seed: 7\nseed: 8"),
        "3:1 [clave_repetida] esta clave ya apareció en el mismo mapa; deje una sola",
    );
    check(
        &steps("  - registrar: {user: ana}\n"),
        "9:16 [tipo_invalido] se esperaba un texto",
    );
    check(
        "- a\n- b\n",
        "1:1 [tipo_invalido] se esperaba un mapa (clave: valor)",
    );
    check(
        &format!("{BASE}clock:\n  hoy: 2021-02-30\n"),
        "10:8 [valor_invalido] «2021-02-30» no es una fecha válida; escríbala como AAAA-MM-DD, \
         p. ej. 2021-09-20",
    );
    check(
        &format!("{BASE}clock:\n  hoy: 2021-09-20\n  timezone: America/Ciudad_Gotica\n"),
        "11:13 [valor_invalido] zona horaria desconocida «America/Ciudad_Gotica»; use un nombre \
         IANA como America/Mexico_City (las zonas se leen de /usr/share/zoneinfo, del paquete tzdata)",
    );
    check(
        &steps("  - historial: {}\n    expect: {status: 999}\n"),
        "10:22 [valor_invalido] 999 no es un estado HTTP (100–599)",
    );
    check(
        &steps("  - historial: {}\n    expect:\n      fields:\n        solicitudes[0.folio: x\n"),
        "12:9 [valor_invalido] selector inválido `solicitudes[0.folio`: falta `]`",
    );
    check(
        &steps("  - vincular\n"),
        "9:5 [valor_invalido] el paso `vincular` necesita argumentos: escriba `vincular: …` \
         (vea docs/scenarios.md)",
    );
}

#[test]
fn yaml_syntax_errors_point_at_the_character() {
    check(
        &steps("  - cerrar_sesion\n    restart: {}\n"),
        "10:12 [yaml_invalido] YAML mal formado: aquí no puede ir `clave: valor`; revise la \
         sangría o ponga el texto entre comillas",
    );
    check(
        &steps("  - historial: {semaforo: [en_tiempo\n"),
        "9:27 [yaml_invalido] YAML mal formado: falta cerrar un `[`",
    );
    check(
        &steps("  - historial: {}\n    capture: {folio: solicitudes[0].folio}\n"),
        "10:33 [yaml_invalido] YAML mal formado: falta `,` o `}` en un mapa entre llaves (un \
         texto con `[`, `]`, `{`, `}` o `,` dentro de llaves va entre comillas)",
    );
    check(
        "name: x\nsteps:\n\t- restart\n",
        "3:2 [yaml_invalido] YAML mal formado: hay un tabulador; YAML solo admite espacios para sangrar",
    );
}

#[test]
fn incoherent_scenarios_point_at_the_step_or_fault() {
    check(
        &format!(
            "{BASE}infomex:\n  faults:\n    - kind: http_status\n      jurisdiccion: jalisco\n"
        ),
        "11:7 [escenario_incoherente] la falla `http_status` necesita el campo `status`",
    );
    check(
        &format!("{BASE}infomex:\n  faults:\n    - {{kind: hang, status: 503}}\n"),
        "11:7 [escenario_incoherente] el campo `status` no aplica a la falla `hang`; quítelo",
    );
    check(
        &steps("  - faults:\n      - {kind: http_status, status: 404}\n"),
        "10:9 [escenario_incoherente] `status: 404` no es válido para `http_status`: use 500, 502 o 503",
    );
    check(
        &steps("  - set_clock: 2021-09-20\n  - advance_clock: {dias: 3, dias_habiles: 2}\n"),
        "10:5 [escenario_incoherente] `advance_clock` lleva `dias_habiles` o `dias`, uno de los dos",
    );
    check(
        &steps("  - set_clock: 2021-09-20\n  - advance_clock: {dias: 3, jurisdiccion: jalisco}\n"),
        "10:5 [escenario_incoherente] `advance_clock` lleva `jurisdiccion` solo con \
         `dias_habiles`: dice en qué calendario se cuentan; los `dias` naturales son los mismos \
         en todos",
    );
    check(
        &steps(
            "  - set_clock: 2021-09-20\n  - advance_clock: {dias_habiles: 3, jurisdiccion: jalisko}\n",
        ),
        "10:52 [valor_invalido] jurisdicción desconocida «jalisko»; ¿quiso decir `jalisco`?",
    );
    check(
        &steps("  - advance_clock: {dias: 3}\n"),
        "9:5 [escenario_incoherente] `advance_clock` avanza desde una fecha conocida: declare \
         `clock` o ponga antes un `set_clock`",
    );
    check(
        &steps("  - historial: {}\n    expect: {snapshot: historial}\n"),
        "9:5 [snapshot_sin_reloj] un `snapshot` necesita una fecha fija: declare `clock: {hoy: \
         AAAA-MM-DD}` (o ponga antes un `set_clock`); sin reloj, el escenario corre con la fecha \
         del sistema y la instantánea cambiaría cada día",
    );
    check(
        &steps("  - concurrent:\n      - restart\n"),
        "10:9 [escenario_incoherente] `restart` no puede ir dentro de `concurrent`: cambia el \
         mundo de todos los pasos; póngalo antes o después",
    );
    check(
        &format!(
            "{BASE}infomex:\n  accounts:\n    - jurisdiccion: jalisco\n      usuario: u\n      \
             solicitudes:\n        - folio: \"0623800160321\"\n          tipo: acceso\n          \
             institucion: X\n          descripcion: Y\n          fecha_presentacion: 2021-08-26\n          \
             estado: en_proceso\n"
        ),
        "14:11 [escenario_incoherente] el folio 0623800160321 es de federacion, pero la cuenta es \
         de jalisco; use el formato de folio de jalisco (vea `pnt-suite jurisdictions`)",
    );
}

#[test]
fn variables_and_matrix_errors_point_at_the_file_as_written() {
    check(
        &steps(
            "  - historial: {}\n    capture:\n      folio: solicitudes[0].folio\n  - detalle: ${folo}\n",
        ),
        "12:14 [variable_desconocida] variable desconocida `${folo}`; ¿quiso decir `${folio}`?",
    );
    check(
        &steps("  - detalle: ${folio}\n"),
        "9:14 [variable_desconocida] variable desconocida `${folio}`; defínala en `matrix` o \
         captúrela en un paso anterior con `capture`",
    );
    // Lines 1–2 are the matrix, so BASE's steps start at line 11; the error is in the second
    // combination and its column is that of `${j}` in the file, not of the substituted value.
    check(
        &format!(
            "matrix:\n  j: [jalisco, jaliscoo]\n{}",
            steps("  - vincular: {jurisdiccion: ${j}, usuario: u}\n")
        ),
        "11:30 [valor_invalido] jurisdicción desconocida «jaliscoo»; ¿quiso decir `jalisco`? \
         (matriz j=jaliscoo)",
    );
    check(
        &format!("matrix:\n  Jurisdiccion: [jalisco]\n{BASE}"),
        "2:3 [matriz_invalida] `Jurisdiccion` no sirve como nombre de variable: use minúsculas, \
         dígitos y `_` (p. ej. `jurisdiccion`)",
    );
    check(
        &format!("matrix:\n  j: []\n{BASE}"),
        "2:6 [valor_invalido] la lista de valores está vacía: la matriz no correría nada",
    );
    check(
        &format!("matrix:\n  j: todas\n{BASE}"),
        "2:6 [valor_invalido] conjunto desconocido `todas`; escriba una lista de valores o uno \
         de: jurisdicciones, entidades, dialects",
    );
}

#[test]
fn a_matrix_expands_with_values_substituted_and_captures_kept_as_markers() {
    let yaml = format!(
        "matrix:\n  j: [jalisco, federacion]\n{}",
        steps(
            "  - vincular: {jurisdiccion: ${j}, usuario: u}\n  - historial: {}\n    capture:\n      \
             folio: solicitudes[0].folio\n  - detalle: {folio: ${folio}}\n"
        )
        .replace("name: Vinculación en Jalisco", "name: Vinculación en ${j}")
    );
    let instances = load_str(Path::new("caso.yaml"), &yaml).unwrap();
    let names: Vec<String> = instances.iter().map(|i| i.display_name()).collect();
    assert_eq!(
        names,
        [
            "Vinculación en jalisco [j=jalisco]",
            "Vinculación en federacion [j=federacion]"
        ]
    );
    let details = &instances[1].scenario.steps[4];
    match &details.action {
        pnt_suite::scenario::Action::Detalle(d) => {
            assert_eq!(d.folio, pnt_suite::scenario::runtime_marker("folio"))
        }
        other => panic!("expected detalle, got {other:?}"),
    }
}

#[test]
fn requirements_follow_from_clock_restart_and_non_default_dialects() {
    use pnt_suite::scenario::Requirement;
    let needs = |yaml: &str| {
        load_str(Path::new("caso.yaml"), yaml).unwrap()[0]
            .scenario
            .requirements()
    };
    assert_eq!(needs(BASE), []);
    assert_eq!(
        needs(&steps(
            "  - concurrent:\n      - historial\n  - restart\n  - set_clock: 2021-09-20\n"
        )),
        [Requirement::Clock, Requirement::Restart]
    );
    assert_eq!(
        needs(&format!(
            "{BASE}infomex:\n  dialects: {{jalisco: modern}}\nclock:\n  hoy: 2021-09-20\n"
        )),
        [Requirement::Clock, Requirement::Infomex]
    );
    // A map that repeats the defaults (jalisco legacy, federación modern) asks the target for
    // nothing: it already speaks them.
    assert_eq!(
        needs(&format!(
            "{BASE}infomex:\n  dialects: {{jalisco: legacy, federacion: modern}}\n"
        )),
        []
    );
}

/// Faults that count requests in arrival order — in the plan or added by a `faults` step —
/// make the runner link one solicitud at a time; faults without counters, or keyed to a folio,
/// leave the target's concurrency alone.
#[test]
fn faults_that_count_arrivals_are_recognised() {
    let counts = |yaml: &str| {
        load_str(Path::new("caso.yaml"), yaml).unwrap()[0]
            .scenario
            .faults_count_arrivals()
    };
    let plan = |fault: &str| format!("{BASE}infomex:\n  faults:\n    - {fault}\n");
    assert!(!counts(BASE));
    assert!(!counts(&plan("{kind: system_down, endpoint: detalle}")));
    assert!(!counts(&plan(
        "{kind: malformed, folio: \"0623800160321\"}"
    )));
    assert!(counts(&plan(
        "{kind: system_down, endpoint: detalle, nth: 12}"
    )));
    assert!(counts(&plan("{kind: http_status, status: 500, times: 2}")));
    assert!(counts(&plan("{kind: malformed, probability: 0.5}")));
    assert!(counts(&plan("{kind: session_expiry, after: 5}")));
    assert!(counts(&steps(
        "  - faults:\n      - {kind: reset, times: 1}\n"
    )));
}

/// Every error of `yaml`, one `LINE:COL [code] message` each.
fn all_errors(yaml: &str) -> Vec<String> {
    load_str_all(Path::new("caso.yaml"), yaml)
        .expect_err(&format!("this file should not load:\n{yaml}"))
        .iter()
        .map(|e| {
            let pos = e.pos.map(|p| p.to_string()).unwrap_or_default();
            format!("{pos} [{}] {}", e.code, e.message)
        })
        .collect()
}

#[test]
fn independent_mistakes_are_all_reported_in_file_order() {
    let yaml = "\
name: Tres errores
pnt:
  users:
    ana: {}
infomex:
  faults:
    - kind: http_status
      jurisdiccion: jalisco
steps:
  - registrar: ana
  - vinular: {jurisdiccion: jalisco, usuario: u}
  - iniciar_sesion: anna
";
    assert_eq!(
        all_errors(yaml),
        [
            "7:7 [escenario_incoherente] la falla `http_status` necesita el campo `status`",
            "11:5 [paso_desconocido] paso desconocido `vinular`; ¿quiso decir `vincular`?",
            "12:5 [escenario_incoherente] usuario desconocido `anna`; ¿quiso decir `ana`?",
        ]
    );
    // The single-error API gives the first of them in file order, as `run` reports it.
    let first = load_str(Path::new("caso.yaml"), yaml).unwrap_err();
    assert_eq!(first.pos.unwrap().to_string(), "7:7");
}

#[test]
fn parse_errors_in_several_steps_top_level_keys_and_nested_steps_are_all_reported() {
    let yaml = "\
name: Muchos errores
seed: siete
pnt:
  users:
    ana: {}
steps:
  - registrar: ana
  - historial: {semaforo: rojo}
  - concurrent:
      - historial
      - restart: 5
  - iniciar_sesion: ana
    expct: {status: 200}
  - detalle: ${folo}
";
    assert_eq!(
        all_errors(yaml),
        [
            "2:7 [tipo_invalido] se esperaba un número entero no negativo",
            "8:27 [valor_invalido] valor desconocido `rojo`; se esperaba uno de: en_tiempo, \
             en_alerta, fuera_de_tiempo",
            "11:18 [valor_invalido] el paso `restart` no lleva argumentos: escriba `- restart`, \
             o `restart: {}` para añadirle `expect` o `as`",
            "12:5 [clave_desconocida] clave desconocida `expct` en un paso; ¿quiso decir `expect`?",
            "14:14 [variable_desconocida] variable desconocida `${folo}`; defínala en `matrix` o \
             captúrela en un paso anterior con `capture`",
        ]
    );
}

#[test]
fn a_yaml_syntax_error_ends_the_search() {
    // What follows a syntax error cannot be read reliably: one error, not a cascade.
    let yaml = steps(
        "  - historial: {}\n    capture: {folio: solicitudes[0].folio}\n  - iniciar_sesion: anna\n  - vinular: x\n",
    );
    assert_eq!(
        all_errors(&yaml),
        [
            "10:33 [yaml_invalido] YAML mal formado: falta `,` o `}` en un mapa entre llaves (un \
             texto con `[`, `]`, `{`, `}` o `,` dentro de llaves va entre comillas)"
        ]
    );
}

#[test]
fn actions_without_arguments_take_nothing_or_an_empty_mapping() {
    for ok in [
        "  - vinculaciones\n",
        "  - vinculaciones:\n",
        "  - vinculaciones: {}\n    expect: {counts: {.: 0}}\n",
        "  - quejas: {}\n",
        "  - clear_faults: {}\n",
        "  - restart: {}\n",
        "  - cerrar_sesion: {}\n",
        "  - cerrar_sesion: ana\n",
    ] {
        load_str(Path::new("caso.yaml"), &steps(ok))
            .unwrap_or_else(|e| panic!("{ok:?} should load: {e}"));
    }
    check(
        &steps("  - vinculaciones: {todas: true}\n"),
        "9:20 [valor_invalido] el paso `vinculaciones` no lleva argumentos: escriba \
         `- vinculaciones`, o `vinculaciones: {}` para añadirle `expect` o `as`",
    );
    check(
        &steps("  - cerrar_sesion: {user: ana}\n"),
        "9:20 [valor_invalido] `cerrar_sesion` lleva un usuario (`cerrar_sesion: ana`), nada, o `{}`",
    );
}

#[test]
fn errors_that_only_follow_from_an_earlier_one_are_not_reported() {
    // A broken `pnt` does not make every step's user unknown.
    assert_eq!(
        all_errors(&BASE.replace("ana: {}", "ana: {apodo: Anita}")),
        [
            "5:11 [clave_desconocida] clave desconocida `apodo`; se esperaba una de: correo, \
          contrasena, nombre"
        ]
    );
    // A broken `set_clock` does not leave the later `advance_clock` without a date, and a broken
    // step that captures a variable still defines it for later steps.
    assert_eq!(
        all_errors(&steps(
            "  - set_clock: 2021-02-30\n  - advance_clock: {dias: 1}\n  - historial: {semaforo: rojo}\n    \
             capture: {folio: \"solicitudes[0].folio\"}\n  - detalle: ${folio}\n"
        )),
        [
            "9:16 [valor_invalido] «2021-02-30» no es una fecha válida; escríbala como AAAA-MM-DD, \
             p. ej. 2021-09-20",
            "11:27 [valor_invalido] valor desconocido `rojo`; se esperaba uno de: en_tiempo, \
             en_alerta, fuera_de_tiempo",
        ]
    );
}
