//! Lockouts an attacker cannot turn against the owner: log-in failures count per correo and
//! source address (growing delays) with a looser cap per correo; refused registrations count per
//! address; failed linkages count per Infomex account too, below the Infomex's own lockout.
//! Sources are told apart by binding the client to another loopback address (127.0.0.0/8).

use std::net::IpAddr;
use std::time::Duration;

use infomex_sim::InfomexSim;
use pnt_model::Jurisdiccion;
use pnt_reference_server::{Limite, LimiteLogin};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_of, spawn_app, spawn_app_with};

/// A client whose connections come from `ip` (a loopback address other than 127.0.0.1).
fn desde(ip: &str) -> Client {
    Client::builder()
        .no_proxy()
        .local_address(ip.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

async fn sesion(
    app: &TestApp,
    client: &Client,
    correo: &str,
    contrasena: &str,
) -> reqwest::Response {
    client
        .post(app.api("/sesiones"))
        .json(&json!({"correo": correo, "contrasena": contrasena}))
        .send()
        .await
        .unwrap()
}

fn retry_after(r: &reqwest::Response) -> u64 {
    r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

const BIEN: &str = "contraseña-segura";

#[tokio::test]
async fn a_strangers_failures_from_another_address_do_not_block_the_owner() {
    let app = spawn_app().await;
    app.user("eva@example.mx").await;
    let extrano = desde("127.0.0.2");
    for _ in 0..8 {
        let s = sesion(&app, &extrano, "eva@example.mx", "adivinanza")
            .await
            .status();
        assert!(
            [StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS].contains(&s),
            "{s}"
        );
    }
    // The stranger is held back…
    let r = sesion(&app, &extrano, "eva@example.mx", "adivinanza").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // …and the owner, from their own address, logs in at once.
    let r = sesion(&app, &app.client, "eva@example.mx", BIEN).await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn failed_log_ins_from_one_address_meet_growing_delays() {
    let app = spawn_app().await;
    app.user("eva@example.mx").await;
    let c = &app.client;
    for _ in 0..5 {
        let r = sesion(&app, c, "eva@example.mx", "equivocada").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password waits: a minute after the fifth failure.
    let r = sesion(&app, c, "eva@example.mx", BIEN).await;
    assert_eq!(retry_after(&r), 60);
    let (status, codigo, mensaje) = error_of(r).await;
    assert_eq!(
        (status, codigo.as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "demasiados_intentos")
    );
    assert!(mensaje.contains("un minuto"), "{mensaje}");
    // One more failure once the minute is over doubles the delay.
    app.clock.advance(Duration::from_secs(60));
    let r = sesion(&app, c, "eva@example.mx", "equivocada").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = sesion(&app, c, "eva@example.mx", BIEN).await;
    assert_eq!(retry_after(&r), 120);
    app.clock.advance(Duration::from_secs(120));
    let r = sesion(&app, c, "eva@example.mx", BIEN).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    // Other correos were never affected.
    app.user("otro@example.mx").await;
}

#[tokio::test]
async fn failures_spread_over_addresses_meet_the_per_correo_cap() {
    let app = spawn_app_with(InfomexSim::builder().seed(42), |c| {
        let mut c = c;
        c.limite_login = LimiteLogin {
            por_correo: Limite {
                intentos: 6,
                ventana: Duration::from_secs(900),
            },
            ..LimiteLogin::default()
        };
        c
    })
    .await;
    app.user("eva@example.mx").await;
    for ip in ["127.0.0.2", "127.0.0.3", "127.0.0.4"] {
        for _ in 0..2 {
            let r = sesion(&app, &desde(ip), "eva@example.mx", "adivinanza").await;
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{ip}");
        }
    }
    let r = sesion(&app, &app.client, "eva@example.mx", BIEN).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn refused_registrations_are_limited_per_address() {
    let app = spawn_app().await;
    app.user("eva@example.mx").await;
    let extrano = desde("127.0.0.2");
    let registro = |correo: &str| {
        extrano
            .post(app.api("/usuarios"))
            .json(&json!({"correo": correo, "contrasena": BIEN, "nombre": "Sondeo"}))
            .send()
    };
    for _ in 0..10 {
        let (status, codigo, _) = error_of(registro("eva@example.mx").await.unwrap()).await;
        assert_eq!(
            (status, codigo.as_str()),
            (StatusCode::CONFLICT, "correo_ya_registrado")
        );
    }
    // Past the limit every registration from that address is refused alike, whether the correo
    // exists or not: nothing more is learned.
    for correo in ["eva@example.mx", "nadie@example.mx"] {
        let (status, codigo, _) = error_of(registro(correo).await.unwrap()).await;
        assert_eq!(
            (status, codigo.as_str()),
            (StatusCode::TOO_MANY_REQUESTS, "demasiados_intentos"),
            "{correo}"
        );
    }
    // Another address registers as usual.
    app.user("nadie@example.mx").await;
}

#[tokio::test]
async fn no_pnt_user_can_lock_another_persons_infomex_account() {
    // The simulator locks an account after 5 failed log-ins in a row, as Infomex does.
    let app = spawn_app_with(InfomexSim::builder().seed(42).max_attempts(5), |c| c).await;
    let j = Jurisdiccion::Jalisco;
    let atacantes = [
        app.user("uno@example.mx").await,
        app.user("dos@example.mx").await,
    ];
    let mut rechazos: Vec<u16> = Vec::new();
    for ronda in 0..4 {
        for token in &atacantes {
            let r = app
                .vincular_con(token, j, "ciudadano1", &format!("mala-{ronda}"))
                .await;
            rechazos.push(r.status().as_u16());
        }
    }
    // Three reach Infomex; every later one stops at the PNT.
    assert_eq!(rechazos, [422, 422, 422, 429, 429, 429, 429, 429]);
    // Once the window is over, the account's owner links with the right password: the
    // account was never locked.
    app.clock.advance(Duration::from_secs(15 * 60));
    let duena = app.user("duena@example.mx").await;
    let r: Value = app.vincular(&duena, j, "ciudadano1").await;
    assert_eq!(r["estado"], "completa", "{r}");
}
