//! `pnt-suite selftest`: the mutation self-test. The scenario suite runs against the embedded
//! reference server wrapped in each defect of the catalog ([`defecto`]); a defect some scenario
//! fails on is killed, one every scenario passes survives — and a surviving defect is a scenario
//! the suite lacks. The clean reference, through the same proxy, must pass everything first.
//!
//! - `defecto.rs` — **the** catalog (`defectos!`: id, layer, description, hints).
//! - `mutacion.rs` — what each defect does to a request or a response.
//! - `entorno.rs` — `Mutante`, the runner's `Environment` (the embedded one plus the proxy).
//!
//! The scenarios run through the runner's own engine (`run::run_until`, `--jobs` at a time):
//! there is no second runner.

pub mod defecto;
mod entorno;
mod mutacion;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

pub use defecto::{Capa, Defecto};
pub use entorno::Mutante;

use crate::cli::write_failed;
use crate::error::{CliError, Exit};
use crate::report::Outcome;
use crate::run::{self, Environment};
use crate::run_command::{ReportFormat, ReportSpec, check_report_paths};
use crate::scenario::{Instance, file_warnings, find_files, load_file};

#[derive(Debug, clap::Args)]
pub struct SelftestArgs {
    /// Archivos de escenario, o carpetas donde se buscan *.yaml y *.yml recursivamente; por
    /// omisión, scenarios/.
    #[arg(value_name = "RUTA")]
    pub paths: Vec<PathBuf>,
    /// Solo este defecto del catálogo (repetible; docs/selftest.md los lista); por omisión,
    /// todos.
    #[arg(long = "defect", value_name = "ID")]
    pub defects: Vec<String>,
    /// Modo rápido (para CI): un defecto muere con el primer escenario que lo detecta; primero
    /// corren los escenarios que deberían detectarlo y después, si hace falta, todos los demás.
    #[arg(long)]
    pub rapido: bool,
    /// También escribe el resultado en JSON: `json=RUTA`. La ruta se revisa antes de correr
    /// nada.
    #[arg(long, value_name = "json=RUTA")]
    pub report: Option<ReportSpec>,
    /// Escenarios ejecutados a la vez (cada uno va aislado); por omisión, uno por núcleo.
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
}

/// One defect's verdict.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Verdict {
    pub id: &'static str,
    pub layer: Capa,
    pub description: &'static str,
    /// The requirements (docs/requisitos.md) the defect breaks.
    pub requisitos: &'static [&'static str],
    pub killed: bool,
    /// The scenarios that failed under the defect (in `--rapido`, the first ones to).
    pub caught_by: Vec<String>,
    /// Why each of `caught_by` did not pass: its first failure (`check: message`), or why it
    /// could not be carried out. What a reader checks to trust the verdict.
    pub evidence: Vec<String>,
    /// How many scenarios ran to completion under it.
    pub ran: usize,
}

/// The JSON report (`--report json=FILE`).
#[derive(Debug, serde::Serialize)]
struct Informe<'a> {
    mode: &'static str,
    scenarios: usize,
    killed: usize,
    total: usize,
    score: f64,
    defects: &'a [Verdict],
}

/// How many scenario names a table row shows before "…".
const SHOWN: usize = 3;

/// How much of the first catch's failure a table row shows.
const EVIDENCE_CHARS: usize = 140;

pub(crate) fn run(args: &SelftestArgs, out: &mut dyn Write) -> Result<Exit, CliError> {
    if let Some(spec) = &args.report {
        if spec.format != ReportFormat::Json {
            return Err(CliError::bad_input(
                "informe_no_json",
                "selftest escribe su informe solo en JSON: dé --report json=RUTA",
            ));
        }
        check_report_paths(std::slice::from_ref(spec))?;
    }
    let defectos = chosen(&args.defects)?;
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("scenarios")]
    } else {
        args.paths.clone()
    };
    let mut instances = Vec::new();
    for file in find_files(&paths)? {
        let loaded = load_file(&file)?;
        for w in file_warnings(&loaded) {
            eprintln!("aviso: {}  [código: {}]", w.located(), w.code);
        }
        instances.extend(loaded);
    }
    if instances.is_empty() {
        return Err(CliError::bad_input(
            "sin_escenarios",
            "no hay archivos de escenario (*.yaml, *.yml) en las rutas dadas; revise las rutas",
        ));
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if jobs == 0 {
        return Err(CliError::bad_input(
            "jobs_invalido",
            "--jobs debe ser 1 o más",
        ));
    }
    let options = run::Options {
        jobs,
        ..run::Options::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            CliError::could_not_run("runtime", format!("no se pudo iniciar el runtime: {e}"))
        })?;
    let result = runtime.block_on(async {
        baseline(&instances, &options, out).await?;
        writeln!(
            out,
            "\n{:<9} {:<31} {:<11} detectado por",
            "veredicto", "defecto", "capa"
        )
        .map_err(write_failed)?;
        let mut verdicts = Vec::new();
        for d in &defectos {
            let verdict = judge(*d, &instances, &options, args.rapido).await;
            row(&verdict, out).map_err(write_failed)?;
            verdicts.push(verdict);
        }
        Ok::<_, CliError>(verdicts)
    });
    // Scenarios abandoned by `--rapido` may have blocking work (SQLite) in flight.
    runtime.shutdown_background();
    let verdicts = result?;
    let killed = verdicts.iter().filter(|v| v.killed).count();
    let total = verdicts.len();
    let score = 100.0 * killed as f64 / total as f64;
    if let Some(spec) = &args.report {
        let informe = Informe {
            mode: if args.rapido { "rapido" } else { "completo" },
            scenarios: instances.len(),
            killed,
            total,
            score,
            defects: &verdicts,
        };
        let text = serde_json::to_string_pretty(&informe).expect("the report serializes");
        std::fs::write(&spec.path, text + "\n").map_err(|e| {
            CliError::could_not_run(
                "informe_no_escrito",
                format!(
                    "no se pudo escribir {}: {e}; revise la ruta",
                    spec.path.display()
                ),
            )
        })?;
    }
    summary(&verdicts, killed, score, out).map_err(write_failed)?;
    Ok(if killed == total {
        Exit::Success
    } else {
        Exit::Failures
    })
}

/// The `--defect` ids, checked; every defect of the catalog without any.
pub(crate) fn chosen(ids: &[String]) -> Result<Vec<Defecto>, CliError> {
    if ids.is_empty() {
        return Ok(Defecto::ALL.to_vec());
    }
    let mut out = Vec::new();
    for id in ids {
        let Some(d) = Defecto::from_id(id) else {
            let hint = pnt_model::did_you_mean(id, Defecto::ALL.iter().map(|d| d.id()))
                .map(|s| format!(" ¿quiso decir «{s}»?"))
                .unwrap_or_default();
            return Err(CliError::bad_input(
                "defecto_desconocido",
                format!(
                    "--defect {id}: no es un defecto del catálogo;{hint} los defectos están en docs/selftest.md"
                ),
            ));
        };
        if !out.contains(&d) {
            out.push(d);
        }
    }
    Ok(out)
}

/// Runs every scenario through the proxy with no defect: the self-test means nothing unless
/// the clean reference passes them all.
async fn baseline(
    instances: &[Instance],
    options: &run::Options,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let env: Arc<dyn Environment> = Arc::new(Mutante::new(None));
    let (report, _) = run::run(env, instances.to_vec(), options, |_| {}).await;
    let failing: Vec<String> = report
        .scenarios
        .iter()
        .filter(|s| s.outcome != Outcome::Passed)
        .map(|s| format!("{} ({})", s.name, s.file.display()))
        .collect();
    if !failing.is_empty() {
        return Err(CliError::could_not_run(
            "referencia_no_pasa",
            format!(
                "la referencia sin defectos no pasa {} de {} escenarios, así que la autoprueba no \
                 diría nada: {}. Corra `pnt-suite run` con esos archivos, corrija los escenarios o \
                 la referencia y vuelva a intentarlo",
                failing.len(),
                report.scenarios.len(),
                failing.join("; ")
            ),
        ));
    }
    writeln!(
        out,
        "referencia sin defectos: {} escenarios pasan",
        report.scenarios.len()
    )
    .map_err(write_failed)
}

/// Whether a scenario's result shows the defect: it failed, or could not be carried out (the
/// clean baseline passed it, so the defect is what changed).
fn caught(outcome: Outcome) -> bool {
    matches!(outcome, Outcome::Failed | Outcome::Error)
}

/// Runs the scenarios under `d`. In `--rapido` the scenarios its hints name go first and the
/// run stops at the first one that fails.
async fn judge(
    d: Defecto,
    instances: &[Instance],
    options: &run::Options,
    rapido: bool,
) -> Verdict {
    let env: Arc<dyn Environment> = Arc::new(Mutante::new(Some(d)));
    let (report, _) = if rapido {
        let ordered = hinted_first(d, instances);
        let found = Arc::new(tokio::sync::Notify::new());
        let stop = {
            let found = found.clone();
            async move { found.notified().await }
        };
        run::run_until(
            env,
            ordered,
            options,
            |ran| {
                if caught(ran.report.outcome) {
                    found.notify_one();
                }
            },
            stop,
        )
        .await
    } else {
        run::run(env, instances.to_vec(), options, |_| {}).await
    };
    let catching: Vec<&crate::report::ScenarioReport> = report
        .scenarios
        .iter()
        .filter(|s| caught(s.outcome))
        .collect();
    let caught_by: Vec<String> = catching.iter().map(|s| s.name.clone()).collect();
    let evidence = catching
        .iter()
        .map(|s| match (s.failures.first(), &s.reason) {
            (Some(f), _) => format!("{}: {}", f.check, f.message),
            (None, Some(reason)) => reason.clone(),
            (None, None) => "sin detalle".to_owned(),
        })
        .collect();
    Verdict {
        id: d.id(),
        layer: d.capa(),
        description: d.descripcion(),
        requisitos: d.requisitos(),
        killed: !caught_by.is_empty(),
        caught_by,
        evidence,
        ran: report.scenarios.len(),
    }
}

/// The instances, those in the files `d`'s hints name first (in hint order), then the others
/// in their order.
fn hinted_first(d: Defecto, instances: &[Instance]) -> Vec<Instance> {
    let rank = |i: &Instance| {
        let stem = i.file.with_extension("");
        d.pistas()
            .iter()
            .position(|p| stem.ends_with(p))
            .unwrap_or(usize::MAX)
    };
    let mut ordered = instances.to_vec();
    ordered.sort_by_key(rank);
    ordered
}

fn row(v: &Verdict, out: &mut dyn Write) -> std::io::Result<()> {
    let verdict = if v.killed { "muerto" } else { "VIVO" };
    let by = if v.caught_by.is_empty() {
        format!("ningún escenario ({} corridos)", v.ran)
    } else {
        let mut names: Vec<&str> = v.caught_by.iter().take(SHOWN).map(String::as_str).collect();
        if v.caught_by.len() > SHOWN {
            names.push("…");
        }
        format!(
            "{} {}: {}",
            v.caught_by.len(),
            if v.caught_by.len() == 1 {
                "escenario"
            } else {
                "escenarios"
            },
            names.join("; ")
        )
    };
    writeln!(out, "{verdict:<9} {:<31} {:<11} {by}", v.id, v.layer.id())?;
    writeln!(out, "{:<9} ↳ rompe {}", "", v.requisitos.join(", "))?;
    if let Some(first) = v.evidence.first() {
        // The first catch's first failure, on one line: enough to see it is the defect's doing.
        let line = first.lines().next().unwrap_or_default();
        let short: String = line.chars().take(EVIDENCE_CHARS).collect();
        let more = if line.chars().count() > EVIDENCE_CHARS {
            "…"
        } else {
            ""
        };
        writeln!(out, "{:<9} ↳ {short}{more}", "")?;
    }
    out.flush()
}

fn summary(
    verdicts: &[Verdict],
    killed: usize,
    score: f64,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(
        out,
        "\npuntuación de mutación: {killed}/{} defectos detectados ({score:.1} %)",
        verdicts.len()
    )?;
    let survivors: Vec<&str> = verdicts
        .iter()
        .filter(|v| !v.killed)
        .map(|v| v.id)
        .collect();
    if !survivors.is_empty() {
        let (verb, noun) = if survivors.len() == 1 {
            ("sobrevive", "defecto")
        } else {
            ("sobreviven", "defectos")
        };
        writeln!(
            out,
            "{verb} {} {noun}: {}\nun defecto que ningún escenario detecta es un escenario \
             que falta: agregue uno que lo detecte (docs/selftest.md)",
            survivors.len(),
            survivors.join(", ")
        )?;
    }
    out.flush()
}
