//! Plazos: official receipt, fecha límite, ampliación, prevención and the queja window.
//!
//! All terms are días hábiles of the jurisdiction's [`Calendario`], counted from the day *after*
//! the triggering day (DESIGN.md, "Domain facts"):
//! - answer: 20 días hábiles after official receipt, for access (LGTAIP art. 132) and personal-data
//!   (LGPDPPSO) requests alike; Nayarit sets 15. One ampliación adds 10.
//! - prevención: the body may issue it within 5 días hábiles of receipt; it *interrupts* the term;
//!   the requester has 10 días hábiles to answer, else the request counts as not filed; once
//!   answered, the full term is counted anew from the day after the answer (LGTAIP art. 128).
//! - queja (recurso de revisión): within 15 días hábiles of the answer, or of the deadline passing
//!   unanswered (LGTAIP art. 142).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::{Calendario, Jurisdiccion, TipoSolicitud};

/// The legal terms, in días hábiles, that apply to one jurisdiction and request type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Terminos {
    /// Days to answer.
    pub respuesta: u32,
    /// Days one ampliación adds.
    pub ampliacion: u32,
    /// Days after receipt within which a prevención may be issued.
    pub prevencion: u32,
    /// Days the requester has to answer a prevención.
    pub desahogo: u32,
    /// Days within which a queja may be filed.
    pub queja: u32,
}

impl Terminos {
    /// The general terms: 20 + 10, prevención 5 / 10, queja 15.
    pub const GENERALES: Terminos = Terminos {
        respuesta: 20,
        ampliacion: 10,
        prevencion: 5,
        desahogo: 10,
        queja: 15,
    };

    /// The terms of `j` for requests of type `tipo`. Nayarit's state law sets 15 + 10 for both
    /// types; every other jurisdiction uses the general terms. Callers that know better (a
    /// server's configuration, a scenario) construct [`Terminos`] themselves.
    pub fn de(j: Jurisdiccion, _tipo: TipoSolicitud) -> Terminos {
        match j {
            Jurisdiccion::Nayarit => Terminos {
                respuesta: 15,
                ..Terminos::GENERALES
            },
            _ => Terminos::GENERALES,
        }
    }
}

/// A prevención (requerimiento de información adicional) and, once it came, the answer to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Prevencion {
    /// When the body notified it.
    pub notificada: Date,
    /// When the requester answered it, if they did.
    #[serde(default)]
    pub desahogada: Option<Date>,
}

/// The state of the term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "estado", rename_all = "snake_case")]
pub enum Computo {
    /// The term runs: counted from the day after `desde`, it ends on `fecha_limite`.
    Corre { desde: Date, fecha_limite: Date },
    /// A prevención interrupted the term; the requester must answer by `limite_desahogo`.
    Interrumpido {
        notificada: Date,
        limite_desahogo: Date,
    },
    /// The prevención was answered late (after `limite_desahogo`): the request counts as not filed.
    NoPresentada { limite_desahogo: Date },
}

/// A request's plazo, computed by [`Plazo::calcular`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Plazo {
    /// The day the request counts as received: the filing day, or the next día hábil.
    pub recepcion_oficial: Date,
    /// The last day on which the body may issue a prevención.
    pub limite_prevencion: Date,
    /// Whether a prevención was notified after `limite_prevencion`; such a prevención does not
    /// interrupt the term, and the term runs from receipt as if it had not been issued.
    pub prevencion_extemporanea: bool,
    pub computo: Computo,
}

/// Dates that cannot describe a real procedure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlazoError {
    #[error(
        "la prevención ({notificada}) no puede notificarse antes de la recepción oficial ({recepcion})"
    )]
    PrevencionAntesDeRecepcion { notificada: Date, recepcion: Date },
    #[error("el desahogo ({desahogada}) no puede ser anterior a la prevención ({notificada})")]
    DesahogoAntesDePrevencion { desahogada: Date, notificada: Date },
}

impl PlazoError {
    /// Stable machine code of this failure.
    pub const CODE: &'static str = "plazo_incongruente";
}

/// The official receipt date of a request filed on `presentada`.
pub fn recepcion_oficial(cal: &Calendario, presentada: Date) -> Date {
    cal.habil_desde(presentada)
}

/// The fecha límite of a request officially received on `recepcion`: `dias` días hábiles counted
/// from the next day.
pub fn fecha_limite(cal: &Calendario, recepcion: Date, dias: u32) -> Date {
    cal.sumar_dias_habiles(recepcion, dias)
}

impl Plazo {
    /// Computes the plazo of a request filed on `presentada`.
    pub fn calcular(
        cal: &Calendario,
        terminos: &Terminos,
        presentada: Date,
        ampliacion: bool,
        prevencion: Option<Prevencion>,
    ) -> Result<Plazo, PlazoError> {
        let recepcion = recepcion_oficial(cal, presentada);
        let limite_prevencion = cal.sumar_dias_habiles(recepcion, terminos.prevencion);
        let dias = terminos.respuesta + if ampliacion { terminos.ampliacion } else { 0 };
        let corre_desde = |desde: Date| Computo::Corre {
            desde,
            fecha_limite: fecha_limite(cal, desde, dias),
        };
        let mut prevencion_extemporanea = false;
        let computo = match prevencion {
            None => corre_desde(recepcion),
            Some(p) => {
                if p.notificada < recepcion {
                    return Err(PlazoError::PrevencionAntesDeRecepcion {
                        notificada: p.notificada,
                        recepcion,
                    });
                }
                if let Some(d) = p.desahogada
                    && d < p.notificada
                {
                    return Err(PlazoError::DesahogoAntesDePrevencion {
                        desahogada: d,
                        notificada: p.notificada,
                    });
                }
                // A prevención is notified on a día hábil; one notified on a non-working day
                // counts from the next one, like any notification.
                let notificada = cal.habil_desde(p.notificada);
                let limite_desahogo = cal.sumar_dias_habiles(notificada, terminos.desahogo);
                if notificada > limite_prevencion {
                    prevencion_extemporanea = true;
                    corre_desde(recepcion)
                } else {
                    match p.desahogada {
                        None => Computo::Interrumpido {
                            notificada,
                            limite_desahogo,
                        },
                        Some(d) if cal.habil_desde(d) > limite_desahogo => {
                            Computo::NoPresentada { limite_desahogo }
                        }
                        // Counted anew from zero, from the day after the answer (art. 128).
                        Some(d) => corre_desde(cal.habil_desde(d)),
                    }
                }
            }
        };
        Ok(Plazo {
            recepcion_oficial: recepcion,
            limite_prevencion,
            prevencion_extemporanea,
            computo,
        })
    }

    /// The fecha límite de entrega, when the term runs.
    pub fn fecha_limite(&self) -> Option<Date> {
        match self.computo {
            Computo::Corre { fecha_limite, .. } => Some(fecha_limite),
            _ => None,
        }
    }
}

/// Why a queja may be filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MotivoVentana {
    /// Against the answer given.
    Respuesta,
    /// Against the lack of an answer by the fecha límite.
    FaltaDeRespuesta,
}

/// The days on which a queja may be filed, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VentanaQueja {
    pub desde: Date,
    pub hasta: Date,
    pub motivo: MotivoVentana,
}

impl VentanaQueja {
    /// Whether a queja may be filed on `hoy`.
    pub fn abierta(&self, hoy: Date) -> bool {
        self.desde <= hoy && hoy <= self.hasta
    }
}

/// The queja window: from the answer day to 15 días hábiles after it; or, unanswered, from the day
/// after the fecha límite to 15 días hábiles after it. `None` while there is no fecha límite
/// (prevención pending, or the request counts as not filed).
pub fn ventana_queja(
    cal: &Calendario,
    terminos: &Terminos,
    fecha_limite: Option<Date>,
    respuesta_final: Option<Date>,
) -> Option<VentanaQueja> {
    match (respuesta_final, fecha_limite) {
        (Some(answered), _) => Some(VentanaQueja {
            desde: answered,
            hasta: cal.sumar_dias_habiles(cal.habil_desde(answered), terminos.queja),
            motivo: MotivoVentana::Respuesta,
        }),
        (None, Some(limite)) => Some(VentanaQueja {
            desde: limite.tomorrow().expect("date within range"),
            hasta: cal.sumar_dias_habiles(limite, terminos.queja),
            motivo: MotivoVentana::FaltaDeRespuesta,
        }),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use rstest::rstest;

    fn lft() -> Calendario {
        Calendario::lft()
    }

    #[test]
    fn seed_row_federal_received_26_08_2021_is_due_24_09_2021() {
        let plazo = Plazo::calcular(
            &lft(),
            &Terminos::de(Jurisdiccion::Federacion, TipoSolicitud::AccesoInformacion),
            date(2021, 8, 26),
            false,
            None,
        )
        .unwrap();
        assert_eq!(plazo.recepcion_oficial, date(2021, 8, 26));
        assert_eq!(plazo.fecha_limite(), Some(date(2021, 9, 24)));
    }

    #[rstest]
    #[case::saturday(date(2021, 8, 28), date(2021, 8, 30))]
    #[case::sunday(date(2021, 8, 29), date(2021, 8, 30))]
    #[case::weekday(date(2021, 8, 30), date(2021, 8, 30))]
    #[case::independence_day(date(2021, 9, 16), date(2021, 9, 17))]
    #[case::christmas_friday(date(2020, 12, 25), date(2020, 12, 28))]
    #[case::new_year_then_weekend(date(2021, 1, 1), date(2021, 1, 4))]
    #[case::constitution_monday(date(2021, 2, 1), date(2021, 2, 2))]
    #[case::saturday_before_constitution(date(2021, 1, 30), date(2021, 2, 2))]
    #[case::revolution_monday_2019(date(2019, 11, 18), date(2019, 11, 19))]
    #[case::transmission_2018(date(2018, 12, 1), date(2018, 12, 3))]
    #[case::transmission_2024(date(2024, 10, 1), date(2024, 10, 2))]
    fn filing_on_non_working_days(#[case] filed: Date, #[case] received: Date) {
        assert_eq!(recepcion_oficial(&lft(), filed), received);
    }

    #[rstest]
    #[case::federal(Jurisdiccion::Federacion, false, date(2021, 9, 24))]
    #[case::federal_ampliacion(Jurisdiccion::Federacion, true, date(2021, 10, 8))]
    #[case::nayarit(Jurisdiccion::Nayarit, false, date(2021, 9, 17))]
    #[case::nayarit_ampliacion(Jurisdiccion::Nayarit, true, date(2021, 10, 1))]
    #[case::jalisco(Jurisdiccion::Jalisco, false, date(2021, 9, 24))]
    fn terms_per_jurisdiction(#[case] j: Jurisdiccion, #[case] amp: bool, #[case] due: Date) {
        for tipo in TipoSolicitud::ALL {
            let plazo =
                Plazo::calcular(&lft(), &Terminos::de(j, tipo), date(2021, 8, 26), amp, None)
                    .unwrap();
            assert_eq!(plazo.fecha_limite(), Some(due), "{j} {tipo}");
        }
    }

    #[test]
    fn suspension_file_moves_the_deadline() {
        let cal = Calendario::from_toml(include_str!(
            "../../calendars/federacion-2021-suspension-sisai.toml"
        ))
        .unwrap();
        let plazo =
            Plazo::calcular(&cal, &Terminos::GENERALES, date(2021, 8, 26), false, None).unwrap();
        // 11 días hábiles by 10 Sept; the suspension skips 13–24 Sept; 9 more from 27 Sept.
        assert_eq!(plazo.fecha_limite(), Some(date(2021, 10, 7)));
    }

    #[test]
    fn prevencion_interrupts_and_restarts_from_zero() {
        let t = Terminos::GENERALES;
        let filed = date(2021, 8, 26);
        let pending = Plazo::calcular(
            &lft(),
            &t,
            filed,
            false,
            Some(Prevencion {
                notificada: date(2021, 8, 31),
                desahogada: None,
            }),
        )
        .unwrap();
        assert_eq!(pending.fecha_limite(), None);
        assert_eq!(
            pending.computo,
            Computo::Interrumpido {
                notificada: date(2021, 8, 31),
                limite_desahogo: date(2021, 9, 14)
            }
        );
        let answered = Plazo::calcular(
            &lft(),
            &t,
            filed,
            false,
            Some(Prevencion {
                notificada: date(2021, 8, 31),
                desahogada: Some(date(2021, 9, 6)),
            }),
        )
        .unwrap();
        // 20 días hábiles counted anew from 7 Sept, skipping 16 Sept: 5 Oct.
        assert_eq!(answered.fecha_limite(), Some(date(2021, 10, 5)));
        assert_eq!(
            answered.computo,
            Computo::Corre {
                desde: date(2021, 9, 6),
                fecha_limite: date(2021, 10, 5)
            }
        );
    }

    #[test]
    fn prevencion_answered_late_means_not_filed() {
        let plazo = Plazo::calcular(
            &lft(),
            &Terminos::GENERALES,
            date(2021, 8, 26),
            false,
            Some(Prevencion {
                notificada: date(2021, 8, 31),
                desahogada: Some(date(2021, 9, 15)),
            }),
        )
        .unwrap();
        assert_eq!(
            plazo.computo,
            Computo::NoPresentada {
                limite_desahogo: date(2021, 9, 14)
            }
        );
        assert_eq!(plazo.fecha_limite(), None);
    }

    #[test]
    fn prevencion_after_five_days_does_not_interrupt() {
        let plazo = Plazo::calcular(
            &lft(),
            &Terminos::GENERALES,
            date(2021, 8, 26),
            false,
            Some(Prevencion {
                notificada: date(2021, 9, 3), // 6th día hábil after receipt.
                desahogada: Some(date(2021, 9, 6)),
            }),
        )
        .unwrap();
        assert_eq!(plazo.limite_prevencion, date(2021, 9, 2));
        assert!(plazo.prevencion_extemporanea);
        assert_eq!(plazo.fecha_limite(), Some(date(2021, 9, 24)));
    }

    #[test]
    fn impossible_chronologies_are_refused() {
        let t = Terminos::GENERALES;
        let err = Plazo::calcular(
            &lft(),
            &t,
            date(2021, 8, 26),
            false,
            Some(Prevencion {
                notificada: date(2021, 8, 20),
                desahogada: None,
            }),
        )
        .unwrap_err();
        assert!(matches!(err, PlazoError::PrevencionAntesDeRecepcion { .. }));
        let err = Plazo::calcular(
            &lft(),
            &t,
            date(2021, 8, 26),
            false,
            Some(Prevencion {
                notificada: date(2021, 8, 30),
                desahogada: Some(date(2021, 8, 27)),
            }),
        )
        .unwrap_err();
        assert!(matches!(err, PlazoError::DesahogoAntesDePrevencion { .. }));
    }

    #[rstest]
    // Answered Friday 10 Sept 2021: 15 días hábiles after, skipping 16 Sept → 4 Oct.
    #[case::answer_day(Some(date(2021, 9, 10)), date(2021, 9, 10), true)]
    #[case::answer_last_day(Some(date(2021, 9, 10)), date(2021, 10, 4), true)]
    #[case::answer_day_after_close(Some(date(2021, 9, 10)), date(2021, 10, 5), false)]
    #[case::answer_before(Some(date(2021, 9, 10)), date(2021, 9, 9), false)]
    // Unanswered, due 24 Sept: opens 25 Sept, closes 15 días hábiles later, 15 Oct.
    #[case::unanswered_on_deadline(None, date(2021, 9, 24), false)]
    #[case::unanswered_day_after(None, date(2021, 9, 25), true)]
    #[case::unanswered_last_day(None, date(2021, 10, 15), true)]
    #[case::unanswered_closed(None, date(2021, 10, 18), false)]
    fn queja_window_edges(#[case] answered: Option<Date>, #[case] hoy: Date, #[case] open: bool) {
        let v = ventana_queja(
            &lft(),
            &Terminos::GENERALES,
            Some(date(2021, 9, 24)),
            answered,
        )
        .unwrap();
        assert_eq!(v.abierta(hoy), open, "{v:?} on {hoy}");
    }

    #[test]
    fn no_queja_window_without_deadline() {
        assert_eq!(
            ventana_queja(&lft(), &Terminos::GENERALES, None, None),
            None
        );
    }
}
