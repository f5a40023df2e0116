//! Accounts configured explicitly (solicitudes, attachments, thousands of records) instead of
//! generated from the seed.

use std::collections::BTreeSet;

use infomex_sim::{AdjuntoConfig, CuentaConfig, InfomexSim};
use pnt_model::Solicitud;
use serde_json::Value;

use crate::helpers::{FED, configured_login, folios, modern_get, page};

#[tokio::test]
async fn configured_accounts_with_explicit_solicitudes_and_attachments() {
    let explicit: Solicitud<AdjuntoConfig> = serde_json::from_value(serde_json::json!({
        "folio": "0623800160321", "tipo": "acceso",
        "institucion": "INSTITUTO NACIONAL DE TRANSPARENCIA, ACCESO A LA INFORMACIÓN Y PROTECCIÓN DE DATOS PERSONALES (INAI)",
        "descripcion": "Solicito el directorio de servidores públicos",
        "fecha_presentacion": "2021-08-26", "estado": "terminada",
        "respuestas": [{"tipo": "Entrega de información en medio electrónico", "fecha": "2021-09-20",
                        "texto": "Se adjunta el directorio.",
                        "adjuntos": [{"nombre": "directorio.csv", "media_type": "text/csv", "contenido": "nombre,cargo\nAna,Directora\n"}]}]
    }))
    .unwrap();
    let sim = InfomexSim::builder()
        .account(
            CuentaConfig::new(FED, "maria.lopez", "s3creta")
                .generar(2)
                .solicitud(explicit),
        )
        .start()
        .await
        .unwrap();
    let token = configured_login(&sim, FED, "maria.lopez", "s3creta").await;
    let p = page(&sim, &token, 1, 50).await;
    assert_eq!(p["total"], 3);
    assert!(folios(&p).contains(&"0623800160321".to_owned()));
    let d: Value = modern_get(&sim, FED, &token, "solicitudes/0623800160321")
        .await
        .json()
        .await
        .unwrap();
    let id = d["respuestas"][0]["adjuntos"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bytes = modern_get(&sim, FED, &token, &format!("adjuntos/{id}"))
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(&bytes[..], b"nombre,cargo\nAna,Directora\n");
}

#[tokio::test]
async fn large_configured_account_pages_through_5000_solicitudes() {
    let sim = InfomexSim::builder()
        .account(CuentaConfig::new(FED, "grande", "pw").generar(5000))
        .start()
        .await
        .unwrap();
    let token = configured_login(&sim, FED, "grande", "pw").await;
    let mut seen = BTreeSet::new();
    for p in 1..=25 {
        let v = page(&sim, &token, p, 200).await;
        assert_eq!(v["total"], 5000);
        seen.extend(folios(&v));
    }
    assert_eq!(seen.len(), 5000);
}
