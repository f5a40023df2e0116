//! The report for people: one line per scenario, details and diffs under failures, the command
//! that reproduces each, and a summary.

use std::io::{self, Write};

use super::diff::{Diff, table_diff_lines, text_diff_lines};
use super::{Outcome, RunReport, ScenarioReport, Target};

/// How to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// ANSI colours (only when writing to a terminal; `NO_COLOR` turns them off).
    pub color: bool,
    /// Show durations (left out of snapshots, which must not depend on the machine's speed).
    pub durations: bool,
    /// `run --require-all`: not-applicable scenarios fail the run, and the summary says so.
    pub require_all: bool,
}

impl Options {
    /// Colour when `stdout` is a terminal and `NO_COLOR` is not set; durations shown.
    pub fn for_stdout() -> Options {
        use std::io::IsTerminal;
        Options {
            color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            durations: true,
            require_all: false,
        }
    }
}

#[derive(Clone, Copy)]
enum Paint {
    Green,
    Red,
    Yellow,
    Magenta,
    Dim,
    Bold,
}

struct Painter(bool);

impl Painter {
    fn paint(&self, paint: Paint, text: &str) -> String {
        if !self.0 {
            return text.to_owned();
        }
        let code = match paint {
            Paint::Green => "32",
            Paint::Red => "31",
            Paint::Yellow => "33",
            Paint::Magenta => "35",
            Paint::Dim => "2",
            Paint::Bold => "1",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }
}

/// Writes the whole report: every scenario, then [`summary`].
pub fn render(report: &RunReport, options: Options, out: &mut dyn Write) -> io::Result<()> {
    let p = Painter(options.color);
    for s in &report.scenarios {
        scenario(s, options, &p, out)?;
    }
    summary(report, options, out)
}

/// What ends a run's output, after the scenario lines were printed as they finished: the
/// scenarios that failed or could not run again (name and repro command, so a long CI log
/// need not be searched), whether the run was interrupted, and the counts.
pub fn summary(report: &RunReport, options: Options, out: &mut dyn Write) -> io::Result<()> {
    let p = Painter(options.color);
    let bad: Vec<&ScenarioReport> = report
        .scenarios
        .iter()
        .filter(|s| matches!(s.outcome, Outcome::Failed | Outcome::Error))
        .collect();
    if !bad.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            p.paint(Paint::Bold, "Para repetir lo que no pasó:")
        )?;
        for s in bad {
            let (mark, paint) = match s.outcome {
                Outcome::Failed => ("✗", Paint::Red),
                _ => ("!", Paint::Magenta),
            };
            writeln!(out, "  {} {}", p.paint(paint, mark), s.name)?;
            writeln!(out, "    {}", s.repro)?;
        }
    }
    if report.interrupted {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            p.paint(
                Paint::Magenta,
                &format!(
                    "INTERRUMPIDO: la corrida se detuvo (SIGINT o SIGTERM); {} sin terminar no {} en los informes",
                    if report.unfinished == 1 {
                        "1 escenario".to_owned()
                    } else {
                        format!("{} escenarios", report.unfinished)
                    },
                    if report.unfinished == 1 { "está" } else { "están" },
                )
            )
        )?;
    }
    not_applicable(report, options, &p, out)?;
    known_failures(report, &p, out)?;
    counts(report, options, &p, out)?;
    requisitos(report, &p, out)
}

/// Lists the failures `--expect-failures` lists (they do not fail the run), then what is wrong
/// with its entries (each fails the run): expired, or listing scenarios that now pass.
fn known_failures(report: &RunReport, p: &Painter, out: &mut dyn Write) -> io::Result<()> {
    let known: Vec<&ScenarioReport> = report
        .scenarios
        .iter()
        .filter(|s| s.outcome == Outcome::KnownFailure)
        .collect();
    if !known.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            p.paint(
                Paint::Bold,
                "Fallas conocidas (--expect-failures; no hacen fallar la corrida):"
            )
        )?;
        for s in known {
            writeln!(out, "  {} {}", p.paint(Paint::Yellow, "≈"), s.name)?;
            if let Some(k) = &s.known_failure {
                writeln!(
                    out,
                    "    {} — responsable {}, vence {}: {}",
                    k.id, k.owner, k.expires, k.reason
                )?;
            }
        }
    }
    if !report.expectations.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            p.paint(Paint::Bold, "Entradas de --expect-failures por atender:")
        )?;
        for e in &report.expectations {
            writeln!(
                out,
                "  {} {}  [código: {}]",
                p.paint(Paint::Red, "✗"),
                e.message,
                e.codigo
            )?;
        }
    }
    Ok(())
}

/// The results by requirement, after the counts: one line per requirement the run's scenarios
/// declare, with its worst outcome and, unless all passed, which scenarios did not pass.
fn requisitos(report: &RunReport, p: &Painter, out: &mut dyn Write) -> io::Result<()> {
    let results = report.requisitos();
    if results.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "{}", p.paint(Paint::Bold, "Por requisito:"))?;
    for r in &results {
        let (mark, paint) = match r.outcome {
            Outcome::Passed => ("✓", Paint::Green),
            Outcome::Failed => ("✗", Paint::Red),
            Outcome::NotApplicable => ("–", Paint::Yellow),
            Outcome::Error => ("!", Paint::Magenta),
            Outcome::KnownFailure => ("≈", Paint::Yellow),
        };
        let mut parts = Vec::new();
        for (names, one, many) in [
            (&r.passed, "pasó", "pasaron"),
            (&r.failed, "falló", "fallaron"),
            (&r.known_failure, "falla conocida", "fallas conocidas"),
            (&r.not_applicable, "no aplica", "no aplican"),
            (&r.error, "no pudo correr", "no pudieron correr"),
        ] {
            if !names.is_empty() {
                parts.push(format!(
                    "{} {}",
                    names.len(),
                    if names.len() == 1 { one } else { many }
                ));
            }
        }
        writeln!(
            out,
            "  {} {:<11} {}",
            p.paint(paint, mark),
            r.id,
            parts.join(", ")
        )?;
        for (names, word) in [
            (&r.failed, "falló"),
            (&r.known_failure, "falla conocida"),
            (&r.not_applicable, "no aplica"),
            (&r.error, "no pudo correr"),
        ] {
            for name in names {
                writeln!(out, "      {word}: {name}")?;
            }
        }
    }
    Ok(())
}

/// Lists the scenarios that were not applicable, with why, so a skip is never silent; under
/// `--require-all` says that they fail the run.
fn not_applicable(
    report: &RunReport,
    options: Options,
    p: &Painter,
    out: &mut dyn Write,
) -> io::Result<()> {
    let skipped: Vec<&ScenarioReport> = report
        .scenarios
        .iter()
        .filter(|s| s.outcome == Outcome::NotApplicable)
        .collect();
    if skipped.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        p.paint(
            Paint::Bold,
            "No aplicaron (no se ejecutaron ni cuentan como pasados):"
        )
    )?;
    for s in &skipped {
        writeln!(out, "  {} {}", p.paint(Paint::Yellow, "–"), s.name)?;
        writeln!(
            out,
            "    {}",
            s.reason.as_deref().unwrap_or("sin razón registrada")
        )?;
    }
    if options.require_all {
        writeln!(
            out,
            "{}",
            p.paint(
                Paint::Red,
                &format!(
                    "--require-all: {} no {}; la corrida no prueba conformidad completa y no sale con 0  [código: no_aplica_con_require_all]",
                    if skipped.len() == 1 {
                        "1 escenario".to_owned()
                    } else {
                        format!("{} escenarios", skipped.len())
                    },
                    if skipped.len() == 1 { "aplicó" } else { "aplicaron" },
                )
            )
        )?;
    }
    Ok(())
}

/// The line (and details) of one scenario, as soon as it has finished.
pub fn scenario_line(s: &ScenarioReport, options: Options, out: &mut dyn Write) -> io::Result<()> {
    scenario(s, options, &Painter(options.color), out)
}

fn scenario(
    s: &ScenarioReport,
    options: Options,
    p: &Painter,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (mark, label, paint) = match s.outcome {
        Outcome::Passed => ("✓", "PASÓ     ", Paint::Green),
        Outcome::Failed => ("✗", "FALLÓ    ", Paint::Red),
        Outcome::NotApplicable => ("–", "NO APLICA", Paint::Yellow),
        Outcome::Error => ("!", "ERROR    ", Paint::Magenta),
        Outcome::KnownFailure => ("≈", "FALLA CONOCIDA", Paint::Yellow),
    };
    let time = if options.durations {
        format!(
            "  {}",
            p.paint(Paint::Dim, &format!("({:.2} s)", s.duration.as_secs_f64()))
        )
    } else {
        String::new()
    };
    writeln!(
        out,
        "{} {}",
        p.paint(paint, &format!("{mark} {label}")),
        p.paint(Paint::Bold, &s.name) + &time
    )?;
    if let Some(reason) = &s.reason {
        writeln!(out, "    {reason}")?;
    }
    if let Some(k) = &s.known_failure {
        writeln!(
            out,
            "    {} {} (--expect-failures: {}; responsable {}; vence {})",
            p.paint(Paint::Yellow, "falla conocida:"),
            k.reason,
            k.id,
            k.owner,
            k.expires
        )?;
    }
    for f in &s.failures {
        let place = match &f.step {
            Some(step) => step.place(&s.file),
            None => format!("{}", s.file.display()),
        };
        writeln!(
            out,
            "    {} — {}: {}",
            place,
            p.paint(Paint::Bold, &f.check),
            f.message
        )?;
        if let Some(diff) = &f.diff {
            render_diff(diff, p, out)?;
        }
    }
    // A snapshot that was not compared says so: a check that checked nothing is never silent.
    // (While goldens are being rewritten the summary's count is enough.)
    for c in &s.snapshots {
        if c.result == super::SnapshotResult::Updating {
            continue;
        }
        if let Some(why) = c.result.not_compared() {
            writeln!(
                out,
                "    {} — instantánea «{}»: {}",
                c.step.place(&s.file),
                c.name,
                p.paint(Paint::Yellow, why)
            )?;
        }
    }
    if matches!(s.outcome, Outcome::Failed | Outcome::Error) {
        writeln!(out, "    {} {}", p.paint(Paint::Dim, "repetir:"), s.repro)?;
    }
    Ok(())
}

fn render_diff(diff: &Diff, p: &Painter, out: &mut dyn Write) -> io::Result<()> {
    let signed = |out: &mut dyn Write, lines: Vec<(char, String)>| -> io::Result<()> {
        for (sign, line) in lines {
            let text = format!("      {sign} {line}");
            let text = match sign {
                '-' => p.paint(Paint::Red, &text),
                '+' => p.paint(Paint::Green, &text),
                _ => text,
            };
            writeln!(out, "{}", text.trim_end())?;
        }
        Ok(())
    };
    match diff {
        Diff::Value { expected, actual } => {
            writeln!(out, "      {} {expected}", p.paint(Paint::Red, "esperado:"))?;
            writeln!(out, "      {} {actual}", p.paint(Paint::Green, "obtenido:"))
        }
        Diff::Text { expected, actual } => {
            writeln!(
                out,
                "      {} {}",
                p.paint(Paint::Red, "- esperado"),
                p.paint(Paint::Green, "+ obtenido")
            )?;
            signed(out, text_diff_lines(expected, actual))
        }
        Diff::Table {
            columns,
            expected,
            actual,
        } => {
            writeln!(
                out,
                "      {} {}",
                p.paint(Paint::Red, "- filas esperadas"),
                p.paint(Paint::Green, "+ filas obtenidas")
            )?;
            signed(out, table_diff_lines(columns, expected, actual))
        }
    }
}

fn counts(
    report: &RunReport,
    options: Options,
    p: &Painter,
    out: &mut dyn Write,
) -> io::Result<()> {
    let c = report.counts();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = vec![p.paint(Paint::Green, &plural(c.passed, "pasó", "pasaron"))];
    if c.failed > 0 {
        parts.push(p.paint(Paint::Red, &plural(c.failed, "falló", "fallaron")));
    }
    if c.not_applicable > 0 {
        parts.push(p.paint(
            Paint::Yellow,
            &plural(c.not_applicable, "no aplica", "no aplican"),
        ));
    }
    if c.error > 0 {
        parts.push(p.paint(
            Paint::Magenta,
            &plural(c.error, "no pudo correr", "no pudieron correr"),
        ));
    }
    if c.known_failure > 0 {
        parts.push(p.paint(
            Paint::Yellow,
            &plural(c.known_failure, "falla conocida", "fallas conocidas"),
        ));
    }
    let time = if options.durations {
        format!(" en {:.2} s", report.duration.as_secs_f64())
    } else {
        String::new()
    };
    let ended = if report.interrupted {
        " (interrumpido)"
    } else {
        ""
    };
    writeln!(out)?;
    writeln!(
        out,
        "{}{ended}: {}{time}",
        plural(c.total(), "escenario", "escenarios"),
        parts.join(", ")
    )?;
    let snapshots = report.scenarios.iter().flat_map(|s| &s.snapshots);
    let compared = snapshots
        .clone()
        .filter(|c| c.result.not_compared().is_none())
        .count();
    let not_compared = snapshots.count() - compared;
    if not_compared > 0 {
        writeln!(
            out,
            "{}",
            p.paint(
                Paint::Yellow,
                &format!(
                    "Instantáneas: {compared} comparadas con su golden, {not_compared} sin comparar (cada escenario dice por qué)"
                )
            )
        )?;
        if options.require_all {
            writeln!(
                out,
                "{}",
                p.paint(
                    Paint::Red,
                    &format!(
                        "--require-all: {} sin comparar con su golden; la corrida no prueba conformidad completa y no sale con 0  [código: instantanea_sin_comparar_con_require_all]",
                        plural(not_compared, "instantánea", "instantáneas")
                    )
                )
            )?;
        }
    }
    // A foreign target is judged on what it let the suite exercise: say how much that was.
    if matches!(report.target, Target::External { .. }) || c.not_applicable > 0 {
        writeln!(out, "Se ejercitó {} de la selección", c.exercised_text())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    fn rendered(options: Options) -> String {
        let mut out = Vec::new();
        render(&sample::report(), options, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn plain_report_has_diffs_and_repro_commands() {
        insta::assert_snapshot!(rendered(Options {
            color: false,
            durations: false,
            require_all: true,
        }));
    }

    #[test]
    fn colour_only_when_asked_and_durations_only_when_asked() {
        let plain = rendered(Options {
            color: false,
            durations: false,
            require_all: false,
        });
        assert!(!plain.contains("--require-all"), "{plain}");
        assert!(!plain.contains('\x1b'));
        assert!(!plain.contains(" s)"));
        let coloured = rendered(Options {
            color: true,
            durations: true,
            require_all: false,
        });
        assert!(
            coloured.contains("\x1b[31m✗ FALLÓ    \x1b[0m"),
            "{coloured}"
        );
        assert!(coloured.contains("(0.41 s)"), "{coloured}");
        assert!(coloured.contains(" en 2.31 s"), "{coloured}");
    }

    #[test]
    fn results_by_requirement_follow_the_counts_and_known_failures_stand_apart() {
        let options = Options {
            color: false,
            durations: false,
            require_all: false,
        };
        let plain = rendered(options);
        let counts = plain.find("4 escenarios:").expect("counts");
        let by = plain.find("Por requisito:").expect("requirements section");
        assert!(by > counts, "{plain}");
        assert!(plain.contains("  ✗ R-HIST-01   1 pasó, 1 falló\n      falló: La ventana de queja abre y cierra con el reloj\n"), "{plain}");
        assert!(plain.contains("  ✓ R-VINC-01   1 pasó\n"), "{plain}");
        assert!(plain.contains("  – R-SEM-01    1 no aplica\n"), "{plain}");

        let mut out = Vec::new();
        render(&sample::with_known_failures(), options, &mut out).unwrap();
        let known = String::from_utf8(out).unwrap();
        assert!(
            known.contains("≈ FALLA CONOCIDA La ventana de queja"),
            "{known}"
        );
        assert!(
            known.contains("Fallas conocidas (--expect-failures; no hacen fallar la corrida):"),
            "{known}"
        );
        assert!(known.contains("1 falla conocida"), "{known}");
        assert!(
            known.contains("[código: falla_conocida_vencida]"),
            "{known}"
        );
        assert!(
            known.contains("[código: falla_conocida_ya_pasa]"),
            "{known}"
        );
        assert!(
            known.contains("  ≈ R-QUEJA-02  1 falla conocida\n"),
            "{known}"
        );
    }
}
