//! The connection layer under slow clients: half-sent requests are dropped after the configured
//! timeout while others are served, a deliberately delayed answer is not cut by it, a declared
//! oversized body is refused before it is read, and the connection cap refuses at once.

use std::time::Duration;

use infomex_sim::{Endpoint, Fault, FaultKind, InfomexSim, SimConfig, SimHandle};
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{FED, client, modern_login};

/// Far above every limit a test sets: only a server that never closes a connection reaches it.
const DEADLINE: Duration = Duration::from_secs(20);

async fn sim_with(config: SimConfig) -> SimHandle {
    InfomexSim::builder()
        .config(config)
        .seed(42)
        .start()
        .await
        .unwrap()
}

/// Reads until the server closes the connection; a reset counts as closed too.
async fn read_to_close(s: &mut TcpStream) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => return all,
            Ok(n) => all.extend_from_slice(&buf[..n]),
        }
    }
}

async fn raw(sim: &SimHandle, request: &[u8]) -> String {
    let mut s = TcpStream::connect(sim.addr()).await.unwrap();
    s.write_all(request).await.unwrap();
    let bytes = tokio::time::timeout(DEADLINE, read_to_close(&mut s))
        .await
        .expect("the simulator answers and closes");
    String::from_utf8_lossy(&bytes).into_owned()
}

#[tokio::test]
async fn two_hundred_half_sent_requests_are_closed_while_others_are_served() {
    let sim = sim_with(SimConfig {
        espera_cabeceras_ms: 500,
        ..SimConfig::default()
    })
    .await;
    let mut slow = Vec::new();
    for _ in 0..200 {
        let mut s = TcpStream::connect(sim.addr()).await.unwrap();
        s.write_all(b"GET /federacion/api/solicitudes HTTP/1.1\r\nHost: sim\r\nAuthoriz")
            .await
            .unwrap();
        slow.push(tokio::spawn(async move { read_to_close(&mut s).await }));
    }
    let closed = async {
        for s in slow {
            // hyper drops a head that times out without an answer.
            assert_eq!(s.await.unwrap(), b"");
        }
    };
    let mut closed = std::pin::pin!(closed);
    let client = client();
    let mut served = 0u32;
    tokio::time::timeout(DEADLINE, async {
        loop {
            tokio::select! {
                () = &mut closed => break,
                r = client.get(format!("{}/health", sim.url())).send() => {
                    assert_eq!(r.unwrap().status(), StatusCode::OK);
                    served += 1;
                }
            }
        }
    })
    .await
    .expect("every half-sent request is closed before the deadline");
    assert!(served > 0);
}

#[tokio::test]
async fn a_delayed_answer_outlives_the_header_timeout() {
    let sim = sim_with(SimConfig {
        espera_cabeceras_ms: 200,
        ..SimConfig::default()
    })
    .await;
    let token = modern_login(&sim, FED, "ciudadano1").await;
    sim.add_faults([Fault::new(FaultKind::Delay { ms: 1_000 })
        .jurisdiccion(FED)
        .endpoint(Endpoint::Lista)
        .times(1)]);
    let res = client()
        .get(format!("{}/federacion/api/solicitudes", sim.url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        sim.journal().last().unwrap().fault.as_deref(),
        Some("delay")
    );
}

#[tokio::test]
async fn a_declared_oversized_body_is_refused_before_it_is_read() {
    let sim = sim_with(SimConfig::default()).await;
    let answer = raw(
        &sim,
        b"POST /federacion/api/sesion HTTP/1.1\r\nHost: sim\r\nContent-Type: application/json\r\n\
          Content-Length: 99999999999\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");
    assert!(answer.contains("\"peticion_invalida\""), "{answer}");
}

#[tokio::test]
async fn a_stalled_body_is_dropped() {
    let sim = sim_with(SimConfig {
        espera_cuerpo_ms: 300,
        ..SimConfig::default()
    })
    .await;
    let answer = raw(
        &sim,
        b"POST /federacion/api/sesion HTTP/1.1\r\nHost: sim\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\n\r\n{\"usuario\":",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    assert!(answer.contains("dejó de llegar"), "{answer}");
}

#[tokio::test]
async fn beyond_the_connection_cap_a_client_is_refused_at_once() {
    let sim = sim_with(SimConfig {
        max_conexiones: 2,
        ..SimConfig::default()
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(sim.addr()).await.unwrap();
        s.write_all(b"GET /health HTTP/1.1\r\nHost: sim\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 12];
        s.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"HTTP/1.1 200");
        held.push(s);
    }
    let answer = raw(&sim, b"GET /health HTTP/1.1\r\nHost: sim\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
    assert!(answer.contains("retry-after: 1"), "{answer}");
}
