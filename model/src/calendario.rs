//! Business-day calendars (días hábiles).
//!
//! Every jurisdiction's default calendar is the Ley Federal del Trabajo one: weekends plus the
//! mandatory rest days of LFT art. 74. Each transparency body adds its own agreed días inhábiles and
//! suspensions; those are *data* (TOML files parsed by [`Calendario::from_toml`]), never code.

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;

use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

use crate::Jurisdiccion;

/// Why a day is not a working day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inhabil {
    /// Saturday or Sunday.
    FinDeSemana,
    /// A mandatory rest day of LFT art. 74; the text names it.
    FeriadoLft(&'static str),
    /// An extra día inhábil from calendar data.
    DiaInhabil(String),
    /// A suspension of terms from calendar data; the text is its motivo.
    Suspension(String),
}

impl fmt::Display for Inhabil {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Inhabil::FinDeSemana => f.write_str("fin de semana"),
            Inhabil::FeriadoLft(name) => {
                write!(f, "día de descanso obligatorio (LFT art. 74): {name}")
            }
            Inhabil::DiaInhabil(desc) => write!(f, "día inhábil: {desc}"),
            Inhabil::Suspension(motivo) => write!(f, "suspensión de plazos: {motivo}"),
        }
    }
}

/// The LFT art. 74 rest day that `date` falls on, if any.
///
/// Rules (LFT art. 74, as reformed in 2006 for the Monday holidays): 1 January; first Monday of
/// February (Constitución); third Monday of March (Benito Juárez); 1 May; 16 September; third
/// Monday of November (Revolución); 25 December; and the day of the federal executive's
/// transmission of power: 1 October every six years from 2024, 1 December every six years up to
/// 2018.
pub fn feriado_lft(date: Date) -> Option<&'static str> {
    let (y, m, d) = (date.year(), date.month(), date.day());
    let nth_monday = |n: i8| {
        date.first_of_month()
            .nth_weekday_of_month(n, Weekday::Monday)
            .ok()
    };
    match (m, d) {
        (1, 1) => Some("1 de enero"),
        (5, 1) => Some("1 de mayo"),
        (9, 16) => Some("16 de septiembre"),
        (12, 25) => Some("25 de diciembre"),
        (10, 1) if y >= 2024 && (y - 2024) % 6 == 0 => {
            Some("1 de octubre (transmisión del Poder Ejecutivo Federal)")
        }
        (12, 1) if y <= 2018 && (2018 - y) % 6 == 0 => {
            Some("1 de diciembre (transmisión del Poder Ejecutivo Federal)")
        }
        (2, _) if nth_monday(1) == Some(date) => Some("primer lunes de febrero"),
        (3, _) if nth_monday(3) == Some(date) => Some("tercer lunes de marzo"),
        (11, _) if nth_monday(3) == Some(date) => Some("tercer lunes de noviembre"),
        _ => None,
    }
}

/// A suspension of terms: every day from `desde` to `hasta`, both included, is inhábil.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suspension {
    pub desde: Date,
    pub hasta: Date,
    pub motivo: String,
}

/// A business-day calendar: LFT rules plus extra días inhábiles and suspensions.
///
/// Its JSON form (what a PNT publishes in its discovery document, docs/pnt-api.md) is the data
/// only: `{"descripcion", "dias_inhabiles": ["2021-11-02"], "suspensiones": [{"desde", "hasta",
/// "motivo"}]}`; the LFT rules apply under every calendar and are not listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calendario {
    descripcion: String,
    #[serde(default)]
    dias_inhabiles: BTreeSet<Date>,
    #[serde(default)]
    suspensiones: Vec<Suspension>,
}

/// One calendar data file (docs/calendars.md), read: what it adds and for which jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivoCalendario {
    pub descripcion: Option<String>,
    /// The jurisdiction whose órgano garante agreed these days; `None` when the file says none
    /// (then it applies to every jurisdiction it is given for).
    pub jurisdiccion: Option<Jurisdiccion>,
    pub dias_inhabiles: Vec<Date>,
    pub suspensiones: Vec<Suspension>,
}

impl ArchivoCalendario {
    /// Parses calendar data; every error names the line and column of the offending value.
    pub fn from_toml(text: &str) -> Result<ArchivoCalendario, CalendarioError> {
        let datos: DatosCalendario =
            toml::from_str(text).map_err(|e| CalendarioError::at(text, e.span(), e.message()))?;
        let jurisdiccion = match &datos.jurisdiccion {
            None => None,
            Some(j) => Some(Jurisdiccion::parse(j.get_ref()).map_err(|e| {
                CalendarioError::at(text, Some(j.span()), &format!("`jurisdiccion`: {e}"))
            })?),
        };
        let mut dias_inhabiles = Vec::with_capacity(datos.dias_inhabiles.len());
        for fecha in &datos.dias_inhabiles {
            dias_inhabiles.push(fecha.to_date(text)?);
        }
        let mut suspensiones = Vec::with_capacity(datos.suspensiones.len());
        for s in datos.suspensiones {
            let desde = s.desde.to_date(text)?;
            let hasta = s.hasta.to_date(text)?;
            if hasta < desde {
                return Err(CalendarioError::at(
                    text,
                    Some(s.hasta.value.span()),
                    &format!("`hasta` ({hasta}) es anterior a `desde` ({desde})"),
                ));
            }
            suspensiones.push(Suspension {
                desde,
                hasta,
                motivo: s.motivo,
            });
        }
        Ok(ArchivoCalendario {
            descripcion: datos.descripcion,
            jurisdiccion,
            dias_inhabiles,
            suspensiones,
        })
    }
}

impl Default for Calendario {
    fn default() -> Self {
        Calendario::lft()
    }
}

impl Calendario {
    /// The default calendar of every jurisdiction: weekends and LFT art. 74 alone.
    pub fn lft() -> Calendario {
        Calendario {
            descripcion: "LFT art. 74".to_owned(),
            dias_inhabiles: BTreeSet::new(),
            suspensiones: Vec::new(),
        }
    }

    /// Parses calendar data (see `docs/calendars.md`) and adds it to the LFT rules.
    pub fn from_toml(text: &str) -> Result<Calendario, CalendarioError> {
        let mut calendario = Calendario::lft();
        calendario.agregar_toml(text)?;
        Ok(calendario)
    }

    /// Adds another calendar data file's días inhábiles and suspensions to this calendar.
    pub fn agregar_toml(&mut self, text: &str) -> Result<(), CalendarioError> {
        self.agregar(&ArchivoCalendario::from_toml(text)?);
        Ok(())
    }

    /// Adds a read calendar file's días inhábiles and suspensions to this calendar.
    pub fn agregar(&mut self, archivo: &ArchivoCalendario) {
        if let Some(desc) = &archivo.descripcion {
            self.descripcion = format!("{} + {desc}", self.descripcion);
        }
        self.dias_inhabiles
            .extend(archivo.dias_inhabiles.iter().copied());
        self.suspensiones
            .extend(archivo.suspensiones.iter().cloned());
    }

    /// Whether this calendar is LFT alone: no data adds a día inhábil to the rules.
    pub fn es_lft(&self) -> bool {
        self.inhabiles_por_datos().is_empty()
    }

    /// The days this calendar's data makes inhábiles that the LFT rules (weekends, art. 74) do
    /// not already: what two calendars must agree on to count the same días hábiles, whatever
    /// their descriptions, motivos or the way their days are written (single days or ranges).
    pub fn inhabiles_por_datos(&self) -> BTreeSet<Date> {
        let lft = Calendario::lft();
        let mut out: BTreeSet<Date> = self.dias_inhabiles.iter().copied().collect();
        for s in &self.suspensiones {
            let mut d = s.desde;
            while d <= s.hasta {
                out.insert(d);
                d = next_day(d);
            }
        }
        out.retain(|d| lft.es_habil(*d));
        out
    }

    /// A human description of what this calendar applies ("LFT art. 74 + …").
    pub fn descripcion(&self) -> &str {
        &self.descripcion
    }

    /// Why `date` is not a working day, or `None` when it is one.
    pub fn inhabil(&self, date: Date) -> Option<Inhabil> {
        if matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
            return Some(Inhabil::FinDeSemana);
        }
        if let Some(name) = feriado_lft(date) {
            return Some(Inhabil::FeriadoLft(name));
        }
        if self.dias_inhabiles.contains(&date) {
            return Some(Inhabil::DiaInhabil(self.descripcion.clone()));
        }
        self.suspensiones
            .iter()
            .find(|s| s.desde <= date && date <= s.hasta)
            .map(|s| Inhabil::Suspension(s.motivo.clone()))
    }

    /// Whether `date` is a día hábil.
    pub fn es_habil(&self, date: Date) -> bool {
        self.inhabil(date).is_none()
    }

    /// `date` itself when it is hábil, otherwise the next día hábil.
    pub fn habil_desde(&self, mut date: Date) -> Date {
        while !self.es_habil(date) {
            date = next_day(date);
        }
        date
    }

    /// The `n`-th día hábil strictly after `date` (`n = 0` returns `date`).
    pub fn sumar_dias_habiles(&self, mut date: Date, n: u32) -> Date {
        let mut left = n;
        while left > 0 {
            date = next_day(date);
            if self.es_habil(date) {
                left -= 1;
            }
        }
        date
    }

    /// How many días hábiles lie in `(desde, hasta]`; zero when `hasta <= desde`.
    pub fn dias_habiles_entre(&self, desde: Date, hasta: Date) -> u32 {
        let mut count = 0;
        let mut date = desde;
        while date < hasta {
            date = next_day(date);
            if self.es_habil(date) {
                count += 1;
            }
        }
        count
    }
}

fn next_day(date: Date) -> Date {
    // Dates in this domain are far from jiff's year-9999 limit; reaching it is a programming error.
    date.tomorrow().expect("date within jiff's supported range")
}

/// Calendar data could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("línea {line}, columna {column}: {message}")]
pub struct CalendarioError {
    /// 1-based line of the offending value.
    pub line: usize,
    /// 1-based column (in characters) of the offending value.
    pub column: usize,
    /// What was wrong and what was expected.
    pub message: String,
}

impl CalendarioError {
    /// Stable machine code of this failure.
    pub const CODE: &'static str = "calendario_invalido";

    fn at(text: &str, span: Option<Range<usize>>, message: &str) -> CalendarioError {
        let offset = span.map_or(0, |s| s.start).min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit_once('\n')
            .map_or(before, |(_, last)| last)
            .chars()
            .count()
            + 1;
        CalendarioError {
            line,
            column,
            message: message.trim().to_owned(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DatosCalendario {
    descripcion: Option<String>,
    #[serde(default)]
    jurisdiccion: Option<toml::Spanned<String>>,
    #[serde(default)]
    dias_inhabiles: Vec<Fecha>,
    #[serde(default)]
    suspensiones: Vec<DatosSuspension>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DatosSuspension {
    desde: Fecha,
    hasta: Fecha,
    motivo: String,
}

/// A TOML local date (`2021-09-13`) with its position in the file, for error messages.
#[derive(Deserialize)]
#[serde(transparent)]
struct Fecha {
    value: toml::Spanned<toml::value::Datetime>,
}

impl Fecha {
    fn to_date(&self, text: &str) -> Result<Date, CalendarioError> {
        let span = Some(self.value.span());
        let dt = self.value.get_ref();
        let err = |msg: &str| CalendarioError::at(text, span.clone(), msg);
        match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => Date::new(d.year as i16, d.month as i8, d.day as i8)
                .map_err(|e| err(&format!("fecha inválida: {e}"))),
            _ => Err(err(&format!(
                "se esperaba una fecha sin hora, como 2021-09-13; se encontró {dt}"
            ))),
        }
    }

    #[cfg(test)]
    fn span(&self) -> Range<usize> {
        self.value.span()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use rstest::rstest;

    #[rstest]
    #[case(date(2021, 1, 1), "1 de enero")]
    #[case(date(2021, 2, 1), "primer lunes de febrero")]
    #[case(date(2022, 2, 7), "primer lunes de febrero")]
    #[case(date(2024, 2, 5), "primer lunes de febrero")]
    #[case(date(2021, 3, 15), "tercer lunes de marzo")]
    #[case(date(2023, 3, 20), "tercer lunes de marzo")]
    #[case(date(2025, 3, 17), "tercer lunes de marzo")]
    #[case(date(2021, 5, 1), "1 de mayo")]
    #[case(date(2021, 9, 16), "16 de septiembre")]
    #[case(date(2020, 11, 16), "tercer lunes de noviembre")]
    #[case(date(2021, 11, 15), "tercer lunes de noviembre")]
    #[case(date(2026, 11, 16), "tercer lunes de noviembre")]
    #[case(date(2021, 12, 25), "25 de diciembre")]
    #[case(
        date(2024, 10, 1),
        "1 de octubre (transmisión del Poder Ejecutivo Federal)"
    )]
    #[case(
        date(2030, 10, 1),
        "1 de octubre (transmisión del Poder Ejecutivo Federal)"
    )]
    #[case(
        date(2018, 12, 1),
        "1 de diciembre (transmisión del Poder Ejecutivo Federal)"
    )]
    #[case(
        date(2012, 12, 1),
        "1 de diciembre (transmisión del Poder Ejecutivo Federal)"
    )]
    fn lft_holidays(#[case] day: Date, #[case] name: &str) {
        assert_eq!(feriado_lft(day), Some(name));
        assert!(!Calendario::lft().es_habil(day) || day.weekday() == Weekday::Saturday);
    }

    #[rstest]
    #[case(date(2021, 2, 5))] // The Friday before the first Monday is a working day.
    #[case(date(2021, 2, 8))] // Second Monday of February.
    #[case(date(2021, 3, 8))] // Second Monday of March.
    #[case(date(2021, 3, 21))] // The historical date, now moved to the Monday.
    #[case(date(2021, 11, 20))] // Likewise.
    #[case(date(2021, 10, 1))] // Not a transmission year.
    #[case(date(2025, 10, 1))]
    #[case(date(2024, 12, 2))]
    #[case(date(2019, 12, 2))]
    #[case(date(2020, 12, 1))] // 1 Dec only every six years up to 2018.
    #[case(date(2024, 12, 1))] // Replaced by 1 Oct from 2024 (and a Sunday anyway).
    fn days_that_are_not_lft_holidays(#[case] day: Date) {
        assert_eq!(feriado_lft(day), None);
    }

    #[test]
    fn weekends_are_inhabiles() {
        let cal = Calendario::lft();
        assert_eq!(cal.inhabil(date(2021, 8, 28)), Some(Inhabil::FinDeSemana));
        assert_eq!(cal.inhabil(date(2021, 8, 29)), Some(Inhabil::FinDeSemana));
        assert_eq!(cal.inhabil(date(2021, 8, 30)), None);
    }

    #[test]
    fn sumar_and_count_are_inverse() {
        let cal = Calendario::lft();
        let start = date(2021, 8, 26);
        for n in 0..60 {
            let end = cal.sumar_dias_habiles(start, n);
            assert_eq!(cal.dias_habiles_entre(start, end), n);
        }
    }

    const SISAI: &str = include_str!("../../calendars/federacion-2021-suspension-sisai.toml");

    #[test]
    fn shipped_sisai_suspension_parses_and_covers_the_days() {
        let cal = Calendario::from_toml(SISAI).unwrap();
        for d in [13, 14, 15, 17, 20, 21, 22, 23, 24] {
            assert!(
                matches!(cal.inhabil(date(2021, 9, d)), Some(Inhabil::Suspension(_))),
                "{d} Sept 2021 must be suspended"
            );
        }
        assert!(cal.es_habil(date(2021, 9, 10)));
        assert!(cal.es_habil(date(2021, 9, 27)));
        assert!(cal.descripcion().starts_with("LFT art. 74 + "));
    }

    #[test]
    fn extra_dias_inhabiles_apply() {
        let cal = Calendario::from_toml(
            "descripcion = \"Acuerdo del pleno\"\ndias_inhabiles = [2021-11-02, 2021-11-03]\n",
        )
        .unwrap();
        assert!(!cal.es_habil(date(2021, 11, 2)));
        assert!(!cal.es_habil(date(2021, 11, 3)));
        assert!(cal.es_habil(date(2021, 11, 4)));
    }

    #[rstest]
    #[case("dias_inhabiles = [2021-13-02]\n", 1, 19)]
    #[case("descripcion = \"x\"\nfechas = [2021-01-02]\n", 2, 1)]
    #[case("dias_inhabiles = [\"2021-01-02\"]\n", 1, 19)]
    #[case(
        "[[suspensiones]]\ndesde = 2021-09-13\nhasta = 2021-09-10\nmotivo = \"x\"\n",
        3,
        9
    )]
    #[case("dias_inhabiles = [2021-01-02T10:00:00]\n", 1, 19)]
    #[case("descripcion = \n", 1, 15)]
    fn bad_files_fail_with_line_and_column(
        #[case] text: &str,
        #[case] line: usize,
        #[case] column: usize,
    ) {
        let err = Calendario::from_toml(text).unwrap_err();
        assert_eq!((err.line, err.column), (line, column), "{err}");
        assert!(!err.message.is_empty());
    }

    #[test]
    fn fecha_spans_point_at_the_value() {
        let datos: DatosCalendario = toml::from_str("dias_inhabiles = [2021-01-04]").unwrap();
        assert_eq!(datos.dias_inhabiles[0].span(), 18..28);
    }
}
