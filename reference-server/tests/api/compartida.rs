//! Two server instances on one PostgreSQL database, as a PNT behind a load balancer runs: what
//! one process used to keep in memory (the linkage lock, the failed-attempt limits) must hold
//! across both. These tests need PostgreSQL (`PNT_TEST_POSTGRES_URL`); CI's PostgreSQL leg runs
//! them. On SQLite they say so and pass: a SQLite database has one server process.

use pnt_model::Jurisdiccion;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

fn postgres() -> bool {
    let hay = std::env::var(POSTGRES_VAR).is_ok_and(|v| !v.is_empty());
    if !hay {
        eprintln!(
            "{POSTGRES_VAR} sin definir: esta prueba de dos instancias corre en la etapa de PostgreSQL"
        );
    }
    hay
}

async fn vincular_en(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    j: Jurisdiccion,
    usuario: &str,
    contrasena: &str,
) -> (StatusCode, Value) {
    let r = client
        .post(format!("{base}/api/v1/vinculaciones"))
        .bearer_auth(token)
        .json(&json!({"jurisdiccion": j.slug(), "usuario": usuario, "contrasena": contrasena}))
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

#[tokio::test]
async fn two_instances_linking_one_account_at_once_store_one_copy() {
    if !postgres() {
        return;
    }
    let app = spawn_app().await;
    let (otra, _instancia) = app.otra_instancia().await;
    let token = app.user("maria@example.mx").await;
    let j = Jurisdiccion::Federacion;
    let usuario = usuario_con(&app.sim, j, 40);
    let cuenta = app.cuenta(j, &usuario);
    let pass = cuenta.contrasena.clone();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    // The session opened through the first instance is valid on the second: it is in the
    // database.
    let ((s1, r1), (s2, r2)) = tokio::join!(
        vincular_en(&client, &app.url, &token, j, &usuario, &pass),
        vincular_en(&client, &otra, &token, j, &usuario, &pass),
    );
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK), "{r1} {r2}");
    let total = cuenta.solicitudes.len() as u64;
    for r in [&r1, &r2] {
        assert_eq!(r["solicitudes"].as_u64(), Some(total), "{r}");
        assert_eq!(r["estado"], "completa", "{r}");
    }
    // One ran after the other: one found everything new, the other nothing.
    let mut nuevas = [
        r1["nuevas"].as_u64().unwrap(),
        r2["nuevas"].as_u64().unwrap(),
    ];
    nuevas.sort_unstable();
    assert_eq!(nuevas, [0, total], "{r1} {r2}");
    assert_historial_igual(&app, &token, &cuenta, &[]).await;
}

#[tokio::test]
async fn failed_linkages_count_across_instances() {
    if !postgres() {
        return;
    }
    let app = spawn_app_with(
        infomex_sim::InfomexSim::builder()
            .seed(42)
            .max_attempts(100),
        |c| c,
    )
    .await;
    let (otra, _instancia) = app.otra_instancia().await;
    let token = app.user("maria@example.mx").await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let j = Jurisdiccion::Jalisco;
    // Three failures against one Infomex account (the limit), spread over both instances.
    for base in [&app.url, &otra, &app.url] {
        let (status, body) = vincular_en(&client, base, &token, j, "ciudadano1", "mala").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    let pass = app.cuenta(j, "ciudadano1").contrasena;
    let (status, body) = vincular_en(&client, &otra, &token, j, "ciudadano1", &pass).await;
    assert_eq!(
        (status, body["error"]["codigo"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("demasiados_intentos")),
        "{body}"
    );
}
