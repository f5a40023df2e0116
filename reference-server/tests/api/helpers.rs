//! `spawn_app()`: a reference server on port 0 with a fresh temporary database, and an Infomex
//! simulator in the same process, plus the client helpers and the oracle the tests share.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use infomex_sim::{Cuenta, InfomexSim, SimBuilder, SimHandle};
use jiff::civil::Date;
use pnt_model::{Jurisdiccion, Sha256};
use pnt_reference_server::{Clock, Config, EsquemaTemporal, Storage, serve};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Everything every test's server logged, for tests that search the logs.
static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

#[derive(Clone)]
struct Captura(Arc<Mutex<Vec<u8>>>);

impl Write for Captura {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        if std::env::var_os("TEST_LOG").is_some() {
            std::io::stdout().write_all(buf)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs (once) a subscriber that records everything at TRACE level; printed only when
/// `TEST_LOG` is set.
fn logs() -> Arc<Mutex<Vec<u8>>> {
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = Captura(buffer.clone());
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .init();
        buffer
    })
    .clone()
}

/// What the captured logs hold so far.
pub(crate) fn captured_logs() -> String {
    String::from_utf8_lossy(&logs().lock().unwrap()).into_owned()
}

pub(crate) struct TestApp {
    pub(crate) url: String,
    pub(crate) sim: SimHandle,
    pub(crate) client: reqwest::Client,
    pub(crate) db: TestDb,
    pub(crate) clock: Clock,
    config: Config,
    server: Option<(oneshot::Sender<()>, tokio::task::JoinHandle<()>)>,
}

/// The variable that runs every test on PostgreSQL: the URL of a database in which each test
/// creates (and drops) a schema of its own, e.g. the one `scripts/postgres.sh` prints.
pub(crate) const POSTGRES_VAR: &str = "PNT_TEST_POSTGRES_URL";

/// A fresh database for one test: a temporary SQLite file, or a temporary schema on the
/// PostgreSQL server `PNT_TEST_POSTGRES_URL` names.
pub(crate) enum TestDb {
    Sqlite {
        path: PathBuf,
        _dir: tempfile::TempDir,
    },
    Postgres {
        url: String,
        esquema: EsquemaTemporal,
    },
}

impl TestDb {
    pub(crate) fn new() -> TestDb {
        match std::env::var(POSTGRES_VAR) {
            Ok(url) if !url.is_empty() => TestDb::Postgres {
                esquema: EsquemaTemporal::crear(&url)
                    .expect("PostgreSQL answers at PNT_TEST_POSTGRES_URL"),
                url,
            },
            _ => {
                let dir = tempfile::tempdir().unwrap();
                TestDb::Sqlite {
                    path: dir.path().join("pnt.sqlite"),
                    _dir: dir,
                }
            }
        }
    }

    pub(crate) fn storage(&self) -> Storage {
        match self {
            TestDb::Sqlite { path, .. } => Storage::File(path.clone()),
            TestDb::Postgres { esquema, .. } => Storage::Postgres(esquema.url()),
        }
    }

    /// Everything the database holds, as bytes to search: the SQLite files, or every row of
    /// every table of the schema as PostgreSQL prints it (byte columns in hex, so a search
    /// must look for the hex of a secret too).
    pub(crate) fn contents(&self) -> Vec<u8> {
        match self {
            TestDb::Sqlite { path, .. } => {
                let mut bytes = std::fs::read(path).unwrap();
                for suffix in ["-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    if let Ok(more) = std::fs::read(&p) {
                        bytes.extend(more);
                    }
                }
                bytes
            }
            TestDb::Postgres { url, esquema } => {
                let (url, nombre) = (url.clone(), esquema.nombre().to_owned());
                std::thread::spawn(move || {
                    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
                    let tablas: Vec<String> = client
                        .query(
                            "SELECT table_name::text FROM information_schema.tables
                             WHERE table_schema = $1",
                            &[&nombre],
                        )
                        .unwrap()
                        .iter()
                        .map(|r| r.get(0))
                        .collect();
                    let mut bytes = Vec::new();
                    for t in tablas {
                        for r in client
                            .query(&format!("SELECT x::text FROM {nombre}.{t} x"), &[])
                            .unwrap()
                        {
                            bytes.extend(r.get::<_, String>(0).into_bytes());
                        }
                    }
                    bytes
                })
                .join()
                .unwrap()
            }
        }
    }
}

/// The default day of the tests: the seed's Mi Historial example was read around then.
pub(crate) const HOY: Date = jiff::civil::date(2021, 9, 20);

pub(crate) async fn spawn_app() -> TestApp {
    spawn_app_with(InfomexSim::builder().seed(42), |c| c).await
}

/// A server and a simulator built from `sim`, with `configure` applied to the test config.
pub(crate) async fn spawn_app_with(
    sim: SimBuilder,
    configure: impl FnOnce(Config) -> Config,
) -> TestApp {
    logs();
    let sim = sim
        .start_on(TcpListener::bind("127.0.0.1:0").await.unwrap())
        .await
        .expect("simulator starts");
    let db = TestDb::new();
    let clock = Clock::fixed_date(HOY);
    let config = configure(
        Config::for_tests()
            .storage(db.storage())
            .infomex_base_url(sim.url())
            .clock(clock.clone()),
    );
    let (url, server) = start(config.clone()).await;
    TestApp {
        url,
        sim,
        client: reqwest::Client::builder().no_proxy().build().unwrap(),
        db,
        clock,
        config,
        server: Some(server),
    }
}

/// A second server instance; stopped when dropped.
pub(crate) struct Instancia {
    _stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Instancia {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn start(config: Config) -> (String, (oneshot::Sender<()>, tokio::task::JoinHandle<()>)) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        serve(config, listener, async move {
            let _ = rx.await;
        })
        .await
        .expect("server runs");
    });
    (url, (tx, task))
}

/// The body of an error answer: `(codigo, mensaje)`, after checking the one error shape.
pub(crate) async fn error_of(r: Response) -> (StatusCode, String, String) {
    let status = r.status();
    let body: Value = r.json().await.expect("errors are JSON");
    let e = &body["error"];
    let codigo = e["codigo"].as_str().expect("error.codigo").to_owned();
    let mensaje = e["mensaje"].as_str().expect("error.mensaje").to_owned();
    assert_eq!(body.as_object().unwrap().len(), 1, "only `error`: {body}");
    assert!(
        !mensaje.to_lowercase().contains("administrador"),
        "{mensaje}"
    );
    (status, codigo, mensaje)
}

impl TestApp {
    /// Stops the server and starts a new one on the same database file (a new port).
    pub(crate) async fn reiniciar(&mut self) {
        if let Some((tx, task)) = self.server.take() {
            let _ = tx.send(());
            self.client = reqwest::Client::builder().no_proxy().build().unwrap();
            task.await.unwrap();
        }
        let (url, server) = start(self.config.clone()).await;
        self.url = url;
        self.server = Some(server);
    }

    /// Another server instance on this app's database and simulator (what a PNT behind a load
    /// balancer runs): its base URL, and the handle that stops it when dropped.
    pub(crate) async fn otra_instancia(&self) -> (String, Instancia) {
        let (url, (stop, task)) = start(self.config.clone()).await;
        (url, Instancia { _stop: stop, task })
    }

    pub(crate) fn api(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.url)
    }

    pub(crate) async fn post(&self, path: &str, body: &Value, token: Option<&str>) -> Response {
        let mut req = self.client.post(self.api(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    pub(crate) async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut req = self.client.get(self.api(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    pub(crate) async fn get_json(&self, path: &str, token: &str) -> Value {
        let r = self.get(path, Some(token)).await;
        assert_eq!(r.status(), StatusCode::OK, "GET {path}");
        r.json().await.unwrap()
    }

    /// Registers `correo` and logs in: the bearer token.
    pub(crate) async fn user(&self, correo: &str) -> String {
        let r = self
            .post(
                "/usuarios",
                &json!({"correo": correo, "contrasena": "contraseña-segura", "nombre": "Prueba"}),
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED, "register {correo}");
        let r = self
            .post(
                "/sesiones",
                &json!({"correo": correo, "contrasena": "contraseña-segura"}),
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub(crate) fn cuenta(&self, j: Jurisdiccion, usuario: &str) -> Cuenta {
        self.sim
            .account(j, usuario)
            .expect("the simulator has that account")
    }

    pub(crate) async fn vincular_con(
        &self,
        token: &str,
        j: Jurisdiccion,
        usuario: &str,
        contrasena: &str,
    ) -> Response {
        self.post(
            "/vinculaciones",
            &json!({"jurisdiccion": j.slug(), "usuario": usuario, "contrasena": contrasena}),
            Some(token),
        )
        .await
    }

    /// Links with the account's real password and returns the result, which must be 200.
    pub(crate) async fn vincular(&self, token: &str, j: Jurisdiccion, usuario: &str) -> Value {
        let pass = self.cuenta(j, usuario).contrasena;
        let r = self.vincular_con(token, j, usuario, &pass).await;
        let status = r.status();
        let body: Value = r.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Every row of the user's history (all pages).
    pub(crate) async fn historial_completo(&self, token: &str) -> Vec<Value> {
        let mut rows = Vec::new();
        for pagina in 1.. {
            let page = self
                .get_json(&format!("/historial?por_pagina=100&pagina={pagina}"), token)
                .await;
            let batch = page["solicitudes"].as_array().unwrap().clone();
            if batch.is_empty() {
                break;
            }
            rows.extend(batch);
        }
        rows
    }

    pub(crate) async fn detalle(&self, token: &str, folio: &str) -> Value {
        self.get_json(&format!("/solicitudes/{}", seg(folio)), token)
            .await
    }
}

/// A value percent-encoded as one path segment.
pub(crate) fn seg(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The first procedural user of `j` whose account holds at least `min` solicitudes and at least
/// one attachment.
pub(crate) fn usuario_con(sim: &SimHandle, j: Jurisdiccion, min: usize) -> String {
    sim.find_usuario(j, 500, |c| {
        c.solicitudes.len() >= min && c.solicitudes.iter().any(|s| s.adjuntos().next().is_some())
    })
    .expect("some account is large enough")
}

/// The oracle: the user's history holds exactly the account's solicitudes minus `sin` (the
/// folios reported pending), with identical details, and every attachment downloads
/// byte-identical.
pub(crate) async fn assert_historial_igual(
    app: &TestApp,
    token: &str,
    cuenta: &Cuenta,
    sin: &[String],
) {
    let rows = app.historial_completo(token).await;
    let mut got: Vec<String> = rows
        .iter()
        .map(|r| r["folio"].as_str().unwrap().to_owned())
        .collect();
    let mut want: Vec<String> = cuenta
        .solicitudes
        .iter()
        .map(|s| s.folio.to_string())
        .filter(|f| !sin.contains(f))
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want, "the history holds exactly the account's folios");
    for s in &cuenta.solicitudes {
        let folio = s.folio.to_string();
        if sin.contains(&folio) {
            continue;
        }
        let d = app.detalle(token, &folio).await;
        assert_eq!(d["folio"], folio);
        assert_eq!(d["tipo"], s.tipo.slug());
        assert_eq!(d["jurisdiccion"], cuenta.jurisdiccion.slug());
        assert_eq!(d["institucion"], s.institucion.as_str(), "{folio}");
        assert_eq!(d["descripcion"], s.descripcion.as_str(), "{folio}");
        assert_eq!(d["estado"], s.estado.slug(), "{folio}");
        assert_eq!(d["fecha_presentacion"], s.fecha_presentacion.to_string());
        assert_eq!(d["ampliacion"], s.ampliacion);
        match s.prevencion {
            None => assert!(d["prevencion"].is_null()),
            Some(p) => {
                assert_eq!(d["prevencion"]["notificada"], p.notificada.to_string());
                assert_eq!(
                    d["prevencion"]["desahogada"],
                    p.desahogada
                        .map_or(Value::Null, |x| Value::String(x.to_string()))
                );
            }
        }
        let respuestas = d["respuestas"].as_array().unwrap();
        assert_eq!(respuestas.len(), s.respuestas.len(), "{folio}");
        for (got, want) in respuestas.iter().zip(&s.respuestas) {
            assert_eq!(got["tipo"], want.tipo.texto());
            assert_eq!(got["fecha"], want.fecha.to_string());
            assert_eq!(
                got["texto"],
                want.texto.as_str(),
                "{folio}: answer text decoded exactly"
            );
            let adjuntos = got["adjuntos"].as_array().unwrap();
            assert_eq!(adjuntos.len(), want.adjuntos.len());
            for (ga, wa) in adjuntos.iter().zip(&want.adjuntos) {
                let want_bytes = wa.bytes();
                let want_sha = Sha256::of(&want_bytes).to_string();
                assert_eq!(ga["nombre"], wa.nombre.as_str());
                assert_eq!(ga["media_type"], wa.media_type.as_str());
                assert_eq!(ga["tamano"], wa.tamano);
                assert_eq!(ga["sha256"], want_sha.as_str());
                let r = app
                    .get(&format!("/adjuntos/{}", ga["id"]), Some(token))
                    .await;
                assert_eq!(r.status(), StatusCode::OK);
                assert_eq!(r.headers()["x-sha256"], want_sha.as_str());
                assert_eq!(r.headers()["content-type"], wa.media_type.as_str());
                let bytes = r.bytes().await.unwrap();
                assert!(
                    bytes[..] == want_bytes[..],
                    "{folio}: attachment byte-identical"
                );
            }
        }
    }
}

/// Counts of the account: (solicitudes, respuestas, adjuntos).
pub(crate) fn conteos(cuenta: &Cuenta) -> (u64, u64, u64) {
    let s = cuenta.solicitudes.len() as u64;
    let r = cuenta
        .solicitudes
        .iter()
        .map(|s| s.respuestas.len() as u64)
        .sum();
    let a = cuenta
        .solicitudes
        .iter()
        .flat_map(|s| &s.respuestas)
        .map(|r| r.adjuntos.len() as u64)
        .sum();
    (s, r, a)
}
