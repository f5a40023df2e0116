//! From a file to checked scenario instances: matrix expansion, typed parsing, coherence checks.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::de::{At, Pos};
use super::error::{ScenarioError, code, describe};
use super::matrix::{Matrix, Placeholder, Substituted, references, substitute, valid_name};
use super::step::Action;
use super::suggest::did_you_mean;
use super::{Scenario, Step};

/// One runnable scenario: a file's scenario with one combination of its matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub file: PathBuf,
    /// The matrix values of this instance, in file order (empty without a matrix).
    pub matrix: Vec<(String, String)>,
    pub scenario: Scenario,
}

impl Instance {
    /// The scenario's name with its matrix values: `Vinculación [jurisdiccion=jalisco]`.
    pub fn display_name(&self) -> String {
        if self.matrix.is_empty() {
            return self.scenario.name.clone();
        }
        let values: Vec<String> = self
            .matrix
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        format!("{} [{}]", self.scenario.name, values.join(", "))
    }
}

/// Reads and checks one scenario file.
pub fn load_file(path: &Path) -> Result<Vec<Instance>, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let message = if e.kind() == std::io::ErrorKind::InvalidData {
            "el archivo no está en UTF-8; guárdelo como UTF-8".to_owned()
        } else {
            format!("no se pudo leer: {e}; revise la ruta y los permisos")
        };
        ScenarioError::new(code::ARCHIVO_ILEGIBLE, path, None, message)
    })?;
    load_str(path, &text)
}

/// The parser's options: folios like `0623800160321` are text, not numbers.
fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        leading_zero_numbers_as_strings: true,
        with_snippet: false,
    }
}

/// Only the matrix, read before anything else (other keys are ignored at this stage).
#[derive(Deserialize)]
struct Header {
    #[serde(default)]
    matrix: Matrix,
}

/// Reads and checks one scenario from `text`; `path` names it in errors.
pub fn load_str(path: &Path, text: &str) -> Result<Vec<Instance>, ScenarioError> {
    let yaml_error = |e: serde_saphyr::Error, subst: Option<&Substituted>| {
        let (code, pos, message) = describe(&e);
        let pos = match (pos, subst) {
            (Some(p), Some(s)) => Some(s.original(p)),
            (p, _) => p,
        };
        ScenarioError::new(code, path, pos, message)
    };
    if text.trim().is_empty() {
        return Err(ScenarioError::new(
            code::CLAVE_FALTANTE,
            path,
            Some(Pos { line: 1, column: 1 }),
            "el archivo está vacío: un escenario necesita al menos `name` y `steps`",
        ));
    }
    // Variables are blanked out (same length, so positions hold) to read the matrix: a
    // `${name}` inside `{…}` is not valid YAML until it is replaced.
    let blank = substitute(text, &[], Placeholder::Blank);
    let header: Header = serde_saphyr::from_str_with_options(&blank.text, options())
        .map_err(|e| yaml_error(e, None))?;
    let matrix_names: Vec<&str> = header
        .matrix
        .0
        .iter()
        .map(|(k, _)| k.value.as_str())
        .collect();
    for (name, _) in header.matrix.0.iter() {
        if !valid_name(name) {
            return Err(ScenarioError::new(
                code::MATRIZ_INVALIDA,
                path,
                Some(name.pos),
                format!(
                    "`{}` no sirve como nombre de variable: use minúsculas, dígitos y `_` (p. ej. `jurisdiccion`)",
                    name.value
                ),
            ));
        }
    }

    let refs = references(text);
    let mut instances = Vec::new();
    for combination in header.matrix.combinations() {
        let subst = substitute(text, &combination, Placeholder::Runtime);
        let with_matrix = |mut e: ScenarioError| {
            e.matrix = combination.clone();
            e
        };
        let scenario: Scenario = serde_saphyr::from_str_with_options(&subst.text, options())
            .map_err(|e| with_matrix(yaml_error(e, Some(&subst))))?;
        check(path, &scenario)
            .map_err(|mut e| {
                e.pos = e.pos.map(|p| subst.original(p));
                e
            })
            .map_err(with_matrix)?;
        instances.push(Instance {
            file: path.to_owned(),
            matrix: combination,
            scenario,
        });
    }

    // A `${name}` that is neither a matrix variable nor captured by some step names nothing.
    let captured: BTreeSet<String> = instances
        .first()
        .map(|i| {
            i.scenario
                .all_steps()
                .iter()
                .flat_map(|s| s.capture.iter().map(|(k, _)| k.clone()))
                .collect()
        })
        .unwrap_or_default();
    for r in &refs {
        if matrix_names.contains(&r.name.as_str()) || captured.contains(&r.name) {
            continue;
        }
        let known: Vec<&str> = matrix_names
            .iter()
            .copied()
            .chain(captured.iter().map(String::as_str))
            .collect();
        let hint = match did_you_mean(&r.name, known.iter().copied()) {
            Some(s) => format!("¿quiso decir `${{{s}}}`?"),
            None => "defínala en `matrix` o captúrela en un paso anterior con `capture`".to_owned(),
        };
        return Err(ScenarioError::new(
            code::VARIABLE_DESCONOCIDA,
            path,
            Some(r.pos),
            format!("variable desconocida `${{{}}}`; {hint}", r.name),
        ));
    }
    Ok(instances)
}

/// Checks what the types alone cannot: references between parts of the file and the rules of
/// each fault kind.
fn check(path: &Path, s: &Scenario) -> Result<(), ScenarioError> {
    let incoherent = |pos: Pos, message: String| {
        Err(ScenarioError::new(
            code::ESCENARIO_INCOHERENTE,
            path,
            Some(pos),
            message,
        ))
    };
    for fault in &s.infomex.faults {
        if let Err(message) = fault.check() {
            return incoherent(fault.pos, message);
        }
    }
    let mut seen_accounts = BTreeSet::new();
    for account in &s.infomex.accounts {
        if !seen_accounts.insert((account.jurisdiccion, account.usuario.clone())) {
            return incoherent(
                account.pos,
                format!(
                    "la cuenta `{}` de {} está declarada dos veces",
                    account.usuario,
                    account.jurisdiccion.slug()
                ),
            );
        }
        for solicitud in &account.solicitudes {
            for adjunto in solicitud.respuestas.iter().flat_map(|r| &r.adjuntos) {
                if adjunto.tamano.is_some() == adjunto.contenido.is_some() {
                    return incoherent(
                        solicitud.pos,
                        format!(
                            "el adjunto `{}` de {} lleva `tamano` (bytes generados) o `contenido` (texto), uno de los dos",
                            adjunto.nombre, solicitud.folio
                        ),
                    );
                }
            }
            let of = solicitud.folio.jurisdiccion();
            if of != account.jurisdiccion {
                return incoherent(
                    solicitud.pos,
                    format!(
                        "el folio {} es de {}, pero la cuenta es de {}; use el formato de folio de {} (vea `pnt-suite jurisdictions`)",
                        solicitud.folio,
                        of.slug(),
                        account.jurisdiccion.slug(),
                        account.jurisdiccion.slug()
                    ),
                );
            }
        }
    }
    let users: Vec<&str> = s.pnt.users.iter().map(|(k, _)| k.as_str()).collect();
    let unknown_user = |pos: Pos, name: &str| {
        let hint = match did_you_mean(name, users.iter().copied()) {
            Some(u) => format!("¿quiso decir `{u}`?"),
            None if users.is_empty() => "declárelo en `pnt.users`".to_owned(),
            None => format!("los usuarios son: {}", users.join(", ")),
        };
        incoherent(pos, format!("usuario desconocido `{name}`; {hint}"))
    };
    let mut clock_known = s.clock.is_some();
    for step in s.all_steps() {
        match step.action {
            Action::SetClock(_) => clock_known = true,
            Action::AdvanceClock(_) if !clock_known => {
                return incoherent(
                    step.pos,
                    "`advance_clock` avanza desde una fecha conocida: declare `clock` o ponga antes un `set_clock`"
                        .to_owned(),
                );
            }
            _ => {}
        }
        // A snapshot records the whole response, and a response of the PNT depends on the day
        // it calls today (`hoy`, the semáforo, whether the queja window is open). Without a
        // fixed clock that day is the wall clock's, so the snapshot would hold on one day only.
        if step.expect.snapshot.is_some() && !clock_known {
            return Err(ScenarioError::new(
                code::SNAPSHOT_SIN_RELOJ,
                path,
                Some(step.pos),
                "un `snapshot` necesita una fecha fija: declare `clock: {hoy: AAAA-MM-DD}` (o ponga antes un `set_clock`); sin reloj, el escenario corre con la fecha del sistema y la instantánea cambiaría cada día"
                    .to_owned(),
            ));
        }
        let named = match &step.action {
            Action::Register(u) => Some(u.as_str()),
            Action::Login(l) => Some(l.user.as_str()),
            Action::Logout(u) => u.as_deref(),
            _ => None,
        };
        for name in named.into_iter().chain(step.user.as_deref()) {
            if !users.contains(&name) {
                return unknown_user(step.pos, name);
            }
        }
        check_step(step, &incoherent)?;
    }
    Ok(())
}

fn check_step(
    step: &At<Step>,
    incoherent: &dyn Fn(Pos, String) -> Result<(), ScenarioError>,
) -> Result<(), ScenarioError> {
    match &step.action {
        Action::AdvanceClock(a) => match (a.dias_habiles, a.dias) {
            (Some(_), Some(_)) | (None, None) => incoherent(
                step.pos,
                "`advance_clock` lleva `dias_habiles` o `dias`, uno de los dos".to_owned(),
            ),
            _ => Ok(()),
        },
        Action::Download(d) => match (&d.id, &d.folio) {
            (Some(_), Some(_)) | (None, None) => incoherent(
                step.pos,
                "`download` lleva `id`, o `folio` (con `respuesta` y `adjunto`), uno de los dos"
                    .to_owned(),
            ),
            _ => Ok(()),
        },
        Action::Faults(faults) => {
            for f in faults {
                if let Err(message) = f.check() {
                    return incoherent(f.pos, message);
                }
            }
            Ok(())
        }
        Action::Concurrent(inner) if inner.is_empty() => incoherent(
            step.pos,
            "`concurrent` necesita al menos un paso".to_owned(),
        ),
        Action::Concurrent(inner) => {
            for s in inner {
                if matches!(
                    s.action,
                    Action::Restart | Action::SetClock(_) | Action::AdvanceClock(_)
                ) {
                    return incoherent(
                        s.pos,
                        format!(
                            "`{}` no puede ir dentro de `concurrent`: cambia el mundo de todos los pasos; póngalo antes o después",
                            s.action.name()
                        ),
                    );
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The scenario files under `paths`: files as given, folders searched recursively for `*.yaml`
/// and `*.yml`, sorted so runs and reports are stable.
pub fn find_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ScenarioError> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| {
            ScenarioError::new(
                code::ARCHIVO_ILEGIBLE,
                path,
                None,
                format!("no existe o no se puede leer: {e}; revise la ruta"),
            )
        })?;
        if meta.is_dir() {
            let before = out.len();
            walk(path, &mut out)?;
            out[before..].sort();
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ScenarioError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        ScenarioError::new(
            code::ARCHIVO_ILEGIBLE,
            dir,
            None,
            format!("no se pudo leer la carpeta: {e}"),
        )
    })?;
    for entry in entries {
        let entry = entry.map_err(|e| {
            ScenarioError::new(
                code::ARCHIVO_ILEGIBLE,
                dir,
                None,
                format!("no se pudo leer la carpeta: {e}"),
            )
        })?;
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    Ok(())
}
