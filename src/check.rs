//! `pnt-suite check PATHS...`: reads scenario files without running them.

use std::io::Write;
use std::path::PathBuf;

use crate::cli::write_failed;
use crate::error::{CliError, Exit};
use crate::scenario::{find_files, load_file};

/// Prints one line per file: `ok FILE (N escenarios)` or `error FILE:L:C: message [código: …]`.
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
    for file in &files {
        match load_file(file) {
            Ok(instances) => {
                let n = instances.len();
                let plural = if n == 1 { "escenario" } else { "escenarios" };
                writeln!(out, "ok     {} ({n} {plural})", file.display()).map_err(write_failed)?;
            }
            Err(e) => {
                bad += 1;
                writeln!(out, "error  {}  [código: {}]", e.located(), e.code)
                    .map_err(write_failed)?;
            }
        }
    }
    if bad > 0 {
        return Err(CliError::bad_input(
            "escenarios_invalidos",
            format!(
                "{bad} de {} archivos no son escenarios válidos; corrija lo indicado arriba",
                files.len()
            ),
        ));
    }
    Ok(Exit::Success)
}
