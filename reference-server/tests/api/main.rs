//! Integration tests of pnt-reference-server: one test binary (zero-to-production style), a real
//! server on port 0 with a temporary SQLite file, and an Infomex simulator in the same process.
//! Set `TEST_LOG=1` to see the servers' logs.

mod helpers;

mod bloqueos;
mod conexiones;
mod cuentas;
mod entrada;
mod fallas;
mod ganchos;
mod historial;
mod paginas;
mod plataforma;
mod vinculacion;
