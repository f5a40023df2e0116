//! What a run found, independent of how it ran: per scenario an outcome, failures with expected
//! and actual values, and the command that reproduces it; rendered for people
//! ([`human`]), for programs ([`json`], whose JSON Schema is [`json::json_schema`]), for CI
//! ([`junit`]) and for a person after a CI run ([`html`]).

mod diff;
pub mod expected;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod merge;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use diff::{Diff, table_diff_lines, text_diff_lines};

use crate::error::Exit;

/// Everything a run found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunReport {
    /// What was tested: the embedded reference server or the `--target` URL.
    pub target: Target,
    /// The `--seed` that replaced every scenario's own seed; `null` when each scenario ran with
    /// the seed of its file.
    pub seed: Option<u64>,
    /// The scenarios that finished, in the order they were selected.
    pub scenarios: Vec<ScenarioReport>,
    /// `true` when the run was stopped (SIGINT, SIGTERM) before every selected scenario finished:
    /// `scenarios` then holds only those that finished.
    pub interrupted: bool,
    /// Selected scenarios that did not finish because the run was interrupted (0 otherwise).
    pub unfinished: usize,
    /// Wall time of the whole run, in milliseconds (measured; renderers may leave it out).
    #[serde(serialize_with = "millis", deserialize_with = "from_millis")]
    #[schemars(with = "u64")]
    pub duration: Duration,
    /// What `--expect-failures` found wrong with its own entries: an expired entry, or one
    /// whose scenarios all passed. Each fails the run (exit 1); empty without the flag.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expectations: Vec<ExpectationProblem>,
    /// Which part of which selection the run took, when `--shard K/N` split it; `report merge`
    /// joins the parts with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardInfo>,
}

/// What a `run --shard K/N` report says about its part, so `report merge` can tell the parts
/// of one run apart from parts of different runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ShardInfo {
    /// This part's number, 1-based.
    #[schemars(range(min = 1))]
    pub k: usize,
    /// How many parts the selection was dealt into.
    #[schemars(range(min = 1))]
    pub n: usize,
    /// Scenario instances in the whole selection (every part together).
    pub selected: usize,
    /// SHA-256 (hex) of the whole selection: each instance's file, name and seed, in order.
    /// Parts of one run share it; another path, `--filter` or `--matrix`, or a scenario
    /// renamed, added or reseeded gives another.
    pub selection: String,
}

/// An `--expect-failures` entry that must be acted on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ExpectationProblem {
    /// `falla_conocida_vencida` or `falla_conocida_ya_pasa`.
    pub codigo: String,
    pub entry: KnownFailure,
    /// What happened and what to do, in Spanish.
    pub message: String,
}

/// The `--expect-failures` entry a result was matched with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct KnownFailure {
    /// What the entry names: a scenario file (`fallas/adjunto-404.yaml`) or a requirement id.
    pub id: String,
    /// Who answers for the failure.
    pub owner: String,
    /// The last day the entry holds (AAAA-MM-DD).
    pub expires: String,
    /// Why the target fails it.
    pub reason: String,
}

/// The target a run was made against; an external one is part of the repro command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// The embedded reference server (default).
    Embedded,
    /// A server given with `--target URL`.
    External {
        url: String,
        /// The run's other flags that reproducing a scenario on this target needs, in order:
        /// where the simulator is (`--sim-addr`, `--sim-url`), its admin token and the target's
        /// test-hook token as the environment variables `PNT_SIM_ADMIN_TOKEN` and
        /// `PNT_TEST_HOOKS_TOKEN` (never the secrets themselves), how the target restarts
        /// (`--restart-command`), a `--timeout` other than the default.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        flags: Vec<String>,
    },
}

/// One scenario instance's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScenarioReport {
    /// The scenario's name with its matrix values.
    pub name: String,
    pub file: PathBuf,
    /// The theme folder: the first folder under the scenario root the run was given
    /// (`fallas`, `plazos`), or the file's own folder when the file was given by itself.
    pub theme: String,
    /// The jurisdictions (slugs) of the scenario's Infomex accounts, in file order, without
    /// repeats; empty when it has none.
    pub jurisdictions: Vec<String>,
    /// The requirements the scenario declares it checks (docs/requisitos.md), in file order.
    pub requisitos: Vec<String>,
    /// Matrix values of this instance, in file order (a JSON object in reports).
    #[serde(
        serialize_with = "pairs_as_object",
        deserialize_with = "object_as_pairs"
    )]
    #[schemars(with = "std::collections::BTreeMap<String, String>")]
    pub matrix: Vec<(String, String)>,
    /// The seed the scenario ran with.
    pub seed: u64,
    pub outcome: Outcome,
    /// Why it is not applicable, or why it could not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The `--expect-failures` entry that lists this failure (outcome `known_failure`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_failure: Option<KnownFailure>,
    /// The steps carried out, in order (a scenario that stopped early lists those it reached).
    pub steps: Vec<StepRecord>,
    pub failures: Vec<Failure>,
    /// The `snapshot:` bodies the scenario took and whether each was compared with its golden;
    /// a difference is also among `failures`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub snapshots: Vec<SnapshotCheck>,
    /// Wall time of the scenario, in milliseconds.
    #[serde(serialize_with = "millis", deserialize_with = "from_millis")]
    #[schemars(with = "u64")]
    pub duration: Duration,
    /// The command that reproduces this result.
    pub repro: String,
}

/// How a scenario ended.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    Failed,
    /// The target lacks something the scenario needs (a hook); counted and listed, never passed.
    NotApplicable,
    /// The scenario could not be carried out (the target or the simulator did not answer).
    Error,
    /// Failed, and `--expect-failures` lists the failure (an entry not yet expired): reported
    /// as known, and the run does not fail for it.
    KnownFailure,
}

/// A `snapshot:` a step took, and what comparing it with the golden gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SnapshotCheck {
    pub step: StepRef,
    /// The snapshot's name in the scenario.
    pub name: String,
    pub result: SnapshotResult,
}

/// What became of a snapshot: only `matched` and `differs` were compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotResult {
    /// Agrees with the golden, outside what the contract leaves free.
    Matched,
    /// Differs from the golden (a failure, with its diff).
    Differs,
    /// Not compared: the file has no golden, or the golden lacks this snapshot (a scenario
    /// outside the shipped `scenarios/`, or one whose golden was not written yet).
    NoGolden,
    /// Not compared: `--seed` replaced the scenario's seed, and the golden holds its file's.
    OtherSeed,
    /// Not compared: `--update-snapshots` is rewriting the goldens.
    Updating,
    /// Not compared by the runner: its caller compares the whole transcript (`cargo test`).
    ComparedByCaller,
}

impl SnapshotResult {
    /// Why a snapshot was not compared, in Spanish; `None` when it was.
    pub fn not_compared(self) -> Option<&'static str> {
        match self {
            SnapshotResult::Matched | SnapshotResult::Differs => None,
            SnapshotResult::NoGolden => Some(
                "sin golden en tests/snapshots/: no se comparó (escríbalo con `run --update-snapshots` contra la referencia)",
            ),
            SnapshotResult::OtherSeed => {
                Some("no se comparó: el golden es de la semilla del archivo y --seed la cambió")
            }
            SnapshotResult::Updating => {
                Some("no se comparó: --update-snapshots reescribe los goldens")
            }
            SnapshotResult::ComparedByCaller => Some("no se comparó aquí: lo compara cargo test"),
        }
    }
}

/// One expectation that did not hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Failure {
    /// Which step, when the failure belongs to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<StepRef>,
    /// What was checked: `status`, `fields.estado`, `oráculo`, ….
    pub check: String,
    /// What went wrong, in Spanish.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<Diff>,
}

/// A step by its place in the scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StepRef {
    /// 1-based position among the scenario's steps.
    #[schemars(range(min = 1))]
    pub index: u32,
    /// 1-based position inside step `index`'s `concurrent`, for the steps it runs at once:
    /// `index: 5, inner: 2` is the step people read as `5.2`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub inner: Option<u32>,
    /// The action's key (`vincular`).
    pub action: String,
    /// The line of the step in the file.
    pub line: u32,
}

impl StepRef {
    /// Where the step is, as every renderer names it: `paso 5.2 (vincular, file.yaml:31)`.
    pub fn place(&self, file: &std::path::Path) -> String {
        format!(
            "paso {} ({}, {}:{})",
            self.position(),
            self.action,
            file.display(),
            self.line
        )
    }

    /// The position as people read it: `5`, or `5.2` inside a `concurrent`.
    pub fn position(&self) -> Position {
        Position {
            index: self.index,
            inner: self.inner,
        }
    }
}

/// A step's position, displayed `5` or `5.2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub index: u32,
    pub inner: Option<u32>,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.inner {
            Some(inner) => write!(f, "{}.{inner}", self.index),
            None => write!(f, "{}", self.index),
        }
    }
}

/// One step as it was carried out: what was asked and what the target answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StepRecord {
    #[serde(flatten)]
    pub step: StepRef,
    /// The step as the transcript shows it (`vincular federacion/ciudadano.federal`).
    pub description: String,
    /// The scenario user the step acted as, when the step names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The HTTP status the target answered; absent for steps that do not call the target
    /// (clock, faults, restart, `concurrent` itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The `error.codigo` of the answer, when it carried one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl RunReport {
    /// How many scenarios ended each way.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for s in &self.scenarios {
            match s.outcome {
                Outcome::Passed => c.passed += 1,
                Outcome::Failed => c.failed += 1,
                Outcome::NotApplicable => c.not_applicable += 1,
                Outcome::Error => c.error += 1,
                Outcome::KnownFailure => c.known_failure += 1,
            }
        }
        c
    }

    /// The results grouped by requirement: each requirement some scenario of the run declares,
    /// in catalog order, with the scenarios (their names) by outcome.
    pub fn requisitos(&self) -> Vec<RequisitoResult> {
        let catalogo = crate::requisitos::catalogo();
        let mut out: Vec<RequisitoResult> = Vec::new();
        for id in catalogo.ids() {
            let mut r = RequisitoResult {
                id: id.to_owned(),
                texto: catalogo
                    .get(id)
                    .map(|r| r.texto.clone())
                    .unwrap_or_default(),
                outcome: Outcome::Passed,
                passed: Vec::new(),
                failed: Vec::new(),
                known_failure: Vec::new(),
                not_applicable: Vec::new(),
                error: Vec::new(),
            };
            for s in self
                .scenarios
                .iter()
                .filter(|s| s.requisitos.iter().any(|x| x == id))
            {
                let list = match s.outcome {
                    Outcome::Passed => &mut r.passed,
                    Outcome::Failed => &mut r.failed,
                    Outcome::KnownFailure => &mut r.known_failure,
                    Outcome::NotApplicable => &mut r.not_applicable,
                    Outcome::Error => &mut r.error,
                };
                list.push(s.name.clone());
            }
            // The worst outcome speaks for the requirement: one failing scenario is enough to
            // say the target does not meet it.
            r.outcome = if !r.error.is_empty() {
                Outcome::Error
            } else if !r.failed.is_empty() {
                Outcome::Failed
            } else if !r.known_failure.is_empty() {
                Outcome::KnownFailure
            } else if r.passed.is_empty() {
                Outcome::NotApplicable
            } else {
                Outcome::Passed
            };
            if r.total() > 0 {
                out.push(r);
            }
        }
        out
    }

    /// The process exit code: 130 when the run was interrupted, else 3 when some scenario
    /// could not run, else 1 when some failed or an `--expect-failures` entry expired or now
    /// passes, else 0 (not-applicable scenarios and known failures are listed, and do not fail
    /// the run).
    pub fn exit(&self) -> Exit {
        self.exit_with(false)
    }

    /// How many `snapshot:` checks were not compared with a golden (each says why).
    pub fn snapshots_not_compared(&self) -> usize {
        self.scenarios
            .iter()
            .flat_map(|s| &s.snapshots)
            .filter(|c| c.result.not_compared().is_some())
            .count()
    }

    /// [`RunReport::exit`], where `require_all` (`run --require-all`, a conformance claim) also
    /// makes any not-applicable scenario, and any snapshot not compared with its golden, exit 1:
    /// a run that skipped part of the suite or of its checks must not read as full conformance.
    pub fn exit_with(&self, require_all: bool) -> Exit {
        let c = self.counts();
        if self.interrupted {
            Exit::Interrupted
        } else if c.error > 0 {
            Exit::CouldNotRun
        } else if c.failed > 0
            || !self.expectations.is_empty()
            || (require_all && (c.not_applicable > 0 || self.snapshots_not_compared() > 0))
        {
            Exit::Failures
        } else {
            Exit::Success
        }
    }
}

/// Scenario counts by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub not_applicable: usize,
    pub error: usize,
    /// Failed, but listed by `--expect-failures`.
    pub known_failure: usize,
}

impl Counts {
    pub fn total(&self) -> usize {
        self.passed + self.failed + self.not_applicable + self.error + self.known_failure
    }

    /// The scenarios actually carried out to a verdict (passed or failed, known or not):
    /// not-applicable ones were not run and those that could not run were not judged.
    pub fn exercised(&self) -> usize {
        self.passed + self.failed + self.known_failure
    }

    /// How much of the selection was exercised, as every report words it:
    /// `104 de 113 (92 %)`. The percentage is rounded down, so it reads 100 % only when every
    /// scenario was exercised.
    pub fn exercised_text(&self) -> String {
        let total = self.total();
        let percent = (self.exercised() * 100).checked_div(total).unwrap_or(100);
        format!("{} de {total} ({percent} %)", self.exercised())
    }
}

/// One requirement's results in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RequisitoResult {
    /// The requirement's id (docs/requisitos.md).
    pub id: String,
    /// What it requires, in Spanish.
    pub texto: String,
    /// The worst outcome among its scenarios (`not_applicable` when none was exercised).
    pub outcome: Outcome,
    /// The names of its scenarios, by outcome.
    pub passed: Vec<String>,
    pub failed: Vec<String>,
    pub known_failure: Vec<String>,
    pub not_applicable: Vec<String>,
    pub error: Vec<String>,
}

impl RequisitoResult {
    /// How many scenarios declare the requirement in this run.
    pub fn total(&self) -> usize {
        self.passed.len()
            + self.failed.len()
            + self.known_failure.len()
            + self.not_applicable.len()
            + self.error.len()
    }
}

/// The theme folder of `file`: the first folder under whichever of `roots` (the paths the run
/// was given) holds it, or the name of the file's own folder when no root folder holds it (a
/// file given by itself) or the file sits right in the root.
pub fn theme_of(file: &Path, roots: &[PathBuf]) -> String {
    for root in roots {
        if let Ok(rest) = file.strip_prefix(root) {
            let mut parts = rest.components();
            if let (Some(first), Some(_)) = (parts.next(), parts.next()) {
                return first.as_os_str().to_string_lossy().into_owned();
            }
        }
    }
    file.parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The one command that reproduces a scenario's result:
/// `pnt-suite run FILE --seed N [--matrix k=v]... [--target URL [flags]...]`. A flag written
/// `"$VAR"` is left for the shell to expand.
pub fn repro_command(
    file: &std::path::Path,
    seed: u64,
    matrix: &[(String, String)],
    target: &Target,
) -> String {
    let mut cmd = format!(
        "pnt-suite run {} --seed {seed}",
        shell_word(&file.display().to_string())
    );
    for (k, v) in matrix {
        cmd.push_str(&format!(" --matrix {}", shell_word(&format!("{k}={v}"))));
    }
    if let Target::External { url, flags } = target {
        cmd.push_str(&format!(" --target {}", shell_word(url)));
        for flag in flags {
            cmd.push(' ');
            if flag.starts_with("\"$") {
                cmd.push_str(flag);
            } else {
                cmd.push_str(&shell_word(flag));
            }
        }
    }
    cmd
}

/// Quotes a word for a POSIX shell when it needs it.
fn shell_word(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@+,".contains(c));
    if safe {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

fn pairs_as_object<S: serde::Serializer>(
    pairs: &[(String, String)],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

/// Reads a matrix object back in the order it was written (the JSON's order is the file's).
fn object_as_pairs<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<(String, String)>, D::Error> {
    struct Pairs;
    impl<'de> serde::de::Visitor<'de> for Pairs {
        type Value = Vec<(String, String)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of matrix values")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut pairs = Vec::new();
            while let Some(pair) = map.next_entry()? {
                pairs.push(pair);
            }
            Ok(pairs)
        }
    }
    d.deserialize_map(Pairs)
}

fn from_millis<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    u64::deserialize(d).map(Duration::from_millis)
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
pub(crate) mod sample;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_worst_outcome() {
        let mut report = sample::report();
        assert_eq!(report.exit(), Exit::CouldNotRun);
        report.scenarios.retain(|s| s.outcome != Outcome::Error);
        assert_eq!(report.exit(), Exit::Failures);
        report.scenarios.retain(|s| s.outcome != Outcome::Failed);
        assert_eq!(report.exit(), Exit::Success);
        assert_eq!(report.counts().not_applicable, 1);
        assert_eq!(report.exit_with(true), Exit::Failures);
        report
            .scenarios
            .retain(|s| s.outcome != Outcome::NotApplicable);
        // The passing scenario's second snapshot has no golden: not a full conformance run.
        assert_eq!(report.snapshots_not_compared(), 1);
        assert_eq!(report.exit(), Exit::Success);
        assert_eq!(report.exit_with(true), Exit::Failures);
        for s in &mut report.scenarios {
            s.snapshots.retain(|c| c.result.not_compared().is_none());
        }
        assert_eq!(report.exit_with(true), Exit::Success);
    }

    #[test]
    fn exercised_share_is_rounded_down_and_never_reads_full_when_something_was_skipped() {
        let c = Counts {
            passed: 100,
            failed: 4,
            not_applicable: 8,
            error: 1,
            known_failure: 0,
        };
        assert_eq!(c.exercised_text(), "104 de 113 (92 %)");
        let almost = Counts {
            passed: 999,
            not_applicable: 1,
            ..Counts::default()
        };
        assert_eq!(almost.exercised_text(), "999 de 1000 (99 %)");
        assert_eq!(Counts::default().exercised_text(), "0 de 0 (100 %)");
    }

    #[test]
    fn repro_commands_quote_what_the_shell_would_split() {
        let t = Target::External {
            url: "http://127.0.0.1:8080".into(),
            flags: vec![],
        };
        assert_eq!(
            repro_command(
                std::path::Path::new("scenarios/mi escenario.yaml"),
                42,
                &[
                    ("jurisdiccion".into(), "nuevo-leon".into()),
                    ("x".into(), "a b".into())
                ],
                &t
            ),
            "pnt-suite run 'scenarios/mi escenario.yaml' --seed 42 --matrix jurisdiccion=nuevo-leon \
             --matrix 'x=a b' --target http://127.0.0.1:8080"
        );
        let t = Target::External {
            url: "http://pnt.example:8080".into(),
            flags: [
                "--sim-url",
                "http://sim.example:8090",
                "--sim-admin-token",
                "\"$PNT_SIM_ADMIN_TOKEN\"",
                "--restart-command",
                "systemctl restart pnt",
            ]
            .map(String::from)
            .to_vec(),
        };
        assert_eq!(
            repro_command(std::path::Path::new("a.yaml"), 7, &[], &t),
            "pnt-suite run a.yaml --seed 7 --target http://pnt.example:8080 --sim-url \
             http://sim.example:8090 --sim-admin-token \"$PNT_SIM_ADMIN_TOKEN\" \
             --restart-command 'systemctl restart pnt'"
        );
    }
}
