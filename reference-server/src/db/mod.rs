//! Storage: one SQLite database behind one connection.
//!
//! Why one connection behind a `std::sync::Mutex`, used from `spawn_blocking`: SQLite admits one
//! writer at a time anyway, so a pool would only add `SQLITE_BUSY` retries; the linkage writes a
//! batch of at most 64 solicitudes per short transaction, so no request holds the lock for long;
//! and running the blocking calls on tokio's blocking pool keeps the async workers free. A std
//! (not tokio) mutex is right because the lock is never held across an `.await`.
//!
//! Layout of the data (see `schema.rs`): users and sessions; linkages; solicitudes with their
//! respuestas and adjuntos; attachment bytes content-addressed by SHA-256 in `blobs`; quejas.

pub(crate) mod cuentas;
pub(crate) mod historial;
pub(crate) mod quejas;
mod schema;
pub(crate) mod solicitudes;

use std::sync::{Arc, Mutex};

use jiff::civil::Date;
use rusqlite::Connection;

use crate::config::Storage;

pub(crate) use cuentas::{SesionActiva, Usuario};
pub(crate) use historial::{
    AdjuntoGuardado, DetalleGuardado, FiltroSemaforo, QuejaGuardada, SolicitudGuardada,
};
pub(crate) use quejas::NuevaQueja;
pub(crate) use solicitudes::{Cambio, Derivados, Migrada};

/// A failure of the storage layer: always a bug or an unusable database, never user input.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DbError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("dato corrupto en la base: {0}")]
    Corrupto(String),
    #[error("la tarea de base de datos terminó con pánico")]
    Panico,
}

pub(crate) type DbResult<T> = Result<T, DbError>;

/// A cheap, cloneable handle to the database.
#[derive(Debug, Clone)]
pub(crate) struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    /// Opens (creating if needed) and migrates the database.
    pub(crate) fn open(storage: &Storage) -> DbResult<Db> {
        let conn = match storage {
            Storage::Memory => Connection::open_in_memory()?,
            Storage::File(path) => {
                let conn = Connection::open(path)?;
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
                conn
            }
        };
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // 64 MiB of page cache (the default is 2 MiB): a linkage inserts into several indexes in
        // folio and date order, and a cache that holds them keeps each insert's cost flat as
        // the history grows.
        conn.pragma_update(None, "cache_size", -65536)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mut conn = conn;
        schema::migrate(&mut conn)?;
        Ok(Db {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` with the connection on the blocking pool.
    pub(crate) async fn call<T, F>(&self, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> DbResult<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock leaves SQLite itself consistent (an open
            // transaction is rolled back when dropped), so a poisoned lock is still usable.
            let mut guard = conn.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|_| DbError::Panico)?
    }

    /// Deletes every user, session, linkage, solicitud, attachment and queja (test hook).
    pub(crate) async fn reset(&self) -> DbResult<()> {
        self.call(|conn| {
            let tx = conn.transaction()?;
            tx.execute_batch(
                "DELETE FROM quejas; DELETE FROM folios_queja; DELETE FROM adjuntos;
                 DELETE FROM respuestas; DELETE FROM solicitudes; DELETE FROM vinculaciones;
                 DELETE FROM sesiones; DELETE FROM usuarios; DELETE FROM blobs;
                 DELETE FROM conteos_historial;",
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }
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
