//! The simulator's fault catalog (`infomex_sim::FaultKindName`) is the one list of fault kinds;
//! everything that describes a kind to a person must follow it. A kind added to the catalog fails
//! here until it has a scenario under `scenarios/` that uses it, a row in each fault table of the
//! docs, and its entry in the committed scenario schema.

use std::collections::BTreeSet;
use std::path::Path;

use infomex_sim::FaultKindName;
use pnt_suite::scenario::{Action, At, Step, find_files, load_file};
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn catalog() -> BTreeSet<&'static str> {
    FaultKindName::ALL.iter().map(|k| k.name()).collect()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The rows of the first Markdown table after the line that starts with `header`, as cells.
fn table_after(doc: &str, header: &str) -> Vec<Vec<String>> {
    let mut lines = doc.lines().skip_while(|l| !l.starts_with(header));
    assert!(lines.next().is_some(), "no table `{header}`");
    lines
        .skip(1) // The `| --- |` line.
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect()
}

/// The backticked fault kinds a table cell names (`http_status`, `hang`, …).
fn kinds_in(cell: &str) -> Vec<&str> {
    cell.split('`').skip(1).step_by(2).collect()
}

fn assert_same(what: &str, found: &BTreeSet<&str>) {
    let catalog = catalog();
    let missing: Vec<_> = catalog.difference(found).collect();
    let unknown: Vec<_> = found.difference(&catalog).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "{what}: kinds of the catalog missing {missing:?}; kinds not in the catalog {unknown:?}"
    );
}

#[test]
fn every_kind_has_a_row_with_its_fields_in_the_simulator_docs() {
    let doc = read("docs/infomex-sim.md");
    let rows = table_after(&doc, "| kind | extra fields | what the client sees |");
    let mut found = BTreeSet::new();
    for row in &rows {
        let kinds = kinds_in(&row[0]);
        assert_eq!(kinds.len(), 1, "one kind per row: {row:?}");
        let Some(kind) = FaultKindName::ALL.iter().find(|k| k.name() == kinds[0]) else {
            found.insert(kinds[0]);
            continue;
        };
        assert!(found.insert(kind.name()), "two rows for `{}`", kind.name());
        let fields = kind.fields();
        if fields.is_empty() {
            assert_eq!(row[1], "—", "`{}` takes no field", kind.name());
        }
        for field in fields {
            assert!(
                row[1].contains(&format!("`{field}`")) || row[1].starts_with(field),
                "the row of `{}` does not name its field `{field}`: {row:?}",
                kind.name()
            );
        }
    }
    assert_same("docs/infomex-sim.md, the fault table", &found);
}

#[test]
fn every_kind_is_in_both_fault_tables_of_the_scenario_docs() {
    let doc = read("docs/scenarios.md");
    for header in ["| kind | extra field |", "| kind | `login` |"] {
        let rows = table_after(&doc, header);
        let mut found = BTreeSet::new();
        for row in &rows {
            found.extend(kinds_in(&row[0]));
        }
        assert_same(&format!("docs/scenarios.md, table `{header}`"), &found);
    }
    // The extra-field table says which kinds take a field: the catalog's required ones are
    // "(required)", and a kind without fields is on the "none" row.
    for row in table_after(&doc, "| kind | extra field |") {
        for name in kinds_in(&row[0]) {
            let Some(kind) = FaultKindName::ALL.iter().find(|k| k.name() == name) else {
                continue;
            };
            match (kind.fields(), kind.required_field()) {
                ([], _) => assert_eq!(row[1], "none", "`{name}` takes no field"),
                ([field], required) => {
                    assert!(row[1].starts_with(&format!("`{field}`")), "{row:?}");
                    assert_eq!(row[1].contains("(required)"), required.is_some(), "{row:?}");
                }
                (fields, _) => panic!("`{name}` takes {fields:?}: give the table a column"),
            }
        }
    }
}

#[test]
fn every_kind_has_its_entry_and_rules_in_the_committed_schema() {
    let schema: Value = serde_json::from_str(&read("docs/scenario.schema.json")).unwrap();
    fn consts<'a>(v: &'a Value, out: &mut BTreeSet<&'a str>) {
        match v {
            Value::Object(o) => {
                if let Some(Value::String(c)) = o.get("const") {
                    out.insert(c);
                }
                o.values().for_each(|v| consts(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| consts(v, out)),
            _ => {}
        }
    }
    let mut kinds = BTreeSet::new();
    consts(&schema["$defs"]["FaultKind"], &mut kinds);
    assert_same("docs/scenario.schema.json, $defs/FaultKind", &kinds);
    let mut rules = BTreeSet::new();
    for rule in schema["$defs"]["Fault"]["allOf"]
        .as_array()
        .into_iter()
        .flatten()
    {
        consts(&rule["if"], &mut rules);
    }
    assert_same(
        "docs/scenario.schema.json, the rules of $defs/Fault",
        &rules,
    );
}

#[test]
fn every_kind_is_used_by_a_shipped_scenario() {
    fn visit<'a>(steps: &'a [At<Step>], out: &mut BTreeSet<&'a str>) {
        for step in steps {
            match &step.action {
                Action::Faults(faults) => out.extend(faults.iter().map(|f| f.kind.name())),
                Action::Concurrent(inner) => visit(inner, out),
                _ => {}
            }
        }
    }
    let files = find_files(&[root().join("scenarios")]).unwrap();
    let instances: Vec<_> = files
        .iter()
        .flat_map(|f| load_file(f).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let mut used = BTreeSet::new();
    for instance in &instances {
        let s = &instance.scenario;
        used.extend(s.infomex.faults.iter().map(|f| f.kind.name()));
        visit(&s.steps, &mut used);
    }
    assert_same("the scenarios under scenarios/", &used);
}
