//! The catalog of requirements (`R-…` ids) that scenarios declare they check: written once, in
//! `data/requisitos.toml`, compiled in, and rendered as docs/requisitos.md ([`markdown`]).
//!
//! Each requirement cites its source — a phrase of PNT's help page (`data/ayuda-pnt-infomex.txt`),
//! a law article, or a section of docs/pnt-api.md — and tests/requisitos.rs checks that every
//! citation is really there, so a requirement cannot drift away from what it claims to trace.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// The catalog's text, as committed.
pub const CATALOG_TOML: &str = include_str!("../data/requisitos.toml");

/// The law articles a requirement may cite: the verified facts of the design (DESIGN.md,
/// "Domain facts").
pub const LAW_ARTICLES: [&str; 4] = [
    "LGTAIP art. 128",
    "LGTAIP art. 132",
    "LGTAIP art. 142",
    "LFT art. 74",
];

/// One requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requisito {
    /// `R-<GROUP>-<NN>`, stable.
    pub id: String,
    /// What a conforming PNT does, in Spanish.
    pub texto: String,
    /// Where the requirement comes from.
    pub fuente: Fuente,
    /// The help page's phrase, the law article, or docs/pnt-api.md's section title.
    pub cita: String,
    /// Why no scenario can check it, when none does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sin_cubrir: Option<String>,
}

/// The kind of source a requirement cites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fuente {
    /// PNT's help page on the migration from Infomex.
    Ayuda,
    /// A law article.
    Ley,
    /// A section of docs/pnt-api.md.
    Api,
}

impl Requisito {
    /// The group part of the id: `VINC` of `R-VINC-01`.
    pub fn grupo(&self) -> &str {
        self.id
            .strip_prefix("R-")
            .and_then(|rest| rest.rsplit_once('-'))
            .map_or("", |(group, _)| group)
    }

    /// The source as the docs and reports cite it.
    pub fn fuente_texto(&self) -> String {
        match self.fuente {
            Fuente::Ayuda => format!("Ayuda de la PNT: «{}»", self.cita),
            Fuente::Ley => self.cita.clone(),
            Fuente::Api => format!("docs/pnt-api.md, «{}»", self.cita),
        }
    }
}

/// The parsed catalog.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogo {
    /// Group key (`VINC`) → its name. Groups are shown in the order of their first requirement.
    pub grupos: BTreeMap<String, String>,
    /// Every requirement, in catalog order.
    #[serde(rename = "requisito")]
    pub requisitos: Vec<Requisito>,
}

static CATALOGO: LazyLock<Catalogo> = LazyLock::new(|| {
    toml::from_str(CATALOG_TOML).expect("data/requisitos.toml is checked by tests/requisitos.rs")
});

/// The compiled-in catalog.
pub fn catalogo() -> &'static Catalogo {
    &CATALOGO
}

impl Catalogo {
    /// The requirement with this id.
    pub fn get(&self, id: &str) -> Option<&Requisito> {
        self.requisitos.iter().find(|r| r.id == id)
    }

    /// Every id, in catalog order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.requisitos.iter().map(|r| r.id.as_str())
    }

    /// The id closest to a mistyped one (`R-VINK-02` → `R-VINC-02`), for "¿quiso decir …?".
    pub fn sugerencia(&self, id: &str) -> Option<&str> {
        // pnt-model's `did_you_mean` compares in lower case: ids are upper case.
        let lower: Vec<String> = self.ids().map(str::to_lowercase).collect();
        let best = pnt_model::did_you_mean(id, lower.iter().map(String::as_str))?;
        self.ids().find(|known| known.eq_ignore_ascii_case(best))
    }

    /// The name of a group key (`VINC` → `Vinculación`).
    pub fn grupo<'a>(&'a self, key: &'a str) -> &'a str {
        self.grupos.get(key).map_or(key, String::as_str)
    }

    /// The requirements by group (its name), groups in the order of their first requirement.
    pub fn por_grupo(&self) -> Vec<(&str, Vec<&Requisito>)> {
        let mut out: Vec<(&str, Vec<&Requisito>)> = Vec::new();
        for r in &self.requisitos {
            let name = self.grupo(r.grupo());
            match out.iter_mut().find(|(g, _)| *g == name) {
                Some((_, list)) => list.push(r),
                None => out.push((name, vec![r])),
            }
        }
        out
    }
}

/// docs/requisitos.md, generated from the catalog.
pub fn markdown() -> String {
    let c = catalogo();
    let mut out = String::new();
    out.push_str(
        "# Requisitos\n\n\
         <!-- Generated from data/requisitos.toml by `UPDATE_DOCS=1 cargo test -p pnt-suite --test requisitos`; do not edit by hand. -->\n\n\
         What a conforming PNT does, numbered so that scenarios can say which requirements they check\n\
         (`requisitos: [R-…]`, docs/scenarios.md) and reports can group results by requirement.\n\
         `pnt-suite coverage scenarios/` shows which scenarios cover each one, and lists those no\n\
         scenario covers (each with the reason below). Ids are stable: a requirement is never\n\
         renumbered, and a retired id is never reused.\n\n\
         Every requirement cites its source, and `tests/requisitos.rs` checks that the citation is\n\
         there: a phrase of PNT's help page on the migration from Infomex (kept verbatim in\n\
         `data/ayuda-pnt-infomex.txt`), a law article (LGTAIP, Ley General de Transparencia y Acceso a\n\
         la Información Pública; LFT, Ley Federal del Trabajo), or a section of docs/pnt-api.md.\n",
    );
    for (grupo, requisitos) in c.por_grupo() {
        out.push_str(&format!(
            "\n## {grupo}\n\n| id | requisito | fuente |\n| --- | --- | --- |\n"
        ));
        for r in requisitos {
            let mut texto = r.texto.clone();
            if let Some(why) = &r.sin_cubrir {
                texto.push_str(&format!(" *Sin escenario: {why}.*"));
            }
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                r.id,
                texto.replace('|', "\\|"),
                r.fuente_texto().replace('|', "\\|")
            ));
        }
    }
    out
}
