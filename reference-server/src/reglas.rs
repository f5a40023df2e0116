//! The law as this server applies it: calendars, terms, plazos, semáforo and queja windows —
//! all computed by pnt-model, never here. This module only picks the inputs (which calendar,
//! which terms) and packages the outputs.

use jiff::civil::Date;
use pnt_model::{
    Calendario, Jurisdiccion, Plazo, Prevencion, ReglaSemaforo, Semaforo, Solicitud, Terminos,
    TipoSolicitud, VentanaQueja, recepcion_oficial, ventana_queja,
};

use crate::db::{Derivados, FilaHistorial};

/// The calendar and semáforo rule in force.
#[derive(Debug, Clone)]
pub(crate) struct Reglas {
    /// Every jurisdiction's default calendar is the LFT one (DESIGN.md, "Domain facts"). The
    /// semáforo filter relies on one calendar for all; per-body calendars would need one SQL
    /// cut-off per calendar.
    calendario: Calendario,
    regla: ReglaSemaforo,
}

/// What Mi Historial shows of one solicitud on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Evaluacion {
    pub(crate) recepcion_oficial: Date,
    pub(crate) fecha_limite: Option<Date>,
    pub(crate) semaforo: Semaforo,
    pub(crate) ventana: Option<VentanaQueja>,
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

    fn plazo(
        &self,
        j: Jurisdiccion,
        tipo: TipoSolicitud,
        presentada: Date,
        ampliacion: bool,
        prevencion: Option<Prevencion>,
    ) -> (Date, Option<Date>) {
        let cal = self.calendario(j);
        match Plazo::calcular(
            cal,
            &Terminos::de(j, tipo),
            presentada,
            ampliacion,
            prevencion,
        ) {
            Ok(p) => (p.recepcion_oficial, p.fecha_limite()),
            Err(e) => {
                // Incoherent dates from Infomex: shown without a fecha límite rather than with
                // a wrong one.
                tracing::warn!(error = %e, "plazo incongruente");
                (recepcion_oficial(cal, presentada), None)
            }
        }
    }

    /// What is stored alongside a migrated solicitud.
    pub(crate) fn derivados(&self, j: Jurisdiccion, d: &Solicitud) -> Derivados {
        let (recepcion_oficial, fecha_limite) =
            self.plazo(j, d.tipo, d.fecha_presentacion, d.ampliacion, d.prevencion);
        Derivados {
            recepcion_oficial,
            fecha_limite,
            respuesta_final: d.respuesta_final().map(|r| r.fecha),
        }
    }

    /// The row's dates, semáforo and queja window on `hoy`.
    pub(crate) fn evaluar(&self, fila: &FilaHistorial, hoy: Date) -> Evaluacion {
        let j = fila.jurisdiccion;
        let cal = self.calendario(j);
        let (recepcion_oficial, fecha_limite) = self.plazo(
            j,
            fila.tipo,
            fila.fecha_presentacion,
            fila.ampliacion,
            fila.prevencion,
        );
        Evaluacion {
            recepcion_oficial,
            fecha_limite,
            semaforo: self
                .regla
                .evaluar(cal, hoy, fecha_limite, fila.respuesta_final),
            ventana: ventana_queja(
                cal,
                &Terminos::de(j, fila.tipo),
                fecha_limite,
                fila.respuesta_final,
            ),
        }
    }

    /// The first day on which an unanswered request due that day is no longer "en alerta" on
    /// `hoy`: the `umbral + 1`-th día hábil after `hoy` (see `db::FiltroSemaforo`).
    pub(crate) fn corte_alerta(&self, hoy: Date) -> Date {
        self.calendario
            .sumar_dias_habiles(hoy, self.regla.umbral_alerta + 1)
    }
}
