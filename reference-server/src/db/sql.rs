//! One way to speak SQL to either backend, so that every query of the storage layer is written
//! once.
//!
//! Queries are written with SQLite's numbered placeholders (`?1`, or `?` for "the next one");
//! on PostgreSQL they become `$1`… before preparing. Parameters are [`Value`]s and rows come
//! back as [`Row`]s of owned cells, so a query's code does not know which backend answers it.
//! The SQL itself is kept to what both dialects mean the same way (upserts with `ON CONFLICT`,
//! `RETURNING`, `COALESCE`, `CAST(... AS BIGINT)`); where they differ, the schema migrations
//! say so per backend (`schema.rs`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::error::Error;

use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use super::{DbError, DbResult};

/// Which database answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

/// A query parameter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    Null,
    Int(i64),
    Text(Cow<'a, str>),
    Bytes(Cow<'a, [u8]>),
}

impl From<i64> for Value<'_> {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<u32> for Value<'_> {
    fn from(v: u32) -> Self {
        Value::Int(i64::from(v))
    }
}

impl From<i16> for Value<'_> {
    fn from(v: i16) -> Self {
        Value::Int(i64::from(v))
    }
}

impl From<bool> for Value<'_> {
    fn from(v: bool) -> Self {
        Value::Int(i64::from(v))
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(v: &'a str) -> Self {
        Value::Text(Cow::Borrowed(v))
    }
}

impl<'a> From<&'a String> for Value<'a> {
    fn from(v: &'a String) -> Self {
        Value::Text(Cow::Borrowed(v))
    }
}

impl From<String> for Value<'_> {
    fn from(v: String) -> Self {
        Value::Text(Cow::Owned(v))
    }
}

impl<'a> From<&'a [u8]> for Value<'a> {
    fn from(v: &'a [u8]) -> Self {
        Value::Bytes(Cow::Borrowed(v))
    }
}

impl<'a, T: Into<Value<'a>>> From<Option<T>> for Value<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// The parameters of a query: `vals![a, b, c]` is `&[Value::from(a), …]`.
macro_rules! vals {
    ($($v:expr),* $(,)?) => {
        &[$($crate::db::sql::Value::from($v)),*][..]
    };
}
pub(crate) use vals;

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(v) => ValueRef::Integer(*v),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Bytes(b) => ValueRef::Blob(b),
        }))
    }
}

impl ToSql for Value<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            // The column decides the width: every integer of this server fits the narrower
            // ones where the schema uses them (PostgreSQL's own `INT4` results, such as `1`).
            Value::Int(v) => match *ty {
                Type::INT8 => v.to_sql(ty, out),
                Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
                Type::BOOL => (*v != 0).to_sql(ty, out),
                _ => Err(format!("un entero no cabe en una columna {ty}").into()),
            },
            Value::Text(s) => s.as_ref().to_sql(ty, out),
            Value::Bytes(b) => b.as_ref().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A cell of a result row.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cell {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

/// A result row, with typed getters that take the cell out (each cell is read once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row(Vec<Cell>);

impl Row {
    fn cell(&mut self, i: usize) -> DbResult<Cell> {
        self.0
            .get_mut(i)
            .map(|c| std::mem::replace(c, Cell::Null))
            .ok_or_else(|| DbError::Corrupto(format!("la fila no tiene la columna {i}")))
    }

    fn wrong(i: usize, want: &str, got: &Cell) -> DbError {
        DbError::Corrupto(format!("columna {i}: se esperaba {want}, hay {got:?}"))
    }

    pub(crate) fn opt_i64(&mut self, i: usize) -> DbResult<Option<i64>> {
        match self.cell(i)? {
            Cell::Null => Ok(None),
            Cell::Int(v) => Ok(Some(v)),
            other => Err(Self::wrong(i, "un entero", &other)),
        }
    }

    pub(crate) fn i64(&mut self, i: usize) -> DbResult<i64> {
        self.opt_i64(i)?
            .ok_or_else(|| Self::wrong(i, "un entero", &Cell::Null))
    }

    pub(crate) fn bool(&mut self, i: usize) -> DbResult<bool> {
        Ok(self.i64(i)? != 0)
    }

    pub(crate) fn opt_text(&mut self, i: usize) -> DbResult<Option<String>> {
        match self.cell(i)? {
            Cell::Null => Ok(None),
            Cell::Text(v) => Ok(Some(v)),
            other => Err(Self::wrong(i, "texto", &other)),
        }
    }

    pub(crate) fn text(&mut self, i: usize) -> DbResult<String> {
        self.opt_text(i)?
            .ok_or_else(|| Self::wrong(i, "texto", &Cell::Null))
    }

    pub(crate) fn bytes(&mut self, i: usize) -> DbResult<Vec<u8>> {
        match self.cell(i)? {
            Cell::Bytes(v) => Ok(v),
            other => Err(Self::wrong(i, "bytes", &other)),
        }
    }
}

/// Runs SQL on a connection or inside a transaction of either backend.
pub(crate) trait Sql {
    fn backend(&self) -> Backend;

    /// Runs a statement; the rows it changed.
    fn execute(&mut self, sql: &str, params: &[Value<'_>]) -> DbResult<u64>;

    /// Runs a query; every row it gives.
    fn query(&mut self, sql: &str, params: &[Value<'_>]) -> DbResult<Vec<Row>>;

    /// Runs several statements without parameters (schema migrations, resets).
    fn batch(&mut self, sql: &str) -> DbResult<()>;

    /// The first row, if any.
    fn query_opt(&mut self, sql: &str, params: &[Value<'_>]) -> DbResult<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// The first row, which must exist.
    fn query_one(&mut self, sql: &str, params: &[Value<'_>]) -> DbResult<Row> {
        self.query_opt(sql, params)?
            .ok_or_else(|| DbError::Corrupto(format!("la consulta no dio fila: {sql}")))
    }
}

/// A connection of either backend, as [`super::Db::call`] lends it.
#[derive(Debug)]
pub(crate) enum Conexion<'a> {
    Sqlite(&'a mut rusqlite::Connection),
    Postgres(&'a mut PgConn),
}

impl Conexion<'_> {
    /// Runs `f` in a transaction: committed when `f` returns `Ok`, rolled back otherwise.
    pub(crate) fn transaction<T>(
        &mut self,
        f: impl FnOnce(&mut dyn Sql) -> DbResult<T>,
    ) -> DbResult<T> {
        match self {
            Conexion::Sqlite(conn) => {
                let tx = conn.transaction()?;
                let out = f(&mut SqliteRef(&tx))?;
                tx.commit()?;
                Ok(out)
            }
            Conexion::Postgres(pg) => {
                let PgConn { client, cache } = &mut **pg;
                let mut tx = client.transaction()?;
                let out = f(&mut PgTx { tx: &mut tx, cache })?;
                tx.commit()?;
                Ok(out)
            }
        }
    }
}

impl Sql for Conexion<'_> {
    fn backend(&self) -> Backend {
        match self {
            Conexion::Sqlite(_) => Backend::Sqlite,
            Conexion::Postgres(_) => Backend::Postgres,
        }
    }

    fn execute(&mut self, sql: &str, params: &[Value<'_>]) -> DbResult<u64> {
        match self {
            Conexion::Sqlite(c) => SqliteRef(c).execute(sql, params),
            Conexion::Postgres(c) => c.execute(sql, params),
        }
    }

    fn query(&mut self, sql: &str, params: &[Value<'_>]) -> DbResult<Vec<Row>> {
        match self {
            Conexion::Sqlite(c) => SqliteRef(c).query(sql, params),
            Conexion::Postgres(c) => c.query(sql, params),
        }
    }

    fn batch(&mut self, sql: &str) -> DbResult<()> {
        match self {
            Conexion::Sqlite(c) => SqliteRef(c).batch(sql),
            Conexion::Postgres(c) => c.batch(sql),
        }
    }
}

/// A SQLite connection or transaction (a `rusqlite::Transaction` derefs to its connection).
struct SqliteRef<'a>(&'a rusqlite::Connection);

impl Sql for SqliteRef<'_> {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[Value<'_>]) -> DbResult<u64> {
        let n = self
            .0
            .prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(params.iter()))?;
        Ok(n as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value<'_>]) -> DbResult<Vec<Row>> {
        use rusqlite::types::ValueRef;
        let mut stmt = self.0.prepare_cached(sql)?;
        let n = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut cells = Vec::with_capacity(n);
            for i in 0..n {
                cells.push(match r.get_ref(i)? {
                    ValueRef::Null => Cell::Null,
                    ValueRef::Integer(v) => Cell::Int(v),
                    ValueRef::Real(v) => {
                        return Err(DbError::Corrupto(format!("columna {i}: real {v}")));
                    }
                    ValueRef::Text(t) => Cell::Text(
                        std::str::from_utf8(t)
                            .map_err(|_| DbError::Corrupto(format!("columna {i}: no es UTF-8")))?
                            .to_owned(),
                    ),
                    ValueRef::Blob(b) => Cell::Bytes(b.to_vec()),
                });
            }
            out.push(Row(cells));
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> DbResult<()> {
        Ok(self.0.execute_batch(sql)?)
    }
}

/// A pooled PostgreSQL connection with its prepared statements, keyed by the SQL as written.
pub(crate) struct PgConn {
    pub(crate) client: postgres::Client,
    cache: HashMap<String, postgres::Statement>,
}

impl std::fmt::Debug for PgConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgConn")
            .field("sentencias", &self.cache.len())
            .finish_non_exhaustive()
    }
}

impl PgConn {
    pub(crate) fn new(client: postgres::Client) -> PgConn {
        PgConn {
            client,
            cache: HashMap::new(),
        }
    }
}

/// Statements kept per connection; the history's pages build their SQL from the filters and
/// page size, so the cache is emptied when it grows past this rather than kept forever.
const MAX_SENTENCIAS: usize = 256;

fn prepared<C: postgres::GenericClient>(
    client: &mut C,
    cache: &mut HashMap<String, postgres::Statement>,
    sql: &str,
) -> DbResult<postgres::Statement> {
    if let Some(s) = cache.get(sql) {
        return Ok(s.clone());
    }
    if cache.len() >= MAX_SENTENCIAS {
        cache.clear();
    }
    let stmt = client.prepare(&placeholders_postgres(sql))?;
    cache.insert(sql.to_owned(), stmt.clone());
    Ok(stmt)
}

fn pg_params<'a>(params: &'a [Value<'_>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

fn pg_rows(rows: Vec<postgres::Row>) -> DbResult<Vec<Row>> {
    rows.into_iter()
        .map(|r| {
            let mut cells = Vec::with_capacity(r.len());
            for (i, col) in r.columns().iter().enumerate() {
                let ty = col.type_();
                let cell = if *ty == Type::INT8 {
                    r.try_get::<_, Option<i64>>(i)?.map(Cell::Int)
                } else if *ty == Type::INT4 {
                    r.try_get::<_, Option<i32>>(i)?
                        .map(|v| Cell::Int(i64::from(v)))
                } else if *ty == Type::INT2 {
                    r.try_get::<_, Option<i16>>(i)?
                        .map(|v| Cell::Int(i64::from(v)))
                } else if *ty == Type::BOOL {
                    r.try_get::<_, Option<bool>>(i)?
                        .map(|v| Cell::Int(i64::from(v)))
                } else if *ty == Type::BYTEA {
                    r.try_get::<_, Option<Vec<u8>>>(i)?.map(Cell::Bytes)
                } else {
                    r.try_get::<_, Option<String>>(i)?.map(Cell::Text)
                };
                cells.push(cell.unwrap_or(Cell::Null));
            }
            Ok(Row(cells))
        })
        .collect()
}

impl Sql for PgConn {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    fn execute(&mut self, sql: &str, params: &[Value<'_>]) -> DbResult<u64> {
        let stmt = prepared(&mut self.client, &mut self.cache, sql)?;
        Ok(self.client.execute(&stmt, &pg_params(params))?)
    }

    fn query(&mut self, sql: &str, params: &[Value<'_>]) -> DbResult<Vec<Row>> {
        let stmt = prepared(&mut self.client, &mut self.cache, sql)?;
        pg_rows(self.client.query(&stmt, &pg_params(params))?)
    }

    fn batch(&mut self, sql: &str) -> DbResult<()> {
        Ok(self.client.batch_execute(sql)?)
    }
}

struct PgTx<'t, 'c> {
    tx: &'t mut postgres::Transaction<'c>,
    cache: &'t mut HashMap<String, postgres::Statement>,
}

impl Sql for PgTx<'_, '_> {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    fn execute(&mut self, sql: &str, params: &[Value<'_>]) -> DbResult<u64> {
        let stmt = prepared(self.tx, self.cache, sql)?;
        Ok(self.tx.execute(&stmt, &pg_params(params))?)
    }

    fn query(&mut self, sql: &str, params: &[Value<'_>]) -> DbResult<Vec<Row>> {
        let stmt = prepared(self.tx, self.cache, sql)?;
        pg_rows(self.tx.query(&stmt, &pg_params(params))?)
    }

    fn batch(&mut self, sql: &str) -> DbResult<()> {
        Ok(self.tx.batch_execute(sql)?)
    }
}

/// SQLite's placeholders as PostgreSQL's: `?N` is `$N`; a bare `?` is one more than the
/// largest number so far, as SQLite numbers it. Text inside single quotes is left alone.
pub(crate) fn placeholders_postgres(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut in_quotes = false;
    let mut largest = 0u32;
    while let Some(c) = chars.next() {
        if c == '\'' {
            in_quotes = !in_quotes;
            out.push(c);
            continue;
        }
        if c != '?' || in_quotes {
            out.push(c);
            continue;
        }
        let mut digits = String::new();
        while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
            digits.push(d);
            chars.next();
        }
        let n = if digits.is_empty() {
            largest + 1
        } else {
            digits.parse().unwrap_or(u32::MAX)
        };
        largest = largest.max(n);
        out.push('$');
        out.push_str(&n.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_as_sqlite_numbers_them() {
        assert_eq!(
            placeholders_postgres("SELECT ?1, ?2 WHERE a = ?1 AND b = '?'"),
            "SELECT $1, $2 WHERE a = $1 AND b = '?'"
        );
        assert_eq!(
            placeholders_postgres("a = ? AND b IN (?,?) LIMIT ? OFFSET ?"),
            "a = $1 AND b IN ($2,$3) LIMIT $4 OFFSET $5"
        );
        assert_eq!(placeholders_postgres("x = ?3 OR y = ?"), "x = $3 OR y = $4");
    }

    #[test]
    fn rows_read_back_what_sqlite_stores() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let mut c = SqliteRef(&conn);
        c.batch("CREATE TABLE t (a INTEGER, b TEXT, c BLOB)")
            .unwrap();
        let n = c
            .execute(
                "INSERT INTO t VALUES (?1, ?2, ?3)",
                vals![7i64, "siete", &b"\x00\x01"[..]],
            )
            .unwrap();
        assert_eq!(n, 1);
        c.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3)",
            vals![None::<i64>, None::<String>, None::<&[u8]>],
        )
        .unwrap();
        let mut rows = c
            .query("SELECT a, b, c FROM t ORDER BY a IS NULL", &[])
            .unwrap();
        assert_eq!(rows[0].i64(0).unwrap(), 7);
        assert_eq!(rows[0].text(1).unwrap(), "siete");
        assert_eq!(rows[0].bytes(2).unwrap(), vec![0, 1]);
        assert_eq!(rows[1].opt_i64(0).unwrap(), None);
        assert_eq!(rows[1].opt_text(1).unwrap(), None);
        assert!(matches!(rows[1].i64(0), Err(DbError::Corrupto(_))));
    }
}
