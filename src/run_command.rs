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
    /// Archivos de escenario, o carpetas donde se buscan *.yaml y *.yml recursivamente.
    #[arg(required = true, value_name = "RUTA")]
    pub paths: Vec<PathBuf>,
    /// Un servidor que implementa la API de la PNT (docs/pnt-api.md); por omisión, el servidor de
    /// referencia integrado, nuevo para cada escenario.
    #[arg(long, value_name = "URL", value_parser = crate::cli::http_url)]
    pub target: Option<String>,
    /// Dónde escucha el simulador al probar un `--target` (la URL base de Infomex del destino debe
    /// apuntar ahí).
    #[arg(
        long,
        value_name = "HOST:PUERTO",
        requires = "target",
        default_value = "127.0.0.1:8090"
    )]
    pub sim_addr: SocketAddr,
    /// Token de la API de administración del simulador cuando `--sim-addr` no es una dirección
    /// local.
    #[arg(long, value_name = "TOKEN")]
    pub admin_token: Option<String>,
    /// Escenarios ejecutados a la vez (solo con el destino integrado; cada uno va aislado).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Solo los escenarios cuyo nombre o archivo contiene TEXTO (sin distinguir mayúsculas;
    /// repetible: basta uno).
    #[arg(long, value_name = "TEXTO")]
    pub filter: Vec<String>,
    /// Solo las instancias de matriz con este valor (repetible: todos).
    #[arg(long, value_name = "NOMBRE=VALOR")]
    pub matrix: Vec<MatrixFilter>,
    /// Solo la K-ésima de N partes de la selección, para repartir una ejecución entre máquinas de
    /// CI.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Semilla para todos los escenarios, en lugar de la de cada archivo.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Tiempo límite, en segundos, de una petición al destino. Una vinculación es una sola
    /// petición, por grande que sea la cuenta: auméntelo para cuentas grandes o un destino lento.
    #[arg(long, value_name = "SEGUNDOS", default_value_t = 60)]
    pub timeout: u64,
    /// Escribe también el informe: `json=RUTA` o `junit=RUTA` (repetible).
    #[arg(long, value_name = "FORMATO=RUTA")]
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
