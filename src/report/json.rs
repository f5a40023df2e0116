//! The report for programs (`--report json=PATH`): the [`RunReport`] as JSON, with counts.

use std::io::{self, Write};

use serde::Serialize;

use super::{Counts, RunReport};

#[derive(Serialize)]
struct Document<'a> {
    /// Bumped when the shape changes incompatibly.
    format: u32,
    counts: Counts,
    #[serde(flatten)]
    report: &'a RunReport,
}

/// Writes the report as pretty JSON.
pub fn render(report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
    let doc = Document {
        format: 1,
        counts: report.counts(),
        report,
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn json_report_carries_outcomes_failures_and_repro() {
        let mut out = Vec::new();
        render(&sample::report(), &mut out).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        insta::assert_json_snapshot!(value, {
            ".duration" => "[ms]",
            ".scenarios[].duration" => "[ms]",
        });
    }
}
