//! A scenario's `calendarios` against a `--target`: the scenario's expectations hold only under
//! the días inhábiles it names, so the target must publish the same ones (docs/scenarios.md,
//! "Calendars").

use std::collections::BTreeMap;

use pnt_model::{Calendario, Date, Jurisdiccion, ReglasAplicadas};

use crate::report::{Diff, Failure};

/// The most dates listed in a difference.
const MAX_LISTED: usize = 20;

/// One failure per jurisdiction whose calendar in `scenario` does not make exactly the same
/// days inhábiles as the one the target publishes (or LFT alone, when it publishes none).
/// Descriptions, motivos and whether a day is written alone or in a range do not matter: only
/// the días hábiles the plazos are counted on.
pub(super) fn compare(
    scenario: &BTreeMap<Jurisdiccion, Calendario>,
    target: &ReglasAplicadas,
    publicadas: bool,
) -> Vec<Failure> {
    let mut out = Vec::new();
    for (j, esperado) in scenario {
        let publicado = target.calendario(*j);
        let (want, got) = (
            esperado.inhabiles_por_datos(),
            publicado.inhabiles_por_datos(),
        );
        if want == got {
            continue;
        }
        let listed = |days: &std::collections::BTreeSet<Date>| {
            let mut text: Vec<String> = days.iter().take(MAX_LISTED).map(Date::to_string).collect();
            if days.len() > MAX_LISTED {
                text.push(format!("… ({} en total)", days.len()));
            }
            if text.is_empty() {
                "(ninguno: LFT sin más)".to_owned()
            } else {
                text.join(", ")
            }
        };
        let origen = if publicadas {
            "publica"
        } else {
            "no publica `reglas` y se supone"
        };
        out.push(Failure {
            step: None,
            check: "calendario".to_owned(),
            message: format!(
                "el escenario espera para {} el calendario «{}», pero el destino {} «{}»: sus expectativas no se pueden cumplir; arranque el destino con esos días inhábiles (la PNT de referencia: `serve --calendar ARCHIVO`) [código: calendario_distinto]",
                j.slug(),
                esperado.descripcion(),
                origen,
                publicado.descripcion()
            ),
            diff: Some(Diff::Value {
                expected: listed(&want),
                actual: listed(&got),
            }),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SISAI: &str = include_str!("../../calendars/federacion-2021-suspension-sisai.toml");

    #[test]
    fn same_days_pass_whatever_their_wording_and_others_fail() {
        let sisai = Calendario::from_toml(SISAI).unwrap();
        let scenario = BTreeMap::from([(Jurisdiccion::Federacion, sisai.clone())]);
        let mut target = ReglasAplicadas::default();
        let failures = compare(&scenario, &target, false);
        assert_eq!(failures.len(), 1);
        assert!(failures[0].message.contains("calendario_distinto"));
        target.calendarios.insert(Jurisdiccion::Federacion, sisai);
        assert_eq!(compare(&scenario, &target, true), Vec::new());
        // The same days written one by one, with another description, are the same calendar.
        let days = "descripcion = \"otra redacción\"\ndias_inhabiles = [2021-09-13, 2021-09-14, \
            2021-09-15, 2021-09-16, 2021-09-17, 2021-09-20, 2021-09-21, 2021-09-22, 2021-09-23, \
            2021-09-24]\n";
        target.calendarios.insert(
            Jurisdiccion::Federacion,
            Calendario::from_toml(days).unwrap(),
        );
        assert_eq!(compare(&scenario, &target, true), Vec::new());
        let one_less = days.replace("2021-09-24", "2021-09-25");
        target.calendarios.insert(
            Jurisdiccion::Federacion,
            Calendario::from_toml(&one_less).unwrap(),
        );
        assert_eq!(compare(&scenario, &target, true).len(), 1);
    }
}
