//! Mi Historial as a listing: after every linkage the oracle also checks what a citizen relies
//! on when reading the list itself (docs/pnt-api.md, "Mi Historial") — newest first, every row
//! exactly once whatever the page size, each filter returning exactly its rows, and a leyenda
//! that counts them. Pure: the pages read in, misses out; `linkage.rs` does the reading.

use serde_json::Value;

use super::verify::Miss;
use crate::report::Diff;
use pnt_model::{Semaforo, TipoSolicitud};

/// The most folios a listing miss shows.
const MAX_SHOWN: usize = 12;

/// One page of Mi Historial as the target answered it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Page {
    pub(super) pagina: u32,
    pub(super) por_pagina: u32,
    /// `total` as the page declares it (`None` when absent or not a number).
    pub(super) total: Option<u64>,
    pub(super) leyenda: Option<String>,
    /// The page's `hoy`.
    pub(super) hoy: Option<String>,
    pub(super) rows: Vec<Value>,
}

/// Every page of one reading of Mi Historial, with one query.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Crawl {
    pub(super) pages: Vec<Page>,
}

impl Crawl {
    /// Every row, in the order the pages gave them.
    pub(super) fn rows(&self) -> impl Iterator<Item = &Value> {
        self.pages.iter().flat_map(|p| &p.rows)
    }

    /// Every row's folio, in order ("" for a row without one).
    pub(super) fn folios(&self) -> Vec<String> {
        self.rows().map(|r| field(r, "folio")).collect()
    }

    /// The total the first page declares.
    pub(super) fn total(&self) -> Option<u64> {
        self.pages.first().and_then(|p| p.total)
    }
}

/// The filters a reading is repeated with: every value of `semaforo` and of `tipo`.
pub(super) fn filters() -> Vec<(&'static str, &'static str)> {
    Semaforo::ALL
        .into_iter()
        .map(|s| ("semaforo", s.slug()))
        .chain(TipoSolicitud::ALL.into_iter().map(|t| ("tipo", t.slug())))
        .collect()
}

/// The page size of the second, short-paged reading of a history of `total` rows: about three
/// pages, so every row crosses a page boundary somewhere; `None` when one page of 100 already
/// had to be split (the main reading crossed boundaries) or there is nothing to split.
pub(super) fn short_page_size(total: u64) -> Option<u32> {
    (2..=300)
        .contains(&total)
        .then(|| u32::try_from(total.div_ceil(3)).unwrap_or(100).max(1))
}

/// Newest first: by fecha de recepción oficial, then folio, both descending.
pub(super) fn check_order(all: &Crawl) -> Option<Miss> {
    let keys: Vec<(String, String)> = all
        .rows()
        .map(|r| (field(r, "fecha_recepcion_oficial"), field(r, "folio")))
        .collect();
    let first_wrong = keys.windows(2).position(|w| w[0] < w[1])?;
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    let show = |k: &[(String, String)]| {
        k.iter()
            .skip(first_wrong)
            .take(MAX_SHOWN)
            .map(|(fecha, folio)| format!("{fecha} {folio}\n"))
            .collect::<String>()
    };
    Some(Miss {
        check: "oráculo: orden".into(),
        message: format!(
            "Mi Historial no muestra primero lo más reciente (fecha de recepción oficial, luego folio): la fila {} va antes de una más reciente",
            first_wrong + 1
        ),
        diff: Some(Diff::Text {
            expected: show(&sorted),
            actual: show(&keys),
        }),
    })
}

/// Each page's leyenda is "Mostrando X de Y solicitudes" (X rows on the page, Y its total), and
/// every page declares the same total, which is the number of rows the pages hold.
pub(super) fn check_counts(all: &Crawl) -> Vec<Miss> {
    let mut misses = Vec::new();
    let rows = all.rows().count() as u64;
    let totals: Vec<Option<u64>> = all.pages.iter().map(|p| p.total).collect();
    if totals.iter().any(|t| *t != Some(rows)) {
        misses.push(Miss {
            check: "oráculo: total".into(),
            message: format!(
                "las páginas de Mi Historial declaran un `total` distinto de las {rows} filas que entregan"
            ),
            diff: Some(Diff::Value {
                expected: rows.to_string(),
                actual: totals
                    .iter()
                    .map(|t| t.map_or("(sin total)".into(), |t| t.to_string()))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        });
    }
    for page in &all.pages {
        let expected = format!(
            "Mostrando {} de {} solicitudes",
            page.rows.len(),
            page.total.unwrap_or(rows)
        );
        if page.leyenda.as_deref() != Some(expected.as_str()) {
            misses.push(Miss {
                check: "oráculo: leyenda".into(),
                message: format!(
                    "la leyenda de la página {} no cuenta sus filas",
                    page.pagina
                ),
                diff: Some(Diff::Value {
                    expected,
                    actual: page
                        .leyenda
                        .clone()
                        .unwrap_or_else(|| "(sin leyenda)".into()),
                }),
            });
            break;
        }
    }
    misses
}

/// Read with pages of another size, the history holds the same rows in the same order: no row
/// lost or repeated at a page boundary, and no page longer than `por_pagina`.
pub(super) fn check_paging(all: &Crawl, short: &Crawl) -> Option<Miss> {
    let size = short.pages.first().map_or(0, |p| p.por_pagina);
    let overfull = short
        .pages
        .iter()
        .find(|p| p.rows.len() > p.por_pagina as usize);
    let (expected, actual) = (all.folios(), short.folios());
    if expected == actual && overfull.is_none() {
        return None;
    }
    let message = match overfull {
        Some(p) => format!(
            "con `por_pagina={}` la página {} trae {} filas",
            p.por_pagina,
            p.pagina,
            p.rows.len()
        ),
        None => format!(
            "leído en páginas de {size}, Mi Historial no da las mismas filas en el mismo orden que en páginas de 100 (filas perdidas o repetidas entre páginas)"
        ),
    };
    Some(Miss {
        check: "oráculo: paginación".into(),
        message,
        diff: Some(Diff::Text {
            expected: lines(&expected),
            actual: lines(&actual),
        }),
    })
}

/// Filtered by `name=value`, the history holds exactly the rows whose `name` is `value`, in the
/// same order as unfiltered.
pub(super) fn check_filter(all: &Crawl, name: &str, value: &str, filtered: &Crawl) -> Option<Miss> {
    let expected: Vec<String> = all
        .rows()
        .filter(|r| field(r, name) == value)
        .map(|r| field(r, "folio"))
        .collect();
    let actual = filtered.folios();
    let total_ok = filtered.total() == Some(expected.len() as u64);
    if expected == actual && total_ok {
        return None;
    }
    Some(Miss {
        check: format!("oráculo: filtro {name}={value}"),
        message: if expected == actual {
            format!(
                "con `{name}={value}` el `total` no es el número de filas que coinciden ({})",
                expected.len()
            )
        } else {
            format!(
                "con `{name}={value}` Mi Historial no da exactamente las filas cuyo `{name}` es `{value}`"
            )
        },
        diff: Some(Diff::Text {
            expected: lines(&expected),
            actual: lines(&actual),
        }),
    })
}

/// A row's text field, "" when absent.
fn field(row: &Value, key: &str) -> String {
    row.get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

/// The first folios, one per line, and how many more.
fn lines(folios: &[String]) -> String {
    let mut out: String = folios
        .iter()
        .take(MAX_SHOWN * 4)
        .map(|f| format!("{f}\n"))
        .collect();
    if folios.len() > MAX_SHOWN * 4 {
        out.push_str(&format!("… y {} más\n", folios.len() - MAX_SHOWN * 4));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(fecha: &str, folio: &str, semaforo: &str, tipo: &str) -> Value {
        json!({"folio": folio, "fecha_recepcion_oficial": fecha, "semaforo": semaforo, "tipo": tipo})
    }

    /// Pages of `size` over `rows`, each declaring `total` and a correct leyenda.
    fn crawl(rows: &[Value], size: usize) -> Crawl {
        let total = rows.len() as u64;
        let chunks: Vec<&[Value]> = if rows.is_empty() {
            vec![&[]]
        } else {
            rows.chunks(size).collect()
        };
        Crawl {
            pages: chunks
                .into_iter()
                .enumerate()
                .map(|(i, c)| Page {
                    pagina: i as u32 + 1,
                    por_pagina: size as u32,
                    total: Some(total),
                    leyenda: Some(format!("Mostrando {} de {total} solicitudes", c.len())),
                    hoy: Some("2021-09-20".into()),
                    rows: c.to_vec(),
                })
                .collect(),
        }
    }

    fn history() -> Vec<Value> {
        vec![
            row("2021-09-01", "0001000000221", "en_alerta", "acceso"),
            row(
                "2021-09-01",
                "0001000000121",
                "en_tiempo",
                "datos-personales",
            ),
            row("2021-08-20", "0001000000321", "fuera_de_tiempo", "acceso"),
            row("2021-08-02", "0001000000421", "en_tiempo", "acceso"),
        ]
    }

    #[test]
    fn a_correct_history_passes_every_listing_check() {
        let all = crawl(&history(), 100);
        assert_eq!(check_order(&all), None);
        assert_eq!(check_counts(&all), vec![]);
        assert_eq!(check_paging(&all, &crawl(&history(), 2)), None);
        for (name, value) in filters() {
            let matching: Vec<Value> = history().into_iter().filter(|r| r[name] == value).collect();
            assert_eq!(
                check_filter(&all, name, value, &crawl(&matching, 100)),
                None
            );
        }
    }

    #[test]
    fn oldest_first_fails_the_order_check() {
        let mut rows = history();
        rows.reverse();
        let miss = check_order(&crawl(&rows, 100)).unwrap();
        assert_eq!(miss.check, "oráculo: orden");
        assert!(miss.message.contains("la fila 1"), "{}", miss.message);
        // Same date: the folio decides.
        let mut rows = history();
        rows.swap(0, 1);
        assert!(check_order(&crawl(&rows, 100)).is_some());
    }

    #[test]
    fn a_wrong_leyenda_or_total_fails() {
        let mut all = crawl(&history(), 100);
        all.pages[0].leyenda = Some("Mostrando 4 solicitudes".into());
        let misses = check_counts(&all);
        assert_eq!(misses.len(), 1);
        assert_eq!(misses[0].check, "oráculo: leyenda");
        let mut all = crawl(&history(), 100);
        all.pages[0].total = Some(5);
        let checks: Vec<String> = check_counts(&all).into_iter().map(|m| m.check).collect();
        assert_eq!(checks, ["oráculo: total", "oráculo: leyenda"]);
    }

    #[test]
    fn a_row_repeated_or_lost_at_a_page_boundary_fails_paging() {
        let all = crawl(&history(), 100);
        let mut short = crawl(&history(), 2);
        // Page 2 starts one row early: the boundary row twice, the last row lost.
        short.pages[1].rows = history()[1..3].to_vec();
        let miss = check_paging(&all, &short).unwrap();
        assert_eq!(miss.check, "oráculo: paginación");
        let mut short = crawl(&history(), 2);
        short.pages[0].rows = history()[0..3].to_vec();
        short.pages[1].rows = history()[3..].to_vec();
        let miss = check_paging(&all, &short).unwrap();
        assert!(miss.message.contains("trae 3 filas"), "{}", miss.message);
    }

    #[test]
    fn an_ignored_or_wrong_filter_fails() {
        let all = crawl(&history(), 100);
        // Ignored: the whole history comes back.
        let miss = check_filter(&all, "semaforo", "en_tiempo", &all).unwrap();
        assert_eq!(miss.check, "oráculo: filtro semaforo=en_tiempo");
        // Right rows, wrong total.
        let matching: Vec<Value> = history()
            .into_iter()
            .filter(|r| r["tipo"] == "acceso")
            .collect();
        let mut filtered = crawl(&matching, 100);
        filtered.pages[0].total = Some(4);
        let miss = check_filter(&all, "tipo", "acceso", &filtered).unwrap();
        assert!(miss.message.contains("`total`"), "{}", miss.message);
    }

    #[test]
    fn short_pages_split_small_histories_in_about_three() {
        assert_eq!(short_page_size(0), None);
        assert_eq!(short_page_size(1), None);
        assert_eq!(short_page_size(2), Some(1));
        assert_eq!(short_page_size(4), Some(2));
        assert_eq!(short_page_size(300), Some(100));
        assert_eq!(short_page_size(301), None);
    }
}
