//! `pnt-suite run PATHS...`: runs scenarios against the embedded reference server or a
//! `--target`, prints each scenario's result as it finishes, writes `--report` files, and exits
//! 0 / 1 / 2 / 3, or 130 when SIGINT or SIGTERM stopped it.

use std::future::Future;
use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cli::write_failed;
use crate::error::{CliError, Exit, InvalidArgValue};
use crate::report::{self, RunReport, human, theme_of};
use crate::run::{self, Embedded, Environment, External, MatrixFilter, Selection, Shard};
use crate::scenario::{file_warnings, find_files, load_file};

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Archivos de escenario, o carpetas donde se buscan *.yaml y *.yml recursivamente.
    #[arg(required = true, value_name = "RUTA")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Comando (con `sh -c`) que reinicia el `--target` sobre sus mismos datos, para los pasos
    /// `restart`; el ejecutor espera a que su documento de descubrimiento responda de nuevo
    /// (hasta `--timeout`). Sin él, esos escenarios no aplican.
    #[arg(long, value_name = "COMANDO", requires = "target")]
    pub restart_command: Option<String>,
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
    /// También escribe el informe: `json=RUTA`, `junit=RUTA` o `html=RUTA` (repetible). Las
    /// rutas se revisan antes de correr nada.
    #[arg(long, value_name = "FORMATO=RUTA")]
    pub report: Vec<ReportSpec>,
    /// Sale con 1 si algún escenario no aplica al destino: úselo para afirmar conformidad, que
    /// exige que se ejerciten todos los escenarios.
    #[arg(long)]
    pub require_all: bool,
    /// Escribe o renueva los goldens de las instantáneas (tests/snapshots/) con lo que muestra el
    /// destino: para autores de escenarios, contra la referencia integrada. Solo archivos de
    /// scenarios/ corridos completos y sin fallas.
    #[arg(long)]
    pub update_snapshots: bool,
    /// Con --update-snapshots y --target: escribe los goldens con lo que muestra ese destino.
    #[arg(long, requires = "update_snapshots")]
    pub force: bool,
    /// Fallas conocidas del destino (YAML: escenario o requisito, responsable, vencimiento y
    /// motivo; docs/scenarios.md): se informan como conocidas y no hacen fallar la corrida hasta
    /// que vencen; una entrada vencida, o cuyos escenarios ya pasan, la hace fallar.
    #[arg(long, value_name = "ARCHIVO")]
    pub expect_failures: Option<PathBuf>,
    /// «Hoy» (AAAA-MM-DD) con el que se comparan los vencimientos de --expect-failures; por
    /// omisión, la fecha del sistema en la Ciudad de México.
    #[arg(long, value_name = "AAAA-MM-DD", requires = "expect_failures")]
    pub hoy: Option<String>,
}

/// `--report json=PATH` / `--report junit=PATH` / `--report html=PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSpec {
    pub format: ReportFormat,
    pub path: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    Junit,
    Html,
}

impl std::str::FromStr for ReportSpec {
    type Err = InvalidArgValue;

    fn from_str(s: &str) -> Result<ReportSpec, InvalidArgValue> {
        let bad = || {
            InvalidArgValue::new(
                s,
                "no es un informe: escriba json=RUTA, junit=RUTA o html=RUTA",
            )
        };
        let (format, path) = s.split_once('=').ok_or_else(bad)?;
        let format = match format {
            "json" => ReportFormat::Json,
            "junit" => ReportFormat::Junit,
            "html" => ReportFormat::Html,
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
    // A report that cannot be written is found now, not after an hour of scenarios.
    check_report_paths(&args.report)?;
    check_update_snapshots(args)?;
    let files = find_files(&args.paths)?;
    let mut instances = Vec::new();
    let mut per_file: Vec<(PathBuf, usize)> = Vec::new();
    for file in &files {
        let loaded = load_file(file)?;
        per_file.push((file.clone(), loaded.len()));
        // Warnings go to stderr, as `check` would print them: the run's output stays the report.
        for w in file_warnings(&loaded) {
            eprintln!("aviso: {}  [código: {}]", w.located(), w.code);
        }
        instances.extend(loaded);
    }
    // A typo in the known failures is found now, against every file of the paths (not only
    // the selection: a `--filter` must not turn an entry into an error).
    let expected = match &args.expect_failures {
        Some(path) => {
            let expected = report::expected::ExpectedFailures::read(path)?;
            expected.check(&files)?;
            Some(expected)
        }
        None => None,
    };
    // The day expiry dates are judged on: `--hoy`, else the date of the same clock the
    // reference server reads when nothing fixes it (the one place that reads the wall clock).
    let hoy = match &args.hoy {
        Some(text) => crate::deadline::parse_date("--hoy", text)?,
        None => pnt_reference_server::Clock::system().hoy(),
    };
    if instances.is_empty() {
        return Err(CliError::bad_input(
            "sin_escenarios",
            "no hay archivos de escenario (*.yaml, *.yml) en las rutas dadas; revise las rutas",
        ));
    }
    // The whole selection first, then the part: a shard's report records which selection it
    // is a part of, for `report merge`.
    let whole = Selection {
        filters: args.filter.clone(),
        matrix: args.matrix.clone(),
        shard: None,
    }
    .apply(instances);
    let shard = args.shard.map(|s| run::shard_info(s, &whole));
    let selected = Selection {
        shard: args.shard,
        ..Selection::default()
    }
    .apply(whole);
    if selected.is_empty() {
        return Err(CliError::bad_input(
            "seleccion_vacia",
            "ningún escenario coincide con --filter, --matrix y --shard; revise los filtros",
        ));
    }
    let env = args.target.environment(
        args.restart_command.clone(),
        std::time::Duration::from_secs(args.timeout.max(1)),
    );
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
        snapshots: if args.update_snapshots {
            crate::golden::Mode::Update
        } else {
            crate::golden::Mode::Compare
        },
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
    let signalled = {
        let _inside = runtime.enter();
        stop_signal()?
    };
    // A reader that went away (`| head`) stops the run too: nobody reads what it would print.
    let output_closed = Arc::new(tokio::sync::Notify::new());
    let stop = {
        let output_closed = output_closed.clone();
        async move {
            tokio::select! {
                () = signalled => {}
                () = output_closed.notified() => {}
            }
        }
    };
    let line_options = human::Options {
        require_all: args.require_all,
        ..human::Options::for_stdout()
    };
    // Each scenario's lines go out, flushed, the moment it finishes: a CI log shows progress,
    // and a run killed midway has already printed everything that finished.
    let mut write_error: Option<std::io::Error> = None;
    let (mut report, ran) = runtime.block_on(run::run_until(
        env,
        selected,
        &options,
        |ran| {
            if write_error.is_none() {
                let mut print = || {
                    // A listed failure prints as known the moment it finishes.
                    let mut shown = std::borrow::Cow::Borrowed(&ran.report);
                    if let Some(expected) = &expected {
                        expected.mark(shown.to_mut(), hoy);
                    }
                    human::scenario_line(&shown, line_options, out)?;
                    out.flush()
                };
                let printed = match &progress {
                    Some(bar) => bar.suspend(print),
                    None => print(),
                };
                write_error = printed.err();
                if write_error.is_some() {
                    output_closed.notify_one();
                }
            }
            if let Some(bar) = &progress {
                bar.set_message(ran.report.name.clone());
                bar.inc(1);
            }
        },
        stop,
    ));
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if report.interrupted {
        // Abandoned scenarios may have blocking work (SQLite) in flight: do not wait for it.
        runtime.shutdown_background();
    }
    for s in &mut report.scenarios {
        s.theme = theme_of(&s.file, &args.paths);
    }
    report.shard = shard;
    if let Some(expected) = &expected {
        expected.apply(&mut report, hoy);
    }
    for spec in &args.report {
        write_report(&report, spec)?;
    }
    if let Some(e) = write_error {
        return Err(write_failed(e));
    }
    if args.update_snapshots && !report.interrupted {
        update_goldens(&per_file, &ran, out).map_err(write_failed)?;
    }
    human::summary(&report, line_options, out)
        .and_then(|()| out.flush())
        .map_err(write_failed)?;
    Ok(report.exit_with(args.require_all))
}

/// `--update-snapshots` writes what every target must then show: refused against a `--target`
/// (its answers are not the reference's) unless `--force`, and with `--seed` (a golden holds its
/// file's own seed).
fn check_update_snapshots(args: &RunArgs) -> Result<(), CliError> {
    if !args.update_snapshots {
        return Ok(());
    }
    if args.target.url.is_some() && !args.force {
        return Err(CliError::bad_input(
            "goldens_desde_destino",
            "--update-snapshots escribe los goldens que todo destino debe igualar; con --target \
             los escribiría lo que muestra ese destino, no la referencia. Córralo sin --target, o \
             agregue --force si de verdad quiere los goldens de ese destino",
        ));
    }
    if args.seed.is_some() {
        return Err(CliError::bad_input(
            "goldens_con_otra_semilla",
            "--update-snapshots con --seed: un golden es de la semilla de su archivo; quite --seed",
        ));
    }
    Ok(())
}

/// Writes the golden of every scenario file whose instances all ran and passed, in the format
/// `cargo test` reads, and says for each file what it did and why not.
fn update_goldens(
    per_file: &[(PathBuf, usize)],
    ran: &[run::Ran],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    use crate::golden;
    writeln!(out)?;
    for (file, total) in per_file {
        let mine: Vec<&run::Ran> = ran.iter().filter(|r| &r.report.file == file).collect();
        if mine.is_empty() {
            continue;
        }
        let shown = file.display();
        let Some((path, input_file)) = golden::location(file) else {
            writeln!(
                out,
                "golden no escrito: {shown} no está en una carpeta scenarios/ con tests/snapshots/ al lado"
            )?;
            continue;
        };
        if mine.len() < *total {
            writeln!(
                out,
                "golden no escrito: de {shown} corrieron {} de {total} escenarios; quite --filter, --matrix o --shard",
                mine.len()
            )?;
            continue;
        }
        let failed = mine
            .iter()
            .filter(|r| r.report.outcome != crate::report::Outcome::Passed)
            .count();
        if failed > 0 {
            writeln!(
                out,
                "golden no escrito: en {shown} {failed} escenarios no pasaron; corríjalos primero"
            )?;
            continue;
        }
        let contents: String = mine
            .iter()
            .map(|r| golden::section(&r.report, &r.transcript))
            .collect();
        let contents = golden::redact_transcript(&contents);
        if golden::read(&path).as_deref() == Some(contents.trim_end()) {
            writeln!(out, "golden sin cambios: {}", path.display())?;
        } else {
            golden::write(&path, &input_file, &contents)?;
            writeln!(
                out,
                "golden escrito: {} (revise `git diff`)",
                path.display()
            )?;
        }
    }
    Ok(())
}

/// Completes at the first SIGINT (Ctrl+C) or SIGTERM (how CI systems cancel a job). The
/// handlers are installed now, before any scenario starts, so a signal is never missed and
/// never kills the process with the default action.
fn stop_signal() -> Result<impl Future<Output = ()>, CliError> {
    use tokio::signal::unix::{SignalKind, signal};
    let failed = |e: std::io::Error| {
        CliError::could_not_run(
            "senales_no_disponibles",
            format!("no se pudo atender SIGINT/SIGTERM: {e}"),
        )
    };
    let mut interrupt = signal(SignalKind::interrupt()).map_err(failed)?;
    let mut terminate = signal(SignalKind::terminate()).map_err(failed)?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// Checks, before anything runs, that every `--report` path can be written: its folder exists
/// and takes new files, the path is not a folder, an existing file can be written, and no path
/// is given twice. Nothing is left behind.
pub(crate) fn check_report_paths(specs: &[ReportSpec]) -> Result<(), CliError> {
    for (n, spec) in specs.iter().enumerate() {
        let path = &spec.path;
        let shown = path.display();
        if specs[..n].iter().any(|earlier| earlier.path == *path) {
            return Err(CliError::bad_input(
                "informe_repetido",
                format!("--report da {shown} dos veces; dé a cada informe su propia ruta"),
            ));
        }
        if path.is_dir() {
            return Err(CliError::bad_input(
                "informe_es_carpeta",
                format!(
                    "--report {shown}: es una carpeta; dé la ruta de un archivo, p. ej. {}",
                    path.join(default_name(spec.format)).display()
                ),
            ));
        }
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if !folder.is_dir() {
            return Err(CliError::bad_input(
                "informe_sin_carpeta",
                format!(
                    "--report {shown}: la carpeta {} no existe; créela o elija otra ruta",
                    folder.display()
                ),
            ));
        }
        let writable = if path.exists() {
            std::fs::OpenOptions::new()
                .append(true)
                .open(path)
                .map(drop)
        } else {
            // A probe file that removes itself: creating it is what writing the report needs.
            tempfile::Builder::new()
                .prefix(".pnt-suite-")
                .tempfile_in(folder)
                .map(drop)
        };
        if let Err(e) = writable {
            return Err(CliError::bad_input(
                "informe_no_escribible",
                format!(
                    "--report {shown}: no se puede escribir ({e}); elija una ruta donde tenga permiso de escritura"
                ),
            ));
        }
    }
    Ok(())
}

fn default_name(format: ReportFormat) -> &'static str {
    match format {
        ReportFormat::Json => "informe.json",
        ReportFormat::Junit => "junit.xml",
        ReportFormat::Html => "informe.html",
    }
}

pub(crate) fn write_report(report: &RunReport, spec: &ReportSpec) -> Result<(), CliError> {
    let mut buf = Vec::new();
    let written = match spec.format {
        ReportFormat::Json => report::json::render(report, &mut buf),
        ReportFormat::Junit => report::junit::render(report, true, &mut buf),
        ReportFormat::Html => report::html::render(report, true, &mut buf),
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

/// Where the PNT under test is and how to reach its simulator: the flags `run`, `explore` and
/// `load` share.
#[derive(Debug, Clone, clap::Args)]
pub struct TargetArgs {
    /// Un servidor que implementa la API de la PNT (docs/pnt-api.md); por omisión, el servidor de
    /// referencia integrado, nuevo para cada escenario.
    #[arg(long = "target", id = "target", value_name = "URL", value_parser = crate::cli::http_url)]
    pub url: Option<String>,
    /// Dónde escucha el simulador al probar un `--target` (la URL base de Infomex del destino debe
    /// apuntar ahí).
    #[arg(
        long,
        value_name = "HOST:PUERTO",
        requires = "target",
        default_value = "127.0.0.1:8090"
    )]
    pub sim_addr: SocketAddr,
    /// Usa un simulador ya en marcha (`pnt-suite sim`) en esta URL en lugar de arrancar uno en
    /// `--sim-addr`; se configura por su API de administración.
    #[arg(
        long,
        value_name = "URL",
        requires = "target",
        conflicts_with = "sim_addr",
        value_parser = crate::cli::http_url
    )]
    pub sim_url: Option<String>,
    /// Token de la API de administración del simulador: el que arranca en `--sim-addr` fuera de
    /// loopback, o el que ya corre en `--sim-url` (alias: --sim-admin-token).
    #[arg(long, value_name = "TOKEN", alias = "sim-admin-token")]
    pub admin_token: Option<String>,
    /// Token de los ganchos de prueba del `--target` (el de su `--test-hooks-token`): se envía
    /// en la cabecera X-Pnt-Test-Token en cada llamada a un gancho y en ninguna otra.
    #[arg(long, value_name = "TOKEN", requires = "target")]
    pub test_hooks_token: Option<String>,
    /// Corre el servidor de referencia integrado sobre PostgreSQL: la URL de una base
    /// (`postgres://usuario@host:puerto/base`) en la que cada escenario usa un esquema propio,
    /// borrado al terminar. Sin esta opción, un archivo SQLite temporal por escenario.
    #[arg(long, value_name = "URL", conflicts_with = "target", value_parser = postgres_url)]
    pub reference_db: Option<String>,
}

/// A `postgres://` or `postgresql://` URL.
fn postgres_url(text: &str) -> Result<String, String> {
    if text.starts_with("postgres://") || text.starts_with("postgresql://") {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "«{text}» no es una URL de PostgreSQL: use postgres://usuario@host:puerto/base"
        ))
    }
}

impl TargetArgs {
    /// The environment these flags name: the embedded reference without `--target`; else the
    /// target with its simulator started on `--sim-addr` or the one at `--sim-url`,
    /// `restart_command` for `restart` steps and `timeout` for its requests.
    pub(crate) fn environment(
        &self,
        restart_command: Option<String>,
        timeout: std::time::Duration,
    ) -> Arc<dyn Environment> {
        let Some(url) = &self.url else {
            return Arc::new(match &self.reference_db {
                Some(db) => Embedded::on_postgres(db.clone()),
                None => Embedded::default(),
            });
        };
        let external = External::new(url.clone(), self.sim_addr, self.admin_token.clone())
            .with_restart_command(restart_command, timeout)
            .with_hooks_token(self.test_hooks_token.clone());
        Arc::new(match &self.sim_url {
            Some(sim) => external.with_running_sim(sim.clone()),
            None => external,
        })
    }
}
