//! Load runs behind the figures in docs/performance.md. Not a test: it measures.
//!
//! ```text
//! cargo run --release -p infomex-sim --example load -- pair            # sim + bare hyper, for wrk
//! cargo run --release -p infomex-sim --example load -- delay [N] [MS]  # N concurrent delayed requests
//! cargo run --release -p infomex-sim --example load -- memory [N]      # N distinct accounts, RSS
//! ```
//!
//! `pair` serves the simulator and, beside it, a bare hyper server that answers every request with
//! the exact bytes of the simulator's list page; it prints one line with both URLs and the bearer
//! token, then serves until stdin closes. `scripts/load-sim.sh` drives it with wrk.

use std::convert::Infallible;
use std::io::BufRead;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use infomex_sim::{Endpoint, Fault, FaultKind, InfomexSim, procedural_password};
use pnt_model::Jurisdiccion;
use serde_json::Value;

const FED: Jurisdiccion = Jurisdiccion::Federacion;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let arg = |i: usize, default: u64| args.get(i).and_then(|v| v.parse().ok()).unwrap_or(default);
    match args.first().map(String::as_str) {
        Some("pair") => runtime.block_on(pair()),
        Some("delay") => runtime.block_on(delay(arg(1, 1000) as usize, arg(2, 200))),
        Some("memory") => runtime.block_on(memory(arg(1, 1_000_000))),
        _ => eprintln!("usage: load pair | delay [N] [MS] | memory [N]"),
    }
}

async fn login(http: &reqwest::Client, base: &str, usuario: &str) -> String {
    let res = http
        .post(format!("{base}/federacion/api/sesion"))
        .json(&serde_json::json!({"usuario": usuario, "contrasena": procedural_password(42, FED, usuario)}))
        .send()
        .await
        .expect("login");
    res.json::<Value>().await.expect("json")["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

async fn pair() {
    let sim = InfomexSim::builder().seed(42).start().await.expect("sim");
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let token = login(&http, &sim.url(), "ciudadano1").await;
    let path = "/federacion/api/solicitudes?pagina=1&por_pagina=50";
    let page = http
        .get(format!("{}{path}", sim.url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let bare = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bare_addr = bare.local_addr().unwrap();
    tokio::spawn(bare_server(bare, page.clone()));
    println!(
        "{}",
        serde_json::json!({"sim": format!("{}{path}", sim.url()), "bare": format!("http://{bare_addr}{path}"),
                           "token": token, "bytes": page.len()})
    );
    // Serve until stdin closes.
    tokio::task::spawn_blocking(|| {
        let stdin = std::io::stdin();
        for _ in stdin.lock().lines() {}
    })
    .await
    .unwrap();
}

/// hyper alone, answering every request with `body`: the ceiling the simulator is compared with.
async fn bare_server(listener: tokio::net::TcpListener, body: Bytes) {
    loop {
        let (stream, _) = listener.accept().await.unwrap();
        let _ = stream.set_nodelay(true);
        let body = body.clone();
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |_req: Request<hyper::body::Incoming>| {
                    let body = body.clone();
                    async move {
                        Ok::<_, Infallible>(
                            Response::builder()
                                .header("content-type", "application/json; charset=utf-8")
                                .body(Full::new(body))
                                .unwrap(),
                        )
                    }
                });
            let _ = http1::Builder::new()
                .auto_date_header(false)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn delay(n: usize, ms: u64) {
    let sim = InfomexSim::builder()
        .seed(42)
        .fault(Fault::new(FaultKind::Delay { ms }).endpoint(Endpoint::Lista))
        .start()
        .await
        .expect("sim");
    let http = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(n)
        .build()
        .unwrap();
    let token = Arc::new(login(&http, &sim.url(), "ciudadano1").await);
    let url = Arc::new(format!("{}/federacion/api/solicitudes", sim.url()));
    let start = Instant::now();
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (http, token, url) = (http.clone(), token.clone(), url.clone());
            tokio::spawn(async move {
                let res = http
                    .get(url.as_str())
                    .bearer_auth(token.as_str())
                    .send()
                    .await
                    .unwrap();
                let status = res.status();
                let _ = res.bytes().await.unwrap();
                (status.as_u16(), start.elapsed())
            })
        })
        .collect();
    let mut worst = std::time::Duration::ZERO;
    let mut ok = 0;
    for t in tasks {
        let (status, elapsed) = t.await.unwrap();
        ok += usize::from(status == 200);
        worst = worst.max(elapsed);
    }
    let delayed = sim.fault_status()[0].fired;
    println!(
        "{n} concurrent requests, {ms} ms injected delay each: {ok} answered 200 ({delayed} delayed), all done in {:.0} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    assert_eq!(ok, n, "every request is answered");
    assert_eq!(delayed as usize, n, "every request was delayed");
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

async fn memory(n: u64) {
    let sim = InfomexSim::builder().seed(42).start().await.expect("sim");
    let base = Arc::new(sim.url());
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let concurrency = 32u64;
    let step = (n / 10).max(1);
    let start = Instant::now();
    println!("{:>10}  {:>10}  {:>8}", "accounts", "RSS (MiB)", "seconds");
    let mut done = 0u64;
    while done < n {
        let batch_end = (done + step).min(n);
        let mut next = done;
        while next < batch_end {
            let upto = (next + concurrency).min(batch_end);
            let tasks: Vec<_> = (next..upto)
                .map(|i| {
                    let (http, base) = (http.clone(), base.clone());
                    tokio::spawn(async move {
                        let usuario = format!("ciudadano{}", i + 1);
                        let token = login(&http, &base, &usuario).await;
                        let res = http
                            .get(format!("{base}/federacion/api/solicitudes"))
                            .bearer_auth(&token)
                            .send()
                            .await
                            .unwrap();
                        assert_eq!(res.status(), 200);
                        let _ = res.bytes().await.unwrap();
                        http.delete(format!("{base}/federacion/api/sesion"))
                            .bearer_auth(&token)
                            .send()
                            .await
                            .unwrap();
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
            next = upto;
        }
        done = batch_end;
        println!(
            "{done:>10}  {:>10.1}  {:>8.1}",
            rss_kib() as f64 / 1024.0,
            start.elapsed().as_secs_f64()
        );
    }
}
