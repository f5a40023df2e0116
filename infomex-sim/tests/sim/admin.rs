//! The admin API (`/__admin`): accounts, faults, the request journal, reset, and its token off
//! loopback.

use infomex_sim::{InfomexSim, procedural_password};
use serde_json::Value;

use crate::helpers::{FED, client, modern_get, modern_login, try_login};

#[tokio::test]
async fn admin_api_accounts_faults_journal_reset() {
    let sim = InfomexSim::builder().seed(42).start().await.unwrap();
    let admin = sim.admin_url();
    let http = client();

    let config: Value = http
        .get(format!("{admin}/config"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["seed"], 42);
    assert_eq!(config["dialects"]["jalisco"], "legacy");
    assert_eq!(config["dialects"]["federacion"], "modern");

    let res = http
        .put(format!("{admin}/accounts"))
        .json(&serde_json::json!({"jurisdiccion": "sonora", "usuario": "pepe", "contrasena": "x", "generar": 4}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let account: Value = http
        .get(format!("{admin}/accounts/sonora/pepe"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(account["contrasena"], "x");
    assert_eq!(account["solicitudes"].as_array().unwrap().len(), 4);
    let res = http
        .get(format!("{admin}/accounts/sonora/nadie"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    let res = http
        .post(format!("{admin}/faults"))
        .json(&serde_json::json!({"faults": [{"kind": "http_estatus", "status": 503}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let err: Value = res.json().await.unwrap();
    assert!(
        err["error"]["mensaje"].as_str().unwrap().starts_with(
            "JSON inválido: valor desconocido `http_estatus`; ¿quiso decir `http_status`?"
        ),
        "{err}"
    );
    let res = http
        .post(format!("{admin}/faults"))
        .json(&serde_json::json!({"faults": [{"kind": "http_status", "status": 502, "jurisdiccion": "federacion", "times": 1}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let token = try_login(
        &sim,
        FED,
        "ciudadano1",
        &procedural_password(42, FED, "ciudadano1"),
    )
    .await;
    assert_eq!(token, Err(502));
    let token = modern_login(&sim, FED, "ciudadano1").await;
    modern_get(&sim, FED, &token, "solicitudes").await;
    let faults: Value = http
        .get(format!("{admin}/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(faults["faults"][0]["fired"], 1);

    let journal: Value = http
        .get(format!("{admin}/journal"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries = journal["entries"].as_array().unwrap();
    let fed: Vec<&Value> = entries
        .iter()
        .filter(|e| e["jurisdiccion"] == "federacion")
        .collect();
    assert_eq!(fed.len(), 3);
    assert_eq!(fed[0]["endpoint"], "login");
    assert_eq!(fed[0]["status"], 502);
    assert_eq!(fed[0]["fault"], "http_status");
    assert_eq!(fed[1]["status"], 200);
    assert_eq!(fed[2]["endpoint"], "lista");
    let seqs: Vec<u64> = entries.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    let text = journal.to_string();
    assert!(!text.contains(&token), "tokens never reach the journal");
    assert!(!text.contains(&procedural_password(42, FED, "ciudadano1")));

    let res = http.post(format!("{admin}/reset")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let journal: Value = http
        .get(format!("{admin}/journal"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(journal["entries"].as_array().unwrap().len(), 0);
    assert_eq!(
        http.get(format!("{admin}/accounts/sonora/pepe"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        http.get(format!("{}/health", sim.url()))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn admin_api_needs_a_token_off_loopback() {
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let err = InfomexSim::builder().start_on(listener).await.unwrap_err();
    assert!(err.to_string().contains("--admin-token"), "{err}");

    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let _sim = InfomexSim::builder()
        .admin_token("s3cr3t")
        .start_on(listener)
        .await
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/__admin/config");
    assert_eq!(client().get(&url).send().await.unwrap().status(), 401);
    let res = client()
        .get(&url)
        .bearer_auth("s3cr3t")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

/// `PUT /__admin/config` makes a running simulator what a fresh start with that configuration
/// would be — seed, dialects, limits, accounts, faults, clock — and what `reset` returns to;
/// only the admin token stays the one it started with.
#[tokio::test]
async fn put_config_starts_over_with_the_new_configuration() {
    let sim = InfomexSim::builder()
        .seed(42)
        .admin_token("t")
        .start()
        .await
        .unwrap();
    let admin = sim.admin_url();
    let http = client();
    let put = |body: Value| {
        http.put(format!("{admin}/config"))
            .bearer_auth("t")
            .json(&body)
            .send()
    };
    // A session opened before must not survive the reconfiguration.
    let usuario = "ciudadano1";
    let sonora = pnt_model::Jurisdiccion::Sonora;
    let old_token = modern_login(&sim, sonora, usuario).await;
    assert_eq!(
        modern_get(&sim, sonora, &old_token, "solicitudes")
            .await
            .status(),
        200
    );
    let res = put(serde_json::json!({
        "seed": 7,
        "legacy": ["federacion"],
        "max_intentos": 2,
        "sesion_segundos": 60,
        "ahora": "2021-09-20T17:00:00Z",
        "cuentas": [{"jurisdiccion": "sonora", "usuario": "pepe", "contrasena": "x", "generar": 2}],
        "faults": [{"kind": "http_status", "status": 503, "jurisdiccion": "jalisco"}],
    }))
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    let config: Value = res.json().await.unwrap();
    assert_eq!(
        (
            &config["seed"],
            &config["max_intentos"],
            &config["sesion_segundos"],
            &config["dialects"]["federacion"],
            &config["dialects"]["jalisco"],
            &config["reloj_manual"],
        ),
        (
            &Value::from(7),
            &Value::from(2),
            &Value::from(60),
            &Value::from("legacy"),
            &Value::from("modern"),
            &Value::from("2021-09-20T17:00:00Z"),
        )
    );
    let res = modern_get(&sim, sonora, &old_token, "solicitudes").await;
    assert_eq!(res.status(), 401, "the old session is gone");
    let get = |path: &str| http.get(format!("{admin}{path}")).bearer_auth("t").send();
    let faults: Value = get("/faults").await.unwrap().json().await.unwrap();
    assert_eq!(faults["faults"].as_array().unwrap().len(), 1, "{faults}");
    let pepe: Value = get("/accounts/sonora/pepe")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pepe["solicitudes"].as_array().unwrap().len(), 2);
    // Procedural accounts follow the new seed.
    let ciudadano: Value = get("/accounts/sonora/ciudadano1")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        ciudadano["contrasena"],
        procedural_password(7, pnt_model::Jurisdiccion::Sonora, "ciudadano1")
    );
    // `reset` returns to the new configuration, not the start-up one.
    http.post(format!("{admin}/reset"))
        .bearer_auth("t")
        .send()
        .await
        .unwrap();
    let config: Value = get("/config").await.unwrap().json().await.unwrap();
    assert_eq!(config["seed"], 7);
    // The token is fixed at start: a body that tries to change it is refused, and the old one
    // still opens the API.
    let res = put(serde_json::json!({"admin_token": "otro"}))
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = put(serde_json::json!({"semilla": 1})).await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(
        get("/config").await.unwrap().json::<Value>().await.unwrap()["seed"],
        7
    );
}
