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
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("! ERROR     Plazo de la solicitud semilla"),
        "{stdout}"
    );
    assert!(stdout.contains("repetir: pnt-suite run"), "{stdout}");
    assert!(stdout.contains("--target http://127.0.0.1:9"), "{stdout}");
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
