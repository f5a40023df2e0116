//! The catalog of requirements (data/requisitos.toml) is held to what it cites and to its page:
//! every id is well formed and unique, every citation is found in its source (the help page's
//! text, the law articles of the design's verified facts, a section title of docs/pnt-api.md),
//! docs/requisitos.md is generated from it, and every shipped scenario declares requirements.
//!
//! Regenerate the page with `UPDATE_DOCS=1 cargo test -p pnt-suite --test requisitos`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pnt_suite::requisitos::{Fuente, LAW_ARTICLES, Requisito, catalogo, markdown};
use pnt_suite::scenario::{code, find_files, load_file, load_str};

fn read(path: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What is wrong with one requirement's id and citation, given the sources' texts.
fn problems(r: &Requisito, ayuda: &str, api_sections: &BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    let well_formed = r.id.strip_prefix("R-").is_some_and(|rest| {
        rest.rsplit_once('-').is_some_and(|(group, n)| {
            !group.is_empty()
                && group.chars().all(|c| c.is_ascii_uppercase())
                && n.len() == 2
                && n.chars().all(|c| c.is_ascii_digit())
        })
    });
    if !well_formed {
        out.push(format!("{}: an id is R-<GROUP>-<NN>", r.id));
    }
    if !catalogo().grupos.contains_key(r.grupo()) {
        out.push(format!(
            "{}: group `{}` has no name in [grupos]",
            r.id,
            r.grupo()
        ));
    }
    let cited = match r.fuente {
        Fuente::Ayuda => ayuda.contains(&r.cita),
        Fuente::Ley => LAW_ARTICLES.contains(&r.cita.as_str()),
        Fuente::Api => api_sections.contains(&r.cita),
    };
    if !cited {
        out.push(format!(
            "{}: `{}` is not in its source ({:?})",
            r.id, r.cita, r.fuente
        ));
    }
    if r.texto.trim().is_empty() {
        out.push(format!("{}: no texto", r.id));
    }
    out
}

/// The help page as a reader sees it: without Markdown's `**` marks.
fn ayuda() -> String {
    read("data/ayuda-pnt-infomex.txt").replace("**", "")
}

/// The titles of docs/pnt-api.md's sections, without the leading `#`s.
fn api_sections() -> BTreeSet<String> {
    read("docs/pnt-api.md")
        .lines()
        .filter(|l| l.starts_with("## ") || l.starts_with("### "))
        .map(|l| l.trim_start_matches('#').trim().to_owned())
        .collect()
}

#[test]
fn every_requirement_is_well_formed_unique_and_cited_where_it_says() {
    let c = catalogo();
    assert!(
        (30..=60).contains(&c.requisitos.len()),
        "{} requirements",
        c.requisitos.len()
    );
    let (ayuda, sections) = (ayuda(), api_sections());
    let mut all: Vec<String> = c
        .requisitos
        .iter()
        .flat_map(|r| problems(r, &ayuda, &sections))
        .collect();
    let mut seen = BTreeSet::new();
    for r in &c.requisitos {
        if !seen.insert(&r.id) {
            all.push(format!("{} is declared twice", r.id));
        }
    }
    assert!(all.is_empty(), "{all:#?}");
}

#[test]
fn a_citation_that_is_not_in_its_source_is_found() {
    // The check above must be able to fail: a phrase the help page does not hold, an article
    // outside the verified facts, a section docs/pnt-api.md lacks, a malformed id.
    let (ayuda, sections) = (ayuda(), api_sections());
    let good = catalogo().requisitos[0].clone();
    assert!(problems(&good, &ayuda, &sections).is_empty());
    let broken = [
        Requisito {
            cita: "consulte con el administrador".into(),
            fuente: Fuente::Ayuda,
            ..good.clone()
        },
        Requisito {
            cita: "LGTAIP art. 999".into(),
            fuente: Fuente::Ley,
            ..good.clone()
        },
        Requisito {
            cita: "Linkage results".into(),
            fuente: Fuente::Api,
            ..good.clone()
        },
        Requisito {
            id: "R-VINC-1".into(),
            ..good.clone()
        },
        Requisito {
            id: "R-NADA-01".into(),
            ..good
        },
    ];
    for r in &broken {
        assert_eq!(problems(r, &ayuda, &sections).len(), 1, "{r:?}");
    }
}

#[test]
fn docs_requisitos_is_generated_from_the_catalog() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/requisitos.md");
    let generated = markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/requisitos.md is not what data/requisitos.toml gives; regenerate it with\n\n    \
         UPDATE_DOCS=1 cargo test -p pnt-suite --test requisitos\n\nand commit the result."
    );
    // Every requirement has its row.
    for id in catalogo().ids() {
        assert!(committed.contains(&format!("| {id} |")), "{id}");
    }
}

#[test]
fn every_shipped_scenario_declares_the_requirements_it_checks() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut untagged = Vec::new();
    for file in find_files(&[root]).unwrap() {
        let instances = load_file(&file).unwrap();
        if instances[0].scenario.requisitos.is_empty() {
            untagged.push(file.display().to_string());
        }
    }
    assert!(
        untagged.is_empty(),
        "add `requisitos: [R-…]` (docs/requisitos.md) to: {untagged:#?}"
    );
}

#[test]
fn an_unknown_requirement_is_refused_with_a_suggestion() {
    let text = "name: x\nrequisitos: [R-VINC-01, R-VINK-02]\nsteps: []\n";
    let err = load_str(Path::new("x.yaml"), text).unwrap_err();
    assert_eq!(err.code, code::REQUISITO_DESCONOCIDO);
    assert!(err.message.contains("`R-VINK-02`"), "{}", err.message);
    assert!(
        err.message.contains("¿quiso decir `R-VINC-02`?"),
        "{}",
        err.message
    );
    assert_eq!(err.pos.map(|p| (p.line, p.column)), Some((2, 25)));
    let far = "name: x\nrequisitos: [nada]\nsteps: []\n";
    let err = load_str(Path::new("x.yaml"), far).unwrap_err();
    assert!(
        err.message.contains("docs/requisitos.md"),
        "{}",
        err.message
    );
}

#[test]
fn check_names_an_unknown_requirement_with_its_code_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.yaml");
    std::fs::write(
        &file,
        "name: x\nrequisitos: [R-QUEJA-1]\npnt:\n  users:\n    ana: {}\nsteps:\n  - registrar: ana\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pnt-suite"))
        .args(["check", file.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains(
            "x.yaml:2:14: requisito desconocido `R-QUEJA-1`; ¿quiso decir `R-QUEJA-01`?  [código: requisito_desconocido]"
        ),
        "{stdout}"
    );
}
