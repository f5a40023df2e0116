//! Steps: what a scenario does, one PNT action (or clock, fault or server action) at a time.
//!
//! A step is a mapping with exactly one action key plus optional `as`, `expect` and `capture`:
//!
//! ```yaml
//! - vincular: {jurisdiccion: jalisco, usuario: ciudadano1}
//!   as: ana
//!   expect: {fields: {estado: completa}}
//!   capture: {folio: "pendientes[0].folio"}
//! ```
//!
//! Actions without arguments may be written alone (`- logout`, `- restart`).

use std::borrow::Cow;
use std::fmt;

use pnt_model::{Jurisdiccion, Semaforo, TipoSolicitud};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::de::{At, Fecha, JurisdiccionSchema, OrderedMap, Shorthand, scalar_or_map};
use super::expect::{Expect, Selector};
use infomex_sim::FaultSpec;
use pnt_model::did_you_mean;

/// One step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub action: Action,
    /// The user (short name from `pnt.users`) whose session performs the step; default: the
    /// last user who logged in.
    pub user: Option<String>,
    pub expect: Expect,
    /// Variables taken from the response (`folio: "solicitudes[0].folio"`), usable later as
    /// `${folio}`.
    pub capture: OrderedMap<String, Selector>,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// `POST /api/v1/usuarios` with the user's correo, contraseña and nombre.
    Register(String),
    /// `POST /api/v1/sesiones`; the session becomes the user's.
    Login(Login),
    /// `DELETE /api/v1/sesiones` for the acting user's session.
    Logout(Option<String>),
    /// `POST /api/v1/vinculaciones`. The oracle then checks the history against the simulator.
    Vincular(Vincular),
    /// `GET /api/v1/vinculaciones`.
    Vinculaciones,
    /// `GET /api/v1/historial` with filters.
    History(History),
    /// `GET /api/v1/solicitudes/{folio}`.
    Details(Details),
    /// `GET /api/v1/adjuntos/{id}`; the runner checks the bytes against `X-Sha256`.
    Download(Download),
    /// `POST /api/v1/solicitudes/{folio}/quejas`.
    Queja(QuejaArgs),
    /// `GET /api/v1/quejas`.
    Quejas,
    /// Sets the target's and the simulator's "today" (hook `clock`).
    SetClock(Fecha),
    /// Moves "today" forward (hook `clock`).
    AdvanceClock(Advance),
    /// Adds faults to the simulator's plan.
    Faults(Vec<At<FaultSpec>>),
    /// Empties the simulator's fault plan.
    ClearFaults,
    /// Restarts the target on the same database (embedded target only).
    Restart,
    /// Runs its steps at the same time; the next step starts when all have finished.
    Concurrent(Vec<At<Step>>),
}

/// Every action key, in the order docs list them.
pub const ACTIONS: &[&str] = &[
    "register",
    "login",
    "logout",
    "vincular",
    "vinculaciones",
    "history",
    "details",
    "download",
    "queja",
    "quejas",
    "set_clock",
    "advance_clock",
    "faults",
    "clear_faults",
    "restart",
    "concurrent",
];

/// Actions that may be written alone, without arguments.
pub const BARE_ACTIONS: &[&str] = &[
    "logout",
    "vinculaciones",
    "history",
    "quejas",
    "clear_faults",
    "restart",
];

/// The keys a step may have besides its action.
pub const MODIFIERS: &[&str] = &["as", "expect", "capture"];

impl Action {
    /// The action's key.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Register(_) => "register",
            Action::Login(_) => "login",
            Action::Logout(_) => "logout",
            Action::Vincular(_) => "vincular",
            Action::Vinculaciones => "vinculaciones",
            Action::History(_) => "history",
            Action::Details(_) => "details",
            Action::Download(_) => "download",
            Action::Queja(_) => "queja",
            Action::Quejas => "quejas",
            Action::SetClock(_) => "set_clock",
            Action::AdvanceClock(_) => "advance_clock",
            Action::Faults(_) => "faults",
            Action::ClearFaults => "clear_faults",
            Action::Restart => "restart",
            Action::Concurrent(_) => "concurrent",
        }
    }

    fn bare(name: &str) -> Option<Action> {
        Some(match name {
            "logout" => Action::Logout(None),
            "vinculaciones" => Action::Vinculaciones,
            "history" => Action::History(History::default()),
            "quejas" => Action::Quejas,
            "clear_faults" => Action::ClearFaults,
            "restart" => Action::Restart,
            _ => return None,
        })
    }
}

/// `login: ana` or `login: {user: ana, contrasena: otra}` (to try a wrong password).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub user: String,
    /// Overrides the user's password for this attempt.
    #[serde(default)]
    pub contrasena: Option<String>,
}

impl Shorthand for Login {
    const SCALAR: &'static str = "a user name";

    fn from_scalar(user: String) -> Result<Login, String> {
        Ok(Login {
            user,
            contrasena: None,
        })
    }
}

/// Link an Infomex account ("Vinculación a sistemas de solicitudes de acceso a la información").
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vincular {
    #[schemars(with = "JurisdiccionSchema")]
    pub jurisdiccion: Jurisdiccion,
    /// The Infomex user.
    pub usuario: String,
    /// Default: the account's real password (from `infomex.accounts` or the simulator).
    #[serde(default)]
    pub contrasena: Option<String>,
}

/// Mi Historial, with the legend's filters.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct History {
    #[serde(default)]
    #[schemars(with = "Option<SemaforoSchema>")]
    pub semaforo: Option<Semaforo>,
    #[serde(default)]
    #[schemars(with = "Option<TipoSchema>")]
    pub tipo: Option<TipoSolicitud>,
    /// From 1. Sent as written: a value the API refuses (0) is how a scenario tests that it does.
    #[serde(default)]
    pub pagina: Option<u32>,
    /// The API takes 1–100 (its default is 20). Sent as written, like `pagina`.
    #[serde(default)]
    pub por_pagina: Option<u32>,
}

/// `details: FOLIO` or `details: {folio: FOLIO}`.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Details {
    pub folio: String,
}

impl Shorthand for Details {
    const SCALAR: &'static str = "a folio";

    fn from_scalar(folio: String) -> Result<Details, String> {
        Ok(Details { folio })
    }
}

/// `download: ID`, `download: {id: ID}` or `download: {folio: F, respuesta: 0, adjunto: 0}`
/// (the attachment's position in the solicitud's details).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Download {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub folio: Option<String>,
    /// Index of the answer, from 0.
    #[serde(default)]
    pub respuesta: usize,
    /// Index of the attachment within the answer, from 0.
    #[serde(default)]
    pub adjunto: usize,
}

impl Shorthand for Download {
    const SCALAR: &'static str = "an attachment id";

    fn from_scalar(id: String) -> Result<Download, String> {
        Ok(Download {
            id: Some(id),
            folio: None,
            respuesta: 0,
            adjunto: 0,
        })
    }
}

/// `queja: FOLIO` or `queja: {folio: F, motivo: "…"}`.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuejaArgs {
    pub folio: String,
    /// Default: "La solicitud no fue respondida dentro del plazo." when the queja is against a
    /// missing answer, else "La respuesta no corresponde a lo solicitado."
    #[serde(default)]
    pub motivo: Option<String>,
}

impl Shorthand for QuejaArgs {
    const SCALAR: &'static str = "a folio";

    fn from_scalar(folio: String) -> Result<QuejaArgs, String> {
        Ok(QuejaArgs {
            folio,
            motivo: None,
        })
    }
}

/// `advance_clock: {dias_habiles: 5}` or `advance_clock: {dias: 30}` (exactly one).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Advance {
    /// Días hábiles of the LFT calendar.
    #[serde(default)]
    pub dias_habiles: Option<u32>,
    /// Calendar days.
    #[serde(default)]
    pub dias: Option<u32>,
}

#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // Only its schema is used.
enum SemaforoSchema {
    EnTiempo,
    EnAlerta,
    FueraDeTiempo,
}

#[derive(JsonSchema)]
#[allow(dead_code)] // Only its schema is used.
enum TipoSchema {
    #[serde(rename = "acceso")]
    Acceso,
    #[serde(rename = "datos-personales")]
    DatosPersonales,
}

/// Wraps [`scalar_or_map`] so `next_value_seed`-free code can ask for it by type.
struct ScalarOrMap<T>(T);

impl<'de, T: Shorthand + serde::de::DeserializeOwned> Deserialize<'de> for ScalarOrMap<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        scalar_or_map(deserializer).map(ScalarOrMap)
    }
}

/// The argument of an action that takes none: nothing (`restart:`) or an empty mapping
/// (`restart: {}`, the form that leaves room for `expect`). Anything else is a mistake the file's
/// author should hear about rather than have ignored; the schema says the same ([`no_args`]).
struct NoArgs(&'static str);

impl NoArgs {
    fn refuse<E: de::Error>(&self) -> E {
        E::custom(format!(
            "el paso `{0}` no lleva argumentos: escriba `- {0}`, o `{0}: {{}}` para añadirle `expect` o `as`",
            self.0
        ))
    }
}

impl<'de> de::DeserializeSeed<'de> for NoArgs {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NoArgs {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "nothing, or `{{}}`")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        match map.next_key::<de::IgnoredAny>()? {
            None => Ok(()),
            Some(_) => Err(self.refuse()),
        }
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(self.refuse())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(self.refuse())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(self.refuse())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(self.refuse())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(self.refuse())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(self.refuse())
    }
}

/// `logout`'s argument: nothing, `{}` (like every action without arguments) or a user.
struct LogoutArg;

impl<'de> de::DeserializeSeed<'de> for LogoutArg {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LogoutArg {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a user name")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E: de::Error>(self, user: &str) -> Result<Self::Value, E> {
        Ok(Some(user.to_owned()))
    }

    fn visit_u64<E: de::Error>(self, user: u64) -> Result<Self::Value, E> {
        Ok(Some(user.to_string()))
    }

    fn visit_i64<E: de::Error>(self, user: i64) -> Result<Self::Value, E> {
        Ok(Some(user.to_string()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        match map.next_key::<de::IgnoredAny>()? {
            None => Ok(None),
            Some(_) => Err(de::Error::custom(
                "`logout` lleva un usuario (`logout: ana`), nada, o `{}`",
            )),
        }
    }
}

/// The schema of an action without arguments: nothing or an empty mapping (see [`NoArgs`]).
fn no_args() -> Schema {
    json_schema!({
        "type": ["null", "object"],
        "maxProperties": 0,
        "description": "Nothing, or `{}` (the form that leaves room for `expect` and `as`)."
    })
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StepVisitor)
    }
}

struct StepVisitor;

fn unknown_key<E: de::Error>(key: &str) -> E {
    // Reported as an unknown variant so the error mapper can tell steps from other mappings.
    let all: Vec<&str> = ACTIONS.iter().chain(MODIFIERS).copied().collect();
    let msg = match did_you_mean(key, all.iter().copied()) {
        Some(s) if ACTIONS.contains(&s) => format!("paso desconocido `{key}`; ¿quiso decir `{s}`?"),
        Some(s) => format!("clave desconocida `{key}` en un paso; ¿quiso decir `{s}`?"),
        None => format!(
            "paso desconocido `{key}`; los pasos son: {}; y cada paso admite además {}",
            ACTIONS.join(", "),
            MODIFIERS.join(", ")
        ),
    };
    E::custom(msg)
}

impl<'de> Visitor<'de> for StepVisitor {
    type Value = Step;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a step")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Step, E> {
        match Action::bare(name) {
            Some(action) => Ok(Step {
                action,
                user: None,
                expect: Expect::default(),
                capture: OrderedMap::default(),
            }),
            None if ACTIONS.contains(&name) => Err(E::custom(format!(
                "el paso `{name}` necesita argumentos: escriba `{name}: …` (vea docs/scenarios.md)"
            ))),
            None => Err(unknown_key(name)),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Step, A::Error> {
        let mut action: Option<Action> = None;
        let mut user = None;
        let mut expect = None;
        let mut capture = None;
        while let Some(key) = map.next_key::<String>()? {
            let parsed = match key.as_str() {
                "as" => {
                    user = Some(map.next_value::<String>()?);
                    continue;
                }
                "expect" => {
                    expect = Some(map.next_value::<Option<Expect>>()?.unwrap_or_default());
                    continue;
                }
                "capture" => {
                    capture = Some(map.next_value::<OrderedMap<String, Selector>>()?);
                    continue;
                }
                "register" => Action::Register(map.next_value()?),
                "login" => Action::Login(map.next_value::<ScalarOrMap<Login>>()?.0),
                "logout" => Action::Logout(map.next_value_seed(LogoutArg)?),
                "vincular" => Action::Vincular(map.next_value()?),
                "vinculaciones" => {
                    map.next_value_seed(NoArgs("vinculaciones"))?;
                    Action::Vinculaciones
                }
                "history" => {
                    Action::History(map.next_value::<Option<History>>()?.unwrap_or_default())
                }
                "details" => Action::Details(map.next_value::<ScalarOrMap<Details>>()?.0),
                "download" => Action::Download(map.next_value::<ScalarOrMap<Download>>()?.0),
                "queja" => Action::Queja(map.next_value::<ScalarOrMap<QuejaArgs>>()?.0),
                "quejas" => {
                    map.next_value_seed(NoArgs("quejas"))?;
                    Action::Quejas
                }
                "set_clock" => Action::SetClock(map.next_value()?),
                "advance_clock" => Action::AdvanceClock(map.next_value()?),
                "faults" => Action::Faults(map.next_value()?),
                "clear_faults" => {
                    map.next_value_seed(NoArgs("clear_faults"))?;
                    Action::ClearFaults
                }
                "restart" => {
                    map.next_value_seed(NoArgs("restart"))?;
                    Action::Restart
                }
                "concurrent" => Action::Concurrent(map.next_value()?),
                other => return Err(unknown_key(other)),
            };
            if let Some(first) = &action {
                return Err(de::Error::custom(format!(
                    "un paso hace una sola cosa, y este tiene `{}` y `{}`; sepárelos en dos pasos",
                    first.name(),
                    parsed.name()
                )));
            }
            action = Some(parsed);
        }
        let Some(action) = action else {
            return Err(de::Error::custom(format!(
                "este paso no dice qué hacer: falta una de {}",
                ACTIONS.join(", ")
            )));
        };
        Ok(Step {
            action,
            user,
            expect: expect.unwrap_or_default(),
            capture: capture.unwrap_or_default(),
        })
    }
}

impl JsonSchema for Step {
    fn schema_name() -> Cow<'static, str> {
        "Step".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        // `expect:` with nothing after it expects what no `expect` does.
        let expect =
            json_schema!({"anyOf": [generator.subschema_for::<Expect>(), {"type": "null"}]});
        let capture = json_schema!({
            "type": "object",
            "description": "Variables taken from the response: name → selector.",
            "additionalProperties": generator.subschema_for::<Selector>()
        });
        let user = json_schema!({"type": "string", "description": "The user whose session performs the step."});
        let none = json_schema!({"type": "null"});
        let user_ref =
            json_schema!({"type": "string", "description": "A user's short name from pnt.users."});
        let with_shorthand = |generator: &mut SchemaGenerator, full: Schema| -> Schema {
            let _ = generator;
            json_schema!({"anyOf": [{"type": ["string", "integer"]}, full]})
        };
        let login = generator.subschema_for::<Login>();
        let details = generator.subschema_for::<Details>();
        let download = generator.subschema_for::<Download>();
        let queja = generator.subschema_for::<QuejaArgs>();
        let args: Vec<(&str, Schema)> = vec![
            ("register", user_ref.clone()),
            ("login", with_shorthand(generator, login)),
            ("logout", json_schema!({"anyOf": [user_ref, no_args()]})),
            ("vincular", generator.subschema_for::<Vincular>()),
            ("vinculaciones", no_args()),
            (
                "history",
                json_schema!({"anyOf": [generator.subschema_for::<History>(), none]}),
            ),
            ("details", with_shorthand(generator, details)),
            ("download", with_shorthand(generator, download)),
            ("queja", with_shorthand(generator, queja)),
            ("quejas", no_args()),
            ("set_clock", generator.subschema_for::<Fecha>()),
            ("advance_clock", generator.subschema_for::<Advance>()),
            ("faults", generator.subschema_for::<Vec<FaultSpec>>()),
            ("clear_faults", no_args()),
            ("restart", no_args()),
            ("concurrent", generator.subschema_for::<Vec<Step>>()),
        ];
        let mut variants: Vec<Schema> = vec![json_schema!({
            "type": "string",
            "enum": BARE_ACTIONS,
            "description": "An action without arguments."
        })];
        for (name, schema) in args {
            variants.push(json_schema!({
                "type": "object",
                "properties": {
                    name: schema,
                    "as": user.clone(),
                    "expect": expect.clone(),
                    "capture": capture.clone(),
                },
                "required": [name],
                "additionalProperties": false
            }));
        }
        json_schema!({
            "description": "One step: exactly one action key, plus optional `as`, `expect` and `capture`.",
            "oneOf": variants
        })
    }
}
