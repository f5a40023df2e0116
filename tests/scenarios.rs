//! Every scenario file in `scenarios/` runs against the embedded reference server, and its
//! normalized transcript (steps with statuses and error codes, the snapshots the scenario asks
//! for: history tables, linkage counts, errors) is kept with insta. Unstable values (tokens,
//! instants, durations) are redacted before the snapshot. These snapshots are the goldens
//! `pnt-suite run` compares `snapshot:` steps with on any target (`pnt_suite::golden`, which
//! also writes them for `run --update-snapshots`): the transcript is built and redacted there,
//! once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pnt_suite::golden;
use pnt_suite::report::Outcome;
use pnt_suite::run::{self, Embedded, Environment, Options};
use pnt_suite::scenario::{find_files, load_file};

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
    let env: Arc<dyn Environment> = Arc::new(Embedded::default());
    // Insta compares the whole transcript with the goldens here; the runner need not.
    let options = Options {
        jobs: 2,
        snapshots: golden::Mode::Skip,
        ..Options::default()
    };
    let (report, ran) = runtime.block_on(run::run(env, instances, &options, |_| {}));
    let mut by_file: HashMap<PathBuf, String> = HashMap::new();
    let mut failed = Vec::new();
    for (scenario, ran) in report.scenarios.iter().zip(&ran) {
        let section = golden::section(scenario, &ran.transcript);
        if scenario.outcome != Outcome::Passed {
            failed.push(format!(
                "{} ({})\n{section}",
                scenario.name,
                scenario.file.display()
            ));
        }
        by_file
            .entry(scenario.file.clone())
            .or_default()
            .push_str(&section);
    }
    assert!(
        failed.is_empty(),
        "escenarios que no pasaron:\n{}",
        failed.join("\n")
    );
    by_file
        .into_iter()
        .map(|(file, text)| (file, golden::redact_transcript(&text)))
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
