use infomex_sim::{AdjuntoConfig, CuentaConfig, InfomexSim};
use pnt_model::{Jurisdiccion, Solicitud};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    assert_historial_igual, captured_logs, conteos, error_of, spawn_app, spawn_app_with,
    usuario_con,
};

async fn linkage_brings_the_exact_account(j: Jurisdiccion) {
    let app = spawn_app().await;
    let token = app.user("maria@example.mx").await;
    let usuario = usuario_con(&app.sim, j, 5);
    let cuenta = app.cuenta(j, &usuario);
    let r = app.vincular(&token, j, &usuario).await;
    let (s, res, adj) = conteos(&cuenta);
    assert_eq!(r["estado"], "completa", "{r}");
    assert_eq!(r["pendientes"], json!([]));
    assert_eq!(
        (
            r["solicitudes"].as_u64(),
            r["respuestas"].as_u64(),
            r["adjuntos"].as_u64()
        ),
        (Some(s), Some(res), Some(adj))
    );
    assert_eq!(
        (r["nuevas"].as_u64(), r["actualizadas"].as_u64()),
        (Some(s), Some(0))
    );
    assert_eq!(r["jurisdiccion"], j.slug());
    assert_eq!(r["usuario_infomex"], usuario.as_str());
    assert!(r["mensaje"].as_str().unwrap().contains("Mi Historial"));
    assert_historial_igual(&app, &token, &cuenta, &[]).await;
}

#[tokio::test]
async fn modern_linkage_brings_the_exact_account() {
    linkage_brings_the_exact_account(Jurisdiccion::Federacion).await;
}

#[tokio::test]
async fn legacy_linkage_decodes_windows_1252_and_html_exactly() {
    linkage_brings_the_exact_account(Jurisdiccion::Jalisco).await;
}

#[tokio::test]
async fn relinking_the_same_account_adds_no_duplicates() {
    let app = spawn_app().await;
    let token = app.user("maria@example.mx").await;
    let j = Jurisdiccion::Oaxaca;
    let usuario = usuario_con(&app.sim, j, 3);
    let first = app.vincular(&token, j, &usuario).await;
    let second = app.vincular(&token, j, &usuario).await;
    assert_eq!(second["estado"], "completa");
    assert_eq!(
        (second["nuevas"].as_u64(), second["actualizadas"].as_u64()),
        (Some(0), Some(0))
    );
    for k in ["solicitudes", "respuestas", "adjuntos"] {
        assert_eq!(first[k], second[k], "{k}");
    }
    assert_historial_igual(&app, &token, &app.cuenta(j, &usuario), &[]).await;
    let resumen: Value = app.get_json("/vinculaciones", &token).await;
    assert_eq!(resumen.as_array().unwrap().len(), 1);
    assert_eq!(resumen[0]["estado"], "completa");
    assert_eq!(resumen[0]["solicitudes"], first["solicitudes"]);
}

fn solicitud(v: Value) -> Solicitud<AdjuntoConfig> {
    serde_json::from_value(v).unwrap()
}

/// The seed's row: federal, received 26/08/2021, due 24/09/2021.
fn semilla(respuestas: Value, estado: &str) -> Solicitud<AdjuntoConfig> {
    solicitud(json!({
        "folio": "0623800160321", "tipo": "acceso",
        "institucion": "INSTITUTO NACIONAL DE TRANSPARENCIA, ACCESO A LA INFORMACIÓN Y PROTECCIÓN DE DATOS PERSONALES (INAI)",
        "descripcion": "Solicito el directorio de servidores públicos",
        "fecha_presentacion": "2021-08-26", "estado": estado, "respuestas": respuestas
    }))
}

#[tokio::test]
async fn relinking_after_infomex_changed_updates_and_adds() {
    let app = spawn_app().await;
    let token = app.user("maria@example.mx").await;
    let j = Jurisdiccion::Federacion;
    app.sim.put_account(
        CuentaConfig::new(j, "maria.lopez", "s3creta")
            .generar(2)
            .solicitud(semilla(json!([]), "en_proceso")),
    );
    let first = app.vincular(&token, j, "maria.lopez").await;
    assert_eq!(
        (first["nuevas"].as_u64(), first["actualizadas"].as_u64()),
        (Some(3), Some(0))
    );
    let row = app.get_json("/historial?tipo=acceso", &token).await;
    let seed_row = row["solicitudes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["folio"] == "0623800160321")
        .unwrap()
        .clone();
    assert_eq!(seed_row["fecha_recepcion_oficial"], "2021-08-26");
    assert_eq!(seed_row["fecha_limite_entrega"], "2021-09-24");
    assert_eq!(
        seed_row["semaforo"], "en_alerta",
        "4 días hábiles left on 20/09/2021"
    );
    assert_eq!(seed_row["queja_disponible"], false);

    // Infomex answered it, and a new solicitud appeared.
    let answered = semilla(
        json!([{"tipo": "Entrega de información en medio electrónico", "fecha": "2021-09-20",
                "texto": "Se adjunta la información solicitada.\nAtentamente, la Unidad de Transparencia",
                "adjuntos": [{"nombre": "directorio.csv", "media_type": "text/csv", "contenido": "nombre,cargo\nAna,Directora\n"}]}]),
        "terminada",
    );
    let nueva = solicitud(json!({
        "folio": "0623800170121", "tipo": "datos-personales", "institucion": "INAI",
        "descripcion": "Acceso a mis datos personales", "fecha_presentacion": "2021-09-01",
        "estado": "en_proceso"
    }));
    app.sim.put_account(
        CuentaConfig::new(j, "maria.lopez", "s3creta")
            .generar(2)
            .solicitud(answered)
            .solicitud(nueva),
    );
    let cuenta = app.cuenta(j, "maria.lopez");
    let r = app.vincular(&token, j, "maria.lopez").await;
    assert_eq!(r["estado"], "completa");
    assert_eq!(
        (r["nuevas"].as_u64(), r["actualizadas"].as_u64()),
        (Some(1), Some(1)),
        "{r}"
    );
    assert_eq!(r["solicitudes"].as_u64(), Some(4));
    assert_historial_igual(&app, &token, &cuenta, &[]).await;
    let d = app.detalle(&token, "0623800160321").await;
    assert_eq!(d["semaforo"], "en_tiempo", "answered on time");
    assert_eq!(d["queja_disponible"], true);
    assert_eq!(d["queja"]["motivo"], "respuesta");
}

#[tokio::test]
async fn wrong_infomex_password_is_refused_specifically() {
    let app = spawn_app().await;
    let token = app.user("maria@example.mx").await;
    let r = app
        .vincular_con(&token, Jurisdiccion::Jalisco, "ciudadano1", "equivocada")
        .await;
    let (status, codigo, mensaje) = error_of(r).await;
    assert_eq!(
        (status, codigo.as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "infomex_credenciales_invalidas"
        )
    );
    assert_eq!(
        mensaje,
        "El usuario o la contraseña de Infomex Jalisco no son correctos. Verifíquelos en Infomex e intente de nuevo."
    );
    assert_eq!(app.historial_completo(&token).await.len(), 0);
}

#[tokio::test]
async fn locked_infomex_account_is_refused_specifically() {
    let app = spawn_app().await;
    let token = app.user("maria@example.mx").await;
    app.sim.put_account(
        CuentaConfig::new(Jurisdiccion::Sonora, "bloqueado", "clave")
            .generar(3)
            .bloqueada(true),
    );
    let r = app
        .vincular_con(&token, Jurisdiccion::Sonora, "bloqueado", "clave")
        .await;
    let (status, codigo, mensaje) = error_of(r).await;
    assert_eq!(
        (status, codigo.as_str()),
        (StatusCode::LOCKED, "infomex_cuenta_bloqueada")
    );
    assert!(mensaje.contains("Infomex Sonora"), "{mensaje}");
}

#[tokio::test]
async fn failed_linkages_are_rate_limited_per_user() {
    let app = spawn_app_with(InfomexSim::builder().seed(42).max_attempts(100), |c| c).await;
    let token = app.user("maria@example.mx").await;
    // Five different Infomex accounts, each tried once: the user's own limit, not an
    // account's (tests/api/bloqueos.rs), is what stops the sixth attempt.
    for n in 1..=5 {
        let r = app
            .vincular_con(
                &token,
                Jurisdiccion::Jalisco,
                &format!("ciudadano{}", n + 1),
                "mala",
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let pass = app.cuenta(Jurisdiccion::Jalisco, "ciudadano1").contrasena;
    let r = app
        .vincular_con(&token, Jurisdiccion::Jalisco, "ciudadano1", &pass)
        .await;
    assert!(r.headers().contains_key("retry-after"));
    let (status, codigo, _) = error_of(r).await;
    assert_eq!(
        (status, codigo.as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "demasiados_intentos")
    );
    // Another user is not affected.
    let other = app.user("otro@example.mx").await;
    app.vincular(&other, Jurisdiccion::Jalisco, "ciudadano1")
        .await;
}

#[tokio::test]
async fn an_account_linked_to_another_user_is_a_conflict() {
    let app = spawn_app().await;
    let ana = app.user("ana@example.mx").await;
    let beto = app.user("beto@example.mx").await;
    let j = Jurisdiccion::Federacion;
    let usuario = usuario_con(&app.sim, j, 1);
    app.vincular(&ana, j, &usuario).await;
    let pass = app.cuenta(j, &usuario).contrasena;
    let (status, codigo, _) = error_of(app.vincular_con(&beto, j, &usuario, &pass).await).await;
    assert_eq!(
        (status, codigo.as_str()),
        (StatusCode::CONFLICT, "vinculacion_de_otro_usuario")
    );
    assert_eq!(app.historial_completo(&beto).await.len(), 0);
}

#[tokio::test]
async fn concurrent_linkages_of_one_account_produce_one_copy() {
    let app = spawn_app().await;
    let token = app.user("maria@example.mx").await;
    let j = Jurisdiccion::Veracruz;
    let usuario = usuario_con(&app.sim, j, 4);
    let pass = app.cuenta(j, &usuario).contrasena;
    let (a, b) = tokio::join!(
        app.vincular_con(&token, j, &usuario, &pass),
        app.vincular_con(&token, j, &usuario, &pass)
    );
    let a: Value = a.json().await.unwrap();
    let b: Value = b.json().await.unwrap();
    let nuevas = a["nuevas"].as_u64().unwrap() + b["nuevas"].as_u64().unwrap();
    let cuenta = app.cuenta(j, &usuario);
    assert_eq!(
        nuevas,
        cuenta.solicitudes.len() as u64,
        "added once: {a} {b}"
    );
    assert_historial_igual(&app, &token, &cuenta, &[]).await;
}

#[tokio::test]
async fn unknown_jurisdiction_is_refused_with_a_suggestion() {
    let app = spawn_app().await;
    let token = app.user("maria@example.mx").await;
    let r = app
        .post(
            "/vinculaciones",
            &json!({"jurisdiccion": "jaliscoo", "usuario": "x", "contrasena": "y"}),
            Some(&token),
        )
        .await;
    let (status, codigo, mensaje) = error_of(r).await;
    assert_eq!(
        (status, codigo.as_str()),
        (StatusCode::BAD_REQUEST, "jurisdiccion_desconocida")
    );
    assert!(mensaje.contains("jalisco"), "{mensaje}");
}

#[tokio::test]
async fn the_infomex_password_is_in_neither_the_database_nor_the_logs() {
    let app = spawn_app().await;
    let token = app.user("maria@example.mx").await;
    let j = Jurisdiccion::Chiapas;
    let usuario = usuario_con(&app.sim, j, 2);
    let pass = app.cuenta(j, &usuario).contrasena;
    app.vincular(&token, j, &usuario).await;
    // A wrong password is not kept either.
    app.vincular_con(&token, j, &usuario, "clave-equivocada-xyz")
        .await;
    let bytes = app.db.contents();
    assert!(bytes.len() > 10_000, "the database holds the migrated data");
    for secret in [pass.as_str(), "clave-equivocada-xyz"] {
        // PostgreSQL's rows are read as text, with byte columns in hex.
        let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
        for needle in [secret, hex.as_str()] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{secret} found in the database"
            );
        }
        let logs = captured_logs();
        assert!(
            logs.contains("vinculación terminada"),
            "logs are being captured"
        );
        assert!(!logs.contains(secret), "{secret} found in the logs");
    }
}

#[tokio::test]
async fn a_restart_keeps_users_sessions_and_the_migrated_history() {
    let mut app = spawn_app().await;
    let token = app.user("maria@example.mx").await;
    let j = Jurisdiccion::Guerrero;
    let usuario = usuario_con(&app.sim, j, 3);
    app.vincular(&token, j, &usuario).await;
    app.reiniciar().await;
    let cuenta = app.cuenta(j, &usuario);
    assert_historial_igual(&app, &token, &cuenta, &[]).await;
    let again = app.vincular(&token, j, &usuario).await;
    assert_eq!(
        (again["nuevas"].as_u64(), again["actualizadas"].as_u64()),
        (Some(0), Some(0))
    );
}

#[tokio::test]
async fn a_system_speaking_the_other_dialect_is_still_linked() {
    // The simulator speaks legacy only in Colima; the server expects the default six.
    let app = spawn_app_with(
        InfomexSim::builder()
            .seed(42)
            .legacy([Jurisdiccion::Colima]),
        |c| c,
    )
    .await;
    let token = app.user("maria@example.mx").await;
    for j in [Jurisdiccion::Colima, Jurisdiccion::Jalisco] {
        let usuario = usuario_con(&app.sim, j, 2);
        let r = app.vincular(&token, j, &usuario).await;
        assert_eq!(r["estado"], "completa", "{j}: {r}");
    }
    let historial = app.historial_completo(&token).await;
    for j in [Jurisdiccion::Colima, Jurisdiccion::Jalisco] {
        let cuenta = app.cuenta(j, &usuario_con(&app.sim, j, 2));
        for s in &cuenta.solicitudes {
            assert!(historial.iter().any(|r| r["folio"] == s.folio.to_string()));
        }
    }
}

/// The solicitud a PNT shows in its detail, read back into the model (the PNT's own attachment
/// ids left out: they are not Infomex's).
fn solicitud_mostrada(detalle: &Value) -> Solicitud {
    let mut v = json!({});
    for campo in [
        "folio",
        "tipo",
        "institucion",
        "descripcion",
        "fecha_presentacion",
        "estado",
        "prevencion",
        "ampliacion",
        "respuestas",
    ] {
        v[campo] = detalle[campo].clone();
    }
    for r in v["respuestas"].as_array_mut().unwrap() {
        for a in r["adjuntos"].as_array_mut().unwrap() {
            a.as_object_mut().unwrap().remove("id");
        }
    }
    serde_json::from_value(v).unwrap()
}

/// One solicitud, one shape: a solicitud given to the simulator's admin API comes back from the
/// admin API as `pnt_model::Solicitud`, and after a vinculación the reference PNT's detail is
/// that same `pnt_model::Solicitud` (prevención, answers, attachment sizes and checksums), in
/// both wire dialects.
#[tokio::test]
async fn a_solicitud_given_to_the_simulator_is_the_solicitud_the_pnt_shows() {
    let app = spawn_app().await;
    let token = app.user("maria@example.mx").await;
    let http = reqwest::Client::new();
    for (j, folio) in [
        (Jurisdiccion::Federacion, "0623800160321"),
        (Jurisdiccion::Jalisco, "JAL-001-000001-21"),
    ] {
        let res = http
            .put(format!("{}/accounts", app.sim.admin_url()))
            .json(&json!({
                "jurisdiccion": j.slug(), "usuario": "maria.lopez", "contrasena": "s3creta",
                "solicitudes": [{
                    "folio": folio, "tipo": "acceso", "institucion": "Unidad de Transparencia",
                    "descripcion": "Solicito la nómina de 2020.", "fecha_presentacion": "2021-08-02",
                    "estado": "terminada",
                    "prevencion": {"notificada": "2021-08-04", "desahogada": "2021-08-06"},
                    "respuestas": [
                        {"tipo": "Requerimiento de información adicional", "fecha": "2021-08-04",
                         "texto": "Precise el periodo."},
                        {"tipo": "Entrega de información en medio electrónico", "fecha": "2021-08-20",
                         "texto": "Se entrega la nómina.\nAtentamente",
                         "adjuntos": [
                            {"nombre": "nomina.csv", "media_type": "text/csv", "contenido": "puesto,sueldo\nDirectora,1\n"},
                            {"nombre": "oficio.pdf", "media_type": "application/pdf", "tamano": 4096}]}]
                }]
            }))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        let admin: Value = http
            .get(format!(
                "{}/accounts/{}/maria.lopez",
                app.sim.admin_url(),
                j.slug()
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let de_infomex: Vec<Solicitud> =
            serde_json::from_value(admin["solicitudes"].clone()).unwrap();
        let dada = app.cuenta(j, "maria.lopez").solicitudes[0].to_model();
        assert_eq!(de_infomex, std::slice::from_ref(&dada), "{j}");
        assert_eq!(dada.adjuntos().count(), 2);

        let r = app.vincular(&token, j, "maria.lopez").await;
        assert_eq!(r["estado"], "completa", "{r}");
        let mostrada = solicitud_mostrada(&app.detalle(&token, folio).await);
        let sin_ids = dada.map_adjuntos(|a| pnt_model::Adjunto {
            id: String::new(),
            ..a.clone()
        });
        assert_eq!(mostrada, sin_ids, "{j}");
    }
}

/// An account where solicitudes share attachment bytes (the same oficio answers several), some
/// carry generated PDFs and some carry nothing: what the concurrency test links.
fn cuenta_mixta(j: Jurisdiccion) -> CuentaConfig {
    let mut c = CuentaConfig::new(j, "mixta", "clave-mixta");
    for i in 0..40u32 {
        let adjuntos = match i % 4 {
            0 => json!([]),
            1 => json!([{"nombre": "oficio.txt", "media_type": "text/plain",
                         "contenido": "Oficio común a varias respuestas.\n"}]),
            2 => json!([{"nombre": "respuesta.pdf", "media_type": "application/pdf",
                         "tamano": 20_000 + i * 997},
                        {"nombre": "oficio.txt", "media_type": "text/plain",
                         "contenido": "Oficio común a varias respuestas.\n"}]),
            // The shared bytes first: a one-by-one fetch meets them before its own.
            _ => json!([{"nombre": "oficio.txt", "media_type": "text/plain",
                         "contenido": "Oficio común a varias respuestas.\n"},
                        {"nombre": "anexo.pdf", "media_type": "application/pdf",
                         "tamano": 3_000 + i * 101}]),
        };
        // The list is newest first: the solicitudes holding only the shared oficio come first,
        // so with several in flight they take it on and the later ones leave it to them.
        let fecha = if i % 4 == 1 {
            format!("2021-09-0{}", 1 + i % 9)
        } else {
            format!("2021-0{}-1{}", 3 + i % 5, i % 10)
        };
        c = c.solicitud(solicitud(json!({
            "folio": format!("{:05}{:06}21", 1000 + i % 7, 500 + i), "tipo": "acceso",
            "institucion": "SECRETARÍA DE LA FUNCIÓN PÚBLICA",
            "descripcion": format!("Solicito la información número {i}"),
            "fecha_presentacion": fecha, "estado": "terminada",
            "respuestas": [{"tipo": "Entrega de información en medio electrónico",
                            "fecha": "2021-09-10", "texto": "Se entrega la información.",
                            "adjuntos": adjuntos}]
        })));
    }
    c
}

/// Everything a user sees of what one linkage stored: the history's rows and every detail,
/// with every attachment's bytes as downloaded.
async fn lo_guardado(app: &crate::helpers::TestApp, token: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for row in app.historial_completo(token).await {
        let folio = row["folio"].as_str().unwrap().to_owned();
        let detalle = app.detalle(token, &folio).await;
        let mut bytes = Vec::new();
        for respuesta in detalle["respuestas"].as_array().unwrap() {
            for a in respuesta["adjuntos"].as_array().unwrap() {
                let got = app
                    .get(&format!("/adjuntos/{}", a["id"]), Some(token))
                    .await;
                assert_eq!(got.status(), StatusCode::OK, "{a}");
                let got = got.bytes().await.unwrap();
                bytes.push(Value::from(pnt_model::Sha256::of(&got).to_string()));
            }
        }
        out.push(json!({"fila": row, "detalle": detalle, "bytes": bytes}));
    }
    out
}

/// Fetching several solicitudes at once changes nothing a user or the linkage's answer can see:
/// linked with `concurrencia` 1 and 8, the same account (shared attachments included) gives
/// byte-identical results — a first linkage that leaves every solicitud with attachments
/// pending (their bytes never match), then one that completes it — and identical stored
/// histories, details and attachments.
#[tokio::test]
async fn concurrency_keeps_results_and_history_identical() {
    use infomex_sim::{Endpoint, Fault, FaultKind};
    let j = Jurisdiccion::Federacion;
    let mut vistos = Vec::new();
    for concurrencia in [1, 8] {
        let app = spawn_app_with(
            InfomexSim::builder()
                .seed(5)
                .account(cuenta_mixta(j))
                .fault(Fault::new(FaultKind::BadChecksum).endpoint(Endpoint::Adjunto)),
            |c| c.infomex_concurrencia(concurrencia),
        )
        .await;
        let token = app.user("maria@example.mx").await;
        let primera = app.vincular(&token, j, "mixta").await;
        assert_eq!(primera["estado"], "incompleta", "{primera}");
        assert_eq!(primera["solicitudes"], 10, "only those without attachments");
        // Each pending solicitud names the first of its attachments in the detail's order, as a
        // one-by-one fetch meets them: the shared oficio for the 20 that list it first (whichever
        // solicitud took it on), the PDF for the 10 that list the PDF first.
        let nombra = |archivo: &str| {
            primera["pendientes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["motivo"].as_str().unwrap().contains(archivo))
                .count()
        };
        assert_eq!(
            (nombra("«oficio.txt»"), nombra("«respuesta.pdf»")),
            (20, 10),
            "{concurrencia}: {primera}"
        );
        let antes = lo_guardado(&app, &token).await;
        app.sim.clear_faults();
        let segunda = app.vincular(&token, j, "mixta").await;
        assert_eq!(segunda["estado"], "completa", "{segunda}");
        let despues = lo_guardado(&app, &token).await;
        vistos.push((concurrencia, primera, antes, segunda, despues));
    }
    let (_, p1, a1, s1, d1) = &vistos[0];
    let (_, p8, a8, s8, d8) = &vistos[1];
    assert_eq!(
        serde_json::to_string(p1).unwrap(),
        serde_json::to_string(p8).unwrap(),
        "first linkage: same answer, pending order included"
    );
    assert_eq!(a1, a8, "first linkage: same stored history");
    assert_eq!(
        serde_json::to_string(s1).unwrap(),
        serde_json::to_string(s8).unwrap(),
        "second linkage: same answer"
    );
    assert_eq!(d1, d8, "second linkage: same stored history");
    assert_eq!(d8.len(), 40);
}

/// A fault keyed to a folio hits that solicitud whatever order the requests arrive in: linked
/// with 8 solicitudes in flight, exactly that folio is pending, with its own reason, and every
/// other one is stored.
#[tokio::test]
async fn a_fault_keyed_to_a_folio_hits_it_with_concurrency() {
    use infomex_sim::{Fault, FaultKind};
    let j = Jurisdiccion::Federacion;
    let cuenta = cuenta_mixta(j);
    let folio = cuenta.solicitudes[17].folio;
    let app = spawn_app_with(
        InfomexSim::builder()
            .seed(5)
            .account(cuenta)
            .fault(Fault::new(FaultKind::Malformed).folio(folio)),
        |c| c.infomex_concurrencia(8),
    )
    .await;
    let token = app.user("maria@example.mx").await;
    let r = app.vincular(&token, j, "mixta").await;
    assert_eq!(r["estado"], "incompleta", "{r}");
    assert_eq!(r["solicitudes"], 39, "{r}");
    let pendientes = r["pendientes"].as_array().unwrap();
    assert_eq!(pendientes.len(), 1, "{r}");
    assert_eq!(pendientes[0]["folio"], folio.to_string());
    assert_eq!(pendientes[0]["codigo"], "detalle_no_disponible");
    let status = app.sim.fault_status();
    assert!(status[0].fired >= 1, "{status:?}");
    assert_eq!(
        status[0].fired, status[0].matched,
        "only that folio's details matched"
    );
}
