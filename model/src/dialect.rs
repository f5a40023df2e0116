//! The two wire dialects of the Infomex systems, and which jurisdictions spoke which.
//!
//! One type for the simulator (which speaks them), the reference server (which reads them) and
//! the scenario format (which may switch a jurisdiction to the other one).

use serde::{Deserialize, Serialize};

use crate::Jurisdiccion;

/// An Infomex wire dialect (docs/infomex-sim.md, "Wire dialects").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    /// JSON, UTF-8, ISO dates, bearer tokens.
    Modern,
    /// XML in Windows-1252, dd/mm/yyyy dates, HTML-escaped texts, errors inside HTTP 200.
    Legacy,
}

impl Dialect {
    pub const ALL: [Dialect; 2] = [Dialect::Modern, Dialect::Legacy];

    /// The jurisdictions whose Infomex spoke the legacy dialect by default (docs/infomex-sim.md,
    /// "Jurisdictions and dialects"). The simulator speaks, and the reference server expects,
    /// this split unless configured otherwise, so `pnt-suite up` works only while both read it
    /// from here.
    pub const LEGACY_DEFAULT: [Jurisdiccion; 6] = [
        Jurisdiccion::Chiapas,
        Jurisdiccion::Guerrero,
        Jurisdiccion::Jalisco,
        Jurisdiccion::Michoacan,
        Jurisdiccion::Oaxaca,
        Jurisdiccion::Veracruz,
    ];

    /// The dialect `j` speaks when nothing says otherwise.
    pub fn default_for(j: Jurisdiccion) -> Dialect {
        if Dialect::LEGACY_DEFAULT.contains(&j) {
            Dialect::Legacy
        } else {
            Dialect::Modern
        }
    }

    /// The other dialect.
    pub const fn other(self) -> Dialect {
        match self {
            Dialect::Modern => Dialect::Legacy,
            Dialect::Legacy => Dialect::Modern,
        }
    }

    /// The identifier used in configuration files, scenario files and APIs.
    pub const fn slug(self) -> &'static str {
        match self {
            Dialect::Modern => "modern",
            Dialect::Legacy => "legacy",
        }
    }

    /// Parses [`Dialect::slug`].
    pub fn parse(s: &str) -> Option<Dialect> {
        Dialect::ALL.into_iter().find(|d| d.slug() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_states_speak_legacy_by_default() {
        let legacy: Vec<_> = Jurisdiccion::ALL
            .into_iter()
            .filter(|j| Dialect::default_for(*j) == Dialect::Legacy)
            .collect();
        assert_eq!(legacy, Dialect::LEGACY_DEFAULT);
        assert_eq!(
            Dialect::default_for(Jurisdiccion::Federacion),
            Dialect::Modern
        );
    }

    #[test]
    fn slugs_round_trip_and_match_serde() {
        for d in Dialect::ALL {
            assert_eq!(Dialect::parse(d.slug()), Some(d));
            assert_eq!(serde_json::to_value(d).unwrap(), d.slug());
            assert_eq!(d.other().other(), d);
        }
        assert_eq!(Dialect::parse("moderno"), None);
    }
}
