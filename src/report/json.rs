//! The report for programs (`--report json=PATH`): the [`RunReport`] as JSON, with counts. Its
//! JSON Schema ([`json_schema`]) is generated from these types and committed as
//! `docs/report.schema.json`.

use std::io::{self, Write};

use schemars::JsonSchema;
use serde::Serialize;

use super::{Counts, RequisitoResult, RunReport};

/// The version of the report's shape, bumped when it changes incompatibly (2: step positions
/// are numbers, `index` and `inner`, instead of the text `"5.2"`; 3: the outcome
/// `known_failure`, which `--expect-failures` gives a listed failure).
pub const FORMAT: u32 = 3;

/// The JSON report of a `pnt-suite run`.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "Informe JSON de pnt-suite run")]
struct Document<'a> {
    /// The version of this shape; bumped when it changes incompatibly.
    format: u32,
    /// Scenarios by outcome (those that finished).
    counts: Counts,
    /// Scenarios carried out to a verdict (`passed` + `failed`); the rest of `counts` were not
    /// exercised (not applicable, or could not run).
    exercised: usize,
    /// The results by requirement (docs/requisitos.md): each requirement some scenario of the
    /// run declares, in catalog order, with its worst outcome and its scenarios by outcome.
    requisitos: Vec<RequisitoResult>,
    #[serde(flatten)]
    report: &'a RunReport,
}

/// Writes the report as pretty JSON.
pub fn render(report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
    let doc = Document {
        format: FORMAT,
        counts: report.counts(),
        exercised: report.counts().exercised(),
        requisitos: report.requisitos(),
        report,
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}

/// The report's JSON Schema, pretty-printed, ending with a newline.
pub fn json_schema() -> String {
    let mut schema = schemars::schema_for!(Document<'static>);
    schema.insert(
        "$comment".to_owned(),
        "Generated from src/report by `UPDATE_SCHEMA=1 cargo test -p pnt-suite --test run_reports committed_report_schema`; do not edit by hand.".into(),
    );
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema is plain JSON");
    text.push('\n');
    text
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

    #[test]
    fn positions_and_counts_are_numbers() {
        let mut out = Vec::new();
        render(&sample::report(), &mut out).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let failure = &value["scenarios"][1]["failures"][2]["step"];
        assert_eq!(failure["index"], 5);
        assert_eq!(failure["inner"], 2);
        assert_eq!(value["scenarios"][1]["steps"][0]["status"], 201);
        assert!(value["duration"].is_u64());
        assert_eq!(value["interrupted"], false);
    }

    #[test]
    fn the_sample_report_and_an_interrupted_one_validate_against_the_schema() {
        let schema: serde_json::Value = serde_json::from_str(&json_schema()).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let mut report = sample::report();
        for _ in 0..2 {
            let mut out = Vec::new();
            render(&report, &mut out).unwrap();
            let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&value)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{errors:#?}");
            report.interrupted = true;
            report.unfinished = 3;
            report.seed = Some(7);
            report.scenarios.truncate(1);
        }
        // The schema says what a field is: a text where a number belongs is refused.
        let mut out = Vec::new();
        render(&sample::report(), &mut out).unwrap();
        let mut value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        value["scenarios"][1]["failures"][0]["step"]["index"] = "7".into();
        assert!(!validator.is_valid(&value));
        // A report with known failures and entries to act on validates too.
        let mut out = Vec::new();
        render(&sample::with_known_failures(), &mut out).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert!(validator.is_valid(&value));
    }

    /// `report merge` reads what `render` wrote: every field comes back, matrix values in
    /// file order, and a shard's part with its `shard`, which the schema describes.
    #[test]
    fn the_json_report_reads_back_as_the_report() {
        let mut report = sample::with_known_failures();
        report.shard = Some(crate::report::ShardInfo {
            k: 2,
            n: 4,
            selected: 9,
            selection: "ab".repeat(32),
        });
        let mut out = Vec::new();
        render(&report, &mut out).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("parte.json");
        std::fs::write(&path, &out).unwrap();
        let read = crate::report::merge::read(&path).unwrap();
        assert_eq!(read, report);
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["shard"]["k"], 2);
        let schema: serde_json::Value = serde_json::from_str(&json_schema()).unwrap();
        assert!(jsonschema::validator_for(&schema).unwrap().is_valid(&value));
    }

    #[test]
    fn results_are_grouped_by_requirement_and_known_failures_stand_apart() {
        let mut out = Vec::new();
        render(&sample::report(), &mut out).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let by_id = |v: &serde_json::Value, id: &str| {
            v["requisitos"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["id"] == id)
                .cloned()
                .unwrap_or_else(|| panic!("{id} missing: {v:#}"))
        };
        // R-HIST-01 is declared by a passed and a failed scenario: it failed.
        let hist = by_id(&value, "R-HIST-01");
        assert_eq!(hist["outcome"], "failed");
        assert_eq!(hist["passed"].as_array().unwrap().len(), 1);
        assert_eq!(
            hist["failed"][0],
            "La ventana de queja abre y cierra con el reloj"
        );
        assert_eq!(by_id(&value, "R-SEM-01")["outcome"], "not_applicable");
        assert_eq!(by_id(&value, "R-VINC-01")["outcome"], "passed");
        // Catalog order, and only requirements some scenario declares.
        let ids: Vec<&str> = value["requisitos"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["R-VINC-01", "R-HIST-01", "R-SEM-01", "R-QUEJA-02"]);

        let mut out = Vec::new();
        render(&sample::with_known_failures(), &mut out).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["counts"]["known_failure"], 1);
        assert_eq!(value["counts"]["failed"], 0);
        assert_eq!(value["scenarios"][1]["outcome"], "known_failure");
        assert_eq!(
            value["scenarios"][1]["known_failure"]["id"],
            "plazos/ventana-de-queja.yaml"
        );
        assert_eq!(by_id(&value, "R-QUEJA-02")["outcome"], "known_failure");
        assert_eq!(value["expectations"][0]["codigo"], "falla_conocida_vencida");
        assert_eq!(value["expectations"][1]["codigo"], "falla_conocida_ya_pasa");
    }
}
