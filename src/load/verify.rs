//! After the load: a sample of the citizens who linked every account logs in again and reads
//! its whole Mi Historial (pages of 100) and every detail; the runner's oracle compares each
//! jurisdiction with the simulator's own solicitudes. Load must not lose, duplicate or alter
//! anything.

use std::collections::BTreeMap;

use pnt_model::{Date, Jurisdiccion};
use reqwest::Method;
use serde_json::Value;

use super::plan::Citizen;
use crate::run::{Infomex, PntClient, SimAccount, TargetView, Unreachable, compare, segment};

/// One thing the verification found wrong with one citizen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Finding {
    pub(super) ciudadano: u64,
    pub(super) jurisdiccion: Option<Jurisdiccion>,
    pub(super) check: String,
    pub(super) mensaje: String,
}

/// Verifies citizen `citizen` (whose plan says what it linked): what is wrong, empty when
/// nothing.
pub(super) async fn citizen(
    client: &PntClient,
    infomex: &dyn Infomex,
    citizen: &Citizen,
) -> Vec<Finding> {
    match read_and_compare(client, infomex, citizen).await {
        Ok(findings) => findings,
        Err(mensaje) => vec![Finding {
            ciudadano: citizen.n,
            jurisdiccion: None,
            check: "verificación: lectura".into(),
            mensaje,
        }],
    }
}

async fn read_and_compare(
    client: &PntClient,
    infomex: &dyn Infomex,
    citizen: &Citizen,
) -> Result<Vec<Finding>, String> {
    let unreachable = |Unreachable(why): Unreachable| why;
    let credentials =
        serde_json::json!({"correo": citizen.correo, "contrasena": citizen.contrasena});
    let session = client
        .call(Method::POST, "/sesiones", None, Some(credentials))
        .await
        .map_err(unreachable)?;
    let token = ok(&session, 201, "iniciar_sesion")?
        .get("token")
        .and_then(Value::as_str)
        .ok_or("POST /sesiones no devolvió `token`")?
        .to_owned();
    let token = Some(token.as_str());
    let summaries = client
        .call(Method::GET, "/vinculaciones", token, None)
        .await
        .map_err(unreachable)?;
    let summaries = ok(&summaries, 200, "GET /vinculaciones")?
        .as_array()
        .cloned()
        .unwrap_or_default();
    let (hoy, rows) = read_history(client, token).await?;
    let mut findings = Vec::new();
    let linked: Vec<Jurisdiccion> = citizen.accounts.iter().map(|(j, _)| *j).collect();
    let strangers = rows
        .iter()
        .filter(|r| {
            let slug = r.get("jurisdiccion").and_then(Value::as_str);
            !linked.iter().any(|j| Some(j.slug()) == slug)
        })
        .count();
    if strangers > 0 {
        findings.push(Finding {
            ciudadano: citizen.n,
            jurisdiccion: None,
            check: "verificación: filas ajenas".into(),
            mensaje: format!(
                "Mi Historial muestra {strangers} solicitudes de jurisdicciones que este ciudadano no vinculó"
            ),
        });
    }
    for (j, usuario) in &citizen.accounts {
        let account: SimAccount = infomex
            .account(*j, usuario.clone())
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| {
                format!(
                    "el simulador no tiene la cuenta {usuario} de {}",
                    j.nombre()
                )
            })?;
        // The linkage as the target last recorded it: its estado and pendientes. Linking again
        // here would bring back whatever the load lost, and hide it.
        let Some(linkage) = summaries
            .iter()
            .find(|s| {
                s.get("jurisdiccion").and_then(Value::as_str) == Some(j.slug())
                    && s.get("usuario_infomex").and_then(Value::as_str) == Some(usuario)
            })
            .cloned()
        else {
            findings.push(Finding {
                ciudadano: citizen.n,
                jurisdiccion: Some(*j),
                check: "verificación: vinculaciones".into(),
                mensaje: format!("GET /vinculaciones no lista la cuenta {usuario} vinculada"),
            });
            continue;
        };
        let rows_j: Vec<Value> = rows
            .iter()
            .filter(|r| r.get("jurisdiccion").and_then(Value::as_str) == Some(j.slug()))
            .cloned()
            .collect();
        let mut details = BTreeMap::new();
        for row in &rows_j {
            let Some(folio) = row.get("folio").and_then(Value::as_str) else {
                continue;
            };
            let path = format!("/solicitudes/{}", segment(folio));
            let d = client
                .call(Method::GET, &path, token, None)
                .await
                .map_err(unreachable)?;
            if d.status == 200 {
                details.insert(folio.to_owned(), d.body);
            }
        }
        let view = TargetView {
            linkage,
            hoy,
            reglas: client.reglas().clone(),
            reglas_publicadas: client.reglas_publicadas(),
            rows: rows_j,
            details,
        };
        findings.extend(
            compare(*j, &[&account], &view)
                .into_iter()
                .map(|m| Finding {
                    ciudadano: citizen.n,
                    jurisdiccion: Some(*j),
                    check: m.check,
                    mensaje: m.message,
                }),
        );
    }
    Ok(findings)
}

/// Every row of Mi Historial, in pages of 100, and its `hoy`.
async fn read_history(
    client: &PntClient,
    token: Option<&str>,
) -> Result<(Date, Vec<Value>), String> {
    let mut rows = Vec::new();
    let mut hoy = None;
    for pagina in 1u32.. {
        let path = format!("/historial?pagina={pagina}&por_pagina=100");
        let page = client
            .call(Method::GET, &path, token, None)
            .await
            .map_err(|Unreachable(why)| why)?;
        let body = ok(&page, 200, "GET /historial")?;
        if hoy.is_none() {
            hoy = body
                .get("hoy")
                .and_then(Value::as_str)
                .and_then(|d| d.parse::<Date>().ok());
        }
        let page_rows = body
            .get("solicitudes")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let total = body.get("total").and_then(Value::as_u64).unwrap_or(0);
        let empty = page_rows.is_empty();
        rows.extend(page_rows);
        // A page past the end is empty; a target that never says its total still ends.
        if empty || rows.len() as u64 >= total {
            break;
        }
    }
    let hoy = hoy.ok_or("Mi Historial no dice su fecha (`hoy`)")?;
    Ok((hoy, rows))
}

/// The body of an answer with `status`, or why it is not one.
fn ok<'a>(o: &'a crate::run::Observed, status: u16, what: &str) -> Result<&'a Value, String> {
    if o.status == status {
        Ok(&o.body)
    } else {
        Err(format!("{what} respondió {} {}", o.status, o.text))
    }
}
