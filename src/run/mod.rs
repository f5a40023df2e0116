//! The engine: runs scenario instances in fresh worlds, `--jobs` at a time, and reports.
//!
//! For each instance: start a world (simulator configured from the scenario, empty target),
//! read the target's discovery document, mark the scenario not applicable if it needs a hook
//! the target lacks, set the clock, run the steps (with the oracle after each linkage), and
//! turn what happened into a [`ScenarioReport`].

mod call;
mod client;
mod embedded;
mod exec;
mod external;
mod linkage;
mod oracle;
mod select;
mod sim;
mod vars;
mod verify;
mod world;

use std::sync::Arc;
use std::time::{Duration, Instant};

pub use client::{Discovery, Hooks, PntClient, Unreachable};
pub use embedded::Embedded;
pub use exec::{Execution, Stopped};
pub use external::External;
pub use oracle::{SimAccount, SimAdjunto, SimRespuesta, SimSolicitud, TargetView, compare};
pub use select::{MatrixFilter, Selection, Shard};
pub use vars::Vars;
pub use verify::{GENERIC_ERROR, Miss, Observed, verify};
pub use world::{BoxFuture, Environment, Infomex, Restart, World};

use crate::report::{Outcome, RunReport, ScenarioReport, repro_command};
use crate::scenario::{Instance, Requirement};

/// How to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Scenarios at the same time (only when the environment's worlds are independent).
    pub jobs: usize,
    /// Overrides every scenario's seed.
    pub seed: Option<u64>,
    /// Time limit of one request to the target; a linkage is one request, however large the
    /// account.
    pub timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            jobs: 1,
            seed: None,
            timeout: client::DEFAULT_TIMEOUT,
        }
    }
}

/// The result of one instance, with its transcript (for snapshots).
#[derive(Debug, Clone, PartialEq)]
pub struct Ran {
    pub report: ScenarioReport,
    pub transcript: String,
}

/// Runs `instances` in `env`; `on_done` sees each result as soon as it is known (progress),
/// and the report keeps the instances' order.
pub async fn run(
    env: Arc<dyn Environment>,
    instances: Vec<Instance>,
    options: &Options,
    mut on_done: impl FnMut(&Ran),
) -> (RunReport, Vec<Ran>) {
    let started = Instant::now();
    let jobs = if env.parallel() {
        options.jobs.max(1)
    } else {
        1
    };
    let semaphore = Arc::new(tokio::sync::Semaphore::new(jobs));
    let mut set = tokio::task::JoinSet::new();
    let total = instances.len();
    // What a report needs if a scenario's task panics (a bug in the runner or the simulator):
    // that scenario is reported as an error and the others go on.
    let mut blank: Vec<ScenarioReport> = Vec::with_capacity(total);
    let mut task_index = std::collections::HashMap::new();
    for (n, instance) in instances.into_iter().enumerate() {
        let seed = options.seed.unwrap_or(instance.scenario.seed);
        blank.push(ScenarioReport {
            name: instance.display_name(),
            file: instance.file.clone(),
            matrix: instance.matrix.clone(),
            seed,
            outcome: Outcome::Error,
            reason: None,
            failures: Vec::new(),
            duration: Default::default(),
            repro: repro_command(&instance.file, seed, &instance.matrix, &env.target()),
        });
        let env = env.clone();
        let semaphore = semaphore.clone();
        let (seed, timeout) = (options.seed, options.timeout);
        let handle = set.spawn(async move {
            let _permit = semaphore
                .acquire_owned()
                .await
                .expect("the semaphore is never closed");
            run_one(env.as_ref(), &instance, seed, timeout).await
        });
        task_index.insert(handle.id(), n);
    }
    let mut done: Vec<Option<Ran>> = (0..total).map(|_| None).collect();
    while let Some(joined) = set.join_next_with_id().await {
        let (id, ran) = match joined {
            Ok((id, ran)) => (id, ran),
            Err(e) => {
                let id = e.id();
                let n = task_index[&id];
                let mut report = blank[n].clone();
                report.reason = Some(format!("el escenario se interrumpió: {}", panic_text(e)));
                (
                    id,
                    Ran {
                        report,
                        transcript: String::new(),
                    },
                )
            }
        };
        on_done(&ran);
        done[task_index[&id]] = Some(ran);
    }
    let ran: Vec<Ran> = done
        .into_iter()
        .map(|r| r.expect("every task reports"))
        .collect();
    let report = RunReport {
        target: env.target(),
        scenarios: ran.iter().map(|r| r.report.clone()).collect(),
        duration: started.elapsed(),
    };
    (report, ran)
}

fn panic_text(e: tokio::task::JoinError) -> String {
    if !e.is_panic() {
        return e.to_string();
    }
    let payload = e.into_panic();
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "pánico sin mensaje".to_owned())
}

/// Runs one instance in a fresh world.
pub async fn run_one(
    env: &dyn Environment,
    instance: &Instance,
    seed: Option<u64>,
    timeout: Duration,
) -> Ran {
    let started = Instant::now();
    let seed = seed.unwrap_or(instance.scenario.seed);
    let target = env.target();
    let mut report = ScenarioReport {
        name: instance.display_name(),
        file: instance.file.clone(),
        matrix: instance.matrix.clone(),
        seed,
        outcome: Outcome::Passed,
        reason: None,
        failures: Vec::new(),
        duration: Default::default(),
        repro: repro_command(&instance.file, seed, &instance.matrix, &target),
    };
    let result = async {
        let world = env.start(instance, seed).await.map_err(|e| {
            (
                Outcome::Error,
                format!("no se pudo preparar el escenario: {e}"),
            )
        })?;
        let client = PntClient::discover(&world.pnt_base, timeout)
            .await
            .map_err(|Unreachable(e)| (Outcome::Error, e))?;
        let missing: Vec<&str> = instance
            .scenario
            .requirements()
            .into_iter()
            .filter(|r| match r {
                Requirement::Clock => !client.hooks().available.iter().any(|h| h == "clock"),
                Requirement::Restart => world.restart.is_none(),
                Requirement::Dialects => !world.dialects,
            })
            .map(Requirement::name)
            .collect();
        if !missing.is_empty() {
            return Err((
                Outcome::NotApplicable,
                format!(
                    "el destino no ofrece lo que el escenario necesita: {}",
                    missing
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        match Execution::new(&instance.scenario, &world, client)
            .run()
            .await
        {
            Ok(out) => Ok(out),
            Err((Stopped(why), out)) => Err((Outcome::Error, format!("{why}\n{}", out.transcript))),
        }
    }
    .await;
    let transcript = match result {
        Ok(out) => {
            report.outcome = if out.failures.is_empty() {
                Outcome::Passed
            } else {
                Outcome::Failed
            };
            report.failures = out.failures;
            out.transcript
        }
        Err((outcome, reason)) => {
            report.outcome = outcome;
            let (first, rest) = reason.split_once('\n').unwrap_or((&reason, ""));
            report.reason = Some(first.to_owned());
            rest.to_owned()
        }
    };
    report.duration = started.elapsed();
    Ran { report, transcript }
}
