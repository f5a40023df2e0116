//! The CLI's error type and exit codes.

use std::fmt;
use std::process::ExitCode;

/// Exit codes shared by every subcommand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything asked for was done and passed.
    Success = 0,
    /// A run completed and found failures.
    Failures = 1,
    /// The input (arguments, files) was wrong; nothing was run.
    BadInput = 2,
    /// The input was fine but the work could not be carried out (IO, network, a target down).
    CouldNotRun = 3,
    /// `run` was stopped by SIGINT or SIGTERM: it printed and reported what finished, and
    /// stopped there. 130 (128 + SIGINT) as shells report an interrupted command, and distinct
    /// from 3, so CI can tell a cancelled run from a target that could not be tested.
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

/// A user-facing failure: a stable machine code, a Spanish message that says what happened and
/// what to do, and the exit code it maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    pub code: &'static str,
    pub message: String,
    pub exit: Exit,
}

impl CliError {
    pub fn bad_input(code: &'static str, message: impl Into<String>) -> CliError {
        CliError {
            code,
            message: message.into(),
            exit: Exit::BadInput,
        }
    }

    pub fn could_not_run(code: &'static str, message: impl Into<String>) -> CliError {
        CliError {
            code,
            message: message.into(),
            exit: Exit::CouldNotRun,
        }
    }
}

/// Printed as `error: <message>` followed by the code, so both people and scripts can read it.
impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}\n  código: {}", self.message, self.code)
    }
}

impl std::error::Error for CliError {}

/// A command-line value one of our own parsers refuses (`--shard`, `--matrix`, `--report`,
/// `--target`): what was given and what was expected. clap reports it under the código
/// [`InvalidArgValue::CODE`] with this message (cli/clap_es.rs, `why_invalid`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("«{input}» {expected}")]
pub struct InvalidArgValue {
    pub input: String,
    /// The rest of the Spanish message: what the value is not and how to write it.
    pub expected: &'static str,
}

impl InvalidArgValue {
    /// Stable machine code of this failure.
    pub const CODE: &'static str = "valor_invalido";

    pub fn new(input: &str, expected: &'static str) -> InvalidArgValue {
        InvalidArgValue {
            input: input.to_owned(),
            expected,
        }
    }
}

/// A short Spanish cause for an IO error, for the `causa: …` detail of a message. The kinds a
/// user can act on are named in Spanish; any other keeps the system's own text, which is
/// technical but still the best clue.
pub fn io_cause(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let known = match e.kind() {
        K::ConnectionRefused => "conexión rechazada",
        K::ConnectionReset => "el otro extremo reinició la conexión",
        K::ConnectionAborted => "la conexión se abortó",
        K::NotConnected => "sin conexión",
        K::AddrInUse => "la dirección ya está en uso",
        K::AddrNotAvailable => "la dirección no pertenece a esta máquina",
        K::PermissionDenied => "permiso denegado",
        K::NotFound => "no existe",
        K::TimedOut => "tiempo agotado",
        K::UnexpectedEof => "la conexión se cerró antes de tiempo",
        K::BrokenPipe => "la conexión se cerró",
        _ => return e.to_string(),
    };
    known.to_owned()
}
