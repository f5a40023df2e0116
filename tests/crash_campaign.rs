//! The crash campaign: the reference server as a real process (`pnt-suite serve`), killed with
//! SIGKILL at seeded points of a large linkage, restarted on the same database, and linked
//! again; in the end the history must hold every solicitud exactly once, each with the answers
//! and attachments Infomex holds, every attachment's bytes matching their SHA-256.
//!
//! The kill points are the N-th request the server sends to Infomex (any endpoint: log-in,
//! list pages, details, attachments), drawn from `PNT_CRASH_SEED` (default below; the seed and
//! the points are printed, so a failure is repeated with the same seed). Between the server and
//! the simulator sits a counting proxy: at the chosen request it tells the test and never
//! answers, so the kill lands while the server waits on Infomex mid-linkage — an event, not a
//! timer.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use infomex_sim::{CuentaConfig, InfomexSim};
use pnt_model::{Jurisdiccion, Sha256};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::oneshot;

const DEFAULT_SEED: u64 = 20_261_130;
const SOLICITUDES: u32 = 300;
const KILLS: usize = 4;

/// The request number to hold, and whom to tell when it arrives.
type Hold = Arc<Mutex<Option<(u64, oneshot::Sender<()>)>>>;

#[derive(Clone)]
struct Proxy {
    sim: String,
    http: reqwest::Client,
    seen: Arc<AtomicU64>,
    hold: Hold,
}

async fn forward(State(p): State<Proxy>, request: Request) -> Response {
    let n = p.seen.fetch_add(1, Ordering::SeqCst) + 1;
    let held = {
        let mut hold = p.hold.lock().unwrap();
        match hold.take() {
            Some((at, tell)) if at == n => Some(tell),
            other => {
                *hold = other;
                None
            }
        }
    };
    if let Some(tell) = held {
        let _ = tell.send(());
        // The server is killed while it waits for this answer.
        return std::future::pending().await;
    }
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let url = format!(
        "{}{}",
        p.sim,
        parts.uri.path_and_query().map_or("/", |x| x.as_str())
    );
    let mut headers = parts.headers.clone();
    headers.remove(axum::http::header::HOST);
    let answer = p
        .http
        .request(parts.method, url)
        .headers(headers)
        .body(body)
        .send()
        .await;
    match answer {
        Ok(r) => {
            let status = StatusCode::from_u16(r.status().as_u16()).unwrap();
            let mut headers = HeaderMap::new();
            for (k, v) in r.headers() {
                headers.insert(k.clone(), v.clone());
            }
            let bytes: Bytes = r.bytes().await.unwrap_or_default();
            (status, headers, bytes).into_response()
        }
        Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    }
}

/// `pnt-suite serve` on `db`, and its base URL once its banner says it listens.
async fn start_server(db: &std::path::Path, infomex: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pnt-suite"))
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(db)
        .args(["--infomex-url", infomex])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("pnt-suite serve starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while let Some(line) = lines.next_line().await.unwrap() {
        if let Some(rest) = line.strip_prefix("PNT de referencia en ") {
            let url = rest
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/');
            // Keep reading its output so the server never blocks on a full pipe.
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return (child, url.to_owned());
        }
    }
    panic!("pnt-suite serve ended without saying where it listens");
}

async fn log_in(http: &reqwest::Client, pnt: &str) -> String {
    let r: Value = http
        .post(format!("{pnt}/api/v1/sesiones"))
        .json(&json!({"correo": "crash@example.mx", "contrasena": "una-clave-larga"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["token"].as_str().expect("a session token").to_owned()
}

fn link(http: &reqwest::Client, pnt: &str, token: &str) -> reqwest::RequestBuilder {
    http.post(format!("{pnt}/api/v1/vinculaciones"))
        .bearer_auth(token)
        .json(&json!({"jurisdiccion": "federacion", "usuario": "grande", "contrasena": "clave-grande"}))
}

async fn get_json(http: &reqwest::Client, url: String, token: &str) -> Value {
    let r = http.get(&url).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), 200, "{url}");
    r.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_linkage_then_relink_loses_and_duplicates_nothing() {
    let seed = std::env::var("PNT_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED);
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    // A linkage of this account sends about 700 requests (log-in, pages, 300 details, their
    // attachments): the points fall anywhere from the first list page to the last attachments.
    let mut points: Vec<u64> = (0..KILLS).map(|_| rng.random_range(3..600u64)).collect();
    points.sort_unstable();
    println!("PNT_CRASH_SEED={seed}: kill at requests {points:?} of each linkage attempt");

    let sim = InfomexSim::builder()
        .seed(seed)
        .account(
            CuentaConfig::new(Jurisdiccion::Federacion, "grande", "clave-grande")
                .generar(SOLICITUDES),
        )
        .start()
        .await
        .unwrap();
    let proxy = Proxy {
        sim: sim.url().trim_end_matches('/').to_owned(),
        http: reqwest::Client::new(),
        seen: Arc::default(),
        hold: Arc::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let infomex = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .fallback(forward)
        .with_state(proxy.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pnt.sqlite");
    let http = reqwest::Client::new();
    let (mut server, mut pnt) = start_server(&db, &infomex).await;
    let r = http
        .post(format!("{pnt}/api/v1/usuarios"))
        .json(&json!({"correo": "crash@example.mx", "contrasena": "una-clave-larga", "nombre": "Crash"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    for (round, at) in points.iter().enumerate() {
        let token = log_in(&http, &pnt).await;
        let (tell, reached) = oneshot::channel();
        let start = proxy.seen.load(Ordering::SeqCst);
        *proxy.hold.lock().unwrap() = Some((start + at, tell));
        let mut linkage = tokio::spawn(link(&http, &pnt, &token).send());
        tokio::select! {
            signal = reached => {
                signal.expect("the proxy keeps its signal until the request arrives");
                server.kill().await.unwrap();
                let _ = linkage.await;
                println!("round {round}: killed at request {at} of the attempt");
            }
            // A relink of an account mostly migrated already may send fewer requests than
            // the point: then this round crashes nothing, and says so.
            done = &mut linkage => {
                *proxy.hold.lock().unwrap() = None;
                let status = done.unwrap().map(|r| r.status().as_u16());
                println!("round {round}: the linkage ended ({status:?}) before request {at}");
                continue;
            }
        }
        let (s, url) = start_server(&db, &infomex).await;
        server = s;
        pnt = url;
    }
    *proxy.hold.lock().unwrap() = None;

    let token = log_in(&http, &pnt).await;
    let r = link(&http, &pnt, &token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let result: Value = r.json().await.unwrap();
    assert_eq!(result["estado"], "completa", "{result}");

    // Everything Infomex holds, exactly once.
    let cuenta = sim.account(Jurisdiccion::Federacion, "grande").unwrap();
    let expected: BTreeMap<String, Vec<String>> = cuenta
        .solicitudes
        .iter()
        .map(|g| {
            let s = g.to_model();
            (
                s.folio.to_string(),
                s.adjuntos().map(|a| a.sha256.to_string()).collect(),
            )
        })
        .collect();
    assert_eq!(expected.len(), SOLICITUDES as usize);
    let mut folios: Vec<String> = Vec::new();
    for pagina in 1.. {
        let page = get_json(
            &http,
            format!("{pnt}/api/v1/historial?pagina={pagina}&por_pagina=100"),
            &token,
        )
        .await;
        assert_eq!(page["total"], SOLICITUDES, "Mi Historial's total");
        let rows = page["solicitudes"].as_array().unwrap();
        if rows.is_empty() {
            break;
        }
        folios.extend(rows.iter().map(|r| r["folio"].as_str().unwrap().to_owned()));
    }
    let mut unique = folios.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), folios.len(), "a folio appears twice");
    assert_eq!(
        unique,
        expected.keys().cloned().collect::<Vec<_>>(),
        "the history's folios are not Infomex's"
    );

    // Each solicitud's attachments: the same checksums, and bytes that match them.
    let mut attachments = 0;
    for (folio, shas) in &expected {
        let detail = get_json(&http, format!("{pnt}/api/v1/solicitudes/{folio}"), &token).await;
        let mut stored: Vec<(String, i64)> = Vec::new();
        for r in detail["respuestas"].as_array().unwrap() {
            for a in r["adjuntos"].as_array().unwrap() {
                stored.push((
                    a["sha256"].as_str().unwrap().to_owned(),
                    a["id"].as_i64().unwrap(),
                ));
            }
        }
        let mut got: Vec<&str> = stored.iter().map(|(s, _)| s.as_str()).collect();
        let mut want: Vec<&str> = shas.iter().map(String::as_str).collect();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want, "attachments of {folio}");
        for (sha, id) in stored {
            let bytes = http
                .get(format!("{pnt}/api/v1/adjuntos/{id}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            assert_eq!(
                Sha256::of(&bytes).to_string(),
                sha,
                "bytes of attachment {id} of {folio}"
            );
            attachments += 1;
        }
    }
    println!(
        "after the kills and a relink: {} solicitudes, {attachments} attachments, all checksums match",
        folios.len()
    );
    server.kill().await.unwrap();
}
