//! Executing one scenario's steps against a world: requests, expectations, captures, sessions,
//! clock and faults, and the oracle after every linkage.

use std::collections::{BTreeMap, HashMap};

use jiff::tz::TimeZone;
use pnt_model::{Calendario, Date, Jurisdiccion};
use serde_json::Value;

use super::call::{Performed, Prepared, normalized, perform};
use super::client::{PntClient, Unreachable};
use super::error::RunError;
use super::vars::{UnsetVariable, Vars};
use super::verify::{Miss, Observed, verify};
use super::world::World;
use crate::report::{Diff, Failure, Position, StepRecord, StepRef};
use crate::scenario::{Action, At, Credentials, Instance, Scenario, Step};

/// What one scenario's steps produced: the failures, the steps carried out and the transcript.
/// (The scenario's verdict is [`crate::report::Verdict`], decided from it.)
#[derive(Debug, Default)]
pub struct Trace {
    pub failures: Vec<Failure>,
    /// Every step carried out, for the reports.
    pub steps: Vec<StepRecord>,
    /// The normalized transcript a person reviews in snapshots.
    pub transcript: String,
    /// The bodies `snapshot:` steps took, for comparing with the golden.
    pub snapshots: Vec<crate::golden::Taken>,
}

/// Why a scenario stopped before its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    /// The target or the simulator did not answer (or a hook failed): the scenario could not be
    /// carried out, and its report is an error with this Spanish reason.
    CouldNotRun(String),
    /// A step needs a variable that no earlier step captured (its `capture` found nothing): the
    /// target did answer, so this is a failure of the scenario, not an error of the run; the
    /// remaining steps are not carried out because they may depend on the missing value.
    Unset(UnsetVariable),
}

impl From<RunError> for Stopped {
    fn from(e: RunError) -> Stopped {
        match e {
            RunError::UnsetVariable(e) => Stopped::Unset(e),
            e => Stopped::CouldNotRun(e.to_string()),
        }
    }
}

impl From<Unreachable> for Stopped {
    fn from(Unreachable(why): Unreachable) -> Stopped {
        Stopped::CouldNotRun(why)
    }
}

impl From<UnsetVariable> for Stopped {
    fn from(e: UnsetVariable) -> Stopped {
        Stopped::Unset(e)
    }
}

/// Executes a scenario's steps in `world`.
#[derive(Debug)]
pub struct Execution<'a> {
    pub(super) scenario: &'a Scenario,
    /// The scenario's `calendarios`: `advance_clock` with a `jurisdiccion` counts días hábiles
    /// on that jurisdiction's.
    pub(super) calendarios: &'a BTreeMap<Jurisdiccion, Calendario>,
    pub(super) world: &'a World,
    pub(super) client: PntClient,
    pub(super) sessions: HashMap<String, String>,
    pub(super) current: Option<String>,
    pub(super) vars: Vars,
    /// The scenario's `hoy`, once a clock or a clock step fixed it.
    pub(super) hoy: Option<Date>,
    pub(super) tz: Option<TimeZone>,
    /// (PNT user, jurisdiction, Infomex usuario) of every linkage that succeeded.
    pub(super) linked: Vec<(Option<String>, Jurisdiccion, String)>,
    pub(super) out: Trace,
}

impl<'a> Execution<'a> {
    pub fn new(instance: &'a Instance, world: &'a World, client: PntClient) -> Self {
        Execution {
            scenario: &instance.scenario,
            calendarios: &instance.calendarios,
            world,
            client,
            sessions: HashMap::new(),
            current: None,
            vars: Vars::default(),
            hoy: None,
            tz: None,
            linked: Vec::new(),
            out: Trace::default(),
        }
    }

    /// Runs every step; stops early only when the target or the simulator cannot be reached.
    pub async fn run(mut self) -> Result<Trace, (Stopped, Trace)> {
        if let Some(clock) = &self.scenario.clock {
            match clock.timezone.load() {
                Ok(tz) => self.tz = Some(tz),
                Err(e) => return Err((RunError::from(e).into(), self.out)),
            }
            if let Err(e) = self.set_hoy(clock.hoy.0).await {
                return Err((RunError::ClockNotSet(Box::new(e)).into(), self.out));
            }
        }
        let steps = &self.scenario.steps;
        for (i, step) in steps.iter().enumerate() {
            let at = Position {
                index: u32::try_from(i + 1).unwrap_or(u32::MAX),
                inner: None,
            };
            match self.step(at, step).await {
                Ok(()) => {}
                Err(Stopped::CouldNotRun(why)) => {
                    let place = format!(
                        "paso {} ({}, línea {})",
                        i + 1,
                        step.action.name(),
                        step.pos.line
                    );
                    return Err((Stopped::CouldNotRun(format!("{why} ({place})")), self.out));
                }
                Err(Stopped::Unset(unset)) => {
                    // Everything recorded so far (the failed capture, the oracle's diffs) stays
                    // in the report; this step and the rest are not carried out.
                    let remaining = steps.len() - i - 1;
                    self.fail(
                        at,
                        step,
                        Miss {
                            check: UnsetVariable::CODE.to_owned(),
                            message: format!(
                                "{unset}; el paso no se ejecutó{}. Revise la `capture` que \
                                 debía darle valor",
                                match remaining {
                                    0 => String::new(),
                                    1 => ", ni el paso siguiente".to_owned(),
                                    n => format!(", ni los {n} pasos siguientes"),
                                }
                            ),
                            diff: None,
                        },
                    );
                    return Ok(self.out);
                }
            }
        }
        Ok(self.out)
    }

    pub(super) fn credentials(&self, name: &str) -> Credentials {
        self.scenario
            .pnt
            .users
            .iter()
            .find(|(k, _)| k.as_str() == name)
            .map(|(_, u)| u.credentials(name))
            .unwrap_or_else(|| crate::scenario::User::default().credentials(name))
    }

    pub(super) fn acting(&self, step: &Step) -> Option<String> {
        step.user.clone().or_else(|| match &step.action {
            Action::IniciarSesion(l) => Some(l.user.clone()),
            Action::CerrarSesion(Some(u)) => Some(u.clone()),
            _ => self.current.clone(),
        })
    }

    pub(super) fn token(&self, step: &Step) -> Option<String> {
        self.acting(step)
            .and_then(|u| self.sessions.get(&u).cloned())
    }

    pub(super) fn resolve(&self, text: &str) -> Result<String, UnsetVariable> {
        self.vars.resolve(text)
    }

    async fn step(&mut self, index: Position, step: &At<Step>) -> Result<(), Stopped> {
        if let Action::Concurrent(inner) = &step.action {
            // Control steps inside (faults) take effect before any request goes out, in order;
            // the requests are then sent together.
            let mut prepared = Vec::new();
            for s in inner {
                prepared.push(self.prepare(s).await?);
            }
            let mut set = tokio::task::JoinSet::new();
            let mut results: Vec<Option<Result<Performed, Unreachable>>> = Vec::new();
            let mut done: Vec<Option<String>> = Vec::new();
            for (n, p) in prepared.into_iter().enumerate() {
                results.push(None);
                match p {
                    Prepared::Request(call) => {
                        done.push(None);
                        let client = self.client.clone();
                        set.spawn(async move { (n, perform(&client, call).await) });
                    }
                    Prepared::Done(what) => done.push(Some(what)),
                }
            }
            while let Some(joined) = set.join_next().await {
                let (n, result) =
                    joined.map_err(|e| RunError::ConcurrentStepFailed(e.to_string()))?;
                results[n] = Some(result);
            }
            self.note(index, step, "concurrent", None);
            for (n, ((s, result), what)) in inner.iter().zip(results).zip(done).enumerate() {
                let sub = Position {
                    index: index.index,
                    inner: Some(u32::try_from(n + 1).unwrap_or(u32::MAX)),
                };
                match (what, result) {
                    (Some(what), _) => self.note(sub, s, &what, None),
                    (None, result) => {
                        let performed = result.expect("every spawned step reports")?;
                        self.finish(sub, s, performed).await?;
                    }
                }
            }
            return Ok(());
        }
        match self.prepare(step).await? {
            Prepared::Done(what) => {
                self.note(index, step, &what, None);
                Ok(())
            }
            Prepared::Request(call) => {
                let performed = perform(&self.client, call).await?;
                self.finish(index, step, performed).await
            }
        }
    }

    /// Sets `hoy` on the target (hook) and the simulator (noon in the scenario's zone).
    pub(super) async fn set_hoy(&mut self, hoy: Date) -> Result<(), RunError> {
        let observed = self.client.set_clock(hoy).await?;
        if !(200..300).contains(&observed.status) {
            return Err(RunError::HookFailed {
                hook: "clock",
                status: observed.status,
                text: observed.text,
            });
        }
        let tz = self.tz.clone().unwrap_or(TimeZone::UTC);
        let now = tz
            .to_timestamp(hoy.at(12, 0, 0, 0))
            .map_err(|e| RunError::InvalidTime(e.to_string()))?;
        self.world.infomex.set_now(now).await?;
        self.hoy = Some(hoy);
        Ok(())
    }

    fn step_ref(index: Position, step: &At<Step>) -> StepRef {
        StepRef {
            index: index.index,
            inner: index.inner,
            action: step.action.name().to_owned(),
            line: step.pos.line,
        }
    }

    pub(super) fn fail(&mut self, index: Position, step: &At<Step>, miss: Miss) {
        self.out.failures.push(Failure {
            step: Some(Self::step_ref(index, step)),
            check: miss.check,
            message: miss.message,
            diff: miss.diff,
        });
    }

    pub(super) fn note(
        &mut self,
        index: Position,
        step: &At<Step>,
        what: &str,
        observed: Option<&Observed>,
    ) {
        let mut line = format!("{index}. {what}");
        if let Some(user) = &step.user {
            line.push_str(&format!(" (como {user})"));
        }
        let code = observed.and_then(|o| o.body.pointer("/error/codigo").and_then(Value::as_str));
        if let Some(o) = observed {
            line.push_str(&format!(" → {}", o.status));
            if let Some(c) = code {
                line.push_str(&format!(" {c}"));
            }
        }
        self.out.steps.push(StepRecord {
            step: Self::step_ref(index, step),
            description: what.to_owned(),
            user: step.user.clone(),
            status: observed.map(|o| o.status),
            error: code.map(str::to_owned),
        });
        self.out.transcript.push_str(&line);
        self.out.transcript.push('\n');
    }

    /// Checks a request's response, updates sessions and captures, and runs the oracle after a
    /// linkage. Control steps never come here: [`Execution::prepare`] carried them out.
    async fn finish(
        &mut self,
        index: Position,
        step: &At<Step>,
        performed: Performed,
    ) -> Result<(), Stopped> {
        let Performed { observed, download } = performed;
        let what = step.action.describe();
        self.note(index, step, &what, Some(&observed));
        for miss in verify(&step.expect, &observed, &self.vars) {
            self.fail(index, step, miss);
        }
        if let Some(d) = &download {
            let actual = pnt_model::Sha256::of(&d.bytes).to_string();
            if d.declared.as_deref() != Some(actual.as_str()) {
                self.fail(index, step, Miss {
                    check: "adjunto: X-Sha256".into(),
                    message: "los bytes descargados no coinciden con el SHA-256 que declara el destino".into(),
                    diff: Some(Diff::Value {
                        expected: d.declared.clone().unwrap_or_else(|| "(sin X-Sha256)".into()),
                        actual,
                    }),
                });
            }
        }
        if let Some(name) = &step.expect.snapshot {
            self.out
                .transcript
                .push_str(&format!("--- {name} ---\n{}\n", normalized(&observed.body)));
            self.out.snapshots.push(crate::golden::Taken {
                step: Self::step_ref(index, step),
                name: name.clone(),
                body: observed.body.clone(),
            });
        }
        let ok = (200..300).contains(&observed.status);
        match &step.action {
            Action::IniciarSesion(l) if ok => {
                if let Some(t) = observed.body.get("token").and_then(Value::as_str) {
                    self.sessions.insert(l.user.clone(), t.to_owned());
                    self.current = Some(l.user.clone());
                }
            }
            // After `cerrar_sesion` the user keeps the token they logged out with: a later step
            // as that user sends it, so a scenario proves the target revoked it.
            Action::Vincular(v) if ok => {
                let user = self.acting(step);
                let usuario = self
                    .resolve(&v.usuario)
                    .unwrap_or_else(|_| v.usuario.clone());
                let key = (user.clone(), v.jurisdiccion, usuario);
                if !self.linked.contains(&key) {
                    self.linked.push(key);
                }
                let token = self.token(step);
                let misses = self
                    .oracle(v.jurisdiccion, user, token, &observed.body)
                    .await?;
                for miss in misses {
                    self.fail(index, step, miss);
                }
            }
            _ => {}
        }
        for (name, selector) in step.capture.iter() {
            match selector.select(&observed.body) {
                Some(v) => self.vars.set(name, &v),
                None => self.fail(
                    index,
                    step,
                    Miss {
                        check: format!("capture.{name}"),
                        message: format!(
                            "no se pudo capturar `{name}`: la respuesta (HTTP {}) no tiene \
                             `{selector}`; revise la ruta de la captura o lo que responde el destino",
                            observed.status
                        ),
                        diff: None,
                    },
                ),
            }
        }
        Ok(())
    }
}
