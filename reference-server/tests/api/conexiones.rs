//! The HTTP layer under slow and broken clients: half-sent requests are dropped after the
//! configured timeout while others are served, a declared oversized body is refused before it
//! is read, the connection cap refuses at once, and the errors hyper raises itself (malformed
//! request, head too large) arrive in the API's JSON shape.

use std::time::Duration;

use pnt_reference_server::LimitesHttp;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{TestApp, spawn_app_with};

/// Far above every limit a test sets: only a server that never closes a connection reaches it.
const PLAZO: Duration = Duration::from_secs(20);

async fn app_con(limites: LimitesHttp) -> TestApp {
    spawn_app_with(infomex_sim::InfomexSim::builder().seed(42), move |c| {
        c.http(limites)
    })
    .await
}

fn addr(app: &TestApp) -> String {
    app.url.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection; an error (reset) counts as closed too.
async fn leer_hasta_cierre(s: &mut TcpStream) -> Vec<u8> {
    let mut todo = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => return todo,
            Ok(n) => todo.extend_from_slice(&buf[..n]),
        }
    }
}

/// Sends `peticion` on a fresh connection and reads the answer up to the server's close: the
/// status and the JSON body.
async fn crudo(app: &TestApp, peticion: &[u8]) -> (u16, Value) {
    let mut s = TcpStream::connect(addr(app)).await.unwrap();
    s.write_all(peticion).await.unwrap();
    let respuesta = tokio::time::timeout(PLAZO, leer_hasta_cierre(&mut s))
        .await
        .expect("the server answers and closes");
    let texto = String::from_utf8_lossy(&respuesta).into_owned();
    let (cabeza, cuerpo) = texto
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("a whole response: {texto:?}"));
    let status = cabeza[9..12].parse().unwrap();
    assert!(
        cabeza
            .to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{cabeza}"
    );
    let json: Value =
        serde_json::from_str(cuerpo).unwrap_or_else(|e| panic!("JSON body ({e}): {texto:?}"));
    (status, json)
}

fn codigo(v: &Value) -> &str {
    v["error"]["codigo"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn two_hundred_half_sent_requests_are_closed_while_others_are_served() {
    let app = app_con(LimitesHttp {
        espera_cabeceras: Duration::from_millis(500),
        ..LimitesHttp::default()
    })
    .await;
    let mut lentas = Vec::new();
    for _ in 0..200 {
        let mut s = TcpStream::connect(addr(&app)).await.unwrap();
        s.write_all(b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: pnt\r\nAccept: ")
            .await
            .unwrap();
        lentas.push(tokio::spawn(async move { leer_hasta_cierre(&mut s).await }));
    }
    let cerradas = async {
        for lenta in lentas {
            // hyper drops a head that times out without an answer.
            assert_eq!(lenta.await.unwrap(), b"");
        }
    };
    let mut cerradas = std::pin::pin!(cerradas);
    let mut atendidas = 0u32;
    tokio::time::timeout(PLAZO, async {
        loop {
            tokio::select! {
                () = &mut cerradas => break,
                r = app.client.get(format!("{}/.well-known/pnt-suite", app.url)).send() => {
                    assert_eq!(r.unwrap().status(), StatusCode::OK);
                    atendidas += 1;
                }
            }
        }
    })
    .await
    .expect("every half-sent request is closed before the deadline");
    assert!(atendidas > 0);
    // And the server still answers once they are gone.
    let r = app
        .client
        .get(format!("{}/.well-known/pnt-suite", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_stalled_body_is_answered_408_and_closed() {
    let app = app_con(LimitesHttp {
        espera_cuerpo: Duration::from_millis(300),
        ..LimitesHttp::default()
    })
    .await;
    let (status, json) = crudo(
        &app,
        b"POST /api/v1/sesiones HTTP/1.1\r\nHost: pnt\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\n\r\n{\"correo\":",
    )
    .await;
    assert_eq!((status, codigo(&json)), (408, "cuerpo_lento"), "{json}");
}

#[tokio::test]
async fn a_declared_oversized_body_is_refused_before_it_is_read() {
    let app = app_con(LimitesHttp::default()).await;
    // Nothing of the body is sent: the answer cannot wait for it.
    let (status, json) = crudo(
        &app,
        b"POST /api/v1/sesiones HTTP/1.1\r\nHost: pnt\r\nContent-Type: application/json\r\n\
          Content-Length: 99999999999\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(
        (status, codigo(&json)),
        (413, "cuerpo_demasiado_grande"),
        "{json}"
    );
}

#[tokio::test]
async fn beyond_the_connection_cap_a_client_is_refused_at_once() {
    let app = app_con(LimitesHttp {
        max_conexiones: 3,
        ..LimitesHttp::default()
    })
    .await;
    let mut ocupadas = Vec::new();
    for _ in 0..3 {
        let mut s = TcpStream::connect(addr(&app)).await.unwrap();
        // A whole request, answered: the connection is surely being served when the next one
        // arrives.
        s.write_all(b"GET /.well-known/pnt-suite HTTP/1.1\r\nHost: pnt\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 12];
        s.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"HTTP/1.1 200");
        ocupadas.push(s);
    }
    let (status, json) = crudo(
        &app,
        b"GET /.well-known/pnt-suite HTTP/1.1\r\nHost: pnt\r\n\r\n",
    )
    .await;
    assert_eq!(
        (status, codigo(&json)),
        (503, "demasiadas_conexiones"),
        "{json}"
    );
}

#[tokio::test]
async fn errors_raised_by_the_http_layer_have_the_json_shape() {
    let app = app_con(LimitesHttp::default()).await;
    let (status, json) = crudo(&app, b"ESTO NO ES HTTP\r\n\r\n").await;
    assert_eq!(
        (status, codigo(&json)),
        (400, "peticion_malformada"),
        "{json}"
    );
    let (status, json) = crudo(&app, b"GET /api/v1/historial HTTP/1.1\r\nHost pnt\r\n\r\n").await;
    assert_eq!(
        (status, codigo(&json)),
        (400, "peticion_malformada"),
        "{json}"
    );

    let larga = format!(
        "GET /api/v1/historial?q={} HTTP/1.1\r\nHost: pnt\r\nConnection: close\r\n\r\n",
        "a".repeat(9 * 1024)
    );
    let (status, json) = crudo(&app, larga.as_bytes()).await;
    assert_eq!(
        (status, codigo(&json)),
        (414, "uri_demasiado_larga"),
        "{json}"
    );

    let grandes = format!(
        "GET /api/v1/historial HTTP/1.1\r\nHost: pnt\r\nX-Relleno: {}\r\n\r\n",
        "a".repeat(40 * 1024)
    );
    let (status, json) = crudo(&app, grandes.as_bytes()).await;
    assert_eq!(
        (status, codigo(&json)),
        (431, "cabeceras_demasiado_grandes"),
        "{json}"
    );
    // Spanish, with what to do: a whole sentence, as every message.
    let mensaje = json["error"]["mensaje"].as_str().unwrap();
    assert!(
        mensaje.starts_with("Las cabeceras") && mensaje.ends_with('.'),
        "{mensaje}"
    );
}
