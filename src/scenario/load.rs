//! From a file to checked scenario instances: matrix expansion, typed parsing, coherence checks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::de::{At, Pos};
use super::error::{ScenarioError, code, describe};
use super::matrix::{Matrix, Placeholder, Substituted, references, substitute, valid_name};
use super::recover::{Part, captured_names, neutralize};
use super::step::Action;
use super::{Scenario, Step};
use pnt_model::{ArchivoCalendario, Calendario, CalendarioError, Jurisdiccion, did_you_mean};

/// One runnable scenario: a file's scenario with one combination of its matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub file: PathBuf,
    /// The matrix values of this instance, in file order (empty without a matrix).
    pub matrix: Vec<(String, String)>,
    pub scenario: Scenario,
    /// The scenario's `calendarios`, read: each named jurisdiction's calendar (LFT plus the
    /// files' días inhábiles and suspensions).
    pub calendarios: BTreeMap<Jurisdiccion, Calendario>,
    /// What the file should change although it is valid (a former step key, `paso_obsoleto`),
    /// in file order. `check` and `run` print them.
    pub warnings: Vec<ScenarioError>,
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

/// Reads and checks one scenario file; the first of its errors in file order.
pub fn load_file(path: &Path) -> Result<Vec<Instance>, ScenarioError> {
    load_file_all(path).map_err(first)
}

/// Reads and checks one scenario file, with every error found (at least one), in file order.
pub fn load_file_all(path: &Path) -> Result<Vec<Instance>, Vec<ScenarioError>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let message = if e.kind() == std::io::ErrorKind::InvalidData {
            "el archivo no está en UTF-8; guárdelo como UTF-8".to_owned()
        } else {
            format!("no se pudo leer: {e}; revise la ruta y los permisos")
        };
        vec![ScenarioError::new(
            code::ARCHIVO_ILEGIBLE,
            path,
            None,
            message,
        )]
    })?;
    load_str_all(path, &text)
}

/// The warnings of a file's instances, once each: the instances of a matrix repeat them.
pub fn file_warnings(instances: &[Instance]) -> Vec<ScenarioError> {
    let mut out: Vec<ScenarioError> = Vec::new();
    for w in instances.iter().flat_map(|i| &i.warnings) {
        let mut w = w.clone();
        w.matrix.clear();
        if !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

fn first(mut errors: Vec<ScenarioError>) -> ScenarioError {
    errors.remove(0)
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

/// How many mistakes of one file are looked for before giving up: far more than anyone fixes
/// in one sitting, and a bound on the work a pathological file can cause.
const MAX_ERRORS: usize = 100;

/// Reads and checks one scenario from `text`; `path` names it in errors. The first error in
/// file order.
pub fn load_str(path: &Path, text: &str) -> Result<Vec<Instance>, ScenarioError> {
    load_str_all(path, text).map_err(first)
}

/// Reads and checks one scenario from `text`, with every error found (at least one), in file
/// order. After a parse error the part of the file that holds it is neutralized and the rest
/// read again (see `recover`), so independent mistakes are all reported; a YAML syntax error
/// ends the search.
pub fn load_str_all(path: &Path, text: &str) -> Result<Vec<Instance>, Vec<ScenarioError>> {
    let yaml_error = |e: &serde_saphyr::Error, subst: Option<&Substituted>| {
        let (code, pos, message) = describe(e);
        let pos = match (pos, subst) {
            (Some(p), Some(s)) => Some(s.original(p)),
            (p, _) => p,
        };
        ScenarioError::new(code, path, pos, message)
    };
    if text.trim().is_empty() {
        return Err(vec![ScenarioError::new(
            code::CLAVE_FALTANTE,
            path,
            Some(Pos { line: 1, column: 1 }),
            "el archivo está vacío: un escenario necesita al menos `name` y `steps`",
        )]);
    }
    // Variables are blanked out (same length, so positions hold) to read the matrix: a
    // `${name}` inside `{…}` is not valid YAML until it is replaced.
    let blank = substitute(text, &[], Placeholder::Blank);
    let header: Header = serde_saphyr::from_str_with_options(&blank.text, options())
        .map_err(|e| vec![yaml_error(&e, None)])?;
    let matrix_names: Vec<&str> = header
        .matrix
        .0
        .iter()
        .map(|(k, _)| k.value.as_str())
        .collect();
    let bad_names: Vec<ScenarioError> = header
        .matrix
        .0
        .iter()
        .filter(|(name, _)| !valid_name(name))
        .map(|(name, _)| {
            ScenarioError::new(
                code::MATRIZ_INVALIDA,
                path,
                Some(name.pos),
                format!(
                    "`{}` no sirve como nombre de variable: use minúsculas, dígitos y `_` (p. ej. `jurisdiccion`)",
                    name.value
                ),
            )
        })
        .collect();
    if !bad_names.is_empty() {
        return Err(bad_names);
    }

    let mut errors = Vec::new();
    let mut instances = Vec::new();
    // The steps of the first combination, even when recovered from errors, tell which
    // variables are captured.
    let mut first_scenario: Option<Scenario> = None;
    for combination in header.matrix.combinations() {
        let subst = substitute(text, &combination, Placeholder::Runtime);
        let mut found = Vec::new();
        let mut set_aside = Vec::new();
        let mut work = subst.text.clone();
        let parsed = loop {
            match serde_saphyr::from_str_with_options::<Scenario>(&work, options()) {
                Ok(scenario) => break Some(scenario),
                Err(e) => {
                    let error = yaml_error(&e, Some(&subst));
                    let at = describe(&e).1;
                    let repeated = found.contains(&error);
                    if !repeated {
                        found.push(error);
                    }
                    let next = at
                        .filter(|_| !repeated && found.len() < MAX_ERRORS)
                        .and_then(|pos| neutralize(&work, pos));
                    match next {
                        Some((next, part)) => {
                            work = next;
                            set_aside.push(part);
                        }
                        None => break None,
                    }
                }
            }
        };
        let mut calendarios = BTreeMap::new();
        if let Some(scenario) = &parsed {
            found.extend(check(path, scenario, &set_aside).into_iter().map(|mut e| {
                e.pos = e.pos.map(|p| subst.original(p));
                e
            }));
            match read_calendars(path, &scenario.calendarios) {
                Ok(c) => calendarios = c,
                Err(e) => found.extend(e.into_iter().map(|mut e| {
                    e.pos = e.pos.map(|p| subst.original(p));
                    e
                })),
            }
        }
        if first_scenario.is_none() {
            first_scenario = parsed.clone();
        }
        if !found.is_empty() {
            // One combination's errors are enough: the others would mostly repeat them.
            errors.extend(found.into_iter().map(|mut e| {
                e.matrix = combination.clone();
                e
            }));
            break;
        }
        if let Some(scenario) = parsed {
            let warnings = former_names(path, &scenario)
                .into_iter()
                .map(|mut w| {
                    w.pos = w.pos.map(|p| subst.original(p));
                    w.matrix = combination.clone();
                    w
                })
                .collect();
            instances.push(Instance {
                file: path.to_owned(),
                matrix: combination,
                scenario,
                calendarios,
                warnings,
            });
        }
    }

    // A `${name}` that is neither a matrix variable nor captured by some step names nothing.
    let mut captured: BTreeSet<String> = first_scenario
        .map(|s| {
            s.all_steps()
                .iter()
                .flat_map(|s| s.capture.iter().map(|(k, _)| k.clone()))
                .collect()
        })
        .unwrap_or_default();
    if !errors.is_empty() {
        // A step the parser could not read may still capture what a later step uses.
        captured.extend(captured_names(&blank.text).unwrap_or_default());
    }
    for r in &references(text) {
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
        errors.push(ScenarioError::new(
            code::VARIABLE_DESCONOCIDA,
            path,
            Some(r.pos),
            format!("variable desconocida `${{{}}}`; {hint}", r.name),
        ));
    }
    if errors.is_empty() {
        return Ok(instances);
    }
    // File order; the sort is stable, so errors at one place keep the order they were found in.
    errors.sort_by_key(|e| e.pos);
    errors.dedup();
    Err(errors)
}

/// The scenario's calendar files, read relative to the scenario file and added up per
/// jurisdiction, or an error at each entry that could not be read.
fn read_calendars(
    path: &Path,
    files: &[At<String>],
) -> Result<BTreeMap<Jurisdiccion, Calendario>, Vec<ScenarioError>> {
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut out = BTreeMap::new();
    let mut errors = Vec::new();
    for file in files {
        let full = dir.join(&file.value);
        let error = |codigo: &'static str, message: String| {
            ScenarioError::new(codigo, path, Some(file.pos), message)
        };
        let text = match std::fs::read_to_string(&full) {
            Ok(t) => t,
            Err(e) => {
                errors.push(error(
                    code::ARCHIVO_ILEGIBLE,
                    format!(
                        "no se pudo leer el calendario {} (la ruta es relativa al escenario): {e}",
                        full.display()
                    ),
                ));
                continue;
            }
        };
        match ArchivoCalendario::from_toml(&text) {
            Ok(ArchivoCalendario {
                jurisdiccion: None, ..
            }) => errors.push(error(
                code::CALENDARIO_SIN_JURISDICCION,
                format!(
                    "el calendario {} no dice a qué jurisdicción se aplica; añada `jurisdiccion = \"federacion\"` (o el slug que corresponda)",
                    full.display()
                ),
            )),
            Ok(archivo) => {
                let j = archivo.jurisdiccion.expect("matched above");
                out.entry(j)
                    .or_insert_with(Calendario::lft)
                    .agregar(&archivo);
            }
            Err(e) => errors.push(error(
                CalendarioError::CODE,
                format!(
                    "{}:{}:{}: calendario inválido: {}; el formato está en docs/calendars.md",
                    full.display(),
                    e.line,
                    e.column,
                    e.message
                ),
            )),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A warning for every step written with its action's former English key, naming the current
/// key (docs/pnt-api.md's naming rule renamed them; the former keys stay accepted).
fn former_names(path: &Path, s: &Scenario) -> Vec<ScenarioError> {
    s.all_steps()
        .into_iter()
        .filter_map(|step| {
            let old = step.former_name?;
            let new = step.action.name();
            Some(ScenarioError::new(
                code::PASO_OBSOLETO,
                path,
                Some(step.pos),
                format!(
                    "el paso `{old}` ahora se llama `{new}`; escriba `{new}` (`{old}` se sigue aceptando por ahora)"
                ),
            ))
        })
        .collect()
}

/// Checks what the types alone cannot: references between parts of the file and the rules of
/// each fault kind. Every incoherence is reported, in the order the checks meet them.
/// `set_aside` lists what was neutralized after parse errors: checks that would only repeat
/// those errors (every step's user after a broken `pnt`, the clock after a broken step or
/// `clock`) are skipped.
fn check(path: &Path, s: &Scenario, set_aside: &[Part]) -> Vec<ScenarioError> {
    let users_known = !set_aside.contains(&Part::Key("pnt"));
    let clock_order_known =
        !set_aside.contains(&Part::Step) && !set_aside.contains(&Part::Key("clock"));
    let mut found = Found {
        path,
        errors: Vec::new(),
    };
    for fault in &s.infomex.faults {
        if let Err(message) = fault.check() {
            found.incoherent(fault.pos, message);
        }
    }
    let catalogo = crate::requisitos::catalogo();
    for id in &s.requisitos {
        if catalogo.get(&id.value).is_none() {
            let hint = match catalogo.sugerencia(&id.value) {
                Some(known) => format!("¿quiso decir `{known}`?"),
                None => "los requisitos están en docs/requisitos.md".to_owned(),
            };
            found.add(
                code::REQUISITO_DESCONOCIDO,
                id.pos,
                format!("requisito desconocido `{}`; {hint}", id.value),
            );
        }
    }
    let mut seen_accounts = BTreeSet::new();
    for account in &s.infomex.accounts {
        if !seen_accounts.insert((account.jurisdiccion, account.usuario.clone())) {
            found.incoherent(
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
                    found.incoherent(
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
                found.incoherent(
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
    let mut clock_known = s.clock.is_some();
    for step in s.all_steps() {
        match step.action {
            Action::SetClock(_) => clock_known = true,
            Action::AdvanceClock(_) if !clock_known && clock_order_known => found.incoherent(
                step.pos,
                "`advance_clock` avanza desde una fecha conocida: declare `clock` o ponga antes un `set_clock`"
                    .to_owned(),
            ),
            _ => {}
        }
        // A snapshot records the whole response, and a response of the PNT depends on the day it
        // takes as `hoy` (the semáforo, whether the queja window is open). Without a
        // fixed clock that day is the wall clock's, so the snapshot would hold on one day only.
        if step.expect.snapshot.is_some() && !clock_known && clock_order_known {
            found.add(
                code::SNAPSHOT_SIN_RELOJ,
                step.pos,
                "un `snapshot` necesita una fecha fija: declare `clock: {hoy: AAAA-MM-DD}` (o ponga antes un `set_clock`); sin reloj, el escenario corre con la fecha del sistema y la instantánea cambiaría cada día"
                    .to_owned(),
            );
        }
        let named = match &step.action {
            Action::Registrar(u) => Some(u.as_str()),
            Action::IniciarSesion(l) => Some(l.user.as_str()),
            Action::CerrarSesion(u) => u.as_deref(),
            _ => None,
        };
        for name in named.into_iter().chain(step.user.as_deref()) {
            if users_known && !users.contains(&name) {
                let hint = match did_you_mean(name, users.iter().copied()) {
                    Some(u) => format!("¿quiso decir `{u}`?"),
                    None if users.is_empty() => "declárelo en `pnt.users`".to_owned(),
                    None => format!("los usuarios son: {}", users.join(", ")),
                };
                found.incoherent(step.pos, format!("usuario desconocido `{name}`; {hint}"));
            }
        }
        check_step(step, &mut found);
    }
    found.errors
}

/// The errors `check` finds, in the order it finds them.
struct Found<'p> {
    path: &'p Path,
    errors: Vec<ScenarioError>,
}

impl Found<'_> {
    fn add(&mut self, code: &'static str, pos: Pos, message: String) {
        self.errors
            .push(ScenarioError::new(code, self.path, Some(pos), message));
    }

    fn incoherent(&mut self, pos: Pos, message: String) {
        self.add(code::ESCENARIO_INCOHERENTE, pos, message);
    }
}

fn check_step(step: &At<Step>, found: &mut Found<'_>) {
    match &step.action {
        Action::AdvanceClock(a) if a.dias_habiles.is_some() == a.dias.is_some() => {
            found.incoherent(
                step.pos,
                "`advance_clock` lleva `dias_habiles` o `dias`, uno de los dos".to_owned(),
            );
        }
        Action::AdvanceClock(a) if a.jurisdiccion.is_some() && a.dias_habiles.is_none() => {
            found.incoherent(
                step.pos,
                "`advance_clock` lleva `jurisdiccion` solo con `dias_habiles`: dice en qué \
                 calendario se cuentan; los `dias` naturales son los mismos en todos"
                    .to_owned(),
            );
        }
        Action::Descargar(d) if d.id.is_some() == d.folio.is_some() => {
            found.incoherent(
                step.pos,
                "`descargar` lleva `id`, o `folio` (con `respuesta` y `adjunto`), uno de los dos"
                    .to_owned(),
            );
        }
        Action::Faults(faults) => {
            for f in faults {
                if let Err(message) = f.check() {
                    found.incoherent(f.pos, message);
                }
            }
        }
        Action::Concurrent(inner) if inner.is_empty() => found.incoherent(
            step.pos,
            "`concurrent` necesita al menos un paso".to_owned(),
        ),
        Action::Concurrent(inner) => {
            for s in inner {
                if matches!(
                    s.action,
                    Action::Restart(_) | Action::SetClock(_) | Action::AdvanceClock(_)
                ) {
                    found.incoherent(
                        s.pos,
                        format!(
                            "`{}` no puede ir dentro de `concurrent`: cambia el mundo de todos los pasos; póngalo antes o después",
                            s.action.name()
                        ),
                    );
                }
            }
        }
        _ => {}
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
