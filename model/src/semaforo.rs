//! The semáforo of Mi Historial: En tiempo / En alerta / Fuera de tiempo.
//!
//! PNT never published an official definition, so this one is ours (DESIGN.md, "Semáforo"):
//! - unanswered, more than `umbral_alerta` días hábiles left → En tiempo;
//! - unanswered, `umbral_alerta` or fewer left (the fecha límite itself included) → En alerta;
//! - unanswered past the fecha límite → Fuera de tiempo;
//! - answered → En tiempo when answered on or before the fecha límite, else Fuera de tiempo.
//!
//! A request without a running term (prevención pending, or not filed) is En tiempo: the body is
//! not late on it. The default threshold is 5 días hábiles, a quarter of the general 20-day term.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::Calendario;

/// The traffic light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Semaforo {
    EnTiempo,
    EnAlerta,
    FueraDeTiempo,
}

impl Semaforo {
    pub const ALL: [Semaforo; 3] = [
        Semaforo::EnTiempo,
        Semaforo::EnAlerta,
        Semaforo::FueraDeTiempo,
    ];

    /// The legend's label.
    pub const fn etiqueta(self) -> &'static str {
        match self {
            Semaforo::EnTiempo => "En tiempo",
            Semaforo::EnAlerta => "En alerta",
            Semaforo::FueraDeTiempo => "Fuera de tiempo",
        }
    }

    /// Stable identifier in APIs, filters and scenario files.
    pub const fn slug(self) -> &'static str {
        match self {
            Semaforo::EnTiempo => "en_tiempo",
            Semaforo::EnAlerta => "en_alerta",
            Semaforo::FueraDeTiempo => "fuera_de_tiempo",
        }
    }

    /// Parses the slug or the label.
    pub fn parse(s: &str) -> Option<Semaforo> {
        Semaforo::ALL
            .into_iter()
            .find(|x| x.slug() == s || x.etiqueta().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Semaforo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.etiqueta())
    }
}

/// How the semáforo is computed; configurable per deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReglaSemaforo {
    /// With this many días hábiles left or fewer, an unanswered request is En alerta.
    pub umbral_alerta: u32,
}

impl Default for ReglaSemaforo {
    fn default() -> Self {
        ReglaSemaforo { umbral_alerta: 5 }
    }
}

impl ReglaSemaforo {
    /// The semáforo on `hoy` of a request due on `fecha_limite`, answered on `respuesta`.
    pub fn evaluar(
        &self,
        cal: &Calendario,
        hoy: Date,
        fecha_limite: Option<Date>,
        respuesta: Option<Date>,
    ) -> Semaforo {
        let Some(limite) = fecha_limite else {
            return Semaforo::EnTiempo;
        };
        match respuesta {
            Some(answered) if answered <= limite => Semaforo::EnTiempo,
            Some(_) => Semaforo::FueraDeTiempo,
            None if hoy > limite => Semaforo::FueraDeTiempo,
            None if cal.dias_habiles_entre(hoy, limite) <= self.umbral_alerta => Semaforo::EnAlerta,
            None => Semaforo::EnTiempo,
        }
    }

    /// The semáforo cut-off on `hoy`: the `umbral_alerta + 1`-th día hábil after `hoy`.
    ///
    /// An unanswered request whose fecha límite is on or after `hoy` is En alerta exactly when
    /// its fecha límite is *before* this date, and En tiempo from it on. That turns the count of
    /// días hábiles left, which depends on the calendar, into one date comparison, so a server
    /// can select a semáforo on a stored fecha límite with an index (the reference server's SQL
    /// filter does).
    pub fn corte_alerta(&self, cal: &Calendario, hoy: Date) -> Date {
        cal.sumar_dias_habiles(hoy, self.umbral_alerta + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use rstest::rstest;

    const LIMITE: Date = date(2021, 9, 24);

    #[rstest]
    #[case::plenty_left(date(2021, 9, 1), None, Semaforo::EnTiempo)]
    // 16 Sept is a holiday: from 16 Sept, 17, 20, 21, 22, 23, 24 → 6 left.
    #[case::six_left(date(2021, 9, 16), None, Semaforo::EnTiempo)]
    #[case::five_left(date(2021, 9, 17), None, Semaforo::EnAlerta)]
    #[case::weekend_before_deadline(date(2021, 9, 19), None, Semaforo::EnAlerta)]
    #[case::deadline_day(LIMITE, None, Semaforo::EnAlerta)]
    #[case::day_after(date(2021, 9, 25), None, Semaforo::FueraDeTiempo)]
    #[case::answered_on_deadline(date(2022, 1, 1), Some(LIMITE), Semaforo::EnTiempo)]
    #[case::answered_early(date(2021, 9, 2), Some(date(2021, 9, 1)), Semaforo::EnTiempo)]
    #[case::answered_late(date(2021, 9, 30), Some(date(2021, 9, 27)), Semaforo::FueraDeTiempo)]
    fn transitions(#[case] hoy: Date, #[case] answered: Option<Date>, #[case] expected: Semaforo) {
        let regla = ReglaSemaforo::default();
        assert_eq!(
            regla.evaluar(&Calendario::lft(), hoy, Some(LIMITE), answered),
            expected
        );
    }

    #[test]
    fn threshold_is_configurable() {
        let regla = ReglaSemaforo { umbral_alerta: 0 };
        let cal = Calendario::lft();
        assert_eq!(
            regla.evaluar(&cal, date(2021, 9, 23), Some(LIMITE), None),
            Semaforo::EnTiempo
        );
        assert_eq!(
            regla.evaluar(&cal, LIMITE, Some(LIMITE), None),
            Semaforo::EnAlerta
        );
    }

    #[test]
    fn no_running_term_is_en_tiempo() {
        assert_eq!(
            ReglaSemaforo::default().evaluar(&Calendario::lft(), date(2030, 1, 1), None, None),
            Semaforo::EnTiempo
        );
    }

    #[test]
    fn labels_and_slugs_parse() {
        for s in Semaforo::ALL {
            assert_eq!(Semaforo::parse(s.slug()), Some(s));
            assert_eq!(Semaforo::parse(s.etiqueta()), Some(s));
        }
    }
}
