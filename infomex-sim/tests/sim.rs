//! The simulator driven over real HTTP, as a PNT implementation would drive it.

use std::collections::BTreeSet;

use infomex_sim::{
    CuentaConfig, Endpoint, Fault, FaultKind, InfomexSim, SimHandle, SolicitudConfig,
    procedural_password,
};
use pnt_model::{Jurisdiccion, Sha256};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const FED: Jurisdiccion = Jurisdiccion::Federacion;
const JAL: Jurisdiccion = Jurisdiccion::Jalisco;

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// A procedural usuario of `j` whose account holds at least `min` solicitudes and an answer
/// with attachments.
fn usuario_with(sim: &SimHandle, j: Jurisdiccion, min: usize) -> String {
    (1..500)
        .map(|n| format!("ciudadano{n}"))
        .find(|u| {
            let c = sim.account(j, u).unwrap();
            c.solicitudes.len() >= min
                && c.solicitudes
                    .iter()
                    .any(|s| s.respuestas.iter().any(|r| !r.adjuntos.is_empty()))
        })
        .expect("some account is large enough")
}

/// Logs in to a modern system: the token, or the status.
async fn try_login(
    sim: &SimHandle,
    j: Jurisdiccion,
    usuario: &str,
    contrasena: &str,
) -> Result<String, u16> {
    let res = client()
        .post(format!("{}/{}/api/sesion", sim.url(), j.slug()))
        .json(&serde_json::json!({"usuario": usuario, "contrasena": contrasena}))
        .send()
        .await
        .unwrap();
    if res.status() != 200 {
        return Err(res.status().as_u16());
    }
    Ok(res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned())
}

/// Logs in with the procedural password of seed 42.
async fn modern_login(sim: &SimHandle, j: Jurisdiccion, usuario: &str) -> String {
    configured_login(sim, j, usuario, &procedural_password(42, j, usuario)).await
}

async fn configured_login(
    sim: &SimHandle,
    j: Jurisdiccion,
    usuario: &str,
    contrasena: &str,
) -> String {
    try_login(sim, j, usuario, contrasena)
        .await
        .expect("log-in answers 200")
}

async fn modern_get(
    sim: &SimHandle,
    j: Jurisdiccion,
    token: &str,
    rest: &str,
) -> reqwest::Response {
    client()
        .get(format!("{}/{}/api/{rest}", sim.url(), j.slug()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn page(sim: &SimHandle, token: &str, pagina: u32, por_pagina: u32) -> Value {
    let res = modern_get(
        sim,
        FED,
        token,
        &format!("solicitudes?pagina={pagina}&por_pagina={por_pagina}"),
    )
    .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn folios(page: &Value) -> Vec<String> {
    page["solicitudes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["folio"].as_str().unwrap().to_owned())
        .collect()
}

fn pct(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

async fn legacy_login(sim: &SimHandle, j: Jurisdiccion, usuario: &str, password: &str) -> Vec<u8> {
    client()
        .post(format!("{}/{}/infomex/login.do", sim.url(), j.slug()))
        .form(&[("usuario", usuario), ("password", password)])
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

fn xml_text(bytes: &[u8], tag: &str) -> Option<String> {
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    let open = format!("<{tag}>");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find(&format!("</{tag}>"))? + start;
    Some(text[start..end].to_owned())
}

#[tokio::test]
async fn modern_dialect_serves_the_whole_account() {
    let sim = InfomexSim::builder().seed(42).start().await.unwrap();
    let usuario = usuario_with(&sim, FED, 8);
    let truth = sim.account(FED, &usuario).unwrap();
    let token = modern_login(&sim, FED, &usuario).await;

    let mut seen = Vec::new();
    let mut pagina = 1;
    loop {
        let p = page(&sim, &token, pagina, 3).await;
        assert_eq!(
            p["total"].as_u64().unwrap() as usize,
            truth.solicitudes.len()
        );
        let f = folios(&p);
        if f.is_empty() {
            break;
        }
        seen.extend(f);
        pagina += 1;
    }
    let expected: Vec<String> = truth
        .solicitudes
        .iter()
        .map(|s| s.folio.to_string())
        .collect();
    assert_eq!(seen, expected, "newest first, every folio once");

    let mut downloads = 0;
    for s in &truth.solicitudes {
        let detail: Value = modern_get(
            &sim,
            FED,
            &token,
            &format!("solicitudes/{}", pct(&s.folio.to_string())),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(detail["descripcion"], s.descripcion.as_str());
        assert_eq!(
            detail["respuestas"].as_array().unwrap().len(),
            s.respuestas.len()
        );
        for r in detail["respuestas"].as_array().unwrap() {
            for a in r["adjuntos"].as_array().unwrap() {
                let res = modern_get(
                    &sim,
                    FED,
                    &token,
                    &format!("adjuntos/{}", a["id"].as_str().unwrap()),
                )
                .await;
                assert_eq!(res.status(), 200);
                let header = res.headers()["x-sha256"].to_str().unwrap().to_owned();
                let bytes = res.bytes().await.unwrap();
                assert_eq!(bytes.len() as u64, a["tamano"].as_u64().unwrap());
                assert_eq!(
                    Sha256::of(&bytes).to_string(),
                    a["sha256"].as_str().unwrap()
                );
                assert_eq!(header, a["sha256"].as_str().unwrap());
                downloads += 1;
            }
        }
    }
    assert!(downloads > 0);
}

#[tokio::test]
async fn legacy_dialect_is_windows_1252_xml_with_html_text() {
    let sim = InfomexSim::builder().seed(42).start().await.unwrap();
    let usuario = usuario_with(&sim, JAL, 3);
    let truth = sim.account(JAL, &usuario).unwrap();
    let login = legacy_login(&sim, JAL, &usuario, &procedural_password(42, JAL, &usuario)).await;
    assert_eq!(xml_text(&login, "estatus").as_deref(), Some("OK"));
    let token = xml_text(&login, "sesion").unwrap();

    let res = client()
        .get(format!(
            "{}/jalisco/infomex/consultaSolicitudes.do?sesion={token}&pagina=1",
            sim.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["content-type"],
        "text/xml; charset=windows-1252"
    );
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"<?xml version=\"1.0\" encoding=\"windows-1252\"?>"));
    let (text, _, had_errors) = encoding_rs::WINDOWS_1252.decode(&bytes);
    assert!(!had_errors);
    for s in &truth.solicitudes {
        assert!(
            text.contains(&format!("<folio>{}</folio>", s.folio)),
            "{}",
            s.folio
        );
        let fecha = s.fecha_presentacion.strftime("%d/%m/%Y").to_string();
        assert!(text.contains(&fecha));
    }
    // Accented institution names travel as single Windows-1252 bytes, not UTF-8.
    if truth.solicitudes.iter().any(|s| !s.institucion.is_ascii()) {
        assert!(std::str::from_utf8(&bytes).is_err());
    }

    let answered = truth
        .solicitudes
        .iter()
        .find(|s| !s.respuestas.is_empty())
        .unwrap();
    let detail = client()
        .get(format!(
            "{}/jalisco/infomex/detalleSolicitud.do?sesion={token}&folio={}",
            sim.url(),
            pct(&answered.folio.to_string())
        ))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&detail);
    assert!(text.contains("<texto><![CDATA["));
    let cdata = text
        .split("<texto><![CDATA[")
        .nth(1)
        .unwrap()
        .split("]]>")
        .next()
        .unwrap();
    assert!(cdata.is_ascii(), "answer HTML is entity-encoded: {cdata}");
    let decoded = html_escape::decode_html_entities(&cdata.replace("<br/>", "\n")).into_owned();
    assert_eq!(decoded, answered.respuestas[0].texto);
}

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

/// Hash of every response body of a full crawl of several accounts in both dialects.
async fn crawl(seed: u64) -> String {
    let sim = InfomexSim::builder().seed(seed).start().await.unwrap();
    let mut all = Vec::new();
    for n in 1..=4 {
        let usuario = format!("ciudadano{n}");
        let token = try_login(
            &sim,
            FED,
            &usuario,
            &procedural_password(seed, FED, &usuario),
        )
        .await
        .unwrap();
        let list = modern_get(&sim, FED, &token, "solicitudes?por_pagina=200")
            .await
            .bytes()
            .await
            .unwrap();
        all.extend_from_slice(&list);
        let v: Value = serde_json::from_slice(&list).unwrap();
        for f in folios(&v) {
            let d = modern_get(&sim, FED, &token, &format!("solicitudes/{}", pct(&f)))
                .await
                .bytes()
                .await
                .unwrap();
            all.extend_from_slice(&d);
            let dv: Value = serde_json::from_slice(&d).unwrap();
            for r in dv["respuestas"].as_array().unwrap() {
                for a in r["adjuntos"].as_array().unwrap() {
                    let b = modern_get(
                        &sim,
                        FED,
                        &token,
                        &format!("adjuntos/{}", a["id"].as_str().unwrap()),
                    )
                    .await
                    .bytes()
                    .await
                    .unwrap();
                    all.extend_from_slice(&b);
                }
            }
        }
        let login = legacy_login(
            &sim,
            JAL,
            &usuario,
            &procedural_password(seed, JAL, &usuario),
        )
        .await;
        all.extend_from_slice(&login);
        let token = xml_text(&login, "sesion").unwrap();
        let list = client()
            .get(format!(
                "{}/jalisco/infomex/consultaSolicitudes.do?sesion={token}",
                sim.url()
            ))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        all.extend_from_slice(&list);
    }
    Sha256::of(&all).to_string()
}

#[tokio::test]
async fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = crawl(42).await;
    let b = crawl(42).await;
    let c = crawl(43).await;
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[tokio::test]
async fn configured_accounts_with_explicit_solicitudes_and_attachments() {
    let explicit: SolicitudConfig = serde_json::from_value(serde_json::json!({
        "folio": "0623800160321", "tipo": "acceso",
        "institucion": "INSTITUTO NACIONAL DE TRANSPARENCIA, ACCESO A LA INFORMACIÓN Y PROTECCIÓN DE DATOS PERSONALES (INAI)",
        "descripcion": "Solicito el directorio de servidores públicos",
        "fecha_presentacion": "2021-08-26", "estado": "terminada",
        "respuestas": [{"tipo": "Entrega de información en medio electrónico", "fecha": "2021-09-20",
                        "texto": "Se adjunta el directorio.",
                        "adjuntos": [{"nombre": "directorio.csv", "media_type": "text/csv", "contenido": "nombre,cargo\nAna,Directora\n"}]}]
    }))
    .unwrap();
    let sim = InfomexSim::builder()
        .account(
            CuentaConfig::new(FED, "maria.lopez", "s3creta")
                .generar(2)
                .solicitud(explicit),
        )
        .start()
        .await
        .unwrap();
    let token = configured_login(&sim, FED, "maria.lopez", "s3creta").await;
    let p = page(&sim, &token, 1, 50).await;
    assert_eq!(p["total"], 3);
    assert!(folios(&p).contains(&"0623800160321".to_owned()));
    let d: Value = modern_get(&sim, FED, &token, "solicitudes/0623800160321")
        .await
        .json()
        .await
        .unwrap();
    let id = d["respuestas"][0]["adjuntos"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bytes = modern_get(&sim, FED, &token, &format!("adjuntos/{id}"))
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(&bytes[..], b"nombre,cargo\nAna,Directora\n");
}

#[tokio::test]
async fn large_configured_account_pages_through_5000_solicitudes() {
    let sim = InfomexSim::builder()
        .account(CuentaConfig::new(FED, "grande", "pw").generar(5000))
        .start()
        .await
        .unwrap();
    let token = configured_login(&sim, FED, "grande", "pw").await;
    let mut seen = BTreeSet::new();
    for p in 1..=25 {
        let v = page(&sim, &token, p, 200).await;
        assert_eq!(v["total"], 5000);
        seen.extend(folios(&v));
    }
    assert_eq!(seen.len(), 5000);
}

#[tokio::test]
async fn routing_errors_are_specific() {
    let sim = InfomexSim::builder().start().await.unwrap();
    let res = client()
        .get(format!("{}/narnia/api/solicitudes", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["codigo"],
        "jurisdiccion_desconocida"
    );
    // Jalisco speaks legacy: the modern route does not exist there.
    let res = client()
        .get(format!("{}/jalisco/api/solicitudes", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(
        xml_text(&res.bytes().await.unwrap(), "codigo").as_deref(),
        Some("RUTA_INEXISTENTE")
    );
    let token = modern_login(&sim, FED, "ciudadano3").await;
    let res = modern_get(&sim, FED, &token, "solicitudes?pagina=0").await;
    assert_eq!(res.status(), 400);
    let res = modern_get(&sim, FED, &token, "solicitudes/9999999999999").await;
    assert_eq!(res.status(), 404);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["codigo"],
        "solicitud_no_encontrada"
    );
    let res = client()
        .get(format!("{}/__admin/nada", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["codigo"],
        "ruta_desconocida"
    );
}

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
    assert_eq!(config["dialectos"]["jalisco"], "legacy");
    assert_eq!(config["dialectos"]["federacion"], "modern");

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
        err["error"]["mensaje"]
            .as_str()
            .unwrap()
            .contains("http_status"),
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

// ----- Faults: each observed by a real client. -----

async fn fed_sim(fault: Fault) -> (SimHandle, String, String) {
    let sim = InfomexSim::builder().seed(42).start().await.unwrap();
    let usuario = usuario_with(&sim, FED, 7);
    let token = modern_login(&sim, FED, &usuario).await;
    sim.add_faults([fault.jurisdiccion(FED)]);
    (sim, usuario, token)
}

#[tokio::test]
async fn fault_http_status_each_code_once() {
    for status in [500u16, 502, 503] {
        let (sim, _, token) = fed_sim(Fault::new(FaultKind::HttpStatus { status }).times(1)).await;
        let res = modern_get(&sim, FED, &token, "solicitudes").await;
        assert_eq!(res.status().as_u16(), status);
        assert_eq!(
            modern_get(&sim, FED, &token, "solicitudes").await.status(),
            200,
            "times: 1"
        );
    }
}

#[tokio::test]
async fn fault_rate_limited_sends_retry_after() {
    let (sim, _, token) =
        fed_sim(Fault::new(FaultKind::RateLimited { retry_after: 7 }).times(1)).await;
    let res = modern_get(&sim, FED, &token, "solicitudes").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.headers()["retry-after"], "7");
}

/// A simulator whose manual clock reads `now`, a session of `ciudadano1`, and a `delay` of `ms`
/// on the next list request.
async fn delayed_lists_at(now: jiff::Timestamp, ms: u64) -> (SimHandle, String) {
    let sim = InfomexSim::builder()
        .seed(42)
        .now(now)
        .start()
        .await
        .unwrap();
    let token = modern_login(&sim, FED, "ciudadano1").await;
    sim.add_faults([Fault::new(FaultKind::Delay { ms })
        .endpoint(Endpoint::Lista)
        .times(1)]);
    (sim, token)
}

#[tokio::test]
async fn fault_delay_under_a_fixed_clock_ends_in_real_time() {
    // A scenario fixes "today" and never moves the clock: the delay still ends, after `ms` of
    // real time, instead of hanging.
    let (sim, token) = delayed_lists_at("2021-09-20T12:00:00Z".parse().unwrap(), 150).await;
    let started = std::time::Instant::now();
    let res = client()
        .get(format!("{}/federacion/api/solicitudes", sim.url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // A lower bound only: the fault's contract, not a performance claim.
    assert!(started.elapsed() >= std::time::Duration::from_millis(150));
    let journal = sim.journal();
    let last = journal.last().unwrap();
    assert_eq!(
        (last.fault.as_deref(), last.status),
        (Some("delay"), Some(200))
    );
}

#[tokio::test]
async fn fault_delay_holds_one_response_without_blocking_others() {
    let t0: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    let (sim, token) = delayed_lists_at(t0, 60_000).await;
    let url = format!("{}/federacion/api/solicitudes", sim.url());
    let delayed = tokio::spawn({
        let token = token.clone();
        async move {
            client()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    // Wait until the delayed request has been received (the fault fired), without sleeping.
    while sim.fault_status()[0].fired == 0 {
        tokio::task::yield_now().await;
    }
    // Another request is answered while the first is held.
    let other = modern_login(&sim, FED, "ciudadano2").await;
    assert!(!other.is_empty());
    assert!(!delayed.is_finished());
    // Moving the simulator's clock past the delay releases it.
    sim.set_now(Some(
        t0.checked_add(jiff::SignedDuration::from_secs(61)).unwrap(),
    ));
    assert_eq!(delayed.await.unwrap(), 200);
}

#[tokio::test]
async fn fault_hang_never_answers_until_the_server_stops() {
    let (sim, _, token) = fed_sim(
        Fault::new(FaultKind::Hang)
            .endpoint(Endpoint::Lista)
            .times(1),
    )
    .await;
    let url = format!("{}/federacion/api/solicitudes", sim.url());
    let hung = tokio::spawn(async move {
        client()
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .map(|r| r.status())
    });
    while sim
        .journal()
        .iter()
        .all(|e| e.fault.as_deref() != Some("hang"))
    {
        tokio::task::yield_now().await;
    }
    let entry = sim
        .journal()
        .into_iter()
        .find(|e| e.fault.as_deref() == Some("hang"))
        .unwrap();
    assert_eq!(entry.status, None, "no response was sent");
    // Other requests are served meanwhile.
    modern_login(&sim, FED, "ciudadano2").await;
    assert!(!hung.is_finished());
    sim.shutdown().await.unwrap();
    assert_eq!(
        hung.await.unwrap().unwrap(),
        503,
        "released when the server stops"
    );
}

/// Sends one raw HTTP/1.1 request and returns (bytes received, how the read ended).
async fn raw_get(sim: &SimHandle, path: &str, token: &str) -> (Vec<u8>, std::io::Result<()>) {
    let mut stream = tokio::net::TcpStream::connect(sim.addr()).await.unwrap();
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) => return (out, Ok(())),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => return (out, Err(e)),
        }
    }
}

fn content_length(raw: &[u8]) -> (usize, usize) {
    let text = String::from_utf8_lossy(raw);
    let (head, _) = text.split_once("\r\n\r\n").unwrap();
    let declared = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(|v| v.trim().parse().unwrap())
        })
        .unwrap();
    let body_start = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    (declared, raw.len() - body_start)
}

#[tokio::test]
async fn fault_truncated_body_shorter_than_declared_then_clean_close() {
    let (sim, _, token) = fed_sim(
        Fault::new(FaultKind::Truncated)
            .endpoint(Endpoint::Lista)
            .times(1),
    )
    .await;
    let (raw, end) = raw_get(&sim, "/federacion/api/solicitudes", &token).await;
    assert!(end.is_ok(), "closed with FIN, not reset: {end:?}");
    let (declared, got) = content_length(&raw);
    assert!(got < declared, "{got} of {declared}");
    assert!(got > 0);
    assert!(
        client()
            .get(format!("{}/federacion/api/solicitudes", sim.url()))
            .bearer_auth(&token)
            .send()
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn fault_reset_mid_body() {
    let (sim, _, token) = fed_sim(
        Fault::new(FaultKind::Reset)
            .endpoint(Endpoint::Lista)
            .times(1),
    )
    .await;
    let (raw, end) = raw_get(&sim, "/federacion/api/solicitudes", &token).await;
    let err = end.expect_err("the connection is reset");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{err}");
    // Whatever arrived before the reset is the start of a 200 response, never a complete body.
    if !raw.is_empty() {
        assert!(raw.starts_with(b"HTTP/1.1 200"));
    }
    let res = client()
        .get(format!("{}/federacion/api/solicitudes", sim.url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "only once");
}

#[tokio::test]
async fn fault_malformed_body() {
    let (sim, _, token) = fed_sim(
        Fault::new(FaultKind::Malformed)
            .endpoint(Endpoint::Lista)
            .times(1),
    )
    .await;
    let res = modern_get(&sim, FED, &token, "solicitudes").await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    assert!(serde_json::from_slice::<Value>(&bytes).is_err());
}

#[tokio::test]
async fn fault_wrong_encoding_in_both_dialects() {
    let sim = InfomexSim::builder().seed(42).start().await.unwrap();
    let usuario = (1..500)
        .map(|n| format!("ciudadano{n}"))
        .find(|u| {
            let fed = sim.account(FED, u).unwrap();
            let jal = sim.account(JAL, u).unwrap();
            fed.solicitudes.iter().any(|s| !s.institucion.is_ascii())
                && jal.solicitudes.iter().any(|s| !s.institucion.is_ascii())
        })
        .unwrap();
    sim.add_faults([Fault::new(FaultKind::WrongEncoding).endpoint(Endpoint::Lista)]);
    let token = modern_login(&sim, FED, &usuario).await;
    let res = modern_get(&sim, FED, &token, "solicitudes?por_pagina=200").await;
    assert_eq!(
        res.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let bytes = res.bytes().await.unwrap();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "declared UTF-8, sent Latin-1"
    );
    let (latin1, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
    assert!(serde_json::from_str::<Value>(&latin1).is_ok());

    let login = legacy_login(&sim, JAL, &usuario, &procedural_password(42, JAL, &usuario)).await;
    let token = xml_text(&login, "sesion").unwrap();
    let res = client()
        .get(format!(
            "{}/jalisco/infomex/consultaSolicitudes.do?sesion={token}",
            sim.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "text/xml; charset=utf-8");
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(std::str::from_utf8(&bytes).is_err());
}

async fn crawl_pages(sim: &SimHandle, token: &str, por_pagina: u32) -> (Vec<String>, Vec<u64>) {
    let mut seen = Vec::new();
    let mut totals = Vec::new();
    for p in 1.. {
        let v = page(sim, token, p, por_pagina).await;
        totals.push(v["total"].as_u64().unwrap());
        let f = folios(&v);
        if f.is_empty() {
            break;
        }
        seen.extend(f);
    }
    (seen, totals)
}

#[tokio::test]
async fn fault_duplicate_record_across_pages() {
    let (sim, usuario, token) =
        fed_sim(Fault::new(FaultKind::DuplicateRecord).pagina(1).times(1)).await;
    let (seen, _) = crawl_pages(&sim, &token, 3).await;
    let truth: Vec<String> = sim
        .account(FED, &usuario)
        .unwrap()
        .solicitudes
        .iter()
        .map(|s| s.folio.to_string())
        .collect();
    assert_eq!(seen.len(), truth.len() + 1);
    let unique: BTreeSet<_> = seen.iter().cloned().collect();
    assert_eq!(unique, truth.into_iter().collect());
}

#[tokio::test]
async fn fault_page_drift_inserts_a_record_while_paging() {
    let (sim, usuario, token) = fed_sim(Fault::new(FaultKind::PageDrift).pagina(2).times(1)).await;
    let before = sim.account(FED, &usuario).unwrap().solicitudes.len() as u64;
    let p1 = page(&sim, &token, 1, 3).await;
    let p2 = page(&sim, &token, 2, 3).await;
    assert_eq!(p1["total"].as_u64().unwrap(), before);
    assert_eq!(
        p2["total"].as_u64().unwrap(),
        before + 1,
        "the declared total moved"
    );
    assert_eq!(
        folios(&p2)[0],
        *folios(&p1).last().unwrap(),
        "everything shifted by one"
    );
    let after = sim.account(FED, &usuario).unwrap();
    assert_eq!(after.solicitudes.len() as u64, before + 1);
    let new = &after.solicitudes[0];
    assert!(
        !folios(&p1).contains(&new.folio.to_string()),
        "the new record sits where page 1 was"
    );
}

#[tokio::test]
async fn fault_missing_from_list_but_present_by_folio() {
    let (sim, usuario, token) = fed_sim(
        Fault::new(FaultKind::MissingFromList { folio: None })
            .pagina(1)
            .times(1),
    )
    .await;
    let truth = sim.account(FED, &usuario).unwrap();
    let (seen, totals) = crawl_pages(&sim, &token, 50).await;
    assert_eq!(
        totals[0] as usize,
        truth.solicitudes.len(),
        "the total still counts it"
    );
    assert_eq!(seen.len(), truth.solicitudes.len() - 1);
    let missing = truth
        .solicitudes
        .iter()
        .find(|s| !seen.contains(&s.folio.to_string()))
        .unwrap();
    let res = modern_get(
        &sim,
        FED,
        &token,
        &format!("solicitudes/{}", pct(&missing.folio.to_string())),
    )
    .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn fault_status_mismatch_between_list_and_detail() {
    let (sim, usuario, token) = fed_sim(Fault::new(FaultKind::StatusMismatch).times(1)).await;
    let truth = sim.account(FED, &usuario).unwrap();
    let p = page(&sim, &token, 1, 50).await;
    let listed = p["solicitudes"][0]["estado"].as_str().unwrap().to_owned();
    let first = &truth.solicitudes[0];
    assert_ne!(listed, first.estado.slug());
    let d: Value = modern_get(
        &sim,
        FED,
        &token,
        &format!("solicitudes/{}", pct(&first.folio.to_string())),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(d["estado"], first.estado.slug(), "the detail is right");
}

#[tokio::test]
async fn fault_session_expiry_after_k_requests() {
    let (sim, _, token) = fed_sim(Fault::new(FaultKind::SessionExpiry { after: 2 })).await;
    assert_eq!(
        modern_get(&sim, FED, &token, "solicitudes").await.status(),
        200
    );
    assert_eq!(
        modern_get(&sim, FED, &token, "solicitudes").await.status(),
        200
    );
    let res = modern_get(&sim, FED, &token, "solicitudes").await;
    assert_eq!(res.status(), 401);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["codigo"],
        "sesion_invalida"
    );
}

async fn first_attachment(sim: &SimHandle, usuario: &str) -> (String, String) {
    let c = sim.account(FED, usuario).unwrap();
    let a = c
        .solicitudes
        .iter()
        .flat_map(|s| &s.respuestas)
        .flat_map(|r| &r.adjuntos)
        .next()
        .unwrap();
    (a.id.clone(), a.sha256().to_string())
}

#[tokio::test]
async fn fault_bad_checksum() {
    let (sim, usuario, token) = fed_sim(Fault::new(FaultKind::BadChecksum).times(1)).await;
    let (id, sha) = first_attachment(&sim, &usuario).await;
    let res = modern_get(&sim, FED, &token, &format!("adjuntos/{id}")).await;
    assert_eq!(
        res.headers()["x-sha256"],
        sha.as_str(),
        "the declared checksum is the true one"
    );
    let bytes = res.bytes().await.unwrap();
    assert_ne!(Sha256::of(&bytes).to_string(), sha);
    let bytes = modern_get(&sim, FED, &token, &format!("adjuntos/{id}"))
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(
        Sha256::of(&bytes).to_string(),
        sha,
        "a retry gets the right bytes"
    );
}

#[tokio::test]
async fn fault_attachment_404() {
    let (sim, usuario, token) = fed_sim(Fault::new(FaultKind::Attachment404).times(1)).await;
    let (id, _) = first_attachment(&sim, &usuario).await;
    let res = modern_get(&sim, FED, &token, &format!("adjuntos/{id}")).await;
    assert_eq!(res.status(), 404);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["codigo"],
        "adjunto_no_encontrado"
    );
    assert_eq!(
        modern_get(&sim, FED, &token, &format!("adjuntos/{id}"))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn fault_system_down_takes_the_whole_jurisdiction() {
    let sim = InfomexSim::builder().seed(42).start().await.unwrap();
    sim.add_faults([Fault::new(FaultKind::SystemDown).jurisdiccion(JAL)]);
    let body = client()
        .post(format!("{}/jalisco/infomex/login.do", sim.url()))
        .form(&[("usuario", "ciudadano1"), ("password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(body.status(), 503);
    let res = client()
        .get(format!("{}/jalisco/infomex/logout.do", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    // Other jurisdictions are unaffected.
    modern_login(&sim, FED, "ciudadano1").await;
    sim.clear_faults();
    let body = legacy_login(
        &sim,
        JAL,
        "ciudadano1",
        &procedural_password(42, JAL, "ciudadano1"),
    )
    .await;
    assert_eq!(xml_text(&body, "estatus").as_deref(), Some("OK"));
}

#[test]
fn every_fault_kind_has_a_test_here() {
    let source = include_str!("sim.rs");
    for kind in FaultKind::catalog() {
        let variant = format!("{kind:?}");
        let variant = variant.split([' ', '{', '(']).next().unwrap();
        assert!(
            source.contains(&format!("FaultKind::{variant}")),
            "no test uses FaultKind::{variant}"
        );
    }
}

/// The legacy dialect mangles its XML (Windows-1252, dd/mm/yyyy, HTML in CDATA) but never an
/// attachment: a PDF downloaded from a legacy system is the generated document itself, byte for
/// byte, and still opens; damaged bytes come only from faults.
#[tokio::test]
async fn legacy_attachments_are_served_unchanged() {
    let sim = InfomexSim::builder().seed(42).start().await.unwrap();
    let (usuario, adjunto) = (1..2000)
        .map(|n| format!("ciudadano{n}"))
        .find_map(|u| {
            let c = sim.account(JAL, &u).unwrap();
            let pdf = c
                .solicitudes
                .iter()
                .flat_map(|s| &s.respuestas)
                .flat_map(|r| &r.adjuntos)
                .find(|a| a.media_type == "application/pdf")
                .cloned();
            pdf.map(|a| (u, a))
        })
        .expect("some Jalisco account has a PDF");
    let login = legacy_login(&sim, JAL, &usuario, &procedural_password(42, JAL, &usuario)).await;
    let token = xml_text(&login, "sesion").unwrap();
    let res = client()
        .get(format!(
            "{}/jalisco/infomex/descargaArchivo.do?sesion={token}&id={}",
            sim.url(),
            adjunto.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let bytes = res.bytes().await.unwrap();
    assert_eq!(bytes[..], adjunto.bytes()[..]);
    assert_eq!(bytes.len() as u64, adjunto.tamano);
    assert!(bytes.starts_with(b"%PDF-1.") && bytes.ends_with(b"%%EOF"));
}
