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
//! Actions without arguments may be written alone (`- cerrar_sesion`, `- restart`).
//!
//! The actions are declared once, in the [`actions!`] table below: the [`Action`] enum, the
//! [`ActionKind`] list, the keys, parsing and schema all come from it.

use std::borrow::Cow;
use std::fmt;

use pnt_model::{Jurisdiccion, Semaforo, TipoSolicitud};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::de::{At, Fecha, JurisdiccionSchema, OrderedMap, Shorthand, scalar_or_map};
use super::expect::{Expect, Selector};
use super::matrix::as_written;
use infomex_sim::FaultSpec;
use pnt_model::did_you_mean;

/// One step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub action: Action,
    /// The former English key the file used for the action (`history`), if it did: accepted,
    /// and reported as `paso_obsoleto` naming the current key.
    pub former_name: Option<&'static str>,
    /// The user (short name from `pnt.users`) whose session performs the step; default: the
    /// last user who logged in.
    pub user: Option<String>,
    pub expect: Expect,
    /// Variables taken from the response (`folio: "solicitudes[0].folio"`), usable later as
    /// `${folio}`.
    pub capture: OrderedMap<String, Selector>,
}

/// Declares the actions once: the [`Action`] enum, the [`ActionKind`] list with each key (and
/// the former English key still accepted), and the parsing and schema of each action taken from
/// its argument type's [`Args`].
macro_rules! actions {
    ($($(#[doc = $doc:literal])* $variant:ident($args:ty) = $name:literal $(, formerly $old:literal)?;)*) => {
        /// What a step does.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Action {
            $($(#[doc = $doc])* $variant($args),)*
        }

        /// An action without its arguments: the list every other one derives from.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ActionKind {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ActionKind {
            /// Every action, in the order the docs list them.
            pub const ALL: &'static [ActionKind] = &[$(ActionKind::$variant,)*];

            /// The action's key in a scenario file.
            pub fn name(self) -> &'static str {
                match self {
                    $(ActionKind::$variant => $name,)*
                }
            }

            /// The English key the action had before the naming rule (docs/pnt-api.md), still
            /// accepted with a warning (`paso_obsoleto`).
            pub fn former_name(self) -> Option<&'static str> {
                match self {
                    $(ActionKind::$variant => None $(.or(Some($old)))?,)*
                }
            }

            /// The action written alone, when it may be.
            pub fn bare(self) -> Option<Action> {
                match self {
                    $(ActionKind::$variant => <$args as Args>::bare().map(Action::$variant),)*
                }
            }

            fn parse<'de, A: MapAccess<'de>>(self, map: &mut A) -> Result<Action, A::Error> {
                match self {
                    $(ActionKind::$variant => <$args as Args>::parse(map, $name).map(Action::$variant),)*
                }
            }

            fn schema(self, generator: &mut SchemaGenerator) -> Schema {
                match self {
                    $(ActionKind::$variant => <$args as Args>::schema(generator),)*
                }
            }
        }

        impl Action {
            /// What the action is, without its arguments.
            pub fn kind(&self) -> ActionKind {
                match self {
                    $(Action::$variant(_) => ActionKind::$variant,)*
                }
            }

            /// The step as the transcript and the reports show it: its key and its argument
            /// (`detalle 0623800160321`).
            pub fn describe(&self) -> String {
                let args = match self {
                    $(Action::$variant(args) => Args::describe(args),)*
                };
                if args.is_empty() {
                    self.name().to_owned()
                } else {
                    format!("{} {args}", self.name())
                }
            }
        }
    };
}

actions! {
    /// `POST /api/v1/usuarios` with the user's correo, contraseña and nombre.
    Registrar(String) = "registrar", formerly "register";
    /// `POST /api/v1/sesiones`; the session becomes the user's.
    IniciarSesion(IniciarSesion) = "iniciar_sesion", formerly "login";
    /// `DELETE /api/v1/sesiones` for the acting user's session (or the named user's).
    CerrarSesion(Option<String>) = "cerrar_sesion", formerly "logout";
    /// `POST /api/v1/vinculaciones`. The oracle then checks the history against the simulator.
    Vincular(Vincular) = "vincular";
    /// `GET /api/v1/vinculaciones`.
    Vinculaciones(NoArgs) = "vinculaciones";
    /// `GET /api/v1/historial` with filters.
    Historial(Historial) = "historial", formerly "history";
    /// `GET /api/v1/solicitudes/{folio}`.
    Detalle(Detalle) = "detalle", formerly "details";
    /// `GET /api/v1/adjuntos/{id}`; the runner checks the bytes against `X-Sha256`.
    Descargar(Descargar) = "descargar", formerly "download";
    /// `POST /api/v1/solicitudes/{folio}/quejas`.
    Queja(QuejaArgs) = "queja";
    /// `GET /api/v1/quejas`.
    Quejas(NoArgs) = "quejas";
    /// Sets the target's and the simulator's `hoy` (hook `clock`).
    SetClock(Fecha) = "set_clock";
    /// Moves `hoy` forward (hook `clock`).
    AdvanceClock(Advance) = "advance_clock";
    /// Adds faults to the simulator's plan.
    Faults(Vec<At<FaultSpec>>) = "faults";
    /// Empties the simulator's fault plan.
    ClearFaults(NoArgs) = "clear_faults";
    /// Restarts the target on the same database (embedded target only).
    Restart(NoArgs) = "restart";
    /// Runs its steps at the same time; the next step starts when all have finished.
    Concurrent(Vec<At<Step>>) = "concurrent";
}

/// The keys a step may have besides its action.
pub const MODIFIERS: &[&str] = &["as", "expect", "capture"];

impl ActionKind {
    /// The kind whose key, current or former, is `key`.
    pub fn from_key(key: &str) -> Option<ActionKind> {
        ActionKind::ALL
            .iter()
            .copied()
            .find(|k| k.name() == key || k.former_name() == Some(key))
    }

    /// The keys of every action, in the order the docs list them.
    pub fn names() -> impl Iterator<Item = &'static str> {
        ActionKind::ALL.iter().map(|k| k.name())
    }

    /// The keys of the actions that may be written alone, without arguments.
    pub fn bare_names() -> impl Iterator<Item = &'static str> {
        ActionKind::ALL
            .iter()
            .filter(|k| k.bare().is_some())
            .map(|k| k.name())
    }
}

impl Action {
    /// The action's key.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }
}

/// How a step's argument is read and described: the one place each argument type says whether
/// it may be left out, how it is parsed, what its schema is and how the transcript shows it.
/// [`actions!`] derives the action's parsing, schema and description from it.
trait Args: Sized {
    /// The argument as the transcript shows it after the action's key (nothing when empty),
    /// variables as the author wrote them (`${folio}`).
    fn describe(&self) -> String {
        String::new()
    }

    /// The value when the action is written alone (`- quejas`); `None` when it needs arguments.
    fn bare() -> Option<Self> {
        None
    }

    fn parse<'de, A: MapAccess<'de>>(map: &mut A, key: &'static str) -> Result<Self, A::Error>;

    fn schema(generator: &mut SchemaGenerator) -> Schema;
}

/// The argument of an action that takes none (`vinculaciones`, `restart`, …).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoArgs;

impl Args for NoArgs {
    fn bare() -> Option<Self> {
        Some(NoArgs)
    }

    fn parse<'de, A: MapAccess<'de>>(map: &mut A, key: &'static str) -> Result<Self, A::Error> {
        map.next_value_seed(NoArgsSeed(key))?;
        Ok(NoArgs)
    }

    fn schema(_: &mut SchemaGenerator) -> Schema {
        no_args()
    }
}

/// `registrar`'s argument: the user's short name.
impl Args for String {
    fn describe(&self) -> String {
        self.clone()
    }

    fn parse<'de, A: MapAccess<'de>>(map: &mut A, _: &'static str) -> Result<Self, A::Error> {
        map.next_value()
    }

    fn schema(_: &mut SchemaGenerator) -> Schema {
        user_ref()
    }
}

/// `cerrar_sesion`'s argument: nothing (the acting user) or a user.
impl Args for Option<String> {
    fn bare() -> Option<Self> {
        Some(None)
    }

    fn parse<'de, A: MapAccess<'de>>(map: &mut A, _: &'static str) -> Result<Self, A::Error> {
        map.next_value_seed(CerrarSesionArg)
    }

    fn schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"anyOf": [user_ref(), no_args()]})
    }
}

/// `historial`'s filters, all optional: `- historial` alone reads the first page unfiltered.
impl Args for Historial {
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.semaforo {
            parts.push(format!("semaforo={}", s.slug()));
        }
        if let Some(t) = self.tipo {
            parts.push(format!("tipo={}", t.slug()));
        }
        if let Some(p) = self.pagina {
            parts.push(format!("pagina={p}"));
        }
        parts.join(" ")
    }

    fn bare() -> Option<Self> {
        Some(Historial::default())
    }

    fn parse<'de, A: MapAccess<'de>>(map: &mut A, _: &'static str) -> Result<Self, A::Error> {
        Ok(map.next_value::<Option<Historial>>()?.unwrap_or_default())
    }

    fn schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({"anyOf": [generator.subschema_for::<Historial>(), {"type": "null"}]})
    }
}

/// How the argument types the macros below implement [`Args`] for are shown in the transcript.
trait Describe {
    fn describe(&self) -> String;
}

/// Arguments written as their mapping only.
macro_rules! mapping_args {
    ($($t:ty),*) => {$(
        impl Args for $t {
            fn describe(&self) -> String {
                Describe::describe(self)
            }

            fn parse<'de, A: MapAccess<'de>>(map: &mut A, _: &'static str) -> Result<Self, A::Error> {
                map.next_value()
            }

            fn schema(generator: &mut SchemaGenerator) -> Schema {
                generator.subschema_for::<$t>()
            }
        }
    )*};
}

mapping_args!(Vincular, Fecha, Advance, Vec<At<FaultSpec>>, Vec<At<Step>>);

impl Describe for Vincular {
    fn describe(&self) -> String {
        format!("{}/{}", self.jurisdiccion.slug(), as_written(&self.usuario))
    }
}

impl Describe for Fecha {
    fn describe(&self) -> String {
        self.0.to_string()
    }
}

impl Describe for Advance {
    fn describe(&self) -> String {
        let habiles = |n: u32| {
            if n == 1 {
                "día hábil"
            } else {
                "días hábiles"
            }
        };
        match (self.dias_habiles, self.dias) {
            (Some(n), _) => match self.jurisdiccion {
                Some(j) => format!("{n} {} de {}", habiles(n), j.slug()),
                None => format!("{n} {}", habiles(n)),
            },
            (_, Some(1)) => "1 día".to_owned(),
            (_, Some(n)) => format!("{n} días"),
            _ => String::new(),
        }
    }
}

/// A list of faults or of steps: how many.
impl<T> Describe for Vec<T> {
    fn describe(&self) -> String {
        format!("({})", self.len())
    }
}

impl Describe for IniciarSesion {
    fn describe(&self) -> String {
        match &self.contrasena {
            Some(_) => format!("{} (otra contraseña)", self.user),
            None => self.user.clone(),
        }
    }
}

impl Describe for Detalle {
    fn describe(&self) -> String {
        as_written(&self.folio)
    }
}

impl Describe for Descargar {
    fn describe(&self) -> String {
        match (&self.id, &self.folio) {
            (Some(id), _) => as_written(id),
            (None, Some(f)) => format!(
                "{} respuesta {} adjunto {}",
                as_written(f),
                self.respuesta,
                self.adjunto
            ),
            (None, None) => String::new(),
        }
    }
}

impl Describe for QuejaArgs {
    fn describe(&self) -> String {
        as_written(&self.folio)
    }
}

/// Arguments written as their mapping or as one scalar ([`Shorthand`]).
macro_rules! shorthand_args {
    ($($t:ty),*) => {$(
        impl Args for $t {
            fn describe(&self) -> String {
                Describe::describe(self)
            }

            fn parse<'de, A: MapAccess<'de>>(map: &mut A, _: &'static str) -> Result<Self, A::Error> {
                Ok(map.next_value::<ScalarOrMap<$t>>()?.0)
            }

            fn schema(generator: &mut SchemaGenerator) -> Schema {
                json_schema!({"anyOf": [{"type": ["string", "integer"]}, generator.subschema_for::<$t>()]})
            }
        }
    )*};
}

shorthand_args!(IniciarSesion, Detalle, Descargar, QuejaArgs);

/// `iniciar_sesion: ana` or `iniciar_sesion: {user: ana, contrasena: otra}` (to try a wrong
/// password).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IniciarSesion {
    pub user: String,
    /// Overrides the user's password for this attempt.
    #[serde(default)]
    pub contrasena: Option<String>,
}

impl Shorthand for IniciarSesion {
    const SCALAR: &'static str = "a user name";

    fn from_scalar(user: String) -> IniciarSesion {
        IniciarSesion {
            user,
            contrasena: None,
        }
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
pub struct Historial {
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

/// `detalle: FOLIO` or `detalle: {folio: FOLIO}`.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Detalle {
    pub folio: String,
}

impl Shorthand for Detalle {
    const SCALAR: &'static str = "a folio";

    fn from_scalar(folio: String) -> Detalle {
        Detalle { folio }
    }
}

/// `descargar: ID`, `descargar: {id: ID}` or `descargar: {folio: F, respuesta: 0, adjunto: 0}`
/// (the attachment's position in the solicitud's detalle).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Descargar {
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

impl Shorthand for Descargar {
    const SCALAR: &'static str = "an attachment id";

    fn from_scalar(id: String) -> Descargar {
        Descargar {
            id: Some(id),
            folio: None,
            respuesta: 0,
            adjunto: 0,
        }
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

    fn from_scalar(folio: String) -> QuejaArgs {
        QuejaArgs {
            folio,
            motivo: None,
        }
    }
}

/// `advance_clock: {dias_habiles: 5}` or `advance_clock: {dias: 30}` (exactly one);
/// `{dias_habiles: 5, jurisdiccion: federacion}` counts on that jurisdiction's calendar.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Advance {
    /// Días hábiles: of the LFT calendar, or of the calendar the scenario's `calendarios` give
    /// `jurisdiccion`.
    #[serde(default)]
    pub dias_habiles: Option<u32>,
    /// Whose días hábiles `dias_habiles` counts: the calendar the scenario's `calendarios` give
    /// this jurisdiction (LFT when they give it none).
    #[serde(default)]
    #[schemars(with = "Option<JurisdiccionSchema>")]
    pub jurisdiccion: Option<Jurisdiccion>,
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
struct NoArgsSeed(&'static str);

impl NoArgsSeed {
    fn refuse<E: de::Error>(&self) -> E {
        E::custom(format!(
            "el paso `{0}` no lleva argumentos: escriba `- {0}`, o `{0}: {{}}` para añadirle `expect` o `as`",
            self.0
        ))
    }
}

impl<'de> de::DeserializeSeed<'de> for NoArgsSeed {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NoArgsSeed {
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

/// `cerrar_sesion`'s argument: nothing, `{}` (like every action without arguments) or a user.
struct CerrarSesionArg;

impl<'de> de::DeserializeSeed<'de> for CerrarSesionArg {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CerrarSesionArg {
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
                "`cerrar_sesion` lleva un usuario (`cerrar_sesion: ana`), nada, o `{}`",
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

/// A user's short name, as `registrar` and `cerrar_sesion` take it.
fn user_ref() -> Schema {
    json_schema!({"type": "string", "description": "A user's short name from pnt.users."})
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StepVisitor)
    }
}

struct StepVisitor;

fn unknown_key<E: de::Error>(key: &str) -> E {
    // Reported as an unknown variant so the error mapper can tell steps from other mappings.
    // A former key close to the typo suggests the current one.
    let formers = ActionKind::ALL.iter().filter_map(|k| k.former_name());
    let all: Vec<&str> = ActionKind::names()
        .chain(formers)
        .chain(MODIFIERS.iter().copied())
        .collect();
    let msg = match did_you_mean(key, all.iter().copied()) {
        Some(s) if MODIFIERS.contains(&s) => {
            format!("clave desconocida `{key}` en un paso; ¿quiso decir `{s}`?")
        }
        Some(s) => {
            let current = ActionKind::from_key(s).map_or(s, ActionKind::name);
            format!("paso desconocido `{key}`; ¿quiso decir `{current}`?")
        }
        None => format!(
            "paso desconocido `{key}`; los pasos son: {}; y cada paso admite además {}",
            ActionKind::names().collect::<Vec<_>>().join(", "),
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

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Step, E> {
        let Some(kind) = ActionKind::from_key(key) else {
            return Err(unknown_key(key));
        };
        match kind.bare() {
            Some(action) => Ok(Step {
                action,
                former_name: kind.former_name().filter(|old| *old == key),
                user: None,
                expect: Expect::default(),
                capture: OrderedMap::default(),
            }),
            None => Err(E::custom(format!(
                "el paso `{key}` necesita argumentos: escriba `{key}: …` (vea docs/scenarios.md)"
            ))),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Step, A::Error> {
        let mut action: Option<Action> = None;
        let mut former_name = None;
        let mut user = None;
        let mut expect = None;
        let mut capture = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
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
                _ => {}
            }
            let Some(kind) = ActionKind::from_key(&key) else {
                return Err(unknown_key(&key));
            };
            let parsed = kind.parse(&mut map)?;
            if let Some(first) = &action {
                return Err(de::Error::custom(format!(
                    "un paso hace una sola cosa, y este tiene `{}` y `{}`; sepárelos en dos pasos",
                    first.name(),
                    parsed.name()
                )));
            }
            former_name = kind.former_name().filter(|old| *old == key);
            action = Some(parsed);
        }
        let Some(action) = action else {
            return Err(de::Error::custom(format!(
                "este paso no dice qué hacer: falta una de {}",
                ActionKind::names().collect::<Vec<_>>().join(", ")
            )));
        };
        Ok(Step {
            action,
            former_name,
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
        let keyed = |name: &str, schema: Schema, deprecated: bool| -> Schema {
            let mut variant = json_schema!({
                "type": "object",
                "properties": {
                    name: schema,
                    "as": user.clone(),
                    "expect": expect.clone(),
                    "capture": capture.clone(),
                },
                "required": [name],
                "additionalProperties": false
            });
            if deprecated {
                variant.insert("deprecated".into(), true.into());
            }
            variant
        };
        // The bare keys, current then former, in one alternative: a `${name}` of the matrix may
        // stand for any of them, and two alternatives would both accept it.
        let former_bare: Vec<&str> = ActionKind::ALL
            .iter()
            .filter(|k| k.bare().is_some())
            .filter_map(|k| k.former_name())
            .collect();
        let bare: Vec<&str> = ActionKind::bare_names()
            .chain(former_bare.iter().copied())
            .collect();
        let mut variants: Vec<Schema> = vec![json_schema!({
            "type": "string",
            "enum": bare,
            "description": format!(
                "An action without arguments. Former keys, still accepted with a warning: {}.",
                former_bare.join(", ")
            )
        })];
        for kind in ActionKind::ALL {
            let schema = kind.schema(generator);
            variants.push(keyed(kind.name(), schema, false));
        }
        // The former keys, still accepted with a warning: editors strike them through.
        for kind in ActionKind::ALL {
            if let Some(old) = kind.former_name() {
                let schema = kind.schema(generator);
                variants.push(keyed(old, schema, true));
            }
        }
        json_schema!({
            "description": "One step: exactly one action key, plus optional `as`, `expect` and `capture`.",
            "oneOf": variants
        })
    }
}
