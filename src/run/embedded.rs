//! The default environment: for each scenario, a fresh simulator configured from the scenario
//! and a fresh reference server (temp SQLite database, or a temporary schema of a PostgreSQL
//! database with `run --reference-db`) that talks to it, both in this process on loopback
//! ports. `restart` stops the server and starts it again on the same database and address.

use std::net::SocketAddr;
use std::sync::Mutex;

use infomex_sim::{InfomexSim, SimHandle};
use pnt_model::Dialect;
use pnt_model::Jurisdiccion;
use pnt_reference_server::{Config, EsquemaTemporal, Storage};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::error::RunError;
use super::sim::{SimInfomex, sim_config};
use super::world::{BoxFuture, Environment, Restart, World};
use crate::report;
use crate::scenario::Instance;

/// Fresh simulator and reference server per scenario.
#[derive(Debug, Default)]
pub struct Embedded {
    /// A PostgreSQL database in which each scenario's server gets a schema of its own; SQLite
    /// files when `None`.
    postgres: Option<String>,
}

impl Embedded {
    /// The reference on PostgreSQL: each scenario in a temporary schema of `url`'s database.
    pub fn on_postgres(url: String) -> Embedded {
        Embedded {
            postgres: Some(url),
        }
    }
}

impl Environment for Embedded {
    fn target(&self) -> report::Target {
        report::Target::Embedded
    }

    fn parallel(&self) -> bool {
        true
    }

    fn start<'a>(
        &'a self,
        instance: &'a Instance,
        seed: u64,
    ) -> BoxFuture<'a, Result<World, RunError>> {
        Box::pin(async move {
            let config = sim_config(&instance.scenario, seed)?;
            let legacy = config.legacy.clone();
            let sim = InfomexSim::builder()
                .config(config)
                .start()
                .await
                .map_err(|e| RunError::SimNotStarted(e.to_string()))?;
            let dir = tempfile::tempdir().map_err(|e| RunError::TempDir(e.to_string()))?;
            let (storage, esquema) = match &self.postgres {
                None => (Storage::File(dir.path().join("pnt.sqlite")), None),
                Some(url) => {
                    let url = url.clone();
                    let esquema = tokio::task::spawn_blocking(move || EsquemaTemporal::crear(&url))
                        .await
                        .map_err(|e| RunError::ReferenceDb(e.to_string()))?
                        .map_err(RunError::ReferenceDb)?;
                    (Storage::Postgres(esquema.url()), Some(esquema))
                }
            };
            let mut server_config = Config::embedded()
                .storage(storage)
                .infomex_base_url(sim.url());
            // Faults that count arrivals hit the request they were written for only when
            // solicitudes are fetched one at a time, in list order.
            if instance.scenario.faults_count_arrivals() {
                server_config = server_config.infomex_concurrencia(1);
            }
            // The scenario's `calendarios`: the reference applies them as `serve --calendar` would.
            server_config.calendarios = instance.calendarios.clone();
            for j in Jurisdiccion::ALL {
                let d = if legacy.contains(&j) {
                    Dialect::Legacy
                } else {
                    Dialect::Modern
                };
                server_config = server_config.dialect(j, d);
            }
            let listener = TcpListener::bind("127.0.0.1:0")
                .await
                .map_err(|e| RunError::ServerPort(e.to_string()))?;
            let addr = listener
                .local_addr()
                .map_err(|e| RunError::ServerAddr(e.to_string()))?;
            let server = Server::spawn(server_config, listener);
            let server = std::sync::Arc::new(ServerSlot {
                config: server.config.clone(),
                addr,
                running: Mutex::new(Some(server)),
            });
            let sim = std::sync::Arc::new(sim);
            Ok(World {
                pnt_base: format!("http://{addr}"),
                infomex: Box::new(SimInfomex(sim.clone())),
                restart: Some(Box::new(server.clone())),
                dialects: true,
                hooks_token: None,
                guard: Box::new(Guard {
                    _sim: sim,
                    _server: server,
                    _dir: dir,
                    _esquema: esquema,
                }),
            })
        })
    }
}

/// Keeps a world's processes and files alive; dropping it stops the servers and deletes the
/// database (fields drop in order: the schema after the server that uses it).
struct Guard {
    _sim: std::sync::Arc<SimHandle>,
    _server: std::sync::Arc<ServerSlot>,
    _dir: tempfile::TempDir,
    _esquema: Option<EsquemaTemporal>,
}

struct Server {
    config: Config,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), RunError>>,
}

impl Server {
    fn spawn(config: Config, listener: TcpListener) -> Server {
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(pnt_reference_server_serve(
            config.clone(),
            listener,
            stopped,
        ));
        Server { config, stop, task }
    }
}

async fn pnt_reference_server_serve(
    config: Config,
    listener: TcpListener,
    stopped: oneshot::Receiver<()>,
) -> Result<(), RunError> {
    pnt_reference_server::serve(config, listener, async move {
        let _ = stopped.await;
    })
    .await
    .map_err(|e| RunError::ServerFailed(e.to_string()))
}

/// The running server, replaced on restart.
struct ServerSlot {
    config: Config,
    addr: SocketAddr,
    running: Mutex<Option<Server>>,
}

impl Drop for ServerSlot {
    fn drop(&mut self) {
        if let Some(server) = self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            let _ = server.stop.send(());
        }
    }
}

impl Restart for std::sync::Arc<ServerSlot> {
    fn restart(&self) -> BoxFuture<'_, Result<(), RunError>> {
        Box::pin(async move {
            let old = self
                .running
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
            if let Some(server) = old {
                let _ = server.stop.send(());
                match server.task.await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => return Err(e),
                    Err(e) => return Err(RunError::ServerPanicked(e.to_string())),
                }
            }
            let listener =
                TcpListener::bind(self.addr)
                    .await
                    .map_err(|e| RunError::ServerRebind {
                        addr: self.addr,
                        cause: e.to_string(),
                    })?;
            let server = Server::spawn(self.config.clone(), listener);
            *self.running.lock().unwrap_or_else(|e| e.into_inner()) = Some(server);
            Ok(())
        })
    }
}
