//! clap in Spanish: the help's headings, usage line and built-in flags, and every error clap
//! raises while parsing turned into the project's error shape (`error: …` and a stable `código`).
//!
//! clap has no translation layer, so its English comes from four places, each replaced here:
//! the help template ("Usage:", "Options:", "Arguments:", "Commands:", "[OPTIONS]"), the flags it
//! adds itself (`--help`, `--version`, the `help` subcommand) and the "[default: …]" /
//! "[possible values: …]" notes it appends to an argument's help; and the text of its errors,
//! which are rebuilt from their kind and context instead of printed.

use std::net::AddrParseError;
use std::num::ParseIntError;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

use crate::error::CliError;

/// Heading of positional arguments in the help.
const ARGUMENTS: &str = "Argumentos";
/// Heading of options in the help.
const OPTIONS: &str = "Opciones";

const TEMPLATE: &str = "{before-help}{about-with-newline}\nUso: {usage}\n\n{all-args}{after-help}";

/// `cmd` with its help entirely in Spanish. Built: ready to parse and to print help.
pub(crate) fn localize(cmd: Command) -> Command {
    let mut cmd = localize_one(cmd, true);
    cmd.build();
    spanish_usage(&mut cmd);
    cmd
}

/// Headings, the built-in flags and the default/possible-value notes of one command and,
/// recursively, of its subcommands.
fn localize_one(cmd: Command, root: bool) -> Command {
    let mut cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading("Comandos")
        .subcommand_value_name("COMANDO")
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .mut_args(spanish_arg)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("Muestra esta ayuda")
                .help_heading(OPTIONS),
        );
    if root {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("Muestra la versión")
                .help_heading(OPTIONS),
        );
    }
    cmd.mut_subcommands(|sub| localize_one(sub, false))
}

/// One argument under a Spanish heading, with its default and possible values written into its
/// help in Spanish instead of clap's English notes.
fn spanish_arg(arg: Arg) -> Arg {
    let heading = if arg.is_positional() {
        ARGUMENTS
    } else {
        OPTIONS
    };
    // A flag (no value) has neither notes to write nor to hide.
    if !arg.get_action().takes_values() {
        return arg.help_heading(heading);
    }
    let mut notes = String::new();
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() {
        notes.push_str(&format!(" [predeterminado: {}]", defaults.join(", ")));
    }
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_owned())
        .collect();
    if !values.is_empty() {
        notes.push_str(&format!(" [valores: {}]", values.join(", ")));
    }
    let help = arg.get_help().map(|h| format!("{h}{notes}"));
    let long_help = arg.get_long_help().map(|h| format!("{h}{notes}"));
    let mut arg = arg
        .help_heading(heading)
        .hide_default_value(true)
        .hide_possible_values(true);
    if let Some(help) = help {
        arg = arg.help(help);
    }
    if let Some(long_help) = long_help {
        arg = arg.long_help(long_help);
    }
    arg
}

/// clap writes `[OPTIONS]` into the usage line however the rest is set; each command's usage is
/// rendered once, translated and fixed as its usage. Needs the built command (for the
/// subcommands' full `pnt-suite run` names).
fn spanish_usage(cmd: &mut Command) {
    let usage = cmd.render_usage().to_string();
    let usage = usage.strip_prefix("Usage: ").unwrap_or(&usage);
    let usage = usage.replace("[OPTIONS]", "[OPCIONES]");
    *cmd = std::mem::replace(cmd, Command::new("")).override_usage(usage);
    for sub in cmd.get_subcommands_mut() {
        spanish_usage(sub);
    }
}

/// `pnt-suite help [SUBCOMANDO]` as clap's own help subcommand offered it (that one prints
/// English): rewritten to `pnt-suite [SUBCOMANDO] --help` before parsing.
pub(crate) fn rewrite_help_subcommand(
    mut args: Vec<std::ffi::OsString>,
) -> Vec<std::ffi::OsString> {
    if args.get(1).is_some_and(|a| a == "help") {
        args.remove(1);
        args.truncate(2);
        args.push("--help".into());
    }
    args
}

/// The project's error for a parse error clap raised (not for `--help`/`--version`, which are
/// not errors). One `código` per kind of mistake; README's table under "The CLI" lists them.
/// `program` is the command the arguments were for (`pnt-suite run`), named in the error's help
/// line when clap's context does not say.
pub(crate) fn to_cli_error(e: &clap::Error, program: &str) -> CliError {
    let arg = flag(e.get(ContextKind::InvalidArg));
    let value = string(e.get(ContextKind::InvalidValue));
    let (code, mut message) = match e.kind() {
        ErrorKind::UnknownArgument => {
            let given = arg.unwrap_or_default();
            let mut message = if given.starts_with('-') {
                format!("opción desconocida `{given}`")
            } else {
                format!("argumento inesperado «{given}»")
            };
            if let Some(s) = string(e.get(ContextKind::SuggestedArg)) {
                message.push_str(&format!("; ¿quiso decir `{s}`?"));
            } else if let Some(s) = string(e.get(ContextKind::SuggestedSubcommand)) {
                message.push_str(&format!("; ¿quiso decir el subcomando `{s}`?"));
            } else if given.starts_with('-') && given[1..].starts_with(|c: char| c.is_ascii_digit())
            {
                message.push_str(&format!(
                    "; para pasarlo como valor escriba `-- {given}` (los valores negativos no se aceptan)"
                ));
            }
            let code = if given.starts_with('-') {
                "opcion_desconocida"
            } else {
                "argumento_inesperado"
            };
            (code, message)
        }
        ErrorKind::InvalidSubcommand => {
            let given = string(e.get(ContextKind::InvalidSubcommand)).unwrap_or_default();
            let mut message = format!("subcomando desconocido «{given}»");
            if let Some(s) = string(e.get(ContextKind::SuggestedSubcommand)) {
                message.push_str(&format!("; ¿quiso decir `{s}`?"));
            }
            ("subcomando_desconocido", message)
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let mut message = "falta el subcomando".to_owned();
            if let Some(ContextValue::Strings(valid)) = e.get(ContextKind::ValidSubcommand) {
                message.push_str(&format!("; elija uno de: {}", valid.join(", ")));
            }
            ("subcomando_faltante", message)
        }
        ErrorKind::MissingRequiredArgument => {
            let missing = match e.get(ContextKind::InvalidArg) {
                Some(ContextValue::Strings(args)) => args.clone(),
                _ => Vec::new(),
            };
            let message = match missing.as_slice() {
                [one] => format!("falta el argumento obligatorio {one}"),
                many => format!("faltan los argumentos obligatorios {}", many.join(", ")),
            };
            ("argumento_faltante", message)
        }
        ErrorKind::InvalidValue => {
            let arg = arg.unwrap_or_default();
            match value.as_deref() {
                None | Some("") => ("valor_faltante", format!("`{arg}` necesita un valor")),
                Some(v) => {
                    let mut message = format!("valor «{v}» no válido para `{arg}`");
                    if let Some(ContextValue::Strings(valid)) = e.get(ContextKind::ValidValue) {
                        message.push_str(&format!("; valores posibles: {}", valid.join(", ")));
                    }
                    if let Some(s) = string(e.get(ContextKind::SuggestedValue)) {
                        message.push_str(&format!("; ¿quiso decir `{s}`?"));
                    }
                    ("valor_invalido", message)
                }
            }
        }
        ErrorKind::ValueValidation => {
            let arg = arg.unwrap_or_default();
            let value = value.unwrap_or_default();
            (
                "valor_invalido",
                format!("`{arg}`: {}", why_invalid(e, &value)),
            )
        }
        ErrorKind::TooManyValues => {
            let arg = arg.unwrap_or_default();
            let value = value.unwrap_or_default();
            let message = if arg.starts_with('-') {
                format!("`{arg}` no admite el valor «{value}»; escriba solo `{arg}`")
            } else {
                format!("sobra el valor «{value}» para {arg}")
            };
            ("valor_sobrante", message)
        }
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            let arg = arg.unwrap_or_default();
            (
                "numero_de_valores",
                format!("`{arg}` recibió un número de valores que no admite"),
            )
        }
        ErrorKind::NoEquals => {
            let arg = arg.unwrap_or_default();
            (
                "falta_igual",
                format!("`{arg}` necesita su valor tras un signo igual: `{arg}=VALOR`"),
            )
        }
        ErrorKind::ArgumentConflict => {
            let arg = arg.unwrap_or_default();
            let prior = match e.get(ContextKind::PriorArg) {
                Some(ContextValue::String(p)) => Some(vec![p.clone()]),
                Some(ContextValue::Strings(p)) => Some(p.clone()),
                _ => None,
            };
            let message = match prior {
                Some(p) if p.len() == 1 && short(&p[0]) == arg => {
                    format!("`{arg}` se dio más de una vez; dela una sola vez")
                }
                Some(p) => format!(
                    "`{arg}` no se puede usar junto con {}",
                    p.iter()
                        .map(|p| format!("`{}`", short(p)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None => format!("`{arg}` no se puede usar junto con otra opción dada"),
            };
            ("opciones_en_conflicto", message)
        }
        ErrorKind::InvalidUtf8 => (
            "argumento_no_utf8",
            "un argumento no es texto UTF-8 válido; escríbalo en UTF-8".to_owned(),
        ),
        // Help, version, and failures to print them never reach here as parse errors; anything
        // clap adds in a later version still gets a code and its own (English) text.
        _ => (
            "argumentos_invalidos",
            format!("argumentos no válidos: {}", e.kind()),
        ),
    };
    // Without a subcommand there is nothing to learn from the help the user was just shown.
    if code != "subcomando_faltante" {
        let program = usage_program(e).unwrap_or_else(|| program.to_owned());
        let lists = match e.kind() {
            ErrorKind::InvalidSubcommand => "lista los subcomandos",
            _ => "explica cada opción",
        };
        message.push_str(&format!("\n  ayuda: `{program} --help` {lists}"));
    }
    CliError::bad_input(code, message)
}

/// Why a value parser refused `value`. Our own parsers (`--shard`, `--report`, `--matrix`)
/// already explain in Spanish; the standard library's address and number parsers do not.
fn why_invalid(e: &clap::Error, value: &str) -> String {
    let Some(source) = std::error::Error::source(e) else {
        return format!("«{value}» no es un valor válido");
    };
    if source.downcast_ref::<AddrParseError>().is_some() {
        format!("«{value}» no es una dirección HOST:PUERTO, p. ej. 127.0.0.1:8080")
    } else if source.downcast_ref::<ParseIntError>().is_some() {
        format!("«{value}» no es un número entero sin signo, p. ej. 4")
    } else {
        source.to_string()
    }
}

/// The command the mistake was made in (`pnt-suite run`), to point at its `--help`, when the
/// usage in the error's context names it (`Usage: pnt-suite run [OPCIONES] …`); errors about a
/// value carry no usage.
fn usage_program(e: &clap::Error) -> Option<String> {
    let Some(ContextValue::StyledStr(usage)) = e.get(ContextKind::Usage) else {
        return None;
    };
    let usage = usage.to_string();
    let usage = usage.trim_start_matches("Usage:").trim();
    let program: Vec<&str> = usage
        .split_whitespace()
        .take_while(|w| !w.starts_with(['[', '<', '-']))
        .collect();
    (!program.is_empty()).then(|| program.join(" "))
}

/// The flag of an argument as clap names it in a context (`--shard <K/N>` → `--shard`).
fn flag(value: Option<&ContextValue>) -> Option<String> {
    string(value).map(|s| short(&s).to_owned())
}

fn short(arg: &str) -> &str {
    if arg.starts_with('-') {
        arg.split([' ', '=']).next().unwrap_or(arg)
    } else {
        arg
    }
}

fn string(value: Option<&ContextValue>) -> Option<String> {
    match value? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(s) => s.first().cloned(),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        _ => None,
    }
}
