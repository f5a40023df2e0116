//! `pnt-suite check` driven as a user drives it: paths in, one line per file, exit code out.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

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

const VALID: &str = "name: Registro\npnt:\n  users:\n    ana: {}\nsteps:\n  - registrar: ana\n";

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
        &VALID.replace("registrar", "registrarse"),
    );
    write(dir.path(), "a/notas.txt", "no es un escenario");
    let out = pnt_suite(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = text(&out.stdout);
    let root = dir.path().display();
    assert_eq!(
        stdout,
        format!(
            "error  {root}/a/b/malo.yml:6:5: paso desconocido `registrarse`; ¿quiso decir `registrar`?  [código: paso_desconocido]\n\
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

/// A former step key is still valid, and both commands that read files name its successor.
#[test]
fn a_former_step_key_is_accepted_with_a_warning_that_names_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "viejo.yaml",
        &VALID.replace("registrar", "register"),
    );
    let file = dir.path().join("viejo.yaml");
    let warning = format!(
        "{}:6:5: el paso `register` ahora se llama `registrar`; escriba `registrar` (`register` se sigue aceptando por ahora)  [código: paso_obsoleto]",
        file.display()
    );

    let out = pnt_suite(&["check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!(
            "ok     {} (1 escenario)\naviso  {warning}\n",
            file.display()
        )
    );

    let out = pnt_suite(&["run", file.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{}{stderr}", text(&out.stdout));
    assert!(stderr.contains(&format!("aviso: {warning}")), "{stderr}");
}

#[test]
fn check_reports_every_error_of_a_file_in_file_order() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "tres.yaml",
        "name: Tres errores\npnt:\n  users:\n    ana: {}\ninfomex:\n  faults:\n    - kind: http_status\n\
         steps:\n  - registrar: ana\n  - vinular: {jurisdiccion: jalisco, usuario: u}\n  - iniciar_sesion: anna\n",
    );
    let file = dir.path().join("tres.yaml");
    let out = pnt_suite(&["check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let f = file.display();
    assert_eq!(
        text(&out.stdout),
        format!(
            "error  {f}:7:7: la falla `http_status` necesita el campo `status`  [código: escenario_incoherente]\n\
             error  {f}:10:5: paso desconocido `vinular`; ¿quiso decir `vincular`?  [código: paso_desconocido]\n\
             error  {f}:11:5: usuario desconocido `anna`; ¿quiso decir `ana`?  [código: escenario_incoherente]\n"
        )
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: 1 de 1 archivos no son escenarios válidos (3 errores)"),
        "{stderr}"
    );
    // `run` refuses the same file before running anything, with its first error.
    let run = pnt_suite(&["run", file.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    let ran = text(&run.stdout);
    assert!(!ran.contains("PASÓ") && !ran.contains("FALLÓ"), "{ran}");
    let stderr = text(&run.stderr);
    assert!(stderr.contains(&format!("{f}:7:7:")), "{stderr}");
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

/// A scenario about the seed's federal request, with one expectation `wrong` can falsify.
const PLAZO: &str = "\
name: Plazo de la solicitud semilla
seed: 1
clock:
  hoy: 2021-09-20
infomex:
  accounts:
    - jurisdiccion: federacion
      usuario: ciudadano.federal
      contrasena: clave-federal
      solicitudes:
        - folio: \"0623800160321\"
          tipo: acceso
          institucion: INSTITUTO NACIONAL DE TRANSPARENCIA
          descripcion: Solicito el directorio de servidores públicos
          fecha_presentacion: 2021-08-26
          estado: en_proceso
pnt:
  users:
    luis: {}
steps:
  - registrar: luis
  - iniciar_sesion: luis
  - vincular: {jurisdiccion: federacion, usuario: ciudadano.federal}
    expect:
      fields: {estado: completa, solicitudes: 1}
  - detalle: \"0623800160321\"
    expect:
      fields:
        fecha_limite_entrega: 2021-09-24
        semaforo: en_alerta
";

/// A snapshot with no golden was not compared: it says so, and under `--require-all` (a
/// conformance claim) the run cannot exit 0.
#[test]
fn an_uncompared_snapshot_fails_require_all() {
    let dir = tempfile::tempdir().unwrap();
    let with_snapshot = PLAZO.replace(
        "        semaforo: en_alerta\n",
        "        semaforo: en_alerta\n      snapshot: detalle de la semilla\n",
    );
    assert_ne!(with_snapshot, PLAZO);
    write(dir.path(), "plazo.yaml", &with_snapshot);
    let path = dir.path().to_str().unwrap();
    let out = pnt_suite(&["run", path]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("Instantáneas: 0 comparadas con su golden, 1 sin comparar"),
        "{stdout}"
    );
    let out = pnt_suite(&["run", path, "--require-all"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains(
            "--require-all: 1 instantánea sin comparar con su golden; la corrida no prueba \
             conformidad completa y no sale con 0  [código: instantanea_sin_comparar_con_require_all]"
        ),
        "{stdout}"
    );
}

#[test]
fn run_passes_against_the_embedded_reference_and_writes_junit() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "plazo.yaml", PLAZO);
    let junit = dir.path().join("junit.xml");
    let out = pnt_suite(&[
        "run",
        dir.path().to_str().unwrap(),
        "--report",
        &format!("junit={}", junit.display()),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.starts_with("✓ PASÓ      Plazo de la solicitud semilla"),
        "{stdout}"
    );
    assert!(stdout.contains("1 escenario: 1 pasó"), "{stdout}");
    let xml = std::fs::read_to_string(junit).unwrap();
    assert!(
        xml.contains(
            r#"<testsuites name="pnt-suite" tests="1" skipped="0" failures="0" errors="0""#
        ),
        "{xml}"
    );
}

#[test]
fn a_false_expectation_fails_with_a_diff_and_the_repro_command() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "falso.yaml",
        &PLAZO.replace("semaforo: en_alerta", "semaforo: fuera_de_tiempo"),
    );
    let file = dir.path().join("falso.yaml");
    let out = pnt_suite(&["run", file.to_str().unwrap(), "--seed", "3"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains(&format!(
            "    paso 4 (detalle, {}:26) — fields.semaforo: el valor en `semaforo` no es el esperado\n      \
             esperado: \"fuera_de_tiempo\"\n      obtenido: \"en_alerta\"\n",
            file.display()
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "    repetir: pnt-suite run {} --seed 3\n",
            file.display()
        )),
        "{stdout}"
    );
}

#[test]
fn run_refuses_a_broken_file_with_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "roto.yaml",
        &PLAZO.replace("  - iniciar_sesion: luis", "  - loguin: luis"),
    );
    let out = pnt_suite(&["run", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr
            .contains("roto.yaml:22:5: paso desconocido `loguin`; ¿quiso decir `iniciar_sesion`?"),
        "{stderr}"
    );
    assert!(stderr.contains("código: paso_desconocido"), "{stderr}");
    assert!(text(&out.stdout).is_empty());
}

#[test]
fn run_with_an_empty_selection_exits_2() {
    let out = pnt_suite(&["run", "scenarios", "--filter", "no-existe-tal-escenario"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("código: seleccion_vacia"));
    let out = pnt_suite(&["run", "scenarios", "--shard", "3/2"]);
    assert_eq!(out.status.code(), Some(2));
}

/// A target that answers only its discovery document, without hooks.
async fn target_without_hooks() -> MockServer {
    target_discovered_as(json!({"api": "/api/v1", "version": "1.0.0",
                                "hooks": {"prefix": "/__test", "available": []}}))
    .await
}

/// A target on a free loopback port that answers only `discovery` at `/.well-known/pnt-suite`;
/// tests mount more mocks on it. Any other request gets a 404.
async fn target_discovered_as(discovery: Value) -> MockServer {
    let target = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/.well-known/pnt-suite"))
        .respond_with(ResponseTemplate::new(200).set_body_json(discovery))
        .mount(&target)
        .await;
    target
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenarios_needing_a_missing_hook_are_not_applicable_never_passed() {
    let target = target_without_hooks().await;
    let out = run_against(target.uri(), PLAZO, &[]).await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("– NO APLICA Plazo de la solicitud semilla"),
        "{stdout}"
    );
    assert!(
        stdout.contains("    el destino no ofrece lo que el escenario necesita: `clock`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 escenario: 0 pasaron, 1 no aplica"),
        "{stdout}"
    );
    assert!(
        stdout.contains("No aplicaron (no se ejecutaron ni cuentan como pasados):\n  – Plazo de la solicitud semilla\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Se ejercitó 0 de 1 (0 %) de la selección"),
        "{stdout}"
    );
}

/// `--require-all` is a conformance claim: a run where anything was not applicable exits 1 and
/// says which and why; the JUnit report skips the case with the reason, and the JSON report
/// counts it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn require_all_fails_a_run_where_anything_was_not_applicable() {
    let target = target_without_hooks().await;
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let json = dir.path().join("informe.json");
    let out = run_against(
        target.uri(),
        PLAZO,
        &[
            "--require-all",
            "--report",
            &format!("junit={}", junit.display()),
            "--report",
            &format!("json={}", json.display()),
        ],
    )
    .await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains(
            "  – Plazo de la solicitud semilla\n    el destino no ofrece lo que el escenario necesita: `clock`\n\
             --require-all: 1 escenario no aplicó; la corrida no prueba conformidad completa y no sale con 0  [código: no_aplica_con_require_all]\n"
        ),
        "{stdout}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains(
            "<skipped message=\"no aplica: el destino no ofrece lo que el escenario necesita: `clock`\"/>"
        ),
        "{xml}"
    );
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["counts"]["not_applicable"], 1, "{report}");
    assert_eq!(report["exercised"], 0, "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_with_a_calendar_the_oracle_does_not_know_cannot_be_checked() {
    let target = target_discovered_as(json!({"api": "/api/v1", "version": "1.0.0",
        "hooks": {"prefix": "/__test", "available": ["clock", "reset"]},
        "reglas": {"calendario": "sisai-2021", "umbral_alerta": 5}}))
    .await;
    let out = run_against(target.uri(), PLAZO, &[]).await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains(
            "declara el calendario «sisai-2021»; pnt-suite solo calcula plazos con `lft`"
        ),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_slower_than_the_timeout_is_an_error_that_names_the_flag() {
    let target = target_without_hooks().await;
    // Answers only after an hour: the runner's time limit is what ends the request.
    Mock::given(method("POST"))
        .and(path("/api/v1/usuarios"))
        .respond_with(ResponseTemplate::new(201).set_delay(Duration::from_secs(3600)))
        .mount(&target)
        .await;
    let scenario = "name: Registro ante un destino lento\nseed: 1\npnt:\n  users:\n    ana: {}\nsteps:\n  - registrar: ana\n";
    let out = run_against(target.uri(), scenario, &["--timeout", "1"]).await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("el destino no respondió dentro del tiempo límite")
            && stdout.contains("aumente `--timeout`")
            && stdout.contains("(causa: tiempo agotado) [código: destino_sin_respuesta]"),
        "{stdout}"
    );
}

#[test]
fn an_unreachable_target_exits_3() {
    // Port 9 (discard) on loopback has no HTTP server.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "plazo.yaml", PLAZO);
    let out = pnt_suite(&[
        "run",
        dir.path().to_str().unwrap(),
        "--target",
        "http://127.0.0.1:9",
        "--sim-addr",
        "127.0.0.1:0",
        "--sim-admin-token",
        "s3cret",
        "--restart-command",
        "systemctl restart pnt",
        "--timeout",
        "5",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("! ERROR     Plazo de la solicitud semilla"),
        "{stdout}"
    );
    // The repro command carries every flag the target's run needs, the token only as a variable.
    assert!(
        stdout.contains(
            "--seed 1 --target http://127.0.0.1:9 --sim-addr 127.0.0.1:0 --sim-admin-token \
             \"$PNT_SIM_ADMIN_TOKEN\" --restart-command 'systemctl restart pnt' --timeout 5"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("s3cret"), "{stdout}");
}

/// A PNT that makes the 2021 mistakes: its linkage says `completa` but Mi Historial is empty, or
/// (with `generic`) it refuses with "consulte con el administrador".
async fn faulty_target(generic: bool) -> MockServer {
    let target = target_discovered_as(
        json!({"api": "/api/v1", "hooks": {"prefix": "/__test", "available": ["clock"]}}),
    )
    .await;
    let vinculacion = if generic {
        ResponseTemplate::new(502).set_body_json(json!({"error": {"codigo": "infomex_no_responde",
                             "mensaje": "Error. Consulte con el administrador del sistema."}}))
    } else {
        ResponseTemplate::new(200).set_body_json(
            json!({"jurisdiccion": "federacion", "usuario_infomex": "ciudadano.federal",
                   "estado": "completa", "mensaje": "Listo.", "solicitudes": 1, "respuestas": 0,
                   "adjuntos": 0, "nuevas": 1, "actualizadas": 0, "pendientes": []}),
        )
    };
    let mocks = [
        Mock::given(method("PUT"))
            .and(path("/__test/clock"))
            .respond_with(ResponseTemplate::new(204)),
        Mock::given(method("POST"))
            .and(path("/api/v1/usuarios"))
            .respond_with(
                ResponseTemplate::new(201)
                    .set_body_json(json!({"correo": "luis@x", "nombre": "luis"})),
            ),
        Mock::given(method("POST"))
            .and(path("/api/v1/sesiones"))
            .respond_with(
                ResponseTemplate::new(201)
                    .set_body_json(json!({"token": "t", "expira": "2021-10-20"})),
            ),
        Mock::given(method("POST"))
            .and(path("/api/v1/vinculaciones"))
            .respond_with(vinculacion),
        Mock::given(method("GET"))
            .and(path("/api/v1/historial"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"hoy": "2021-09-20", "total": 0, "pagina": 1, "por_pagina": 100,
                       "leyenda": "Mostrando 0 de 0 solicitudes", "solicitudes": []}),
            )),
    ];
    for mock in mocks {
        mock.mount(&target).await;
    }
    target
}

/// `pnt-suite run` of one scenario file against the target at `url`, with `extra` flags.
async fn run_against(url: String, scenario: &str, extra: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "escenario.yaml", scenario);
    let extra: Vec<String> = extra.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let path = dir.path().join("escenario.yaml");
        let mut args = vec![
            "run",
            path.to_str().unwrap(),
            "--target",
            &url,
            "--sim-addr",
            "127.0.0.1:0",
        ];
        args.extend(extra.iter().map(String::as_str));
        pnt_suite(&args)
    })
    .await
    .unwrap()
}

/// PLAZO up to the linkage.
fn linkage_only() -> String {
    PLAZO[..PLAZO.find("  - detalle").unwrap()].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_oracle_catches_a_target_that_loses_solicitudes() {
    let target = faulty_target(false).await;
    let out = run_against(target.uri(), &linkage_only(), &[]).await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains(
            "— oráculo: faltantes: 1 solicitudes de Infomex no están en Mi Historial ni en `pendientes`\n      \
             esperado: (ninguno)\n      obtenido: 0623800160321\n"
        ),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consulte_con_el_administrador_always_fails() {
    // Even a scenario that expects this very error cannot pass with the 2021 message.
    let expecting_the_error = linkage_only().replace(
        "    expect:\n      fields: {estado: completa, solicitudes: 1}\n",
        "    expect:\n      error: infomex_no_responde\n",
    );
    let target = faulty_target(true).await;
    let out = run_against(target.uri(), &expecting_the_error, &[]).await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("— mensaje genérico: la respuesta dice «consulte con el administrador»"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("— error:"),
        "the expected code itself matched: {stdout}"
    );
}

/// A capture that finds nothing is a failure of its step (exit 1, not 3): the step that needed
/// the value fails too and the scenario stops there, and what was recorded before it (the
/// oracle's diff of the linkage) stays in the report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_capture_that_finds_nothing_fails_and_keeps_earlier_failures() {
    let target = faulty_target(false).await;
    let scenario = format!(
        "{}    capture:\n      folio: solicitudes_migradas[0].folio\n  - detalle: ${{folio}}\n  - cerrar_sesion\n",
        linkage_only()
    );
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let out = run_against(
        target.uri(),
        &scenario,
        &["--report", &format!("junit={}", junit.display())],
    )
    .await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("✗ FALLÓ"), "{stdout}");
    assert!(
        stdout.contains("— oráculo: faltantes: 1 solicitudes de Infomex"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "— capture.folio: no se pudo capturar `folio`: la respuesta (HTTP 200) no tiene \
             `solicitudes_migradas[0].folio`"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "escenario.yaml:28) — variable_sin_valor: la variable `${folio}` \
             aún no tiene valor: ningún paso anterior la capturó; el paso no se ejecutó, ni el \
             paso siguiente. Revise la `capture` que debía darle valor"
        ),
        "{stdout}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("<failure"), "{xml}");
    assert!(!xml.contains("<error"), "{xml}");
    assert!(xml.contains("faltantes: 1 solicitudes"), "{xml}");
}

const CORREO: &str = "\
name: Correo repetido
seed: 1
clock:
  hoy: 2021-09-20
pnt:
  users:
    ana: {}
steps:
  - registrar: ana
  - registrar: ana
    expect:
      status: 409
      snapshot: correo repetido
";

/// `snapshot:` means something in `run`: without a golden it says it compared nothing;
/// `--update-snapshots` writes the golden (refused against a `--target` without `--force`); a
/// golden that differs outside what the contract leaves free is a failure with a diff, and one
/// that differs only in wording (`mensaje`) is not.
#[test]
fn run_compares_snapshots_with_the_goldens_and_says_when_there_is_none() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "scenarios/errores/correo.yaml", CORREO);
    std::fs::create_dir_all(dir.path().join("tests/snapshots")).unwrap();
    let scenarios = dir.path().join("scenarios");
    let scenarios = scenarios.to_str().unwrap();
    let golden = dir.path().join(
        "tests/snapshots/scenarios__every_scenario_file_passes_and_matches_its_snapshot@errores__correo.yaml.snap",
    );

    let out = pnt_suite(&["run", scenarios]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains(
            "— instantánea «correo repetido»: sin golden en tests/snapshots/: no se comparó"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("Instantáneas: 0 comparadas con su golden, 1 sin comparar"),
        "{stdout}"
    );

    let out = pnt_suite(&[
        "run",
        scenarios,
        "--update-snapshots",
        "--target",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("código: goldens_desde_destino"),
        "{}",
        text(&out.stderr)
    );
    assert!(!golden.exists());

    let out = pnt_suite(&["run", scenarios, "--update-snapshots"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("golden escrito: "), "{stdout}");
    let written = std::fs::read_to_string(&golden).unwrap();
    assert!(
        written.starts_with("---\nsource: tests/scenarios.rs\nexpression: transcript\ninput_file: scenarios/errores/correo.yaml\n---\n## Correo repetido\nresultado: Passed\n"),
        "{written}"
    );
    let out = pnt_suite(&["run", scenarios, "--update-snapshots"]);
    assert!(
        text(&out.stdout).contains("golden sin cambios: "),
        "{}",
        text(&out.stdout)
    );

    let out = pnt_suite(&["run", scenarios]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(!stdout.contains("instantánea"), "{stdout}");

    // A golden holds its file's seed: another one is said not to be compared, and never written.
    let out = pnt_suite(&["run", scenarios, "--seed", "3"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("— instantánea «correo repetido»: no se comparó: el golden es de la semilla del archivo y --seed la cambió"),
        "{stdout}"
    );
    let out = pnt_suite(&["run", scenarios, "--update-snapshots", "--seed", "3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("código: goldens_con_otra_semilla"));

    // Other wording is the target's to choose; the code is the contract.
    let reworded = written.replace(
        "\"mensaje\": \"Ya existe",
        "\"mensaje\": \"Otra redacción. Ya existe",
    );
    assert_ne!(reworded, written);
    std::fs::write(&golden, &reworded).unwrap();
    let out = pnt_suite(&["run", scenarios]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));

    std::fs::write(
        &golden,
        written.replace(
            "\"codigo\": \"correo_ya_registrado\"",
            "\"codigo\": \"otro_codigo\"",
        ),
    )
    .unwrap();
    let out = pnt_suite(&["run", scenarios]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("correo.yaml:10) — snapshot.correo repetido: lo que muestra el destino no coincide con el golden"),
        "{stdout}"
    );
    assert!(stdout.contains("      -     \"codigo\": \"otro_codigo\",\n      +     \"codigo\": \"correo_ya_registrado\","), "{stdout}");
}

/// The goldens written against the reference judge a foreign target: a PNT whose 409 says the
/// same `codigo` in its own words (and adds a field) matches; one with another `codigo` fails
/// the snapshot with a diff.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_target_is_compared_with_the_references_golden() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "scenarios/errores/correo.yaml", CORREO);
    std::fs::create_dir_all(dir.path().join("tests/snapshots")).unwrap();
    let scenarios = dir.path().join("scenarios").to_str().unwrap().to_owned();
    let update = {
        let scenarios = scenarios.clone();
        tokio::task::spawn_blocking(move || pnt_suite(&["run", &scenarios, "--update-snapshots"]))
            .await
            .unwrap()
    };
    assert_eq!(update.status.code(), Some(0), "{}", text(&update.stdout));

    for (codigo, passes) in [("correo_ya_registrado", true), ("usuario_duplicado", false)] {
        let target = target_discovered_as(
            json!({"api": "/api/v1", "hooks": {"prefix": "/__test", "available": ["clock"]}}),
        )
        .await;
        Mock::given(method("PUT"))
            .and(path("/__test/clock"))
            .respond_with(ResponseTemplate::new(204))
            .mount(&target)
            .await;
        Mock::given(method("POST"))
            .and(path("/api/v1/usuarios"))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({"correo": "ana@x"})))
            .up_to_n_times(1)
            .mount(&target)
            .await;
        Mock::given(method("POST"))
            .and(path("/api/v1/usuarios"))
            .respond_with(ResponseTemplate::new(409).set_body_json(json!({"error": {
                "codigo": codigo,
                "mensaje": "Ese correo ya tiene cuenta; inicie sesión o use otro.",
                "traza": "abc-123"}})))
            .mount(&target)
            .await;
        let url = target.uri();
        let scenarios = scenarios.clone();
        let out = tokio::task::spawn_blocking(move || {
            pnt_suite(&[
                "run",
                &scenarios,
                "--target",
                &url,
                "--sim-addr",
                "127.0.0.1:0",
            ])
        })
        .await
        .unwrap();
        let stdout = text(&out.stdout);
        if passes {
            assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
            assert!(!stdout.contains("instantánea"), "{stdout}");
        } else {
            assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
            assert!(
                stdout.contains("— snapshot.correo repetido: lo que muestra el destino no coincide con el golden"),
                "{stdout}"
            );
            assert!(
                stdout.contains("      -     \"codigo\": \"correo_ya_registrado\",\n      +     \"codigo\": \"usuario_duplicado\","),
                "{stdout}"
            );
        }
    }
}

/// Only a dialect the target must be told about needs its `infomex` hook: a map that repeats
/// the defaults runs against a target without hooks; one that changes a dialect is not
/// applicable there, with the hook named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_non_default_dialects_need_the_infomex_hook() {
    let target = target_without_hooks().await;
    let scenario = |dialect: &str| {
        format!(
            "name: Dialecto\ninfomex:\n  dialects: {{jalisco: {dialect}}}\npnt:\n  users:\n    ana: {{}}\nsteps:\n  - registrar: ana\n"
        )
    };
    let out = run_against(target.uri(), &scenario("modern"), &[]).await;
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("el destino no ofrece lo que el escenario necesita: `infomex`"),
        "{stdout}"
    );
    let out = run_against(target.uri(), &scenario("legacy"), &[]).await;
    let stdout = text(&out.stdout);
    assert!(!stdout.contains("NO APLICA"), "{stdout}");
    // It ran: the mock answers the registration with a 404, a failure of the target.
    assert!(stdout.contains("FALLÓ"), "{stdout}");
}
