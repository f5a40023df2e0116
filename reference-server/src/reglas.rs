//! The law as this server applies it: which calendar and semáforo rule are in force. Every
//! date, semáforo and queja window is computed by pnt-model ([`pnt_model::Tramite::fila`], with
//! its policy for incoherent dates), never here; this module only picks the inputs and hands
//! the outputs to storage and to the front ends.

use jiff::civil::Date;
use pnt_model::{
    Calendario, FilaCalculada, Jurisdiccion, ReglaSemaforo, Semaforo, Solicitud, Tramite,
};

use crate::db::{Derivados, FilaHistorial, FiltroSemaforo};

/// The calendar and semáforo rule in force.
#[derive(Debug, Clone)]
pub(crate) struct Reglas {
    /// Every jurisdiction's default calendar is the LFT one (DESIGN.md, "Domain facts"). The
    /// semáforo filter relies on one calendar for all; per-body calendars would need one SQL
    /// cut-off per calendar.
    calendario: Calendario,
    regla: ReglaSemaforo,
}

impl Reglas {
    pub(crate) fn new(regla: ReglaSemaforo) -> Reglas {
        Reglas {
            calendario: Calendario::lft(),
            regla,
        }
    }

    pub(crate) fn calendario(&self, _j: Jurisdiccion) -> &Calendario {
        &self.calendario
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
        let fechas = t.fechas(self.calendario(t.jurisdiccion));
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
    pub(crate) fn evaluar(&self, fila: &FilaHistorial, hoy: Date) -> FilaCalculada {
        let t = fila.tramite();
        t.fila(self.calendario(t.jurisdiccion), &self.regla, hoy)
    }

    /// The SQL filter that selects the rows whose semáforo on `hoy` is `semaforo`.
    pub(crate) fn filtro(&self, semaforo: Semaforo, hoy: Date) -> FiltroSemaforo {
        FiltroSemaforo {
            semaforo,
            hoy,
            corte: self.regla.corte_alerta(&self.calendario, hoy),
        }
    }
}
