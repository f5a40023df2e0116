//! Log-in, lockout after wrong passwords, and session expiry on the simulator's clock.

use infomex_sim::{CuentaConfig, InfomexSim, procedural_password};
use pnt_model::Jurisdiccion;
use serde_json::Value;

use crate::helpers::{FED, JAL, client, legacy_login, modern_get, modern_login, xml_text};

#[tokio::test]
async fn wrong_password_then_lockout_in_both_dialects() {
    let sim = InfomexSim::builder()
        .seed(42)
        .max_attempts(3)
        .start()
        .await
        .unwrap();
    let url = format!("{}/federacion/api/sesion", sim.url());
    let attempt = |password: &'static str| {
        let url = url.clone();
        async move {
            client()
                .post(url)
                .json(&serde_json::json!({"usuario": "ciudadano5", "contrasena": password}))
                .send()
                .await
                .unwrap()
        }
    };
    for _ in 0..2 {
        let res = attempt("mala").await;
        assert_eq!(res.status(), 401);
        assert_eq!(
            res.json::<Value>().await.unwrap()["error"]["codigo"],
            "credenciales_invalidas"
        );
    }
    let res = attempt("mala").await;
    assert_eq!(res.status(), 423);
    let good = procedural_password(42, FED, "ciudadano5");
    let res = client()
        .post(&url)
        .json(&serde_json::json!({"usuario": "ciudadano5", "contrasena": good}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 423, "locked even with the right password");
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["codigo"],
        "cuenta_bloqueada"
    );

    let body = legacy_login(&sim, JAL, "ciudadano5", "mala").await;
    assert_eq!(xml_text(&body, "estatus").as_deref(), Some("ERROR"));
    assert_eq!(
        xml_text(&body, "codigo").as_deref(),
        Some("USUARIO_INVALIDO")
    );
    let body = legacy_login(&sim, JAL, "nadie", "x").await;
    assert_eq!(
        xml_text(&body, "codigo").as_deref(),
        Some("USUARIO_INVALIDO")
    );

    sim.put_account(CuentaConfig::new(JAL, "bloqueado", "pw").bloqueada(true));
    let body = legacy_login(&sim, JAL, "bloqueado", "pw").await;
    assert_eq!(
        xml_text(&body, "codigo").as_deref(),
        Some("CUENTA_BLOQUEADA")
    );
}

#[tokio::test]
async fn sessions_expire_on_the_simulator_clock_and_on_logout() {
    let t0: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    let sim = InfomexSim::builder()
        .seed(42)
        .now(t0)
        .session_seconds(60)
        .start()
        .await
        .unwrap();
    let token = modern_login(&sim, FED, "ciudadano2").await;
    assert_eq!(
        modern_get(&sim, FED, &token, "solicitudes").await.status(),
        200
    );
    sim.set_now(Some(
        t0.checked_add(jiff::SignedDuration::from_secs(61)).unwrap(),
    ));
    let res = modern_get(&sim, FED, &token, "solicitudes").await;
    assert_eq!(res.status(), 401);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["codigo"],
        "sesion_invalida"
    );

    let token = modern_login(&sim, FED, "ciudadano2").await;
    let res = client()
        .delete(format!("{}/federacion/api/sesion", sim.url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(
        modern_get(&sim, FED, &token, "solicitudes").await.status(),
        401
    );
    // A token of one jurisdiction is no good in another.
    let token = modern_login(&sim, FED, "ciudadano2").await;
    assert_eq!(
        modern_get(&sim, Jurisdiccion::Sonora, &token, "solicitudes")
            .await
            .status(),
        401
    );
}
