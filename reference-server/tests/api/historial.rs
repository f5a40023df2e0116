//! Mi Historial, Detalles, attachments and quejas: contents, filters, order, pages, the queja
//! window on the server's clock, and isolation between users.

use infomex_sim::{AdjuntoConfig, CuentaConfig};
use jiff::civil::Date;
use pnt_model::{Calendario, Jurisdiccion, ReglaSemaforo, Solicitud, Tramite};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_of, seg, spawn_app, usuario_con};

fn solicitud(v: Value) -> Solicitud<AdjuntoConfig> {
    serde_json::from_value(v).unwrap()
}

/// A federal account holding the seed's row (answered on 20/09/2021), an unanswered request due
/// 24/09/2021, one with a pending prevención, and one in personal data answered late.
fn cuenta_semilla() -> CuentaConfig {
    CuentaConfig::new(Jurisdiccion::Federacion, "maria.lopez", "s3creta")
        .solicitud(solicitud(json!({
            "folio": "0623800160321", "tipo": "acceso",
            "institucion": "INSTITUTO NACIONAL DE TRANSPARENCIA, ACCESO A LA INFORMACIÓN Y PROTECCIÓN DE DATOS PERSONALES (INAI)",
            "descripcion": "Solicito el directorio de servidores públicos",
            "fecha_presentacion": "2021-08-26", "estado": "terminada",
            "respuestas": [{"tipo": "Entrega de información en medio electrónico", "fecha": "2021-09-20",
                            "texto": "Se adjunta el directorio.", "adjuntos": [{"nombre": "directorio.csv", "media_type": "text/csv", "contenido": "a,b\n"}]}]
        })))
        .solicitud(solicitud(json!({
            "folio": "0623800170021", "tipo": "acceso", "institucion": "SECRETARÍA DE SALUD",
            "descripcion": "Contratos de 2020 <b>y</b> 2021", "fecha_presentacion": "2021-08-26", "estado": "en_proceso"
        })))
        .solicitud(solicitud(json!({
            "folio": "0623800180021", "tipo": "acceso", "institucion": "SECRETARÍA DE SALUD",
            "descripcion": "Padrón de beneficiarios", "fecha_presentacion": "2021-09-01", "estado": "con_prevencion",
            "prevencion": {"notificada": "2021-09-03"}
        })))
        .solicitud(solicitud(json!({
            "folio": "0623800190021", "tipo": "datos-personales", "institucion": "IMSS",
            "descripcion": "Acceso a mi expediente clínico", "fecha_presentacion": "2021-06-01", "estado": "terminada",
            "respuestas": [{"tipo": "Inexistencia de la información solicitada", "fecha": "2021-07-30", "texto": "No se localizó."}]
        })))
}

async fn con_cuenta_semilla() -> (TestApp, String) {
    let app = spawn_app().await;
    app.sim.put_account(cuenta_semilla());
    let token = app.user("maria@example.mx").await;
    let r = app
        .vincular(&token, Jurisdiccion::Federacion, "maria.lopez")
        .await;
    assert_eq!(r["estado"], "completa");
    (app, token)
}

#[tokio::test]
async fn mi_historial_shows_the_seed_row_exactly() {
    let (app, token) = con_cuenta_semilla().await;
    let h = app.get_json("/historial", &token).await;
    insta::assert_json_snapshot!("historial_semilla", h);
    let seed = h["solicitudes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["folio"] == "0623800160321")
        .unwrap();
    assert_eq!(seed["fecha_recepcion_oficial"], "2021-08-26");
    assert_eq!(seed["fecha_limite_entrega"], "2021-09-24");
    assert_eq!(seed["estado_o_federacion"], "Federación");
    assert_eq!(h["leyenda"], "Mostrando 4 de 4 solicitudes");
}

#[tokio::test]
async fn filters_partition_the_history_and_pages_do_not_overlap() {
    let (app, token) = con_cuenta_semilla().await;
    let count = |v: &Value| v["total"].as_u64().unwrap();
    let all = app.get_json("/historial", &token).await;
    let mut suma = 0;
    for s in ["en_tiempo", "en_alerta", "fuera_de_tiempo"] {
        let page = app
            .get_json(&format!("/historial?semaforo={s}"), &token)
            .await;
        for row in page["solicitudes"].as_array().unwrap() {
            assert_eq!(row["semaforo"], s);
        }
        suma += count(&page);
    }
    assert_eq!(suma, count(&all));
    let dp = app
        .get_json("/historial?tipo=datos-personales", &token)
        .await;
    assert_eq!(count(&dp), 1);
    assert_eq!(dp["solicitudes"][0]["folio"], "0623800190021");
    assert_eq!(
        dp["solicitudes"][0]["semaforo"], "fuera_de_tiempo",
        "answered after its deadline"
    );
    let both = app
        .get_json("/historial?tipo=acceso&semaforo=en_alerta", &token)
        .await;
    assert_eq!(both["solicitudes"][0]["folio"], "0623800170021");
    assert_eq!(count(&both), 1);

    let mut paged = Vec::new();
    for pagina in 1..=3 {
        let p = app
            .get_json(&format!("/historial?por_pagina=2&pagina={pagina}"), &token)
            .await;
        assert_eq!(
            p["leyenda"],
            format!(
                "Mostrando {} de 4 solicitudes",
                p["solicitudes"].as_array().unwrap().len()
            )
        );
        paged.extend(
            p["solicitudes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["folio"].clone()),
        );
    }
    let whole: Vec<Value> = all["solicitudes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["folio"].clone())
        .collect();
    assert_eq!(paged, whole);
    for bad in [
        "semaforo=verde",
        "tipo=otro",
        "pagina=0",
        "por_pagina=101",
        "pagina=x",
    ] {
        let (status, codigo, _) =
            error_of(app.get(&format!("/historial?{bad}"), Some(&token)).await).await;
        assert_eq!(
            (status, codigo.as_str()),
            (StatusCode::BAD_REQUEST, "datos_invalidos"),
            "{bad}"
        );
    }
}

/// Every row's dates and semáforo are pnt-model's, on the server's clock; newest first.
#[tokio::test]
async fn rows_are_computed_by_pnt_model_and_newest_first() {
    let app = spawn_app().await;
    let token = app.user("maria@example.mx").await;
    let j = Jurisdiccion::Nayarit; // 15-day terms: the jurisdiction's terms are used.
    let usuario = usuario_con(&app.sim, j, 8);
    app.vincular(&token, j, &usuario).await;
    let cuenta = app.cuenta(j, &usuario);
    for hoy in ["2021-09-20", "2019-03-01"] {
        let hoy_date: Date = hoy.parse().unwrap();
        app.clock.set_hoy(hoy_date);
        let rows = app.historial_completo(&token).await;
        let claves: Vec<(String, String)> = rows
            .iter()
            .map(|r| {
                (
                    r["fecha_recepcion_oficial"].as_str().unwrap().to_owned(),
                    r["folio"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let mut ordenadas = claves.clone();
        ordenadas.sort_by(|a, b| b.cmp(a));
        assert_eq!(claves, ordenadas, "newest first");
        for s in &cuenta.solicitudes {
            let row = rows
                .iter()
                .find(|r| r["folio"] == s.folio.to_string())
                .unwrap();
            let esperada = Tramite {
                jurisdiccion: j,
                ..s.solicitud.tramite()
            }
            .fila(&Calendario::lft(), &ReglaSemaforo::default(), hoy_date);
            let semaforo = esperada.semaforo;
            assert_eq!(
                row["fecha_recepcion_oficial"],
                esperada.recepcion_oficial.to_string()
            );
            assert_eq!(
                row["fecha_limite_entrega"],
                esperada
                    .fecha_limite
                    .map_or(Value::Null, |d| d.to_string().into())
            );
            assert_eq!(row["semaforo"], semaforo.slug(), "{} on {hoy}", s.folio);
            assert_eq!(
                row["queja_disponible"],
                esperada.queja_abierta(hoy_date),
                "{} on {hoy}",
                s.folio
            );
            let filtered = app
                .get_json(
                    &format!("/historial?por_pagina=100&semaforo={}", semaforo.slug()),
                    &token,
                )
                .await;
            assert!(
                filtered["solicitudes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r["folio"] == row["folio"])
            );
        }
    }
}

#[tokio::test]
async fn the_queja_window_follows_the_servers_clock() {
    let (app, token) = con_cuenta_semilla().await;
    // Answered on 20/09/2021: open from that day.
    let r = app
        .post(
            &format!("/solicitudes/{}/quejas", seg("0623800160321")),
            &json!({"motivo": "La información está incompleta."}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let q: Value = r.json().await.unwrap();
    assert_eq!(
        q,
        json!({"folio": "RRA 00001/21", "folio_solicitud": "0623800160321", "fecha": "2021-09-20", "motivo": "La información está incompleta."})
    );
    let r = app
        .post(
            &format!("/solicitudes/{}/quejas", seg("0623800160321")),
            &json!({"motivo": "Otra vez"}),
            Some(&token),
        )
        .await;
    let (status, codigo, mensaje) = error_of(r).await;
    assert_eq!(
        (status, codigo.as_str()),
        (StatusCode::CONFLICT, "queja_duplicada")
    );
    assert!(mensaje.contains("RRA 00001/21"), "{mensaje}");
    assert_eq!(app.get_json("/quejas", &token).await, json!([q]));
    let d = app.detalle(&token, "0623800160321").await;
    assert_eq!(d["quejas"], json!([q]));
    assert_eq!(d["queja_disponible"], false, "already filed");
    // The row names the queja filed, in the detail and in Mi Historial; the others carry none.
    assert_eq!(d["queja_folio"], "RRA 00001/21");
    let filas = app.historial_completo(&token).await;
    for fila in &filas {
        let esperado = if fila["folio"] == "0623800160321" {
            json!("RRA 00001/21")
        } else {
            Value::Null
        };
        assert_eq!(
            fila.get("queja_folio").cloned().unwrap_or_default(),
            esperado
        );
    }

    // Unanswered, due 24/09/2021: closed on 20/09, open from the day after the deadline.
    let folio = seg("0623800170021");
    let d = app.detalle(&token, "0623800170021").await;
    assert_eq!(
        d["queja"],
        json!({"disponible": false, "desde": "2021-09-25", "hasta": d["queja"]["hasta"], "motivo": "falta_de_respuesta"})
    );
    let (status, codigo, mensaje) = error_of(
        app.post(
            &format!("/solicitudes/{folio}/quejas"),
            &json!({"motivo": "Sin respuesta"}),
            Some(&token),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, codigo.as_str()),
        (StatusCode::CONFLICT, "queja_fuera_de_plazo")
    );
    assert!(mensaje.contains("25/09/2021"), "{mensaje}");
    app.client
        .put(format!("{}/__test/clock", app.url))
        .json(&json!({"hoy": "2021-12-20"}))
        .send()
        .await
        .unwrap();
    let (_, codigo, mensaje) = error_of(
        app.post(
            &format!("/solicitudes/{folio}/quejas"),
            &json!({"motivo": "Sin respuesta"}),
            Some(&token),
        )
        .await,
    )
    .await;
    assert_eq!(codigo, "queja_fuera_de_plazo");
    assert!(mensaje.contains("venció"), "{mensaje}");
    app.client
        .put(format!("{}/__test/clock", app.url))
        .json(&json!({"hoy": "2021-09-27"}))
        .send()
        .await
        .unwrap();
    let row = app
        .get_json("/historial?semaforo=fuera_de_tiempo&tipo=acceso", &token)
        .await;
    assert_eq!(row["solicitudes"][0]["queja_disponible"], true);
    let r = app
        .post(
            &format!("/solicitudes/{folio}/quejas"),
            &json!({"motivo": "Sin respuesta"}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.json::<Value>().await.unwrap()["folio"], "RRA 00002/21");

    // A pending prevención: no window at all.
    let d = app.detalle(&token, "0623800180021").await;
    assert!(d["queja"].is_null());
    assert!(d["fecha_limite_entrega"].is_null());
    let (_, codigo, _) = error_of(
        app.post(
            &format!("/solicitudes/{}/quejas", seg("0623800180021")),
            &json!({"motivo": "x"}),
            Some(&token),
        )
        .await,
    )
    .await;
    assert_eq!(codigo, "queja_fuera_de_plazo");
}

#[tokio::test]
async fn state_quejas_get_state_folios() {
    let app = spawn_app().await;
    let token = app.user("maria@example.mx").await;
    app.sim.put_account(CuentaConfig::new(Jurisdiccion::Jalisco, "ana", "x").solicitud(solicitud(json!({
        "folio": "JAL-045-012345-21", "tipo": "acceso", "institucion": "Secretaría de Salud Jalisco",
        "descripcion": "Presupuesto", "fecha_presentacion": "2021-09-01", "estado": "terminada",
        "respuestas": [{"tipo": "La información está disponible públicamente", "fecha": "2021-09-15", "texto": "Véase el portal."}]
    }))));
    app.vincular(&token, Jurisdiccion::Jalisco, "ana").await;
    let r = app
        .post(
            &format!("/solicitudes/{}/quejas", seg("JAL-045-012345-21")),
            &json!({"motivo": "No está en el portal"}),
            Some(&token),
        )
        .await;
    assert_eq!(
        r.json::<Value>().await.unwrap()["folio"],
        "RR/14/00001/2021"
    );
}

#[tokio::test]
async fn another_users_data_answers_404_like_absent_data() {
    let (app, ana) = con_cuenta_semilla().await;
    let beto = app.user("beto@example.mx").await;
    let d = app.detalle(&ana, "0623800160321").await;
    let adjunto = d["respuestas"][0]["adjuntos"][0]["id"].clone();
    let folio = seg("0623800160321");
    assert_eq!(app.get_json("/historial", &beto).await["total"], 0);
    for (r, codigo) in [
        (
            app.get(&format!("/solicitudes/{folio}"), Some(&beto)).await,
            "solicitud_no_encontrada",
        ),
        (
            app.get(
                &format!("/solicitudes/{}", seg("0000000000000")),
                Some(&ana),
            )
            .await,
            "solicitud_no_encontrada",
        ),
        (
            app.get(&format!("/adjuntos/{adjunto}"), Some(&beto)).await,
            "adjunto_no_encontrado",
        ),
        (
            app.get("/adjuntos/999999", Some(&ana)).await,
            "adjunto_no_encontrado",
        ),
        (
            app.post(
                &format!("/solicitudes/{folio}/quejas"),
                &json!({"motivo": "x"}),
                Some(&beto),
            )
            .await,
            "solicitud_no_encontrada",
        ),
    ] {
        let (status, got, _) = error_of(r).await;
        assert_eq!((status, got.as_str()), (StatusCode::NOT_FOUND, codigo));
    }
    assert_eq!(app.get_json("/quejas", &beto).await, json!([]));
    assert_eq!(app.get_json("/vinculaciones", &beto).await, json!([]));
    // Ana still sees hers.
    assert_eq!(
        app.get(&format!("/adjuntos/{adjunto}"), Some(&ana))
            .await
            .status(),
        StatusCode::OK
    );
}

/// A prevención notified before the official receipt describes no real procedure. pnt-model's
/// policy for incoherent dates (model/src/historial.rs) decides the row: the receipt shown, no
/// fecha límite, En tiempo however late it is, no queja window while unanswered, the answer's
/// window once answered; the semáforo filter agrees with the rows.
#[tokio::test]
async fn incoherent_dates_are_shown_by_pnt_models_policy() {
    let app = spawn_app().await;
    app.sim.put_account(
        CuentaConfig::new(Jurisdiccion::Federacion, "rosa.jimenez", "x")
            .solicitud(solicitud(json!({
                "folio": "0623800200021", "tipo": "acceso", "institucion": "SECRETARÍA DE SALUD",
                "descripcion": "Contratos de arrendamiento", "fecha_presentacion": "2021-08-26",
                "estado": "con_prevencion", "prevencion": {"notificada": "2021-08-20"}
            })))
            .solicitud(solicitud(json!({
                "folio": "0623800210021", "tipo": "acceso", "institucion": "SECRETARÍA DE SALUD",
                "descripcion": "Padrón de proveedores", "fecha_presentacion": "2021-08-26",
                "estado": "terminada",
                "prevencion": {"notificada": "2021-08-20", "desahogada": "2021-08-23"},
                "respuestas": [{"tipo": "Entrega de información en medio electrónico",
                                "fecha": "2021-11-25", "texto": "Se adjunta el padrón."}]
            }))),
    );
    // Long after the fecha límite either would have had with coherent dates (24/09/2021).
    app.clock.set_hoy("2021-12-01".parse().unwrap());
    let token = app.user("rosa@example.mx").await;
    let r = app
        .vincular(&token, Jurisdiccion::Federacion, "rosa.jimenez")
        .await;
    assert_eq!(r["estado"], "completa");

    let d = app.detalle(&token, "0623800200021").await;
    assert_eq!(d["fecha_recepcion_oficial"], "2021-08-26");
    assert!(d["fecha_limite_entrega"].is_null(), "{d}");
    assert_eq!(d["semaforo"], "en_tiempo");
    assert!(d["queja"].is_null(), "{d}");
    assert_eq!(d["queja_disponible"], false);
    let (status, codigo, _) = error_of(
        app.post(
            &format!("/solicitudes/{}/quejas", seg("0623800200021")),
            &json!({"motivo": "Sin respuesta"}),
            Some(&token),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, codigo.as_str()),
        (StatusCode::CONFLICT, "queja_fuera_de_plazo")
    );

    let d = app.detalle(&token, "0623800210021").await;
    assert!(d["fecha_limite_entrega"].is_null(), "{d}");
    assert_eq!(d["semaforo"], "en_tiempo");
    assert_eq!(
        d["queja"],
        json!({"disponible": true, "desde": "2021-11-25", "hasta": d["queja"]["hasta"], "motivo": "respuesta"})
    );

    for (semaforo, total) in [("en_tiempo", 2), ("en_alerta", 0), ("fuera_de_tiempo", 0)] {
        let h = app
            .get_json(&format!("/historial?semaforo={semaforo}"), &token)
            .await;
        assert_eq!(h["total"], total, "{semaforo}");
    }
}
