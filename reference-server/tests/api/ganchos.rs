//! The `/__test` hooks' guard over real connections: loopback peers only by default; with a
//! token, only calls that carry it in `X-Pnt-Test-Token`, from anywhere.

use reqwest::StatusCode;

use crate::helpers::{TestApp, error_of, spawn_app, spawn_app_with};

async fn reset(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let mut req = app.client.post(format!("{}/__test/reset", app.url));
    if let Some(t) = token {
        req = req.header("X-Pnt-Test-Token", t);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn without_a_token_loopback_may_call_the_hooks() {
    let app = spawn_app().await;
    assert!(reset(&app, None).await.status().is_success());
}

#[tokio::test]
async fn with_a_token_a_call_without_it_or_with_another_is_refused() {
    let app = spawn_app_with(infomex_sim::InfomexSim::builder().seed(42), |c| {
        c.test_hooks_token("s3creto-de-prueba")
    })
    .await;
    for enviado in [None, Some("otro"), Some("s3creto-de-prueb")] {
        let (status, codigo, mensaje) = error_of(reset(&app, enviado).await).await;
        assert_eq!(
            (status, codigo.as_str()),
            (StatusCode::FORBIDDEN, "ganchos_restringidos"),
            "{enviado:?}: {mensaje}"
        );
    }
    assert!(
        reset(&app, Some("s3creto-de-prueba"))
            .await
            .status()
            .is_success()
    );
    // Discovery still lists the hooks, and never the token.
    let d = app
        .client
        .get(format!("{}/.well-known/pnt-suite", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(d.contains("\"reset\"") && !d.contains("s3creto"), "{d}");
}

/// The machine's address on its outbound interface, when it has one that is not loopback: the
/// kernel picks it for a UDP socket "connected" to a documentation address (nothing is sent).
fn ip_no_loopback() -> Option<std::net::IpAddr> {
    let s = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    s.connect("192.0.2.1:9").ok()?;
    let ip = s.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn a_peer_beyond_loopback_is_refused_without_a_token() {
    let Some(ip) = ip_no_loopback() else {
        // The guard's peer rule is unit-tested in `seguridad`; this machine has no other address.
        eprintln!("sin dirección fuera de loopback: prueba omitida");
        return;
    };
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let db = crate::helpers::TestDb::new();
    let config = pnt_reference_server::Config::for_tests().storage(db.storage());
    tokio::spawn(pnt_reference_server::serve(
        config,
        listener,
        std::future::pending(),
    ));
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let r = client
        .post(format!("http://{ip}:{port}/__test/reset"))
        .send()
        .await
        .unwrap();
    let (status, codigo, _) = error_of(r).await;
    assert_eq!(
        (status, codigo.as_str()),
        (StatusCode::FORBIDDEN, "ganchos_restringidos")
    );
    // The same server from loopback: allowed.
    let r = client
        .post(format!("http://127.0.0.1:{port}/__test/reset"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
}
