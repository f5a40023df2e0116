//! Same seed, same bytes: a full crawl hashed twice, and once with another seed.

use infomex_sim::{InfomexSim, procedural_password};
use pnt_model::Sha256;
use serde_json::Value;

use crate::helpers::{
    FED, JAL, client, folios, legacy_login, modern_get, pct, try_login, xml_text,
};

/// Hash of every response body of a full crawl of several accounts in both dialects.
async fn crawl(seed: u64) -> String {
    let sim = InfomexSim::builder().seed(seed).start().await.unwrap();
    let mut all = Vec::new();
    for n in 1..=4 {
        let usuario = format!("ciudadano{n}");
        let token = try_login(
            &sim,
            FED,
            &usuario,
            &procedural_password(seed, FED, &usuario),
        )
        .await
        .unwrap();
        let list = modern_get(&sim, FED, &token, "solicitudes?por_pagina=200")
            .await
            .bytes()
            .await
            .unwrap();
        all.extend_from_slice(&list);
        let v: Value = serde_json::from_slice(&list).unwrap();
        for f in folios(&v) {
            let d = modern_get(&sim, FED, &token, &format!("solicitudes/{}", pct(&f)))
                .await
                .bytes()
                .await
                .unwrap();
            all.extend_from_slice(&d);
            let dv: Value = serde_json::from_slice(&d).unwrap();
            for r in dv["respuestas"].as_array().unwrap() {
                for a in r["adjuntos"].as_array().unwrap() {
                    let b = modern_get(
                        &sim,
                        FED,
                        &token,
                        &format!("adjuntos/{}", a["id"].as_str().unwrap()),
                    )
                    .await
                    .bytes()
                    .await
                    .unwrap();
                    all.extend_from_slice(&b);
                }
            }
        }
        let login = legacy_login(
            &sim,
            JAL,
            &usuario,
            &procedural_password(seed, JAL, &usuario),
        )
        .await;
        all.extend_from_slice(&login);
        let token = xml_text(&login, "sesion").unwrap();
        let list = client()
            .get(format!(
                "{}/jalisco/infomex/consultaSolicitudes.do?sesion={token}",
                sim.url()
            ))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        all.extend_from_slice(&list);
    }
    Sha256::of(&all).to_string()
}

#[tokio::test]
async fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = crawl(42).await;
    let b = crawl(42).await;
    let c = crawl(43).await;
    assert_eq!(a, b);
    assert_ne!(a, c);
}
