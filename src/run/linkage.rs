//! After a linkage: read what the target now shows and hand it to the oracle, then download
//! every attachment and check its bytes.

//! Executing one scenario's steps against a world: requests, expectations, captures, sessions,
//! clock and faults, and the oracle after every linkage.

use std::collections::BTreeMap;

use pnt_model::{Date, Jurisdiccion};
use reqwest::Method;
use serde_json::Value;

use super::client::segment;
use super::error::RunError;
use super::exec::{Execution, Stopped};
use super::oracle::{self, SimAccount, TargetView};
use super::verify::Miss;
use crate::report::Diff;

impl Execution<'_> {
    /// Compares what the user now sees of `j` with every account they linked there.
    pub(super) async fn oracle(
        &self,
        j: Jurisdiccion,
        user: Option<String>,
        token: Option<String>,
        linkage: &Value,
    ) -> Result<Vec<Miss>, Stopped> {
        let mut accounts: Vec<SimAccount> = Vec::new();
        for (u, jj, usuario) in &self.linked {
            if *u == user && *jj == j {
                let account = self
                    .world
                    .infomex
                    .account(j, usuario.clone())
                    .await
                    .map_err(|e| RunError::SimAccountUnavailable(Box::new(e)))?;
                accounts.extend(account);
            }
        }
        let mut rows = Vec::new();
        let mut hoy = None;
        let mut pagina = 1;
        loop {
            let page = self
                .client
                .call(
                    Method::GET,
                    &format!("/historial?pagina={pagina}&por_pagina=100"),
                    token.as_deref(),
                    None,
                )
                .await?;
            if page.status != 200 {
                return Ok(vec![Miss {
                    check: "oráculo: Mi Historial".into(),
                    message: format!(
                        "Mi Historial no se pudo leer después de vincular: {} {}",
                        page.status, page.text
                    ),
                    diff: None,
                }]);
            }
            hoy = hoy.or_else(|| {
                page.body
                    .get("hoy")
                    .and_then(Value::as_str)
                    .and_then(|d| d.parse::<Date>().ok())
            });
            let items = page
                .body
                .get("solicitudes")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let total = page.body.get("total").and_then(Value::as_u64).unwrap_or(0);
            let empty = items.is_empty();
            rows.extend(items);
            if empty || rows.len() as u64 >= total {
                break;
            }
            pagina += 1;
        }
        let Some(hoy) = hoy else {
            return Ok(vec![Miss {
                check: "oráculo: Mi Historial".into(),
                message: "Mi Historial no dice su fecha (`hoy`)".into(),
                diff: None,
            }]);
        };
        rows.retain(|r| r.get("jurisdiccion").and_then(Value::as_str) == Some(j.slug()));
        let mut details = BTreeMap::new();
        for row in &rows {
            let Some(folio) = row.get("folio").and_then(Value::as_str) else {
                continue;
            };
            let d = self
                .client
                .call(
                    Method::GET,
                    &format!("/solicitudes/{}", segment(folio)),
                    token.as_deref(),
                    None,
                )
                .await?;
            if d.status == 200 {
                details.insert(folio.to_owned(), d.body);
            }
        }
        let refs: Vec<&SimAccount> = accounts.iter().collect();
        let view = TargetView {
            linkage: linkage.clone(),
            hoy,
            reglas: self.client.reglas().clone(),
            reglas_publicadas: self.client.reglas_publicadas(),
            rows,
            details,
        };
        let mut misses = oracle::compare(j, &refs, &view);
        misses.extend(self.check_downloads(&view, token.as_deref()).await?);
        Ok(misses)
    }

    /// Downloads every attachment the details list and compares its bytes with the SHA-256 the
    /// details declare (which the oracle has compared with the simulator's).
    async fn check_downloads(
        &self,
        view: &TargetView,
        token: Option<&str>,
    ) -> Result<Vec<Miss>, Stopped> {
        let mut bad = Vec::new();
        for (folio, detail) in &view.details {
            let adjuntos = detail
                .get("respuestas")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .flat_map(|r| {
                    r.get("adjuntos")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                });
            for a in adjuntos {
                let (Some(id), Some(sha)) = (
                    a.get("id").and_then(Value::as_str),
                    a.get("sha256").and_then(Value::as_str),
                ) else {
                    continue;
                };
                let (observed, download) = self.client.download(id, token).await?;
                match download {
                    None => bad.push(format!(
                        "{folio}: el adjunto {id} no se pudo descargar ({})",
                        observed.status
                    )),
                    Some(d) => {
                        let actual = pnt_model::Sha256::of(&d.bytes).to_string();
                        if actual != sha {
                            bad.push(format!("{folio}: el adjunto {id} descargado tiene SHA-256 {actual}, el detalle declara {sha}"));
                        }
                    }
                }
            }
        }
        Ok(if bad.is_empty() {
            Vec::new()
        } else {
            vec![Miss {
                check: "oráculo: descargas".into(),
                message: format!("{} adjuntos no se descargan idénticos", bad.len()),
                diff: Some(Diff::Text {
                    expected: String::new(),
                    actual: bad.join("\n") + "\n",
                }),
            }]
        })
    }
}
