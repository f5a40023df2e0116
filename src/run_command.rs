//! `pnt-suite run PATHS...`: runs scenarios against the embedded reference server or a
//! `--target`, prints the report, writes `--report` files, and exits 0 / 1 / 2 / 3.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::cli::write_failed;
use crate::error::{CliError, Exit};
use crate::report::{self, RunReport, human};
use crate::run::{self, Embedded, Environment, External, MatrixFilter, Selection, Shard};
use crate::scenario::{find_files, load_file};

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario files, or folders searched recursively for *.yaml and *.yml.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// A server implementing the PNT API (docs/pnt-api.md); default: the embedded reference
    /// server, fresh for each scenario.
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,
    /// Where the simulator listens when testing a `--target` (the target's Infomex base URL
    /// must point there).
    #[arg(
        long,
        value_name = "HOST:PORT",
        requires = "target",
        default_value = "127.0.0.1:8090"
    )]
    pub sim_addr: SocketAddr,
    /// Token for the simulator's admin API when `--sim-addr` is not a loopback address.
    #[arg(long, value_name = "TOKEN")]
    pub admin_token: Option<String>,
    /// Scenarios run at the same time (embedded target only; each is isolated).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Only scenarios whose name or file contains TEXT (case-insensitive; repeatable: any).
    #[arg(long, value_name = "TEXT")]
    pub filter: Vec<String>,
    /// Only matrix instances with this value (repeatable: all).
    #[arg(long, value_name = "NAME=VALUE")]
    pub matrix: Vec<MatrixFilter>,
    /// Only the K-th of N parts of the selection, to split a run across CI machines.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Seed for every scenario, instead of each file's.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Time limit, in seconds, of one request to the target. A linkage is one request, however
    /// large the account: raise it for big accounts or a slow target.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,
    /// Also write the report: `json=PATH` or `junit=PATH` (repeatable).
    #[arg(long, value_name = "FORMAT=PATH")]
    pub report: Vec<ReportSpec>,
}

/// `--report json=PATH` / `--report junit=PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSpec {
    pub format: ReportFormat,
    pub path: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    Junit,
}

impl std::str::FromStr for ReportSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<ReportSpec, String> {
        let bad = || format!("«{s}» no es un informe: escriba json=RUTA o junit=RUTA");
        let (format, path) = s.split_once('=').ok_or_else(bad)?;
        let format = match format {
            "json" => ReportFormat::Json,
            "junit" => ReportFormat::Junit,
            _ => return Err(bad()),
        };
        if path.is_empty() {
            return Err(bad());
        }
        Ok(ReportSpec {
            format,
            path: PathBuf::from(path),
        })
    }
}

pub(crate) fn run(args: &RunArgs, out: &mut dyn Write) -> Result<Exit, CliError> {
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
    let selection = Selection {
        filters: args.filter.clone(),
        matrix: args.matrix.clone(),
        shard: args.shard,
    };
    let selected = selection.apply(instances);
    if selected.is_empty() {
        return Err(CliError::bad_input(
            "seleccion_vacia",
            "ningún escenario coincide con --filter, --matrix y --shard; revise los filtros",
        ));
    }
    let env: Arc<dyn Environment> = match &args.target {
        None => Arc::new(Embedded),
        Some(url) => Arc::new(External::new(
            url.clone(),
            args.sim_addr,
            args.admin_token.clone(),
        )),
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if jobs == 0 {
        return Err(CliError::bad_input(
            "jobs_invalido",
            "--jobs debe ser 1 o más",
        ));
    }
    if args.timeout == 0 {
        return Err(CliError::bad_input(
            "timeout_invalido",
            "--timeout debe ser 1 segundo o más",
        ));
    }
    let options = run::Options {
        jobs,
        seed: args.seed,
        timeout: std::time::Duration::from_secs(args.timeout),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            CliError::could_not_run("runtime", format!("no se pudo iniciar el runtime: {e}"))
        })?;

    let total = selected.len() as u64;
    let progress = (std::io::stderr().is_terminal() && total > 1).then(|| {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} escenarios  {elapsed}  {msg}",
            )
            .expect("a valid template"),
        );
        bar
    });
    let (report, _ran) = runtime.block_on(run::run(env, selected, &options, |ran| {
        if let Some(bar) = &progress {
            bar.set_message(ran.report.name.clone());
            bar.inc(1);
        }
    }));
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    human::render(&report, human::Options::for_stdout(), out).map_err(write_failed)?;
    for spec in &args.report {
        write_report(&report, spec)?;
    }
    Ok(report.exit())
}

fn write_report(report: &RunReport, spec: &ReportSpec) -> Result<(), CliError> {
    let mut buf = Vec::new();
    let written = match spec.format {
        ReportFormat::Json => report::json::render(report, &mut buf),
        ReportFormat::Junit => report::junit::render(report, true, &mut buf),
    };
    written
        .and_then(|()| std::fs::write(&spec.path, &buf))
        .map_err(|e| {
            CliError::could_not_run(
                "informe_no_escrito",
                format!(
                    "no se pudo escribir {}: {e}; revise la ruta",
                    spec.path.display()
                ),
            )
        })
}
