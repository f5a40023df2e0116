//! Every scenario file in `scenarios/` runs against the embedded reference server, and its
//! normalized transcript (steps with statuses and error codes, the snapshots the scenario asks
//! for: history tables, linkage counts, errors) is kept with insta. Unstable values (tokens,
//! instants, durations) are redacted before the snapshot.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pnt_suite::report::Outcome;
use pnt_suite::run::{self, Embedded, Environment, Options};
use pnt_suite::scenario::{find_files, load_file};

/// Replaces values that change from run to run: RFC 3339 instants (session expiry,
/// `ultima_vinculacion`) and anything after a `token` key. The runner already redacts tokens
/// in the snapshots it writes; this keeps the snapshot stable if one slips through.
fn redact(transcript: &str) -> String {
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

/// Runs every scenario of every file at once (two at a time, as `pnt-suite run` does on this
/// machine) and returns each file's transcript: the scenarios' outcomes, failures and steps.
fn run_all(files: &[PathBuf]) -> HashMap<PathBuf, String> {
    let mut instances = Vec::new();
    for path in files {
        instances.extend(load_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let env: Arc<dyn Environment> = Arc::new(Embedded);
    let options = Options {
        jobs: 2,
        ..Options::default()
    };
    let (report, ran) = runtime.block_on(run::run(env, instances, &options, |_| {}));
    let mut by_file: HashMap<PathBuf, String> = HashMap::new();
    let mut failed = Vec::new();
    for (scenario, ran) in report.scenarios.iter().zip(&ran) {
        let text = by_file.entry(scenario.file.clone()).or_default();
        text.push_str(&format!("## {}\n", scenario.name));
        text.push_str(&format!("resultado: {:?}\n", scenario.outcome));
        if let Some(reason) = &scenario.reason {
            text.push_str(&format!("motivo: {reason}\n"));
        }
        for f in &scenario.failures {
            text.push_str(&format!("falla: {f:?}\n"));
        }
        text.push_str(&ran.transcript);
        text.push('\n');
        if scenario.outcome != Outcome::Passed {
            failed.push(format!(
                "{} ({})\n{text}",
                scenario.name,
                scenario.file.display()
            ));
        }
    }
    assert!(
        failed.is_empty(),
        "escenarios que no pasaron:\n{}",
        failed.join("\n")
    );
    by_file
        .into_iter()
        .map(|(file, text)| (file, redact(&text)))
        .collect()
}

#[test]
fn every_scenario_file_passes_and_matches_its_snapshot() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let files = find_files(std::slice::from_ref(&root)).expect("scenarios/ se puede leer");
    assert!(
        files.len() >= 40,
        "se esperaban al menos 40 archivos de escenario y hay {}",
        files.len()
    );
    let transcripts = run_all(&files);
    let mut seen = 0;
    insta::glob!("../scenarios", "**/*.yaml", |path| {
        seen += 1;
        let transcript = transcripts
            .iter()
            .find(|(file, _)| same_file(file, path))
            .map(|(_, text)| text.clone())
            .unwrap_or_else(|| panic!("{} no se corrió", path.display()));
        insta::assert_snapshot!(transcript);
    });
    assert_eq!(
        seen,
        files.len(),
        "el glob y find_files no ven los mismos archivos"
    );
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
