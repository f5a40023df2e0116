//! The law as this server applies it: which calendar, terms and semáforo rule are in force.
//! Every date, semáforo and queja window is computed by pnt-model
//! ([`pnt_model::ReglasAplicadas::fila`], i.e. [`pnt_model::Tramite::fila_con`], with its
//! policy for incoherent dates), never here; this module only picks the inputs and hands the
//! outputs to storage and to the front ends. The same [`ReglasAplicadas`] value is what the
//! discovery document publishes, so a runner computes with exactly these rules.

use jiff::civil::Date;
use pnt_model::{FilaCalculada, Jurisdiccion, ReglasAplicadas, Semaforo, Solicitud, Tramite};

use crate::Config;
use crate::db::{Derivados, FiltroSemaforo};

/// The calendars, terms and semáforo rule in force.
#[derive(Debug, Clone)]
pub(crate) struct Reglas {
    aplicadas: ReglasAplicadas,
}

impl Reglas {
    /// The rules of `config`: its per-jurisdiction calendars (LFT alone for the rest, DESIGN.md
    /// "Domain facts"), the law's terms ([`pnt_model::Terminos::de`]) and its semáforo rule.
    pub(crate) fn new(config: &Config) -> Reglas {
        Reglas {
            aplicadas: ReglasAplicadas {
                semaforo: config.regla_semaforo,
                calendarios: config.calendarios.clone(),
                terminos: Default::default(),
            },
        }
    }

    /// The same rules with `calendarios` in force for the jurisdictions it names (the
    /// `/__test/calendarios` hook); the others keep these rules' calendars.
    pub(crate) fn con_calendarios(
        &self,
        calendarios: impl IntoIterator<Item = (Jurisdiccion, pnt_model::Calendario)>,
    ) -> Reglas {
        let mut aplicadas = self.aplicadas.clone();
        aplicadas.calendarios.extend(calendarios);
        Reglas { aplicadas }
    }

    /// The rules as data, for the discovery document.
    pub(crate) fn aplicadas(&self) -> &ReglasAplicadas {
        &self.aplicadas
    }

    /// What is stored alongside a migrated solicitud.
    pub(crate) fn derivados<A>(&self, j: Jurisdiccion, d: &Solicitud<A>) -> Derivados {
        self.derivados_de(&Tramite {
            jurisdiccion: j,
            ..d.tramite()
        })
    }

    /// The stored dates of a solicitud: the ones [`Reglas::evaluar`] shows, so that the
    /// semáforo filter on them selects what the rows say.
    pub(crate) fn derivados_de(&self, t: &Tramite) -> Derivados {
        let fechas = self.aplicadas.fechas(t);
        if let Some(e) = &fechas.incongruencia {
            // Shown by pnt-model's policy for incoherent dates (no fecha límite, En tiempo);
            // logged so that an operator can take it up with the Infomex that sent them.
            tracing::warn!(error = %e, codigo = pnt_model::PlazoError::CODE, "plazo incongruente");
        }
        Derivados {
            recepcion_oficial: fechas.recepcion_oficial,
            fecha_limite: fechas.fecha_limite,
            respuesta_final: t.respuesta_final,
        }
    }

    /// The row's dates, semáforo and queja window on `hoy`.
    pub(crate) fn evaluar<A>(&self, solicitud: &Solicitud<A>, hoy: Date) -> FilaCalculada {
        self.aplicadas.fila(&solicitud.tramite(), hoy)
    }

    /// The SQL filter that selects the rows whose semáforo on `hoy` is `semaforo`: one
    /// cut-off for the jurisdictions on the LFT calendar and one for each jurisdiction whose
    /// own calendar moves it.
    pub(crate) fn filtro(&self, semaforo: Semaforo, hoy: Date) -> FiltroSemaforo {
        let (corte, cortes_propios) = self.aplicadas.cortes_alerta(hoy);
        FiltroSemaforo {
            semaforo,
            hoy,
            corte,
            cortes_propios,
        }
    }
}
