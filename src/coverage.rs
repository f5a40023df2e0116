//! `pnt-suite coverage [PATHS...]`: what the scenarios cover, without running them — the matrix
//! requirement × scenario (from each file's `requisitos`), the matrix jurisdiction × fault kind ×
//! operation (from each instance's accounts, its `vincular` steps and its faults, at the start
//! and in `faults` steps), and the requirements no scenario covers. An uncovered requirement
//! without a stated reason (`sin_cubrir` in data/requisitos.toml) exits 1.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use infomex_sim::{Endpoint, FaultKindName, FaultSpec};
use pnt_model::Jurisdiccion;
use serde::Serialize;

use crate::cli::{Format, write_failed};
use crate::error::{CliError, Exit};
use crate::requisitos::catalogo;
use crate::scenario::{Action, Instance, find_files, load_file};

#[derive(Debug, clap::Args)]
pub struct CoverageArgs {
    /// Archivos de escenario, o carpetas donde se buscan *.yaml y *.yml recursivamente (por
    /// omisión, scenarios/).
    #[arg(value_name = "RUTA", default_value = "scenarios")]
    pub paths: Vec<PathBuf>,
    /// Formato de salida.
    #[arg(long, value_enum, default_value_t = Format::Text, value_name = "FORMATO")]
    pub format: Format,
}

/// The code of a requirement that no scenario covers and whose catalog entry gives no reason.
pub const SIN_CUBRIR: &str = "requisito_sin_cubrir";

/// What `coverage` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Every requirement of the catalog, in catalog order, with the scenario files that declare
    /// it.
    pub requisitos: Vec<RequisitoCoverage>,
    /// Jurisdiction × fault kind × operation: each combination some scenario exercises, with
    /// the files that do. `operacion` is the simulator's endpoint the fault hits, or `*` for a
    /// fault that hits any.
    pub fallas: Vec<FaultCoverage>,
    /// Fault kinds of the simulator's catalog that no scenario uses.
    pub fallas_sin_escenario: Vec<String>,
    /// Uncovered requirements that give no reason (each makes `coverage` exit 1).
    pub sin_cubrir_sin_razon: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequisitoCoverage {
    pub id: String,
    pub texto: String,
    pub escenarios: Vec<String>,
    /// The catalog's reason why no scenario covers it, when it gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sin_cubrir: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FaultCoverage {
    pub falla: String,
    pub operacion: String,
    pub jurisdiccion: String,
    pub escenarios: Vec<String>,
}

/// A file as the matrices name it: relative to the path given that holds it.
fn shown(file: &Path, roots: &[PathBuf]) -> String {
    roots
        .iter()
        .filter(|r| r.is_dir())
        .find_map(|r| file.strip_prefix(r).ok())
        .unwrap_or(file)
        .display()
        .to_string()
}

fn endpoint_name(e: Endpoint) -> String {
    serde_json::to_value(e)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The jurisdictions an instance touches: its accounts' and its `vincular` steps'.
fn jurisdictions(instance: &Instance) -> BTreeSet<Jurisdiccion> {
    let s = &instance.scenario;
    let mut out: BTreeSet<Jurisdiccion> =
        s.infomex.accounts.iter().map(|a| a.jurisdiccion).collect();
    for step in s.all_steps() {
        if let Action::Vincular(v) = &step.action {
            out.insert(v.jurisdiccion);
        }
    }
    out
}

/// Every fault an instance plans: at the start and in `faults` steps.
fn faults(instance: &Instance) -> Vec<&FaultSpec> {
    let s = &instance.scenario;
    let mut out: Vec<&FaultSpec> = s.infomex.faults.iter().map(|f| &f.value).collect();
    for step in s.all_steps() {
        if let Action::Faults(list) = &step.action {
            out.extend(list.iter().map(|f| &f.value));
        }
    }
    out
}

/// Computes the coverage of `instances` (all instances of every file), naming files relative
/// to `roots`.
pub fn compute(instances: &[Instance], roots: &[PathBuf]) -> Coverage {
    let c = catalogo();
    let mut by_req: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut cells: BTreeMap<(String, String, String), BTreeSet<String>> = BTreeMap::new();
    let mut kinds_used: std::collections::HashSet<FaultKindName> = Default::default();
    for instance in instances {
        let file = shown(&instance.file, roots);
        for id in &instance.scenario.requisitos {
            by_req.entry(&id.value).or_default().insert(file.clone());
        }
        let touched = jurisdictions(instance);
        for fault in faults(instance) {
            kinds_used.insert(fault.kind);
            let places: Vec<Jurisdiccion> = match fault.jurisdiccion {
                Some(j) => vec![j],
                None => touched.iter().copied().collect(),
            };
            let operations: Vec<String> = match (fault.endpoint, fault.kind.endpoints()) {
                (Some(e), _) => vec![endpoint_name(e)],
                (None, Some(list)) => list.iter().map(|e| endpoint_name(*e)).collect(),
                (None, None) => vec!["*".to_owned()],
            };
            for j in &places {
                for op in &operations {
                    cells
                        .entry((
                            fault.kind.name().to_owned(),
                            op.clone(),
                            j.slug().to_owned(),
                        ))
                        .or_default()
                        .insert(file.clone());
                }
            }
        }
    }
    let requisitos: Vec<RequisitoCoverage> = c
        .requisitos
        .iter()
        .map(|r| RequisitoCoverage {
            id: r.id.clone(),
            texto: r.texto.clone(),
            escenarios: by_req
                .get(r.id.as_str())
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default(),
            sin_cubrir: r.sin_cubrir.clone(),
        })
        .collect();
    let sin_cubrir_sin_razon = requisitos
        .iter()
        .filter(|r| r.escenarios.is_empty() && r.sin_cubrir.is_none())
        .map(|r| r.id.clone())
        .collect();
    Coverage {
        requisitos,
        fallas: cells
            .into_iter()
            .map(|((falla, operacion, jurisdiccion), files)| FaultCoverage {
                falla,
                operacion,
                jurisdiccion,
                escenarios: files.into_iter().collect(),
            })
            .collect(),
        fallas_sin_escenario: FaultKindName::ALL
            .iter()
            .filter(|k| !kinds_used.contains(k))
            .map(|k| k.name().to_owned())
            .collect(),
        sin_cubrir_sin_razon,
    }
}

/// `pnt-suite coverage`.
pub(crate) fn run(args: &CoverageArgs, out: &mut dyn Write) -> Result<Exit, CliError> {
    let files = find_files(&args.paths)?;
    let mut instances = Vec::new();
    for file in &files {
        instances.extend(load_file(file)?);
    }
    if instances.is_empty() {
        return Err(CliError::bad_input(
            "sin_escenarios",
            "no hay archivos de escenario (*.yaml, *.yml) en las rutas dadas; revise las rutas",
        ));
    }
    let coverage = compute(&instances, &args.paths);
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &coverage)
                .map_err(std::io::Error::other)
                .and_then(|()| writeln!(out))
                .map_err(write_failed)?;
        }
        Format::Text => text(&coverage, files.len(), out).map_err(write_failed)?,
    }
    if coverage.sin_cubrir_sin_razon.is_empty() {
        Ok(Exit::Success)
    } else {
        Ok(Exit::Failures)
    }
}

fn text(c: &Coverage, files: usize, out: &mut dyn Write) -> std::io::Result<()> {
    let covered = c
        .requisitos
        .iter()
        .filter(|r| !r.escenarios.is_empty())
        .count();
    writeln!(
        out,
        "Requisito × escenario ({covered} de {} requisitos con escenario, {files} archivos):",
        c.requisitos.len()
    )?;
    for r in &c.requisitos {
        if r.escenarios.is_empty() {
            writeln!(out, "  {:<11} —", r.id)?;
        } else {
            writeln!(
                out,
                "  {:<11} {}  {}",
                r.id,
                r.escenarios.len(),
                r.escenarios.join(", ")
            )?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "Jurisdicción × falla × operación ({} combinaciones; `*` = cualquier operación):",
        c.fallas.len()
    )?;
    // One line per fault kind and operation, its jurisdictions and files after it.
    // (fault kind, operation) → (jurisdictions, files).
    type Row<'a> = (Vec<&'a str>, BTreeSet<&'a str>);
    let mut rows: BTreeMap<(&str, &str), Row<'_>> = BTreeMap::new();
    for f in &c.fallas {
        let row = rows
            .entry((f.falla.as_str(), f.operacion.as_str()))
            .or_default();
        row.0.push(&f.jurisdiccion);
        row.1.extend(f.escenarios.iter().map(String::as_str));
    }
    for ((falla, op), (places, files)) in &rows {
        writeln!(
            out,
            "  {falla:<17} {op:<8} {}  ← {}",
            places.join(", "),
            files.iter().copied().collect::<Vec<_>>().join(", ")
        )?;
    }
    if !c.fallas_sin_escenario.is_empty() {
        writeln!(
            out,
            "  Fallas del catálogo sin escenario: {}",
            c.fallas_sin_escenario.join(", ")
        )?;
    }
    writeln!(out)?;
    let uncovered: Vec<&RequisitoCoverage> = c
        .requisitos
        .iter()
        .filter(|r| r.escenarios.is_empty())
        .collect();
    if uncovered.is_empty() {
        writeln!(out, "Todos los requisitos tienen al menos un escenario.")?;
        return Ok(());
    }
    writeln!(out, "Requisitos sin escenario:")?;
    for r in uncovered {
        match &r.sin_cubrir {
            Some(why) => writeln!(out, "  – {}: {}", r.id, why)?,
            None => writeln!(
                out,
                "  ✗ {}: ningún escenario lo declara y el catálogo no dice por qué; añada un escenario con `requisitos: [{}]` o `sin_cubrir = \"…\"` en data/requisitos.toml  [código: {SIN_CUBRIR}]",
                r.id, r.id
            )?,
        }
    }
    Ok(())
}
