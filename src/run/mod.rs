//! The engine: runs scenario instances in fresh worlds, `--jobs` at a time, and reports.
//!
//! For each instance: start a world (simulator configured from the scenario, empty target),
//! read the target's discovery document, mark the scenario not applicable if it needs a hook
//! the target lacks, set the clock, run the steps (with the oracle after each linkage), and
//! turn what happened into a [`ScenarioReport`].

mod calendario;
mod call;
mod client;
mod embedded;
mod error;
mod exec;
mod external;
mod linkage;
mod listing;
mod oracle;
mod select;
mod sim;
mod vars;
mod verify;
mod world;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(crate) use client::segment;
pub use client::{Discovery, Hooks, PntClient, Unreachable};
pub use embedded::Embedded;
pub use error::RunError;
pub use exec::{Execution, Stopped};
pub use external::{External, SimPlace};
pub use oracle::{SimAccount, TargetView, compare};
pub use select::{MatrixFilter, Selection, Shard, shard_info};
pub use vars::{UnsetVariable, Vars};
pub use verify::{GENERIC_ERROR, Miss, Observed, verify};
pub use world::{BoxFuture, Environment, Infomex, Restart, World};

use crate::report::{Outcome, RunReport, ScenarioReport, repro_command, theme_of};
use crate::scenario::{Action, At, Instance, Requirement, Step};

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
    /// What to do with the bodies `snapshot:` steps take (compare with the goldens by default).
    pub snapshots: crate::golden::Mode,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            jobs: 1,
            seed: None,
            timeout: client::DEFAULT_TIMEOUT,
            snapshots: crate::golden::Mode::default(),
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
    on_done: impl FnMut(&Ran),
) -> (RunReport, Vec<Ran>) {
    run_until(env, instances, options, on_done, std::future::pending()).await
}

/// [`run`], until `stop` completes: then no further scenario starts, the running ones are
/// abandoned, and the report holds the scenarios that finished, marked interrupted.
pub async fn run_until(
    env: Arc<dyn Environment>,
    instances: Vec<Instance>,
    options: &Options,
    mut on_done: impl FnMut(&Ran),
    stop: impl Future<Output = ()>,
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
            theme: theme_of(&instance.file, &[]),
            jurisdictions: jurisdictions(&instance),
            requisitos: instance
                .scenario
                .requisitos
                .iter()
                .map(|r| r.value.clone())
                .collect(),
            matrix: instance.matrix.clone(),
            seed,
            outcome: Outcome::Error,
            reason: None,
            known_failure: None,
            steps: Vec::new(),
            failures: Vec::new(),
            snapshots: Vec::new(),
            duration: Default::default(),
            repro: repro_command(&instance.file, seed, &instance.matrix, &env.target()),
        });
        let env = env.clone();
        let semaphore = semaphore.clone();
        let (seed, timeout, snapshots) = (options.seed, options.timeout, options.snapshots);
        let handle = set.spawn(async move {
            let _permit = semaphore
                .acquire_owned()
                .await
                .expect("the semaphore is never closed");
            run_one(env.as_ref(), &instance, seed, timeout, snapshots).await
        });
        task_index.insert(handle.id(), n);
    }
    let mut done: Vec<Option<Ran>> = (0..total).map(|_| None).collect();
    let mut stop = std::pin::pin!(stop);
    let mut interrupted = false;
    loop {
        let joined = tokio::select! {
            // A scenario that finished as the stop came is still reported.
            biased;
            joined = set.join_next_with_id() => joined,
            () = &mut stop, if !interrupted => {
                // Scenarios waiting for a permit never start; running ones stop at their next
                // await and are left out of the report, which says how many did not finish.
                interrupted = true;
                set.abort_all();
                continue;
            }
        };
        let Some(joined) = joined else { break };
        let (id, ran) = match joined {
            Ok((id, ran)) => (id, ran),
            Err(e) if e.is_cancelled() => continue,
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
    let unfinished = done.iter().filter(|r| r.is_none()).count();
    assert!(
        interrupted || unfinished == 0,
        "every task reports unless the run was interrupted"
    );
    let ran: Vec<Ran> = done.into_iter().flatten().collect();
    let report = RunReport {
        target: env.target(),
        seed: options.seed,
        scenarios: ran.iter().map(|r| r.report.clone()).collect(),
        interrupted,
        unfinished,
        duration: started.elapsed(),
        expectations: Vec::new(),
        shard: None,
    };
    (report, ran)
}

/// The jurisdictions a scenario touches: those of its Infomex accounts, then those its
/// `vincular` steps name (procedural accounts need no listing), in order, without repeats.
fn jurisdictions(instance: &Instance) -> Vec<String> {
    fn from_steps(steps: &[At<Step>], out: &mut Vec<pnt_model::Jurisdiccion>) {
        for step in steps {
            match &step.action {
                Action::Vincular(v) => out.push(v.jurisdiccion),
                Action::Concurrent(inner) => from_steps(inner, out),
                _ => {}
            }
        }
    }
    let scenario = &instance.scenario;
    let mut all: Vec<pnt_model::Jurisdiccion> = scenario
        .infomex
        .accounts
        .iter()
        .map(|a| a.jurisdiccion)
        .collect();
    from_steps(&scenario.steps, &mut all);
    let mut seen = Vec::new();
    for j in all {
        if !seen.contains(&j) {
            seen.push(j);
        }
    }
    seen.into_iter().map(|j| j.slug().to_owned()).collect()
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
    snapshots: crate::golden::Mode,
) -> Ran {
    let started = Instant::now();
    let seed = seed.unwrap_or(instance.scenario.seed);
    let target = env.target();
    let mut report = ScenarioReport {
        name: instance.display_name(),
        file: instance.file.clone(),
        theme: theme_of(&instance.file, &[]),
        jurisdictions: jurisdictions(instance),
        requisitos: instance
            .scenario
            .requisitos
            .iter()
            .map(|r| r.value.clone())
            .collect(),
        matrix: instance.matrix.clone(),
        seed,
        outcome: Outcome::Passed,
        reason: None,
        known_failure: None,
        steps: Vec::new(),
        failures: Vec::new(),
        snapshots: Vec::new(),
        duration: Default::default(),
        repro: repro_command(&instance.file, seed, &instance.matrix, &target),
    };
    let mut steps_so_far = Vec::new();
    let mut failures_so_far = Vec::new();
    let result = async {
        let world = env.start(instance, seed).await.map_err(|e| {
            (
                Outcome::Error,
                format!("no se pudo preparar el escenario: {e}"),
            )
        })?;
        let client = PntClient::discover(&world.pnt_base, timeout)
            .await
            .map_err(|Unreachable(e)| (Outcome::Error, e))?
            .with_hooks_token(world.hooks_token.clone());
        let missing: Vec<String> = instance
            .scenario
            .requirements()
            .into_iter()
            .filter(|r| match r {
                Requirement::Clock => !client.offers("clock"),
                Requirement::Restart => world.restart.is_none(),
                Requirement::Infomex => !world.dialects,
            })
            .map(|r| match r {
                // The one requirement a flag of the runner, not the target, provides.
                Requirement::Restart
                    if matches!(target, crate::report::Target::External { .. }) =>
                {
                    "restart` (dé --restart-command para reiniciar el destino)".to_owned()
                }
                r => format!("{}`", r.name()),
            })
            .collect();
        if !missing.is_empty() {
            return Err((
                Outcome::NotApplicable,
                format!(
                    "el destino no ofrece lo que el escenario necesita: {}",
                    missing
                        .iter()
                        .map(|m| format!("`{m}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        // The scenario's calendars against the target's: a mismatch fails the scenario, which
        // still runs so that its own expectations show what the other calendar changes.
        let calendars = calendario::compare(
            &instance.calendarios,
            client.reglas(),
            client.reglas_publicadas(),
        );
        match Execution::new(instance, &world, client).run().await {
            Ok(mut out) => {
                out.failures.splice(0..0, calendars);
                Ok(out)
            }
            Err((stopped, mut out)) => {
                // What was recorded before the stop (failures with their diffs) stays in the
                // report: an error never hides a failure found earlier.
                out.failures.splice(0..0, calendars);
                steps_so_far = out.steps;
                failures_so_far = out.failures;
                let why = match stopped {
                    Stopped::CouldNotRun(why) => why,
                    Stopped::Unset(e) => e.to_string(),
                };
                Err((Outcome::Error, format!("{why}\n{}", out.transcript)))
            }
        }
    }
    .await;
    let transcript = match result {
        Ok(mut out) => {
            report.snapshots = crate::golden::check(
                &instance.file,
                &report.name,
                snapshots,
                seed != instance.scenario.seed,
                &out.snapshots,
                &mut out.failures,
            );
            report.outcome = if out.failures.is_empty() {
                Outcome::Passed
            } else {
                Outcome::Failed
            };
            report.failures = out.failures;
            report.steps = out.steps;
            out.transcript
        }
        Err((outcome, reason)) => {
            report.steps = std::mem::take(&mut steps_so_far);
            report.failures = std::mem::take(&mut failures_so_far);
            report.outcome = outcome;
            let (first, rest) = reason.split_once('\n').unwrap_or((&reason, ""));
            report.reason = Some(first.to_owned());
            rest.to_owned()
        }
    };
    report.duration = started.elapsed();
    Ran { report, transcript }
}
