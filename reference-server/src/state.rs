//! The state every handler shares.

use std::sync::Arc;

use crate::Clock;
use crate::auth::Contrasenas;
use crate::config::Config;
use crate::db::Db;
use crate::infomex::Cliente;
use crate::limitador::Limitador;
use crate::reglas::Reglas;
use crate::vinculacion::Candados;

/// Everything the server needs to answer requests; cheap to clone. Build it with
/// [`AppState::new`] and hand it to [`crate::app`].
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    db: Db,
    infomex: Cliente,
    /// The start-up rules (`Config`), which `/__test/reset` restores.
    reglas_inicio: Arc<Reglas>,
    /// The rules in force: the start-up ones, or those the `/__test/calendarios` hook set.
    reglas: std::sync::RwLock<Arc<Reglas>>,
    contrasenas: Contrasenas,
    limitador: Limitador,
    candados: Candados,
    /// The key of the CSRF tokens' HMAC: random per process, so tokens of pages rendered
    /// before a restart are refused ("the form expired") and no one can compute a valid token
    /// for a session that is not theirs.
    secreto_csrf: [u8; 32],
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "no se pudo abrir la base de datos: {0}; revise la ruta o la URL de --db (y, si es PostgreSQL, que el servidor esté en marcha y el rol pueda entrar)"
    )]
    Db(String),
    #[error("no se pudo crear el cliente HTTP de Infomex: {0}")]
    Http(String),
    #[error("parámetros de argon2 inválidos: {0}")]
    Argon2(String),
    #[error("el sistema no dio aleatoriedad para la clave de los formularios: {0}")]
    Aleatoriedad(String),
    #[error("el servidor HTTP falló: {0}")]
    Io(#[from] std::io::Error),
}

impl AppState {
    /// Opens (and migrates) the database and prepares the Infomex client.
    pub fn new(config: Config) -> Result<AppState, ServeError> {
        let db = Db::open(&config.storage).map_err(|e| ServeError::Db(e.to_string()))?;
        let infomex =
            Cliente::new(config.infomex.clone()).map_err(|e| ServeError::Http(e.to_string()))?;
        let contrasenas =
            Contrasenas::new(config.argon2).map_err(|e| ServeError::Argon2(e.to_string()))?;
        let mut secreto_csrf = [0u8; 32];
        getrandom::fill(&mut secreto_csrf).map_err(|e| ServeError::Aleatoriedad(e.to_string()))?;
        Ok(AppState {
            inner: Arc::new(Inner {
                reglas_inicio: Arc::new(Reglas::new(&config)),
                reglas: std::sync::RwLock::new(Arc::new(Reglas::new(&config))),
                config,
                infomex,
                contrasenas,
                limitador: Limitador::new(db.clone()),
                candados: Candados::new(db.clone()),
                db,
                secreto_csrf,
            }),
        })
    }

    /// The clock this server runs on (the `/__test/clock` hook sets it).
    pub fn clock(&self) -> &Clock {
        &self.inner.config.clock
    }

    pub(crate) fn config(&self) -> &Config {
        &self.inner.config
    }

    pub(crate) fn db(&self) -> &Db {
        &self.inner.db
    }

    pub(crate) fn infomex(&self) -> &Cliente {
        &self.inner.infomex
    }

    /// The rules in force now. A request keeps the value it took, so a linkage under way is
    /// not split between two calendars.
    pub(crate) fn reglas(&self) -> Arc<Reglas> {
        self.inner
            .reglas
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Puts `calendarios` in force over the start-up rules (`/__test/calendarios`); an empty
    /// map restores the start-up rules.
    pub(crate) fn ajustar_calendarios(
        &self,
        calendarios: impl IntoIterator<Item = (pnt_model::Jurisdiccion, pnt_model::Calendario)>,
    ) {
        let nuevas = Arc::new(self.inner.reglas_inicio.con_calendarios(calendarios));
        *self
            .inner
            .reglas
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = nuevas;
    }

    pub(crate) fn contrasenas(&self) -> &Contrasenas {
        &self.inner.contrasenas
    }

    pub(crate) fn limitador(&self) -> &Limitador {
        &self.inner.limitador
    }

    pub(crate) fn candados(&self) -> &Candados {
        &self.inner.candados
    }

    pub(crate) fn secreto_csrf(&self) -> &[u8; 32] {
        &self.inner.secreto_csrf
    }
}
