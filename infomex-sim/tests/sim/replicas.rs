//! Replicas: simulator processes started from one configuration file (configured accounts and
//! a fault plan) answer the same requests with the same bytes, so several of them can stand
//! behind a load balancer (docs/infomex-sim.md, "Replicas").

use infomex_sim::{InfomexSim, SimConfig, SimHandle};

use crate::helpers::{client, pct};

/// The shared file, as `pnt-suite sim --config` reads it: a configured account in each
/// dialect, and a fault plan whose faults fire during the sequence below.
const CONFIG: &str = r#"
seed = 7
legacy = ["jalisco"]

[[cuentas]]
jurisdiccion = "federacion"
usuario = "maria"
contrasena = "s3creta"
generar = 12

[[cuentas]]
jurisdiccion = "jalisco"
usuario = "jose"
contrasena = "otra-clave"
generar = 12

[[faults]]
kind = "http_status"
status = 503
jurisdiccion = "federacion"
endpoint = "detalle"
nth = 2
times = 1

[[faults]]
kind = "rate_limited"
retry_after = 30
jurisdiccion = "jalisco"
endpoint = "lista"
times = 1
"#;

/// One answer as a client sees it: what was asked, the status, the headers that carry meaning
/// (not `date`), and the body's bytes.
#[derive(Debug, PartialEq, Eq)]
struct Exchange {
    request: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

async fn send(request: reqwest::RequestBuilder, label: String) -> Exchange {
    let res = request.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = [
        "content-type",
        "content-length",
        "retry-after",
        "x-sha256",
        "content-disposition",
    ]
    .iter()
    .filter_map(|h| {
        res.headers()
            .get(*h)
            .map(|v| ((*h).to_owned(), v.to_str().unwrap_or("?").to_owned()))
    })
    .collect();
    let body = res.bytes().await.unwrap().to_vec();
    Exchange {
        request: label,
        status,
        headers,
        body,
    }
}

/// The values of `attr="…"` or `<tag>…</tag>` in a legacy document (ASCII values only: folios
/// and attachment ids).
fn between(body: &[u8], open: &str, close: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(body);
    text.split(open)
        .skip(1)
        .filter_map(|rest| rest.split(close).next().map(str::to_owned))
        .collect()
}

/// Log-in, two list pages, details (one of which meets the 503), an attachment and log-out in
/// the modern dialect; then log-in, a list (rate-limited once, then again), details and an
/// attachment in the legacy dialect.
async fn sequence(sim: &SimHandle) -> Vec<Exchange> {
    let http = client();
    let base = sim.url();
    let mut all = Vec::new();

    let modern = format!("{base}/federacion/api");
    all.push(
        send(
            http.post(format!("{modern}/sesion"))
                .json(&serde_json::json!({"usuario": "maria", "contrasena": "s3creta"})),
            "POST sesion".into(),
        )
        .await,
    );
    let login: serde_json::Value = serde_json::from_slice(&all[0].body).unwrap();
    let token = login["token"].as_str().unwrap().to_owned();
    let mut folios = Vec::new();
    for pagina in 1..=2 {
        let path = format!("solicitudes?pagina={pagina}&por_pagina=5");
        let page = send(
            http.get(format!("{modern}/{path}")).bearer_auth(&token),
            path,
        )
        .await;
        let v: serde_json::Value = serde_json::from_slice(&page.body).unwrap();
        for s in v["solicitudes"].as_array().unwrap() {
            folios.push(s["folio"].as_str().unwrap().to_owned());
        }
        all.push(page);
    }
    let mut adjunto = None;
    for folio in folios.iter().take(6) {
        let path = format!("solicitudes/{}", pct(folio));
        let detail = send(
            http.get(format!("{modern}/{path}")).bearer_auth(&token),
            path,
        )
        .await;
        if detail.status == 200 && adjunto.is_none() {
            let v: serde_json::Value = serde_json::from_slice(&detail.body).unwrap();
            adjunto = v["respuestas"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|r| r["adjuntos"].as_array().unwrap())
                .map(|a| a["id"].as_str().unwrap().to_owned())
                .next();
        }
        all.push(detail);
    }
    let adjunto = adjunto.expect("one of the first details has an attachment");
    let path = format!("adjuntos/{adjunto}");
    all.push(
        send(
            http.get(format!("{modern}/{path}")).bearer_auth(&token),
            path,
        )
        .await,
    );
    all.push(
        send(
            http.delete(format!("{modern}/sesion")).bearer_auth(&token),
            "DELETE sesion".into(),
        )
        .await,
    );

    let legacy = format!("{base}/jalisco/infomex");
    let login = send(
        http.post(format!("{legacy}/login.do"))
            .form(&[("usuario", "jose"), ("password", "otra-clave")]),
        "login.do".into(),
    )
    .await;
    let sesion = between(&login.body, "<sesion>", "</sesion>")
        .pop()
        .expect("the legacy log-in opens a session");
    all.push(login);
    let mut list = None;
    for _ in 0..2 {
        let path = format!("consultaSolicitudes.do?sesion={sesion}&pagina=1");
        let page = send(http.get(format!("{legacy}/{path}")), path).await;
        if page.status == 200 {
            list = Some(page.body.clone());
        }
        all.push(page);
    }
    let list = list.expect("the second list request is not rate-limited");
    let mut ids = Vec::new();
    for folio in between(&list, "<folio>", "</folio>").iter().take(4) {
        let path = format!("detalleSolicitud.do?sesion={sesion}&folio={}", pct(folio));
        let detail = send(http.get(format!("{legacy}/{path}")), path).await;
        ids.extend(between(&detail.body, "<adjunto id=\"", "\""));
        all.push(detail);
    }
    let id = ids
        .first()
        .expect("one of the first details has an attachment");
    let path = format!("descargaArchivo.do?sesion={sesion}&id={id}");
    all.push(send(http.get(format!("{legacy}/{path}")), path).await);
    all
}

async fn replica(config: &str) -> SimHandle {
    let config = SimConfig::from_toml(config).unwrap();
    InfomexSim::builder().config(config).start().await.unwrap()
}

#[tokio::test]
async fn two_replicas_of_one_config_file_answer_byte_for_byte_alike() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sim.toml");
    std::fs::write(&file, CONFIG).unwrap();
    let shared = std::fs::read_to_string(&file).unwrap();
    let (a, b) = (replica(&shared).await, replica(&shared).await);
    let (from_a, from_b) = (sequence(&a).await, sequence(&b).await);
    assert_eq!(from_a.len(), from_b.len());
    for (x, y) in from_a.iter().zip(&from_b) {
        assert_eq!(x, y, "the replicas differ on {}", x.request);
    }
    // The plan's faults fired, the same way on both: the second detail, the first legacy list.
    let statuses: Vec<u16> = from_a.iter().map(|e| e.status).collect();
    assert!(statuses.contains(&503), "{statuses:?}");
    assert!(
        from_a
            .iter()
            .any(|e| e.status == 429 && e.headers.contains(&("retry-after".into(), "30".into()))),
        "{statuses:?}"
    );
    assert!(
        from_a
            .iter()
            .any(|e| e.request.starts_with("adjuntos/") && e.status == 200)
    );
    assert!(
        from_a
            .iter()
            .any(|e| e.request.starts_with("descargaArchivo.do") && e.status == 200)
    );

    // The comparison sees a replica that was configured otherwise: without the fault plan its
    // second detail answers 200.
    let without_faults = CONFIG.split("[[faults]]").next().unwrap();
    let c = replica(without_faults).await;
    assert_ne!(sequence(&c).await, from_a);
}

/// Replicas count sessions each on its own: the n-th log-in of one and the n-th of another may
/// be different users. A token one replica issued must then not open the other user's session
/// on the other replica (a load balancer without sticky sessions would otherwise cross users).
#[tokio::test]
async fn a_token_of_one_replica_never_names_another_users_session_on_another() {
    let (a, b) = (replica(CONFIG).await, replica(CONFIG).await);
    let maria = crate::helpers::try_login(&a, crate::helpers::FED, "maria", "s3creta")
        .await
        .unwrap();
    let password = infomex_sim::procedural_password(7, crate::helpers::FED, "ciudadano1");
    let ciudadano = crate::helpers::try_login(&b, crate::helpers::FED, "ciudadano1", &password)
        .await
        .unwrap();
    assert_ne!(maria, ciudadano);
    let res = crate::helpers::modern_get(&b, crate::helpers::FED, &maria, "solicitudes").await;
    assert_eq!(
        res.status(),
        401,
        "maria's token read another account on the other replica"
    );
}
