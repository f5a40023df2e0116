//! `pnt-suite load`: puts a PNT under load with N virtual citizens (docs/load.md).
//!
//! The target is the embedded reference (a simulator and a reference server in this process,
//! as `run` starts them) or a `--target` with its simulator (`--sim-addr` / `--sim-url`). Each
//! citizen is drawn from `--seed` and its index only when it starts ([`plan`]), so memory stays
//! flat however many there are; at most `--concurrency` visit at once ([`citizen`]), started
//! evenly over `--ramp` seconds, until `--citizens` have started or `--duration` has passed.
//! Every request is timed into its operation's HDR histogram ([`stats`]). Afterwards a sample
//! of the citizens who linked is read back whole and checked by the runner's oracle
//! ([`verify`]).

mod citizen;
mod plan;
mod stats;
mod verify;

use std::collections::BinaryHeap;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use crate::cli::{Format, write_failed};
use crate::error::{CliError, Exit};
use crate::run::{PntClient, Unreachable};
use crate::scenario::{Instance, Scenario};
use citizen::{Runner, Visit};
use plan::Citizen;
use stats::{OpSummary, Stats};
use verify::Finding;

#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    // The target: loopback only (127.0.0.0/8, ::1, localhost) unless --allow-remote.
    #[command(flatten)]
    pub target: crate::run_command::TargetArgs,
    /// Permite un --target fuera de loopback: la carga es real, úsela solo contra un sistema
    /// propio y preparado para ella.
    #[arg(long, requires = "target")]
    pub allow_remote: bool,
    /// Ciudadanos virtuales: cada uno se registra, inicia sesión, vincula de una a tres cuentas
    /// de Infomex, pagina Mi Historial, abre detalles y descarga adjuntos.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub citizens: u64,
    /// Ciudadanos a la vez.
    #[arg(long, value_name = "C", default_value_t = 10)]
    pub concurrency: usize,
    /// Segundos en que van arrancando los ciudadanos, repartidos por igual (0: todos de
    /// inmediato, hasta --concurrency).
    #[arg(long, value_name = "SEGUNDOS", default_value_t = 0)]
    pub ramp: u64,
    /// Tras estos segundos no arranca ningún ciudadano más (los que ya empezaron terminan); la
    /// carga acaba con --citizens o con --duration, lo que llegue antes.
    #[arg(long, value_name = "SEGUNDOS")]
    pub duration: Option<u64>,
    /// Semilla de los ciudadanos, de sus decisiones y del simulador: la misma semilla da el mismo
    /// plan.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,
    /// Ciudadanos que, terminada la carga, se releen completos y se comparan con el simulador
    /// (0: ninguno).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub verify: usize,
    /// Tiempo límite, en segundos, de una petición al destino.
    #[arg(long, value_name = "SEGUNDOS", default_value_t = 60)]
    pub timeout: u64,
    /// Formato de salida.
    #[arg(long, value_enum, default_value_t = Format::Text, value_name = "FORMATO")]
    pub format: Format,
}

pub(crate) fn run(args: &LoadArgs, out: &mut dyn Write) -> Result<Exit, CliError> {
    check(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            CliError::could_not_run("runtime", format!("no se pudo iniciar el runtime: {e}"))
        })?;
    let interrupted = {
        let _inside = runtime.enter();
        interruption()?
    };
    let result = runtime.block_on(load(args, interrupted))?;
    match args.format {
        Format::Json => writeln!(out, "{:#}", result.json()),
        Format::Text => result.write_table(out),
    }
    .and_then(|()| out.flush())
    .map_err(write_failed)?;
    Ok(if result.interrupted {
        Exit::Interrupted
    } else if result.passed() {
        Exit::Success
    } else {
        Exit::Failures
    })
}

/// Becomes `true` at the first SIGINT (Ctrl+C) or SIGTERM: the load starts no more citizens,
/// lets the visits under way finish, verifies the sample among those who linked and reports. A
/// second signal ends the process at once (exit 130). The handlers are installed before
/// anything starts, so a signal is never missed.
fn interruption() -> Result<tokio::sync::watch::Receiver<bool>, CliError> {
    use tokio::signal::unix::{SignalKind, signal};
    let failed = |e: std::io::Error| {
        CliError::could_not_run(
            "senales_no_disponibles",
            format!("no se pudo atender SIGINT/SIGTERM: {e}"),
        )
    };
    let mut interrupt = signal(SignalKind::interrupt()).map_err(failed)?;
    let mut terminate = signal(SignalKind::terminate()).map_err(failed)?;
    let (tx, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        let _ = tx.send(true);
        eprintln!(
            "carga interrumpida: no se inician más ciudadanos; se esperan las visitas en curso y se verifica la muestra (otra señal termina ya)"
        );
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        std::process::exit(Exit::Interrupted as i32);
    });
    Ok(rx)
}

/// Refuses what cannot be run before anything starts.
fn check(args: &LoadArgs) -> Result<(), CliError> {
    if args.citizens == 0 {
        return Err(CliError::bad_input(
            "ciudadanos_invalido",
            "--citizens debe ser 1 o más",
        ));
    }
    if args.citizens > 999_999_999 {
        return Err(CliError::bad_input(
            "ciudadanos_invalido",
            "--citizens admite hasta 999999999 (las cuentas procedurales de Infomex tienen hasta 9 dígitos)",
        ));
    }
    if args.concurrency == 0 {
        return Err(CliError::bad_input(
            "concurrencia_invalida",
            "--concurrency debe ser 1 o más",
        ));
    }
    if args.duration == Some(0) {
        return Err(CliError::bad_input(
            "duracion_invalida",
            "--duration debe ser 1 segundo o más (sin --duration, la carga dura lo que tarden --citizens)",
        ));
    }
    if args.timeout == 0 {
        return Err(CliError::bad_input(
            "timeout_invalido",
            "--timeout debe ser 1 segundo o más",
        ));
    }
    if let Some(url) = &args.target.url
        && !args.allow_remote
        && !is_loopback(url)
    {
        return Err(CliError::bad_input(
            "destino_no_local",
            format!(
                "«{url}» no es una dirección de loopback: una carga es tráfico real; si el destino es suyo y está preparado para ella, agregue --allow-remote"
            ),
        ));
    }
    Ok(())
}

/// Whether `url`'s host is this machine: `localhost`, 127.0.0.0/8 or ::1.
fn is_loopback(url: &str) -> bool {
    let Some(host) = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
    else {
        return false;
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// A scenario with nothing in it: the world `run` would start for it is the load's (the
/// simulator with the load's seed and only procedural accounts, the target empty).
fn blank_instance(seed: u64) -> Instance {
    Instance {
        file: "load".into(),
        matrix: Vec::new(),
        scenario: Scenario {
            name: "carga".into(),
            description: String::new(),
            seed,
            clock: None,
            matrix: Default::default(),
            calendarios: Vec::new(),
            requisitos: Vec::new(),
            infomex: Default::default(),
            pnt: Default::default(),
            steps: Vec::new(),
        },
        calendarios: Default::default(),
        warnings: Vec::new(),
    }
}

/// What a load found.
#[derive(Debug)]
struct LoadResult {
    target: String,
    seed: u64,
    concurrency: usize,
    planned: u64,
    started: u64,
    linked: u64,
    elapsed: Duration,
    ops: Vec<OpSummary>,
    errors: u64,
    /// Citizens in the sample, and what the verification found wrong.
    sampled: usize,
    findings: Vec<Finding>,
    /// Stopped by SIGINT or SIGTERM before every planned citizen started.
    interrupted: bool,
}

async fn load(
    args: &LoadArgs,
    interrupted: tokio::sync::watch::Receiver<bool>,
) -> Result<LoadResult, CliError> {
    let timeout = Duration::from_secs(args.timeout);
    let env = args.target.environment(None, timeout);
    let instance = blank_instance(args.seed);
    let world = env.start(&instance, args.seed).await.map_err(|e| {
        CliError::could_not_run(
            e.code(),
            format!("no se pudo preparar el destino de la carga: {e}"),
        )
    })?;
    let client = PntClient::discover_pooled(&world.pnt_base, timeout)
        .await
        .map_err(|Unreachable(why)| CliError::could_not_run("destino_inaccesible", why))?;
    let runner = Arc::new(Runner {
        client: client.clone(),
        stats: Arc::new(Mutex::new(Stats::default())),
    });
    let progress = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(args.citizens);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} ciudadanos  {elapsed}  {msg}",
            )
            .expect("a valid template"),
        );
        bar
    });
    let linked = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    // The sample: the `verify` smallest keys among the citizens who linked, as a max-heap of
    // that size, so it is the same set whatever order they finished in.
    let sample: Arc<Mutex<BinaryHeap<(u64, u64)>>> = Arc::new(Mutex::new(BinaryHeap::new()));
    let semaphore = Arc::new(tokio::sync::Semaphore::new(args.concurrency));
    let began = Instant::now();
    let stop_at = args.duration.map(|d| began + Duration::from_secs(d));
    let mut tasks = tokio::task::JoinSet::new();
    let mut started = 0u64;
    for index in 0..args.citizens {
        if args.ramp > 0 {
            let at =
                began + Duration::from_secs(args.ramp).mul_f64(index as f64 / args.citizens as f64);
            if !wait_until(
                async { tokio::time::sleep_until(at).await },
                stop_at,
                &interrupted,
            )
            .await
            {
                break;
            }
        }
        let Some(permit) =
            wait_until_with(semaphore.clone().acquire_owned(), stop_at, &interrupted).await
        else {
            break;
        };
        let permit = permit.expect("the semaphore is never closed");
        started += 1;
        let (runner, linked, errors, sample, progress) = (
            runner.clone(),
            linked.clone(),
            errors.clone(),
            sample.clone(),
            progress.clone(),
        );
        let (seed, keep) = (args.seed, args.verify);
        tasks.spawn(async move {
            let Visit {
                linked: ok,
                errors: e,
            } = runner.visit(Citizen::new(seed, index)).await;
            drop(permit);
            if ok {
                linked.fetch_add(1, Ordering::Relaxed);
                let mut heap = sample.lock().unwrap_or_else(|e| e.into_inner());
                heap.push((Citizen::sample_key(seed, index), index));
                if heap.len() > keep {
                    heap.pop();
                }
            }
            let e = errors.fetch_add(e, Ordering::Relaxed) + e;
            if let Some(bar) = progress {
                bar.set_message(format!(
                    "{} vinculados, {e} errores",
                    linked.load(Ordering::Relaxed)
                ));
                bar.inc(1);
            }
        });
        // Finished visits are collected as the load goes, so memory holds only those underway.
        while let Some(done) = tasks.try_join_next() {
            panicked(done)?;
        }
    }
    while let Some(done) = tasks.join_next().await {
        panicked(done)?;
    }
    let elapsed = began.elapsed();
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    let mut sampled: Vec<u64> = sample
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .map(|(_, index)| *index)
        .collect();
    sampled.sort_unstable();
    let mut findings = Vec::new();
    for index in &sampled {
        let citizen = Citizen::new(args.seed, *index);
        findings.extend(verify::citizen(&client, world.infomex.as_ref(), &citizen).await);
    }
    let stats = runner.stats.lock().unwrap_or_else(|e| e.into_inner());
    Ok(LoadResult {
        target: args
            .target
            .url
            .clone()
            .unwrap_or_else(|| "referencia integrada".to_owned()),
        seed: args.seed,
        concurrency: args.concurrency,
        planned: args.citizens,
        started,
        linked: linked.load(Ordering::Relaxed),
        elapsed,
        ops: stats.summary(elapsed),
        errors: stats.errors(),
        sampled: sampled.len(),
        findings,
        interrupted: *interrupted.borrow(),
    })
}

/// Waits for `what` unless `stop_at` comes first or the load is interrupted: `None` then.
async fn wait_until_with<T>(
    what: impl std::future::Future<Output = T>,
    stop_at: Option<Instant>,
    interrupted: &tokio::sync::watch::Receiver<bool>,
) -> Option<T> {
    let mut interrupted = interrupted.clone();
    let deadline = async {
        match stop_at {
            Some(at) => tokio::time::sleep_until(at).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        biased;
        _ = interrupted.wait_for(|stop| *stop) => None,
        () = deadline => None,
        t = what => Some(t),
    }
}

/// Waits for `what` unless `stop_at` comes first or the load is interrupted: whether it
/// finished.
async fn wait_until(
    what: impl std::future::Future<Output = ()>,
    stop_at: Option<Instant>,
    interrupted: &tokio::sync::watch::Receiver<bool>,
) -> bool {
    wait_until_with(what, stop_at, interrupted).await.is_some()
}

/// A visit that panicked is a bug of pnt-suite, not of the target.
fn panicked(done: Result<(), tokio::task::JoinError>) -> Result<(), CliError> {
    done.map_err(|e| {
        CliError::could_not_run(
            "carga_interrumpida",
            format!("un ciudadano virtual falló dentro de pnt-suite ({e}); informe el error con la semilla"),
        )
    })
}

/// The most verification findings the table lists (the JSON has them all).
const MAX_LISTED: usize = 20;

impl LoadResult {
    fn passed(&self) -> bool {
        self.errors == 0 && self.findings.is_empty() && self.started > 0
    }

    fn linked_per_second(&self) -> f64 {
        self.linked as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn verified(&self) -> usize {
        let failed: std::collections::BTreeSet<u64> =
            self.findings.iter().map(|f| f.ciudadano).collect();
        self.sampled - failed.len()
    }

    fn json(&self) -> Value {
        let round = |x: f64| (x * 1000.0).round() / 1000.0;
        json!({
            "destino": self.target,
            "semilla": self.seed,
            "concurrencia": self.concurrency,
            "ciudadanos": {
                "planeados": self.planned,
                "iniciados": self.started,
                "vinculados": self.linked,
            },
            "segundos": round(self.elapsed.as_secs_f64()),
            "vinculados_por_segundo": round(self.linked_per_second()),
            "errores": self.errors,
            "operaciones": self.ops.iter().map(OpSummary::json).collect::<Vec<_>>(),
            "verificacion": {
                "muestra": self.sampled,
                "verificados": self.verified(),
                "fallas": self.findings.iter().map(|f| json!({
                    "ciudadano": f.ciudadano,
                    "jurisdiccion": f.jurisdiccion.map(|j| j.slug()),
                    "comprobacion": f.check,
                    "mensaje": f.mensaje,
                })).collect::<Vec<_>>(),
            },
            "interrumpida": self.interrupted,
            "exito": self.passed() && !self.interrupted,
        })
    }

    fn write_table(&self, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(
            out,
            "Carga contra {}: {} de {} ciudadanos iniciados, {} con todas sus cuentas vinculadas; concurrencia {}, semilla {}, {:.1} s ({:.2} ciudadanos vinculados/s)",
            self.target,
            self.started,
            self.planned,
            self.linked,
            self.concurrency,
            self.seed,
            self.elapsed.as_secs_f64(),
            self.linked_per_second(),
        )?;
        if self.interrupted {
            writeln!(
                out,
                "Interrumpida (Ctrl+C o SIGTERM) tras {} de {} ciudadanos: las cifras son de los que empezaron  [código: carga_interrumpida]",
                self.started, self.planned
            )?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "{:<15} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "Operación",
            "Total",
            "Errores",
            "Por seg.",
            "p50 ms",
            "p90 ms",
            "p95 ms",
            "p99 ms",
            "Máx. ms"
        )?;
        for s in &self.ops {
            writeln!(
                out,
                "{:<15} {:>8} {:>8} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1}",
                s.op.name(),
                s.count,
                s.error_count(),
                s.per_second,
                s.p50,
                s.p90,
                s.p95,
                s.p99,
                s.max
            )?;
        }
        if self.errors > 0 {
            writeln!(out)?;
            writeln!(out, "Errores por código:")?;
            for s in &self.ops {
                for (code, n) in &s.errors {
                    writeln!(out, "  {:<15} {code}: {n}", s.op.name())?;
                }
            }
        }
        writeln!(out)?;
        if self.sampled == 0 {
            writeln!(
                out,
                "Verificación: ningún ciudadano en la muestra (--verify 0 o ninguno vinculó)"
            )?;
        } else if self.findings.is_empty() {
            writeln!(
                out,
                "Verificación: {} de {} ciudadanos de la muestra sin pérdidas, duplicados ni diferencias con Infomex",
                self.verified(),
                self.sampled
            )?;
        } else {
            writeln!(
                out,
                "Verificación: {} de {} ciudadanos de la muestra con diferencias ({} hallazgos):",
                self.sampled - self.verified(),
                self.sampled,
                self.findings.len()
            )?;
            for f in self.findings.iter().take(MAX_LISTED) {
                let j = f
                    .jurisdiccion
                    .map_or(String::new(), |j| format!(" {}", j.slug()));
                writeln!(
                    out,
                    "  ciudadano {}{j}: {}: {}",
                    f.ciudadano, f.check, f.mensaje
                )?;
            }
            if self.findings.len() > MAX_LISTED {
                writeln!(
                    out,
                    "  … y {} más (todos en --format json)",
                    self.findings.len() - MAX_LISTED
                )?;
            }
        }
        writeln!(
            out,
            "{}",
            if self.passed() {
                "Resultado: sin errores"
            } else {
                "Resultado: con fallas"
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts_are_local() {
        for url in [
            "http://127.0.0.1:8080",
            "http://127.8.0.1",
            "http://localhost:3000/",
            "http://LOCALHOST",
            "http://[::1]:8080",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "http://10.0.0.1:8080",
            "https://pnt.example.gob.mx",
            "http://[2001:db8::1]/",
            "http://localhost.example",
            "http://0.0.0.0:8080",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }
}
