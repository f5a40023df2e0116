//! Checking one response against a step's expectations. Pure: a response in, failures out.

use serde_json::Value;

use super::vars::{UnsetVariable, Vars};
use crate::report::Diff;
use crate::scenario::{Expect, HeaderExpect, Selector};

/// A response as the checks see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    pub status: u16,
    /// The JSON body; for a download, `{sha256, x_sha256, tamano, media_type}`.
    pub body: Value,
    /// The body as text (the whole response for `excludes: {.: …}`).
    pub text: String,
    /// The response headers, names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
}

impl Observed {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A failed check, before it is tied to a step.
#[derive(Debug, Clone, PartialEq)]
pub struct Miss {
    pub check: String,
    pub message: String,
    pub diff: Option<Diff>,
}

/// The phrase PNT showed in 2021 instead of saying what went wrong. No answer may contain it.
pub const GENERIC_ERROR: &str = "consulte con el administrador";

/// Every expectation of `expect` that `observed` does not meet, in this order: status, error
/// code, `fields`, `every`, `counts`, `contains`/`excludes`, and the generic 2021 message. Each
/// is an independent check below.
pub fn verify(expect: &Expect, observed: &Observed, vars: &Vars) -> Vec<Miss> {
    let mut misses = Vec::new();
    misses.extend(check_status(expect, observed));
    misses.extend(check_error_code(expect, observed));
    for (selector, expected) in expect.fields.iter() {
        misses.extend(check_field(selector, expected, observed, vars));
    }
    for (selector, expected) in expect.every.iter() {
        misses.extend(check_every(selector, expected, observed, vars));
    }
    for (selector, expected) in expect.counts.iter() {
        misses.extend(check_count(selector, *expected, observed));
    }
    for (selector, fragment) in expect.contains.iter() {
        misses.extend(check_text(selector, fragment, true, observed, vars));
    }
    for (selector, fragment) in expect.excludes.iter() {
        misses.extend(check_text(selector, fragment, false, observed, vars));
    }
    for (name, expected) in expect.headers.iter() {
        misses.extend(check_header(name, expected, observed, vars));
    }
    misses.extend(check_no_generic_error(observed));
    misses.extend(check_retry_after(observed));
    misses
}

/// `headers`: one response header against what the step expects of it.
fn check_header(
    name: &str,
    expected: &HeaderExpect,
    observed: &Observed,
    vars: &Vars,
) -> Option<Miss> {
    let actual = observed.header(name);
    let shown = || actual.map_or("(ausente)".to_owned(), str::to_owned);
    let (ok, wanted) = match expected {
        HeaderExpect::Present(true) => (actual.is_some(), "(presente)".to_owned()),
        HeaderExpect::Present(false) => (actual.is_none(), "(ausente)".to_owned()),
        HeaderExpect::Equals(v) => {
            let v = match vars.resolve(v) {
                Ok(v) => v,
                Err(e) => {
                    return Some(Miss {
                        check: format!("encabezado {name}"),
                        message: e.to_string(),
                        diff: None,
                    });
                }
            };
            (actual == Some(v.as_str()), v)
        }
        HeaderExpect::Contains(fragment) => (
            actual.is_some_and(|a| a.to_lowercase().contains(&fragment.to_lowercase())),
            format!("(contiene «{fragment}»)"),
        ),
    };
    (!ok).then(|| Miss {
        check: format!("encabezado {name}"),
        message: format!("el encabezado `{name}` de la respuesta no es el esperado"),
        diff: Some(Diff::Value {
            expected: wanted,
            actual: shown(),
        }),
    })
}

/// The contract (docs/pnt-api.md, "Error codes"): every `429` says in `Retry-After` when to try
/// again — seconds or an HTTP date —, whatever the step expects.
fn check_retry_after(observed: &Observed) -> Option<Miss> {
    if observed.status != 429 {
        return None;
    }
    let value = observed.header("retry-after");
    let valid = value.is_some_and(|v| {
        let v = v.trim();
        v.parse::<u64>().is_ok() || (v.len() > 20 && v.ends_with("GMT"))
    });
    (!valid).then(|| Miss {
        check: "Retry-After".into(),
        message: "una respuesta 429 debe decir en `Retry-After` cuándo reintentar (segundos o una fecha HTTP); sin eso la persona no sabe cuánto esperar".into(),
        diff: Some(Diff::Value {
            expected: "Retry-After: <segundos>".into(),
            actual: value.map_or("(ausente)".to_owned(), |v| format!("Retry-After: {v}")),
        }),
    })
}

/// The error `codigo` of a response, if it has one.
fn codigo(observed: &Observed) -> Option<&str> {
    observed
        .body
        .pointer("/error/codigo")
        .and_then(Value::as_str)
}

/// `status`, or without it: a 4xx/5xx when `error` is expected, else a 2xx.
fn check_status(expect: &Expect, observed: &Observed) -> Option<Miss> {
    let status = observed.status;
    let codigo = codigo(observed);
    let status_ok = if !expect.status.is_empty() {
        expect.status.contains(&status)
    } else if expect.error.is_some() {
        status >= 400
    } else {
        (200..300).contains(&status)
    };
    if status_ok {
        return None;
    }
    let expected = if !expect.status.is_empty() {
        expect
            .status
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(" o ")
    } else if expect.error.is_some() {
        "un error (4xx o 5xx)".to_owned()
    } else {
        "éxito (2xx)".to_owned()
    };
    let actual = match codigo {
        Some(c) => format!("{status} {c}"),
        None => status.to_string(),
    };
    Some(Miss {
        check: "status".into(),
        message: match codigo {
            Some(c) if expect.status.is_empty() && expect.error.is_none() => format!(
                "se esperaba éxito y el destino respondió el error `{c}`: {}",
                observed
                    .body
                    .pointer("/error/mensaje")
                    .and_then(Value::as_str)
                    .unwrap_or("")
            ),
            _ => "el estado HTTP no es el esperado".into(),
        },
        diff: Some(Diff::Value { expected, actual }),
    })
}

/// `error`: the response's `codigo` is the expected one.
fn check_error_code(expect: &Expect, observed: &Observed) -> Option<Miss> {
    let expected = expect.error.as_ref()?;
    let codigo = codigo(observed);
    if codigo == Some(expected.0.as_str()) {
        return None;
    }
    Some(Miss {
        check: "error".into(),
        message: "el código de error no es el esperado".into(),
        diff: Some(Diff::Value {
            expected: expected.0.clone(),
            actual: codigo.map_or_else(|| "(ninguno)".to_owned(), str::to_owned),
        }),
    })
}

/// A miss for an expected value that names a variable no step captured yet.
fn unset(check: String, e: &UnsetVariable) -> Miss {
    Miss {
        check,
        message: e.to_string(),
        diff: None,
    }
}

/// `fields.SELECTOR`: the value there equals the expected one.
fn check_field(
    selector: &Selector,
    expected: &Value,
    observed: &Observed,
    vars: &Vars,
) -> Option<Miss> {
    let check = format!("fields.{selector}");
    let expected = match vars.resolve_value(expected) {
        Ok(v) => v,
        Err(e) => return Some(unset(check, &e)),
    };
    match selector.select(&observed.body) {
        None => Some(absent(check, selector.as_str(), &expected)),
        Some(actual) if same(&expected, &actual) => None,
        Some(actual) => Some(Miss {
            check,
            message: format!("el valor en `{selector}` no es el esperado"),
            diff: Some(value_diff(&expected, &actual)),
        }),
    }
}

/// `every.SELECTOR`: every item of the list there equals the expected value.
fn check_every(
    selector: &Selector,
    expected: &Value,
    observed: &Observed,
    vars: &Vars,
) -> Option<Miss> {
    let check = format!("every.{selector}");
    let expected = match vars.resolve_value(expected) {
        Ok(v) => v,
        Err(e) => return Some(unset(check, &e)),
    };
    match selector.select(&observed.body) {
        Some(Value::Array(items)) => {
            let (i, bad) = items
                .iter()
                .enumerate()
                .find(|(_, v)| !same(&expected, v))?;
            Some(Miss {
                check,
                message: format!("el elemento {i} de `{selector}` no es el esperado"),
                diff: Some(value_diff(&expected, bad)),
            })
        }
        Some(other) => Some(Miss {
            check,
            message: format!("`{selector}` no es una lista (use `[*]`)"),
            diff: Some(value_diff(&expected, &other)),
        }),
        None => Some(absent(check, selector.as_str(), &expected)),
    }
}

/// `counts.SELECTOR`: the list there has the expected number of items.
fn check_count(selector: &Selector, expected: usize, observed: &Observed) -> Option<Miss> {
    let check = format!("counts.{selector}");
    match selector.select(&observed.body) {
        Some(Value::Array(items)) if items.len() == expected => None,
        Some(Value::Array(items)) => Some(Miss {
            check,
            message: format!("`{selector}` no tiene los elementos esperados"),
            diff: Some(Diff::Value {
                expected: expected.to_string(),
                actual: items.len().to_string(),
            }),
        }),
        Some(other) => Some(Miss {
            check,
            message: format!("`{selector}` no es una lista"),
            diff: Some(value_diff(&Value::from(expected), &other)),
        }),
        None => Some(absent(check, selector.as_str(), &Value::from(expected))),
    }
}

/// `contains.SELECTOR` (`must_contain`) or `excludes.SELECTOR`: the text there contains the
/// fragment, or does not, ignoring case; `.` is the whole response. An absent value contains
/// nothing, so it fails `contains` and passes `excludes`.
fn check_text(
    selector: &Selector,
    fragment: &str,
    must_contain: bool,
    observed: &Observed,
    vars: &Vars,
) -> Option<Miss> {
    let kind = if must_contain { "contains" } else { "excludes" };
    let check = format!("{kind}.{selector}");
    let fragment = match vars.resolve(fragment) {
        Ok(f) => f,
        Err(e) => return Some(unset(check, &e)),
    };
    let text = if selector.as_str() == "." {
        Some(observed.text.clone())
    } else {
        selector.select(&observed.body).map(|v| as_text(&v))
    };
    match text {
        None if must_contain => Some(absent(check, selector.as_str(), &Value::String(fragment))),
        None => None,
        Some(t) if t.to_lowercase().contains(&fragment.to_lowercase()) != must_contain => {
            Some(Miss {
                check,
                message: if must_contain {
                    format!("`{selector}` no contiene «{fragment}»")
                } else {
                    format!("`{selector}` contiene «{fragment}», que no debe aparecer")
                },
                diff: Some(Diff::Value {
                    expected: format!(
                        "{} «{fragment}»",
                        if must_contain {
                            "contiene"
                        } else {
                            "no contiene"
                        }
                    ),
                    actual: t,
                }),
            })
        }
        Some(_) => None,
    }
}

/// No answer may say «consulte con el administrador», whatever the step expects.
fn check_no_generic_error(observed: &Observed) -> Option<Miss> {
    observed
        .text
        .to_lowercase()
        .contains(GENERIC_ERROR)
        .then(|| Miss {
            check: "mensaje genérico".into(),
            message: format!(
                "la respuesta dice «{GENERIC_ERROR}»: cada error debe decir qué pasó y qué hacer (DESIGN.md, \"Errors are specific\")"
            ),
            diff: None,
        })
}

fn absent(check: String, selector: &str, expected: &Value) -> Miss {
    Miss {
        check,
        message: format!("la respuesta no tiene `{selector}`"),
        diff: Some(Diff::Value {
            expected: compact(expected),
            actual: "(ausente)".into(),
        }),
    }
}

/// Equal JSON, except that a quoted number or boolean in the file matches the unquoted one.
pub(super) fn same(expected: &Value, actual: &Value) -> bool {
    expected == actual
        || match (expected, actual) {
            (Value::String(e), Value::Number(_) | Value::Bool(_)) => {
                e.as_str() == actual.to_string().as_str()
            }
            _ => false,
        }
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn compact(v: &Value) -> String {
    v.to_string()
}

/// Short values side by side; long or multi-line ones as a text diff.
pub(super) fn value_diff(expected: &Value, actual: &Value) -> Diff {
    let long = |v: &Value| match v {
        Value::String(s) => s.contains('\n'),
        Value::Array(_) | Value::Object(_) => v.to_string().len() > 80,
        _ => false,
    };
    if long(expected) || long(actual) {
        let pretty = |v: &Value| match v {
            Value::String(s) => format!("{s}\n"),
            other => format!(
                "{}\n",
                serde_json::to_string_pretty(other).unwrap_or_default()
            ),
        };
        Diff::Text {
            expected: pretty(expected),
            actual: pretty(actual),
        }
    } else {
        Diff::Value {
            expected: compact(expected),
            actual: compact(actual),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn expect(yaml: &str) -> Expect {
        serde_saphyr::from_str(yaml).unwrap()
    }

    fn observed(status: u16, body: Value) -> Observed {
        Observed {
            status,
            text: body.to_string(),
            body,
            headers: Vec::new(),
        }
    }

    fn checks(expect_yaml: &str, o: &Observed) -> Vec<String> {
        verify(&expect(expect_yaml), o, &Vars::default())
            .into_iter()
            .map(|m| format!("{}: {}", m.check, m.message))
            .collect()
    }

    fn linkage() -> Observed {
        observed(
            200,
            json!({"estado": "completa", "solicitudes": 12, "pendientes": [],
                   "historial": [{"tipo": "acceso"}, {"tipo": "acceso"}],
                   "mensaje": "Las solicitudes de Infomex Jalisco se migraron a la PNT."}),
        )
    }

    #[test]
    fn met_expectations_give_no_misses() {
        assert!(checks(
            "status: 200\nfields: {estado: completa, solicitudes: 12}\nevery: {'historial[*].tipo': acceso}\n\
             counts: {pendientes: 0}\ncontains: {mensaje: jalisco}\nexcludes: {.: consulte}\n",
            &linkage()
        )
        .is_empty());
        assert!(checks("fields: {solicitudes: '12'}\n", &linkage()).is_empty());
    }

    #[test]
    fn unmet_expectations_say_which_and_why() {
        assert_eq!(
            checks(
                "status: [201, 409]\nfields: {estado: incompleta, nada: 1}\ncounts: {pendientes: 2, estado: 1}\n\
                 every: {'historial[*].tipo': datos-personales}\ncontains: {mensaje: nayarit, nada: x}\n\
                 excludes: {mensaje: migraron, nada: x}\n",
                &linkage()
            ),
            [
                "status: el estado HTTP no es el esperado",
                "fields.estado: el valor en `estado` no es el esperado",
                "fields.nada: la respuesta no tiene `nada`",
                "every.historial[*].tipo: el elemento 0 de `historial[*].tipo` no es el esperado",
                "counts.pendientes: `pendientes` no tiene los elementos esperados",
                "counts.estado: `estado` no es una lista",
                "contains.mensaje: `mensaje` no contiene «nayarit»",
                "contains.nada: la respuesta no tiene `nada`",
                "excludes.mensaje: `mensaje` contiene «migraron», que no debe aparecer",
            ]
        );
    }

    #[test]
    fn errors_are_expected_by_code_and_success_by_default() {
        let refused = observed(
            422,
            json!({"error": {"codigo": "infomex_credenciales_invalidas", "mensaje": "Verifique su contraseña."}}),
        );
        assert!(checks("error: infomex_credenciales_invalidas\n", &refused).is_empty());
        assert_eq!(
            checks("error: infomex_cuenta_bloqueada\n", &refused),
            ["error: el código de error no es el esperado"]
        );
        assert_eq!(
            checks("{}\n", &refused),
            [
                "status: se esperaba éxito y el destino respondió el error `infomex_credenciales_invalidas`: Verifique su contraseña."
            ]
        );
    }

    #[test]
    fn the_generic_2021_message_always_fails() {
        let generic = observed(
            500,
            json!({"error": {"codigo": "x", "mensaje": "Consulte con el administrador del sistema"}}),
        );
        assert_eq!(
            checks("status: 500\n", &generic),
            [
                "mensaje genérico: la respuesta dice «consulte con el administrador»: cada error debe decir qué pasó y qué hacer (DESIGN.md, \"Errors are specific\")"
            ]
        );
    }

    fn with_headers(status: u16, headers: &[(&str, &str)]) -> Observed {
        Observed {
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), (*v).to_owned()))
                .collect(),
            ..observed(status, json!({}))
        }
    }

    #[test]
    fn headers_are_matched_by_name_in_any_case() {
        let o = with_headers(
            200,
            &[
                ("X-Sha256", "abc"),
                ("Content-Disposition", "attachment; filename=\"a.pdf\""),
            ],
        );
        let expect = |yaml: &str| -> Expect { serde_saphyr::from_str(yaml).unwrap() };
        let vars = Vars::default();
        let passes = expect(
            "headers: {x-sha256: abc, CONTENT-DISPOSITION: {contains: ATTACHMENT}, Retry-After: false, X-Sha256: true}",
        );
        assert_eq!(verify(&passes, &o, &vars), vec![]);
        for (yaml, check) in [
            ("headers: {X-Sha256: abd}", "encabezado X-Sha256"),
            ("headers: {X-Sha256: false}", "encabezado X-Sha256"),
            ("headers: {Retry-After: true}", "encabezado Retry-After"),
            (
                "headers: {Content-Disposition: {contains: inline}}",
                "encabezado Content-Disposition",
            ),
        ] {
            let misses = verify(&expect(yaml), &o, &vars);
            assert_eq!(misses.len(), 1, "{yaml}");
            assert_eq!(misses[0].check, check, "{yaml}");
        }
    }

    #[test]
    fn every_429_must_say_when_to_retry() {
        let expect = Expect {
            status: vec![429],
            ..Expect::default()
        };
        let vars = Vars::default();
        assert_eq!(
            verify(
                &expect,
                &with_headers(429, &[("Retry-After", "900")]),
                &vars
            ),
            vec![]
        );
        assert_eq!(
            verify(
                &expect,
                &with_headers(429, &[("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")]),
                &vars
            ),
            vec![]
        );
        for headers in [&[][..], &[("Retry-After", "pronto")][..]] {
            let misses = verify(&expect, &with_headers(429, headers), &vars);
            assert_eq!(misses.len(), 1);
            assert_eq!(misses[0].check, "Retry-After");
        }
    }
}
