//! The simulator's configuration: seed, dialects, sessions, accounts, faults.

use std::collections::BTreeSet;

use jiff::Timestamp;
use pnt_model::{Dialect, Jurisdiccion};
use serde::{Deserialize, Serialize};

use crate::account::CuentaConfig;
use crate::fault::Fault;

/// Everything the simulator's behaviour depends on, besides the requests it receives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SimConfig {
    pub seed: u64,
    /// Session validity in seconds of the simulator's clock.
    pub sesion_segundos: u64,
    /// Failed log-ins in a row that lock an account.
    pub max_intentos: u32,
    /// The jurisdictions that speak the legacy dialect; all others speak modern.
    pub legacy: BTreeSet<Jurisdiccion>,
    /// Configured accounts (override or add to the procedural ones).
    pub cuentas: Vec<CuentaConfig>,
    /// The fault plan at start.
    pub faults: Vec<Fault>,
    /// How many journal entries are kept (oldest dropped first).
    pub journal_capacity: usize,
    /// Bearer token the admin API requires when bound to a non-loopback address.
    pub admin_token: Option<String>,
    /// A fixed start time for the clock; the system clock when absent.
    pub ahora: Option<Timestamp>,
    /// Milliseconds to receive a request's complete head, counted from the moment the
    /// connection waits for it (its opening, or the end of the previous response): hyper runs one
    /// timer for both, so this is also the idle keep-alive timeout. A response the simulator
    /// delays on purpose (`delay`, `hang`) is not affected: the head has been read by then.
    pub espera_cabeceras_ms: u64,
    /// Longest silence, in milliseconds, while a request body arrives.
    pub espera_cuerpo_ms: u64,
    /// Connections served at once; one more is answered `503` and closed at once.
    pub max_conexiones: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 42,
            sesion_segundos: 900,
            max_intentos: 5,
            legacy: Dialect::LEGACY_DEFAULT.into_iter().collect(),
            cuentas: Vec::new(),
            faults: Vec::new(),
            journal_capacity: 10_000,
            admin_token: None,
            ahora: None,
            espera_cabeceras_ms: 10_000,
            espera_cuerpo_ms: 30_000,
            max_conexiones: 1024,
        }
    }
}

impl SimConfig {
    /// Parses a TOML configuration file (see docs/infomex-sim.md). Errors carry line:column.
    pub fn from_toml(text: &str) -> Result<SimConfig, ConfigError> {
        toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start).min(text.len());
            let before = &text[..offset];
            ConfigError {
                line: before.matches('\n').count() + 1,
                column: before.rsplit('\n').next().unwrap_or("").chars().count() + 1,
                message: crate::fault::in_spanish(e.message().trim()),
            }
        })
    }

    pub fn dialect(&self, j: Jurisdiccion) -> Dialect {
        if self.legacy.contains(&j) {
            Dialect::Legacy
        } else {
            Dialect::Modern
        }
    }
}

/// A configuration file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("línea {line}, columna {column}: {message}")]
pub struct ConfigError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl ConfigError {
    pub const CODE: &'static str = "configuracion_invalida";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_config_with_accounts_and_faults() {
        let cfg = SimConfig::from_toml(
            r#"
seed = 7
legacy = ["jalisco", "Nuevo León"]

[[cuentas]]
jurisdiccion = "federacion"
usuario = "maria"
contrasena = "s3creta"
generar = 12

[[faults]]
kind = "http_status"
status = 503
jurisdiccion = "jalisco"
times = 2
"#,
        )
        .unwrap();
        assert_eq!(cfg.seed, 7);
        assert_eq!(cfg.dialect(Jurisdiccion::NuevoLeon), Dialect::Legacy);
        assert_eq!(cfg.dialect(Jurisdiccion::Oaxaca), Dialect::Modern);
        assert_eq!(cfg.cuentas[0].generar, 12);
        assert_eq!(cfg.faults[0].times, Some(2));
        assert_eq!(cfg.sesion_segundos, 900);
    }

    #[test]
    fn bad_config_points_at_the_problem() {
        let err = SimConfig::from_toml("seed = 1\nsesion = 5\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 1), "{err}");
        // An unknown kind gets the nearest one and the catalog's kinds, in Spanish.
        let err = SimConfig::from_toml("[[faults]]\nkind = \"hnag\"\n").unwrap_err();
        assert!(
            err.message
                .starts_with("valor desconocido `hnag`; ¿quiso decir `hang`? (valores válidos: `"),
            "{err}"
        );
        assert!(err.message.contains("`http_status`"), "{err}");
        let err = SimConfig::from_toml("[[faults]]\nkind = \"zzz\"\n").unwrap_err();
        assert!(
            err.message
                .starts_with("valor desconocido `zzz`; los valores válidos son `"),
            "{err}"
        );
        let err = SimConfig::from_toml("[[faults]]\nkind = \"hang\"\nstatus = 503\n").unwrap_err();
        assert!(
            err.message
                .contains("el campo `status` no aplica a la falla `hang`; quítelo"),
            "{err}"
        );
    }

    #[test]
    fn at_least_five_legacy_states_by_default() {
        let cfg = SimConfig::default();
        assert!(cfg.legacy.len() >= 5);
        assert!(!cfg.legacy.contains(&Jurisdiccion::Federacion));
    }
}
