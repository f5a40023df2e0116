//! What every test shares: an HTTP client, log-in in both dialects, paging and XML reading.

use infomex_sim::{SimHandle, procedural_password};
use pnt_model::Jurisdiccion;
use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use serde_json::Value;

pub(crate) const FED: Jurisdiccion = Jurisdiccion::Federacion;
pub(crate) const JAL: Jurisdiccion = Jurisdiccion::Jalisco;

pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// A procedural usuario of `j` whose account holds at least `min` solicitudes and an answer
/// with attachments.
pub(crate) fn usuario_with(sim: &SimHandle, j: Jurisdiccion, min: usize) -> String {
    sim.find_usuario(j, 500, |c| {
        c.solicitudes.len() >= min && c.solicitudes.iter().any(|s| s.adjuntos().next().is_some())
    })
    .expect("some account is large enough")
}

/// Logs in to a modern system: the token, or the status.
pub(crate) async fn try_login(
    sim: &SimHandle,
    j: Jurisdiccion,
    usuario: &str,
    contrasena: &str,
) -> Result<String, u16> {
    let res = client()
        .post(format!("{}/{}/api/sesion", sim.url(), j.slug()))
        .json(&serde_json::json!({"usuario": usuario, "contrasena": contrasena}))
        .send()
        .await
        .unwrap();
    if res.status() != 200 {
        return Err(res.status().as_u16());
    }
    Ok(res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned())
}

/// Logs in with the procedural password of seed 42.
pub(crate) async fn modern_login(sim: &SimHandle, j: Jurisdiccion, usuario: &str) -> String {
    configured_login(sim, j, usuario, &procedural_password(42, j, usuario)).await
}

pub(crate) async fn configured_login(
    sim: &SimHandle,
    j: Jurisdiccion,
    usuario: &str,
    contrasena: &str,
) -> String {
    try_login(sim, j, usuario, contrasena)
        .await
        .expect("log-in answers 200")
}

pub(crate) async fn modern_get(
    sim: &SimHandle,
    j: Jurisdiccion,
    token: &str,
    rest: &str,
) -> reqwest::Response {
    client()
        .get(format!("{}/{}/api/{rest}", sim.url(), j.slug()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

pub(crate) async fn page(sim: &SimHandle, token: &str, pagina: u32, por_pagina: u32) -> Value {
    let res = modern_get(
        sim,
        FED,
        token,
        &format!("solicitudes?pagina={pagina}&por_pagina={por_pagina}"),
    )
    .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

pub(crate) fn folios(page: &Value) -> Vec<String> {
    page["solicitudes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["folio"].as_str().unwrap().to_owned())
        .collect()
}

pub(crate) fn pct(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

pub(crate) async fn legacy_login(
    sim: &SimHandle,
    j: Jurisdiccion,
    usuario: &str,
    password: &str,
) -> Vec<u8> {
    client()
        .post(format!("{}/{}/infomex/login.do", sim.url(), j.slug()))
        .form(&[("usuario", usuario), ("password", password)])
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

/// The text of the first `<tag>` of a legacy (Windows-1252) document, with entities resolved and
/// CDATA unwrapped; `None` when the document has no such element or is not well-formed XML.
pub(crate) fn xml_text(bytes: &[u8], tag: &str) -> Option<String> {
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    let mut reader = Reader::from_str(&text);
    let mut inside = false;
    let mut found = String::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) if !inside && e.name().as_ref() == tag => inside = true,
            Event::End(e) if inside && e.name().as_ref() == tag => return Some(found),
            Event::Text(t) if inside => found.push_str(&t.xml10_content()),
            Event::CData(c) if inside => found.push_str(&c),
            Event::GeneralRef(r) if inside => match r.resolve_char_ref().ok()? {
                Some(c) => found.push(c),
                None => found.push_str(resolve_predefined_entity(&r.xml10_content())?),
            },
            Event::Eof => return None,
            _ => {}
        }
    }
}
