//! Versioned schema migrations, one sequence for both backends: tracked in SQLite's
//! `user_version` pragma, and in PostgreSQL's `esquema_version` table.
//!
//! Migrations are append-only: a released one is never edited; a change is a new entry. Each runs
//! in its own transaction together with the version bump, so a crash leaves the database at a
//! whole version. A migration is one SQL text for both backends, written in SQLite's words; on
//! PostgreSQL its column types are spelled as PostgreSQL spells them (`postgres_types`). Only
//! what the dialects cannot share — the history-count triggers — is written once per backend.
//! A test migrates both and compares the tables, columns and indexes they end with.

use super::sql::{Backend, Conexion, Sql};
use super::{DbError, DbResult};

/// One schema change.
struct Migration {
    /// For both backends.
    common: &'static str,
    /// Then, SQLite only.
    sqlite: &'static str,
    /// Then, PostgreSQL only.
    postgres: &'static str,
}

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[Migration] = &[
    // 1: the whole first schema.
    Migration {
        common: r#"
    CREATE TABLE usuarios (
        id              INTEGER PRIMARY KEY,
        correo          TEXT NOT NULL UNIQUE,
        nombre          TEXT NOT NULL,
        contrasena_hash TEXT NOT NULL,
        creado          TEXT NOT NULL
    );

    -- Only the SHA-256 of a session token is stored: a copy of the database opens no session.
    CREATE TABLE sesiones (
        token_sha256 BLOB PRIMARY KEY,
        usuario_id   INTEGER NOT NULL REFERENCES usuarios(id) ON DELETE CASCADE,
        expira       INTEGER NOT NULL
    );
    CREATE INDEX sesiones_usuario ON sesiones (usuario_id);

    -- One Infomex account belongs to one PNT user: the UNIQUE constraint is the final word,
    -- whatever the application-level locks do.
    CREATE TABLE vinculaciones (
        id              INTEGER PRIMARY KEY,
        usuario_id      INTEGER NOT NULL REFERENCES usuarios(id) ON DELETE CASCADE,
        jurisdiccion    TEXT NOT NULL,
        usuario_infomex TEXT NOT NULL,
        creada          TEXT NOT NULL,
        ultima          TEXT NOT NULL,
        estado          TEXT,
        pendientes      TEXT NOT NULL DEFAULT '[]',
        UNIQUE (jurisdiccion, usuario_infomex)
    );
    CREATE INDEX vinculaciones_usuario ON vinculaciones (usuario_id);

    -- fecha_limite and respuesta_final are derived by pnt-model when the row is written; they
    -- exist so that Mi Historial's semáforo filter and order run on an index.
    CREATE TABLE solicitudes (
        id                    INTEGER PRIMARY KEY,
        usuario_id            INTEGER NOT NULL REFERENCES usuarios(id) ON DELETE CASCADE,
        vinculacion_id        INTEGER NOT NULL REFERENCES vinculaciones(id) ON DELETE CASCADE,
        folio                 TEXT NOT NULL,
        jurisdiccion          TEXT NOT NULL,
        tipo                  TEXT NOT NULL,
        institucion           TEXT NOT NULL,
        descripcion           TEXT NOT NULL,
        fecha_presentacion    TEXT NOT NULL,
        estado                TEXT NOT NULL,
        prevencion_notificada TEXT,
        prevencion_desahogada TEXT,
        ampliacion            INTEGER NOT NULL,
        recepcion_oficial     TEXT NOT NULL,
        fecha_limite          TEXT,
        respuesta_final       TEXT,
        huella                BLOB NOT NULL,
        UNIQUE (usuario_id, folio)
    );
    CREATE INDEX solicitudes_historial
        ON solicitudes (usuario_id, recepcion_oficial DESC, folio DESC);
    CREATE INDEX solicitudes_tipo
        ON solicitudes (usuario_id, tipo, recepcion_oficial DESC, folio DESC);
    CREATE INDEX solicitudes_vinculacion ON solicitudes (vinculacion_id);

    CREATE TABLE respuestas (
        id           INTEGER PRIMARY KEY,
        solicitud_id INTEGER NOT NULL REFERENCES solicitudes(id) ON DELETE CASCADE,
        orden        INTEGER NOT NULL,
        tipo         TEXT NOT NULL,
        fecha        TEXT NOT NULL,
        texto        TEXT NOT NULL,
        UNIQUE (solicitud_id, orden)
    );

    -- Attachment bytes, content-addressed: the key is the SHA-256 the bytes were verified
    -- against, so identical files are stored once and a stored file cannot be a wrong one.
    CREATE TABLE blobs (
        sha256 TEXT PRIMARY KEY,
        bytes  BLOB NOT NULL
    );

    CREATE TABLE adjuntos (
        id           INTEGER PRIMARY KEY,
        respuesta_id INTEGER NOT NULL REFERENCES respuestas(id) ON DELETE CASCADE,
        orden        INTEGER NOT NULL,
        nombre       TEXT NOT NULL,
        media_type   TEXT NOT NULL,
        tamano       INTEGER NOT NULL,
        sha256       TEXT NOT NULL REFERENCES blobs(sha256),
        UNIQUE (respuesta_id, orden)
    );

    CREATE TABLE quejas (
        id           INTEGER PRIMARY KEY,
        solicitud_id INTEGER NOT NULL UNIQUE REFERENCES solicitudes(id) ON DELETE CASCADE,
        folio        TEXT NOT NULL UNIQUE,
        fecha        TEXT NOT NULL,
        motivo       TEXT NOT NULL
    );

    -- The last queja sequence number issued per órgano garante and year.
    CREATE TABLE folios_queja (
        jurisdiccion TEXT NOT NULL,
        anio         INTEGER NOT NULL,
        ultimo       INTEGER NOT NULL,
        PRIMARY KEY (jurisdiccion, anio)
    );
    "#,
        sqlite: "",
        // Attachment bytes are compressed data or random-looking already: storing them
        // uncompressed saves PostgreSQL the attempt.
        postgres: "ALTER TABLE blobs ALTER COLUMN bytes SET STORAGE EXTERNAL;",
    },
    // 2: per-user, per-type row counts kept by triggers, so Mi Historial's total costs the same
    // for 1k or 100k solicitudes (COUNT(*) would read the whole index range).
    Migration {
        common: r#"
    CREATE TABLE conteos_historial (
        usuario_id INTEGER NOT NULL,
        tipo       TEXT NOT NULL,
        n          INTEGER NOT NULL,
        PRIMARY KEY (usuario_id, tipo)
    ) WITHOUT ROWID;
    INSERT INTO conteos_historial (usuario_id, tipo, n)
        SELECT usuario_id, tipo, COUNT(*) FROM solicitudes GROUP BY usuario_id, tipo;
    "#,
        sqlite: r#"
    CREATE TRIGGER conteos_insert AFTER INSERT ON solicitudes BEGIN
        INSERT INTO conteos_historial (usuario_id, tipo, n) VALUES (NEW.usuario_id, NEW.tipo, 1)
            ON CONFLICT (usuario_id, tipo) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER conteos_delete AFTER DELETE ON solicitudes BEGIN
        UPDATE conteos_historial SET n = n - 1
            WHERE usuario_id = OLD.usuario_id AND tipo = OLD.tipo;
    END;
    CREATE TRIGGER conteos_update AFTER UPDATE OF usuario_id, tipo ON solicitudes BEGIN
        UPDATE conteos_historial SET n = n - 1
            WHERE usuario_id = OLD.usuario_id AND tipo = OLD.tipo;
        INSERT INTO conteos_historial (usuario_id, tipo, n) VALUES (NEW.usuario_id, NEW.tipo, 1)
            ON CONFLICT (usuario_id, tipo) DO UPDATE SET n = n + 1;
    END;
    "#,
        postgres: r#"
    CREATE FUNCTION conteos_historial_cambio() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            UPDATE conteos_historial SET n = n - 1
                WHERE usuario_id = OLD.usuario_id AND tipo = OLD.tipo;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO conteos_historial (usuario_id, tipo, n) VALUES (NEW.usuario_id, NEW.tipo, 1)
                ON CONFLICT (usuario_id, tipo) DO UPDATE SET n = conteos_historial.n + 1;
        END IF;
        RETURN NULL;
    END
    $$;
    CREATE TRIGGER conteos_insert AFTER INSERT ON solicitudes
        FOR EACH ROW EXECUTE FUNCTION conteos_historial_cambio();
    CREATE TRIGGER conteos_delete AFTER DELETE ON solicitudes
        FOR EACH ROW EXECUTE FUNCTION conteos_historial_cambio();
    CREATE TRIGGER conteos_update AFTER UPDATE OF usuario_id, tipo ON solicitudes
        FOR EACH ROW EXECUTE FUNCTION conteos_historial_cambio();
    "#,
    },
    // 3: the history indexes also cover the columns the type and semáforo filters read, so a
    // filtered page or count scans index entries without visiting the table.
    Migration {
        common: r#"
    DROP INDEX solicitudes_historial;
    CREATE INDEX solicitudes_historial ON solicitudes
        (usuario_id, recepcion_oficial DESC, folio DESC, tipo, fecha_limite, respuesta_final);
    DROP INDEX solicitudes_tipo;
    CREATE INDEX solicitudes_tipo ON solicitudes
        (usuario_id, tipo, recepcion_oficial DESC, folio DESC, fecha_limite, respuesta_final);
    "#,
        sqlite: "",
        postgres: "",
    },
    // 4: failed attempts (log-ins, linkages, refused registrations) in the database rather than
    // in the process, so that server instances sharing a PostgreSQL database count them
    // together. `instante` is the failure's time in microseconds since the epoch.
    Migration {
        common: r#"
    CREATE TABLE intentos_fallidos (
        clave    TEXT NOT NULL,
        instante INTEGER NOT NULL
    );
    CREATE INDEX intentos_fallidos_clave ON intentos_fallidos (clave, instante);
    "#,
        sqlite: "",
        postgres: "",
    },
];

/// The schema version this build writes.
pub(crate) const VERSION: usize = MIGRATIONS.len();

/// A migration's SQL for PostgreSQL: SQLite's rowid keys become identity columns, its
/// integers 64-bit ones, `BLOB` is `BYTEA`, and tables have no `WITHOUT ROWID` option.
fn postgres_types(sql: &str) -> String {
    sql.replace(
        "INTEGER PRIMARY KEY",
        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    )
    .replace("INTEGER", "BIGINT")
    .replace("BLOB", "BYTEA")
    .replace(" WITHOUT ROWID", "")
}

pub(super) fn migrate(conn: &mut Conexion<'_>) -> DbResult<()> {
    let backend = conn.backend();
    if backend == Backend::Postgres {
        conn.batch("CREATE TABLE IF NOT EXISTS esquema_version (version BIGINT NOT NULL)")?;
    }
    for (i, m) in MIGRATIONS.iter().enumerate() {
        let aplicada = conn.transaction(|tx| {
            // Two instances starting at once on one PostgreSQL database: the second waits here
            // for the first's migration, then finds it done.
            if backend == Backend::Postgres {
                tx.execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || '|migraciones', 0))",
                    &[],
                )?;
            }
            let current = version(tx)?;
            if current > VERSION {
                return Err(DbError::Corrupto(format!(
                    "la base tiene el esquema {current}, más nuevo que el {VERSION} de este servidor"
                )));
            }
            if current > i {
                return Ok(false);
            }
            match backend {
                Backend::Sqlite => {
                    tx.batch(m.common)?;
                    tx.batch(m.sqlite)?;
                    tx.batch(&format!("PRAGMA user_version = {}", i + 1))?;
                }
                Backend::Postgres => {
                    tx.batch(&postgres_types(m.common))?;
                    tx.batch(m.postgres)?;
                    tx.execute("DELETE FROM esquema_version", &[])?;
                    tx.execute(
                        "INSERT INTO esquema_version (version) VALUES (?1)",
                        &[super::sql::Value::Int(i as i64 + 1)],
                    )?;
                }
            }
            Ok(true)
        })?;
        if aplicada {
            tracing::info!(version = i + 1, "esquema migrado");
        }
    }
    Ok(())
}

/// The schema version the database is at.
fn version(tx: &mut dyn Sql) -> DbResult<usize> {
    let v = match tx.backend() {
        Backend::Sqlite => tx.query_one("PRAGMA user_version", &[])?.i64(0)?,
        Backend::Postgres => tx
            .query_opt("SELECT version FROM esquema_version", &[])?
            .map(|mut r| r.i64(0))
            .transpose()?
            .unwrap_or(0),
    };
    usize::try_from(v).map_err(|_| DbError::Corrupto(format!("versión de esquema {v}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn migrate_sqlite(conn: &mut Connection) -> DbResult<()> {
        migrate(&mut Conexion::Sqlite(conn))
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_sqlite(&mut conn).unwrap();
        migrate_sqlite(&mut conn).unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v as usize, VERSION);
    }

    #[test]
    fn a_newer_database_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(
            migrate_sqlite(&mut conn),
            Err(DbError::Corrupto(_))
        ));
    }

    #[test]
    fn counts_follow_inserts_updates_and_deletes() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_sqlite(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO usuarios VALUES (1, 'a@b.mx', 'A', 'h', 'x');
             INSERT INTO vinculaciones (id, usuario_id, jurisdiccion, usuario_infomex, creada, ultima)
                VALUES (1, 1, 'jalisco', 'u', 'x', 'x');
             INSERT INTO solicitudes (usuario_id, vinculacion_id, folio, jurisdiccion, tipo,
                institucion, descripcion, fecha_presentacion, estado, ampliacion, recepcion_oficial, huella)
             VALUES (1, 1, 'A', 'jalisco', 'acceso', 'i', 'd', '2021-01-04', 'terminada', 0, '2021-01-04', x'00'),
                    (1, 1, 'B', 'jalisco', 'acceso', 'i', 'd', '2021-01-04', 'terminada', 0, '2021-01-04', x'00'),
                    (1, 1, 'C', 'jalisco', 'acceso', 'i', 'd', '2021-01-04', 'terminada', 0, '2021-01-04', x'00');
             UPDATE solicitudes SET tipo = 'datos-personales' WHERE folio = 'B';
             UPDATE solicitudes SET estado = 'en_proceso' WHERE folio = 'A';
             DELETE FROM solicitudes WHERE folio = 'C';",
        )
        .unwrap();
        let n = |tipo: &str| -> i64 {
            conn.query_row(
                "SELECT n FROM conteos_historial WHERE usuario_id = 1 AND tipo = ?1",
                [tipo],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!((n("acceso"), n("datos-personales")), (1, 1));
    }

    #[test]
    fn history_query_uses_the_index() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_sqlite(&mut conn).unwrap();
        let plan: Vec<String> = conn
            .prepare(
                "EXPLAIN QUERY PLAN SELECT id FROM solicitudes WHERE usuario_id = 1 \
                 ORDER BY recepcion_oficial DESC, folio DESC LIMIT 20",
            )
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let plan = plan.join("\n");
        assert!(plan.contains("solicitudes_historial"), "{plan}");
        assert!(
            !plan.contains("TEMP B-TREE"),
            "sorts instead of using the index: {plan}"
        );
    }
}

#[cfg(test)]
mod both_backends {
    use std::collections::BTreeSet;

    use super::*;
    use crate::config::Storage;
    use crate::db::{Db, EsquemaTemporal};

    type Column = (String, String, bool);

    fn sqlite_schema() -> (BTreeSet<Column>, BTreeSet<String>) {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        migrate(&mut Conexion::Sqlite(&mut conn)).unwrap();
        let columns = conn
            .prepare(
                "SELECT m.name, p.name, p.\"notnull\" OR p.pk FROM sqlite_master m
                 JOIN pragma_table_info(m.name) p WHERE m.type = 'table'",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let indexes = conn
            .prepare(
                "SELECT name FROM sqlite_master
                 WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        (columns, indexes)
    }

    fn postgres_schema(url: &str) -> (BTreeSet<Column>, BTreeSet<String>) {
        let esquema = EsquemaTemporal::crear(url).unwrap();
        drop(Db::open(&Storage::Postgres(esquema.url())).unwrap());
        let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
        let columns = client
            .query(
                "SELECT table_name::text, column_name::text, is_nullable = 'NO'
                 FROM information_schema.columns
                 WHERE table_schema = $1 AND table_name <> 'esquema_version'",
                &[&esquema.nombre()],
            )
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        // Primary keys and UNIQUE constraints are indexes PostgreSQL names itself, as SQLite's
        // `sqlite_autoindex_*`; the schema's own indexes are compared by name.
        let indexes = client
            .query(
                "SELECT indexname::text FROM pg_indexes WHERE schemaname = $1
                 AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key'",
                &[&esquema.nombre()],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        (columns, indexes)
    }

    /// The migrations give both backends the same tables, columns (and which may be NULL) and
    /// indexes. Needs PostgreSQL (`PNT_TEST_POSTGRES_URL`; CI's PostgreSQL leg runs it).
    #[test]
    fn both_backends_end_with_the_same_schema() {
        let Ok(url) = std::env::var("PNT_TEST_POSTGRES_URL") else {
            eprintln!(
                "PNT_TEST_POSTGRES_URL sin definir: esta prueba corre en la etapa de PostgreSQL"
            );
            return;
        };
        let (sqlite_columns, sqlite_indexes) = sqlite_schema();
        let (pg_columns, pg_indexes) = postgres_schema(&url);
        assert!(sqlite_columns.len() > 40, "{sqlite_columns:?}");
        assert_eq!(sqlite_columns, pg_columns);
        assert_eq!(sqlite_indexes, pg_indexes);
    }
}
