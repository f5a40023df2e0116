//! What a scenario runs against: the PNT target and the Infomex simulator, started fresh for
//! each scenario by an [`Environment`].

use std::future::Future;
use std::pin::Pin;

use jiff::Timestamp;
use pnt_model::Jurisdiccion;

use infomex_sim::Fault;

use super::error::RunError;
use super::oracle::SimAccount;
use crate::report;
use crate::scenario::Instance;

/// A boxed future, so environments can be chosen at run time.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The simulator's side, as a scenario drives it. Faults are the simulator's own type, checked
/// by its catalog when the scenario was loaded.
pub trait Infomex: Send + Sync {
    fn add_faults(&self, faults: Vec<Fault>) -> BoxFuture<'_, Result<(), RunError>>;
    fn clear_faults(&self) -> BoxFuture<'_, Result<(), RunError>>;
    /// Sets the simulator's clock.
    fn set_now(&self, now: Timestamp) -> BoxFuture<'_, Result<(), RunError>>;
    /// The account as the simulator holds it (the oracle's source of truth), if it exists.
    fn account(
        &self,
        j: Jurisdiccion,
        usuario: String,
    ) -> BoxFuture<'_, Result<Option<SimAccount>, RunError>>;
}

/// Restarting the target on the same data (the embedded reference server can).
pub trait Restart: Send + Sync {
    fn restart(&self) -> BoxFuture<'_, Result<(), RunError>>;
}

/// One scenario's world: where the target answers, its simulator, and whatever keeps them
/// running (dropped when the scenario ends).
pub struct World {
    pub pnt_base: String,
    pub infomex: Box<dyn Infomex>,
    pub restart: Option<Box<dyn Restart>>,
    /// Whether the target was configured with the scenario's `infomex.dialects` (in process,
    /// or through its `infomex` hook).
    pub dialects: bool,
    /// What the target's test hooks require in `X-Pnt-Test-Token` (`run --test-hooks-token`).
    pub hooks_token: Option<String>,
    pub guard: Box<dyn std::any::Any + Send + Sync>,
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("World")
            .field("pnt_base", &self.pnt_base)
            .field("restart", &self.restart.is_some())
            .finish_non_exhaustive()
    }
}

/// Starts worlds.
pub trait Environment: Send + Sync {
    /// What the reports say was tested.
    fn target(&self) -> report::Target;
    /// Whether worlds are independent, so scenarios may run at the same time (`--jobs`).
    fn parallel(&self) -> bool;
    /// A fresh world for `instance`: the simulator configured from its `infomex` section with
    /// `seed`, the target empty.
    fn start<'a>(
        &'a self,
        instance: &'a Instance,
        seed: u64,
    ) -> BoxFuture<'a, Result<World, RunError>>;
}
