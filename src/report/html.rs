//! The report a person opens after a CI run (`--report html=PATH`): one self-contained HTML
//! file — inline CSS, no script, nothing fetched — with the summary, tables by theme folder and
//! by jurisdiction, the scenarios that do not apply and why, and one section per scenario with
//! its steps, each failure's expected-versus-got diff and the command that reproduces it.
//!
//! Scenarios that failed or could not run are open; the others are folded `<details>`, so the
//! page reads from what needs attention. Every text from a scenario or a target is escaped.
//! Same report in, same bytes out: nothing here reads a clock.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use pnt_model::Jurisdiccion;

use super::diff::{Diff, table_diff_lines, text_diff_lines};
use super::{Counts, Outcome, RunReport, ScenarioReport, SnapshotResult, Target};

const STYLE: &str = r#"
:root { color-scheme: light; --paso: #1a7f37; --fallo: #cf222e; --noaplica: #9a6700; --error: #8250df; --conocida: #bc4c00; --gris: #59636e; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1.5rem; color: #1f2328; background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #d1d9e0; padding-bottom: .25rem; margin-top: 2rem; }
h3 { font-size: 1rem; margin: .25rem 0; display: inline; }
h4 { font-size: .95rem; margin: 1rem 0 .25rem; }
code, pre { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: #f6f8fa; border: 1px solid #d1d9e0; border-radius: 6px; padding: .6rem .8rem; overflow-x: auto; margin: .25rem 0 .75rem; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #d1d9e0; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
dl.datos { display: grid; grid-template-columns: max-content auto; gap: .15rem 1rem; margin: .5rem 0; }
dl.datos dt { color: var(--gris); }
dl.datos dd { margin: 0; }
ul.conteos { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .5rem; }
ul.conteos li { border: 1px solid #d1d9e0; border-radius: 6px; padding: .35rem .8rem; }
ul.conteos strong { font-size: 1.3rem; margin-right: .3rem; }
:is(span, td, li).passed { color: var(--paso); } :is(span, td, li).failed { color: var(--fallo); }
:is(span, td, li).not_applicable { color: var(--noaplica); } :is(span, td, li).error { color: var(--error); }
:is(span, td, li).known_failure { color: var(--conocida); }
.aviso { border: 2px solid var(--error); border-radius: 6px; padding: .6rem .8rem; background: #fbefff; font-weight: 600; }
section.escenario { border: 1px solid #d1d9e0; border-left-width: 6px; border-radius: 6px; margin: .6rem 0; padding: .4rem .8rem; }
section.escenario.passed { border-left-color: var(--paso); }
section.escenario.failed { border-left-color: var(--fallo); }
section.escenario.not_applicable { border-left-color: var(--noaplica); }
section.escenario.error { border-left-color: var(--error); }
section.escenario.known_failure { border-left-color: var(--conocida); border-left-style: dashed; }
section.escenario summary { cursor: pointer; }
.marca { font-weight: 700; margin-right: .4rem; }
.tiempo { color: var(--gris); font-weight: normal; }
tr.con-falla td { background: #ffebe9; }
.del { color: var(--fallo); background: #ffebe9; }
.ins { color: var(--paso); background: #dafbe1; }
.falla { margin: .5rem 0 1rem; }
.razon { margin: .5rem 0; }
footer { color: var(--gris); margin-top: 2rem; font-size: .85rem; }
"#;

/// Writes the report as one HTML page. `durations: false` leaves times out (for snapshots).
pub fn render(report: &RunReport, durations: bool, out: &mut dyn Write) -> io::Result<()> {
    let mut h = String::new();
    page(&mut h, report, durations).expect("writing to a String cannot fail");
    out.write_all(h.as_bytes())
}

type Out = std::fmt::Result;

fn page(h: &mut String, report: &RunReport, durations: bool) -> Out {
    writeln!(h, "<!DOCTYPE html>")?;
    writeln!(h, "<html lang=\"es\">")?;
    writeln!(h, "<head>")?;
    writeln!(h, "<meta charset=\"utf-8\">")?;
    writeln!(
        h,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(h, "<title>Informe de pnt-suite</title>")?;
    writeln!(h, "<style>{STYLE}</style>")?;
    writeln!(h, "</head>")?;
    writeln!(h, "<body>")?;
    writeln!(h, "<header>")?;
    writeln!(h, "<h1>Informe de pnt-suite</h1>")?;
    if report.interrupted {
        writeln!(
            h,
            "<p class=\"aviso\" id=\"interrumpido\">La corrida se interrumpió (SIGINT o SIGTERM): \
             este informe tiene solo los escenarios que terminaron; {} no terminaron.</p>",
            report.unfinished
        )?;
    }
    writeln!(h, "</header>")?;
    summary(h, report, durations)?;
    by_group(
        h,
        "por-tema",
        "Por tema",
        "Tema",
        report,
        |s| vec![s.theme.clone()],
        |k| k.to_owned(),
    )?;
    by_group(
        h,
        "por-jurisdiccion",
        "Por jurisdicción",
        "Jurisdicción",
        report,
        jurisdiction_keys,
        jurisdiction_name,
    )?;
    by_requisito(h, report)?;
    known_failures(h, report)?;
    not_applicable(h, report)?;
    writeln!(h, "<section id=\"escenarios\">")?;
    writeln!(h, "<h2>Escenarios</h2>")?;
    for (n, s) in report.scenarios.iter().enumerate() {
        scenario(h, n + 1, s, durations)?;
    }
    writeln!(h, "</section>")?;
    writeln!(
        h,
        "<footer>pnt-suite {} · formato del informe JSON {}</footer>",
        env!("CARGO_PKG_VERSION"),
        super::json::FORMAT
    )?;
    writeln!(h, "</body>")?;
    writeln!(h, "</html>")
}

fn label(outcome: Outcome) -> (&'static str, &'static str) {
    match outcome {
        Outcome::Passed => ("✓", "PASÓ"),
        Outcome::Failed => ("✗", "FALLÓ"),
        Outcome::NotApplicable => ("–", "NO APLICA"),
        Outcome::Error => ("!", "ERROR"),
        Outcome::KnownFailure => ("≈", "FALLA CONOCIDA"),
    }
}

fn class(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "passed",
        Outcome::Failed => "failed",
        Outcome::NotApplicable => "not_applicable",
        Outcome::Error => "error",
        Outcome::KnownFailure => "known_failure",
    }
}

fn seconds(d: std::time::Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn summary(h: &mut String, report: &RunReport, durations: bool) -> Out {
    let c = report.counts();
    writeln!(h, "<section id=\"resumen\">")?;
    writeln!(h, "<h2>Resumen</h2>")?;
    writeln!(h, "<ul class=\"conteos\">")?;
    for (n, what, class) in [
        (c.passed, "pasaron", "passed"),
        (c.failed, "fallaron", "failed"),
        (c.not_applicable, "no aplican", "not_applicable"),
        (c.error, "no pudieron correr", "error"),
        (c.known_failure, "fallas conocidas", "known_failure"),
        (c.total(), "escenarios", "total"),
    ] {
        writeln!(
            h,
            "<li class=\"{class}\" id=\"conteo-{class}\"><strong>{n}</strong> {what}</li>"
        )?;
    }
    writeln!(h, "</ul>")?;
    writeln!(h, "<dl class=\"datos\">")?;
    let target = match &report.target {
        Target::Embedded => "la referencia embebida (pnt-reference-server)".to_owned(),
        Target::External { url, .. } => format!("<code>{}</code>", text(url)),
    };
    writeln!(h, "<dt>Destino</dt><dd id=\"destino\">{target}</dd>")?;
    writeln!(
        h,
        "<dt>Ejercitado</dt><dd id=\"ejercitado\">{} de la selección (los que no aplican no se ejecutaron)</dd>",
        c.exercised_text()
    )?;
    let seed = match report.seed {
        Some(seed) => format!("{seed} (<code>--seed</code>, para todos los escenarios)"),
        None => "la de cada escenario (ver cada uno)".to_owned(),
    };
    writeln!(h, "<dt>Semilla</dt><dd id=\"semilla\">{seed}</dd>")?;
    if durations {
        writeln!(
            h,
            "<dt>Duración</dt><dd id=\"duracion\">{}</dd>",
            seconds(report.duration)
        )?;
    }
    if report.interrupted {
        writeln!(
            h,
            "<dt>Sin terminar</dt><dd id=\"sin-terminar\">{} (corrida interrumpida)</dd>",
            report.unfinished
        )?;
    }
    writeln!(h, "</dl>")?;
    writeln!(h, "</section>")
}

fn jurisdiction_keys(s: &ScenarioReport) -> Vec<String> {
    if s.jurisdictions.is_empty() {
        return vec![String::new()];
    }
    s.jurisdictions.clone()
}

fn jurisdiction_name(slug: &str) -> String {
    if slug.is_empty() {
        return "Sin cuenta de Infomex".to_owned();
    }
    Jurisdiccion::parse(slug).map_or_else(|_| slug.to_owned(), |j| j.nombre().to_owned())
}

/// A table of outcome counts per group; a scenario in several groups counts in each.
fn by_group(
    h: &mut String,
    id: &str,
    title: &str,
    column: &str,
    report: &RunReport,
    keys: impl Fn(&ScenarioReport) -> Vec<String>,
    name: impl Fn(&str) -> String,
) -> Out {
    // Jurisdictions in INEGI order (the Federación last, as code 33), themes by name; the
    // group without a value last.
    let order = |k: &str| -> (bool, u8, String) {
        let code = Jurisdiccion::parse(k).map_or(0, |j| j.code());
        (k.is_empty(), code, k.to_owned())
    };
    let mut groups: BTreeMap<(bool, u8, String), Counts> = BTreeMap::new();
    for s in &report.scenarios {
        for key in keys(s) {
            let c = groups.entry(order(&key)).or_default();
            match s.outcome {
                Outcome::Passed => c.passed += 1,
                Outcome::Failed => c.failed += 1,
                Outcome::NotApplicable => c.not_applicable += 1,
                Outcome::Error => c.error += 1,
                Outcome::KnownFailure => c.known_failure += 1,
            }
        }
    }
    writeln!(h, "<section id=\"{id}\">")?;
    writeln!(h, "<h2>{title}</h2>")?;
    writeln!(h, "<table>")?;
    writeln!(
        h,
        "<thead><tr><th>{column}</th><th>Pasaron</th><th>Fallaron</th><th>No aplican</th><th>Error</th><th>Conocidas</th><th>Total</th></tr></thead>"
    )?;
    writeln!(h, "<tbody>")?;
    for ((_, _, key), c) in &groups {
        let cell = |n: usize, class: &str| {
            if n == 0 {
                "<td class=\"n\">0</td>".to_owned()
            } else {
                format!("<td class=\"n {class}\">{n}</td>")
            }
        };
        writeln!(
            h,
            "<tr><td>{}</td>{}{}{}{}{}<td class=\"n\">{}</td></tr>",
            text(&name(key)),
            cell(c.passed, "passed"),
            cell(c.failed, "failed"),
            cell(c.not_applicable, "not_applicable"),
            cell(c.error, "error"),
            cell(c.known_failure, "known_failure"),
            c.total()
        )?;
    }
    writeln!(h, "</tbody>")?;
    writeln!(h, "</table>")?;
    writeln!(h, "</section>")
}

/// The results by requirement: each requirement the run's scenarios declare, its worst outcome,
/// and its scenarios by outcome (linked to their sections).
fn by_requisito(h: &mut String, report: &RunReport) -> Out {
    let results = report.requisitos();
    writeln!(h, "<section id=\"por-requisito\">")?;
    writeln!(h, "<h2>Por requisito</h2>")?;
    if results.is_empty() {
        writeln!(
            h,
            "<p>Ningún escenario de la corrida declara requisitos (<code>requisitos:</code>, docs/requisitos.md).</p>"
        )?;
        return writeln!(h, "</section>");
    }
    writeln!(h, "<table>")?;
    writeln!(
        h,
        "<thead><tr><th>Requisito</th><th>Resultado</th><th>Escenarios</th></tr></thead>"
    )?;
    writeln!(h, "<tbody>")?;
    let link = |name: &String| -> String {
        match report.scenarios.iter().position(|s| &s.name == name) {
            Some(n) => format!("<a href=\"#escenario-{}\">{}</a>", n + 1, text(name)),
            None => text(name).into_owned(),
        }
    };
    for r in &results {
        let (mark, word) = label(r.outcome);
        let mut cells = Vec::new();
        for (names, outcome) in [
            (&r.failed, Outcome::Failed),
            (&r.error, Outcome::Error),
            (&r.known_failure, Outcome::KnownFailure),
            (&r.not_applicable, Outcome::NotApplicable),
            (&r.passed, Outcome::Passed),
        ] {
            if names.is_empty() {
                continue;
            }
            let list: Vec<String> = names.iter().map(link).collect();
            cells.push(format!(
                "<span class=\"{}\">{}:</span> {}",
                class(outcome),
                label(outcome).1.to_lowercase(),
                list.join(", ")
            ));
        }
        writeln!(
            h,
            "<tr><td><code>{}</code><br>{}</td><td class=\"{}\">{mark} {word}</td><td>{}</td></tr>",
            text(&r.id),
            text(&r.texto),
            class(r.outcome),
            cells.join("<br>")
        )?;
    }
    writeln!(h, "</tbody>")?;
    writeln!(h, "</table>")?;
    writeln!(h, "</section>")
}

/// The failures `--expect-failures` lists, and what is wrong with its entries.
fn known_failures(h: &mut String, report: &RunReport) -> Out {
    let known: Vec<(usize, &ScenarioReport)> = report
        .scenarios
        .iter()
        .enumerate()
        .filter(|(_, s)| s.known_failure.is_some())
        .collect();
    if known.is_empty() && report.expectations.is_empty() {
        return Ok(());
    }
    writeln!(h, "<section id=\"fallas-conocidas\">")?;
    writeln!(h, "<h2>Fallas conocidas</h2>")?;
    if !known.is_empty() {
        writeln!(
            h,
            "<p>Fallaron, y <code>--expect-failures</code> las lista: no hacen fallar la corrida hasta que venzan.</p>"
        )?;
        writeln!(h, "<ul>")?;
        for (n, s) in known {
            let k = s.known_failure.as_ref().expect("filtered above");
            writeln!(
                h,
                "<li class=\"known_failure\"><a href=\"#escenario-{}\">{}</a>: {} (<code>{}</code>; responsable {}; vence {})</li>",
                n + 1,
                text(&s.name),
                text(&k.reason),
                text(&k.id),
                text(&k.owner),
                text(&k.expires)
            )?;
        }
        writeln!(h, "</ul>")?;
    }
    if !report.expectations.is_empty() {
        writeln!(
            h,
            "<ul class=\"aviso\" id=\"fallas-conocidas-por-atender\">"
        )?;
        for p in &report.expectations {
            writeln!(
                h,
                "<li>{} <code>[código: {}]</code></li>",
                text(&p.message),
                text(&p.codigo)
            )?;
        }
        writeln!(h, "</ul>")?;
    }
    writeln!(h, "</section>")
}

fn not_applicable(h: &mut String, report: &RunReport) -> Out {
    writeln!(h, "<section id=\"no-aplican\">")?;
    writeln!(h, "<h2>No aplican</h2>")?;
    let list: Vec<(usize, &ScenarioReport)> = report
        .scenarios
        .iter()
        .enumerate()
        .filter(|(_, s)| s.outcome == Outcome::NotApplicable)
        .collect();
    if list.is_empty() {
        writeln!(h, "<p>Todos los escenarios aplicaron al destino.</p>")?;
    } else {
        writeln!(
            h,
            "<p>El destino no ofrece lo que estos escenarios necesitan; no se cuentan como pasados.</p>"
        )?;
        writeln!(h, "<ul>")?;
        for (n, s) in list {
            writeln!(
                h,
                "<li><a href=\"#escenario-{}\">{}</a>: {}</li>",
                n + 1,
                text(&s.name),
                text(s.reason.as_deref().unwrap_or("sin razón registrada"))
            )?;
        }
        writeln!(h, "</ul>")?;
    }
    writeln!(h, "</section>")
}

fn scenario(h: &mut String, n: usize, s: &ScenarioReport, durations: bool) -> Out {
    let (mark, word) = label(s.outcome);
    let open = matches!(s.outcome, Outcome::Failed | Outcome::Error);
    writeln!(
        h,
        "<section class=\"escenario {}\" id=\"escenario-{n}\" data-archivo=\"{}\">",
        class(s.outcome),
        attr(&s.file.display().to_string())
    )?;
    writeln!(h, "<details{}>", if open { " open" } else { "" })?;
    let time = if durations {
        format!(" <span class=\"tiempo\">({})</span>", seconds(s.duration))
    } else {
        String::new()
    };
    writeln!(
        h,
        "<summary><h3><span class=\"marca {}\">{mark} {word}</span> {}</h3>{time}</summary>",
        class(s.outcome),
        text(&s.name)
    )?;
    writeln!(h, "<dl class=\"datos\">")?;
    writeln!(
        h,
        "<dt>Archivo</dt><dd><code>{}</code></dd>",
        text(&s.file.display().to_string())
    )?;
    writeln!(h, "<dt>Tema</dt><dd>{}</dd>", text(&s.theme))?;
    let places: Vec<String> = jurisdiction_keys(s)
        .iter()
        .map(|k| jurisdiction_name(k))
        .collect();
    writeln!(
        h,
        "<dt>Jurisdicciones</dt><dd>{}</dd>",
        text(&places.join(", "))
    )?;
    if !s.matrix.is_empty() {
        let values: Vec<String> = s.matrix.iter().map(|(k, v)| format!("{k}={v}")).collect();
        writeln!(
            h,
            "<dt>Matriz</dt><dd><code>{}</code></dd>",
            text(&values.join(", "))
        )?;
    }
    writeln!(h, "<dt>Semilla</dt><dd>{}</dd>", s.seed)?;
    writeln!(h, "</dl>")?;
    if let Some(reason) = &s.reason {
        let why = match s.outcome {
            Outcome::NotApplicable => "No aplica porque",
            _ => "No pudo correr",
        };
        writeln!(
            h,
            "<p class=\"razon\"><strong>{why}:</strong> {}</p>",
            text(reason)
        )?;
    }
    if let Some(k) = &s.known_failure {
        writeln!(
            h,
            "<p class=\"razon known_failure\"><strong>Falla conocida</strong> (<code>--expect-failures</code>, <code>{}</code>; responsable {}; vence {}): {}</p>",
            text(&k.id),
            text(&k.owner),
            text(&k.expires),
            text(&k.reason)
        )?;
    }
    if !s.requisitos.is_empty() {
        writeln!(
            h,
            "<p class=\"requisitos\">Requisitos: <code>{}</code></p>",
            text(&s.requisitos.join(", "))
        )?;
    }
    steps(h, s)?;
    if !s.snapshots.is_empty() {
        // Every snapshot says whether it was compared with its golden, and why not.
        writeln!(h, "<h4>Instantáneas</h4>")?;
        writeln!(h, "<ul class=\"instantaneas\">")?;
        for c in &s.snapshots {
            let what = match c.result {
                SnapshotResult::Matched => "coincide con el golden",
                SnapshotResult::Differs => "difiere del golden (ver Fallas)",
                other => other.not_compared().unwrap_or_default(),
            };
            writeln!(
                h,
                "<li>{} — «{}»: {}</li>",
                text(&c.step.place(&s.file)),
                text(&c.name),
                text(what)
            )?;
        }
        writeln!(h, "</ul>")?;
    }
    if !s.failures.is_empty() {
        writeln!(h, "<h4>Fallas</h4>")?;
        for f in &s.failures {
            writeln!(h, "<div class=\"falla\">")?;
            let place = match &f.step {
                Some(step) => step.place(&s.file),
                None => s.file.display().to_string(),
            };
            writeln!(
                h,
                "<p>{} — <strong>{}</strong>: {}</p>",
                text(&place),
                text(&f.check),
                text(&f.message)
            )?;
            if let Some(diff) = &f.diff {
                render_diff(h, diff)?;
            }
            writeln!(h, "</div>")?;
        }
    }
    writeln!(h, "<h4>Repetir</h4>")?;
    writeln!(
        h,
        "<pre class=\"repetir\"><code>{}</code></pre>",
        text(&s.repro)
    )?;
    writeln!(h, "</details>")?;
    writeln!(h, "</section>")
}

fn steps(h: &mut String, s: &ScenarioReport) -> Out {
    writeln!(h, "<h4>Pasos</h4>")?;
    if s.steps.is_empty() {
        writeln!(h, "<p>Ningún paso llegó a correr.</p>")?;
        return Ok(());
    }
    writeln!(h, "<table class=\"pasos\">")?;
    writeln!(
        h,
        "<thead><tr><th>#</th><th>Paso</th><th>Línea</th><th>Respuesta</th></tr></thead>"
    )?;
    writeln!(h, "<tbody>")?;
    for step in &s.steps {
        let failed = s.failures.iter().any(|f| {
            f.step
                .as_ref()
                .is_some_and(|r| r.position() == step.step.position())
        });
        let mut what = text(&step.description).into_owned();
        if let Some(user) = &step.user {
            what.push_str(&format!(" (como {})", text(user)));
        }
        let answer = match (step.status, &step.error) {
            (Some(status), Some(code)) => format!("{status} <code>{}</code>", text(code)),
            (Some(status), None) => status.to_string(),
            (None, _) => "—".to_owned(),
        };
        writeln!(
            h,
            "<tr{}><td>{}{}</td><td>{what}</td><td class=\"n\">{}</td><td>{answer}</td></tr>",
            if failed { " class=\"con-falla\"" } else { "" },
            step.step.position(),
            if failed { " ✗" } else { "" },
            step.step.line
        )?;
    }
    writeln!(h, "</tbody>")?;
    writeln!(h, "</table>")
}

/// The same diff the terminal shows (`diff.rs`), as lines marked for colour.
fn render_diff(h: &mut String, diff: &Diff) -> Out {
    let lines: Vec<(char, String)> = match diff {
        Diff::Value { expected, actual } => vec![
            ('-', format!("esperado: {expected}")),
            ('+', format!("obtenido: {actual}")),
        ],
        Diff::Text { expected, actual } => {
            let mut lines = vec![(' ', "- esperado  + obtenido".to_owned())];
            lines.extend(
                text_diff_lines(expected, actual)
                    .into_iter()
                    .map(|(sign, line)| (sign, format!("{sign} {line}"))),
            );
            lines
        }
        Diff::Table {
            columns,
            expected,
            actual,
        } => {
            let mut lines = vec![(' ', "- filas esperadas  + filas obtenidas".to_owned())];
            lines.extend(
                table_diff_lines(columns, expected, actual)
                    .into_iter()
                    .map(|(sign, line)| (sign, format!("{sign} {line}"))),
            );
            lines
        }
    };
    h.push_str("<pre class=\"diff\">");
    for (sign, line) in lines {
        let line = text(line.trim_end()).into_owned();
        match sign {
            '-' => write!(h, "<span class=\"del\">{line}</span>")?,
            '+' => write!(h, "<span class=\"ins\">{line}</span>")?,
            _ => h.push_str(&line),
        }
        h.push('\n');
    }
    h.push_str("</pre>\n");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    fn rendered(report: &RunReport) -> String {
        let mut out = Vec::new();
        render(report, false, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn html_report_of_the_sample() {
        insta::assert_snapshot!(rendered(&sample::report()));
    }

    #[test]
    fn html_is_self_contained_and_escapes_what_scenarios_say() {
        let mut report = sample::report();
        report.scenarios[0].name = "<script>alert('x')</script> & \"más\"".into();
        let html = rendered(&report);
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;alert('x')&lt;/script&gt; &amp; \"más\""));
        for remote in ["http://", "https://", "src=", "<link", "@import"] {
            assert!(!html.contains(remote), "{remote} in a self-contained page");
        }
        // The sample's text diff holds markup a target sent: shown, never interpreted.
        assert!(html.contains("informaci&amp;oacute;n solicitada.&lt;br/&gt;"));
    }

    #[test]
    fn same_report_same_bytes_and_durations_only_when_asked() {
        let report = sample::report();
        assert_eq!(rendered(&report), rendered(&report));
        assert!(!rendered(&report).contains(" s)"));
        let mut out = Vec::new();
        render(&report, true, &mut out).unwrap();
        let timed = String::from_utf8(out).unwrap();
        assert!(timed.contains("<dd id=\"duracion\">2.31 s</dd>"), "{timed}");
    }

    #[test]
    fn an_interrupted_run_says_so() {
        let mut report = sample::report();
        assert!(!rendered(&report).contains("id=\"interrumpido\""));
        report.interrupted = true;
        report.unfinished = 4;
        let html = rendered(&report);
        assert!(html.contains("id=\"interrumpido\""), "{html}");
        assert!(html.contains("4 no terminaron"), "{html}");
    }

    #[test]
    fn a_table_by_requirement_and_known_failures_apart() {
        let html = rendered(&sample::report());
        assert!(html.contains("<section id=\"por-requisito\">"), "{html}");
        assert!(html.contains("<tr><td><code>R-HIST-01</code>"), "{html}");
        assert!(!html.contains("id=\"fallas-conocidas\""), "{html}");
        let known = rendered(&sample::with_known_failures());
        assert!(known.contains("id=\"fallas-conocidas\""), "{known}");
        assert!(
            known.contains("section class=\"escenario known_failure\""),
            "{known}"
        );
        assert!(known.contains("≈ FALLA CONOCIDA"), "{known}");
        assert!(
            known.contains("[código: falla_conocida_vencida]"),
            "{known}"
        );
        assert!(
            known.contains("<li class=\"known_failure\" id=\"conteo-known_failure\"><strong>1</strong> fallas conocidas</li>"),
            "{known}"
        );
    }
}
