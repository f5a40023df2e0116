//! `--target URL`: any server implementing the PNT API. The simulator still runs in this
//! process, bound where the target can reach it (`--sim-addr`), restarted with each scenario's
//! configuration; the target is reset through its `reset` hook when it offers one. One world at
//! a time: the target is shared.

use std::net::SocketAddr;
use std::sync::Arc;

use infomex_sim::{InfomexSim, SimHandle};
use tokio::net::TcpListener;
use tokio::sync::Mutex;

use super::client::PntClient;
use super::error::RunError;
use super::sim::{SimInfomex, sim_config};
use super::world::{BoxFuture, Environment, World};
use crate::report;
use crate::scenario::Instance;

/// An external target and the address the simulator listens on.
#[derive(Debug)]
pub struct External {
    url: String,
    sim_addr: SocketAddr,
    admin_token: Option<String>,
    /// The simulator of the scenario that ran last, stopped before the next one binds.
    previous: Mutex<Option<Arc<SimHandle>>>,
}

impl External {
    /// `admin_token` protects the simulator's admin API when `sim_addr` is not loopback.
    pub fn new(url: String, sim_addr: SocketAddr, admin_token: Option<String>) -> External {
        External {
            url,
            sim_addr,
            admin_token,
            previous: Mutex::new(None),
        }
    }
}

impl Environment for External {
    fn target(&self) -> report::Target {
        report::Target::External {
            url: self.url.clone(),
        }
    }

    fn parallel(&self) -> bool {
        false
    }

    fn start<'a>(
        &'a self,
        instance: &'a Instance,
        seed: u64,
    ) -> BoxFuture<'a, Result<World, RunError>> {
        Box::pin(async move {
            let mut previous = self.previous.lock().await;
            if let Some(sim) = previous.take() {
                match Arc::try_unwrap(sim) {
                    Ok(sim) => sim
                        .shutdown()
                        .await
                        .map_err(|e| RunError::PreviousSimNotStopped(e.to_string()))?,
                    Err(_) => return Err(RunError::PreviousSimInUse),
                }
            }
            let mut config = sim_config(&instance.scenario, seed)?;
            config.admin_token = self.admin_token.clone();
            let listener = TcpListener::bind(self.sim_addr).await.map_err(|e| {
                RunError::SimAddrUnavailable {
                    addr: self.sim_addr,
                    cause: crate::error::io_cause(&e),
                }
            })?;
            let sim = Arc::new(
                InfomexSim::builder()
                    .config(config)
                    .start_on(listener)
                    .await
                    .map_err(|e| RunError::SimNotStarted(e.to_string()))?,
            );
            *previous = Some(sim.clone());
            let client = PntClient::discover(&self.url, super::client::DEFAULT_TIMEOUT).await?;
            if client.hooks().available.iter().any(|h| h == "reset") {
                let reset = client.reset().await?;
                if !(200..300).contains(&reset.status) {
                    return Err(RunError::HookFailed {
                        hook: "reset",
                        status: reset.status,
                        text: reset.text,
                    });
                }
            }
            Ok(World {
                pnt_base: self.url.clone(),
                infomex: Box::new(SimInfomex(sim)),
                restart: None,
                dialects: false,
                guard: Box::new(()),
            })
        })
    }
}
