//! The scenario format: what a QA engineer writes in YAML, as Rust types.
//!
//! A file describes one scenario (or, with `matrix`, one per combination of values): the Infomex
//! accounts and faults, the PNT users, the clock, and the steps with what each expects. Reading
//! a file goes: text → matrix expansion (`${name}`) → typed [`Scenario`] (serde-saphyr, so every
//! error has a line and column) → coherence checks ([`load`]).

mod clock;
mod de;
mod error;
mod expect;
mod infomex;
mod load;
mod matrix;
mod pnt;
mod recover;
mod schema;
mod step;

use schemars::JsonSchema;
use serde::Deserialize;

pub use clock::{Clock, DEFAULT_TIMEZONE, Timezone, TimezoneError};
pub use de::{At, Fecha, OrderedMap, Pos};
pub use error::{ScenarioError, code};
pub use expect::{
    CODIGOS_PENDIENTES, CODIGOS_PNT, Codigo, Expect, HeaderExpect, Selector, SelectorError,
};
// The fault plan is written exactly as the simulator reads it: its catalog is the only one.
pub use infomex::{Account, Infomex, Written, WrittenAdjunto, WrittenPrevencion, WrittenRespuesta};
pub use infomex_sim::{Endpoint, FaultKindName, FaultSpec};
pub use load::{
    Instance, file_warnings, find_files, load_file, load_file_all, load_str, load_str_all,
};
pub use matrix::{MARKER_CLOSE, MARKER_OPEN, Matrix, NAMED_SETS, as_written, runtime_marker};
pub use pnt::{Credentials, Pnt, User};
pub use pnt_model::did_you_mean;
pub use schema::json_schema;
pub use step::{
    Action, ActionKind, Advance, Descargar, Detalle, Historial, IniciarSesion, MODIFIERS, NoArgs,
    QuejaArgs, Step, Vincular,
};

/// One scenario file.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "pnt-suite scenario")]
pub struct Scenario {
    /// What the scenario proves, in one line (shown in reports).
    pub name: String,
    /// Why it matters, for the person reading the report.
    #[serde(default)]
    pub description: String,
    /// The requirements this scenario checks (ids of docs/requisitos.md, `R-VINC-01`): reports
    /// group results by them and `pnt-suite coverage` matches them against the catalog.
    #[serde(default)]
    pub requisitos: Vec<At<String>>,
    /// Seed of the simulator's data: the same seed gives the same accounts, byte for byte.
    /// `pnt-suite run --seed N` overrides it.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// `hoy` for the target and the simulator; needs the target's `clock` hook.
    #[serde(default)]
    pub clock: Option<Clock>,
    /// Runs the scenario once per combination of values; `${name}` in the file takes each value.
    #[serde(default)]
    pub matrix: Matrix,
    /// Calendar files (docs/calendars.md), relative to this file, whose días inhábiles and
    /// suspensions the target applies to the jurisdiction each names: the embedded reference
    /// is started with them; a `--target` must publish the same días inhábiles in its
    /// discovery document, or the scenario fails (`calendario_distinto`).
    #[serde(default)]
    pub calendarios: Vec<At<String>>,
    /// The simulator's accounts, dialects and fault plan.
    #[serde(default)]
    pub infomex: Infomex,
    /// The PNT users.
    #[serde(default)]
    pub pnt: Pnt,
    /// What happens, in order.
    pub steps: Vec<At<Step>>,
}

fn default_seed() -> u64 {
    1
}

/// What a scenario needs from its target beyond the PNT API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Requirement {
    /// The `clock` test hook (`PUT /__test/clock`).
    Clock,
    /// Restarting the target on the same database (the embedded reference server).
    Restart,
    /// Telling the target that some Infomex speaks another dialect than the default one
    /// (`infomex.dialects` with an entry that differs from `Dialect::default_for`): the
    /// embedded reference server is configured in process, an external target through its
    /// `infomex` hook (`PUT /__test/infomex`). A map that only repeats the defaults needs
    /// nothing: the target already speaks them.
    Infomex,
}

impl Requirement {
    /// The name a target advertises (`hooks.available`) or the runner knows it by.
    pub fn name(self) -> &'static str {
        match self {
            Requirement::Clock => "clock",
            Requirement::Restart => "restart",
            Requirement::Infomex => "infomex",
        }
    }
}

impl Scenario {
    /// Every step, depth first (the steps of `concurrent` after it).
    pub fn all_steps(&self) -> Vec<&At<Step>> {
        fn walk<'a>(steps: &'a [At<Step>], out: &mut Vec<&'a At<Step>>) {
            for s in steps {
                out.push(s);
                if let Action::Concurrent(inner) = &s.action {
                    walk(inner, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.steps, &mut out);
        out
    }

    /// Whether a fault of this scenario (its plan or a `faults` step) counts requests in the
    /// order they arrive — `nth`, `times`, `probability` or `session_expiry` — so which request
    /// it hits depends on the order the target sends them. The runner then asks the reference
    /// to link one solicitud at a time (`concurrencia: 1`), which sends them in list order, as
    /// the scenario's expectations were written for.
    pub fn faults_count_arrivals(&self) -> bool {
        let counts = |f: &FaultSpec| {
            f.nth.is_some()
                || f.times.is_some()
                || f.probability.is_some()
                || f.kind == FaultKindName::SessionExpiry
        };
        self.infomex.faults.iter().any(|f| counts(&f.value))
            || self.all_steps().iter().any(|s| match &s.action {
                Action::Faults(faults) => faults.iter().any(|f| counts(&f.value)),
                _ => false,
            })
    }

    /// The hooks and capabilities this scenario needs, sorted.
    pub fn requirements(&self) -> Vec<Requirement> {
        let mut out = Vec::new();
        if self.clock.is_some() {
            out.push(Requirement::Clock);
        }
        if !self.infomex.non_default_dialects().is_empty() {
            out.push(Requirement::Infomex);
        }
        for step in self.all_steps() {
            match step.action {
                Action::SetClock(_) | Action::AdvanceClock(_) => out.push(Requirement::Clock),
                Action::Restart(_) => out.push(Requirement::Restart),
                _ => {}
            }
        }
        out.sort();
        out.dedup();
        out
    }
}
