//! The `pnt-suite` runner and command line.
//!
//! # Layout
//!
//! - [`cli`]: argument parsing (clap) and dispatch to the subcommands; exit codes.
//! - [`error`]: the one error type every subcommand returns: stable code, Spanish message, exit
//!   code.
//! - [`scenario`]: the scenario format — YAML files as Rust types, matrix expansion, errors with
//!   file:line:column and "¿quiso decir …?", the JSON Schema.
//! - [`report`]: what a run found (outcomes, failures with expected-vs-actual diffs, repro
//!   commands) and its renderers: human, JSON (with its JSON Schema), JUnit XML, HTML; the exit
//!   code.
//! - [`requisitos`]: the catalog of numbered requirements (`data/requisitos.toml`) that
//!   scenarios declare, reports group by and `coverage` matches against the scenarios.
//! - [`golden`]: the stored transcripts of the shipped scenarios (tests/snapshots/), what
//!   `snapshot:` steps are compared with in every mode, and the redaction list.
//! - [`run`]: the engine — worlds (target + simulator) per scenario, step execution with
//!   expectations and captures, the oracle after every linkage, `--jobs`, `--filter`, `--shard`.
//! - `run_command`: the `run` subcommand — selection, `--report` path checks, environment,
//!   lines as scenarios finish, progress, SIGINT/SIGTERM, reports, exit code.
//! - [`coverage`]: the `coverage` subcommand — requirement × scenario and jurisdiction × fault ×
//!   operation, from the scenario files alone; uncovered requirements need a stated reason.
//! - [`selftest`]: the `selftest` subcommand — the suite run against the reference wrapped in
//!   each defect of a catalog (a proxy between runner and reference), a verdict per defect.
//! - `check`: the `check` subcommand — validates scenario files without running them.
//! - `deadline`: the `deadline` subcommand — plazos from pnt-model, as text or JSON.
//! - `jurisdictions`: the `jurisdictions` subcommand — the 33 jurisdictions and their terms.
//! - `serve`: the `serve` and `up` subcommands — the reference PNT, alone or with the simulator.
//! - `sim`: the `sim` subcommand — infomex-sim standalone.

mod check;
pub mod cli;
pub mod coverage;
mod deadline;
pub mod error;
pub mod explore;
pub mod golden;
mod jurisdictions;
mod load;
pub mod report;
pub mod requisitos;
pub mod run;
mod run_command;
pub mod scenario;
pub mod selftest;
mod serve;
mod sim;

pub use error::{CliError, Exit};
