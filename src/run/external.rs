//! `--target URL`: any server implementing the PNT API, with the simulator in one of two
//! topologies (docs/pnt-api.md, "Topology"):
//!
//! - **started here** (`--sim-addr`): the simulator runs in this process, bound where the target
//!   can reach it, started anew with each scenario's configuration;
//! - **already running** (`--sim-url`): a `pnt-suite sim` someone else started (a CI service, a
//!   container); each scenario reconfigures it through its admin API (`PUT /__admin/config`).
//!
//! Either way the target is reset through its `reset` hook and told the scenario's dialects
//! through its `infomex` hook when it offers them, and `restart` steps run `--restart-command`
//! when one is given. One world at a time: the target is shared.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use infomex_sim::{InfomexSim, SimHandle};
use pnt_model::{Calendario, Dialect, Jurisdiccion};
use tokio::net::TcpListener;
use tokio::sync::Mutex;

use super::client::PntClient;
use super::error::RunError;
use super::sim::{RemoteSim, SimInfomex, sim_config};
use super::world::{BoxFuture, Environment, Infomex, Restart, World};
use crate::report;
use crate::scenario::Instance;

/// Where the simulator of an external run is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimPlace {
    /// Started by the runner on this address for each scenario.
    Start { addr: SocketAddr },
    /// Already running at this base URL (`http://host:port`); configured over its admin API.
    Running { url: String },
}

/// An external target and where its simulator is.
#[derive(Debug)]
pub struct External {
    url: String,
    sim: SimPlace,
    admin_token: Option<String>,
    restart_command: Option<String>,
    /// Sent on every hook call (`--test-hooks-token`).
    hooks_token: Option<String>,
    timeout: Duration,
    /// The simulator of the scenario that ran last, stopped before the next one binds.
    previous: Mutex<Option<Arc<SimHandle>>>,
}

impl External {
    /// A target whose simulator the runner starts on `sim_addr`. `admin_token` protects the
    /// simulator's admin API when `sim_addr` is not loopback.
    pub fn new(url: String, sim_addr: SocketAddr, admin_token: Option<String>) -> External {
        External {
            url,
            sim: SimPlace::Start { addr: sim_addr },
            admin_token,
            restart_command: None,
            hooks_token: None,
            timeout: super::client::DEFAULT_TIMEOUT,
            previous: Mutex::new(None),
        }
    }

    /// Uses the simulator already running at `url` instead of starting one (`--sim-url`);
    /// `admin_token` is the bearer token of its admin API.
    pub fn with_running_sim(mut self, url: String) -> External {
        self.sim = SimPlace::Running {
            url: url.trim_end_matches('/').to_owned(),
        };
        self
    }

    /// Sends `token` in `X-Pnt-Test-Token` on every call to the target's test hooks
    /// (`--test-hooks-token`).
    pub fn with_hooks_token(mut self, token: Option<String>) -> External {
        self.hooks_token = token;
        self
    }

    /// Runs `command` (through `sh -c`) for each `restart` step, then waits up to `timeout` for
    /// the target's discovery document to answer again (`--restart-command`).
    pub fn with_restart_command(mut self, command: Option<String>, timeout: Duration) -> External {
        self.restart_command = command;
        self.timeout = timeout;
        self
    }

    async fn start_sim(
        &self,
        instance: &Instance,
        seed: u64,
    ) -> Result<Box<dyn Infomex>, RunError> {
        let mut config = sim_config(&instance.scenario, seed)?;
        match &self.sim {
            SimPlace::Running { url } => {
                let remote = RemoteSim::new(url.clone(), self.admin_token.clone(), self.timeout)?;
                remote.configure(&config).await?;
                Ok(Box::new(remote))
            }
            SimPlace::Start { addr } => {
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
                config.admin_token = self.admin_token.clone();
                let listener = TcpListener::bind(*addr).await.map_err(|e| {
                    if e.kind() == std::io::ErrorKind::AddrInUse {
                        RunError::SimAddrInUse { addr: *addr }
                    } else {
                        RunError::SimAddrUnavailable {
                            addr: *addr,
                            cause: crate::error::io_cause(&e),
                        }
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
                Ok(Box::new(SimInfomex(sim)))
            }
        }
    }
}

/// Tells the target the scenario's dialects through its `infomex` hook, when it offers one:
/// always, even an empty map, so what an earlier scenario set never leaks into this one; and
/// `concurrencia: 1` when the scenario's faults count requests in arrival order
/// ([`Scenario::faults_count_arrivals`](crate::scenario::Scenario::faults_count_arrivals)).
/// Whether the target now knows the scenario's dialects.
async fn tell_dialects(
    client: &PntClient,
    dialects: &[(Jurisdiccion, Dialect)],
    one_by_one: bool,
) -> Result<bool, RunError> {
    if !client.offers("infomex") {
        return Ok(false);
    }
    let observed = client.set_infomex(dialects, one_by_one).await?;
    if !(200..300).contains(&observed.status) {
        return Err(RunError::HookFailed {
            hook: "infomex",
            status: observed.status,
            text: observed.text,
        });
    }
    Ok(true)
}

/// Tells the target the scenario's calendars through its `calendarios` hook, when it offers
/// one: always, even none, so an earlier scenario's calendars never stay in force. A target
/// without the hook is judged by the calendars it publishes (`calendario_distinto` when they
/// differ from the scenario's).
async fn tell_calendars(
    client: &PntClient,
    calendarios: &BTreeMap<Jurisdiccion, Calendario>,
) -> Result<(), RunError> {
    if !client.offers("calendarios") {
        return Ok(());
    }
    let observed = client.set_calendarios(calendarios).await?;
    if !(200..300).contains(&observed.status) {
        return Err(RunError::HookFailed {
            hook: "calendarios",
            status: observed.status,
            text: observed.text,
        });
    }
    Ok(())
}

impl Environment for External {
    fn target(&self) -> report::Target {
        let mut flags = Vec::new();
        match &self.sim {
            SimPlace::Start { addr } => {
                flags.extend(["--sim-addr".to_owned(), addr.to_string()]);
            }
            SimPlace::Running { url } => flags.extend(["--sim-url".to_owned(), url.clone()]),
        }
        if self.admin_token.is_some() {
            // The secret stays out of reports and logs: whoever repeats the run supplies it.
            flags.extend([
                "--sim-admin-token".to_owned(),
                "\"$PNT_SIM_ADMIN_TOKEN\"".to_owned(),
            ]);
        }
        if self.hooks_token.is_some() {
            flags.extend([
                "--test-hooks-token".to_owned(),
                "\"$PNT_TEST_HOOKS_TOKEN\"".to_owned(),
            ]);
        }
        if let Some(command) = &self.restart_command {
            flags.extend(["--restart-command".to_owned(), command.clone()]);
        }
        if self.timeout != super::client::DEFAULT_TIMEOUT {
            flags.extend(["--timeout".to_owned(), self.timeout.as_secs().to_string()]);
        }
        report::Target::External {
            url: self.url.clone(),
            flags,
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
            let infomex = self.start_sim(instance, seed).await?;
            let client = PntClient::discover(&self.url, super::client::DEFAULT_TIMEOUT)
                .await?
                .with_hooks_token(self.hooks_token.clone());
            if client.offers("reset") {
                let reset = client.reset().await?;
                if !(200..300).contains(&reset.status) {
                    return Err(RunError::HookFailed {
                        hook: "reset",
                        status: reset.status,
                        text: reset.text,
                    });
                }
            }
            let dialects: Vec<(Jurisdiccion, Dialect)> = instance
                .scenario
                .infomex
                .dialects
                .iter()
                .map(|(j, d)| (*j, *d))
                .collect();
            let one_by_one = instance.scenario.faults_count_arrivals();
            let told = tell_dialects(&client, &dialects, one_by_one).await?;
            tell_calendars(&client, &instance.calendarios).await?;
            let restart = self.restart_command.clone().map(|command| {
                Box::new(CommandRestart {
                    command,
                    url: self.url.clone(),
                    timeout: self.timeout,
                    hooks_token: self.hooks_token.clone(),
                    calendarios: instance.calendarios.clone(),
                    dialects: told.then_some(dialects),
                    one_by_one,
                }) as Box<dyn Restart>
            });
            Ok(World {
                pnt_base: self.url.clone(),
                infomex,
                restart,
                dialects: told,
                hooks_token: self.hooks_token.clone(),
                guard: Box::new(()),
            })
        })
    }
}

/// `--restart-command`: restarts an external target by running the operator's command.
struct CommandRestart {
    command: String,
    url: String,
    timeout: Duration,
    hooks_token: Option<String>,
    /// The dialects told before the restart, told again after it: a restarted process starts
    /// from its own configuration.
    dialects: Option<Vec<(Jurisdiccion, Dialect)>>,
    /// Whether the linkage concurrency of 1 was asked for, asked again after a restart.
    one_by_one: bool,
    /// The scenario's calendars, told again after a restart for the same reason.
    calendarios: BTreeMap<Jurisdiccion, Calendario>,
}

impl Restart for CommandRestart {
    fn restart(&self) -> BoxFuture<'_, Result<(), RunError>> {
        Box::pin(async move {
            // The command's output goes to a file, not a pipe: a command that starts the target
            // in the background leaves it holding the pipe, and reading to its end would wait
            // for the target to stop. Only the exit status is waited for.
            let log = tempfile::tempfile().map_err(|e| RunError::TempDir(e.to_string()))?;
            let not_run = |e: std::io::Error| RunError::RestartCommandNotRun {
                command: self.command.clone(),
                cause: crate::error::io_cause(&e),
            };
            let status = tokio::process::Command::new("sh")
                .arg("-c")
                .arg(&self.command)
                .stdin(std::process::Stdio::null())
                .stdout(log.try_clone().map_err(not_run)?)
                .stderr(log.try_clone().map_err(not_run)?)
                .status()
                .await
                .map_err(not_run)?;
            if !status.success() {
                let mut log = log;
                let mut output = String::new();
                {
                    use std::io::{Read, Seek};
                    let _ = log.rewind();
                    let _ = log.take(64 * 1024).read_to_string(&mut output);
                }
                let output = output.trim();
                let tail: String = {
                    let start = output.len().saturating_sub(500);
                    let start = (start..=output.len())
                        .find(|i| output.is_char_boundary(*i))
                        .unwrap_or(output.len());
                    output[start..].to_owned()
                };
                return Err(RunError::RestartCommandFailed {
                    command: self.command.clone(),
                    status: status
                        .code()
                        .map_or_else(|| "una señal".to_owned(), |c| format!("el código {c}")),
                    stderr: if tail.is_empty() {
                        "sin salida".to_owned()
                    } else {
                        tail
                    },
                });
            }
            let client = wait_for_discovery(&self.url, self.timeout)
                .await?
                .with_hooks_token(self.hooks_token.clone());
            if let Some(dialects) = &self.dialects {
                tell_dialects(&client, dialects, self.one_by_one).await?;
            }
            tell_calendars(&client, &self.calendarios).await?;
            Ok(())
        })
    }
}

/// Polls the target's discovery document until it answers or `timeout` passes: the restarted
/// process is someone else's, so there is no event to wait on. The delay doubles from 20 ms up
/// to 1 s; the number of polls is irrelevant to the outcome.
async fn wait_for_discovery(url: &str, timeout: Duration) -> Result<PntClient, RunError> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut delay = Duration::from_millis(20);
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let last = match PntClient::discover(url, left.max(Duration::from_millis(100))).await {
            Ok(client) => return Ok(client),
            Err(super::client::Unreachable(e)) => e,
        };
        if tokio::time::Instant::now() + delay >= deadline {
            return Err(RunError::TargetNotBack {
                url: url.to_owned(),
                seconds: timeout.as_secs(),
                last,
            });
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(1));
    }
}
