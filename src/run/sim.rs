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

/// [`Infomex`] over a simulator someone else started (`--sim-url`), driven through its admin
/// API (docs/infomex-sim.md, "Admin API") exactly as the in-process one is driven directly.
pub(super) struct RemoteSim {
    http: reqwest::Client,
    /// `http://host:port`, without the trailing slash.
    url: String,
    token: Option<String>,
}

impl RemoteSim {
    pub(super) fn new(
        url: String,
        token: Option<String>,
        timeout: std::time::Duration,
    ) -> Result<RemoteSim, RunError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .no_proxy()
            .build()
            .map_err(|e| RunError::SimNotStarted(e.to_string()))?;
        Ok(RemoteSim { http, url, token })
    }

    /// Starts the simulator over with `config`: a scenario meets it as fresh as one started for
    /// it.
    pub(super) async fn configure(&self, config: &SimConfig) -> Result<(), RunError> {
        self.send(
            reqwest::Method::PUT,
            "/__admin/config",
            "PUT /__admin/config",
            Some(serde_json::to_value(config).expect("a SimConfig serializes")),
        )
        .await
        .map(drop)
    }

    /// One admin request; anything but a 2xx is an error that names the request. `Ok(None)` is
    /// a 404 for `what` = account reads, where it means "no such account".
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        what: &'static str,
        body: Option<serde_json::Value>,
    ) -> Result<(u16, Vec<u8>), RunError> {
        let url = format!("{}{path}", self.url);
        let mut req = self.http.request(method, &url);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let unreachable = |e: reqwest::Error| {
            RunError::Unreachable(format!(
                "el simulador en {} no respondió a {what}: ¿está en marcha? revise --sim-url (causa: {e}) [código: simulador_inaccesible]",
                self.url
            ))
        };
        let resp = req.send().await.map_err(unreachable)?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.map_err(unreachable)?.to_vec();
        Ok((status, bytes))
    }

    async fn expect_ok(
        &self,
        method: reqwest::Method,
        path: &str,
        what: &'static str,
        body: Option<serde_json::Value>,
    ) -> Result<(), RunError> {
        let (status, bytes) = self.send(method, path, what, body).await?;
        if (200..300).contains(&status) {
            Ok(())
        } else {
            Err(RunError::SimAdmin {
                url: self.url.clone(),
                what,
                status,
                text: String::from_utf8_lossy(&bytes).into_owned(),
            })
        }
    }
}

impl Infomex for RemoteSim {
    fn add_faults(&self, faults: Vec<Fault>) -> BoxFuture<'_, Result<(), RunError>> {
        Box::pin(async move {
            let body = serde_json::json!({ "faults": faults });
            self.expect_ok(
                reqwest::Method::POST,
                "/__admin/faults",
                "POST /__admin/faults",
                Some(body),
            )
            .await
        })
    }

    fn clear_faults(&self) -> BoxFuture<'_, Result<(), RunError>> {
        Box::pin(self.expect_ok(
            reqwest::Method::DELETE,
            "/__admin/faults",
            "DELETE /__admin/faults",
            None,
        ))
    }

    fn set_now(&self, now: Timestamp) -> BoxFuture<'_, Result<(), RunError>> {
        Box::pin(async move {
            self.expect_ok(
                reqwest::Method::PUT,
                "/__admin/clock",
                "PUT /__admin/clock",
                Some(serde_json::json!({ "now": now })),
            )
            .await
        })
    }

    fn account(
        &self,
        j: Jurisdiccion,
        usuario: String,
    ) -> BoxFuture<'_, Result<Option<SimAccount>, RunError>> {
        Box::pin(async move {
            let path = format!(
                "/__admin/accounts/{}/{}",
                j.slug(),
                super::client::segment(&usuario)
            );
            let what = "GET /__admin/accounts/…";
            let (status, bytes) = self.send(reqwest::Method::GET, &path, what, None).await?;
            match status {
                404 => Ok(None),
                200..=299 => {
                    serde_json::from_slice(&bytes)
                        .map(Some)
                        .map_err(|e| RunError::SimAdmin {
                            url: self.url.clone(),
                            what,
                            status,
                            text: format!("la cuenta no se pudo leer: {e}"),
                        })
                }
                _ => Err(RunError::SimAdmin {
                    url: self.url.clone(),
                    what,
                    status,
                    text: String::from_utf8_lossy(&bytes).into_owned(),
                }),
            }
        })
    }
}
