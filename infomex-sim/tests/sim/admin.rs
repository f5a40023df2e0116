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
