//! `run --expect-failures FILE`: failures a target is known to have, each with an owner, an
//! expiry date and a reason, like pytest's strict xfail.
//!
//! ```yaml
//! expected_failures:
//!   - scenario: fallas/adjunto-404.yaml     # a scenario file (the end of its path)
//!     owner: equipo-migracion@example.mx
//!     expires: 2027-03-31                   # the last day the entry holds
//!     reason: los adjuntos 404 aún se migran vacíos (ticket PNT-812)
//!   - requirement: R-SEM-01                 # or every scenario that declares a requirement
//!     owner: equipo-historial@example.mx
//!     expires: 2027-01-15
//!     reason: el umbral de En alerta está fijo en 3 días
//! ```
//!
//! A listed scenario that fails is reported as a known failure and does not fail the run. An
//! entry whose expiry date is before the run's `hoy` fails the run (`falla_conocida_vencida`),
//! and so does an entry whose scenarios all passed (`falla_conocida_ya_pasa`: remove it, or the
//! list would hide the next regression). An entry naming no scenario file of the run's paths, or
//! a requirement that is not in the catalog, is bad input (exit 2) before anything runs.

use std::path::{Component, Path, PathBuf};

use jiff::civil::Date;
use serde::Deserialize;

use super::{ExpectationProblem, KnownFailure, Outcome, RunReport, ScenarioReport};
use crate::error::CliError;
use crate::scenario::Fecha;

/// The code of a file that cannot be read or is not in the documented shape.
pub const INVALIDO: &str = "fallas_esperadas_invalidas";
/// The code of an entry that names an unknown scenario or requirement.
pub const DESCONOCIDA: &str = "falla_esperada_desconocida";
/// The code of an expired entry.
pub const VENCIDA: &str = "falla_conocida_vencida";
/// The code of an entry whose scenarios all passed.
pub const YA_PASA: &str = "falla_conocida_ya_pasa";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    expected_failures: Vec<RawEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    #[serde(default)]
    scenario: Option<String>,
    #[serde(default)]
    requirement: Option<String>,
    owner: String,
    expires: Fecha,
    reason: String,
}

/// What an entry lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listed {
    /// The scenario files whose path ends with these components.
    Scenario(PathBuf),
    /// Every scenario that declares this requirement.
    Requirement(String),
}

/// One entry of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub listed: Listed,
    pub owner: String,
    pub expires: Date,
    pub reason: String,
}

/// The entries of an `--expect-failures` file, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpectedFailures {
    pub entries: Vec<Entry>,
}

impl Entry {
    /// What the entry names, as reports show it.
    pub fn id(&self) -> String {
        match &self.listed {
            Listed::Scenario(p) => p.display().to_string(),
            Listed::Requirement(id) => id.clone(),
        }
    }

    fn known(&self) -> KnownFailure {
        KnownFailure {
            id: self.id(),
            owner: self.owner.clone(),
            expires: self.expires.to_string(),
            reason: self.reason.clone(),
        }
    }

    fn matches(&self, s: &ScenarioReport) -> bool {
        match &self.listed {
            Listed::Scenario(path) => path_ends_with(&s.file, path),
            Listed::Requirement(id) => s.requisitos.iter().any(|r| r == id),
        }
    }
}

/// Whether `file`'s path ends with `suffix`'s components (`./` and the like ignored).
fn path_ends_with(file: &Path, suffix: &Path) -> bool {
    let parts = |p: &Path| -> Vec<std::ffi::OsString> {
        p.components()
            .filter(|c| matches!(c, Component::Normal(_)))
            .map(|c| c.as_os_str().to_owned())
            .collect()
    };
    let (file, suffix) = (parts(file), parts(suffix));
    !suffix.is_empty() && file.ends_with(&suffix)
}

impl ExpectedFailures {
    /// Reads the file at `path`.
    pub fn read(path: &Path) -> Result<ExpectedFailures, CliError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            CliError::bad_input(
                INVALIDO,
                format!(
                    "--expect-failures {}: no se pudo leer ({e}); revise la ruta",
                    path.display()
                ),
            )
        })?;
        ExpectedFailures::parse(path, &text)
    }

    /// Reads entries from `text`; `path` names the file in errors.
    pub fn parse(path: &Path, text: &str) -> Result<ExpectedFailures, CliError> {
        let invalid = |what: String| {
            CliError::bad_input(
                INVALIDO,
                format!(
                    "--expect-failures {}: {what}; el formato está en docs/scenarios.md, «Expected failures»",
                    path.display()
                ),
            )
        };
        let file: File = serde_saphyr::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let mut entries = Vec::new();
        for (n, raw) in file.expected_failures.into_iter().enumerate() {
            let listed = match (raw.scenario, raw.requirement) {
                (Some(s), None) => Listed::Scenario(PathBuf::from(s)),
                (None, Some(r)) => Listed::Requirement(r),
                _ => {
                    return Err(invalid(format!(
                        "la entrada {} lleva `scenario` o `requirement`, uno de los dos",
                        n + 1
                    )));
                }
            };
            for (field, value) in [("owner", &raw.owner), ("reason", &raw.reason)] {
                if value.trim().is_empty() {
                    return Err(invalid(format!(
                        "la entrada {} tiene `{field}` vacío: diga quién responde y por qué",
                        n + 1
                    )));
                }
            }
            entries.push(Entry {
                listed,
                owner: raw.owner,
                expires: raw.expires.0,
                reason: raw.reason,
            });
        }
        Ok(ExpectedFailures { entries })
    }

    /// Refuses an entry that names no file among `files` (the scenario files the run's paths
    /// hold) or a requirement the catalog lacks: a typo must not read as a known failure that
    /// never matches.
    pub fn check(&self, files: &[PathBuf]) -> Result<(), CliError> {
        let catalogo = crate::requisitos::catalogo();
        for e in &self.entries {
            match &e.listed {
                Listed::Scenario(path) if !files.iter().any(|f| path_ends_with(f, path)) => {
                    return Err(CliError::bad_input(
                        DESCONOCIDA,
                        format!(
                            "--expect-failures: ningún archivo de escenario de las rutas dadas termina en `{}`; escriba la ruta del archivo desde su carpeta de tema (p. ej. fallas/adjunto-404.yaml)",
                            path.display()
                        ),
                    ));
                }
                Listed::Requirement(id) if catalogo.get(id).is_none() => {
                    let hint = match catalogo.sugerencia(id) {
                        Some(s) => format!("¿quiso decir `{s}`?"),
                        None => "los requisitos están en docs/requisitos.md".to_owned(),
                    };
                    return Err(CliError::bad_input(
                        DESCONOCIDA,
                        format!("--expect-failures: requisito desconocido `{id}`; {hint}"),
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Marks one finished scenario as a known failure when it failed and an entry in force on
    /// `hoy` lists it, so the line printed as it finishes already says so.
    pub fn mark(&self, s: &mut ScenarioReport, hoy: Date) {
        if s.outcome != Outcome::Failed {
            return;
        }
        if let Some(e) = self
            .entries
            .iter()
            .find(|e| hoy <= e.expires && e.matches(s))
        {
            s.outcome = Outcome::KnownFailure;
            s.known_failure = Some(e.known());
        }
    }

    /// Marks the listed failures of `report` as known and records what is wrong with the
    /// entries, judged on `hoy`. An entry none of whose scenarios ran (not selected) says
    /// nothing; one with a scenario not applicable or unable to run is not judged "passing".
    pub fn apply(&self, report: &mut RunReport, hoy: Date) {
        for e in &self.entries {
            if hoy > e.expires {
                report.expectations.push(ExpectationProblem {
                    codigo: VENCIDA.to_owned(),
                    entry: e.known(),
                    message: format!(
                        "la entrada `{}` (responsable {}) venció el {} y hoy es {hoy}: corrija la falla y quite la entrada, o renueve `expires` si sigue pendiente",
                        e.id(),
                        e.owner,
                        e.expires
                    ),
                });
                continue;
            }
            let mut matched = 0;
            let mut still_failing = false;
            let mut unjudged = false;
            for s in report.scenarios.iter_mut().filter(|s| e.matches(s)) {
                matched += 1;
                match s.outcome {
                    Outcome::Failed => {
                        s.outcome = Outcome::KnownFailure;
                        s.known_failure = Some(e.known());
                        still_failing = true;
                    }
                    Outcome::KnownFailure => still_failing = true,
                    Outcome::Passed => {}
                    Outcome::NotApplicable | Outcome::Error => unjudged = true,
                }
            }
            if matched > 0 && !still_failing && !unjudged {
                report.expectations.push(ExpectationProblem {
                    codigo: YA_PASA.to_owned(),
                    entry: e.known(),
                    message: format!(
                        "`{}` ya pasa ({}): quite la entrada de --expect-failures (responsable {}), o la lista escondería la próxima regresión",
                        e.id(),
                        if matched == 1 {
                            "su escenario pasó".to_owned()
                        } else {
                            format!("sus {matched} escenarios pasaron")
                        },
                        e.owner
                    ),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;
    use jiff::civil::date;

    fn parse(text: &str) -> Result<ExpectedFailures, CliError> {
        ExpectedFailures::parse(Path::new("conocidas.yaml"), text)
    }

    const LISTED: &str = "expected_failures:
  - scenario: plazos/ventana-de-queja.yaml
    owner: equipo@example.mx
    expires: 2021-12-31
    reason: la ventana cuenta días naturales
";

    #[test]
    fn a_listed_failure_is_known_and_the_run_passes() {
        let mut report = sample::report();
        report.scenarios.retain(|s| s.outcome != Outcome::Error);
        assert_eq!(report.exit(), crate::Exit::Failures);
        parse(LISTED)
            .unwrap()
            .apply(&mut report, date(2021, 12, 31));
        assert_eq!(report.scenarios[1].outcome, Outcome::KnownFailure);
        assert_eq!(
            report.scenarios[1].known_failure.as_ref().unwrap().owner,
            "equipo@example.mx"
        );
        assert!(report.expectations.is_empty());
        assert_eq!(report.exit(), crate::Exit::Success);
    }

    #[test]
    fn an_expired_entry_fails_the_run_and_hides_nothing() {
        let mut report = sample::report();
        report.scenarios.retain(|s| s.outcome != Outcome::Error);
        parse(LISTED).unwrap().apply(&mut report, date(2022, 1, 1));
        assert_eq!(report.scenarios[1].outcome, Outcome::Failed);
        assert_eq!(report.expectations[0].codigo, VENCIDA);
        assert!(
            report.expectations[0]
                .message
                .contains("venció el 2021-12-31 y hoy es 2022-01-01"),
            "{}",
            report.expectations[0].message
        );
        assert_eq!(report.exit(), crate::Exit::Failures);
    }

    #[test]
    fn an_entry_whose_scenario_passes_fails_the_run() {
        let mut report = sample::report();
        report.scenarios.retain(|s| s.outcome == Outcome::Passed);
        assert_eq!(report.exit(), crate::Exit::Success);
        let text = "expected_failures:
  - requirement: R-VINC-01
    owner: equipo@example.mx
    expires: 2030-01-01
    reason: x
";
        parse(text).unwrap().apply(&mut report, date(2021, 9, 20));
        assert_eq!(report.expectations[0].codigo, YA_PASA);
        assert!(report.expectations[0].message.contains("quite la entrada"));
        assert_eq!(report.exit(), crate::Exit::Failures);
        // A requirement whose only scenario was not applicable is not judged.
        let mut report = sample::report();
        report
            .scenarios
            .retain(|s| s.outcome == Outcome::NotApplicable);
        let text = text.replace("R-VINC-01", "R-SEM-01");
        parse(&text).unwrap().apply(&mut report, date(2021, 9, 20));
        assert!(report.expectations.is_empty());
    }

    #[test]
    fn unknown_scenarios_and_requirements_and_bad_files_are_bad_input() {
        let files = [PathBuf::from("scenarios/plazos/ventana-de-queja.yaml")];
        assert!(parse(LISTED).unwrap().check(&files).is_ok());
        let other = LISTED.replace("ventana-de-queja", "ventana-de-quejas");
        let err = parse(&other).unwrap().check(&files).unwrap_err();
        assert_eq!(err.code, DESCONOCIDA);
        assert_eq!(err.exit, crate::Exit::BadInput);
        let req = LISTED.replace(
            "scenario: plazos/ventana-de-queja.yaml",
            "requirement: R-SEM-1",
        );
        let err = parse(&req).unwrap().check(&files).unwrap_err();
        assert!(
            err.message.contains("¿quiso decir `R-SEM-01`?"),
            "{}",
            err.message
        );
        for bad in [
            LISTED.replace("2021-12-31", "31/12/2021"),
            LISTED.replace("    owner: equipo@example.mx\n", ""),
            LISTED.replace("reason: la ventana cuenta días naturales", "reason: ' '"),
            LISTED.replace(
                "  - scenario: plazos/ventana-de-queja.yaml\n",
                "  - scenario: a.yaml\n    requirement: R-SEM-01\n",
            ),
            LISTED.replace("owner", "dueño"),
        ] {
            let err = parse(&bad).unwrap_err();
            assert_eq!(err.code, INVALIDO, "{bad}");
        }
    }
}
