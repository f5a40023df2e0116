//! What a target did differently from the reference on the same generated case: statuses,
//! error códigos, the bodies of reads (as the contract fixes them, [`golden::contract_view`])
//! and the checks the runner makes on its own (the oracle after every linkage, the contract's
//! rules on every response).

use std::collections::BTreeMap;

use serde_json::Value;

use super::case::{Key, Rendered};
use crate::golden;
use crate::report::{Outcome, ScenarioReport};
use crate::run::Ran;

/// One thing the target did differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The step, when the difference belongs to one.
    pub key: Option<Key>,
    /// The step's action (`historial`), or the check (`oráculo`).
    pub action: String,
    /// What differs, in Spanish: `estado HTTP`, `campo solicitudes[2].semaforo`, `falla oráculo`.
    pub what: String,
    pub reference: String,
    pub target: String,
    /// What the shrinker keeps: the kind of difference without row numbers, so that a smaller
    /// case showing the same defect in another row still counts.
    pub signature: String,
    /// For a field of a read: the selector and the reference's value, when a scenario
    /// expectation can hold it (a scalar the contract fixes).
    pub expectation: Option<(String, Value)>,
}

/// The differences between the reference's run and the target's; the first is the reference's.
pub fn differences(rendered: &Rendered, reference: &Ran, target: &Ran) -> Vec<Difference> {
    let mut out = Vec::new();
    let r = &reference.report;
    let t = &target.report;
    if t.outcome == Outcome::Error && r.outcome != Outcome::Error {
        out.push(Difference {
            key: None,
            action: "escenario".into(),
            what: "no se pudo ejecutar".into(),
            reference: format!("{:?}", r.outcome),
            target: t.reason.clone().unwrap_or_default(),
            signature: "error".into(),
            expectation: None,
        });
    }
    let steps = |s: &ScenarioReport| -> BTreeMap<Key, (String, Option<u16>, Option<String>)> {
        s.steps
            .iter()
            .map(|x| {
                (
                    (x.step.index, x.step.inner),
                    (x.step.action.clone(), x.status, x.error.clone()),
                )
            })
            .collect()
    };
    let (rs, ts) = (steps(r), steps(t));
    for (key, (action, status, codigo)) in &rs {
        let Some((_, t_status, t_codigo)) = ts.get(key) else {
            if t.outcome != Outcome::Error {
                out.push(step_difference(
                    *key,
                    action,
                    "paso",
                    "ejecutado",
                    "no ejecutado",
                ));
            }
            continue;
        };
        if status != t_status {
            out.push(step_difference(
                *key,
                action,
                "estado HTTP",
                &show(status),
                &show(t_status),
            ));
        } else if codigo != t_codigo {
            out.push(step_difference(
                *key,
                action,
                "código de error",
                &show(codigo),
                &show(t_codigo),
            ));
        }
    }
    let (r_section, t_section) = (
        golden::section(r, &reference.transcript),
        golden::section(t, &target.transcript),
    );
    for (key, name) in &rendered.snapshots {
        let (Some(a), Some(b)) = (
            golden::snapshot_in(&r_section, &r.name, name, 0),
            golden::snapshot_in(&t_section, &t.name, name, 0),
        ) else {
            continue;
        };
        let action = rs.get(key).map_or("", |s| s.0.as_str());
        let mut leaves = Vec::new();
        leaf_differences(
            "",
            &golden::contract_view(&a),
            Some(&golden::contract_view(&b)),
            &mut leaves,
        );
        for (path, expected, actual) in leaves {
            let expectation = (expected.is_string() && !redacted(&expected)
                || expected.is_number()
                || expected.is_boolean()
                || expected.is_null())
            .then(|| (path.clone(), expected.clone()));
            out.push(Difference {
                key: Some(*key),
                action: action.to_owned(),
                what: format!("campo {}", if path.is_empty() { "." } else { &path }),
                signature: format!("campo:{action}:{}", without_rows(&path)),
                reference: expected.to_string(),
                target: actual.map_or_else(|| "ausente".to_owned(), |v| v.to_string()),
                expectation,
            });
        }
    }
    let recorded =
        |f: &crate::report::Failure| (f.step.as_ref().map(|s| (s.index, s.inner)), f.check.clone());
    let in_reference: Vec<_> = r.failures.iter().map(recorded).collect();
    for f in &t.failures {
        if in_reference.contains(&recorded(f)) {
            continue;
        }
        out.push(Difference {
            key: f.step.as_ref().map(|s| (s.index, s.inner)),
            action: f
                .step
                .as_ref()
                .map_or_else(String::new, |s| s.action.clone()),
            what: format!("falla {}", f.check),
            reference: "sin falla".into(),
            target: f.message.clone(),
            signature: format!("falla:{}", without_rows(&f.check)),
            expectation: None,
        });
    }
    out
}

fn step_difference(
    key: Key,
    action: &str,
    what: &str,
    reference: &str,
    target: &str,
) -> Difference {
    Difference {
        key: Some(key),
        action: action.to_owned(),
        what: what.to_owned(),
        reference: reference.to_owned(),
        target: target.to_owned(),
        signature: format!("{what}:{action}"),
        expectation: None,
    }
}

fn show<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map_or_else(|| "—".to_owned(), T::to_string)
}

/// A value [`golden::contract_view`] put in place of what the contract leaves free.
fn redacted(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.starts_with('[') && s.ends_with(']') || s.contains("[instante]"))
}

/// `solicitudes[3].semaforo` → `solicitudes[*].semaforo`.
fn without_rows(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_brackets = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_brackets = true;
                out.push_str("[*");
            }
            ']' => {
                in_brackets = false;
                out.push(']');
            }
            _ if in_brackets => {}
            c => out.push(c),
        }
    }
    out
}

/// The leaves where `actual` differs from `expected`: keys only `actual` has are left out (a
/// target may add fields; it may not drop or change the contract's); a part `actual` lacks gives
/// each of `expected`'s leaves there, with `None`.
fn leaf_differences(
    path: &str,
    expected: &Value,
    actual: Option<&Value>,
    out: &mut Vec<(String, Value, Option<Value>)>,
) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match (expected, actual) {
        (Value::Object(e), Some(Value::Object(a))) => {
            for (k, v) in e {
                leaf_differences(&join(k), v, a.get(k), out);
            }
        }
        (Value::Object(e), None) => {
            for (k, v) in e {
                leaf_differences(&join(k), v, None, out);
            }
        }
        (Value::Array(e), Some(Value::Array(a))) => {
            for (i, v) in e.iter().enumerate() {
                leaf_differences(&format!("{path}[{i}]"), v, a.get(i), out);
            }
            for (i, v) in a.iter().enumerate().skip(e.len()) {
                out.push((format!("{path}[{i}]"), Value::Null, Some(v.clone())));
            }
        }
        (Value::Array(e), None) => {
            for (i, v) in e.iter().enumerate() {
                leaf_differences(&format!("{path}[{i}]"), v, None, out);
            }
        }
        (e, a) if a != Some(e) => out.push((path.to_owned(), e.clone(), a.cloned())),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn leaves_name_each_changed_missing_or_extra_row_field() {
        let expected = json!({"total": 3, "solicitudes": [{"folio": "A", "semaforo": "en_tiempo"},
            {"folio": "B", "semaforo": "en_alerta"}]});
        let actual = json!({"total": 3, "extra": 1, "solicitudes": [{"folio": "A",
            "semaforo": "fuera_de_tiempo"}]});
        let mut out = Vec::new();
        leaf_differences("", &expected, Some(&actual), &mut out);
        let paths: Vec<&str> = out.iter().map(|(p, _, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "solicitudes[0].semaforo",
                "solicitudes[1].folio",
                "solicitudes[1].semaforo"
            ]
        );
        assert_eq!(out[1].2, None);
        assert_eq!(
            without_rows("solicitudes[12].semaforo"),
            "solicitudes[*].semaforo"
        );
        let mut none = Vec::new();
        leaf_differences("", &expected, Some(&expected), &mut none);
        assert!(none.is_empty());
    }
}
