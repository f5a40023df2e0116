//! `pnt-suite check PATHS...`: reads scenario files without running them, and reports every
//! error of every file (not only the first), each at its line and column.

use std::io::Write;
use std::path::PathBuf;

use crate::cli::write_failed;
use crate::error::{CliError, Exit};
use crate::scenario::{file_warnings, find_files, load_file_all};

/// Prints `ok FILE (N escenarios)` for a valid file, followed by a line
/// `aviso FILE:L:C: message [código: …]` per warning (a former step key, with the current one);
/// and for an invalid one a line `error FILE:L:C: message [código: …]` per error, in file order.
pub(crate) fn run(paths: &[PathBuf], out: &mut dyn Write) -> Result<Exit, CliError> {
    let files = find_files(paths)?;
    if files.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(CliError::bad_input(
            "sin_escenarios",
            format!(
                "no hay archivos de escenario (*.yaml, *.yml) en {}; revise las rutas",
                shown.join(", ")
            ),
        ));
    }
    let mut bad = 0;
    let mut total = 0;
    for file in &files {
        match load_file_all(file) {
            Ok(instances) => {
                let n = instances.len();
                let plural = if n == 1 { "escenario" } else { "escenarios" };
                writeln!(out, "ok     {} ({n} {plural})", file.display()).map_err(write_failed)?;
                for w in file_warnings(&instances) {
                    writeln!(out, "aviso  {}  [código: {}]", w.located(), w.code)
                        .map_err(write_failed)?;
                }
            }
            Err(errors) => {
                bad += 1;
                total += errors.len();
                for e in errors {
                    writeln!(out, "error  {}  [código: {}]", e.located(), e.code)
                        .map_err(write_failed)?;
                }
            }
        }
    }
    if bad > 0 {
        let errores = if total == 1 { "error" } else { "errores" };
        return Err(CliError::bad_input(
            "escenarios_invalidos",
            format!(
                "{bad} de {} archivos no son escenarios válidos ({total} {errores}); corrija lo indicado arriba",
                files.len()
            ),
        ));
    }
    Ok(Exit::Success)
}
