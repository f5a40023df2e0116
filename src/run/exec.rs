//! Executing one scenario's steps against a world: requests, expectations, captures, sessions,
//! clock and faults, and the oracle after every linkage.

use std::collections::{BTreeMap, HashMap};

use jiff::tz::TimeZone;
use pnt_model::{Calendario, Date, Jurisdiccion};
use reqwest::Method;
use serde_json::{Value, json};

use super::client::{PntClient, Unreachable, segment};
use super::oracle::{self, SimAccount, TargetView};
use super::vars::{Vars, as_written};
use super::verify::{Miss, Observed, verify};
use super::world::World;
use crate::report::{Diff, Failure, StepRef};
use crate::scenario::{Action, At, Cuenta, Scenario, Step};

/// The reason given to a queja when the scenario names none.
const MOTIVO_QUEJA: &str = "La respuesta no corresponde a lo solicitado.";

/// What one scenario's steps produced.
#[derive(Debug, Default)]
pub struct Outcome {
    pub failures: Vec<Failure>,
    /// The normalized transcript a person reviews in snapshots.
    pub transcript: String,
}

/// Why a scenario stopped before its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stopped(pub String);

/// A request a step makes, built before it is sent (so `concurrent` can send several at once).
enum Call {
    Api {
        method: Method,
        path: String,
        token: Option<String>,
        body: Option<Value>,
    },
    Download {
        id: String,
        token: Option<String>,
    },
    /// The attachment at a position in a solicitud's details.
    DownloadAt {
        folio: String,
        respuesta: usize,
        adjunto: usize,
        token: Option<String>,
    },
    /// A step that talks to no API (clock, faults, restart).
    Local,
}

struct Performed {
    observed: Observed,
    download: Option<super::client::Download>,
}

/// Executes a scenario's steps in `world`.
#[derive(Debug)]
pub struct Execution<'a> {
    scenario: &'a Scenario,
    world: &'a World,
    client: PntClient,
    sessions: HashMap<String, String>,
    current: Option<String>,
    vars: Vars,
    today: Option<Date>,
    tz: Option<TimeZone>,
    /// (PNT user, jurisdiction, Infomex usuario) of every linkage that succeeded.
    linked: Vec<(Option<String>, Jurisdiccion, String)>,
    out: Outcome,
}

impl<'a> Execution<'a> {
    pub fn new(scenario: &'a Scenario, world: &'a World, client: PntClient) -> Self {
        Execution {
            scenario,
            world,
            client,
            sessions: HashMap::new(),
            current: None,
            vars: Vars::default(),
            today: None,
            tz: None,
            linked: Vec::new(),
            out: Outcome::default(),
        }
    }

    /// Runs every step; stops early only when the target or the simulator cannot be reached.
    pub async fn run(mut self) -> Result<Outcome, (Stopped, Outcome)> {
        if let Some(clock) = &self.scenario.clock {
            match clock.timezone.load() {
                Ok(tz) => self.tz = Some(tz),
                Err(e) => return Err((Stopped(e), self.out)),
            }
            if let Err(e) = self.set_today(clock.hoy.0).await {
                return Err((Stopped(format!("al fijar el reloj: {e}")), self.out));
            }
        }
        let steps = &self.scenario.steps;
        for (i, step) in steps.iter().enumerate() {
            if let Err(Stopped(why)) = self.step(&(i + 1).to_string(), step).await {
                let place = format!(
                    "paso {} ({}, línea {})",
                    i + 1,
                    step.action.name(),
                    step.pos.line
                );
                return Err((Stopped(format!("{why} ({place})")), self.out));
            }
        }
        Ok(self.out)
    }

    fn users(&self, name: &str) -> Cuenta {
        self.scenario
            .pnt
            .users
            .iter()
            .find(|(k, _)| k.as_str() == name)
            .map(|(_, u)| u.cuenta(name))
            .unwrap_or_else(|| crate::scenario::User::default().cuenta(name))
    }

    fn acting(&self, step: &Step) -> Option<String> {
        step.user.clone().or_else(|| match &step.action {
            Action::Login(l) => Some(l.user.clone()),
            Action::Logout(Some(u)) => Some(u.clone()),
            _ => self.current.clone(),
        })
    }

    fn token(&self, step: &Step) -> Option<String> {
        self.acting(step)
            .and_then(|u| self.sessions.get(&u).cloned())
    }

    fn resolve(&self, text: &str) -> Result<String, String> {
        self.vars.resolve(text)
    }

    async fn step(&mut self, index: &str, step: &At<Step>) -> Result<(), Stopped> {
        if let Action::Concurrent(inner) = &step.action {
            let mut calls = Vec::new();
            for s in inner {
                calls.push(self.call(s).await?);
            }
            let mut set = tokio::task::JoinSet::new();
            for (n, call) in calls.into_iter().enumerate() {
                let client = self.client.clone();
                set.spawn(async move { (n, perform(&client, call).await) });
            }
            let mut results: Vec<Option<Result<Performed, Unreachable>>> =
                (0..inner.len()).map(|_| None).collect();
            while let Some(joined) = set.join_next().await {
                let (n, result) =
                    joined.map_err(|e| Stopped(format!("un paso concurrente falló: {e}")))?;
                results[n] = Some(result);
            }
            self.note(index, step, "concurrent", None);
            for (n, (s, result)) in inner.iter().zip(results).enumerate() {
                let sub = format!("{index}.{}", n + 1);
                let performed = result
                    .expect("every spawned step reports")
                    .map_err(|Unreachable(e)| Stopped(e))?;
                self.finish(&sub, s, performed).await?;
            }
            return Ok(());
        }
        let call = self.call(step).await?;
        let performed = perform(&self.client, call)
            .await
            .map_err(|Unreachable(e)| Stopped(e))?;
        self.finish(index, step, performed).await
    }

    /// Builds the request of a step, or carries out a local step.
    async fn call(&mut self, step: &At<Step>) -> Result<Call, Stopped> {
        let token = self.token(step);
        let resolve = |v: &Execution<'_>, text: &str| v.resolve(text).map_err(Stopped);
        Ok(match &step.action {
            Action::Register(user) => {
                let c = self.users(user);
                Call::Api {
                    method: Method::POST,
                    path: "/usuarios".into(),
                    token: None,
                    body: Some(
                        json!({"correo": c.correo, "contrasena": c.contrasena, "nombre": c.nombre}),
                    ),
                }
            }
            Action::Login(login) => {
                let c = self.users(&login.user);
                let contrasena = login.contrasena.clone().unwrap_or(c.contrasena);
                Call::Api {
                    method: Method::POST,
                    path: "/sesiones".into(),
                    token: None,
                    body: Some(json!({"correo": c.correo, "contrasena": contrasena})),
                }
            }
            Action::Logout(_) => Call::Api {
                method: Method::DELETE,
                path: "/sesiones".into(),
                token,
                body: None,
            },
            Action::Vincular(v) => {
                let contrasena = match &v.contrasena {
                    Some(c) => resolve(self, c)?,
                    None => self
                        .world
                        .infomex
                        .account(v.jurisdiccion, v.usuario.clone())
                        .await
                        .map_err(|e| Stopped(format!("el simulador no dio la cuenta: {e}")))?
                        .map(|a| a.contrasena)
                        .unwrap_or_default(),
                };
                Call::Api {
                    method: Method::POST,
                    path: "/vinculaciones".into(),
                    token,
                    body: Some(json!({
                        "jurisdiccion": v.jurisdiccion.slug(),
                        "usuario": resolve(self, &v.usuario)?,
                        "contrasena": contrasena,
                    })),
                }
            }
            Action::Vinculaciones => api_get("/vinculaciones".into(), token),
            Action::History(h) => {
                let mut query = Vec::new();
                if let Some(s) = h.semaforo {
                    query.push(format!("semaforo={}", s.slug()));
                }
                if let Some(t) = h.tipo {
                    query.push(format!("tipo={}", t.slug()));
                }
                if let Some(p) = h.pagina {
                    query.push(format!("pagina={p}"));
                }
                if let Some(p) = h.por_pagina {
                    query.push(format!("por_pagina={p}"));
                }
                let q = if query.is_empty() {
                    String::new()
                } else {
                    format!("?{}", query.join("&"))
                };
                api_get(format!("/historial{q}"), token)
            }
            Action::Details(d) => api_get(
                format!("/solicitudes/{}", segment(&resolve(self, &d.folio)?)),
                token,
            ),
            Action::Download(d) => match (&d.id, &d.folio) {
                (Some(id), _) => Call::Download {
                    id: resolve(self, id)?,
                    token,
                },
                (None, Some(folio)) => Call::DownloadAt {
                    folio: resolve(self, folio)?,
                    respuesta: d.respuesta,
                    adjunto: d.adjunto,
                    token,
                },
                (None, None) => return Err(Stopped("`download` sin `id` ni `folio`".into())),
            },
            Action::Queja(q) => {
                let folio = resolve(self, &q.folio)?;
                let motivo = match &q.motivo {
                    Some(m) => resolve(self, m)?,
                    None => MOTIVO_QUEJA.to_owned(),
                };
                Call::Api {
                    method: Method::POST,
                    path: format!("/solicitudes/{}/quejas", segment(&folio)),
                    token,
                    body: Some(json!({"motivo": motivo})),
                }
            }
            Action::Quejas => api_get("/quejas".into(), token),
            Action::SetClock(date) => {
                self.set_today(date.0).await.map_err(Stopped)?;
                Call::Local
            }
            Action::AdvanceClock(a) => {
                let today = self
                    .today
                    .ok_or_else(|| Stopped("el reloj no tiene fecha; declare `clock`".into()))?;
                let next = match (a.dias_habiles, a.dias) {
                    (Some(n), _) => Calendario::lft().sumar_dias_habiles(today, n),
                    (None, Some(n)) => today
                        .checked_add(jiff::Span::new().days(i64::from(n)))
                        .map_err(|e| Stopped(format!("fecha fuera de rango: {e}")))?,
                    (None, None) => today,
                };
                self.set_today(next).await.map_err(Stopped)?;
                Call::Local
            }
            Action::Faults(faults) => {
                let values = faults
                    .iter()
                    .map(|f| serde_json::to_value(&f.value).expect("faults serialize"))
                    .collect();
                self.world
                    .infomex
                    .add_faults(values)
                    .await
                    .map_err(|e| Stopped(format!("el simulador no aceptó las fallas: {e}")))?;
                Call::Local
            }
            Action::ClearFaults => {
                self.world
                    .infomex
                    .clear_faults()
                    .await
                    .map_err(|e| Stopped(format!("el simulador no limpió las fallas: {e}")))?;
                Call::Local
            }
            Action::Restart => {
                let restart = self
                    .world
                    .restart
                    .as_ref()
                    .ok_or_else(|| Stopped("este destino no se puede reiniciar".into()))?;
                restart
                    .restart()
                    .await
                    .map_err(|e| Stopped(format!("el reinicio falló: {e}")))?;
                Call::Local
            }
            Action::Concurrent(_) => return Err(Stopped("`concurrent` anidado".into())),
        })
    }

    /// Sets "today" on the target (hook) and the simulator (noon in the scenario's zone).
    async fn set_today(&mut self, hoy: Date) -> Result<(), String> {
        let observed = self
            .client
            .set_clock(hoy)
            .await
            .map_err(|Unreachable(e)| e)?;
        if !(200..300).contains(&observed.status) {
            return Err(format!(
                "el gancho `clock` respondió {}: {}",
                observed.status, observed.text
            ));
        }
        let tz = self.tz.clone().unwrap_or(TimeZone::UTC);
        let now = tz
            .to_timestamp(hoy.at(12, 0, 0, 0))
            .map_err(|e| format!("hora inválida: {e}"))?;
        self.world.infomex.set_now(now).await?;
        self.today = Some(hoy);
        Ok(())
    }

    fn fail(&mut self, index: &str, step: &At<Step>, miss: Miss) {
        self.out.failures.push(Failure {
            step: Some(StepRef {
                index: index.to_owned(),
                action: step.action.name().to_owned(),
                line: step.pos.line,
            }),
            check: miss.check,
            message: miss.message,
            diff: miss.diff,
        });
    }

    fn note(&mut self, index: &str, step: &At<Step>, what: &str, observed: Option<&Observed>) {
        let mut line = format!("{index}. {what}");
        if let Some(user) = &step.user {
            line.push_str(&format!(" (como {user})"));
        }
        if let Some(o) = observed {
            line.push_str(&format!(" → {}", o.status));
            if let Some(c) = o.body.pointer("/error/codigo").and_then(Value::as_str) {
                line.push_str(&format!(" {c}"));
            }
        }
        self.out.transcript.push_str(&line);
        self.out.transcript.push('\n');
    }

    /// Checks a step's response, updates sessions and captures, and runs the oracle after a
    /// linkage.
    async fn finish(
        &mut self,
        index: &str,
        step: &At<Step>,
        performed: Performed,
    ) -> Result<(), Stopped> {
        let Performed { observed, download } = performed;
        let what = describe(&step.action);
        if matches!(step.action, Action::SetClock(_) | Action::AdvanceClock(_)) {
            let today = self.today.map(|d| d.to_string()).unwrap_or_default();
            self.note(index, step, &format!("{what} → hoy {today}"), None);
            return Ok(());
        }
        let local = matches!(
            step.action,
            Action::Faults(_) | Action::ClearFaults | Action::Restart
        );
        self.note(index, step, &what, (!local).then_some(&observed));
        if local {
            return Ok(());
        }
        for miss in verify(&step.expect, &observed, &self.vars) {
            self.fail(index, step, miss);
        }
        if let Some(d) = &download {
            let actual = pnt_model::Sha256::of(&d.bytes).to_string();
            if d.declared.as_deref() != Some(actual.as_str()) {
                self.fail(index, step, Miss {
                    check: "adjunto: X-Sha256".into(),
                    message: "los bytes descargados no coinciden con el SHA-256 que declara el destino".into(),
                    diff: Some(Diff::Value {
                        expected: d.declared.clone().unwrap_or_else(|| "(sin X-Sha256)".into()),
                        actual,
                    }),
                });
            }
        }
        if let Some(name) = &step.expect.snapshot {
            self.out
                .transcript
                .push_str(&format!("--- {name} ---\n{}\n", normalized(&observed.body)));
        }
        let ok = (200..300).contains(&observed.status);
        match &step.action {
            Action::Login(l) if ok => {
                if let Some(t) = observed.body.get("token").and_then(Value::as_str) {
                    self.sessions.insert(l.user.clone(), t.to_owned());
                    self.current = Some(l.user.clone());
                }
            }
            Action::Logout(_) if ok => {
                if let Some(u) = self.acting(step) {
                    self.sessions.remove(&u);
                }
            }
            Action::Vincular(v) if ok => {
                let user = self.acting(step);
                let usuario = self
                    .resolve(&v.usuario)
                    .unwrap_or_else(|_| v.usuario.clone());
                let key = (user.clone(), v.jurisdiccion, usuario);
                if !self.linked.contains(&key) {
                    self.linked.push(key);
                }
                let token = self.token(step);
                let misses = self
                    .oracle(v.jurisdiccion, user, token, &observed.body)
                    .await?;
                for miss in misses {
                    self.fail(index, step, miss);
                }
            }
            _ => {}
        }
        for (name, selector) in step.capture.iter() {
            match selector.select(&observed.body) {
                Some(v) => self.vars.set(name, &v),
                None => self.fail(
                    index,
                    step,
                    Miss {
                        check: format!("capture.{name}"),
                        message: format!(
                            "no se pudo capturar `{name}`: la respuesta no tiene `{selector}`"
                        ),
                        diff: None,
                    },
                ),
            }
        }
        Ok(())
    }

    /// Compares what the user now sees of `j` with every account they linked there.
    async fn oracle(
        &self,
        j: Jurisdiccion,
        user: Option<String>,
        token: Option<String>,
        linkage: &Value,
    ) -> Result<Vec<Miss>, Stopped> {
        let unreachable = |Unreachable(e)| Stopped(e);
        let mut accounts: Vec<SimAccount> = Vec::new();
        for (u, jj, usuario) in &self.linked {
            if *u == user && *jj == j {
                let account = self
                    .world
                    .infomex
                    .account(j, usuario.clone())
                    .await
                    .map_err(|e| Stopped(format!("el simulador no dio la cuenta: {e}")))?;
                accounts.extend(account);
            }
        }
        let mut rows = Vec::new();
        let mut hoy = None;
        let mut pagina = 1;
        loop {
            let page = self
                .client
                .call(
                    Method::GET,
                    &format!("/historial?pagina={pagina}&por_pagina=100"),
                    token.as_deref(),
                    None,
                )
                .await
                .map_err(unreachable)?;
            if page.status != 200 {
                return Ok(vec![Miss {
                    check: "oráculo: Mi Historial".into(),
                    message: format!(
                        "Mi Historial no se pudo leer después de vincular: {} {}",
                        page.status, page.text
                    ),
                    diff: None,
                }]);
            }
            hoy = hoy.or_else(|| {
                page.body
                    .get("hoy")
                    .and_then(Value::as_str)
                    .and_then(|d| d.parse::<Date>().ok())
            });
            let items = page
                .body
                .get("solicitudes")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let total = page.body.get("total").and_then(Value::as_u64).unwrap_or(0);
            let empty = items.is_empty();
            rows.extend(items);
            if empty || rows.len() as u64 >= total {
                break;
            }
            pagina += 1;
        }
        let Some(hoy) = hoy else {
            return Ok(vec![Miss {
                check: "oráculo: Mi Historial".into(),
                message: "Mi Historial no dice su fecha (`hoy`)".into(),
                diff: None,
            }]);
        };
        rows.retain(|r| r.get("jurisdiccion").and_then(Value::as_str) == Some(j.slug()));
        let mut details = BTreeMap::new();
        for row in &rows {
            let Some(folio) = row.get("folio").and_then(Value::as_str) else {
                continue;
            };
            let d = self
                .client
                .call(
                    Method::GET,
                    &format!("/solicitudes/{}", segment(folio)),
                    token.as_deref(),
                    None,
                )
                .await
                .map_err(unreachable)?;
            if d.status == 200 {
                details.insert(folio.to_owned(), d.body);
            }
        }
        let refs: Vec<&SimAccount> = accounts.iter().collect();
        let view = TargetView {
            linkage: linkage.clone(),
            hoy,
            rows,
            details,
        };
        let mut misses = oracle::compare(j, &refs, &view);
        misses.extend(self.check_downloads(&view, token.as_deref()).await?);
        Ok(misses)
    }

    /// Downloads every attachment the details list and compares its bytes with the SHA-256 the
    /// details declare (which the oracle has compared with the simulator's).
    async fn check_downloads(
        &self,
        view: &TargetView,
        token: Option<&str>,
    ) -> Result<Vec<Miss>, Stopped> {
        let mut bad = Vec::new();
        for (folio, detail) in &view.details {
            let adjuntos = detail
                .get("respuestas")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .flat_map(|r| {
                    r.get("adjuntos")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                });
            for a in adjuntos {
                let (Some(id), Some(sha)) = (
                    a.get("id").and_then(Value::as_str),
                    a.get("sha256").and_then(Value::as_str),
                ) else {
                    continue;
                };
                let (observed, download) = self
                    .client
                    .download(id, token)
                    .await
                    .map_err(|Unreachable(e)| Stopped(e))?;
                match download {
                    None => bad.push(format!(
                        "{folio}: el adjunto {id} no se pudo descargar ({})",
                        observed.status
                    )),
                    Some(d) => {
                        let actual = pnt_model::Sha256::of(&d.bytes).to_string();
                        if actual != sha {
                            bad.push(format!("{folio}: el adjunto {id} descargado tiene SHA-256 {actual}, el detalle declara {sha}"));
                        }
                    }
                }
            }
        }
        Ok(if bad.is_empty() {
            Vec::new()
        } else {
            vec![Miss {
                check: "oráculo: descargas".into(),
                message: format!("{} adjuntos no se descargan idénticos", bad.len()),
                diff: Some(Diff::Text {
                    expected: String::new(),
                    actual: bad.join("\n") + "\n",
                }),
            }]
        })
    }
}

fn api_get(path: String, token: Option<String>) -> Call {
    Call::Api {
        method: Method::GET,
        path,
        token,
        body: None,
    }
}

async fn perform(client: &PntClient, call: Call) -> Result<Performed, Unreachable> {
    match call {
        Call::Api {
            method,
            path,
            token,
            body,
        } => Ok(Performed {
            observed: client.call(method, &path, token.as_deref(), body).await?,
            download: None,
        }),
        Call::Download { id, token } => {
            let (observed, download) = client.download(&id, token.as_deref()).await?;
            Ok(Performed { observed, download })
        }
        Call::DownloadAt {
            folio,
            respuesta,
            adjunto,
            token,
        } => {
            let detail = client
                .call(
                    Method::GET,
                    &format!("/solicitudes/{}", segment(&folio)),
                    token.as_deref(),
                    None,
                )
                .await?;
            let id = detail
                .body
                .pointer(&format!("/respuestas/{respuesta}/adjuntos/{adjunto}/id"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            match id {
                Some(id) => {
                    let (observed, download) = client.download(&id, token.as_deref()).await?;
                    Ok(Performed { observed, download })
                }
                // The detail itself failed, or has no such attachment: its answer is the step's.
                None if detail.status != 200 => Ok(Performed {
                    observed: detail,
                    download: None,
                }),
                None => Ok(Performed {
                    observed: Observed {
                        status: 404,
                        body: json!({"error": {"codigo": "adjunto_no_encontrado",
                                    "mensaje": format!("el detalle de {folio} no tiene la respuesta {respuesta} con el adjunto {adjunto}")}}),
                        text: String::new(),
                    },
                    download: None,
                }),
            }
        }
        Call::Local => Ok(Performed {
            observed: Observed {
                status: 200,
                body: Value::Null,
                text: String::new(),
            },
            download: None,
        }),
    }
}

/// The step as the transcript shows it.
fn describe(action: &Action) -> String {
    match action {
        Action::Register(u) => format!("register {u}"),
        Action::Login(l) => match &l.contrasena {
            Some(_) => format!("login {} (otra contraseña)", l.user),
            None => format!("login {}", l.user),
        },
        Action::Logout(_) => "logout".into(),
        Action::Vincular(v) => format!(
            "vincular {}/{}",
            v.jurisdiccion.slug(),
            as_written(&v.usuario)
        ),
        Action::Vinculaciones => "vinculaciones".into(),
        Action::History(h) => {
            let mut parts = vec!["history".to_owned()];
            if let Some(s) = h.semaforo {
                parts.push(format!("semaforo={}", s.slug()));
            }
            if let Some(t) = h.tipo {
                parts.push(format!("tipo={}", t.slug()));
            }
            if let Some(p) = h.pagina {
                parts.push(format!("pagina={p}"));
            }
            parts.join(" ")
        }
        Action::Details(d) => format!("details {}", as_written(&d.folio)),
        Action::Download(d) => match (&d.id, &d.folio) {
            (Some(id), _) => format!("download {}", as_written(id)),
            (None, Some(f)) => format!(
                "download {} respuesta {} adjunto {}",
                as_written(f),
                d.respuesta,
                d.adjunto
            ),
            _ => "download".into(),
        },
        Action::Queja(q) => format!("queja {}", as_written(&q.folio)),
        Action::Quejas => "quejas".into(),
        Action::SetClock(d) => format!("set_clock {}", d.0),
        Action::AdvanceClock(a) => match (a.dias_habiles, a.dias) {
            (Some(n), _) => format!("advance_clock {n} días hábiles"),
            (_, Some(n)) => format!("advance_clock {n} días"),
            _ => "advance_clock".into(),
        },
        Action::Faults(f) => format!("faults ({})", f.len()),
        Action::ClearFaults => "clear_faults".into(),
        Action::Restart => "restart".into(),
        Action::Concurrent(s) => format!("concurrent ({})", s.len()),
    }
}

/// A response body as snapshots keep it: pretty JSON, with tokens and expiry times redacted.
fn normalized(body: &Value) -> String {
    fn redact(v: &Value) -> Value {
        match v {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let v = match k.as_str() {
                            "token" | "expira" => Value::String(format!("[{k}]")),
                            _ => redact(v),
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
            other => other.clone(),
        }
    }
    serde_json::to_string_pretty(&redact(body)).unwrap_or_default()
}
