//! Goldens: the stored transcripts of the shipped scenario files, which give `snapshot:`
//! expectations their meaning in every mode.
//!
//! A golden is one insta snapshot per scenario file, `tests/snapshots/<PREFIX>@<path>.snap`
//! (`<path>` is the file's path under `scenarios/` with `/` written `__`), holding the file's
//! transcript: per scenario instance a `## name` section with its outcome, steps and the bodies
//! its `snapshot:` steps took (`--- name ---` then pretty JSON). `cargo test`
//! (tests/scenarios.rs) compares the whole transcript with insta against the embedded reference;
//! `pnt-suite run` compares each snapshot body it takes, on any target, with the golden's body
//! after [`contract_view`] has redacted what the contract leaves free; `run --update-snapshots`
//! writes the goldens ([`write`]), in the format insta reads.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::report::{Diff, Failure, ScenarioReport, SnapshotCheck, SnapshotResult, StepRef};

/// The name insta gives the goldens: tests/scenarios.rs's test function.
pub const PREFIX: &str = "scenarios__every_scenario_file_passes_and_matches_its_snapshot";

/// What `run` does with the `snapshot:` bodies a scenario takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Compare each with the golden (`run`, on any target).
    #[default]
    Compare,
    /// Compare nothing: the goldens are being rewritten (`run --update-snapshots`).
    Update,
    /// Compare nothing here: the caller compares the whole transcript (`cargo test`, with
    /// insta, against the same goldens).
    Skip,
}

/// A body a `snapshot:` step took, as the transcript shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Taken {
    pub step: StepRef,
    pub name: String,
    pub body: Value,
}

/// Compares the snapshots a scenario instance took with its file's golden: a difference is a
/// failure (`snapshot.NAME`, with the diff); a snapshot that could not be compared says why in
/// its [`SnapshotCheck`] (no golden, another seed, goldens being rewritten), never silently.
pub fn check(
    file: &Path,
    scenario: &str,
    mode: Mode,
    other_seed: bool,
    taken: &[Taken],
    failures: &mut Vec<Failure>,
) -> Vec<SnapshotCheck> {
    let golden = match mode {
        Mode::Compare if !other_seed => location(file).and_then(|(path, _)| read(&path)),
        _ => None,
    };
    let mut seen: Vec<&str> = Vec::new();
    taken
        .iter()
        .map(|t| {
            let occurrence = seen.iter().filter(|n| **n == t.name).count();
            seen.push(&t.name);
            let result = match (mode, other_seed, &golden) {
                (Mode::Skip, ..) => SnapshotResult::ComparedByCaller,
                (Mode::Update, ..) => SnapshotResult::Updating,
                (Mode::Compare, true, _) => SnapshotResult::OtherSeed,
                (Mode::Compare, false, None) => SnapshotResult::NoGolden,
                (Mode::Compare, false, Some(golden)) => {
                    match snapshot_in(golden, scenario, &t.name, occurrence) {
                        None => SnapshotResult::NoGolden,
                        Some(expected) => match compare(&expected, &t.body) {
                            None => SnapshotResult::Matched,
                            Some(diff) => {
                                failures.push(Failure {
                                    step: Some(t.step.clone()),
                                    check: format!("snapshot.{}", t.name),
                                    message: "lo que muestra el destino no coincide con el golden \
                                              (tests/snapshots/), fuera de lo que el contrato deja \
                                              libre (docs/scenarios.md, «Snapshots»)"
                                        .into(),
                                    diff: Some(diff),
                                });
                                SnapshotResult::Differs
                            }
                        },
                    }
                }
            };
            SnapshotCheck {
                step: t.step.clone(),
                name: t.name.clone(),
                result,
            }
        })
        .collect()
}

/// Where the golden of scenario `file` lives, and the file's path under its `scenarios/` folder:
/// the nearest folder named `scenarios` holding the file whose parent has `tests/snapshots/`.
/// `None` for a file outside such a tree (a scenario of one's own): it has no golden.
pub fn location(file: &Path) -> Option<(PathBuf, String)> {
    let file = file.canonicalize().ok()?;
    for root in file.ancestors().skip(1) {
        if root.file_name().is_none_or(|n| n != "scenarios") {
            continue;
        }
        let snapshots = root.parent()?.join("tests").join("snapshots");
        if !snapshots.is_dir() {
            continue;
        }
        let rel = file.strip_prefix(root).ok()?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let name = format!("{PREFIX}@{}.snap", parts.join("__"));
        return Some((
            snapshots.join(name),
            format!("scenarios/{}", parts.join("/")),
        ));
    }
    None
}

/// The golden's contents (without insta's header), or `None` when there is no golden.
pub fn read(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let body = text.strip_prefix("---\n")?;
    let end = body.find("\n---\n")?;
    Some(body[end + "\n---\n".len()..].trim_end().to_owned())
}

/// Writes a golden in insta's format, so `cargo test` reads what `run --update-snapshots`
/// wrote. Insta keeps contents without trailing blank lines.
pub fn write(path: &Path, input_file: &str, contents: &str) -> std::io::Result<()> {
    let text = format!(
        "---\nsource: tests/scenarios.rs\nexpression: transcript\ninput_file: {input_file}\n---\n{}\n",
        contents.trim_end()
    );
    std::fs::write(path, text)
}

/// One scenario instance's section of its file's golden, before [`redact_transcript`].
pub fn section(report: &ScenarioReport, transcript: &str) -> String {
    let mut text = format!("## {}\n", report.name);
    text.push_str(&format!("resultado: {:?}\n", report.outcome));
    if let Some(reason) = &report.reason {
        text.push_str(&format!("motivo: {reason}\n"));
    }
    for f in &report.failures {
        text.push_str(&format!("falla: {f:?}\n"));
    }
    text.push_str(transcript);
    text.push('\n');
    text
}

/// Replaces in a transcript what changes from run to run: RFC 3339 instants (session expiry,
/// `ultima_vinculacion`) and anything after a `token` key. The runner already redacts tokens in
/// the snapshots it takes; this keeps the golden stable if one slips through.
pub fn redact_transcript(transcript: &str) -> String {
    let mut out = String::with_capacity(transcript.len());
    for line in transcript.lines() {
        let mut line = redact_instants(line);
        if let Some(at) = line.find("\"token\": \"") {
            let start = at + "\"token\": \"".len();
            if let Some(len) = line[start..].find('"') {
                line.replace_range(start..start + len, "[token]");
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// `2021-09-20T18:00:00Z` and `2021-09-20T18:00:00.123+00:00` become `[instante]`.
fn redact_instants(line: &str) -> String {
    let b = line.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    let mut copied = 0;
    while i + 19 <= b.len() {
        let d = |k: usize| b[i + k].is_ascii_digit();
        let shape = (0..4).all(d)
            && b[i + 4] == b'-'
            && d(5)
            && d(6)
            && b[i + 7] == b'-'
            && d(8)
            && d(9)
            && b[i + 10] == b'T'
            && d(11)
            && d(12)
            && b[i + 13] == b':'
            && d(14)
            && d(15)
            && b[i + 16] == b':'
            && d(17)
            && d(18);
        if !shape {
            i += 1;
            continue;
        }
        let mut j = i + 19;
        if j < b.len() && b[j] == b'.' {
            j += 1;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
        }
        if j < b.len() && b[j] == b'Z' {
            j += 1;
        } else if j + 6 <= b.len() && (b[j] == b'+' || b[j] == b'-') && b[j + 3] == b':' {
            j += 6;
        }
        out.push_str(&line[copied..i]);
        out.push_str("[instante]");
        copied = j;
        i = j;
    }
    out.push_str(&line[copied..]);
    out
}

/// The body the golden holds for the `occurrence`-th (0-based) snapshot called `name` that
/// scenario `scenario` took; `None` when the golden has no such snapshot.
pub fn snapshot_in(golden: &str, scenario: &str, name: &str, occurrence: usize) -> Option<Value> {
    let header = format!("## {scenario}\n");
    let start = if golden.starts_with(&header) {
        0
    } else {
        golden.find(&format!("\n{header}"))? + 1
    };
    let rest = &golden[start + header.len()..];
    let section = &rest[..rest.find("\n## ").map_or(rest.len(), |end| end + 1)];
    let marker = format!("--- {name} ---\n");
    let mut seen = 0;
    let mut from = 0;
    while let Some(at) = section[from..].find(&marker) {
        let at = from + at;
        from = at + marker.len();
        if at != 0 && !section[..at].ends_with('\n') {
            continue;
        }
        if seen == occurrence {
            return serde_json::Deserializer::from_str(&section[from..])
                .into_iter::<Value>()
                .next()?
                .ok();
        }
        seen += 1;
    }
    None
}

/// A body as the contract fixes it, for comparing a target's snapshot with the golden. Redacted
/// (docs/scenarios.md, "Snapshots"), because the contract leaves them to each implementation:
/// `token` and `expira` (session secrets and their expiry), every `id` and `…_id` (identifiers an
/// implementation assigns), `mensaje` (wording: the `codigo` beside it is the contract), `motivo`
/// inside an object with a `codigo` (the wording of a `pendientes` entry), and every RFC 3339
/// instant. Dates (`AAAA-MM-DD`), folios, codes, states, counts and the row's fields are compared
/// exactly.
pub fn contract_view(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let coded = map.contains_key("codigo");
            Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let v = match k.as_str() {
                            "token" | "expira" => Value::String(format!("[{k}]")),
                            "id" => Value::String("[id]".into()),
                            k if k.ends_with("_id") => Value::String("[id]".into()),
                            "mensaje" => Value::String("[mensaje]".into()),
                            "motivo" if coded => Value::String("[motivo]".into()),
                            _ => contract_view(v),
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(contract_view).collect()),
        Value::String(s) => Value::String(redact_instants(s)),
        other => other.clone(),
    }
}

/// Compares a snapshot the target showed with the golden's, both through [`contract_view`];
/// fields the golden does not have are left out of the target's side (an implementation may
/// add fields to an answer; it may not drop or change the contract's). `None` when they agree.
pub fn compare(golden: &Value, actual: &Value) -> Option<Diff> {
    let expected = contract_view(golden);
    let actual = only_known(&expected, &contract_view(actual));
    if expected == actual {
        return None;
    }
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    Some(Diff::Text {
        expected: pretty(&expected),
        actual: pretty(&actual),
    })
}

/// `actual` without the object keys `expected` lacks, recursively (arrays item by item).
fn only_known(expected: &Value, actual: &Value) -> Value {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => Value::Object(
            a.iter()
                .filter(|(k, _)| e.contains_key(*k))
                .map(|(k, v)| (k.clone(), only_known(&e[k], v)))
                .collect::<Map<String, Value>>(),
        ),
        (Value::Array(e), Value::Array(a)) => Value::Array(
            a.iter()
                .enumerate()
                .map(|(n, v)| e.get(n).map_or_else(|| v.clone(), |e| only_known(e, v)))
                .collect(),
        ),
        (_, a) => a.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const GOLDEN: &str = "## Uno\nresultado: Passed\n1. registrar ana → 201\n--- alta ---\n{\n  \"a\": 1\n}\n2. historial → 200\n--- alta ---\n{\n  \"a\": 2\n}\n\n## Dos [x=1]\nresultado: Passed\n--- alta ---\n[\n  3\n]\n";

    #[test]
    fn snapshots_are_found_by_scenario_name_and_occurrence() {
        assert_eq!(snapshot_in(GOLDEN, "Uno", "alta", 0), Some(json!({"a": 1})));
        assert_eq!(snapshot_in(GOLDEN, "Uno", "alta", 1), Some(json!({"a": 2})));
        assert_eq!(snapshot_in(GOLDEN, "Uno", "alta", 2), None);
        assert_eq!(
            snapshot_in(GOLDEN, "Dos [x=1]", "alta", 0),
            Some(json!([3]))
        );
        assert_eq!(snapshot_in(GOLDEN, "Dos", "alta", 0), None);
        assert_eq!(snapshot_in(GOLDEN, "Uno", "baja", 0), None);
    }

    #[test]
    fn what_the_contract_leaves_free_is_redacted_and_the_rest_compared() {
        let golden = json!({"error": {"codigo": "x", "mensaje": "Uno."},
                            "pendientes": [{"codigo": "y", "folio": "F1", "motivo": "A."}],
                            "adjunto_id": 3, "id": 7, "expira": "2021-10-01T00:00:00Z",
                            "ultima": "[instante]", "fecha": "2021-09-24"});
        let same = json!({"error": {"codigo": "x", "mensaje": "Otro texto."},
                          "pendientes": [{"codigo": "y", "folio": "F1", "motivo": "B."}],
                          "adjunto_id": "a-9", "id": "z", "expira": "2030-01-01",
                          "ultima": "2021-09-20T18:00:00.5+00:00", "fecha": "2021-09-24",
                          "extension_propia": true});
        assert_eq!(compare(&golden, &same), None);
        let later = json!({"error": {"codigo": "x", "mensaje": "Uno."},
                           "pendientes": [{"codigo": "y", "folio": "F1", "motivo": "A."}],
                           "adjunto_id": 3, "id": 7, "expira": "x",
                           "ultima": "[instante]", "fecha": "2021-09-27"});
        let Some(Diff::Text { expected, actual }) = compare(&golden, &later) else {
            panic!("a different fecha must differ");
        };
        assert!(expected.contains("2021-09-24") && actual.contains("2021-09-27"));
        let recoded = json!({"error": {"codigo": "otro", "mensaje": "Uno."}});
        assert!(
            compare(
                &json!({"error": {"codigo": "x", "mensaje": "Uno."}}),
                &recoded
            )
            .is_some()
        );
        assert!(compare(&json!({"a": [1, 2]}), &json!({"a": [1]})).is_some());
    }

    #[test]
    fn a_written_golden_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.snap");
        write(&path, "scenarios/a.yaml", GOLDEN).unwrap();
        assert_eq!(read(&path).unwrap(), GOLDEN.trim_end());
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .starts_with("---\nsource: tests/scenarios.rs\nexpression: transcript\ninput_file: scenarios/a.yaml\n---\n## Uno\n")
        );
    }
}
