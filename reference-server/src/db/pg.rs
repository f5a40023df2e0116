//! The PostgreSQL backend: a pool of synchronous connections, the linkage lock several server
//! instances share, and throwaway schemas for tests.
//!
//! The synchronous `postgres` client runs a small runtime of its own inside each call, so it is
//! only ever used on threads that are not running async tasks: tokio's blocking pool (through
//! [`super::Db::call`]) or a thread of its own. That includes closing a connection, which talks
//! to the server too: connections are dropped on such threads.

use std::sync::Arc;

use postgres::NoTls;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::sql::PgConn;
use super::{Conexion, DbError, DbResult, schema};

/// Connections for queries per server instance. Two instances with their linkage locks stay
/// under PostgreSQL's default `max_connections` of 100.
const CONEXIONES: u32 = 16;

/// Linkages holding the shared lock at once per instance: each holds a connection of its own
/// for as long as it runs (see [`PgCandado`]); more wait their turn in the process.
const CANDADOS: usize = 32;

#[derive(Debug)]
pub(super) struct Manager(postgres::Config);

impl r2d2::ManageConnection for Manager {
    type Connection = PgConn;
    type Error = postgres::Error;

    fn connect(&self) -> Result<PgConn, postgres::Error> {
        Ok(PgConn::new(self.0.connect(NoTls)?))
    }

    fn is_valid(&self, conn: &mut PgConn) -> Result<(), postgres::Error> {
        conn.client.simple_query("").map(|_| ())
    }

    fn has_broken(&self, conn: &mut PgConn) -> bool {
        conn.client.is_closed()
    }
}

/// The pool, and what opening the linkage locks' own connections needs.
#[derive(Debug)]
pub(super) struct Pool {
    pool: Option<r2d2::Pool<Manager>>,
    config: postgres::Config,
    candados: Arc<Semaphore>,
}

impl Pool {
    /// Connects and migrates (on a thread of its own: this may be called from async code).
    pub(super) fn open(url: &str) -> DbResult<Pool> {
        let config: postgres::Config = url.parse()?;
        let manager = Manager(config.clone());
        let pool = std::thread::scope(|s| {
            s.spawn(|| -> DbResult<r2d2::Pool<Manager>> {
                // One connection first, to say at once why the database cannot be reached (the
                // pool would retry for its whole connection timeout and then say only that).
                drop(manager.0.connect(NoTls)?);
                let pool = r2d2::Pool::builder()
                    .max_size(CONEXIONES)
                    .min_idle(Some(2))
                    .build(manager)?;
                let mut conn = pool.get()?;
                schema::migrate(&mut Conexion::Postgres(&mut conn))?;
                Ok(pool)
            })
            .join()
            .map_err(|_| DbError::Panico)?
        })?;
        Ok(Pool {
            pool: Some(pool),
            config,
            candados: Arc::new(Semaphore::new(CANDADOS)),
        })
    }

    /// A connection (blocking until one is free; call only on the blocking pool).
    pub(super) fn get(&self) -> DbResult<r2d2::PooledConnection<Manager>> {
        Ok(self
            .pool
            .as_ref()
            .expect("the pool lives until the Pool is dropped")
            .get()?)
    }

    /// Takes the account's linkage lock in the database (`clave` names the account), waiting
    /// while any server instance on this database holds it.
    ///
    /// A session-level advisory lock on a connection of the lock's own: the linkage runs many
    /// transactions, and the lock must outlive each of them. Closing the connection releases
    /// it, so a crashed instance never leaves an account locked. The key includes the schema,
    /// so that PNTs in different schemas of one database never wait for each other.
    pub(super) async fn candado(&self, clave: String) -> DbResult<PgCandado> {
        let permiso = Arc::clone(&self.candados)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let config = self.config.clone();
        let client = tokio::task::spawn_blocking(move || -> DbResult<postgres::Client> {
            let mut client = config.connect(NoTls)?;
            client.execute(
                "SELECT pg_advisory_lock(hashtextextended(current_schema() || '|' || $1, 0))",
                &[&clave],
            )?;
            Ok(client)
        })
        .await
        .map_err(|_| DbError::Panico)??;
        Ok(PgCandado {
            client: Some(client),
            _permiso: permiso,
        })
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Closing the pooled connections talks to the server: not on an async worker.
        if let Some(pool) = self.pool.take() {
            std::thread::spawn(move || drop(pool));
        }
    }
}

/// A linkage lock held in PostgreSQL; released when dropped.
pub(crate) struct PgCandado {
    client: Option<postgres::Client>,
    _permiso: OwnedSemaphorePermit,
}

impl std::fmt::Debug for PgCandado {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgCandado").finish_non_exhaustive()
    }
}

impl Drop for PgCandado {
    fn drop(&mut self) {
        // Closing the session releases its advisory locks.
        if let Some(client) = self.client.take() {
            std::thread::spawn(move || drop(client));
        }
    }
}

/// `url` with its password replaced by `***`, for logs and `Debug`.
pub(crate) fn sin_contrasena(url: &str) -> String {
    let Some((esquema, resto)) = url.split_once("://") else {
        return "(cadena de conexión)".to_owned();
    };
    let Some((credenciales, host)) = resto.rsplit_once('@') else {
        return url.to_owned();
    };
    match credenciales.split_once(':') {
        Some((usuario, _)) => format!("{esquema}://{usuario}:***@{host}"),
        None => url.to_owned(),
    }
}

/// A schema of its own in a PostgreSQL database, dropped with everything in it when this is
/// dropped: a fresh, isolated database for one test or one scenario, many at once on one
/// server.
#[derive(Debug)]
pub struct EsquemaTemporal {
    base: String,
    esquema: String,
}

impl EsquemaTemporal {
    /// Creates `pnt_t_<random>` in the database `url` (a `postgres://` URL) names.
    pub fn crear(url: &str) -> Result<EsquemaTemporal, String> {
        let mut sufijo = [0u8; 8];
        getrandom::fill(&mut sufijo).map_err(|e| e.to_string())?;
        let esquema = format!(
            "pnt_t_{}",
            sufijo
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let config: postgres::Config = url.parse().map_err(|e| format!("{e}"))?;
        let sql = format!("CREATE SCHEMA {esquema}");
        en_hilo(move || {
            let mut client = config.connect(NoTls)?;
            client.batch_execute(&sql)
        })
        .map_err(|e| {
            format!(
                "no se pudo crear el esquema en {}: {e}",
                sin_contrasena(url)
            )
        })?;
        Ok(EsquemaTemporal {
            base: url.to_owned(),
            esquema,
        })
    }

    /// The schema's name.
    pub fn nombre(&self) -> &str {
        &self.esquema
    }

    /// The URL of the database with this schema first in the search path: what
    /// `serve --db` or [`crate::Storage::Postgres`] takes.
    pub fn url(&self) -> String {
        let separador = if self.base.contains('?') { '&' } else { '?' };
        format!(
            "{}{separador}options=-csearch_path%3D{}",
            self.base, self.esquema
        )
    }
}

impl Drop for EsquemaTemporal {
    fn drop(&mut self) {
        let Ok(config) = self.base.parse::<postgres::Config>() else {
            return;
        };
        let sql = format!("DROP SCHEMA IF EXISTS {} CASCADE", self.esquema);
        let resultado = en_hilo(move || {
            let mut client = config.connect(NoTls)?;
            client.batch_execute(&sql)
        });
        if let Err(e) = resultado {
            tracing::warn!(esquema = %self.esquema, error = %e, "no se pudo borrar el esquema temporal");
        }
    }
}

/// Runs `f` on a thread of its own and waits for it (the synchronous client must not run on an
/// async worker).
fn en_hilo<T: Send>(
    f: impl FnOnce() -> Result<T, postgres::Error> + Send,
) -> Result<T, postgres::Error> {
    std::thread::scope(|s| s.spawn(f).join().expect("the thread does not panic"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_server_is_reported_at_once_without_the_password() {
        // Port 1 on loopback refuses at once: the first direct connection says so, instead of
        // the pool retrying for its timeout.
        let e = Pool::open("postgres://pnt:secreto@127.0.0.1:1/pnt").unwrap_err();
        assert!(matches!(e, DbError::Postgres(_)), "{e:?}");
        assert!(!e.to_string().contains("secreto"), "{e}");
    }

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            sin_contrasena("postgres://pnt:secreto@db.example:5432/pnt"),
            "postgres://pnt:***@db.example:5432/pnt"
        );
        assert_eq!(
            sin_contrasena("postgres://pnt@127.0.0.1/pnt"),
            "postgres://pnt@127.0.0.1/pnt"
        );
        assert!(!sin_contrasena("host=x password=secreto").contains("secreto"));
    }
}
