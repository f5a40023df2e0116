//! After a linkage: read what the target now shows (every page of Mi Historial, again in short
//! pages and once per filter value, and every detail), hand it to the oracle and the listing
//! checks, then download every attachment and check it against the simulator's.

use std::collections::BTreeMap;

use pnt_model::{Adjunto, Date, Jurisdiccion, Sha256};
use reqwest::Method;
use serde_json::Value;

use super::client::{Download, segment};
use super::error::RunError;
use super::exec::{Execution, Stopped};
use super::listing::{self, Crawl, Page};
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
        let all = match self.crawl("", 100, token.as_deref()).await? {
            Ok(crawl) => crawl,
            Err(miss) => return Ok(vec![miss]),
        };
        let hoy = all
            .pages
            .first()
            .and_then(|p| p.hoy.as_deref())
            .and_then(|d| d.parse::<Date>().ok());
        let Some(hoy) = hoy else {
            return Ok(vec![Miss {
                check: "oráculo: Mi Historial".into(),
                message: "Mi Historial no dice su fecha (`hoy`)".into(),
                diff: None,
            }]);
        };
        let listing = self.check_listing(&all, token.as_deref()).await?;
        let mut rows: Vec<Value> = all.rows().cloned().collect();
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
        misses.extend(listing);
        misses.extend(self.check_downloads(&refs, &view, token.as_deref()).await?);
        Ok(misses)
    }

    /// Reads every page of Mi Historial with `query` (`""` or `&name=value`) and `por_pagina`;
    /// a page the target refuses is the miss.
    async fn crawl(
        &self,
        query: &str,
        por_pagina: u32,
        token: Option<&str>,
    ) -> Result<Result<Crawl, Miss>, Stopped> {
        let mut crawl = Crawl::default();
        let mut read = 0u64;
        for pagina in 1u32.. {
            let page = self
                .client
                .call(
                    Method::GET,
                    &format!("/historial?pagina={pagina}&por_pagina={por_pagina}{query}"),
                    token,
                    None,
                )
                .await?;
            if page.status != 200 {
                return Ok(Err(Miss {
                    check: "oráculo: Mi Historial".into(),
                    message: format!(
                        "Mi Historial (página {pagina}, `por_pagina={por_pagina}{query}`) no se pudo leer después de vincular: {} {}",
                        page.status, page.text
                    ),
                    diff: None,
                }));
            }
            let rows = page
                .body
                .get("solicitudes")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let total = page.body.get("total").and_then(Value::as_u64);
            read += rows.len() as u64;
            let empty = rows.is_empty();
            crawl.pages.push(Page {
                pagina,
                por_pagina,
                total,
                leyenda: page
                    .body
                    .get("leyenda")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                hoy: page
                    .body
                    .get("hoy")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                rows,
            });
            // A page past the end is empty; a target that never says its total still ends.
            if empty || read >= total.unwrap_or(0) {
                break;
            }
        }
        Ok(Ok(crawl))
    }

    /// The listing checks (`listing.rs`): order, counts and leyenda of the reading `all`, then
    /// a reading in short pages and one per filter value, each compared with `all`.
    async fn check_listing(&self, all: &Crawl, token: Option<&str>) -> Result<Vec<Miss>, Stopped> {
        let mut misses: Vec<Miss> = listing::check_order(all).into_iter().collect();
        misses.extend(listing::check_counts(all));
        if let Some(size) = listing::short_page_size(all.rows().count() as u64) {
            match self.crawl("", size, token).await? {
                Ok(short) => misses.extend(listing::check_paging(all, &short)),
                Err(miss) => misses.push(miss),
            }
        }
        for (name, value) in listing::filters() {
            match self.crawl(&format!("&{name}={value}"), 100, token).await? {
                Ok(filtered) => misses.extend(listing::check_filter(all, name, value, &filtered)),
                Err(miss) => misses.push(miss),
            }
        }
        Ok(misses)
    }

    /// Downloads every attachment the details list and checks it against the simulator's own:
    /// the bytes' SHA-256, their length and the media type. Attachments are paired by position
    /// (answer, then attachment); a detail whose answers differ from the simulator's is the
    /// oracle's detail check to report.
    async fn check_downloads(
        &self,
        accounts: &[&SimAccount],
        view: &TargetView,
        token: Option<&str>,
    ) -> Result<Vec<Miss>, Stopped> {
        let mut bad = Vec::new();
        let mut checked = 0usize;
        for s in accounts.iter().flat_map(|a| &a.solicitudes) {
            let folio = s.folio.to_string();
            let Some(detail) = view.details.get(&folio) else {
                continue;
            };
            let shown = array(detail, "respuestas")
                .iter()
                .map(|r| array(r, "adjuntos"));
            for (respuesta, shown) in s.respuestas.iter().zip(shown) {
                for (expected, a) in respuesta.adjuntos.iter().zip(shown) {
                    let Some(id) = attachment_id(a) else {
                        bad.push(format!(
                            "{folio}: el adjunto «{}» no tiene `id`",
                            expected.nombre
                        ));
                        continue;
                    };
                    checked += 1;
                    let (observed, download) = self.client.download(&id, token).await?;
                    match download {
                        None => bad.push(format!(
                            "{folio}: el adjunto {id} («{}») no se pudo descargar ({})",
                            expected.nombre, observed.status
                        )),
                        Some(d) => bad.extend(download_problem(expected, &d).map(|p| {
                            format!("{folio}: el adjunto {id} («{}») {p}", expected.nombre)
                        })),
                    }
                }
            }
        }
        Ok(if bad.is_empty() {
            Vec::new()
        } else {
            vec![Miss {
                check: "oráculo: descargas".into(),
                message: format!(
                    "{} de {checked} adjuntos no se descargan como los guarda Infomex",
                    bad.len()
                ),
                diff: Some(Diff::Text {
                    expected: String::new(),
                    actual: bad.join("\n") + "\n",
                }),
            }]
        })
    }
}

/// An attachment's `id` in a detail: the contract's integer, or a string.
fn attachment_id(a: &Value) -> Option<String> {
    match a.get("id")? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// What is wrong with a downloaded attachment, compared with the simulator's: its bytes, their
/// length, its media type (parameters such as `charset` aside).
fn download_problem(expected: &Adjunto, got: &Download) -> Option<String> {
    let sha = Sha256::of(&got.bytes);
    let media_type = got.media_type.as_deref().map(|m| {
        m.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    if sha != expected.sha256 {
        Some(format!(
            "trae otros bytes: {} bytes con SHA-256 {sha}; Infomex guarda {} bytes con SHA-256 {}",
            got.bytes.len(),
            expected.tamano,
            expected.sha256
        ))
    } else if got.bytes.len() as u64 != expected.tamano {
        Some(format!(
            "mide {} bytes; Infomex guarda {}",
            got.bytes.len(),
            expected.tamano
        ))
    } else if media_type.as_deref() != Some(expected.media_type.as_str()) {
        Some(format!(
            "se entrega como {}; es {}",
            got.media_type.as_deref().unwrap_or("(sin Content-Type)"),
            expected.media_type
        ))
    } else {
        None
    }
}

/// A JSON value's array field, empty when absent.
fn array<'v>(v: &'v Value, k: &str) -> &'v [Value] {
    v.get(k)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn adjunto(bytes: &[u8], media_type: &str) -> Adjunto {
        Adjunto {
            id: String::new(),
            nombre: "oficio.pdf".into(),
            media_type: media_type.into(),
            tamano: bytes.len() as u64,
            sha256: Sha256::of(bytes),
        }
    }

    fn got(bytes: &[u8], media_type: Option<&str>) -> Download {
        Download {
            bytes: bytes.to_vec(),
            declared: None,
            media_type: media_type.map(str::to_owned),
        }
    }

    #[test]
    fn the_same_bytes_and_media_type_pass() {
        let a = adjunto(b"%PDF-1.7 hola", "application/pdf");
        assert_eq!(
            download_problem(&a, &got(b"%PDF-1.7 hola", Some("application/pdf"))),
            None
        );
        assert_eq!(
            download_problem(&a, &got(b"%PDF-1.7 hola", Some("Application/PDF; name=x"))),
            None
        );
    }

    #[test]
    fn one_altered_byte_a_wrong_length_or_media_type_fails() {
        let a = adjunto(b"%PDF-1.7 hola", "application/pdf");
        let p = download_problem(&a, &got(b"%PDF-1.7 holA", Some("application/pdf"))).unwrap();
        assert!(p.starts_with("trae otros bytes"), "{p}");
        let p = download_problem(&a, &got(b"%PDF-1.7 hola", Some("text/html"))).unwrap();
        assert!(p.starts_with("se entrega como text/html"), "{p}");
        assert!(download_problem(&a, &got(b"%PDF-1.7 hola", None)).is_some());
        // Right checksum claimed for the wrong length cannot happen with real bytes; a declared
        // size that disagrees with the simulator's is the detail check's, so only bytes count.
        let mut short = a.clone();
        short.tamano += 1;
        let p = download_problem(&short, &got(b"%PDF-1.7 hola", Some("application/pdf"))).unwrap();
        assert!(p.starts_with("mide 13 bytes"), "{p}");
    }

    #[test]
    fn ids_are_integers_or_strings() {
        // The reference's ids are integers: reading them as strings skipped every download.
        assert_eq!(attachment_id(&json!({"id": 17})), Some("17".into()));
        assert_eq!(attachment_id(&json!({"id": "a-17"})), Some("a-17".into()));
        assert_eq!(attachment_id(&json!({"id": ""})), None);
        assert_eq!(attachment_id(&json!({})), None);
    }
}
