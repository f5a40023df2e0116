//! Every fault kind of the simulator (docs/infomex-sim.md, "Faults"): a linkage ends complete
//! with the exact content of the account, or incomplete with every missing folio named — and a
//! retry once the fault is gone completes it, never a duplicate.

use std::collections::BTreeSet;
use std::time::Duration;

use infomex_sim::{Endpoint, Fault, FaultKind, InfomexSim};
use pnt_model::Jurisdiccion;
use pnt_reference_server::Config;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{assert_historial_igual, error_of, spawn_app_with, usuario_con};

/// What the first linkage must end with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Espera {
    /// `completa`, with exactly the account's content.
    Completa,
    /// `incompleta`, every pending item with one of these codes.
    Incompleta(&'static [&'static str]),
}

const MODERNO: Jurisdiccion = Jurisdiccion::Federacion;
const LEGADO: Jurisdiccion = Jurisdiccion::Jalisco;

/// Small pages, so list faults meet several pages; a short timeout for `hang`.
fn config(c: Config) -> Config {
    let mut c = c.infomex_timeout(Duration::from_millis(1500));
    c.infomex.por_pagina = 4;
    c
}

/// The data-driven check every fault test goes through. A fault that counts requests in
/// arrival order (`nth`, `times`, `probability`) hits the requests it was written for only
/// when solicitudes are fetched one at a time, as the runner arranges for such scenarios; the
/// others run at the default concurrency.
async fn check(j: Jurisdiccion, fault: Fault, espera: Espera) {
    let cuenta_llegadas =
        fault.nth.is_some() || fault.times.is_some() || fault.probability.is_some();
    let app = spawn_app_with(
        InfomexSim::builder().seed(42).fault(fault.jurisdiccion(j)),
        move |c| {
            let c = config(c);
            if cuenta_llegadas {
                c.infomex_concurrencia(1)
            } else {
                c
            }
        },
    )
    .await;
    let token = app.user("maria@example.mx").await;
    let usuario = usuario_con(&app.sim, j, 9);
    let pass = app.cuenta(j, &usuario).contrasena;
    let r = app.vincular_con(&token, j, &usuario, &pass).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r: Value = r.json().await.unwrap();
    for f in app.sim.fault_status() {
        assert!(f.fired > 0, "the fault was exercised: {f:?}");
    }
    // Faults such as page_drift change the account while it is read: the truth is read after.
    let cuenta = app.cuenta(j, &usuario);
    let total = cuenta.solicitudes.len() as u64;
    let pendientes = r["pendientes"].as_array().unwrap().clone();
    match espera {
        Espera::Completa => {
            assert_eq!(r["estado"], "completa", "{r}");
            assert!(pendientes.is_empty());
            assert_eq!(r["solicitudes"].as_u64(), Some(total));
            assert_historial_igual(&app, &token, &cuenta, &[]).await;
        }
        Espera::Incompleta(codigos) => {
            assert_eq!(r["estado"], "incompleta", "{r}");
            assert!(!pendientes.is_empty());
            for p in &pendientes {
                assert!(codigos.contains(&p["codigo"].as_str().unwrap()), "{p}");
                assert!(!p["motivo"].as_str().unwrap().is_empty());
            }
            let nombrados: Vec<String> = pendientes
                .iter()
                .filter_map(|p| p["folio"].as_str().map(str::to_owned))
                .collect();
            let sin_folio = pendientes.iter().filter(|p| p["folio"].is_null()).count();
            // Every solicitud is either migrated or pending: nothing silently dropped.
            assert_eq!(
                r["solicitudes"].as_u64().unwrap() + pendientes.len() as u64,
                total,
                "{r}"
            );
            let en_historial: BTreeSet<String> = app
                .historial_completo(&token)
                .await
                .iter()
                .map(|f| f["folio"].as_str().unwrap().to_owned())
                .collect();
            let faltan: Vec<String> = cuenta
                .solicitudes
                .iter()
                .map(|s| s.folio.to_string())
                .filter(|f| !en_historial.contains(f))
                .collect();
            for f in &nombrados {
                assert!(faltan.contains(f), "pending {f} is really missing");
            }
            assert_eq!(
                faltan.len(),
                nombrados.len() + sin_folio,
                "every missing folio accounted for"
            );
            assert_historial_igual(&app, &token, &cuenta, &faltan).await;
        }
    }
    // Once the fault is gone, a retry completes it without duplicates.
    app.sim.clear_faults();
    let again = app.vincular(&token, j, &usuario).await;
    assert_eq!(again["estado"], "completa", "{again}");
    assert_eq!(again["solicitudes"].as_u64(), Some(total));
    assert_eq!(
        again["nuevas"].as_u64().unwrap(),
        total - r["solicitudes"].as_u64().unwrap(),
        "the retry adds exactly what was missing"
    );
    assert_historial_igual(&app, &token, &cuenta, &[]).await;
}

fn kind(k: FaultKind) -> Fault {
    Fault::new(k)
}

#[tokio::test]
async fn http_5xx_are_retried() {
    for (j, status, endpoint) in [
        (MODERNO, 500, Endpoint::Lista),
        (MODERNO, 502, Endpoint::Detalle),
        (LEGADO, 503, Endpoint::Adjunto),
        (LEGADO, 503, Endpoint::Login),
    ] {
        check(
            j,
            kind(FaultKind::HttpStatus { status })
                .endpoint(endpoint)
                .times(3),
            Espera::Completa,
        )
        .await;
    }
}

#[tokio::test]
async fn rate_limited_waits_for_retry_after() {
    // The retry waits out the server's Retry-After (1 s) although the backoff is 1 ms.
    let start = std::time::Instant::now();
    check(
        MODERNO,
        kind(FaultKind::RateLimited { retry_after: 1 })
            .endpoint(Endpoint::Detalle)
            .times(1),
        Espera::Completa,
    )
    .await;
    assert!(start.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn delayed_answers_are_waited_for() {
    check(
        LEGADO,
        kind(FaultKind::Delay { ms: 300 })
            .endpoint(Endpoint::Detalle)
            .times(3),
        Espera::Completa,
    )
    .await;
}

#[tokio::test]
async fn a_hanging_request_times_out_and_is_retried() {
    check(
        MODERNO,
        kind(FaultKind::Hang).endpoint(Endpoint::Detalle).times(1),
        Espera::Completa,
    )
    .await;
}

#[tokio::test]
async fn connection_resets_are_retried() {
    check(
        MODERNO,
        kind(FaultKind::Reset).endpoint(Endpoint::Adjunto).times(2),
        Espera::Completa,
    )
    .await;
    check(
        LEGADO,
        kind(FaultKind::Reset).endpoint(Endpoint::Lista).times(1),
        Espera::Completa,
    )
    .await;
}

#[tokio::test]
async fn truncated_bodies_are_retried() {
    check(
        MODERNO,
        kind(FaultKind::Truncated)
            .endpoint(Endpoint::Detalle)
            .times(2),
        Espera::Completa,
    )
    .await;
    check(
        LEGADO,
        kind(FaultKind::Truncated)
            .endpoint(Endpoint::Adjunto)
            .times(1),
        Espera::Completa,
    )
    .await;
}

#[tokio::test]
async fn malformed_bodies_are_retried() {
    check(
        MODERNO,
        kind(FaultKind::Malformed)
            .endpoint(Endpoint::Lista)
            .times(2),
        Espera::Completa,
    )
    .await;
    check(
        LEGADO,
        kind(FaultKind::Malformed)
            .endpoint(Endpoint::Detalle)
            .times(2),
        Espera::Completa,
    )
    .await;
}

#[tokio::test]
async fn malformed_details_forever_leave_named_pending_folios() {
    check(
        MODERNO,
        kind(FaultKind::Malformed)
            .endpoint(Endpoint::Detalle)
            .nth(2)
            .times(5),
        Espera::Incompleta(&["detalle_no_disponible"]),
    )
    .await;
}

#[tokio::test]
async fn wrong_encoding_is_decoded_exactly() {
    check(MODERNO, kind(FaultKind::WrongEncoding), Espera::Completa).await;
    check(LEGADO, kind(FaultKind::WrongEncoding), Espera::Completa).await;
}

#[tokio::test]
async fn duplicated_records_are_stored_once() {
    check(MODERNO, kind(FaultKind::DuplicateRecord), Espera::Completa).await;
    check(LEGADO, kind(FaultKind::DuplicateRecord), Espera::Completa).await;
}

#[tokio::test]
async fn page_drift_is_detected_and_rescanned() {
    check(
        MODERNO,
        kind(FaultKind::PageDrift).times(1),
        Espera::Completa,
    )
    .await;
    check(
        LEGADO,
        kind(FaultKind::PageDrift).times(1),
        Espera::Completa,
    )
    .await;
}

#[tokio::test]
async fn a_record_missing_once_is_found_by_the_rescan() {
    check(
        MODERNO,
        kind(FaultKind::MissingFromList { folio: None }).times(1),
        Espera::Completa,
    )
    .await;
}

#[tokio::test]
async fn a_record_never_listed_is_reported_without_folio() {
    check(
        LEGADO,
        kind(FaultKind::MissingFromList { folio: None }).pagina(1),
        Espera::Incompleta(&["no_listada"]),
    )
    .await;
}

#[tokio::test]
async fn list_and_detail_status_mismatch_keeps_the_detail() {
    check(MODERNO, kind(FaultKind::StatusMismatch), Espera::Completa).await;
    check(LEGADO, kind(FaultKind::StatusMismatch), Espera::Completa).await;
}

#[tokio::test]
async fn expired_sessions_log_in_again() {
    check(
        MODERNO,
        kind(FaultKind::SessionExpiry { after: 3 }),
        Espera::Completa,
    )
    .await;
    check(
        LEGADO,
        kind(FaultKind::SessionExpiry { after: 2 }),
        Espera::Completa,
    )
    .await;
}

#[tokio::test]
async fn a_bad_checksum_once_is_downloaded_again() {
    check(
        LEGADO,
        kind(FaultKind::BadChecksum).times(1),
        Espera::Completa,
    )
    .await;
}

#[tokio::test]
async fn a_bad_checksum_forever_is_never_stored() {
    check(
        MODERNO,
        kind(FaultKind::BadChecksum),
        Espera::Incompleta(&["adjunto_checksum_invalido"]),
    )
    .await;
}

#[tokio::test]
async fn attachments_that_answer_404_are_named() {
    check(
        MODERNO,
        kind(FaultKind::Attachment404).times(1),
        Espera::Completa,
    )
    .await;
    check(
        LEGADO,
        kind(FaultKind::Attachment404),
        Espera::Incompleta(&["adjunto_no_disponible"]),
    )
    .await;
}

#[tokio::test]
async fn a_system_going_down_mid_linkage_leaves_named_pending_folios() {
    check(
        MODERNO,
        kind(FaultKind::SystemDown)
            .endpoint(Endpoint::Detalle)
            .nth(4),
        Espera::Incompleta(&["infomex_no_responde"]),
    )
    .await;
}

#[tokio::test]
async fn a_system_that_is_down_is_reported_as_not_responding() {
    for j in [MODERNO, LEGADO] {
        let app = spawn_app_with(
            InfomexSim::builder()
                .seed(42)
                .fault(kind(FaultKind::SystemDown).jurisdiccion(j)),
            config,
        )
        .await;
        let token = app.user("maria@example.mx").await;
        let pass = app.cuenta(j, "ciudadano1").contrasena;
        let (status, codigo, mensaje) =
            error_of(app.vincular_con(&token, j, "ciudadano1", &pass).await).await;
        assert_eq!(
            (status, codigo.as_str()),
            (StatusCode::BAD_GATEWAY, "infomex_no_responde")
        );
        assert!(mensaje.contains("no responde"), "{mensaje}");
        app.sim.clear_faults();
        let r = app.vincular(&token, j, "ciudadano1").await;
        assert_eq!(r["estado"], "completa");
    }
}

#[tokio::test]
async fn a_list_page_that_never_answers_leaves_the_unseen_rest_pending() {
    check(
        MODERNO,
        kind(FaultKind::HttpStatus { status: 503 })
            .endpoint(Endpoint::Lista)
            .pagina(2),
        Espera::Incompleta(&["infomex_no_responde"]),
    )
    .await;
}

#[tokio::test]
async fn a_log_in_that_is_always_garbled_is_reported_as_unreadable() {
    for j in [MODERNO, LEGADO] {
        let fault = kind(FaultKind::Malformed)
            .endpoint(Endpoint::Login)
            .jurisdiccion(j);
        let app = spawn_app_with(InfomexSim::builder().seed(42).fault(fault), config).await;
        let token = app.user("maria@example.mx").await;
        let pass = app.cuenta(j, "ciudadano1").contrasena;
        let r = app.vincular_con(&token, j, "ciudadano1", &pass).await;
        let (status, codigo, _) = error_of(r).await;
        assert_eq!(
            (status, codigo.as_str()),
            (StatusCode::BAD_GATEWAY, "infomex_respuesta_invalida"),
            "{j}"
        );
    }
}
