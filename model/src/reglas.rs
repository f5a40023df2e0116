//! The rules a PNT applies to Mi Historial, as data: per jurisdiction its calendar of días
//! inhábiles and its terms, and the semáforo rule. A server holds them to compute its rows and
//! publishes them in its discovery document (docs/pnt-api.md, "Discovery"); a runner reads them
//! back and expects the rows [`ReglasAplicadas::fila`] gives, so both compute with exactly the
//! same data.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::{
    Calendario, Fechas, FilaCalculada, Jurisdiccion, ReglaSemaforo, Terminos, TipoSolicitud,
    Tramite,
};

/// The rules in force. A jurisdiction without an entry in `calendarios` uses the LFT calendar
/// alone, and one without an entry in `terminos` uses [`Terminos::de`]; the default is LFT and
/// the law's terms everywhere, with the default semáforo threshold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReglasAplicadas {
    pub semaforo: ReglaSemaforo,
    /// Each jurisdiction whose órgano garante's calendar adds días inhábiles to LFT.
    #[serde(default)]
    pub calendarios: BTreeMap<Jurisdiccion, Calendario>,
    /// Each jurisdiction whose terms are not [`Terminos::de`]'s.
    #[serde(default)]
    pub terminos: BTreeMap<Jurisdiccion, Terminos>,
}

/// The calendar of every jurisdiction without data: weekends and LFT art. 74.
static LFT: std::sync::LazyLock<Calendario> = std::sync::LazyLock::new(Calendario::lft);

impl ReglasAplicadas {
    /// `j`'s calendar.
    pub fn calendario(&self, j: Jurisdiccion) -> &Calendario {
        self.calendarios.get(&j).unwrap_or(&LFT)
    }

    /// `j`'s terms for requests of type `tipo`.
    pub fn terminos(&self, j: Jurisdiccion, tipo: TipoSolicitud) -> Terminos {
        self.terminos
            .get(&j)
            .copied()
            .unwrap_or_else(|| Terminos::de(j, tipo))
    }

    /// The row's dates that do not depend on "today", under `t`'s jurisdiction's rules.
    pub fn fechas(&self, t: &Tramite) -> Fechas {
        t.fechas_con(
            self.calendario(t.jurisdiccion),
            &self.terminos(t.jurisdiccion, t.tipo),
        )
    }

    /// The Mi Historial row of `t` on `hoy` under these rules.
    pub fn fila(&self, t: &Tramite, hoy: Date) -> FilaCalculada {
        t.fila_con(
            self.calendario(t.jurisdiccion),
            &self.terminos(t.jurisdiccion, t.tipo),
            &self.semaforo,
            hoy,
        )
    }

    /// The semáforo cut-off on `hoy` of each distinct calendar in force (see
    /// [`ReglaSemaforo::corte_alerta`]): the LFT one for every jurisdiction without data, and
    /// one per jurisdiction with a calendar of its own whose cut-off differs from it.
    pub fn cortes_alerta(&self, hoy: Date) -> (Date, Vec<(Jurisdiccion, Date)>) {
        let general = self.semaforo.corte_alerta(&LFT, hoy);
        let propios = self
            .calendarios
            .iter()
            .map(|(j, cal)| (*j, self.semaforo.corte_alerta(cal, hoy)))
            .filter(|(_, corte)| *corte != general)
            .collect();
        (general, propios)
    }

    /// One line naming the calendar of each jurisdiction that has data, or LFT alone.
    pub fn resumen(&self) -> String {
        if self.calendarios.is_empty() {
            return format!("{} en las 33 jurisdicciones", LFT.descripcion());
        }
        let propios: Vec<String> = self
            .calendarios
            .iter()
            .map(|(j, c)| format!("{}: {}", j.slug(), c.descripcion()))
            .collect();
        format!("{}; {} en las demás", propios.join("; "), LFT.descripcion())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const SISAI: &str = include_str!("../../calendars/federacion-2021-suspension-sisai.toml");

    fn federal(presentada: Date) -> Tramite {
        Tramite {
            jurisdiccion: Jurisdiccion::Federacion,
            tipo: TipoSolicitud::AccesoInformacion,
            fecha_presentacion: presentada,
            ampliacion: false,
            prevencion: None,
            respuesta_final: None,
        }
    }

    /// A jurisdiction's calendar applies to its rows and only to them, and survives the JSON a
    /// discovery document carries.
    #[test]
    fn calendars_apply_per_jurisdiction_and_round_trip() {
        let mut reglas = ReglasAplicadas::default();
        reglas.calendarios.insert(
            Jurisdiccion::Federacion,
            Calendario::from_toml(SISAI).unwrap(),
        );
        let hoy = date(2021, 9, 1);
        let f = reglas.fila(&federal(date(2021, 8, 26)), hoy);
        assert_eq!(f.fecha_limite, Some(date(2021, 10, 7)));
        let jalisco = Tramite {
            jurisdiccion: Jurisdiccion::Jalisco,
            ..federal(date(2021, 8, 26))
        };
        assert_eq!(
            reglas.fila(&jalisco, hoy).fecha_limite,
            Some(date(2021, 9, 24))
        );
        let json = serde_json::to_string(&reglas).unwrap();
        let back: ReglasAplicadas = serde_json::from_str(&json).unwrap();
        assert_eq!(back, reglas);
        let (general, propios) = reglas.cortes_alerta(date(2021, 9, 8));
        assert_eq!(general, date(2021, 9, 17));
        assert_eq!(propios, vec![(Jurisdiccion::Federacion, date(2021, 9, 30))]);
    }

    /// Published terms replace the law's defaults: Nayarit's 15 days by default, or what the
    /// rules say.
    #[test]
    fn published_terms_are_used() {
        let mut reglas = ReglasAplicadas::default();
        let nayarit = Tramite {
            jurisdiccion: Jurisdiccion::Nayarit,
            ..federal(date(2021, 8, 26))
        };
        assert_eq!(
            reglas.fila(&nayarit, date(2021, 9, 1)).fecha_limite,
            Some(date(2021, 9, 17))
        );
        reglas
            .terminos
            .insert(Jurisdiccion::Nayarit, Terminos::GENERALES);
        assert_eq!(
            reglas.fila(&nayarit, date(2021, 9, 1)).fecha_limite,
            Some(date(2021, 9, 24))
        );
    }
}
