//! The JSON API under `/api/v1`, discovery, the test hooks and the OpenAPI document.

mod cuentas;
mod historial;
mod vinculaciones;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::dto::{
    CalendariosPeticion, Descubrimiento, Hooks, InfomexPeticion, ReglasPublicadas, RelojPeticion,
};
use crate::error::{ApiError, ErrorBody, ErrorDetalle};
use crate::extract::Cuerpo;
use crate::state::AppState;

pub(crate) use historial::{descarga, filtros, se_ve_en_el_navegador, vista};
pub(crate) use vinculaciones::{ejecutar as ejecutar_vinculacion, resumenes};

/// Where the API lives.
pub(crate) const PREFIJO: &str = "/api/v1";
/// The contract's version (docs/pnt-api.md), independent of the crate's.
pub(crate) const VERSION_API: &str = "1.0.0";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "API de la PNT (pnt-suite)",
        version = "1.0.0",
        description = "The conformance contract of pnt-suite: a minimal Plataforma Nacional de \
            Transparencia that links Infomex accounts and shows Mi Historial. Errors always have \
            the shape {\"error\": {\"codigo\", \"mensaje\"}}; see docs/pnt-api.md.",
        license(name = "MIT OR Apache-2.0")
    ),
    paths(
        cuentas::registrar,
        cuentas::iniciar_sesion,
        cuentas::cerrar_sesion,
        vinculaciones::jurisdicciones,
        vinculaciones::vincular,
        vinculaciones::listar,
        historial::historial,
        historial::detalle,
        historial::adjunto,
        historial::interponer_queja,
        historial::quejas,
        descubrimiento,
        reloj,
        reset,
        infomex,
        calendarios,
    ),
    components(schemas(ErrorBody, ErrorDetalle)),
    modifiers(&Bearer),
    tags(
        (name = "cuentas", description = "PNT users and sessions"),
        (name = "vinculacion", description = "Linking Infomex accounts (migration)"),
        (name = "historial", description = "Mi Historial, details and attachments"),
        (name = "quejas", description = "Recursos de revisión"),
        (name = "descubrimiento", description = "What this server offers"),
        (name = "hooks", description = "Test-only hooks under /__test, served only when enabled and listed in discovery"),
    )
)]
struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The OpenAPI document, pretty-printed, as served and as committed in `docs/openapi.json`.
pub fn openapi_json() -> String {
    let mut text = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serializes");
    text.push('\n');
    text
}

pub(crate) fn router(state: &AppState) -> Router<AppState> {
    let api = Router::new()
        .route("/usuarios", post(cuentas::registrar))
        .route(
            "/sesiones",
            post(cuentas::iniciar_sesion).delete(cuentas::cerrar_sesion),
        )
        .route("/jurisdicciones", get(vinculaciones::jurisdicciones))
        .route(
            "/vinculaciones",
            post(vinculaciones::vincular).get(vinculaciones::listar),
        )
        .route("/historial", get(historial::historial))
        .route("/solicitudes/{folio}", get(historial::detalle))
        .route(
            "/solicitudes/{folio}/quejas",
            post(historial::interponer_queja),
        )
        .route("/adjuntos/{id}", get(historial::adjunto))
        .route("/quejas", get(historial::quejas))
        .route(
            "/openapi.json",
            get(|| async {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    openapi_json(),
                )
            }),
        );
    let mut router = Router::new()
        .nest(PREFIJO, api)
        .route("/.well-known/pnt-suite", get(descubrimiento));
    if state.config().test_hooks {
        let hooks = Router::new()
            .route("/__test/clock", put(reloj))
            .route("/__test/reset", post(reset))
            .route("/__test/infomex", put(infomex))
            .route("/__test/calendarios", put(calendarios))
            .route_layer(axum::middleware::from_fn_with_state(
                state.clone(),
                crate::seguridad::guardia_de_ganchos,
            ));
        router = router.merge(hooks);
    }
    router
}

/// What this server offers: where the API is, its version, which test hooks exist, and the rules
/// its plazos and semáforo follow.
#[utoipa::path(
    get, path = "/.well-known/pnt-suite", tag = "descubrimiento",
    responses((status = 200, description = "Discovery document", body = Descubrimiento))
)]
async fn descubrimiento(State(state): State<AppState>) -> Json<Descubrimiento> {
    let available = if state.config().test_hooks {
        vec![
            "clock".to_owned(),
            "reset".to_owned(),
            "infomex".to_owned(),
            "calendarios".to_owned(),
        ]
    } else {
        Vec::new()
    };
    Json(Descubrimiento {
        api: PREFIJO.to_owned(),
        version: VERSION_API.to_owned(),
        openapi: format!("{PREFIJO}/openapi.json"),
        hooks: Hooks {
            prefix: "/__test".to_owned(),
            available,
        },
        reglas: ReglasPublicadas::de(state.reglas().aplicadas()),
    })
}

/// Test hook: fix the server's date. It stays there until set again. Moving it forward does
/// not end open sessions: their expiry moves with the clock, so a scenario that jumps weeks
/// ahead to test a queja window keeps its log-in.
#[utoipa::path(
    put, path = "/__test/clock", tag = "hooks",
    request_body = RelojPeticion,
    responses(
        (status = 200, description = "The date now in force", body = RelojPeticion),
        (status = 400, description = "`json_invalido`, `datos_invalidos`", body = ErrorBody),
        (status = 403, description = "`ganchos_restringidos`: not a loopback peer, or without the configured `X-Pnt-Test-Token`", body = ErrorBody),
        (status = 404, description = "`ruta_desconocida` when hooks are disabled", body = ErrorBody),
    )
)]
async fn reloj(
    State(state): State<AppState>,
    Cuerpo(p): Cuerpo<RelojPeticion>,
) -> Result<Json<RelojPeticion>, ApiError> {
    let antes = state.clock().now();
    state.clock().set_hoy(p.hoy);
    let salto = state.clock().now().as_second() - antes.as_second();
    if salto > 0 {
        state
            .db()
            .call(move |c| crate::db::cuentas::desplazar_sesiones(c, salto))
            .await?;
    }
    Ok(Json(RelojPeticion {
        hoy: state.clock().hoy(),
    }))
}

/// Test hook: delete every user, session, linkage, solicitud, attachment and queja, forget
/// failed-attempt counters, and undo what `/__test/infomex` set (back to the start-up Infomex
/// configuration).
#[utoipa::path(
    post, path = "/__test/reset", tag = "hooks",
    responses(
        (status = 204, description = "Everything deleted"),
        (status = 403, description = "`ganchos_restringidos`: not a loopback peer, or without the configured `X-Pnt-Test-Token`", body = ErrorBody),
        (status = 404, description = "`ruta_desconocida` when hooks are disabled", body = ErrorBody),
    )
)]
async fn reset(State(state): State<AppState>) -> Result<StatusCode, ApiError> {
    // The failed-attempt counters live in the database: this clears them too.
    state.db().reset().await?;
    state.infomex().ajustar(Default::default());
    state.ajustar_calendarios([]);
    Ok(StatusCode::NO_CONTENT)
}

/// Test hook: how this server reaches some jurisdictions' Infomex — the dialect it speaks and
/// its base URL — and how many solicitudes a linkage fetches at once, replacing what an earlier
/// call set; the rest keeps the start-up configuration (`--dialect`, `--infomex`,
/// `--infomex-url`, `--concurrencia`). A scenario that switches a state's
/// Infomex to the other dialect tells the target through it. Linkages already under way keep
/// the settings they started with.
#[utoipa::path(
    put, path = "/__test/infomex", tag = "hooks",
    request_body = InfomexPeticion,
    responses(
        (status = 200, description = "The adjustments now in force", body = InfomexPeticion),
        (status = 400, description = "`json_invalido`, `datos_invalidos` (unknown field or jurisdiction, a dialect other than modern/legacy, a URL without http:// or https://)", body = ErrorBody),
        (status = 403, description = "`ganchos_restringidos`: not a loopback peer, or without the configured `X-Pnt-Test-Token`", body = ErrorBody),
        (status = 404, description = "`ruta_desconocida` when hooks are disabled", body = ErrorBody),
    )
)]
async fn infomex(
    State(state): State<AppState>,
    Cuerpo(p): Cuerpo<InfomexPeticion>,
) -> Json<InfomexPeticion> {
    // The body was read through `Jurisdiccion::parse`, so its keys are slugs.
    let slug =
        |k: &String| pnt_model::Jurisdiccion::parse(k).expect("InfomexPeticion holds slugs only");
    state.infomex().ajustar(crate::infomex::Ajustes {
        dialects: p.dialects.iter().map(|(k, d)| (slug(k), *d)).collect(),
        urls: p.urls.iter().map(|(k, u)| (slug(k), u.clone())).collect(),
        concurrencia: p.concurrencia,
    });
    Json(p)
}

/// Test hook: the calendar of some jurisdictions, replacing what an earlier call set; the
/// others keep the start-up calendars (`--calendar`). A scenario whose expectations follow a
/// calendar (`calendarios:`) tells the target through it; the discovery document then publishes
/// the calendars in force. Set it before linking: stored fechas límite are computed at linkage.
#[utoipa::path(
    put, path = "/__test/calendarios", tag = "hooks",
    request_body = CalendariosPeticion,
    responses(
        (status = 200, description = "The calendars now set by the hook", body = CalendariosPeticion),
        (status = 400, description = "`json_invalido`, `datos_invalidos` (unknown field or jurisdiction, a calendar that is not `{descripcion, dias_inhabiles, suspensiones}`)", body = ErrorBody),
        (status = 403, description = "`ganchos_restringidos`: not a loopback peer, or without the configured `X-Pnt-Test-Token`", body = ErrorBody),
        (status = 404, description = "`ruta_desconocida` when hooks are disabled", body = ErrorBody),
    )
)]
async fn calendarios(
    State(state): State<AppState>,
    Cuerpo(p): Cuerpo<CalendariosPeticion>,
) -> Json<CalendariosPeticion> {
    // The body was read through `Jurisdiccion::parse`, so its keys are slugs.
    state.ajustar_calendarios(p.calendarios.iter().map(|(k, c)| {
        (
            pnt_model::Jurisdiccion::parse(k).expect("CalendariosPeticion holds slugs only"),
            c.clone(),
        )
    }));
    Json(p)
}
