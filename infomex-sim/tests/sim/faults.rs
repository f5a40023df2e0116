//! Faults, each observed by a real client.

use std::collections::BTreeSet;

use infomex_sim::{Endpoint, Fault, FaultKind, InfomexSim, SimHandle, procedural_password};
use pnt_model::Sha256;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{
    FED, JAL, client, folios, legacy_login, modern_get, modern_login, page, pct, usuario_with,
    xml_text,
};

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
    let non_ascii =
        |c: &infomex_sim::Cuenta| c.solicitudes.iter().any(|s| !s.institucion.is_ascii());
    let usuario = sim
        .find_usuario(FED, 500, |fed| {
            non_ascii(fed)
                && sim
                    .account(JAL, &fed.usuario)
                    .is_some_and(|jal| non_ascii(&jal))
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
    let source = include_str!("faults.rs");
    for kind in FaultKind::catalog() {
        let variant = format!("{kind:?}");
        let variant = variant.split([' ', '{', '(']).next().unwrap();
        assert!(
            source.contains(&format!("FaultKind::{variant}")),
            "no test uses FaultKind::{variant}"
        );
    }
}
