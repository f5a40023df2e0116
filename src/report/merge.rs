//! `pnt-suite report merge FILE.json...`: joins the JSON reports of the parts of one
//! `run --shard K/N` (one per CI machine) into the report the unsharded run would have written,
//! rendered by the same renderers, and exits as that run would have.
//!
//! Order: `--shard` deals the selection (files in path order, each file's matrix instances in
//! file order) round-robin, so instance `i` of the selection is the `i / N`-th scenario of part
//! `i % N + 1`. The merge deals them back, which gives exactly the unsharded run's order.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::{RunReport, ShardInfo};
use crate::cli::write_failed;
use crate::error::{CliError, Exit};
use crate::run_command::{ReportSpec, check_report_paths, write_report};

#[derive(Debug, clap::Subcommand)]
pub enum ReportCommand {
    /// Une los informes JSON de los fragmentos de una corrida (`run --shard K/N --report
    /// json=…`, uno por máquina) en el informe que habría dado la corrida sin fragmentar; sale
    /// como ella (0, 1 o 3), o con 2 si los informes no son fragmentos completos de una misma
    /// corrida.
    Merge(MergeArgs),
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Los informes JSON de los fragmentos, en cualquier orden: todos los de la corrida.
    #[arg(required = true, value_name = "INFORME.json")]
    pub files: Vec<PathBuf>,
    /// También escribe el informe combinado: `json=RUTA`, `junit=RUTA` o `html=RUTA`
    /// (repetible).
    #[arg(long, value_name = "FORMATO=RUTA")]
    pub report: Vec<ReportSpec>,
    /// Como en `run --require-all`: el informe combinado no sale con 0 si algún escenario no
    /// aplicó o alguna instantánea quedó sin comparar (una afirmación de conformidad completa).
    #[arg(long)]
    pub require_all: bool,
}

/// The code of every refusal to merge: the inputs are not the complete parts of one run.
const NO_COMBINABLES: &str = "informes_no_combinables";

pub(crate) fn run(command: &ReportCommand, out: &mut dyn Write) -> Result<Exit, CliError> {
    let ReportCommand::Merge(args) = command;
    check_report_paths(&args.report)?;
    let mut parts = Vec::new();
    for file in &args.files {
        parts.push((file.clone(), read(file)?));
    }
    let merged = merge(parts)?;
    for spec in &args.report {
        write_report(&merged.report, spec)?;
    }
    let n = merged.shard_parts;
    let report = merged.report;
    let options = super::human::Options {
        require_all: args.require_all,
        ..super::human::Options::for_stdout()
    };
    writeln!(
        out,
        "Informe combinado de {n} fragmentos: {} escenarios, en el orden de la corrida sin fragmentar.",
        report.scenarios.len()
    )
    .and_then(|()| super::human::summary(&report, options, out))
    .and_then(|()| out.flush())
    .map_err(write_failed)?;
    Ok(report.exit_with(args.require_all))
}

/// A merged report and how many parts it was made of.
#[derive(Debug)]
pub struct Merged {
    pub report: RunReport,
    pub shard_parts: usize,
}

/// The JSON report as `run --report json=` writes it; what is derived from the scenarios
/// (`counts`, `exercised`, `requisitos`) is computed again from them.
#[derive(Deserialize)]
struct Document {
    format: u32,
    #[serde(flatten)]
    report: RunReport,
}

/// Reads one part's JSON report.
pub fn read(path: &Path) -> Result<RunReport, CliError> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| {
        CliError::bad_input(
            "informe_ilegible",
            format!(
                "no se pudo leer {shown}: {}; revise la ruta",
                crate::error::io_cause(&e)
            ),
        )
    })?;
    // The format first: a report of another version is named as such, not as broken JSON.
    #[derive(Deserialize)]
    struct Format {
        format: Option<u32>,
    }
    let format = serde_json::from_slice::<Format>(&bytes)
        .ok()
        .and_then(|f| f.format);
    if let Some(format) = format
        && format != super::json::FORMAT
    {
        return Err(CliError::bad_input(
            "informe_de_otro_formato",
            format!(
                "{shown} es un informe de formato {format} y este pnt-suite lee el {}; combine informes escritos por la misma versión de pnt-suite",
                super::json::FORMAT
            ),
        ));
    }
    let doc: Document = serde_json::from_slice(&bytes).map_err(|e| {
        CliError::bad_input(
            "informe_invalido",
            format!(
                "{shown} no es un informe JSON de `pnt-suite run` ({e}); dé los archivos de `--report json=`"
            ),
        )
    })?;
    debug_assert_eq!(doc.format, super::json::FORMAT);
    Ok(doc.report)
}

/// Joins the parts (any order) into the unsharded run's report, refusing anything that is not
/// every part of one run exactly once.
pub fn merge(parts: Vec<(PathBuf, RunReport)>) -> Result<Merged, CliError> {
    let refuse = |message: String| CliError::bad_input(NO_COMBINABLES, message);
    let mut infos: Vec<(PathBuf, ShardInfo, RunReport)> = Vec::new();
    for (path, report) in parts {
        let shown = path.display();
        let Some(info) = report.shard.clone() else {
            return Err(refuse(format!(
                "{shown} no es el informe de un fragmento: no dice qué parte es (`shard`); combine los informes de `run --shard K/N --report json=…`"
            )));
        };
        if report.interrupted {
            return Err(refuse(format!(
                "{shown} es del fragmento {}/{}, que se interrumpió antes de terminar; vuelva a correr ese fragmento",
                info.k, info.n
            )));
        }
        infos.push((path, info, report));
    }
    let (first_path, first, first_report) = infos[0].clone();
    for (path, info, report) in &infos[1..] {
        let pair = format!("{} y {}", first_path.display(), path.display());
        if report.target != first_report.target {
            return Err(refuse(format!(
                "{pair} se corrieron contra destinos distintos; combine solo fragmentos de una corrida"
            )));
        }
        if report.seed != first_report.seed {
            return Err(refuse(format!(
                "{pair} se corrieron con semillas distintas (--seed); combine solo fragmentos de una corrida"
            )));
        }
        if info.n != first.n || info.selected != first.selected || info.selection != first.selection
        {
            return Err(refuse(format!(
                "{pair} son fragmentos de selecciones distintas (otras rutas, --filter, --matrix, --shard …/N o escenarios cambiados); combine solo fragmentos de una corrida"
            )));
        }
    }
    let n = first.n;
    let mut by_part: Vec<Option<(PathBuf, RunReport)>> = vec![None; n];
    for (path, info, report) in infos {
        let slot = &mut by_part[info.k - 1];
        if let Some((earlier, _)) = slot {
            return Err(refuse(format!(
                "{} y {} son los dos el fragmento {}/{n}: sus escenarios se contarían dos veces; dé cada fragmento una sola vez",
                earlier.display(),
                path.display(),
                info.k
            )));
        }
        *slot = Some((path, report));
    }
    let missing: Vec<String> = by_part
        .iter()
        .enumerate()
        .filter(|(_, p)| p.is_none())
        .map(|(k, _)| format!("{}/{n}", k + 1))
        .collect();
    if !missing.is_empty() {
        return Err(refuse(format!(
            "faltan los fragmentos {}: sin ellos los totales no son los de la corrida; agregue sus informes",
            missing.join(", ")
        )));
    }
    let parts: Vec<(PathBuf, RunReport)> = by_part.into_iter().flatten().collect();
    let selected = first.selected;
    for (k, (path, report)) in parts.iter().enumerate() {
        // Round-robin: part k+1 holds the instances k, k+n, k+2n, … of the selection.
        let expected = (selected + n - 1 - k) / n;
        if report.scenarios.len() != expected {
            return Err(refuse(format!(
                "{} (fragmento {}/{n}) tiene {} escenarios y ese fragmento de {selected} tiene {expected}; vuelva a correr ese fragmento",
                path.display(),
                k + 1,
                report.scenarios.len()
            )));
        }
    }
    let mut scenarios = Vec::with_capacity(selected);
    for i in 0..selected {
        scenarios.push(parts[i % n].1.scenarios[i / n].clone());
    }
    // A scenario twice means the parts were not dealt from one selection after all.
    let mut seen = std::collections::HashSet::new();
    for s in &scenarios {
        if !seen.insert((&s.file, &s.name)) {
            return Err(refuse(format!(
                "el escenario «{}» ({}) está en más de un fragmento; combine solo fragmentos de una corrida",
                s.name,
                s.file.display()
            )));
        }
    }
    let mut expectations: Vec<super::ExpectationProblem> = Vec::new();
    for (_, report) in &parts {
        for e in &report.expectations {
            // An entry that "now passes" in one part may still fail in another: the merged
            // run says it passes only when no part marked a failure known by it.
            let known_elsewhere = e.codigo == super::expected::YA_PASA
                && scenarios
                    .iter()
                    .any(|s| s.known_failure.as_ref().is_some_and(|k| k.id == e.entry.id));
            if !known_elsewhere && !expectations.contains(e) {
                expectations.push(e.clone());
            }
        }
    }
    let report = RunReport {
        target: first_report.target.clone(),
        seed: first_report.seed,
        scenarios,
        interrupted: false,
        unfinished: 0,
        // The parts ran side by side: the run took as long as its slowest part.
        duration: parts
            .iter()
            .map(|(_, r)| r.duration)
            .max()
            .unwrap_or(Duration::ZERO),
        expectations,
        shard: None,
    };
    Ok(Merged {
        report,
        shard_parts: n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Target, sample};

    /// The sample run with known failures (3 scenarios) as its two `--shard K/2` parts would
    /// report it: each part judges `--expect-failures` on its own scenarios, so both name the
    /// expired entry, and part 1 (where an instance of the listed file passed) says the
    /// `ventana-de-queja` entry "now passes" while part 2 still marks it a known failure.
    type Parts = Vec<(PathBuf, RunReport)>;

    fn parts() -> (RunReport, Parts) {
        let whole = sample::with_known_failures();
        let info = |k| ShardInfo {
            k,
            n: 2,
            selected: 3,
            selection: "x".repeat(64),
        };
        let mut one = whole.clone();
        one.scenarios = vec![whole.scenarios[0].clone(), whole.scenarios[2].clone()];
        one.shard = Some(info(1));
        let mut now_passes = whole.expectations[1].clone();
        now_passes.entry = whole.scenarios[1].known_failure.clone().unwrap();
        one.expectations.push(now_passes);
        let mut two = whole.clone();
        two.scenarios = vec![whole.scenarios[1].clone()];
        two.shard = Some(info(2));
        two.expectations = vec![whole.expectations[0].clone()];
        two.duration = whole.duration * 2;
        (
            whole,
            vec![("parte-2.json".into(), two), ("parte-1.json".into(), one)],
        )
    }

    #[test]
    fn parts_merge_back_into_the_whole_run() {
        let (whole, parts) = parts();
        let merged = merge(parts).unwrap();
        assert_eq!(merged.shard_parts, 2);
        assert_eq!(merged.report.scenarios, whole.scenarios);
        // The expired entry once; "now passes" only where no part still knows the failure.
        assert_eq!(merged.report.expectations, whole.expectations);
        assert_eq!(merged.report.exit(), whole.exit());
        assert_eq!(merged.report.duration, whole.duration * 2);
        assert_eq!(merged.report.shard, None);
    }

    #[test]
    fn a_part_short_of_its_share_interrupted_or_of_another_run_is_refused() {
        let refused = |change: &dyn Fn(&mut Parts)| {
            let (_, mut parts) = parts();
            change(&mut parts);
            let e = merge(parts).unwrap_err();
            assert_eq!((e.code, e.exit), (NO_COMBINABLES, Exit::BadInput));
            e.message
        };
        let m = refused(&|p| p[0].1.scenarios.clear());
        assert!(
            m.contains("tiene 0 escenarios y ese fragmento de 3 tiene 1"),
            "{m}"
        );
        let m = refused(&|p| p[1].1.interrupted = true);
        assert!(m.contains("se interrumpió"), "{m}");
        let m = refused(&|p| p[0].1.shard.as_mut().unwrap().selection = "y".repeat(64));
        assert!(m.contains("selecciones distintas"), "{m}");
        let m = refused(&|p| p[0].1.seed = Some(9));
        assert!(m.contains("semillas distintas"), "{m}");
        let m = refused(&|p| {
            p[0].1.target = Target::External {
                url: "http://x".into(),
                flags: vec![],
            }
        });
        assert!(m.contains("destinos distintos"), "{m}");
        let m = refused(&|p| p[0].1.shard.as_mut().unwrap().k = 1);
        assert!(m.contains("son los dos el fragmento 1/2"), "{m}");
        let m = refused(&|p| {
            p.remove(0);
        });
        assert!(m.contains("faltan los fragmentos 2/2"), "{m}");
    }
}
