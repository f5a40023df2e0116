//! Everything a deployment (or a test) chooses: storage, where each Infomex lives and which
//! dialect it speaks, retry policy, limits, argon2 cost and the clock.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use pnt_model::{Calendario, Dialect, Jurisdiccion, ReglaSemaforo};

use crate::Clock;

/// Where the database lives.
#[derive(Clone, PartialEq, Eq)]
pub enum Storage {
    /// A private in-memory database, gone when the server stops.
    Memory,
    /// A SQLite file (created if absent), opened in WAL mode.
    File(PathBuf),
    /// A PostgreSQL database, `postgres://usuario:contraseña@host:puerto/base` (key-value
    /// strings such as `host=… dbname=…` too). Several server instances may share it: the
    /// linkage lock and the failed-attempt limits live in the database.
    Postgres(String),
}

impl Storage {
    /// `postgres://…` or `postgresql://…` is a PostgreSQL database; anything else, a SQLite
    /// file's path.
    pub fn parse(text: &str) -> Storage {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Storage::Postgres(text.to_owned())
        } else {
            Storage::File(PathBuf::from(text))
        }
    }
}

impl std::fmt::Debug for Storage {
    /// Never prints a PostgreSQL URL's password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Storage::Memory => f.write_str("Memory"),
            Storage::File(p) => f.debug_tuple("File").field(p).finish(),
            Storage::Postgres(url) => f
                .debug_tuple("Postgres")
                .field(&crate::db::sin_contrasena(url))
                .finish(),
        }
    }
}

/// How transient Infomex failures (5xx, 429, resets, timeouts, truncated or unreadable bodies,
/// bad checksums) are retried: exponential backoff with deterministic jitter.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub intentos: u32,
    /// Delay before the second attempt; doubles with each further one.
    pub base: Duration,
    /// Upper bound of one backoff delay.
    pub maximo: Duration,
    /// A `Retry-After` longer than this is not waited out: the attempt counts as failed.
    pub retry_after_maximo: Duration,
    /// Seed of the jitter stream, so a run's delays repeat exactly.
    pub semilla: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            intentos: 5,
            base: Duration::from_millis(250),
            maximo: Duration::from_secs(8),
            retry_after_maximo: Duration::from_secs(30),
            semilla: 0x5eed,
        }
    }
}

/// The Infomex systems this server links with.
#[derive(Debug, Clone, PartialEq)]
pub struct InfomexConfig {
    /// Base URL used for every jurisdiction without its own (`http://host:port`); the
    /// jurisdiction's slug is appended as the first path segment, as the simulator serves them.
    pub base_url: String,
    /// Per-jurisdiction base URLs, used as they are (the slug is still appended).
    pub urls: BTreeMap<Jurisdiccion, String>,
    /// Per-jurisdiction dialect overrides; the rest use [`Dialect::LEGACY_DEFAULT`].
    pub dialects: BTreeMap<Jurisdiccion, Dialect>,
    /// Time limit of one HTTP request, body included.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// Page size asked of modern systems (legacy ones fix 50).
    pub por_pagina: u32,
    /// How many times the list is scanned while the declared total and the folios seen disagree.
    pub max_escaneos: u32,
    /// After this many solicitudes in a row fail because Infomex does not respond, the rest are
    /// reported pending without being tried (the system is down; a later retry completes them).
    pub max_fallos_seguidos: u32,
    /// How many solicitudes of one linkage are fetched at once (detail and attachments), while
    /// the ones already fetched are written. Results are stored and reported in list order
    /// whatever the value; 1 fetches one after the other, as a simulator whose faults count
    /// requests in arrival order needs (docs/reference-server.md, "Linkage").
    pub concurrencia: u32,
}

impl Default for InfomexConfig {
    fn default() -> Self {
        InfomexConfig {
            base_url: "http://127.0.0.1:8090".to_owned(),
            urls: BTreeMap::new(),
            dialects: BTreeMap::new(),
            timeout: Duration::from_secs(20),
            retry: RetryPolicy::default(),
            por_pagina: 200,
            max_escaneos: 4,
            max_fallos_seguidos: 3,
            concurrencia: 6,
        }
    }
}

impl InfomexConfig {
    /// The base URL of `j`'s Infomex, slug included, without a trailing slash.
    pub(crate) fn url(&self, j: Jurisdiccion) -> String {
        let base = self.urls.get(&j).unwrap_or(&self.base_url);
        format!("{}/{}", base.trim_end_matches('/'), j.slug())
    }

    pub(crate) fn dialect(&self, j: Jurisdiccion) -> Dialect {
        self.dialects
            .get(&j)
            .copied()
            .unwrap_or_else(|| Dialect::default_for(j))
    }
}

/// argon2id cost parameters for PNT passwords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Params {
    /// Memory in KiB.
    pub m_cost: u32,
    /// Iterations.
    pub t_cost: u32,
    /// Parallelism.
    pub p_cost: u32,
}

impl Default for Argon2Params {
    /// OWASP's recommended argon2id setting (19 MiB, 2 iterations, 1 lane).
    fn default() -> Self {
        Argon2Params {
            m_cost: 19 * 1024,
            t_cost: 2,
            p_cost: 1,
        }
    }
}

impl Argon2Params {
    /// The cheapest valid parameters: for tests only, where hashing must not dominate.
    pub fn cheap() -> Self {
        Argon2Params {
            m_cost: 8,
            t_cost: 1,
            p_cost: 1,
        }
    }
}

/// Failed attempts tolerated within a window before `429 demasiados_intentos`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limite {
    pub intentos: u32,
    pub ventana: Duration,
}

/// Failed PNT log-ins (docs/reference-server.md, "Security"). Counted per correo *and* source
/// address, so a stranger's failures from elsewhere never delay the owner: after `libres`
/// failures from one address, each further attempt waits `espera`, doubling with every failure
/// up to `espera_maxima`. A looser cap per correo from every address (`por_correo`) stops a
/// guessing attack spread over many addresses; only such an attack can delay the owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimiteLogin {
    /// Failures of one correo from one address before delays begin.
    pub libres: u32,
    /// The first delay; doubles with each further failure.
    pub espera: Duration,
    /// The longest delay; a failure older than this is forgotten.
    pub espera_maxima: Duration,
    /// Failures of one correo from every address within the window before all are refused.
    pub por_correo: Limite,
}

impl Default for LimiteLogin {
    fn default() -> Self {
        LimiteLogin {
            libres: 5,
            espera: Duration::from_secs(60),
            espera_maxima: Duration::from_secs(15 * 60),
            por_correo: Limite {
                intentos: 100,
                ventana: Duration::from_secs(15 * 60),
            },
        }
    }
}

/// What the HTTP layer tolerates of a client (docs/reference-server.md, "Security"). A client
/// that exceeds a time limit has its connection closed; one that would exceed the connection
/// cap is answered `503 demasiadas_conexiones` and closed at once, so a flood of slow clients
/// costs the server neither memory nor descriptors beyond the cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitesHttp {
    /// Time to receive a request's complete head (request line and headers), counted from the
    /// moment the connection waits for it: its opening, or the end of the previous response on
    /// a kept-alive connection. hyper runs one timer for both, so this is also the idle
    /// keep-alive timeout.
    pub espera_cabeceras: Duration,
    /// Longest silence while a request body arrives (between two of its chunks).
    pub espera_cuerpo: Duration,
    /// Connections served at once; one more is refused with `503` and closed.
    pub max_conexiones: usize,
    /// Largest request head (request line and headers) in bytes; a larger one gets `431`.
    pub max_cabeceras: usize,
    /// Longest request target (path and query) in bytes; a longer one gets `414`.
    pub max_uri: usize,
}

impl Default for LimitesHttp {
    fn default() -> Self {
        LimitesHttp {
            espera_cabeceras: Duration::from_secs(10),
            espera_cuerpo: Duration::from_secs(30),
            max_conexiones: 512,
            max_cabeceras: 32 * 1024,
            max_uri: 8 * 1024,
        }
    }
}

/// The server's configuration. Start from [`Config::default`] and adjust with the builder
/// methods.
#[derive(Debug, Clone)]
pub struct Config {
    pub storage: Storage,
    pub infomex: InfomexConfig,
    /// Whether the `/__test` hooks (clock, reset) are served and advertised.
    pub test_hooks: bool,
    /// When set, the hooks answer any peer that sends it in `X-Pnt-Test-Token`; when not, they
    /// answer loopback peers only.
    pub test_hooks_token: Option<String>,
    /// Timeouts and size limits of the HTTP layer.
    pub http: LimitesHttp,
    pub regla_semaforo: ReglaSemaforo,
    /// Each jurisdiction whose órgano garante's días inhábiles and suspensions apply (calendar
    /// files, docs/calendars.md); the others use the LFT calendar alone.
    pub calendarios: BTreeMap<Jurisdiccion, Calendario>,
    pub argon2: Argon2Params,
    pub clock: Clock,
    /// How long a PNT session lasts, on [`Config::clock`].
    pub duracion_sesion: Duration,
    /// Failed PNT log-ins per correo and source address, and per correo.
    pub limite_login: LimiteLogin,
    /// Failed linkages (refused Infomex credentials, locked accounts) per PNT user.
    pub limite_vinculacion: Limite,
    /// Failed linkages per Infomex account (jurisdicción and usuario), from every PNT user: kept
    /// below the Infomex's own lockout, so no one can lock another person's Infomex account
    /// through the PNT faster than by trying at the Infomex itself.
    pub limite_vinculacion_infomex: Limite,
    /// Registrations refused because the correo exists (`correo_ya_registrado`) per source
    /// address: what an attacker can learn of which correos exist.
    pub limite_registro: Limite,
}

impl Default for Config {
    /// In memory, one Infomex base URL (`http://127.0.0.1:8090`) for all 33, hooks off, the
    /// system clock, production argon2 cost.
    fn default() -> Self {
        Config {
            storage: Storage::Memory,
            infomex: InfomexConfig::default(),
            test_hooks: false,
            test_hooks_token: None,
            http: LimitesHttp::default(),
            regla_semaforo: ReglaSemaforo::default(),
            calendarios: BTreeMap::new(),
            argon2: Argon2Params::default(),
            clock: Clock::system(),
            duracion_sesion: Duration::from_secs(30 * 24 * 3600),
            limite_login: LimiteLogin::default(),
            limite_vinculacion: Limite {
                intentos: 5,
                ventana: Duration::from_secs(15 * 60),
            },
            limite_vinculacion_infomex: Limite {
                intentos: 3,
                ventana: Duration::from_secs(15 * 60),
            },
            limite_registro: Limite {
                intentos: 10,
                ventana: Duration::from_secs(15 * 60),
            },
        }
    }
}

impl Config {
    /// The base URL of every jurisdiction's Infomex (a simulator's URL).
    pub fn infomex_base_url(mut self, url: impl Into<String>) -> Self {
        self.infomex.base_url = url.into();
        self
    }

    /// One jurisdiction's Infomex at its own base URL.
    pub fn infomex_url(mut self, j: Jurisdiccion, url: impl Into<String>) -> Self {
        self.infomex.urls.insert(j, url.into());
        self
    }

    /// Declares the dialect one jurisdiction's Infomex speaks.
    pub fn dialect(mut self, j: Jurisdiccion, dialect: Dialect) -> Self {
        self.infomex.dialects.insert(j, dialect);
        self
    }

    /// `j`'s calendar: LFT plus its órgano garante's días inhábiles and suspensions.
    pub fn calendario(mut self, j: Jurisdiccion, calendario: Calendario) -> Self {
        self.calendarios.insert(j, calendario);
        self
    }

    /// Stores data in a SQLite file.
    pub fn db_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.storage = Storage::File(path.into());
        self
    }

    /// Stores data where `storage` says.
    pub fn storage(mut self, storage: Storage) -> Self {
        self.storage = storage;
        self
    }

    pub fn test_hooks(mut self, enabled: bool) -> Self {
        self.test_hooks = enabled;
        self
    }

    /// Requires `token` in `X-Pnt-Test-Token` on every `/__test` hook, from any peer.
    pub fn test_hooks_token(mut self, token: impl Into<String>) -> Self {
        self.test_hooks_token = Some(token.into());
        self
    }

    pub fn http(mut self, limites: LimitesHttp) -> Self {
        self.http = limites;
        self
    }

    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn argon2(mut self, params: Argon2Params) -> Self {
        self.argon2 = params;
        self
    }

    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.infomex.retry = retry;
        self
    }

    /// How many solicitudes one linkage fetches at once ([`InfomexConfig::concurrencia`]; 0
    /// reads as 1).
    pub fn infomex_concurrencia(mut self, n: u32) -> Self {
        self.infomex.concurrencia = n.max(1);
        self
    }

    pub fn infomex_timeout(mut self, timeout: Duration) -> Self {
        self.infomex.timeout = timeout;
        self
    }

    /// The reference as `pnt-suite run` embeds it: a fresh server per scenario, on a temporary
    /// database, linking with a simulator on loopback. From [`Config::default`] it differs in
    /// three documented ways, each because of what a scenario run is:
    ///
    /// - the `/__test` hooks are on: scenarios fix and move the clock, and restart the server;
    /// - an Infomex request times out after 3 s, not 20 s: the simulator answers on loopback in
    ///   milliseconds, so a request silent for 3 s is a hung one (the `hang` fault), and
    ///   scenarios say so (`scenarios/fallas/conexion-colgada.yaml`);
    /// - retries back off from 1 ms up to 10 ms instead of 250 ms up to 8 s: the same number of
    ///   attempts with the same deterministic jitter, so a fault scenario proves the same
    ///   thing, without waiting out delays meant to spare a real Infomex under load. A
    ///   `Retry-After` is still honoured as in production.
    ///
    /// Everything else — argon2 cost, session length, attempt limits, the semáforo rule — is
    /// production's, so the reference a target is compared with is the one that would be deployed.
    /// The caller sets the database, the simulator's URL and the dialects.
    pub fn embedded() -> Self {
        Config {
            test_hooks: true,
            infomex: InfomexConfig {
                timeout: Duration::from_secs(3),
                retry: RetryPolicy {
                    base: Duration::from_millis(1),
                    maximo: Duration::from_millis(10),
                    ..RetryPolicy::default()
                },
                ..InfomexConfig::default()
            },
            ..Config::default()
        }
    }

    /// For this crate's tests, benches and the suite's own tests only: [`Config::embedded`] with
    /// the cheapest valid argon2 cost, so that the hundreds of users the tests register do not
    /// spend their time hashing. Never what a run or a deployment uses.
    pub fn for_tests() -> Self {
        Config {
            argon2: Argon2Params::cheap(),
            ..Config::embedded()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded reference is production's configuration but for the three documented
    /// settings; only tests get the cheap argon2.
    #[test]
    fn embedded_is_production_but_for_hooks_and_loopback_timing() {
        let (e, d) = (Config::embedded(), Config::default());
        assert!(e.test_hooks && !d.test_hooks);
        assert_eq!(e.infomex.timeout, Duration::from_secs(3));
        assert_eq!(
            (e.infomex.retry.base, e.infomex.retry.maximo),
            (Duration::from_millis(1), Duration::from_millis(10))
        );
        assert_eq!(
            (
                e.argon2,
                e.infomex.retry.intentos,
                e.infomex.retry.retry_after_maximo,
                e.infomex.retry.semilla,
                e.duracion_sesion,
                e.limite_login,
                e.limite_vinculacion,
                e.regla_semaforo,
                e.storage,
                e.calendarios,
            ),
            (
                d.argon2,
                d.infomex.retry.intentos,
                d.infomex.retry.retry_after_maximo,
                d.infomex.retry.semilla,
                d.duracion_sesion,
                d.limite_login,
                d.limite_vinculacion,
                d.regla_semaforo,
                d.storage,
                d.calendarios,
            )
        );
        assert_eq!(
            (
                e.limite_vinculacion_infomex,
                e.limite_registro,
                e.http,
                e.test_hooks_token
            ),
            (
                d.limite_vinculacion_infomex,
                d.limite_registro,
                d.http,
                d.test_hooks_token
            )
        );
        assert_eq!(Config::for_tests().argon2, Argon2Params::cheap());
    }
}
