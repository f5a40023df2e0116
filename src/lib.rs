//! The `pnt-suite` runner and command line.
//!
//! # Layout
//!
//! - [`cli`]: argument parsing (clap) and dispatch to the subcommands; exit codes.
//! - [`error`]: the one error type every subcommand returns: stable code, Spanish message, exit
//!   code.
//! - `deadline`: the `deadline` subcommand — plazos from pnt-model, as text or JSON.
//! - `jurisdictions`: the `jurisdictions` subcommand — the 33 jurisdictions and their terms.

pub mod cli;
mod deadline;
pub mod error;
mod jurisdictions;

pub use error::{CliError, Exit};
