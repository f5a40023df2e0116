//! The report for CI (`--report junit=PATH`): one test suite per file, one test case per
//! scenario; failures carry their diffs, not-applicable scenarios are skipped with the reason.

use std::io::{self, Write};

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::diff::{Diff, table_diff_lines, text_diff_lines};
use super::{Outcome, RunReport, ScenarioReport};

/// Writes the JUnit XML. `durations: false` leaves times out (for snapshots).
///
/// An interrupted run holds the scenarios that finished; JUnit has no report-level properties,
/// so every suite carries the property `interrumpido=true` and says so in its `system-out` (a
/// run stopped before any scenario finished gets one empty suite `pnt-suite` to say it).
pub fn render(report: &RunReport, durations: bool, out: &mut dyn Write) -> io::Result<()> {
    let mut junit = Report::new("pnt-suite");
    if durations {
        junit.set_time(report.duration);
    }
    let mut files: Vec<&std::path::Path> = Vec::new();
    for s in &report.scenarios {
        if !files.contains(&s.file.as_path()) {
            files.push(&s.file);
        }
    }
    for file in files {
        let mut suite = TestSuite::new(file.display().to_string());
        for s in report.scenarios.iter().filter(|s| s.file == file) {
            let mut case = TestCase::new(s.name.clone(), status(s));
            case.set_classname(file.display().to_string());
            // One property per requirement, so CI tools can group cases by requirement.
            for id in &s.requisitos {
                case.add_property(Property::new("requisito", id.as_str()));
            }
            if let Some(k) = &s.known_failure {
                case.add_property(Property::new("falla_conocida", k.id.as_str()));
            }
            let unchecked: Vec<String> = s
                .snapshots
                .iter()
                .filter_map(|c| {
                    c.result.not_compared().map(|why| {
                        format!(
                            "{} — instantánea «{}»: {why}",
                            c.step.place(&s.file),
                            c.name
                        )
                    })
                })
                .collect();
            if !unchecked.is_empty() {
                case.set_system_out(unchecked.join("\n"));
            }
            if durations {
                case.set_time(s.duration);
            }
            suite.add_test_case(case);
        }
        mark_interrupted(report, &mut suite);
        junit.add_test_suite(suite);
    }
    // JUnit has no report-level verdict: each `--expect-failures` entry to act on is a failing
    // case of its own suite, so CI shows why the run failed although no scenario did.
    if !report.expectations.is_empty() {
        let mut suite = TestSuite::new("--expect-failures");
        for p in &report.expectations {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
            st.set_message(p.message.clone());
            st.set_type(p.codigo.clone());
            let mut case = TestCase::new(p.entry.id.clone(), st);
            case.set_classname("--expect-failures");
            case.add_property(Property::new("responsable", p.entry.owner.as_str()));
            case.add_property(Property::new("vence", p.entry.expires.as_str()));
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    if report.interrupted && report.scenarios.is_empty() {
        let mut suite = TestSuite::new("pnt-suite");
        mark_interrupted(report, &mut suite);
        junit.add_test_suite(suite);
    }
    junit.serialize(&mut *out).map_err(io::Error::other)?;
    writeln!(out)
}

fn mark_interrupted(report: &RunReport, suite: &mut TestSuite) {
    if report.interrupted {
        suite.add_property(Property::new("interrumpido", "true"));
        suite.set_system_out(format!(
            "La corrida se interrumpió (SIGINT o SIGTERM): este informe tiene solo los escenarios \
             que terminaron; {} no terminaron.",
            report.unfinished
        ));
    }
}

fn status(s: &ScenarioReport) -> TestCaseStatus {
    match s.outcome {
        Outcome::Passed => TestCaseStatus::success(),
        Outcome::NotApplicable => {
            let mut st = TestCaseStatus::skipped();
            st.set_message(format!(
                "no aplica: {}",
                s.reason
                    .as_deref()
                    .unwrap_or("el destino no ofrece lo que el escenario necesita")
            ));
            st
        }
        Outcome::Failed => {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let first = s.failures.first();
            st.set_message(first.map_or_else(
                || "falló".to_owned(),
                |f| format!("{}: {}", f.check, f.message),
            ));
            st.set_type("expectativa");
            st.set_description(details(s));
            st
        }
        // JUnit has no "expected failure": a known one is skipped with its entry, so CI shows it
        // apart from passes and does not fail on it.
        Outcome::KnownFailure => {
            let mut st = TestCaseStatus::skipped();
            let k = s.known_failure.as_ref();
            st.set_message(match k {
                Some(k) => format!(
                    "falla conocida: {} (--expect-failures: {}; responsable {}; vence {})",
                    k.reason, k.id, k.owner, k.expires
                ),
                None => "falla conocida".to_owned(),
            });
            st.set_type("falla_conocida");
            st.set_description(details(s));
            st
        }
        Outcome::Error => {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Error);
            st.set_message(
                s.reason
                    .clone()
                    .unwrap_or_else(|| "no pudo correr".to_owned()),
            );
            st.set_type("no_pudo_correr");
            st.set_description(format!("repetir: {}", s.repro));
            st
        }
    }
}

/// Every failure with its diff in plain text, then the repro command.
fn details(s: &ScenarioReport) -> String {
    let mut text = String::new();
    for f in &s.failures {
        if let Some(step) = &f.step {
            text.push_str(&format!("{} — ", step.place(&s.file)));
        }
        text.push_str(&format!("{}: {}\n", f.check, f.message));
        match &f.diff {
            Some(Diff::Value { expected, actual }) => {
                text.push_str(&format!("  esperado: {expected}\n  obtenido: {actual}\n"));
            }
            Some(Diff::Text { expected, actual }) => {
                for (sign, line) in text_diff_lines(expected, actual) {
                    text.push_str(&format!("  {sign} {line}\n"));
                }
            }
            Some(Diff::Table {
                columns,
                expected,
                actual,
            }) => {
                for (sign, line) in table_diff_lines(columns, expected, actual) {
                    text.push_str(&format!("  {sign} {line}\n"));
                }
            }
            None => {}
        }
    }
    text.push_str(&format!("repetir: {}\n", s.repro));
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn junit_has_one_case_per_scenario_with_diffs_and_skips() {
        let mut out = Vec::new();
        render(&sample::report(), false, &mut out).unwrap();
        insta::assert_snapshot!(String::from_utf8(out).unwrap());
    }

    #[test]
    fn an_interrupted_run_marks_every_suite_even_with_nothing_finished() {
        let mut report = sample::report();
        let xml = |report: &RunReport| {
            let mut out = Vec::new();
            render(report, false, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert!(!xml(&report).contains("interrumpido"));
        report.interrupted = true;
        report.unfinished = 2;
        let marked = xml(&report);
        assert_eq!(
            marked
                .matches(r#"<property name="interrumpido" value="true"/>"#)
                .count(),
            4,
            "{marked}"
        );
        assert!(marked.contains("2 no terminaron"), "{marked}");
        report.scenarios.clear();
        let empty = xml(&report);
        assert!(
            empty.contains(r#"<testsuite name="pnt-suite" tests="0""#),
            "{empty}"
        );
        assert!(
            empty.contains(r#"<property name="interrumpido" value="true"/>"#),
            "{empty}"
        );
    }

    #[test]
    fn cases_carry_their_requirements_and_known_failures_are_skipped_apart() {
        let xml = |report: &RunReport| {
            let mut out = Vec::new();
            render(report, false, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        let plain = xml(&sample::report());
        assert!(
            plain.contains(r#"<property name="requisito" value="R-QUEJA-02"/>"#),
            "{plain}"
        );
        assert_eq!(plain.matches(r#"name="requisito""#).count(), 5, "{plain}");
        assert!(!plain.contains("--expect-failures"), "{plain}");
        let known = xml(&sample::with_known_failures());
        assert!(
            known.contains(
                r#"<skipped message="falla conocida: la ventana de queja aún cuenta días naturales"#
            ),
            "{known}"
        );
        assert!(
            known.contains(
                r#"<property name="falla_conocida" value="plazos/ventana-de-queja.yaml"/>"#
            ),
            "{known}"
        );
        // Each entry to act on is a failing case of the `--expect-failures` suite.
        assert!(
            known.contains(r#"<testsuite name="--expect-failures" tests="2" skipped="0" errors="0" failures="2">"#),
            "{known}"
        );
        assert!(
            known.contains(r#"type="falla_conocida_vencida""#),
            "{known}"
        );
    }
}
