//! The two wire dialects: the modern JSON API and the legacy Windows-1252 XML, each serving a
//! whole account with its attachments.

use infomex_sim::{InfomexSim, procedural_password};
use pnt_model::Sha256;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{
    FED, JAL, client, folios, legacy_login, modern_get, modern_login, page, pct, usuario_with,
    xml_text,
};

#[tokio::test]
async fn modern_dialect_serves_the_whole_account() {
    let sim = InfomexSim::builder().seed(42).start().await.unwrap();
    let usuario = usuario_with(&sim, FED, 8);
    let truth = sim.account(FED, &usuario).unwrap();
    let token = modern_login(&sim, FED, &usuario).await;

    let mut seen = Vec::new();
    let mut pagina = 1;
    loop {
        let p = page(&sim, &token, pagina, 3).await;
        assert_eq!(
            p["total"].as_u64().unwrap() as usize,
            truth.solicitudes.len()
        );
        let f = folios(&p);
        if f.is_empty() {
            break;
        }
        seen.extend(f);
        pagina += 1;
    }
    let expected: Vec<String> = truth
        .solicitudes
        .iter()
        .map(|s| s.folio.to_string())
        .collect();
    assert_eq!(seen, expected, "newest first, every folio once");

    let mut downloads = 0;
    for s in &truth.solicitudes {
        let detail: Value = modern_get(
            &sim,
            FED,
            &token,
            &format!("solicitudes/{}", pct(&s.folio.to_string())),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(detail["descripcion"], s.descripcion.as_str());
        assert_eq!(
            detail["respuestas"].as_array().unwrap().len(),
            s.respuestas.len()
        );
        for r in detail["respuestas"].as_array().unwrap() {
            for a in r["adjuntos"].as_array().unwrap() {
                let res = modern_get(
                    &sim,
                    FED,
                    &token,
                    &format!("adjuntos/{}", a["id"].as_str().unwrap()),
                )
                .await;
                assert_eq!(res.status(), 200);
                let header = res.headers()["x-sha256"].to_str().unwrap().to_owned();
                let bytes = res.bytes().await.unwrap();
                assert_eq!(bytes.len() as u64, a["tamano"].as_u64().unwrap());
                assert_eq!(
                    Sha256::of(&bytes).to_string(),
                    a["sha256"].as_str().unwrap()
                );
                assert_eq!(header, a["sha256"].as_str().unwrap());
                downloads += 1;
            }
        }
    }
    assert!(downloads > 0);
}

#[tokio::test]
async fn legacy_dialect_is_windows_1252_xml_with_html_text() {
    let sim = InfomexSim::builder().seed(42).start().await.unwrap();
    let usuario = usuario_with(&sim, JAL, 3);
    let truth = sim.account(JAL, &usuario).unwrap();
    let login = legacy_login(&sim, JAL, &usuario, &procedural_password(42, JAL, &usuario)).await;
    assert_eq!(xml_text(&login, "estatus").as_deref(), Some("OK"));
    let token = xml_text(&login, "sesion").unwrap();

    let res = client()
        .get(format!(
            "{}/jalisco/infomex/consultaSolicitudes.do?sesion={token}&pagina=1",
            sim.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["content-type"],
        "text/xml; charset=windows-1252"
    );
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"<?xml version=\"1.0\" encoding=\"windows-1252\"?>"));
    let (text, _, had_errors) = encoding_rs::WINDOWS_1252.decode(&bytes);
    assert!(!had_errors);
    for s in &truth.solicitudes {
        assert!(
            text.contains(&format!("<folio>{}</folio>", s.folio)),
            "{}",
            s.folio
        );
        let fecha = s.fecha_presentacion.strftime("%d/%m/%Y").to_string();
        assert!(text.contains(&fecha));
    }
    // Accented institution names travel as single Windows-1252 bytes, not UTF-8.
    if truth.solicitudes.iter().any(|s| !s.institucion.is_ascii()) {
        assert!(std::str::from_utf8(&bytes).is_err());
    }

    let answered = truth
        .solicitudes
        .iter()
        .find(|s| !s.respuestas.is_empty())
        .unwrap();
    let detail = client()
        .get(format!(
            "{}/jalisco/infomex/detalleSolicitud.do?sesion={token}&folio={}",
            sim.url(),
            pct(&answered.folio.to_string())
        ))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&detail);
    assert!(text.contains("<texto><![CDATA["));
    let cdata = text
        .split("<texto><![CDATA[")
        .nth(1)
        .unwrap()
        .split("]]>")
        .next()
        .unwrap();
    assert!(cdata.is_ascii(), "answer HTML is entity-encoded: {cdata}");
    let decoded = html_escape::decode_html_entities(&cdata.replace("<br/>", "\n")).into_owned();
    assert_eq!(decoded, answered.respuestas[0].texto);
}

/// The legacy dialect mangles its XML (Windows-1252, dd/mm/yyyy, HTML in CDATA) but never an
/// attachment: a PDF downloaded from a legacy system is the generated document itself, byte for
/// byte, and still opens; damaged bytes come only from faults.
#[tokio::test]
async fn legacy_attachments_are_served_unchanged() {
    let sim = InfomexSim::builder().seed(42).start().await.unwrap();
    let (usuario, adjunto) = (1..2000)
        .map(|n| format!("ciudadano{n}"))
        .find_map(|u| {
            let c = sim.account(JAL, &u).unwrap();
            let pdf = c
                .solicitudes
                .iter()
                .flat_map(|s| &s.respuestas)
                .flat_map(|r| &r.adjuntos)
                .find(|a| a.media_type == "application/pdf")
                .cloned();
            pdf.map(|a| (u, a))
        })
        .expect("some Jalisco account has a PDF");
    let login = legacy_login(&sim, JAL, &usuario, &procedural_password(42, JAL, &usuario)).await;
    let token = xml_text(&login, "sesion").unwrap();
    let res = client()
        .get(format!(
            "{}/jalisco/infomex/descargaArchivo.do?sesion={token}&id={}",
            sim.url(),
            adjunto.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let bytes = res.bytes().await.unwrap();
    assert_eq!(bytes[..], adjunto.bytes()[..]);
    assert_eq!(bytes.len() as u64, adjunto.tamano);
    assert!(bytes.starts_with(b"%PDF-1.") && bytes.ends_with(b"%%EOF"));
}
