//! Input shape: control characters refused in every text field with `caracter_de_control`, and a
//! repeated query parameter answered in Spanish.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{error_of, seg, spawn_app};

/// Asserts the answer is `caracter_de_control` naming `campo`.
async fn refusa(r: reqwest::Response, campo: &str) {
    let (status, codigo, mensaje) = error_of(r).await;
    assert_eq!(
        (status, codigo.as_str()),
        (StatusCode::BAD_REQUEST, "caracter_de_control"),
        "{campo}: {mensaje}"
    );
    assert!(mensaje.contains(&format!("«{campo}»")), "{mensaje}");
}

#[tokio::test]
async fn control_characters_are_refused_in_every_text_field() {
    let app = spawn_app().await;
    let bien =
        json!({"correo": "ana@example.mx", "contrasena": "contraseña-segura", "nombre": "Ana"});
    let casos = [
        ("correo", "ana\u{0}@example.mx"),
        ("correo", "\u{FEFF}@example.mx"),
        ("correo", "ana@example.mx\u{1b}"),
        ("nombre", "Ana\nPérez"),
        ("nombre", "Ana\u{7f}"),
        ("contrasena", "contraseña\u{0}segura"),
    ];
    for (campo, valor) in casos {
        let mut body = bien.clone();
        body[campo] = json!(valor);
        refusa(app.post("/usuarios", &body, None).await, campo).await;
    }
    refusa(
        app.post(
            "/sesiones",
            &json!({"correo": "ana\u{0}@example.mx", "contrasena": "contraseña-segura"}),
            None,
        )
        .await,
        "correo",
    )
    .await;

    let token = app.user("ana@example.mx").await;
    for (campo, valor) in [("usuario", "ana\u{0}"), ("contrasena", "s3creta\u{FEFF}")] {
        let mut body = json!({"jurisdiccion": "colima", "usuario": "ana", "contrasena": "s3creta"});
        body[campo] = json!(valor);
        refusa(app.post("/vinculaciones", &body, Some(&token)).await, campo).await;
    }
    let queja = format!("/solicitudes/{}/quejas", seg("0623800160321"));
    refusa(
        app.post(
            &queja,
            &json!({"motivo": "No\u{0} respondieron"}),
            Some(&token),
        )
        .await,
        "motivo",
    )
    .await;
    // A motivo may have several lines and tabs: it passes this check and meets the next one.
    let r = app
        .post(
            &queja,
            &json!({"motivo": "No respondieron.\r\n\tNi prórroga."}),
            Some(&token),
        )
        .await;
    assert_eq!(error_of(r).await.1, "solicitud_no_encontrada");
}

#[tokio::test]
async fn history_parameters_are_read_exactly_as_the_openapi_states() {
    let app = spawn_app().await;
    let token = app.user("ana@example.mx").await;
    // Given empty, with spaces, signed or out of range: refused, never taken as the default.
    for q in [
        "pagina=",
        "por_pagina=",
        "semaforo=",
        "tipo=",
        "pagina=+1",
        "pagina=%201",
        "por_pagina=101",
        "pagina=0",
    ] {
        let r = app.get(&format!("/historial?{q}"), Some(&token)).await;
        let (status, codigo, mensaje) = error_of(r).await;
        assert_eq!(
            (status, codigo.as_str()),
            (StatusCode::BAD_REQUEST, "datos_invalidos"),
            "{q}: {mensaje}"
        );
    }
    // Left out, each takes its default; written plainly, it is read.
    for q in ["", "pagina=2&por_pagina=100&semaforo=en_alerta&tipo=acceso"] {
        let r = app.get(&format!("/historial?{q}"), Some(&token)).await;
        assert_eq!(r.status(), StatusCode::OK, "{q}");
    }
}

#[tokio::test]
async fn a_repeated_query_parameter_is_answered_in_spanish() {
    let app = spawn_app().await;
    let token = app.user("ana@example.mx").await;
    let r = app.get("/historial?pagina=1&pagina=2", Some(&token)).await;
    let (status, codigo, mensaje) = error_of(r).await;
    assert_eq!(
        (status, codigo.as_str()),
        (StatusCode::BAD_REQUEST, "datos_invalidos")
    );
    assert!(
        mensaje.contains("«pagina»") && mensaje.contains("una sola vez"),
        "{mensaje}"
    );
    assert!(!mensaje.contains("duplicate"), "{mensaje}");
    // Unknown parameters are still ignored, even repeated.
    let r = app.get("/historial?otro=1&otro=2", Some(&token)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app.get("/historial?pagina=%ZZ&=", Some(&token)).await;
    let (_, codigo, mensaje) = error_of(r).await;
    assert_eq!(codigo, "datos_invalidos", "{mensaje}");
    assert!(
        !mensaje.contains('`') && !mensaje.contains("invalid"),
        "{mensaje}"
    );
}
