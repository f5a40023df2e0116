//! infomex-sim impersonates the 33 Infomex systems (32 states and the Federación) from one HTTP
//! server, with seeded, reproducible accounts, two wire dialects and a catalog of faults.
//! The protocol is documented in `docs/infomex-sim.md`.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use infomex_sim::{Fault, FaultKind, InfomexSim};
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let sim = InfomexSim::builder()
//!     .seed(42)
//!     .fault(Fault::new(FaultKind::HttpStatus { status: 503 }).times(1))
//!     .start_on(listener)
//!     .await?;
//! println!("{}", sim.url());
//! # Ok(()) }
//! ```
//!
//! # Layout
//!
//! - [`config`]: `SimConfig` — seed, dialects, sessions, accounts, faults (also from TOML).
//! - `corpus`: the Spanish word lists and texts in `data/`, compiled in.
//! - [`account`]: accounts as a pure function of (seed, jurisdiction, usuario).
//! - `attachment`: deterministic attachment bytes.
//! - [`fault`]: the fault catalog and the plan that decides which request meets which fault.
//! - `wire`: the modern (JSON) and legacy (Windows-1252 XML) renderings.
//! - `query`: paths and query strings read in place (the hot path's parsing).
//! - `journal`: the bounded request journal.
//! - `state`: sessions, lock-outs, the account cache, drift records, journal.
//! - `handler`: requests to the 33 systems — route, fault, execute, journal.
//! - `admin`: the `/__admin` API.
//! - `server`: the accept loop and transport faults (reset, truncation).
//! - `clock`: the injectable clock (system or manual); `delay` ends on whichever passes first.

pub mod account;
mod admin;
mod attachment;
mod clock;
pub mod config;
mod corpus;
pub mod fault;
mod handler;
mod journal;
mod query;
mod server;
mod state;
mod wire;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use jiff::Timestamp;
use pnt_model::Jurisdiccion;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

pub use account::{
    AdjuntoConfig, Cuenta, CuentaConfig, Generated, es_procedural, procedural_password,
};
pub use attachment::AdjuntoFile;
pub use config::{ConfigError, SimConfig};
pub use fault::{Endpoint, Fault, FaultKind, FaultKindName, FaultSpec, FaultStatus};
pub use journal::{JournalEntry, JournalPage};

use state::SimState;

/// Entry point of the builder API.
#[derive(Debug)]
pub struct InfomexSim;

impl InfomexSim {
    pub fn builder() -> SimBuilder {
        SimBuilder {
            config: SimConfig::default(),
        }
    }
}

/// Builds a simulator: `InfomexSim::builder().seed(42).account(..).fault(..).start_on(listener)`.
#[derive(Debug, Clone)]
pub struct SimBuilder {
    config: SimConfig,
}

impl SimBuilder {
    /// Replaces the whole configuration.
    pub fn config(mut self, config: SimConfig) -> SimBuilder {
        self.config = config;
        self
    }

    pub fn seed(mut self, seed: u64) -> SimBuilder {
        self.config.seed = seed;
        self
    }

    pub fn account(mut self, cuenta: CuentaConfig) -> SimBuilder {
        self.config.cuentas.push(cuenta);
        self
    }

    pub fn fault(mut self, fault: Fault) -> SimBuilder {
        self.config.faults.push(fault);
        self
    }

    /// The jurisdictions that speak the legacy dialect (all others speak modern).
    pub fn legacy(mut self, jurisdicciones: impl IntoIterator<Item = Jurisdiccion>) -> SimBuilder {
        self.config.legacy = jurisdicciones.into_iter().collect();
        self
    }

    /// Starts with a manual clock at `now` (sessions and delays then follow it).
    pub fn now(mut self, now: Timestamp) -> SimBuilder {
        self.config.ahora = Some(now);
        self
    }

    pub fn session_seconds(mut self, seconds: u64) -> SimBuilder {
        self.config.sesion_segundos = seconds;
        self
    }

    pub fn max_attempts(mut self, attempts: u32) -> SimBuilder {
        self.config.max_intentos = attempts;
        self
    }

    pub fn admin_token(mut self, token: impl Into<String>) -> SimBuilder {
        self.config.admin_token = Some(token.into());
        self
    }

    /// Serves on `listener` in a background task until the handle is dropped or shut down.
    pub async fn start_on(self, listener: TcpListener) -> io::Result<SimHandle> {
        let addr = listener.local_addr()?;
        let (app, state, stop_tx) = build(self.config, addr)?;
        let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
        let task = tokio::spawn(server::run(
            app,
            state.clone(),
            listener,
            stop_tx,
            async move {
                let _ = shutdown_rx.await;
            },
        ));
        Ok(SimHandle {
            state,
            addr,
            shutdown: Some(shutdown_tx),
            task: Some(task),
        })
    }

    /// Binds 127.0.0.1 on a free port and starts.
    pub async fn start(self) -> io::Result<SimHandle> {
        self.start_on(TcpListener::bind("127.0.0.1:0").await?).await
    }
}

/// Serves the simulator described by `config` on `listener` until `shutdown` completes.
pub async fn serve(
    config: SimConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let addr = listener.local_addr()?;
    let (app, state, stop_tx) = build(config, addr)?;
    server::run(app, state, listener, stop_tx, shutdown).await
}

fn build(
    config: SimConfig,
    addr: SocketAddr,
) -> io::Result<(Router, Arc<SimState>, watch::Sender<bool>)> {
    let admin_token = match (&config.admin_token, addr.ip().is_loopback()) {
        (Some(token), _) => Some(token.clone()),
        (None, true) => None,
        (None, false) => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "el simulador escucha en {addr}, fuera de loopback: la API de administración \
                     necesita un token (--admin-token)"
                ),
            ));
        }
    };
    let state = Arc::new(SimState::new(config));
    let app = Router::new()
        .route("/health", get(admin::health))
        .merge(admin::router(state.clone(), admin_token))
        .fallback(|| async { server::respond(admin::unknown_route(), None, None) })
        .with_state(state.clone());
    Ok((app, state, watch::Sender::new(false)))
}

/// A running simulator. Dropping it stops the server.
#[derive(Debug)]
pub struct SimHandle {
    state: Arc<SimState>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<io::Result<()>>>,
}

impl SimHandle {
    /// Base URL, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The admin API's base URL.
    pub fn admin_url(&self) -> String {
        format!("http://{}/__admin", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The account as the simulator holds it (the oracle's source of truth).
    pub fn account(&self, j: Jurisdiccion, usuario: &str) -> Option<Cuenta> {
        self.state.account(j, usuario).map(|c| c.cuenta.clone())
    }

    /// The first procedural usuario (`ciudadano1`, `ciudadano2`, … up to `ciudadano{limit}`) of
    /// `j` whose account satisfies `pred`: how tests and demos pick an account with what they
    /// need (enough solicitudes, an attachment, a non-ASCII text) without pinning one seed's data.
    pub fn find_usuario(
        &self,
        j: Jurisdiccion,
        limit: u32,
        mut pred: impl FnMut(&Cuenta) -> bool,
    ) -> Option<String> {
        (1..=limit)
            .map(|n| format!("ciudadano{n}"))
            .find(|u| self.account(j, u).is_some_and(|c| pred(&c)))
    }

    pub fn put_account(&self, cuenta: CuentaConfig) {
        self.state.put_account(cuenta);
    }

    pub fn add_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state.lock().faults.add(faults);
    }

    pub fn clear_faults(&self) {
        self.state.lock().faults.clear();
    }

    pub fn fault_status(&self) -> Vec<FaultStatus> {
        self.state.lock().faults.status()
    }

    pub fn journal(&self) -> Vec<JournalEntry> {
        self.state.lock().journal.page().entries
    }

    /// Sets the manual clock (`None` returns to the system clock).
    pub fn set_now(&self, now: Option<Timestamp>) {
        self.state.clock.set(now);
    }

    /// Back to the start-up configuration.
    pub fn reset(&self) {
        self.state.reset();
    }

    /// Stops the server and waits for its accept loop to end.
    pub async fn shutdown(mut self) -> io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.task.take() {
            Some(task) => task.await.unwrap_or(Ok(())),
            None => Ok(()),
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
