//! The computed columns of a Mi Historial row: the one rule that the reference server shows,
//! its SQL filter agrees with, and the runner's oracle expects.
//!
//! A row of Mi Historial shows the solicitud's own data (folio, tipo, institución, estado) and
//! four things derived from it on a given day under a calendar and a semáforo rule: the fecha de
//! recepción oficial, the fecha límite de entrega, the semáforo and the queja window. They are
//! computed here, once, by [`Tramite::fila`]; everything else calls it.
//!
//! # Incoherent dates
//!
//! Infomex data can hold dates that describe no real procedure: a prevención notified before the
//! official receipt, or answered before it was notified ([`PlazoError`]). Such a solicitud is
//! still migrated and still shown — the requester's history must lose nothing — so the row needs
//! a defined content. The policy, decided here and nowhere else:
//!
//! - **fecha de recepción oficial**: shown. It depends only on the filing date and the calendar,
//!   which are not in question.
//! - **fecha límite de entrega**: absent. Any date would be a guess, and a wrong fecha límite is
//!   worse than none: the requester would plan a queja on it.
//! - **semáforo**: *En tiempo*, by the same rule as every row without a running term (a pending
//!   prevención, a request counted as not filed): without a fecha límite nobody can say the body is
//!   late, and the semáforo must not accuse it.
//! - **queja window**: only from a final answer, exactly as for any row without a fecha límite:
//!   the answer date is a fact the incoherent prevención does not touch, and the right to complain
//!   against an answer (LGTAIP art. 142) does not depend on the term. Unanswered, there is none.
//! - the row carries the [`PlazoError`] in [`FilaCalculada::incongruencia`], so a server can log
//!   it and a report can explain it; it is not shown in Mi Historial.
//!
//! In short: incoherent dates are treated as "no running term". A runner must therefore expect the
//! same row from any honest implementation, and a valid scenario with such dates passes against
//! the reference.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::plazo::{Plazo, PlazoError, Prevencion, Terminos, VentanaQueja, ventana_queja};
use crate::{Calendario, Jurisdiccion, ReglaSemaforo, Semaforo, Solicitud, TipoSolicitud};

/// The facts of a solicitud that its Mi Historial row depends on: what a
/// [`Solicitud`] and a server's stored row can both provide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Tramite {
    pub jurisdiccion: Jurisdiccion,
    pub tipo: TipoSolicitud,
    /// The day the requester filed it (possibly a non-working day).
    pub fecha_presentacion: Date,
    pub ampliacion: bool,
    pub prevencion: Option<Prevencion>,
    /// The date of the answer that ended the procedure (see
    /// [`TipoRespuesta::es_final`](crate::TipoRespuesta::es_final)), if any.
    pub respuesta_final: Option<Date>,
}

/// The dates of a row that do not depend on "today": what a server may store with the solicitud
/// to filter and order on them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fechas {
    pub recepcion_oficial: Date,
    /// `None` while no term runs (prevención pending, not filed) or when the dates are incoherent.
    pub fecha_limite: Option<Date>,
    /// Why the plazo could not be computed; see the module's "Incoherent dates".
    pub incongruencia: Option<PlazoError>,
}

/// What Mi Historial shows of one solicitud on one day, beyond the solicitud's own data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilaCalculada {
    /// Fecha de recepción oficial.
    pub recepcion_oficial: Date,
    /// Fecha límite de entrega; `None` is shown as an empty cell.
    pub fecha_limite: Option<Date>,
    pub semaforo: Semaforo,
    /// When a queja may be filed; the "Interponer queja" link is offered while it is open.
    pub ventana_queja: Option<VentanaQueja>,
    /// Why the plazo could not be computed; see the module's "Incoherent dates".
    pub incongruencia: Option<PlazoError>,
}

impl FilaCalculada {
    /// Whether a queja may be filed on `hoy`.
    pub fn queja_abierta(&self, hoy: Date) -> bool {
        self.ventana_queja.is_some_and(|v| v.abierta(hoy))
    }
}

impl Tramite {
    /// The legal terms that apply: the jurisdiction's, for this type of request.
    pub fn terminos(&self) -> Terminos {
        Terminos::de(self.jurisdiccion, self.tipo)
    }

    /// The plazo, or why these dates describe no real procedure.
    pub fn plazo(&self, cal: &Calendario) -> Result<Plazo, PlazoError> {
        self.plazo_con(cal, &self.terminos())
    }

    /// The plazo under `terminos` instead of [`Terminos::de`] (a PNT that publishes its own).
    pub fn plazo_con(&self, cal: &Calendario, terminos: &Terminos) -> Result<Plazo, PlazoError> {
        Plazo::calcular(
            cal,
            terminos,
            self.fecha_presentacion,
            self.ampliacion,
            self.prevencion,
        )
    }

    /// The row's dates under `cal`, incoherent dates included (see the module documentation).
    pub fn fechas(&self, cal: &Calendario) -> Fechas {
        self.fechas_con(cal, &self.terminos())
    }

    /// [`Tramite::fechas`] under `terminos`.
    pub fn fechas_con(&self, cal: &Calendario, terminos: &Terminos) -> Fechas {
        match self.plazo_con(cal, terminos) {
            Ok(p) => Fechas {
                recepcion_oficial: p.recepcion_oficial,
                fecha_limite: p.fecha_limite(),
                incongruencia: None,
            },
            Err(e) => Fechas {
                recepcion_oficial: crate::recepcion_oficial(cal, self.fecha_presentacion),
                fecha_limite: None,
                incongruencia: Some(e),
            },
        }
    }

    /// When a queja may be filed, under `cal`; the same window [`Tramite::fila`] shows.
    pub fn ventana_queja(&self, cal: &Calendario) -> Option<VentanaQueja> {
        let terminos = self.terminos();
        ventana_queja(
            cal,
            &terminos,
            self.fechas_con(cal, &terminos).fecha_limite,
            self.respuesta_final,
        )
    }

    /// The expected Mi Historial row of this solicitud on `hoy`, under `cal` and `regla`.
    pub fn fila(&self, cal: &Calendario, regla: &ReglaSemaforo, hoy: Date) -> FilaCalculada {
        self.fila_con(cal, &self.terminos(), regla, hoy)
    }

    /// [`Tramite::fila`] under `terminos` instead of [`Terminos::de`]: what
    /// [`ReglasAplicadas::fila`](crate::ReglasAplicadas::fila) computes with a PNT's own rules.
    pub fn fila_con(
        &self,
        cal: &Calendario,
        terminos: &Terminos,
        regla: &ReglaSemaforo,
        hoy: Date,
    ) -> FilaCalculada {
        let Fechas {
            recepcion_oficial,
            fecha_limite,
            incongruencia,
        } = self.fechas_con(cal, terminos);
        FilaCalculada {
            recepcion_oficial,
            fecha_limite,
            semaforo: regla.evaluar(cal, hoy, fecha_limite, self.respuesta_final),
            ventana_queja: ventana_queja(cal, terminos, fecha_limite, self.respuesta_final),
            incongruencia,
        }
    }
}

impl<A> Solicitud<A> {
    /// The facts its Mi Historial row depends on.
    pub fn tramite(&self) -> Tramite {
        Tramite {
            jurisdiccion: self.jurisdiccion(),
            tipo: self.tipo,
            fecha_presentacion: self.fecha_presentacion,
            ampliacion: self.ampliacion,
            prevencion: self.prevencion,
            respuesta_final: self.respuesta_final().map(|r| r.fecha),
        }
    }

    /// Its expected Mi Historial row on `hoy`; see [`Tramite::fila`].
    pub fn fila_historial(
        &self,
        cal: &Calendario,
        regla: &ReglaSemaforo,
        hoy: Date,
    ) -> FilaCalculada {
        self.tramite().fila(cal, regla, hoy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn tramite(prevencion: Option<Prevencion>, respuesta_final: Option<Date>) -> Tramite {
        Tramite {
            jurisdiccion: Jurisdiccion::Federacion,
            tipo: TipoSolicitud::AccesoInformacion,
            fecha_presentacion: date(2021, 8, 26),
            ampliacion: false,
            prevencion,
            respuesta_final,
        }
    }

    #[test]
    fn the_seed_row() {
        let f = tramite(None, None).fila(
            &Calendario::lft(),
            &ReglaSemaforo::default(),
            date(2021, 9, 20),
        );
        assert_eq!(f.recepcion_oficial, date(2021, 8, 26));
        assert_eq!(f.fecha_limite, Some(date(2021, 9, 24)));
        assert_eq!(f.semaforo, Semaforo::EnAlerta);
        assert_eq!(f.ventana_queja.map(|v| v.desde), Some(date(2021, 9, 25)));
        assert_eq!(f.incongruencia, None);
    }

    /// The policy of the module documentation, on a prevención notified before the receipt: the
    /// receipt shown, no fecha límite, En tiempo even long after any plausible deadline, no queja
    /// window unanswered, and the answer's window once answered.
    #[test]
    fn incoherent_dates_are_shown_as_no_running_term() {
        let cal = Calendario::lft();
        let regla = ReglaSemaforo::default();
        let antes = Some(Prevencion {
            notificada: date(2021, 8, 20),
            desahogada: None,
        });
        let f = tramite(antes, None).fila(&cal, &regla, date(2022, 6, 1));
        assert_eq!(f.recepcion_oficial, date(2021, 8, 26));
        assert_eq!(f.fecha_limite, None);
        assert_eq!(f.semaforo, Semaforo::EnTiempo);
        assert_eq!(f.ventana_queja, None);
        assert!(matches!(
            f.incongruencia,
            Some(PlazoError::PrevencionAntesDeRecepcion { .. })
        ));
        let answered =
            tramite(antes, Some(date(2021, 9, 10))).fila(&cal, &regla, date(2021, 9, 13));
        assert_eq!(answered.semaforo, Semaforo::EnTiempo);
        assert_eq!(
            answered.ventana_queja.map(|v| (v.desde, v.motivo)),
            Some((date(2021, 9, 10), crate::MotivoVentana::Respuesta))
        );
        assert!(answered.queja_abierta(date(2021, 9, 13)));
        let backwards = tramite(
            Some(Prevencion {
                notificada: date(2021, 8, 30),
                desahogada: Some(date(2021, 8, 27)),
            }),
            None,
        )
        .fila(&cal, &regla, date(2021, 9, 1));
        assert!(matches!(
            backwards.incongruencia,
            Some(PlazoError::DesahogoAntesDePrevencion { .. })
        ));
        assert_eq!(backwards.fecha_limite, None);
    }

    fn any_date(from: Date, days: i64) -> impl Strategy<Value = Date> {
        (0..days).prop_map(move |d| from.checked_add(jiff::Span::new().days(d)).unwrap())
    }

    fn any_tramite() -> impl Strategy<Value = Tramite> {
        let start = date(2021, 7, 1);
        (
            prop::sample::select(Jurisdiccion::ALL.to_vec()),
            prop::sample::select(TipoSolicitud::ALL.to_vec()),
            any_date(start, 120),
            any::<bool>(),
            // Offsets from the filing date, negative ones included: incoherent dates are part
            // of the domain this rule must cover.
            prop::option::of((-10i64..20, prop::option::of(-5i64..25))),
            prop::option::of(-10i64..90),
        )
            .prop_map(|(j, tipo, presentada, ampliacion, prevencion, respuesta)| {
                let plus = |d: i64| presentada.checked_add(jiff::Span::new().days(d)).unwrap();
                Tramite {
                    jurisdiccion: j,
                    tipo,
                    fecha_presentacion: presentada,
                    ampliacion,
                    prevencion: prevencion.map(|(n, d)| Prevencion {
                        notificada: plus(n),
                        desahogada: d.map(|d| plus(n + d)),
                    }),
                    respuesta_final: respuesta.map(plus),
                }
            })
    }

    proptest! {
        /// The cut-off is the one date that separates En alerta from En tiempo for an unanswered
        /// solicitud not yet late, which is what lets a server filter on a stored fecha límite.
        #[test]
        fn the_cut_off_separates_en_alerta_from_en_tiempo(
            hoy in any_date(date(2021, 7, 1), 400),
            ahead in 0i64..60,
            umbral in 0u32..12,
        ) {
            let cal = Calendario::lft();
            let regla = ReglaSemaforo { umbral_alerta: umbral };
            let limite = hoy.checked_add(jiff::Span::new().days(ahead)).unwrap();
            let corte = regla.corte_alerta(&cal, hoy);
            let expected = if limite < corte { Semaforo::EnAlerta } else { Semaforo::EnTiempo };
            prop_assert_eq!(regla.evaluar(&cal, hoy, Some(limite), None), expected);
        }

        /// Every row, incoherent ones included, has a receipt on or after the filing date, a
        /// fecha límite only when the dates are coherent, and the semáforo of its stored dates.
        #[test]
        fn every_row_is_defined(t in any_tramite(), hoy in any_date(date(2021, 7, 1), 300)) {
            let cal = Calendario::lft();
            let regla = ReglaSemaforo::default();
            let f = t.fila(&cal, &regla, hoy);
            prop_assert!(f.recepcion_oficial >= t.fecha_presentacion);
            prop_assert_eq!(f.incongruencia.is_some(), t.plazo(&cal).is_err());
            if f.incongruencia.is_some() {
                prop_assert_eq!(f.fecha_limite, None);
                prop_assert_eq!(f.semaforo, Semaforo::EnTiempo);
                prop_assert_eq!(f.ventana_queja.is_some(), t.respuesta_final.is_some());
            }
            let fechas = t.fechas(&cal);
            prop_assert_eq!(
                f.semaforo,
                regla.evaluar(&cal, hoy, fechas.fecha_limite, t.respuesta_final)
            );
        }
    }
}
