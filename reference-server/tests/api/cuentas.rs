use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{error_of, spawn_app};

#[tokio::test]
async fn register_log_in_use_the_token_and_log_out() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/usuarios",
            &json!({"correo": " Maria@Example.MX ", "contrasena": "s3creta-larga", "nombre": "María López"}),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body,
        json!({"correo": "maria@example.mx", "nombre": "María López"})
    );

    let r = app
        .post(
            "/sesiones",
            &json!({"correo": "maria@example.mx", "contrasena": "s3creta-larga"}),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let s: Value = r.json().await.unwrap();
    let token = s["token"].as_str().unwrap().to_owned();
    assert!(
        s["expira"].as_str().unwrap().starts_with("2021-10-20"),
        "{s}"
    );

    assert_eq!(
        app.get("/historial", Some(&token)).await.status(),
        StatusCode::OK
    );
    let r = app
        .client
        .delete(app.api("/sesiones"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (status, codigo, _) = error_of(app.get("/historial", Some(&token)).await).await;
    assert_eq!(
        (status, codigo.as_str()),
        (StatusCode::UNAUTHORIZED, "no_autenticado")
    );
}

#[tokio::test]
async fn registering_an_existing_correo_is_a_conflict() {
    let app = spawn_app().await;
    app.user("ana@example.mx").await;
    let r = app
        .post(
            "/usuarios",
            &json!({"correo": "ANA@example.mx", "contrasena": "otra-clave-1", "nombre": "Ana"}),
            None,
        )
        .await;
    let (status, codigo, _) = error_of(r).await;
    assert_eq!(
        (status, codigo.as_str()),
        (StatusCode::CONFLICT, "correo_ya_registrado")
    );
}

#[tokio::test]
async fn invalid_registration_fields_are_named() {
    let app = spawn_app().await;
    for (body, campo) in [
        (
            json!({"correo": "no-es-correo", "contrasena": "suficiente", "nombre": "X"}),
            "correo",
        ),
        (
            json!({"correo": "a@b.mx", "contrasena": "corta", "nombre": "X"}),
            "contrasena",
        ),
        (
            json!({"correo": "a@b.mx", "contrasena": "suficiente", "nombre": "  "}),
            "nombre",
        ),
        (
            json!({"correo": "a@b.mx", "contrasena": "suficiente"}),
            "nombre",
        ),
        (
            json!({"correo": 5, "contrasena": "suficiente", "nombre": "X"}),
            "correo",
        ),
    ] {
        let (status, codigo, mensaje) = error_of(app.post("/usuarios", &body, None).await).await;
        assert_eq!(
            (status, codigo.as_str()),
            (StatusCode::BAD_REQUEST, "datos_invalidos"),
            "{body}"
        );
        assert!(mensaje.contains(&format!("«{campo}»")), "{mensaje}");
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_correo_get_the_same_answer() {
    let app = spawn_app().await;
    app.user("luis@example.mx").await;
    for correo in ["luis@example.mx", "nadie@example.mx"] {
        let r = app
            .post(
                "/sesiones",
                &json!({"correo": correo, "contrasena": "equivocada"}),
                None,
            )
            .await;
        let (status, codigo, _) = error_of(r).await;
        assert_eq!(
            (status, codigo.as_str()),
            (StatusCode::UNAUTHORIZED, "credenciales_invalidas")
        );
    }
}
