//! Command-line interface: `pnt-suite <subcommand>`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::error::{CliError, Exit, InvalidArgValue};

mod clap_es;

/// Suite de conformidad de la migración de solicitudes de Infomex a la Plataforma Nacional de
/// Transparencia.
//
// The `///` comments of the CLI's commands and arguments are its `--help` text, so they are
// written in Spanish, the language of its users; a note for developers goes in a `//` comment.
#[derive(Debug, Parser)]
#[command(name = "pnt-suite", version, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Calcula el plazo de una solicitud: recepción oficial, fecha límite, ventana de queja y
    /// semáforo.
    Deadline(DeadlineArgs),
    /// Lista las 33 jurisdicciones con sus claves, slugs, formatos de folio y plazos.
    Jurisdictions(FormatArg),
    /// Valida archivos de escenario sin ejecutarlos: una línea por archivo, más una por cada error
    /// o aviso; sale con 0, o con 2 si alguno es inválido (los avisos no cambian la salida).
    Check(CheckArgs),
    /// Ejecuta escenarios contra el servidor de referencia integrado o un --target; informa y sale
    /// con 0 (todo pasó), 1 (fallas), 2 (entrada inválida), 3 (no se pudo ejecutar) o 130
    /// (interrumpida).
    Run(crate::run_command::RunArgs),
    /// Prueba diferencial: genera escenarios desde una semilla, los ejecuta en el destino y en
    /// la referencia integrada, y reduce cada diferencia a un escenario pequeño que `run`
    /// reproduce; sale con 0 (sin diferencias), 1 (diferencias), 2 o 3.
    Explore(crate::explore::ExploreArgs),
    /// Autoprueba de mutación: corre los escenarios contra la referencia integrada con cada
    /// defecto del catálogo y dice cuáles detecta; sale con 0 (todos detectados), 1 (sobrevive
    /// alguno), 2 (entrada inválida) o 3 (no se pudo ejecutar, o la referencia sin defectos falla).
    Selftest(crate::selftest::SelftestArgs),
    /// Ejecuta el simulador de Infomex (los 33 sistemas) por sí solo hasta Ctrl+C.
    Sim(crate::sim::SimArgs),
    /// Ejecuta el servidor PNT de referencia (API JSON y páginas HTML) hasta Ctrl+C.
    Serve(crate::serve::ServeArgs),
    /// Muestra qué cubren los escenarios sin ejecutarlos: requisito × escenario, jurisdicción ×
    /// falla × operación, y los requisitos sin escenario; sale con 1 si alguno no dice por qué.
    Coverage(crate::coverage::CoverageArgs),
    /// Arranca juntos el simulador y la PNT de referencia, con cuentas de demostración: el
    /// recorrido de cinco minutos.
    Up(crate::serve::UpArgs),
    /// Pone un destino bajo carga con ciudadanos virtuales, mide cada operación y verifica una
    /// muestra con el oráculo; sale con 0 (sin errores), 1 (errores o diferencias), 2 o 3.
    Load(crate::load::LoadArgs),
    /// Trabaja con los informes JSON de `run`: `report merge` une los de sus fragmentos.
    #[command(subcommand)]
    Report(crate::report::merge::ReportCommand),
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Archivos de escenario, o carpetas donde se buscan *.yaml y *.yml recursivamente.
    #[arg(required = true, value_name = "RUTA")]
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
    /// Formato de salida.
    #[arg(long, value_enum, default_value_t = Format::Text, value_name = "FORMATO")]
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
    /// Día en que se presentó la solicitud (AAAA-MM-DD); si es inhábil, se recibe el siguiente día
    /// hábil.
    #[arg(long, value_name = "AAAA-MM-DD")]
    pub received: String,
    /// Jurisdicción: slug (`jalisco`), clave INEGI (`14`, 33 = Federación) o nombre.
    #[arg(long, default_value = "federacion", value_name = "SLUG|CLAVE|NOMBRE")]
    pub jurisdiction: String,
    /// Tipo de solicitud.
    #[arg(long = "type", value_enum, default_value_t = TipoArg::Acceso)]
    pub tipo: TipoArg,
    /// El sujeto obligado notificó una ampliación (suma 10 días hábiles por omisión).
    #[arg(long)]
    pub ampliacion: bool,
    /// Día en que se notificó una prevención (AAAA-MM-DD); interrumpe el plazo.
    #[arg(long, value_name = "AAAA-MM-DD")]
    pub prevencion: Option<String>,
    /// Día en que el solicitante desahogó la prevención (AAAA-MM-DD); el plazo vuelve a empezar.
    #[arg(long, value_name = "AAAA-MM-DD", requires = "prevencion")]
    pub desahogo: Option<String>,
    /// Día de la respuesta final (AAAA-MM-DD), para calcular desde él la ventana de queja.
    #[arg(long, value_name = "AAAA-MM-DD")]
    pub respuesta: Option<String>,
    /// «Hoy» para el semáforo y para saber si la ventana de queja está abierta (AAAA-MM-DD).
    #[arg(long, value_name = "AAAA-MM-DD")]
    pub hoy: Option<String>,
    /// Archivo de calendario (TOML) que añade días inhábiles o suspensiones; repetible.
    #[arg(long, value_name = "ARCHIVO")]
    pub calendar: Vec<PathBuf>,
    /// Formato de salida.
    #[arg(long, value_enum, default_value_t = Format::Text, value_name = "FORMATO")]
    pub format: Format,
}

/// The command line as users see it: clap's definition from [`Cli`], with its help in Spanish.
pub fn command() -> clap::Command {
    clap_es::localize(Cli::command())
}

/// Parses `args` (the program name first). `Err` carries what to print and the exit code:
/// help and version on stdout with success, any mistake as the project's error (`error: …`,
/// `código: …`) with exit 2.
pub fn parse<I, T>(args: I) -> Result<Cli, Parsed>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString>,
{
    let args = clap_es::rewrite_help_subcommand(args.into_iter().map(Into::into).collect());
    let command = command();
    // The command a mistake was made in, for errors whose context does not name it.
    let program = match args.get(1).and_then(|a| a.to_str()) {
        Some(sub) if command.find_subcommand(sub).is_some() => format!("pnt-suite {sub}"),
        _ => "pnt-suite".to_owned(),
    };
    let parsed = command
        .try_get_matches_from(args)
        .and_then(|matches| Cli::from_arg_matches(&matches));
    parsed.map_err(|e| match e.kind() {
        clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
            Parsed::Print(e)
        }
        // Bare `pnt-suite`: the help (on stderr) and then the error, as for any mistake.
        clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => Parsed::Refused {
            error: clap_es::to_cli_error(&e, &program),
            help: Some(e),
        },
        _ => Parsed::Refused {
            help: None,
            error: clap_es::to_cli_error(&e, &program),
        },
    })
}

/// Why parsing did not produce a [`Cli`].
#[derive(Debug)]
pub enum Parsed {
    /// `--help` or `--version`: print it (clap writes it to stdout) and exit 0.
    Print(clap::Error),
    /// A mistake in the arguments, with the help to show before it when none was given at all.
    Refused {
        help: Option<clap::Error>,
        error: CliError,
    },
}

/// Runs the CLI on the process arguments and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(Parsed::Print(e)) => {
            let _ = e.print();
            return Exit::Success.into();
        }
        Err(Parsed::Refused { help, error }) => {
            if let Some(help) = help {
                let _ = help.print();
            }
            eprintln!("{error}");
            return error.exit.into();
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
        Command::Explore(args) => crate::explore::explore(&args, out),
        Command::Selftest(args) => crate::selftest::run(&args, out),
        Command::Sim(args) => crate::sim::run(&args, out),
        Command::Serve(args) => crate::serve::serve(&args, out),
        Command::Up(args) => crate::serve::up(&args, out),
        Command::Coverage(args) => crate::coverage::run(&args, out),
        Command::Load(args) => crate::load::run(&args, out),
        Command::Report(command) => crate::report::merge::run(&command, out),
    }
}

/// A `--target`-like flag's value: an absolute http(s) URL, refused before anything starts (the
/// same mistake found mid-run would read as a target that does not answer).
pub(crate) fn http_url(text: &str) -> Result<String, InvalidArgValue> {
    match reqwest::Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {
            Ok(text.to_owned())
        }
        _ => Err(InvalidArgValue::new(
            text,
            "no es una URL http:// o https://, p. ej. http://127.0.0.1:8080",
        )),
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
        format!(
            "no se pudo escribir la salida: revise el destino de la salida (causa: {})",
            crate::error::io_cause(&e)
        ),
    )
}
