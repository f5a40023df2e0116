//! Storage: SQLite (one connection, the default) or PostgreSQL (a pool; several server
//! instances may share the database).
//!
//! Every query is written once, against [`Sql`] (`sql.rs`), and runs on tokio's blocking pool
//! through [`Db::call`] whatever the backend. Why the synchronous `postgres` client with `r2d2`
//! rather than an async driver: the storage layer is a set of synchronous functions run on the
//! blocking pool (right for SQLite, which has no async API), and the same functions serve
//! PostgreSQL unchanged; sqlx would have meant a second, async copy of every query or its `Any`
//! driver, which types values differently per backend.
//!
//! Layout of the data (see `schema.rs`): users and sessions; linkages; solicitudes with their
//! respuestas and adjuntos; attachment bytes content-addressed by SHA-256 in `blobs`; quejas.

pub(crate) mod cuentas;
pub(crate) mod historial;
pub(crate) mod intentos;
mod pg;
pub(crate) mod quejas;
mod schema;
pub(crate) mod solicitudes;
pub(crate) mod sql;

use std::sync::{Arc, Mutex};

use jiff::civil::Date;
use rusqlite::Connection;

use crate::config::Storage;

pub(crate) use cuentas::{SesionActiva, Usuario};
pub(crate) use historial::{
    AdjuntoGuardado, DetalleGuardado, FiltroSemaforo, QuejaGuardada, SolicitudGuardada,
};
pub use pg::EsquemaTemporal;
pub(crate) use pg::{PgCandado, sin_contrasena};
pub(crate) use quejas::NuevaQueja;
pub(crate) use solicitudes::{Cambio, Derivados, Migrada};
pub(crate) use sql::Conexion;

/// A failure of the storage layer: always a bug or an unusable database, never user input.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DbError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgresql: {0}")]
    Postgres(#[from] ::postgres::Error),
    #[error("no hay conexión libre con PostgreSQL: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("dato corrupto en la base: {0}")]
    Corrupto(String),
    /// A transaction rolled back on purpose; the text says why.
    #[error("transacción deshecha: {0}")]
    Deshecha(&'static str),
    #[error("la tarea de base de datos terminó con pánico")]
    Panico,
}

pub(crate) type DbResult<T> = Result<T, DbError>;

/// A cheap, cloneable handle to the database.
#[derive(Debug, Clone)]
pub(crate) struct Db {
    inner: Arc<Inner>,
}

#[derive(Debug)]
enum Inner {
    Sqlite(Mutex<Connection>),
    Postgres(pg::Pool),
}

impl Db {
    /// Opens (creating if needed) and migrates the database.
    pub(crate) fn open(storage: &Storage) -> DbResult<Db> {
        let inner = match storage {
            Storage::Memory => Inner::Sqlite(Mutex::new(open_sqlite(
                Connection::open_in_memory()?,
                false,
            )?)),
            Storage::File(path) => {
                Inner::Sqlite(Mutex::new(open_sqlite(Connection::open(path)?, true)?))
            }
            Storage::Postgres(url) => Inner::Postgres(pg::Pool::open(url)?),
        };
        Ok(Db {
            inner: Arc::new(inner),
        })
    }

    /// The shared database's own lock of a linkage, when the database is PostgreSQL (several
    /// server instances may share it); `None` on SQLite, whose one process locks in memory.
    pub(crate) async fn candado(&self, clave: String) -> DbResult<Option<PgCandado>> {
        match &*self.inner {
            Inner::Sqlite(_) => Ok(None),
            Inner::Postgres(pool) => pool.candado(clave).await.map(Some),
        }
    }

    /// Runs `f` with a connection on the blocking pool.
    pub(crate) async fn call<T, F>(&self, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conexion<'_>) -> DbResult<T> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || match &*inner {
            Inner::Sqlite(conn) => {
                // A panic while holding the lock leaves SQLite itself consistent (an open
                // transaction is rolled back when dropped), so a poisoned lock is still usable.
                let mut guard = conn.lock().unwrap_or_else(|e| e.into_inner());
                f(&mut Conexion::Sqlite(&mut guard))
            }
            Inner::Postgres(pool) => {
                let mut conn = pool.get()?;
                f(&mut Conexion::Postgres(&mut conn))
            }
        })
        .await
        .map_err(|_| DbError::Panico)?
    }

    /// Deletes every user, session, linkage, solicitud, attachment, queja and failed attempt
    /// (test hook).
    pub(crate) async fn reset(&self) -> DbResult<()> {
        self.call(|conn| {
            conn.transaction(|tx| match tx.backend() {
                // SQLite numbers rows from 1 again once a table is empty.
                sql::Backend::Sqlite => tx.batch(
                    "DELETE FROM quejas; DELETE FROM folios_queja; DELETE FROM adjuntos;
                     DELETE FROM respuestas; DELETE FROM solicitudes; DELETE FROM vinculaciones;
                     DELETE FROM sesiones; DELETE FROM usuarios; DELETE FROM blobs;
                     DELETE FROM conteos_historial; DELETE FROM intentos_fallidos;",
                ),
                // The same ids after a reset as on SQLite (RESTART IDENTITY), and no dead rows
                // left for the next linkage's index checks to step over.
                sql::Backend::Postgres => tx.batch(
                    "TRUNCATE quejas, folios_queja, adjuntos, respuestas, solicitudes,
                        vinculaciones, sesiones, usuarios, blobs, conteos_historial,
                        intentos_fallidos RESTART IDENTITY",
                ),
            })
        })
        .await
    }
}

/// Why one SQLite connection behind a `std::sync::Mutex`, used from `spawn_blocking`: SQLite
/// admits one writer at a time anyway, so a pool would only add `SQLITE_BUSY` retries; the
/// linkage writes a batch of at most 64 solicitudes per short transaction, so no request holds
/// the lock for long; and running the blocking calls on tokio's blocking pool keeps the async
/// workers free. A std (not tokio) mutex is right because the lock is never held across an
/// `.await`.
fn open_sqlite(conn: Connection, file: bool) -> DbResult<Connection> {
    if file {
        // WAL: readers never block the writer; NORMAL sync is durable across process
        // crashes (only an OS crash may lose the last commits).
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Checkpoint every ~40 MiB of WAL instead of every 4 MiB: each checkpoint
        // fsyncs the database, and with the default a 10k-solicitud linkage spent most
        // of its time (and a growing share as the file grew) in those fsyncs. The WAL
        // file is truncated back to 64 MiB at most after a checkpoint.
        conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // 64 MiB of page cache (the default is 2 MiB): a linkage inserts into several indexes in
    // folio and date order, and a cache that holds them keeps each insert's cost flat as
    // the history grows.
    conn.pragma_update(None, "cache_size", -65536)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // The history's pages build their SQL from the filters: room for all their shapes.
    conn.set_prepared_statement_cache_capacity(128);
    let mut conn = conn;
    schema::migrate(&mut Conexion::Sqlite(&mut conn))?;
    Ok(conn)
}

/// Dates are stored as `YYYY-MM-DD` text, which sorts and compares like the dates themselves.
pub(crate) fn date_sql(d: Date) -> String {
    d.to_string()
}

pub(crate) fn parse_date(text: &str) -> DbResult<Date> {
    text.parse()
        .map_err(|_| DbError::Corrupto(format!("fecha «{text}»")))
}

pub(crate) fn parse_opt_date(text: Option<String>) -> DbResult<Option<Date>> {
    text.as_deref().map(parse_date).transpose()
}
