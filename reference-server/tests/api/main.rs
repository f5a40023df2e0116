//! Integration tests of pnt-reference-server: one test binary (zero-to-production style), a real
//! server on port 0 with a temporary SQLite file, and an Infomex simulator in the same process.
//! Set `TEST_LOG=1` to see the servers' logs. With `PNT_TEST_POSTGRES_URL` set (e.g. to what
//! `scripts/postgres.sh` prints), every test runs on PostgreSQL instead, each in a schema of
//! its own; `compartida` then also runs two server instances on one database.

mod helpers;

mod bloqueos;
mod compartida;
mod conexiones;
mod cuentas;
mod entrada;
mod fallas;
mod ganchos;
mod historial;
mod paginas;
mod plataforma;
mod vinculacion;
