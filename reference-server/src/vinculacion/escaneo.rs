//! Reading an account's whole list of solicitudes, despite drift.
//!
//! Lists move while they are paged (a new solicitud pushes every later one down a page), repeat
//! records, or skip them. So the list is scanned until one scan is *stable* — every page declared
//! the same total and that scan saw exactly that many distinct folios — or the scan budget runs
//! out. Folios seen in any scan are kept (de-duplicated, in order of first sight): a folio that
//! was listed once exists, and its detail is asked for by folio.

use std::collections::HashSet;

use crate::infomex::{Fallo, Sesion};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Escaneo {
    /// Every distinct folio seen, in order of first sight.
    pub(crate) folios: Vec<String>,
    /// The total the last scan's pages declared (the largest, if they disagreed).
    pub(crate) total_declarado: u64,
    /// How many scans ran.
    pub(crate) escaneos: u32,
    /// Whether the last scan agreed with itself.
    pub(crate) estable: bool,
    /// Set when a page could not be read even after retries; the scan stopped there.
    pub(crate) interrumpido: Option<Fallo>,
}

/// Scans the list. Fails only when not even the first page of the first scan can be read.
pub(crate) async fn escanear(sesion: &Sesion, max_escaneos: u32) -> Result<Escaneo, Fallo> {
    let mut folios = Vec::new();
    let mut vistos = HashSet::new();
    let mut resultado = Escaneo {
        folios: Vec::new(),
        total_declarado: 0,
        escaneos: 0,
        estable: false,
        interrumpido: None,
    };
    for escaneo in 1..=max_escaneos.max(1) {
        resultado.escaneos = escaneo;
        let mut en_este = HashSet::new();
        let mut totales = Vec::new();
        let mut n = 1u32;
        loop {
            let pagina = match sesion.pagina(n).await {
                Ok(p) => p,
                Err(f) if escaneo == 1 && n == 1 => return Err(f),
                Err(f) => {
                    tracing::warn!(pagina = n, fallo = %f, "la lista no se pudo leer completa");
                    resultado.interrumpido = Some(f);
                    break;
                }
            };
            totales.push(pagina.total);
            let vacia = pagina.registros.is_empty();
            for r in pagina.registros {
                en_este.insert(r.folio.clone());
                if vistos.insert(r.folio.clone()) {
                    folios.push(r.folio);
                }
            }
            let por_pagina = u64::from(pagina.por_pagina.unwrap_or(sesion.por_pagina()).max(1));
            let total = pagina.total;
            // A page past the end is empty; a list that never ends is cut at two pages past
            // what its total allows.
            if vacia || u64::from(n) * por_pagina >= total || u64::from(n) > total / por_pagina + 2
            {
                break;
            }
            n += 1;
        }
        resultado.total_declarado = totales.iter().copied().max().unwrap_or(0);
        if resultado.interrumpido.is_some() {
            break;
        }
        let mismo_total = totales.windows(2).all(|w| w[0] == w[1]);
        resultado.estable = mismo_total && en_este.len() as u64 == resultado.total_declarado;
        if resultado.estable {
            break;
        }
        tracing::info!(
            escaneo,
            declarado = resultado.total_declarado,
            vistos = en_este.len(),
            ?totales,
            "la lista cambió o no cuadra: se vuelve a leer"
        );
    }
    resultado.folios = folios;
    Ok(resultado)
}
