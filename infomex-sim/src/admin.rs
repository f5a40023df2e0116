//! The admin API under `/__admin`, modelled on WireMock's: accounts, faults, journal, clock,
//! reset. JSON in and out; every rejected input gets the modern error shape.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::Response;
use axum::middleware::{self, Next};
use axum::routing::{get, post, put};
use jiff::Timestamp;
use pnt_model::Jurisdiccion;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::account::CuentaConfig;
use crate::config::SimConfig;
use crate::fault::Fault;
use crate::server::respond;
use crate::state::SimState;
use crate::wire::{SimError, Wire, modern};

type Reply = Response<Body>;

fn ok(value: &impl Serialize) -> Reply {
    respond(modern::json(200, value), None, None)
}

fn bad(message: String) -> Reply {
    respond(
        modern::json(
            400,
            &json!({"error": {"codigo": "peticion_invalida", "mensaje": message}}),
        ),
        None,
        None,
    )
}

fn parse<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, Box<Reply>> {
    serde_json::from_slice(body).map_err(|e| {
        let message = crate::fault::in_spanish(&e.to_string());
        Box::new(bad(format!("JSON inválido: {message}")))
    })
}

pub(crate) fn router(state: Arc<SimState>, admin_token: Option<String>) -> Router<Arc<SimState>> {
    let routes = Router::new()
        .route("/__admin/health", get(health))
        .route("/__admin/config", get(config).put(put_config))
        .route("/__admin/accounts/{slug}/{usuario}", get(account))
        .route("/__admin/accounts", put(put_account).delete(clear_accounts))
        .route(
            "/__admin/faults",
            get(faults).post(add_faults).delete(clear_faults),
        )
        .route("/__admin/journal", get(journal).delete(clear_journal))
        .route("/__admin/clock", put(set_clock))
        .route("/__admin/reset", post(reset));
    match admin_token {
        Some(token) => routes.layer(middleware::from_fn_with_state(
            Arc::new(token),
            require_token,
        )),
        None => routes,
    }
    .with_state(state)
}

async fn require_token(State(token): State<Arc<String>>, req: Request, next: Next) -> Reply {
    let given = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if given == Some(token.as_str()) {
        return next.run(req).await;
    }
    respond(
        modern::json(
            401,
            &json!({"error": {"codigo": "admin_no_autorizado",
                    "mensaje": "La API de administración requiere el encabezado Authorization: Bearer <token de administración> que el simulador imprimió al iniciar."}}),
        ),
        None,
        None,
    )
}

pub(crate) async fn health() -> Reply {
    ok(&json!({"status": "ok"}))
}

#[derive(Serialize)]
struct ConfigView {
    seed: u64,
    sesion_segundos: u64,
    max_intentos: u32,
    journal_capacity: usize,
    reloj_manual: Option<Timestamp>,
    dialects: BTreeMap<&'static str, pnt_model::Dialect>,
}

async fn config(State(state): State<Arc<SimState>>) -> Reply {
    let manual = state.clock.is_manual().then(|| state.clock.now());
    let inner = state.lock();
    ok(&ConfigView {
        seed: inner.config.seed,
        sesion_segundos: inner.config.sesion_segundos,
        max_intentos: inner.config.max_intentos,
        journal_capacity: inner.config.journal_capacity,
        reloj_manual: manual,
        dialects: Jurisdiccion::ALL
            .iter()
            .map(|j| (j.slug(), inner.config.dialect(*j)))
            .collect(),
    })
}

/// Replaces the whole configuration (the shape of the TOML file, as JSON) and starts over with
/// it: accounts, faults, sessions, lock-outs, journal and clock, as a fresh start would.
async fn put_config(State(state): State<Arc<SimState>>, body: Bytes) -> Reply {
    match parse::<SimConfig>(&body) {
        Ok(c) if c.admin_token.is_some() => bad(
            "«admin_token» no se cambia por la API: es el token con que arrancó el simulador; quite el campo."
                .to_owned(),
        ),
        Ok(c) => {
            state.reconfigure(c);
            config(State(state)).await
        }
        Err(reply) => *reply,
    }
}

async fn account(
    State(state): State<Arc<SimState>>,
    Path((slug, usuario)): Path<(String, String)>,
) -> Reply {
    let Some(j) = Jurisdiccion::ALL.into_iter().find(|j| j.slug() == slug) else {
        return respond(
            SimError::JurisdiccionDesconocida.render(pnt_model::Dialect::Modern),
            None,
            None,
        );
    };
    match state.account(j, &usuario) {
        Some(cached) => ok(&cached.cuenta),
        None => respond(
            modern::json(
                404,
                &json!({"error": {"codigo": "cuenta_inexistente",
                        "mensaje": format!("No existe la cuenta «{usuario}» en {}: las cuentas procedurales se llaman ciudadano seguido de 1 a 9 dígitos; las demás se configuran con PUT /__admin/accounts.", j.nombre())}}),
            ),
            None,
            None,
        ),
    }
}

async fn put_account(State(state): State<Arc<SimState>>, body: Bytes) -> Reply {
    match parse::<CuentaConfig>(&body) {
        Ok(cuenta) => {
            let key = json!({"jurisdiccion": cuenta.jurisdiccion, "usuario": cuenta.usuario});
            state.put_account(cuenta);
            ok(&key)
        }
        Err(reply) => *reply,
    }
}

async fn clear_accounts(State(state): State<Arc<SimState>>) -> Reply {
    state.clear_accounts();
    ok(&json!({"ok": true}))
}

async fn faults(State(state): State<Arc<SimState>>) -> Reply {
    ok(&json!({"faults": state.lock().faults.status()}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultsBody {
    faults: Vec<Fault>,
}

async fn add_faults(State(state): State<Arc<SimState>>, body: Bytes) -> Reply {
    match parse::<FaultsBody>(&body) {
        Ok(b) => {
            let mut inner = state.lock();
            inner.faults.add(b.faults);
            ok(&json!({"faults": inner.faults.status()}))
        }
        Err(reply) => *reply,
    }
}

async fn clear_faults(State(state): State<Arc<SimState>>) -> Reply {
    state.lock().faults.clear();
    ok(&json!({"faults": []}))
}

async fn journal(State(state): State<Arc<SimState>>) -> Reply {
    ok(&state.lock().journal.page())
}

async fn clear_journal(State(state): State<Arc<SimState>>) -> Reply {
    state.lock().journal.clear();
    ok(&json!({"ok": true}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockBody {
    now: Option<Timestamp>,
}

async fn set_clock(State(state): State<Arc<SimState>>, body: Bytes) -> Reply {
    match parse::<ClockBody>(&body) {
        Ok(b) => {
            state.clock.set(b.now);
            ok(&json!({"now": state.clock.now(), "manual": b.now.is_some()}))
        }
        Err(reply) => *reply,
    }
}

async fn reset(State(state): State<Arc<SimState>>) -> Reply {
    state.reset();
    ok(&json!({"ok": true}))
}

/// The 404 of an unknown admin route, in the modern shape.
pub(crate) fn unknown_route() -> Wire {
    SimError::RutaDesconocida.render(pnt_model::Dialect::Modern)
}
