//! Checks of the PNT contract that no expectation can switch off, and the scenarios that prove
//! session revocation and `Retry-After`, shown failing on wiremock targets broken in that way;
//! and the runner telling a target that offers the `calendarios` hook a scenario's calendars.

use std::process::{Command, Output};

use serde_json::json;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A target with the `clock` hook, registration and log-in, plus `extra` mocks.
async fn target(extra: Vec<Mock>) -> MockServer {
    let target = MockServer::start().await;
    let base = [
        Mock::given(method("GET"))
            .and(path("/.well-known/pnt-suite"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"api": "/api/v1", "hooks": {"prefix": "/__test", "available": ["clock"]}}),
            )),
        Mock::given(method("PUT"))
            .and(path("/__test/clock"))
            .respond_with(ResponseTemplate::new(204)),
        Mock::given(method("POST"))
            .and(path("/api/v1/usuarios"))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({"correo": "x@y"}))),
    ];
    for mock in base.into_iter().chain(extra) {
        mock.mount(&target).await;
    }
    target
}

async fn run(url: String, scenario: &'static str) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_pnt-suite"))
            .args([
                "run",
                scenario,
                "--target",
                &url,
                "--sim-addr",
                "127.0.0.1:0",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn empty_history() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"hoy": "2021-09-20", "total": 0, "pagina": 1,
        "por_pagina": 20, "leyenda": "Mostrando 0 de 0 solicitudes", "solicitudes": []}))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_that_survives_logout_fails_the_revocation_scenario() {
    let target = target(vec![
        Mock::given(method("POST"))
            .and(path("/api/v1/sesiones"))
            .respond_with(
                ResponseTemplate::new(201)
                    .set_body_json(json!({"token": "t", "expira": "2021-10-20"})),
            ),
        Mock::given(method("DELETE"))
            .and(path("/api/v1/sesiones"))
            .respond_with(ResponseTemplate::new(204)),
        // The token still opens everything after log-out.
        Mock::given(method("GET"))
            .and(path("/api/v1/historial"))
            .respond_with(empty_history()),
    ])
    .await;
    let out = run(target.uri(), "scenarios/seguridad/cierre-de-sesion.yaml").await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(
            "paso 5 (historial, scenarios/seguridad/cierre-de-sesion.yaml:23) — status: el estado HTTP no es el esperado\n      esperado: 401\n      obtenido: 200"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("no_autenticado"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_without_retry_after_fails_whatever_the_step_expects() {
    let refused = ResponseTemplate::new(401).set_body_json(
        json!({"error": {"codigo": "credenciales_invalidas", "mensaje": "Correo o contraseña incorrectos."}}),
    );
    let target = target(vec![
        // Five refusals, then the lock-out without `Retry-After`.
        Mock::given(method("POST"))
            .and(path("/api/v1/sesiones"))
            .respond_with(refused)
            .up_to_n_times(5)
            .with_priority(1),
        Mock::given(method("POST"))
            .and(path("/api/v1/sesiones"))
            .respond_with(ResponseTemplate::new(429).set_body_json(json!({"error": {
                "codigo": "demasiados_intentos",
                "mensaje": "Demasiados intentos fallidos; intente de nuevo en 15 minutos."}})))
            .with_priority(2),
    ])
    .await;
    let out = run(
        target.uri(),
        "scenarios/seguridad/limite-de-inicios-de-sesion.yaml",
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("— encabezado Retry-After:"), "{stdout}");
    assert!(
        stdout.contains(
            "— Retry-After: una respuesta 429 debe decir en `Retry-After` cuándo reintentar"
        ),
        "{stdout}"
    );
}

/// A target offering the `calendarios` hook is told the scenario's calendars before it runs:
/// the SISAI suspension for the Federación, exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_offering_the_calendarios_hook_is_told_the_scenarios_calendars() {
    let target = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/.well-known/pnt-suite"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"api": "/api/v1",
            "hooks": {"prefix": "/__test", "available": ["clock", "calendarios"]}})),
        )
        .mount(&target)
        .await;
    Mock::given(method("PUT"))
        .and(path("/__test/clock"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&target)
        .await;
    Mock::given(method("PUT"))
        .and(path("/__test/calendarios"))
        .and(body_partial_json(
            json!({"calendarios": {"federacion": {}}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&target)
        .await;
    // Everything else is refused: the scenario fails, but the hook was called first.
    let out = run(target.uri(), "scenarios/plazos/suspension-sisai-2021.yaml").await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    target.verify().await;
}
