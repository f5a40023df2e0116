//! Folios: the identifiers of solicitudes.
//!
//! Three families (DESIGN.md, "Domain facts"):
//! - **Federal Infomex**, 13 digits: 5-digit institution code, 6-digit sequence, 2-digit year
//!   (`0623800160321` = institution 06238, sequence 001603, year 2021).
//! - **PNT/SISAI 2.0** (since September 2021), 15 digits: 2-digit órgano garante (the
//!   jurisdiction's code, 33 for the Federación), 5-digit sujeto obligado, 2-digit year, 6-digit
//!   sequence (`330019222000213`).
//! - **State Infomex**: the real state formats were never published, so each state gets a
//!   *synthetic*, plausible and distinct format, built from one of four families and the state's
//!   usual abbreviation (see [`Folio::formato_estatal`] and `docs/folios.md`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Jurisdiccion;

/// A parsed folio. Construct with the checked constructors or [`Folio::parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Folio {
    /// Federal Infomex, 13 digits.
    InfomexFederal {
        /// Institution (unidad de enlace) code, 0–99999.
        institucion: u32,
        /// Sequence within institution and year, 0–999999.
        secuencia: u32,
        /// Four-digit year (the folio carries its last two digits; 2000s assumed).
        anio: i16,
    },
    /// PNT / SISAI 2.0, 15 digits.
    Sisai {
        /// Órgano garante: the jurisdiction.
        organo_garante: Jurisdiccion,
        /// Sujeto obligado code, 0–99999.
        sujeto_obligado: u32,
        anio: i16,
        /// Sequence, 0–999999.
        secuencia: u32,
    },
    /// A state's Infomex (synthetic format, see the module docs).
    InfomexEstatal {
        jurisdiccion: Jurisdiccion,
        /// Unit code for formats that carry one (0–999); 0 for formats that do not.
        unidad: u16,
        /// Sequence; at most 5 or 6 digits depending on the state's format.
        secuencia: u32,
        anio: i16,
    },
}

/// A token of a synthetic state folio format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Lit(&'static str),
    Abbr,
    Code,
    Unidad,
    Seq(usize),
    Year2,
    Year4,
}

use Token::*;

/// The four synthetic families; a state uses `FAMILIES[code % 4]`.
const FAMILIES: [&[Token]; 4] = [
    // Numeric, like many Infomex deployments: code + unit + sequence + year, 12 digits.
    &[Code, Unidad, Seq(5), Year2],
    // Unidad de Transparencia style.
    &[Abbr, Lit("/UT/"), Seq(5), Lit("/"), Year4],
    // Unit, sequence and short year.
    &[Abbr, Lit("-"), Unidad, Lit("-"), Seq(6), Lit("-"), Year2],
    // "Sistema Infomex" prefix.
    &[Lit("SI-"), Abbr, Lit("-"), Year4, Lit("-"), Seq(5)],
];

/// The usual abbreviation of each state, indexed by code - 1.
const ABBR: [&str; 32] = [
    "AGS", "BC", "BCS", "CAMP", "COAH", "COL", "CHIS", "CHIH", "CDMX", "DGO", "GTO", "GRO", "HGO",
    "JAL", "MEX", "MICH", "MOR", "NAY", "NL", "OAX", "PUE", "QRO", "QROO", "SLP", "SIN", "SON",
    "TAB", "TAMPS", "TLAX", "VER", "YUC", "ZAC",
];

fn family(j: Jurisdiccion) -> &'static [Token] {
    FAMILIES[usize::from(j.code() % 4)]
}

impl Folio {
    /// A federal Infomex folio; fails when a field does not fit its digits.
    pub fn infomex_federal(
        institucion: u32,
        secuencia: u32,
        anio: i16,
    ) -> Result<Folio, FolioError> {
        check_range("institución", institucion, 99_999)?;
        check_range("secuencia", secuencia, 999_999)?;
        check_year(anio)?;
        Ok(Folio::InfomexFederal {
            institucion,
            secuencia,
            anio,
        })
    }

    /// A PNT/SISAI 2.0 folio.
    pub fn sisai(
        organo_garante: Jurisdiccion,
        sujeto_obligado: u32,
        anio: i16,
        secuencia: u32,
    ) -> Result<Folio, FolioError> {
        check_range("sujeto obligado", sujeto_obligado, 99_999)?;
        check_range("secuencia", secuencia, 999_999)?;
        check_year(anio)?;
        Ok(Folio::Sisai {
            organo_garante,
            sujeto_obligado,
            anio,
            secuencia,
        })
    }

    /// A folio of `jurisdiccion`'s Infomex: the federal format for the Federación, the state's
    /// synthetic format otherwise. `unidad` is ignored (set to 0) by formats that carry none.
    pub fn infomex(
        jurisdiccion: Jurisdiccion,
        unidad: u16,
        secuencia: u32,
        anio: i16,
    ) -> Result<Folio, FolioError> {
        if jurisdiccion.es_federacion() {
            return Folio::infomex_federal(u32::from(unidad), secuencia, anio);
        }
        check_year(anio)?;
        let tokens = family(jurisdiccion);
        let has_unit = tokens.contains(&Unidad);
        if has_unit {
            check_range("unidad", u32::from(unidad), 999)?;
        }
        check_range("secuencia", secuencia, Folio::max_secuencia(jurisdiccion))?;
        Ok(Folio::InfomexEstatal {
            jurisdiccion,
            unidad: if has_unit { unidad } else { 0 },
            secuencia,
            anio,
        })
    }

    /// The largest sequence number a folio of `j`'s Infomex can carry (99,999 or 999,999).
    pub fn max_secuencia(j: Jurisdiccion) -> u32 {
        if j.es_federacion() {
            return 999_999;
        }
        let digits = family(j)
            .iter()
            .find_map(|t| if let Seq(n) = t { Some(*n) } else { None })
            .unwrap_or(6);
        10u32.pow(digits as u32) - 1
    }

    /// The synthetic format of a state's Infomex folios, as a pattern such as `JAL-UUU-NNNNNN-AA`
    /// (U unit digit, N sequence digit, A year digit, E the INEGI code). For the Federación, the
    /// federal 13-digit pattern.
    pub fn formato_estatal(j: Jurisdiccion) -> String {
        if j.es_federacion() {
            return "IIIIINNNNNNAA".to_owned();
        }
        family(j)
            .iter()
            .map(|t| match t {
                Lit(s) => (*s).to_owned(),
                Abbr => ABBR[usize::from(j.code()) - 1].to_owned(),
                Code => format!("{:02}", j.code()),
                Unidad => "UUU".to_owned(),
                Seq(n) => "N".repeat(*n),
                Year2 => "AA".to_owned(),
                Year4 => "AAAA".to_owned(),
            })
            .collect()
    }

    /// Parses any known folio format.
    pub fn parse(input: &str) -> Result<Folio, FolioError> {
        let s = input.trim();
        if s.len() == 15 && s.bytes().all(|b| b.is_ascii_digit()) {
            return parse_sisai(s).ok_or_else(|| FolioError::formato(input));
        }
        if s.len() == 13 && s.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(parse_federal(s));
        }
        Jurisdiccion::ALL[..32]
            .iter()
            .find_map(|j| parse_estatal(*j, s))
            .ok_or_else(|| FolioError::formato(input))
    }

    /// The jurisdiction whose system issued the folio.
    pub fn jurisdiccion(&self) -> Jurisdiccion {
        match self {
            Folio::InfomexFederal { .. } => Jurisdiccion::Federacion,
            Folio::Sisai { organo_garante, .. } => *organo_garante,
            Folio::InfomexEstatal { jurisdiccion, .. } => *jurisdiccion,
        }
    }

    /// The year the folio encodes.
    pub fn anio(&self) -> i16 {
        match self {
            Folio::InfomexFederal { anio, .. }
            | Folio::Sisai { anio, .. }
            | Folio::InfomexEstatal { anio, .. } => *anio,
        }
    }

    /// Whether this folio was issued by an Infomex system (federal or state) rather than PNT.
    pub fn es_infomex(&self) -> bool {
        !matches!(self, Folio::Sisai { .. })
    }
}

fn check_range(field: &'static str, value: u32, max: u32) -> Result<(), FolioError> {
    if value > max {
        return Err(FolioError {
            input: value.to_string(),
            detalle: format!("{field} {value} no cabe en el folio (máximo {max})"),
        });
    }
    Ok(())
}

fn check_year(anio: i16) -> Result<(), FolioError> {
    if !(2000..=2099).contains(&anio) {
        return Err(FolioError {
            input: anio.to_string(),
            detalle: format!("año {anio} fuera de 2000–2099"),
        });
    }
    Ok(())
}

fn digits(s: &str) -> u32 {
    s.parse().expect("caller checked digits")
}

fn parse_federal(s: &str) -> Folio {
    Folio::InfomexFederal {
        institucion: digits(&s[0..5]),
        secuencia: digits(&s[5..11]),
        anio: 2000 + digits(&s[11..13]) as i16,
    }
}

fn parse_sisai(s: &str) -> Option<Folio> {
    Some(Folio::Sisai {
        organo_garante: Jurisdiccion::from_code(digits(&s[0..2]) as u8)?,
        sujeto_obligado: digits(&s[2..7]),
        anio: 2000 + digits(&s[7..9]) as i16,
        secuencia: digits(&s[9..15]),
    })
}

fn parse_estatal(j: Jurisdiccion, s: &str) -> Option<Folio> {
    let mut rest = s;
    let (mut unidad, mut secuencia, mut anio) = (0u16, 0u32, 0i16);
    for token in family(j) {
        let take_digits = |rest: &mut &str, n: usize| -> Option<u32> {
            let (head, tail) = (rest.get(..n)?, rest.get(n..)?);
            if !head.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            *rest = tail;
            Some(digits(head))
        };
        match token {
            Lit(lit) => rest = rest.strip_prefix(lit)?,
            Abbr => rest = rest.strip_prefix(ABBR[usize::from(j.code()) - 1])?,
            Code => {
                if take_digits(&mut rest, 2)? != u32::from(j.code()) {
                    return None;
                }
            }
            Unidad => unidad = take_digits(&mut rest, 3)? as u16,
            Seq(n) => secuencia = take_digits(&mut rest, *n)?,
            Year2 => anio = 2000 + take_digits(&mut rest, 2)? as i16,
            Year4 => anio = take_digits(&mut rest, 4)? as i16,
        }
    }
    (rest.is_empty() && (2000..=2099).contains(&anio)).then_some(Folio::InfomexEstatal {
        jurisdiccion: j,
        unidad,
        secuencia,
        anio,
    })
}

impl fmt::Display for Folio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Folio::InfomexFederal {
                institucion,
                secuencia,
                anio,
            } => write!(f, "{institucion:05}{secuencia:06}{:02}", anio % 100),
            Folio::Sisai {
                organo_garante,
                sujeto_obligado,
                anio,
                secuencia,
            } => write!(
                f,
                "{:02}{sujeto_obligado:05}{:02}{secuencia:06}",
                organo_garante.code(),
                anio % 100
            ),
            Folio::InfomexEstatal {
                jurisdiccion,
                unidad,
                secuencia,
                anio,
            } => {
                for token in family(jurisdiccion) {
                    match token {
                        Lit(s) => f.write_str(s)?,
                        Abbr => f.write_str(ABBR[usize::from(jurisdiccion.code()) - 1])?,
                        Code => write!(f, "{:02}", jurisdiccion.code())?,
                        Unidad => write!(f, "{unidad:03}")?,
                        Seq(n) => write!(f, "{secuencia:0n$}")?,
                        Year2 => write!(f, "{:02}", anio % 100)?,
                        Year4 => write!(f, "{anio:04}")?,
                    }
                }
                Ok(())
            }
        }
    }
}

impl FromStr for Folio {
    type Err = FolioError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Folio::parse(s)
    }
}

impl Serialize for Folio {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Folio {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Folio::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Text that is not a folio of any known format, or fields that do not fit one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("folio inválido «{input}»: {detalle}")]
pub struct FolioError {
    pub input: String,
    pub detalle: String,
}

impl FolioError {
    /// Stable machine code of this failure.
    pub const CODE: &'static str = "folio_invalido";

    fn formato(input: &str) -> FolioError {
        FolioError {
            input: input.to_owned(),
            detalle: "se esperaban 13 dígitos (Infomex federal), 15 dígitos (PNT/SISAI) o el \
                      formato Infomex de un estado (p. ej. JAL-UUU-NNNNNN-AA); vea docs/folios.md"
                .to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_federal_folio() {
        let folio = Folio::parse("0623800160321").unwrap();
        assert_eq!(
            folio,
            Folio::InfomexFederal {
                institucion: 6238,
                secuencia: 1603,
                anio: 2021
            }
        );
        assert_eq!(folio.jurisdiccion(), Jurisdiccion::Federacion);
        assert_eq!(folio.to_string(), "0623800160321");
        assert!(folio.es_infomex());
    }

    #[test]
    fn sisai_folio() {
        let folio = Folio::parse("330019222000213").unwrap();
        assert_eq!(
            folio,
            Folio::Sisai {
                organo_garante: Jurisdiccion::Federacion,
                sujeto_obligado: 192,
                anio: 2022,
                secuencia: 213
            }
        );
        assert_eq!(folio.to_string(), "330019222000213");
        assert!(!folio.es_infomex());
        assert_eq!(
            Folio::parse("140019222000213").unwrap().jurisdiccion(),
            Jurisdiccion::Jalisco
        );
        assert!(Folio::parse("340019222000213").is_err());
    }

    #[test]
    fn every_state_format_round_trips_and_knows_its_state() {
        for j in Jurisdiccion::ALL {
            let folio = Folio::infomex(j, 45, 12_345, 2019).unwrap();
            let text = folio.to_string();
            let back = Folio::parse(&text).unwrap();
            assert_eq!(back, folio, "{j}: {text}");
            assert_eq!(back.jurisdiccion(), j);
            assert_eq!(back.anio(), 2019);
            assert_eq!(text.len(), Folio::formato_estatal(j).len(), "{text}");
        }
    }

    #[test]
    fn state_formats_are_distinct() {
        let mut formats: Vec<String> = Jurisdiccion::ALL
            .iter()
            .map(|j| Folio::formato_estatal(*j))
            .collect();
        formats.sort();
        formats.dedup();
        assert_eq!(formats.len(), 33);
        assert_eq!(
            Folio::formato_estatal(Jurisdiccion::Jalisco),
            "JAL-UUU-NNNNNN-AA"
        );
        assert_eq!(
            Folio::formato_estatal(Jurisdiccion::CiudadDeMexico),
            "CDMX/UT/NNNNN/AAAA"
        );
        assert_eq!(
            Folio::formato_estatal(Jurisdiccion::NuevoLeon),
            "SI-NL-AAAA-NNNNN"
        );
        assert_eq!(
            Folio::formato_estatal(Jurisdiccion::Chihuahua),
            "08UUUNNNNNAA"
        );
    }

    #[test]
    fn max_secuencia_reads_the_format_not_its_letters() {
        // "SIN" and "NL" contain an N: the limit must come from the format's tokens.
        assert_eq!(Folio::max_secuencia(Jurisdiccion::Sinaloa), 99_999);
        assert_eq!(Folio::max_secuencia(Jurisdiccion::NuevoLeon), 99_999);
        assert_eq!(Folio::max_secuencia(Jurisdiccion::Jalisco), 999_999);
        assert_eq!(Folio::max_secuencia(Jurisdiccion::Federacion), 999_999);
        for j in Jurisdiccion::ALL {
            assert!(
                Folio::infomex(j, 1, Folio::max_secuencia(j), 2019).is_ok(),
                "{j}"
            );
            assert!(
                Folio::infomex(j, 1, Folio::max_secuencia(j) + 1, 2019).is_err(),
                "{j}"
            );
        }
    }

    #[test]
    fn fields_that_do_not_fit_are_refused() {
        assert!(Folio::infomex(Jurisdiccion::CiudadDeMexico, 0, 100_000, 2019).is_err());
        assert!(Folio::infomex(Jurisdiccion::Jalisco, 1000, 1, 2019).is_err());
        assert!(Folio::infomex_federal(100_000, 1, 2019).is_err());
        assert!(Folio::infomex_federal(1, 1, 1999).is_err());
    }

    #[test]
    fn garbage_is_refused_with_a_hint() {
        for bad in [
            "",
            "123",
            "JAL-001-000001-1",
            "XX/UT/00001/2019",
            "06238001603211",
        ] {
            let err = Folio::parse(bad).unwrap_err();
            assert!(err.to_string().contains("docs/folios.md"), "{err}");
        }
    }
}
