//! The simulator as a scenario configures and drives it, in process.

use std::sync::Arc;

use infomex_sim::{Fault, SimConfig, SimHandle};
use jiff::Timestamp;
use pnt_model::Jurisdiccion;

use super::error::RunError;
use super::oracle::SimAccount;
use super::world::{BoxFuture, Infomex};
use crate::scenario::Scenario;
use pnt_model::Dialect;

/// The simulator's start-up configuration for `scenario` with `seed`: dialect overrides, limits,
/// configured accounts and the initial fault plan, all in the simulator's documented shapes.
pub(super) fn sim_config(scenario: &Scenario, seed: u64) -> Result<SimConfig, RunError> {
    let mut config = SimConfig {
        seed,
        ..SimConfig::default()
    };
    let infomex = &scenario.infomex;
    for (j, d) in infomex.dialects.iter() {
        match d {
            Dialect::Legacy => config.legacy.insert(*j),
            Dialect::Modern => config.legacy.remove(j),
        };
    }
    if let Some(n) = infomex.max_intentos {
        config.max_intentos = n;
    }
    if let Some(s) = infomex.sesion_segundos {
        config.sesion_segundos = u64::from(s);
    }
    for account in &infomex.accounts {
        config.cuentas.push(account.config(seed));
    }
    for fault in &infomex.faults {
        // Loading the scenario ran the same check; a failure here names the fault anyway.
        let fault = fault.check().map_err(|e| RunError::FaultRefused {
            kind: fault.kind.name(),
            cause: e.to_string(),
        })?;
        config.faults.push(fault);
    }
    Ok(config)
}

/// [`Infomex`] over a simulator running in this process.
pub(super) struct SimInfomex(pub(super) Arc<SimHandle>);

impl Infomex for SimInfomex {
    fn add_faults(&self, faults: Vec<Fault>) -> BoxFuture<'_, Result<(), RunError>> {
        Box::pin(async move {
            self.0.add_faults(faults);
            Ok(())
        })
    }

    fn clear_faults(&self) -> BoxFuture<'_, Result<(), RunError>> {
        Box::pin(async move {
            self.0.clear_faults();
            Ok(())
        })
    }

    fn set_now(&self, now: Timestamp) -> BoxFuture<'_, Result<(), RunError>> {
        Box::pin(async move {
            self.0.set_now(Some(now));
            Ok(())
        })
    }

    fn account(
        &self,
        j: Jurisdiccion,
        usuario: String,
    ) -> BoxFuture<'_, Result<Option<SimAccount>, RunError>> {
        Box::pin(async move {
            match self.0.account(j, &usuario) {
                None => Ok(None),
                Some(cuenta) => Ok(Some(SimAccount {
                    solicitudes: cuenta.solicitudes.iter().map(|g| g.to_model()).collect(),
                    usuario: cuenta.usuario,
                    contrasena: cuenta.contrasena,
                    bloqueada: cuenta.bloqueada,
                })),
            }
        })
    }
}
