//! The simulator's mutable state: configured accounts, sessions, lock-outs, the fault plan, the
//! journal and the records that appeared through `page_drift`.
//!
//! One std `Mutex` guards it: every critical section is a few map operations and never awaits,
//! so an async lock would only add cost. Account generation, the one slow step, runs outside the
//! lock and is cached in a small bounded map, so memory stays flat however many distinct
//! accounts are served.

use std::sync::{Arc, Mutex, MutexGuard};

use foldhash::HashMap;

use jiff::Timestamp;
use pnt_model::{Jurisdiccion, Sha256};

use crate::account::{self, Cuenta, CuentaConfig, Generated};
use crate::clock::SimClock;
use crate::config::SimConfig;
use crate::fault::FaultPlan;
use crate::journal::Journal;
use pnt_model::Dialect;

/// How many generated accounts are kept ready; beyond that the cache starts over.
const ACCOUNT_CACHE: usize = 256;
/// How many live sessions are kept; beyond that expired ones are forgotten, then the ones closest
/// to expiring (their clients log in again).
const MAX_SESSIONS: usize = 100_000;

/// An account: jurisdiction and usuario. The usuario is shared with the sessions that name it,
/// so the hot path looks an account up without copying the name.
type Key = (Jurisdiccion, Arc<str>);

fn key(j: Jurisdiccion, usuario: &str) -> Key {
    (j, Arc::from(usuario))
}

/// A rendered list page: dialect, page number, page size.
pub(crate) type PageKey = (Dialect, u32, u32);

/// A generated account and the list pages already rendered from it. Both live exactly as long as
/// the cache entry, which drift or reconfiguration removes, so a page is never stale.
#[derive(Debug)]
pub(crate) struct Cached {
    pub(crate) cuenta: Cuenta,
    pages: Mutex<HashMap<PageKey, bytes::Bytes>>,
    index: std::sync::OnceLock<Index>,
}

/// Positions in `cuenta.solicitudes` by folio text and by generation index, built on first use:
/// a linkage asks for every detail, and a scan per request would make it quadratic.
#[derive(Debug)]
struct Index {
    by_folio: HashMap<String, usize>,
    by_idx: HashMap<u32, usize>,
}

impl Cached {
    fn new(cuenta: Cuenta) -> Cached {
        Cached {
            cuenta,
            pages: Mutex::new(HashMap::default()),
            index: std::sync::OnceLock::new(),
        }
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| Index {
            by_folio: self
                .cuenta
                .solicitudes
                .iter()
                .enumerate()
                .map(|(i, s)| (s.solicitud.folio.to_string(), i))
                .collect(),
            by_idx: self
                .cuenta
                .solicitudes
                .iter()
                .enumerate()
                .map(|(i, s)| (s.idx, i))
                .collect(),
        })
    }

    /// The solicitud with this folio.
    pub(crate) fn solicitud(&self, folio: &str) -> Option<&Generated> {
        self.index()
            .by_folio
            .get(folio)
            .map(|i| &self.cuenta.solicitudes[*i])
    }

    /// The attachment with this id (`{solicitud idx}-{respuesta}-{adjunto}`).
    pub(crate) fn adjunto(&self, id: &str) -> Option<&crate::AdjuntoFile> {
        let mut parts = id.split('-').map(|p| p.parse::<u32>().ok());
        let (Some(Some(i)), Some(Some(r)), Some(Some(a)), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let s = &self.cuenta.solicitudes[*self.index().by_idx.get(&i)?];
        s.solicitud
            .respuestas
            .get(r as usize)?
            .adjuntos
            .get(a as usize)
            .filter(|adj| adj.id == id)
    }

    /// The rendered page `key`, rendering it on first use.
    pub(crate) fn page(
        &self,
        key: (Dialect, u32, u32),
        render: impl FnOnce(&Cuenta) -> bytes::Bytes,
    ) -> bytes::Bytes {
        if let Some(hit) = self
            .pages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return hit.clone();
        }
        let page = render(&self.cuenta);
        self.pages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, page.clone());
        page
    }
}

#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) jurisdiccion: Jurisdiccion,
    pub(crate) usuario: Arc<str>,
    expires: Timestamp,
    requests: u32,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) config: SimConfig,
    configured: HashMap<Key, CuentaConfig>,
    drift: HashMap<Key, Vec<Generated>>,
    cache: HashMap<Key, Arc<Cached>>,
    sessions: HashMap<String, Session>,
    session_counter: u64,
    failures: HashMap<Key, u32>,
    pub(crate) faults: FaultPlan,
    pub(crate) journal: Journal,
}

impl Inner {
    fn check_session(&mut self, j: Jurisdiccion, token: &str, now: Timestamp) -> Option<Arc<str>> {
        let limit = self.faults.session_limit(j);
        let session = self.sessions.get_mut(token)?;
        if session.jurisdiccion != j || session.expires <= now {
            return None;
        }
        session.requests += 1;
        if limit.is_some_and(|after| session.requests > after) {
            self.sessions.remove(token);
            self.faults.session_expired(j);
            return None;
        }
        Some(session.usuario.clone())
    }

    fn new(config: SimConfig) -> Inner {
        let configured = config
            .cuentas
            .iter()
            .map(|c| (key(c.jurisdiccion, &c.usuario), c.clone()))
            .collect();
        Inner {
            faults: FaultPlan::new(config.seed, &config.faults),
            journal: Journal::new(config.journal_capacity),
            configured,
            drift: HashMap::default(),
            cache: HashMap::default(),
            sessions: HashMap::default(),
            session_counter: 0,
            failures: HashMap::default(),
            config,
        }
    }
}

/// Everything a request handler needs.
#[derive(Debug)]
pub(crate) struct SimState {
    /// The configuration `reset` returns to: the start-up one, or the last `PUT /__admin/config`.
    start: Mutex<SimConfig>,
    inner: Mutex<Inner>,
    pub(crate) clock: SimClock,
    /// Attachment bytes generated for a detail's checksums, kept for their download; a lock of
    /// their own, so generating and copying bytes never holds the main one.
    recientes: Mutex<Recientes>,
}

/// Attachment bytes a detail generated to compute their checksums, waiting for the download
/// that usually follows it: a client that links downloads each attachment right after its
/// detail, and generating the bytes (a JPEG's encoding, a PDF's seeded filler) is most of what
/// serving an attachment costs. Bounded to [`Recientes::MAX_BYTES`], oldest out first; a
/// download takes its entry, and one that finds none generates the bytes as before, so what a
/// client receives never depends on this store.
#[derive(Debug, Default)]
struct Recientes {
    /// The account the bytes belong to (its cache entry: an account reconfigured or drifted is
    /// another entry, so its bytes are never mistaken for the new ones; the `Weak` keeps the
    /// address from being reused), the attachment's id and the bytes.
    entradas: std::collections::VecDeque<(std::sync::Weak<Cached>, String, bytes::Bytes)>,
    bytes: usize,
}

impl Recientes {
    const MAX_BYTES: usize = 64 << 20;

    fn guardar(&mut self, cuenta: &Arc<Cached>, id: &str, bytes: bytes::Bytes) {
        if bytes.len() > Self::MAX_BYTES {
            return;
        }
        self.bytes += bytes.len();
        self.entradas
            .push_back((Arc::downgrade(cuenta), id.to_owned(), bytes));
        while self.bytes > Self::MAX_BYTES {
            let Some((_, _, viejos)) = self.entradas.pop_front() else {
                break;
            };
            self.bytes -= viejos.len();
        }
    }

    fn tomar(&mut self, cuenta: &Arc<Cached>, id: &str) -> Option<bytes::Bytes> {
        let k = self
            .entradas
            .iter()
            .position(|(c, i, _)| std::ptr::eq(c.as_ptr(), Arc::as_ptr(cuenta)) && i == id)?;
        let (_, _, bytes) = self.entradas.remove(k)?;
        self.bytes -= bytes.len();
        Some(bytes)
    }
}

/// Why a log-in failed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum LoginError {
    Credenciales,
    Bloqueada,
}

impl SimState {
    pub(crate) fn new(config: SimConfig) -> SimState {
        SimState {
            clock: SimClock::new(config.ahora),
            inner: Mutex::new(Inner::new(config.clone())),
            start: Mutex::new(config),
            recientes: Mutex::default(),
        }
    }

    /// Keeps the bytes a detail generated for attachment `id` of `cuenta`, for its download.
    pub(crate) fn guardar_bytes(&self, cuenta: &Arc<Cached>, id: &str, bytes: bytes::Bytes) {
        self.recientes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .guardar(cuenta, id, bytes);
    }

    /// The bytes a detail generated for attachment `id` of `cuenta`, if still kept; taken.
    pub(crate) fn tomar_bytes(&self, cuenta: &Arc<Cached>, id: &str) -> Option<bytes::Bytes> {
        self.recientes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .tomar(cuenta, id)
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain maps behind, still usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Back to the start-up configuration.
    pub(crate) fn reset(&self) {
        let start = self.start.lock().unwrap_or_else(|e| e.into_inner()).clone();
        self.clock.set(start.ahora);
        *self.lock() = Inner::new(start);
        *self.recientes.lock().unwrap_or_else(|e| e.into_inner()) = Recientes::default();
    }

    /// Starts over as if started with `config` (whose `admin_token` is ignored: the token is
    /// fixed when the server starts), and makes it what `reset` returns to. A simulator that
    /// runs for a whole suite is thus as fresh for each scenario as one started for it.
    pub(crate) fn reconfigure(&self, mut config: SimConfig) {
        let mut start = self.start.lock().unwrap_or_else(|e| e.into_inner());
        config.admin_token = start.admin_token.clone();
        *start = config;
        drop(start);
        self.reset();
    }

    /// The account (j, usuario) with the records drift added, or `None` when no such account
    /// exists (neither procedural nor configured).
    pub(crate) fn account(&self, j: Jurisdiccion, usuario: &str) -> Option<Arc<Cached>> {
        let key = key(j, usuario);
        let (seed, configured) = {
            let inner = self.lock();
            if let Some(hit) = inner.cache.get(&key) {
                return Some(hit.clone());
            }
            (inner.config.seed, inner.configured.get(&key).cloned())
        };
        self.generate_and_cache(key, seed, configured)
    }

    fn generate_and_cache(
        &self,
        key: Key,
        seed: u64,
        configured: Option<CuentaConfig>,
    ) -> Option<Arc<Cached>> {
        let (j, usuario) = (key.0, &*key.1);
        if configured.is_none() && !account::es_procedural(usuario) {
            return None;
        }
        let mut cuenta = account::generate(seed, j, usuario, configured.as_ref());
        let mut inner = self.lock();
        if let Some(extra) = inner.drift.get(&key) {
            cuenta.solicitudes.extend(extra.iter().cloned());
            account::sort_newest_first(&mut cuenta.solicitudes);
        }
        let cuenta = Arc::new(Cached::new(cuenta));
        if inner.cache.len() >= ACCOUNT_CACHE {
            inner.cache.clear();
        }
        inner.cache.insert(key, cuenta.clone());
        Some(cuenta)
    }

    /// Adds a configured account (replacing one with the same jurisdiction and usuario).
    pub(crate) fn put_account(&self, c: CuentaConfig) {
        let key = key(c.jurisdiccion, &c.usuario);
        let mut inner = self.lock();
        inner.cache.remove(&key);
        inner.drift.remove(&key);
        inner.failures.remove(&key);
        inner.configured.insert(key, c);
    }

    pub(crate) fn clear_accounts(&self) {
        let mut inner = self.lock();
        inner.configured.clear();
        inner.cache.clear();
        inner.drift.clear();
    }

    /// A new record appears at the top of the account (the `page_drift` fault).
    pub(crate) fn drift(&self, j: Jurisdiccion, usuario: &str, existing: &[Generated]) {
        let key = key(j, usuario);
        let mut inner = self.lock();
        let seed = inner.config.seed;
        let idx = existing.iter().map(|s| s.idx).max().map_or(0, |m| m + 1);
        let record =
            account::drift_solicitud(j, &account::account_key(seed, j, usuario), idx, existing);
        inner.drift.entry(key.clone()).or_default().push(record);
        inner.cache.remove(&key);
    }

    /// Checks the credentials and opens a session.
    pub(crate) fn login(
        &self,
        j: Jurisdiccion,
        usuario: &str,
        contrasena: &str,
    ) -> Result<String, LoginError> {
        let cuenta = self.account(j, usuario);
        let now = self.clock.now();
        let mut inner = self.lock();
        let key = key(j, usuario);
        let max = inner.config.max_intentos;
        let Some(cuenta) = cuenta else {
            return Err(LoginError::Credenciales);
        };
        let cuenta = &cuenta.cuenta;
        if cuenta.bloqueada || inner.failures.get(&key).is_some_and(|f| *f >= max) {
            return Err(LoginError::Bloqueada);
        }
        if cuenta.contrasena != contrasena {
            let failures = inner.failures.entry(key).or_insert(0);
            *failures += 1;
            return Err(if *failures >= max {
                LoginError::Bloqueada
            } else {
                LoginError::Credenciales
            });
        }
        inner.failures.remove(&key);
        inner.session_counter += 1;
        // Tokens are derived, not random, so a run's responses repeat byte for byte. The
        // account is part of the derivation: replicas behind a load balancer count sessions
        // each on its own, and a token one replica issued must not name another user's session
        // on a replica whose counter reached the same number (docs/infomex-sim.md, "Replicas").
        let token = Sha256::of(
            format!(
                "{}:sesion:{}:{}:{usuario}",
                inner.config.seed,
                inner.session_counter,
                j.slug()
            )
            .as_bytes(),
        )
        .to_string()[..32]
            .to_owned();
        let expires = now
            .checked_add(jiff::SignedDuration::from_secs(
                inner.config.sesion_segundos as i64,
            ))
            .unwrap_or(now);
        if inner.sessions.len() >= MAX_SESSIONS {
            prune_sessions(&mut inner.sessions, now);
        }
        inner.sessions.insert(
            token.clone(),
            Session {
                jurisdiccion: j,
                usuario: key.1,
                expires,
                requests: 0,
            },
        );
        Ok(token)
    }

    /// The usuario and account of a valid session of `j`; one lock when the account is cached
    /// (the common case on the list path).
    pub(crate) fn session_account(
        &self,
        j: Jurisdiccion,
        token: &str,
    ) -> Option<(Arc<str>, Arc<Cached>)> {
        let now = self.clock.now();
        let usuario = {
            let mut inner = self.lock();
            let usuario = inner.check_session(j, token, now)?;
            let key = (j, usuario);
            if let Some(hit) = inner.cache.get(&key) {
                return Some((key.1, hit.clone()));
            }
            key.1
        };
        let cached = self.account(j, &usuario)?;
        Some((usuario, cached))
    }

    pub(crate) fn logout(&self, token: &str) {
        self.lock().sessions.remove(token);
    }
}

/// Forgets expired sessions and, if that is not enough, the tenth closest to expiring (ties by
/// token, so the outcome does not depend on hash order).
fn prune_sessions(sessions: &mut HashMap<String, Session>, now: Timestamp) {
    sessions.retain(|_, s| s.expires > now);
    if sessions.len() >= MAX_SESSIONS {
        let mut by_expiry: Vec<(Timestamp, String)> = sessions
            .iter()
            .map(|(t, s)| (s.expires, t.clone()))
            .collect();
        by_expiry.sort();
        for (_, token) in by_expiry.into_iter().take(MAX_SESSIONS / 10) {
            sessions.remove(&token);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cuenta(usuario: &str) -> Arc<Cached> {
        Arc::new(Cached::new(Cuenta {
            jurisdiccion: Jurisdiccion::Federacion,
            usuario: usuario.to_owned(),
            contrasena: String::new(),
            nombre: String::new(),
            bloqueada: false,
            solicitudes: Vec::new(),
        }))
    }

    /// Kept bytes go to the download of the same attachment of the same cache entry only, once,
    /// and the store never holds more than its bound.
    #[test]
    fn kept_bytes_are_taken_once_by_their_own_account_and_bounded() {
        let mut r = Recientes::default();
        let (a, b) = (cuenta("a"), cuenta("b"));
        r.guardar(&a, "0-0-0", bytes::Bytes::from_static(b"uno"));
        assert_eq!(r.tomar(&b, "0-0-0"), None, "another account's entry");
        assert_eq!(r.tomar(&a, "0-0-1"), None, "another attachment");
        assert_eq!(r.tomar(&a, "0-0-0").as_deref(), Some(&b"uno"[..]));
        assert_eq!(r.tomar(&a, "0-0-0"), None, "taken");
        let grande = bytes::Bytes::from(vec![7u8; Recientes::MAX_BYTES / 2 + 1]);
        r.guardar(&a, "1-0-0", grande.clone());
        r.guardar(&a, "2-0-0", grande);
        assert!(r.bytes <= Recientes::MAX_BYTES);
        assert_eq!(r.tomar(&a, "1-0-0"), None, "the oldest left first");
        assert!(r.tomar(&a, "2-0-0").is_some());
        assert_eq!(r.bytes, 0);
    }
}
