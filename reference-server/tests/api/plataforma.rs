//! API plumbing: one error shape for everything, discovery, test hooks, OpenAPI.

use std::path::PathBuf;

use infomex_sim::InfomexSim;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{error_of, spawn_app, spawn_app_with};

#[tokio::test]
async fn malformed_json_has_the_one_error_shape() {
    let app = spawn_app().await;
    let r = app
        .client
        .post(app.api("/usuarios"))
        .header("content-type", "application/json")
        .body("{\"correo\": ")
        .send()
        .await
        .unwrap();
    let (status, codigo, mensaje) = error_of(r).await;
    assert_eq!(
        (status, codigo.as_str()),
        (StatusCode::BAD_REQUEST, "json_invalido")
    );
    assert!(mensaje.contains("línea 1"), "{mensaje}");

    let r = app
        .client
        .post(app.api("/usuarios"))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await.1, "json_invalido");
    let r = app.post("/usuarios", &json!(["no", "objeto"]), None).await;
    assert_eq!(error_of(r).await.1, "json_invalido");
}

#[tokio::test]
async fn unknown_routes_and_methods_have_the_one_error_shape() {
    let app = spawn_app().await;
    let (status, codigo, _) = error_of(app.get("/no-existe", None).await).await;
    assert_eq!(
        (status, codigo.as_str()),
        (StatusCode::NOT_FOUND, "ruta_desconocida")
    );
    let r = app
        .client
        .get(format!("{}/otra/cosa", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await.1, "ruta_desconocida");
    let r = app.client.put(app.api("/historial")).send().await.unwrap();
    let (status, codigo, _) = error_of(r).await;
    assert_eq!(
        (status, codigo.as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "metodo_no_permitido")
    );
    // A browser asking for a page that does not exist gets a page.
    let r = app
        .client
        .get(format!("{}/otra/cosa", app.url))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("No existe esta página"));
}

#[tokio::test]
async fn bodies_over_64_kib_are_refused_with_the_one_error_shape() {
    let app = spawn_app().await;
    let big = "x".repeat(70 * 1024);
    let r = app
        .post(
            "/usuarios",
            &json!({"correo": "a@b.mx", "contrasena": big, "nombre": "X"}),
            None,
        )
        .await;
    let (status, codigo, _) = error_of(r).await;
    assert_eq!(
        (status, codigo.as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "cuerpo_demasiado_grande")
    );
    // Just under the limit is read (and refused for its content, not its size).
    let fits = "x".repeat(60 * 1024);
    let r = app
        .post(
            "/usuarios",
            &json!({"correo": "a@b.mx", "contrasena": fits, "nombre": "X"}),
            None,
        )
        .await;
    assert_eq!(error_of(r).await.1, "datos_invalidos");
}

#[tokio::test]
async fn requests_without_a_valid_token_are_refused() {
    let app = spawn_app().await;
    for token in [None, Some("no-es-un-token")] {
        let (status, codigo, _) = error_of(app.get("/historial", token).await).await;
        assert_eq!(
            (status, codigo.as_str()),
            (StatusCode::UNAUTHORIZED, "no_autenticado")
        );
    }
}

#[tokio::test]
async fn discovery_lists_the_hooks_and_the_jurisdictions_are_33() {
    let app = spawn_app().await;
    let d: Value = app
        .client
        .get(format!("{}/.well-known/pnt-suite", app.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut d = d;
    let reglas = d.as_object_mut().unwrap().remove("reglas").unwrap();
    assert_eq!(
        d,
        json!({"api": "/api/v1", "version": "1.0.0", "openapi": "/api/v1/openapi.json",
               "hooks": {"prefix": "/__test", "available": ["clock", "reset", "infomex", "calendarios"]}})
    );
    // The rules as data: LFT everywhere (no calendar data) and every jurisdiction's terms.
    assert_eq!(reglas["calendario"], "lft");
    assert_eq!(reglas["umbral_alerta"], 5);
    assert_eq!(reglas["calendarios"], json!({}));
    assert_eq!(reglas["terminos"].as_object().unwrap().len(), 33);
    assert_eq!(
        reglas["terminos"]["nayarit"],
        json!({"respuesta": 15, "ampliacion": 10, "prevencion": 5, "desahogo": 10, "queja": 15})
    );
    assert_eq!(reglas["terminos"]["jalisco"]["respuesta"], 20);
    let js: Value = app.get("/jurisdicciones", None).await.json().await.unwrap();
    let js = js.as_array().unwrap();
    assert_eq!(js.len(), 33);
    assert_eq!(
        js[13],
        json!({"slug": "jalisco", "codigo": "14", "nombre": "Jalisco"})
    );
    assert_eq!(
        js[32],
        json!({"slug": "federacion", "codigo": "33", "nombre": "Federación"})
    );
}

#[tokio::test]
async fn hooks_are_absent_when_disabled_and_the_rules_follow_the_configuration() {
    let sisai = pnt_model::Calendario::from_toml(include_str!(
        "../../../calendars/federacion-2021-suspension-sisai.toml"
    ))
    .unwrap();
    let published = sisai.clone();
    let app = spawn_app_with(InfomexSim::builder().seed(42), move |mut c| {
        c.regla_semaforo.umbral_alerta = 3;
        c.test_hooks(false)
            .calendario(pnt_model::Jurisdiccion::Federacion, sisai)
    })
    .await;
    let d: Value = app
        .client
        .get(format!("{}/.well-known/pnt-suite", app.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["hooks"]["available"], json!([]));
    assert_eq!(d["reglas"]["umbral_alerta"], 3);
    // The calendar a file gave is published as data, and reads back as the same calendar.
    let back: pnt_model::Calendario =
        serde_json::from_value(d["reglas"]["calendarios"]["federacion"].clone()).unwrap();
    assert_eq!(back, published);
    assert_eq!(
        d["reglas"]["calendarios"]["federacion"]["suspensiones"][0],
        json!({"desde": "2021-09-13", "hasta": "2021-09-15", "motivo": "lanzamiento de SISAI 2.0 en la PNT"})
    );
    assert_eq!(d["reglas"]["calendarios"].as_object().unwrap().len(), 1);
    let r = app
        .client
        .put(format!("{}/__test/clock", app.url))
        .json(&json!({"hoy": "2022-01-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await.1, "ruta_desconocida");
    let r = app
        .client
        .post(format!("{}/__test/reset", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await.1, "ruta_desconocida");
    let r = app
        .client
        .put(format!("{}/__test/infomex", app.url))
        .json(&json!({"dialects": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await.1, "ruta_desconocida");
}

#[tokio::test]
async fn the_clock_hook_sets_today_and_reset_deletes_everything() {
    let app = spawn_app().await;
    let token = app.user("maria@example.mx").await;
    let r = app
        .client
        .put(format!("{}/__test/clock", app.url))
        .json(&json!({"hoy": "2021-10-04"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"hoy": "2021-10-04"})
    );
    assert_eq!(
        app.get_json("/historial", &token).await["hoy"],
        "2021-10-04"
    );
    let r = app
        .client
        .put(format!("{}/__test/clock", app.url))
        .json(&json!({"hoy": "04/10/2021"}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await.1, "datos_invalidos");

    let r = app
        .client
        .post(format!("{}/__test/reset", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        error_of(app.get("/historial", Some(&token)).await).await.1,
        "no_autenticado"
    );
    // The correo is free again.
    app.user("maria@example.mx").await;
}

fn committed() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json")
}

/// The OpenAPI generated from the code is the one committed in docs/. Regenerate with
/// `UPDATE_OPENAPI=1 cargo test -p pnt-reference-server --test api openapi`.
#[test]
fn the_committed_openapi_document_is_current() {
    let generated = pnt_reference_server::openapi_json();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(committed(), &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(committed()).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/openapi.json is out of date with the code; regenerate it with \
         `UPDATE_OPENAPI=1 cargo test -p pnt-reference-server --test api openapi` and commit it"
    );
}

#[tokio::test]
async fn the_server_serves_the_committed_openapi_document() {
    let app = spawn_app().await;
    let served = app.get("/openapi.json", None).await.text().await.unwrap();
    assert_eq!(served, pnt_reference_server::openapi_json());
    let doc: Value = serde_json::from_str(&served).unwrap();
    for path in [
        "/api/v1/vinculaciones",
        "/api/v1/historial",
        "/api/v1/solicitudes/{folio}/quejas",
        "/__test/clock",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
}

/// What `app`'s simulator answered 404 (route unknown: the request spoke the wrong dialect) to
/// requests for jalisco.
fn jalisco_404s(sim: &infomex_sim::SimHandle) -> usize {
    sim.journal()
        .iter()
        .filter(|e| {
            e.jurisdiccion == Some(pnt_model::Jurisdiccion::Jalisco) && e.status == Some(404)
        })
        .count()
}

#[tokio::test]
async fn the_infomex_hook_sets_dialects_and_urls_and_reset_undoes_it() {
    use pnt_model::Jurisdiccion::Jalisco;
    // Jalisco's Infomex speaks modern here; the server expects legacy there by default.
    let app = spawn_app_with(InfomexSim::builder().seed(42).legacy([]), |c| c).await;
    let hook = |body: Value| {
        app.client
            .put(format!("{}/__test/infomex", app.url))
            .json(&body)
            .send()
    };
    let r = hook(json!({"dialects": {"Jalisco": "modern"}}))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"dialects": {"jalisco": "modern"}, "urls": {}})
    );
    let token = app.user("maria@example.mx").await;
    app.vincular(&token, Jalisco, "ciudadano1").await;
    // Told the dialect, the server never spoke legacy to it.
    assert_eq!(jalisco_404s(&app.sim), 0);

    // A jurisdiction's URL sends its linkages to another Infomex.
    let other = InfomexSim::builder()
        .seed(42)
        .legacy([])
        .start()
        .await
        .unwrap();
    let r = hook(json!({"dialects": {"jalisco": "modern"}, "urls": {"jalisco": other.url()}}))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let before = app.sim.journal().len();
    app.vincular(&token, Jalisco, "ciudadano2").await;
    assert_eq!(
        app.sim.journal().len(),
        before,
        "nothing went to the first simulator"
    );
    assert!(!other.journal().is_empty());

    // Reset returns to the start-up configuration: legacy first, switched after a 404.
    let r = app
        .client
        .post(format!("{}/__test/reset", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let token = app.user("maria@example.mx").await;
    app.vincular(&token, Jalisco, "ciudadano1").await;
    assert_eq!(jalisco_404s(&app.sim), 1);

    for (body, word) in [
        (
            json!({"dialects": {"jalisco": "xml"}}),
            "«modern» o «legacy»",
        ),
        (json!({"dialects": {"narnia": "modern"}}), "narnia"),
        (json!({"urls": {"jalisco": "ftp://x"}}), "http://"),
        (json!({"dialectos": {}}), "«dialectos» no existe"),
    ] {
        let (status, codigo, mensaje) = error_of(hook(body).await.unwrap()).await;
        assert_eq!(
            (status, codigo.as_str()),
            (StatusCode::BAD_REQUEST, "datos_invalidos")
        );
        assert!(mensaje.contains(word), "{mensaje}");
    }
}

/// `PUT /__test/calendarios` puts a calendar in force for the jurisdictions it names: the
/// discovery document publishes it and Mi Historial's dates follow it; `{}` and `reset` return
/// to the start-up calendars, and a malformed calendar is refused.
#[tokio::test]
async fn the_calendarios_hook_sets_a_calendar_and_reset_undoes_it() {
    let app = spawn_app().await;
    let sisai = pnt_model::Calendario::from_toml(include_str!(
        "../../../calendars/federacion-2021-suspension-sisai.toml"
    ))
    .unwrap();
    let hook = |body: Value| {
        app.client
            .put(format!("{}/__test/calendarios", app.url))
            .json(&body)
            .send()
    };
    let published = || async {
        let d: Value = app
            .client
            .get(format!("{}/.well-known/pnt-suite", app.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        d["reglas"]["calendarios"].clone()
    };
    assert_eq!(published().await, json!({}));
    let r = hook(json!({"calendarios": {"Federación": sisai}}))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let back: pnt_model::Calendario =
        serde_json::from_value(published().await["federacion"].clone()).unwrap();
    assert_eq!(back, sisai);
    // `{}` restores the start-up calendars; so does reset.
    assert_eq!(hook(json!({})).await.unwrap().status(), 200);
    assert_eq!(published().await, json!({}));
    hook(json!({"calendarios": {"federacion": sisai}}))
        .await
        .unwrap();
    let reset = app
        .client
        .post(format!("{}/__test/reset", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 204);
    assert_eq!(published().await, json!({}));
    for bad in [
        json!({"calendarios": {"atlantida": sisai}}),
        json!({"calendarios": {"federacion": {"dias": []}}}),
        json!({"calendario": {}}),
    ] {
        let r = hook(bad.clone()).await.unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["codigo"], "datos_invalidos", "{bad}");
    }
}
