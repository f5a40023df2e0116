//! `pnt-suite explore`: differential testing. Generates scenarios from a seed ([`case`]), runs
//! each on the target and on the embedded reference, compares what they did ([`compare`]), and
//! on a difference shrinks the case (fewer steps, faults, accounts, solicitudes, users) to a
//! small one that still shows it, written as a scenario file that `run` reproduces: it passes on
//! the reference and fails on the target.

pub mod case;
pub mod compare;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::error::{CliError, Exit};
use crate::report::Outcome;
use crate::run::{self, Embedded, Environment, Ran};
use case::{Case, Key, Op};
use compare::Difference;

/// `pnt-suite explore`'s arguments.
#[derive(Debug, clap::Args)]
pub struct ExploreArgs {
    /// Cuántos casos generar.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub cases: u64,
    /// Semilla de la generación: la misma semilla da los mismos casos.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,
    // The PNT compared with the reference; without --target, a second embedded reference, which
    // must show no difference.
    #[command(flatten)]
    pub target: crate::run_command::TargetArgs,
    /// Compara la referencia con ella misma rota por este defecto del catálogo de `selftest`
    /// (docs/selftest.md) en lugar de con un `--target`: muestra qué encuentra la exploración.
    #[arg(long, value_name = "ID", conflicts_with = "target")]
    pub defect: Option<String>,
    /// Carpeta donde se escribe cada hallazgo reducido como archivo de escenario.
    #[arg(long, value_name = "CARPETA", default_value = "hallazgos")]
    pub out: PathBuf,
    /// Cuántas ejecuciones puede gastar la reducción de un hallazgo.
    #[arg(long, value_name = "N", default_value_t = 120)]
    pub shrink_budget: u32,
    /// Tiempo límite, en segundos, de una petición al destino.
    #[arg(long, value_name = "SEGUNDOS", default_value_t = 60)]
    pub timeout: u64,
    /// Casos ejecutados a la vez (solo con el destino integrado).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
}

/// Runs `pnt-suite explore`.
pub fn explore(args: &ExploreArgs, out: &mut dyn Write) -> Result<Exit, CliError> {
    if args.cases == 0 {
        return Err(CliError::bad_input(
            "casos_invalido",
            "--cases debe ser 1 o más",
        ));
    }
    if args.timeout == 0 {
        return Err(CliError::bad_input(
            "timeout_invalido",
            "--timeout debe ser 1 segundo o más",
        ));
    }
    let target = match &args.defect {
        Some(id) => {
            let defecto = crate::selftest::chosen(std::slice::from_ref(id))?[0];
            Arc::new(crate::selftest::Mutante::new(Some(defecto))) as Arc<dyn Environment>
        }
        None => args
            .target
            .environment(None, Duration::from_secs(args.timeout)),
    };
    let explorer = Explorer {
        reference: Arc::new(Embedded::default()),
        target,
        options: run::Options {
            jobs: 1,
            seed: None,
            timeout: Duration::from_secs(args.timeout),
            snapshots: crate::golden::Mode::Skip,
        },
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            CliError::could_not_run("runtime", format!("no se pudo iniciar el runtime: {e}"))
        })?;
    let jobs = if explorer.target.parallel() {
        args.jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1)
    } else {
        1
    };
    let started = Instant::now();
    let findings = runtime.block_on(explorer.clone().search(args.seed, args.cases, jobs))?;
    let searched = started.elapsed();
    let io = |e: std::io::Error| CliError::could_not_run("salida", e.to_string());
    writeln!(
        out,
        "{} casos generados con la semilla {}: {} con diferencias ({:.1} s)",
        args.cases,
        args.seed,
        findings.len(),
        searched.as_secs_f64()
    )
    .map_err(io)?;
    if findings.is_empty() {
        return Ok(Exit::Success);
    }
    // The first finding is shrunk and written; the others are listed (each is reproducible
    // with `--seed` and its case number, and usually shows the same defect).
    for (index, diffs) in &findings {
        writeln!(out, "  caso {index}: {}", summary(diffs)).map_err(io)?;
    }
    let (index, diffs) = &findings[0];
    let case = Case::generate(args.seed, *index);
    writeln!(
        out,
        "Reduciendo el caso {index} ({}, {}, {})…",
        plural(case.ops.len(), "paso", "pasos"),
        plural(case.accounts.len(), "cuenta", "cuentas"),
        plural(case.faults.len(), "falla", "fallas")
    )
    .map_err(io)?;
    let started = Instant::now();
    let (small, small_diffs, runs) =
        runtime.block_on(explorer.shrink(case, diffs, args.shrink_budget))?;
    writeln!(
        out,
        "Reducido a {}, {} ({}), {} en {runs} ejecuciones ({:.1} s)",
        plural(small.ops.len(), "paso", "pasos"),
        plural(small.accounts.len(), "cuenta", "cuentas"),
        plural(
            small.accounts.iter().map(|a| a.generar as usize).sum(),
            "solicitud",
            "solicitudes"
        ),
        plural(
            small.faults.len()
                + small
                    .ops
                    .iter()
                    .filter(|o| matches!(o, Op::Faults(_)))
                    .count(),
            "falla",
            "fallas"
        ),
        started.elapsed().as_secs_f64()
    )
    .map_err(io)?;
    for d in &small_diffs {
        writeln!(
            out,
            "  {}{} {}: referencia {} · destino {}",
            d.key
                .map_or_else(String::new, |k| format!("paso {} ", key_text(k))),
            d.action,
            d.what,
            d.reference,
            d.target
        )
        .map_err(io)?;
    }
    std::fs::create_dir_all(&args.out).map_err(|e| {
        CliError::could_not_run(
            "salida",
            format!("no se pudo crear la carpeta {}: {e}", args.out.display()),
        )
    })?;
    let file = args
        .out
        .join(format!("explora-{}-caso-{index}.yaml", args.seed));
    let text = runtime.block_on(explorer.reproduction(&small, &small_diffs, &file, args))?;
    std::fs::write(&file, &text).map_err(|e| {
        CliError::could_not_run(
            "salida",
            format!("no se pudo escribir {}: {e}", file.display()),
        )
    })?;
    // The file is what it claims only if it passes on the reference and fails on the target:
    // run it on both.
    let (on_reference, on_target) = runtime.block_on(explorer.verify(&file))?;
    writeln!(
        out,
        "Escrito {}: en la referencia {}, en el destino {}",
        file.display(),
        outcome_text(on_reference),
        outcome_text(on_target)
    )
    .map_err(io)?;
    let target_flag = match (&args.target.url, &args.defect) {
        (Some(t), _) => format!(" --target {t}"),
        // A planted defect has no URL: the file fails under `selftest --defect` instead.
        (None, Some(d)) => {
            writeln!(
                out,
                "Con el defecto plantado, repítalo con: pnt-suite selftest {} --defect {d}",
                file.display()
            )
            .map_err(io)?;
            String::new()
        }
        (None, None) => String::new(),
    };
    writeln!(
        out,
        "Repítalo con: pnt-suite run {}{target_flag}",
        file.display()
    )
    .map_err(io)?;
    if on_reference != Outcome::Passed || on_target == Outcome::Passed {
        writeln!(
            out,
            "Aviso: el archivo no reproduce la diferencia como se esperaba (la diferencia depende \
             de algo que el escenario no fija, como el orden de peticiones simultáneas); los \
             pasos de arriba la describen  [código: hallazgo_no_reproducible]"
        )
        .map_err(io)?;
    }
    Ok(Exit::Failures)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn outcome_text(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed => "pasa",
        Outcome::Failed => "falla",
        Outcome::KnownFailure => "falla conocida",
        Outcome::NotApplicable => "no aplica",
        Outcome::Error => "no se pudo ejecutar",
    }
}

fn key_text((index, inner): Key) -> String {
    match inner {
        Some(i) => format!("{index}.{i}"),
        None => index.to_string(),
    }
}

fn summary(diffs: &[Difference]) -> String {
    let mut kinds: Vec<String> = diffs
        .iter()
        .map(|d| format!("{} {}", d.action, d.what))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let more = kinds.len().saturating_sub(3);
    kinds.truncate(3);
    let mut s = kinds.join("; ");
    if more > 0 {
        s.push_str(&format!(" (y {more} más)"));
    }
    s
}

/// The reference, the target and how to run a case on them.
#[derive(Clone)]
struct Explorer {
    reference: Arc<dyn Environment>,
    target: Arc<dyn Environment>,
    options: run::Options,
}

impl Explorer {
    /// Runs cases `0..cases` of `seed`, `jobs` at a time; the cases with differences, in order.
    async fn search(
        self,
        seed: u64,
        cases: u64,
        jobs: usize,
    ) -> Result<Vec<(u64, Vec<Difference>)>, CliError> {
        let semaphore = Arc::new(tokio::sync::Semaphore::new(jobs));
        let mut set = tokio::task::JoinSet::new();
        for index in 0..cases {
            let me = self.clone();
            let semaphore = semaphore.clone();
            set.spawn(async move {
                let _permit = semaphore.acquire_owned().await;
                let case = Case::generate(seed, index);
                (index, me.differences(&case).await)
            });
        }
        let mut found = Vec::new();
        while let Some(joined) = set.join_next().await {
            let (index, diffs) = joined.map_err(|e| {
                CliError::could_not_run("explorar", format!("un caso terminó mal: {e}"))
            })?;
            let diffs = diffs?;
            if !diffs.is_empty() {
                found.push((index, diffs));
            }
        }
        found.sort_by_key(|(i, _)| *i);
        Ok(found)
    }

    /// Runs `case` on both and compares. An error on the reference is an error of the explorer
    /// (a generated case the reference cannot run says nothing about the target).
    async fn differences(&self, case: &Case) -> Result<Vec<Difference>, CliError> {
        let rendered = case.render("Caso generado por explore", &|_| None);
        let path = Path::new("explora/caso.yaml");
        let instance = crate::scenario::load_str(path, &rendered.yaml)
            .map_err(|e| {
                CliError::could_not_run(
                    "caso_invalido",
                    format!(
                        "un caso generado no es un escenario válido ({e}):\n{}",
                        rendered.yaml
                    ),
                )
            })?
            .remove(0);
        let (reference, target) = tokio::join!(
            self.run_one(&self.reference, instance.clone()),
            self.run_one(&self.target, instance)
        );
        let (reference, target) = (reference?, target?);
        if reference.report.outcome == Outcome::Error {
            return Err(CliError::could_not_run(
                "referencia_no_ejecuto",
                format!(
                    "la referencia no pudo ejecutar un caso generado: {}\n{}",
                    reference.report.reason.clone().unwrap_or_default(),
                    rendered.yaml
                ),
            ));
        }
        Ok(compare::differences(&rendered, &reference, &target))
    }

    async fn run_one(
        &self,
        env: &Arc<dyn Environment>,
        instance: crate::scenario::Instance,
    ) -> Result<Ran, CliError> {
        let (_, mut ran) = run::run(env.clone(), vec![instance], &self.options, |_| {}).await;
        ran.pop().ok_or_else(|| {
            CliError::could_not_run("explorar", "la ejecución no devolvió resultado")
        })
    }

    /// The smallest case found, within `budget` runs, that still shows one of `diffs`'
    /// signatures: greedy removal of chunks of steps, then single steps, faults, accounts and
    /// users, then fewer solicitudes per account, until nothing can go.
    async fn shrink(
        &self,
        mut best: Case,
        diffs: &[Difference],
        budget: u32,
    ) -> Result<(Case, Vec<Difference>, u32), CliError> {
        let wanted: BTreeSet<String> = diffs.iter().map(|d| d.signature.clone()).collect();
        let mut best_diffs = diffs.to_vec();
        let mut runs = 0;
        'outer: loop {
            for candidate in candidates(&best) {
                if runs >= budget {
                    break 'outer;
                }
                runs += 1;
                // A candidate the reference cannot run (a generated step that needs a removed
                // one) is simply not smaller.
                let Ok(d) = self.differences(&candidate).await else {
                    continue;
                };
                if d.iter().any(|x| wanted.contains(&x.signature)) {
                    best = candidate;
                    best_diffs = d;
                    continue 'outer;
                }
            }
            break;
        }
        Ok((best, best_diffs, runs))
    }

    /// The scenario file of a finding: the reference's statuses as `status`, and where a read's
    /// body differed, the reference's values as `fields`. The oracle needs no expectation: it
    /// runs after every linkage.
    async fn reproduction(
        &self,
        case: &Case,
        diffs: &[Difference],
        file: &Path,
        args: &ExploreArgs,
    ) -> Result<String, CliError> {
        // The reference's statuses, from one more run of the case on it.
        let rendered = case.render("", &|_| None);
        let instance = crate::scenario::load_str(file, &rendered.yaml)
            .map_err(|e| CliError::could_not_run("caso_invalido", e.to_string()))?
            .remove(0);
        let reference = self.run_one(&self.reference, instance).await?;
        let statuses: std::collections::HashMap<Key, u16> = reference
            .report
            .steps
            .iter()
            .filter_map(|s| Some(((s.step.index, s.step.inner), s.status?)))
            .collect();
        let expect = |key: Key| -> Option<String> {
            let status = statuses.get(&key)?;
            let fields: Vec<String> = diffs
                .iter()
                .filter(|d| d.key == Some(key))
                .filter_map(|d| d.expectation.as_ref())
                .take(8)
                .map(|(path, value)| {
                    format!(
                        "{}: {}",
                        serde_json::to_string(path).unwrap_or_default(),
                        serde_json::to_string(value).unwrap_or_else(|_| Value::Null.to_string())
                    )
                })
                .collect();
            Some(if fields.is_empty() {
                format!("{{status: {status}}}")
            } else {
                format!("{{status: {status}, fields: {{{}}}}}", fields.join(", "))
            })
        };
        let name = format!(
            "Hallazgo de explore: semilla {}, {}",
            args.seed,
            summary(diffs)
        );
        let body = case.render(&name, &expect).yaml;
        let mut header = String::from(
            "# Found by `pnt-suite explore`: the reference passes this scenario, the target did not.\n",
        );
        for d in diffs {
            header.push_str(&format!(
                "# {}{} {}: reference {} / target {}\n",
                d.key
                    .map_or_else(String::new, |k| format!("step {} ", key_text(k))),
                d.action,
                d.what,
                one_line(&d.reference),
                one_line(&d.target)
            ));
        }
        Ok(header + &body)
    }

    /// The written file's outcome on the reference and on the target.
    async fn verify(&self, file: &Path) -> Result<(Outcome, Outcome), CliError> {
        let instance = crate::scenario::load_file(file)
            .map_err(|e| {
                CliError::could_not_run(
                    "hallazgo_invalido",
                    format!("el archivo escrito no es un escenario válido: {e}"),
                )
            })?
            .remove(0);
        let options = run::Options {
            snapshots: crate::golden::Mode::Skip,
            ..self.options.clone()
        };
        let (_, mut r) = run::run(
            self.reference.clone(),
            vec![instance.clone()],
            &options,
            |_| {},
        )
        .await;
        let (_, mut t) = run::run(self.target.clone(), vec![instance], &options, |_| {}).await;
        let outcome = |v: &mut Vec<Ran>| v.pop().map_or(Outcome::Error, |r| r.report.outcome);
        Ok((outcome(&mut r), outcome(&mut t)))
    }
}

fn one_line(s: &str) -> String {
    let s = s.replace('\n', " ");
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s
    }
}

/// Smaller cases to try, the biggest cuts first.
fn candidates(case: &Case) -> Vec<Case> {
    let mut out = Vec::new();
    let n = case.ops.len();
    let mut chunk = n / 2;
    while chunk >= 1 {
        let mut start = 0;
        while start < n {
            let end = (start + chunk).min(n);
            let mut c = case.clone();
            c.ops.drain(start..end);
            out.push(c);
            start = end;
        }
        if chunk == 1 {
            break;
        }
        chunk /= 2;
    }
    // Two linkages at once → one of them alone.
    for (i, op) in case.ops.iter().enumerate() {
        if let Op::Concurrentes { user, accounts } = op {
            for account in [accounts.0, accounts.1] {
                let mut c = case.clone();
                c.ops[i] = Op::Vincular {
                    user: *user,
                    account,
                };
                out.push(c);
            }
        }
    }
    if !case.faults.is_empty() {
        let mut c = case.clone();
        c.faults.clear();
        out.push(c);
        for k in 0..case.faults.len() {
            let mut c = case.clone();
            c.faults.remove(k);
            out.push(c);
        }
    }
    for k in 0..case.accounts.len() {
        if case.accounts.len() > 1 {
            out.push(case.without_account(k));
        }
    }
    for (k, a) in case.accounts.iter().enumerate() {
        for fewer in [a.generar / 2, a.generar.saturating_sub(1)] {
            if fewer < a.generar {
                let mut c = case.clone();
                c.accounts[k].generar = fewer;
                out.push(c);
            }
        }
    }
    if case.users > 1 {
        for u in 0..case.users {
            out.push(case.without_user(u));
        }
    }
    out.dedup();
    out
}
