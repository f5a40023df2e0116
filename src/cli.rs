//! Command-line interface: `pnt-suite <subcommand>`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::{CliError, Exit};

/// Conformance suite for the migration of Infomex requests into the Plataforma Nacional de
/// Transparencia.
#[derive(Debug, Parser)]
#[command(name = "pnt-suite", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compute the plazo of a request: official receipt, fecha límite, queja window, semáforo.
    Deadline(DeadlineArgs),
    /// List the 33 jurisdictions with their codes, slugs, folio formats and terms.
    Jurisdictions(FormatArg),
    /// Validate scenario files without running them: one line per file; exit 0, or 2 if any is
    /// invalid.
    Check(CheckArgs),
    /// Run scenarios against the embedded reference server or a --target; report and exit
    /// 0 (all passed), 1 (failures), 2 (bad input) or 3 (could not run).
    Run(crate::run_command::RunArgs),
    /// Run the Infomex simulator (all 33 systems) standalone until Ctrl+C.
    Sim(crate::sim::SimArgs),
    /// Run the reference PNT server (JSON API and HTML pages) until Ctrl+C.
    Serve(crate::serve::ServeArgs),
    /// Start the simulator and the reference PNT together, with demo accounts: the five-minute
    /// tour.
    Up(crate::serve::UpArgs),
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Scenario files, or folders searched recursively for *.yaml and *.yml.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// Output format shared by subcommands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct FormatArg {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Request type, as PNT's legend names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TipoArg {
    /// Acceso a la información.
    Acceso,
    /// Datos personales (ARCO).
    DatosPersonales,
}

#[derive(Debug, clap::Args)]
pub struct DeadlineArgs {
    /// The day the request was filed (YYYY-MM-DD); a non-working day is received the next día hábil.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub received: String,
    /// Jurisdiction: slug (`jalisco`), INEGI code (`14`, 33 = Federación) or name.
    #[arg(long, default_value = "federacion", value_name = "SLUG|CODE|NAME")]
    pub jurisdiction: String,
    /// Request type.
    #[arg(long = "type", value_enum, default_value_t = TipoArg::Acceso)]
    pub tipo: TipoArg,
    /// The body notified an ampliación (adds 10 días hábiles by default).
    #[arg(long)]
    pub ampliacion: bool,
    /// Day a prevención was notified (YYYY-MM-DD); it interrupts the term.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub prevencion: Option<String>,
    /// Day the requester answered the prevención (YYYY-MM-DD); the term restarts from zero.
    #[arg(long, value_name = "YYYY-MM-DD", requires = "prevencion")]
    pub desahogo: Option<String>,
    /// Day the final answer was given (YYYY-MM-DD), to compute the queja window from it.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub respuesta: Option<String>,
    /// "Today" for the semáforo and whether the queja window is open (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub hoy: Option<String>,
    /// Calendar data file (TOML) adding días inhábiles or suspensions; may be repeated.
    #[arg(long, value_name = "FILE")]
    pub calendar: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs the CLI on the process arguments and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout with success, usage errors to stderr.
            let _ = e.print();
            return if e.use_stderr() {
                Exit::BadInput.into()
            } else {
                Exit::Success.into()
            };
        }
    };
    let mut stdout = std::io::stdout().lock();
    match run(cli, &mut stdout) {
        Ok(exit) => exit.into(),
        // A reader that stopped reading (`| head`) is not a failure of ours.
        Err(e) if e.code == CLOSED_OUTPUT => Exit::Success.into(),
        Err(e) => {
            let _ = stdout.flush();
            eprintln!("{e}");
            e.exit.into()
        }
    }
}

/// Runs a parsed command, writing its output to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<Exit, CliError> {
    match cli.command {
        Command::Deadline(args) => crate::deadline::run(&args, out),
        Command::Jurisdictions(args) => crate::jurisdictions::run(args.format, out),
        Command::Check(args) => crate::check::run(&args.paths, out),
        Command::Run(args) => crate::run_command::run(&args, out),
        Command::Sim(args) => crate::sim::run(&args, out),
        Command::Serve(args) => crate::serve::serve(&args, out),
        Command::Up(args) => crate::serve::up(&args, out),
    }
}

const CLOSED_OUTPUT: &str = "salida_cerrada";

/// Maps a failure to write output (a closed pipe, a full disk) to "could not run".
pub(crate) fn write_failed(e: std::io::Error) -> CliError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return CliError::could_not_run(CLOSED_OUTPUT, "la salida se cerró");
    }
    CliError::could_not_run(
        "salida_no_escrita",
        format!("no se pudo escribir la salida: {e}; revise el destino de la salida"),
    )
}
