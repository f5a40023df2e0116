//! Mi Historial's first page for a user with 1k and with 100k solicitudes: the target is that
//! the larger history costs at most twice as much (the page and its total come from indexes).
//!
//! The rows are written straight into the database (the linkage of 100k solicitudes is
//! measured elsewhere); the request goes through the whole router, authentication included.
//! SQLite by default; with `PNT_BENCH_POSTGRES_URL` (e.g. what `scripts/postgres.sh` prints),
//! PostgreSQL, in a temporary schema (the group is then named `historial-postgres/…`).

use std::hint::black_box;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use criterion::{Criterion, criterion_group, criterion_main};
use jiff::ToSpan;
use pnt_reference_server::{AppState, Clock, Config, EsquemaTemporal, Storage, app};
use rusqlite::{Connection, params};
use tower::ServiceExt;

struct Fixture {
    router: Router,
    token: String,
    _dir: tempfile::TempDir,
    _esquema: Option<EsquemaTemporal>,
}

fn postgres_url() -> Option<String> {
    std::env::var("PNT_BENCH_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// One solicitud row: folio, tipo, presentada (= recepción oficial), fecha límite, respuesta.
type Fila = (String, &'static str, String, String, Option<String>);

async fn call(router: &Router, req: Request<Body>) -> (StatusCode, serde_json::Value) {
    let r = router.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let bytes = axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or_default())
}

fn json_post(uri: &str, body: serde_json::Value) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// A user whose history holds `n` solicitudes (a tenth answered, dates spread over 10 years).
async fn fixture(n: u32) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.sqlite");
    let esquema = postgres_url().map(|url| EsquemaTemporal::crear(&url).unwrap());
    let storage = match &esquema {
        Some(e) => Storage::Postgres(e.url()),
        None => Storage::File(path.clone()),
    };
    let config = Config::for_tests()
        .storage(storage)
        .clock(Clock::fixed_date(jiff::civil::date(2021, 9, 20)));
    let router = app(AppState::new(config).unwrap());
    let (s, _) = call(
        &router,
        json_post("/api/v1/usuarios", serde_json::json!({"correo": "bench@example.mx", "contrasena": "contraseña-bench", "nombre": "Bench"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, body) = call(
        &router,
        json_post(
            "/api/v1/sesiones",
            serde_json::json!({"correo": "bench@example.mx", "contrasena": "contraseña-bench"}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let token = body["token"].as_str().unwrap().to_owned();

    let start = jiff::civil::date(2011, 1, 3);
    let filas: Vec<Fila> = (0..n)
        .map(|i| {
            let presentada = start.checked_add(((i % 3650) as i64).days()).unwrap();
            let limite = presentada.checked_add(28.days()).unwrap();
            let respuesta =
                (i % 10 == 0).then(|| presentada.checked_add(20.days()).unwrap().to_string());
            (
                format!("{:05}{:06}{:02}", i % 100_000, i % 1_000_000, 11 + i % 10),
                if i % 7 == 0 {
                    "datos-personales"
                } else {
                    "acceso"
                },
                presentada.to_string(),
                limite.to_string(),
                respuesta,
            )
        })
        .collect();
    let vinculacion =
        "INSERT INTO vinculaciones (usuario_id, jurisdiccion, usuario_infomex, creada, ultima)
         VALUES (1, 'federacion', 'bench', 'x', 'x')";
    let solicitud = |marca: fn(u8) -> String| {
        format!(
            "INSERT INTO solicitudes (usuario_id, vinculacion_id, folio, jurisdiccion, tipo,
                institucion, descripcion, fecha_presentacion, estado, ampliacion,
                recepcion_oficial, fecha_limite, respuesta_final, huella)
             VALUES (1, 1, {}, 'federacion', {}, 'INAI', 'Solicito información', {}, 'terminada', 0,
                {}, {}, {}, {})",
            marca(1),
            marca(2),
            marca(3),
            marca(3),
            marca(4),
            marca(5),
            marca(6)
        )
    };
    match &esquema {
        None => {
            let mut conn = Connection::open(&path).unwrap();
            let tx = conn.transaction().unwrap();
            tx.execute(vinculacion, []).unwrap();
            let sql = solicitud(|i| format!("?{i}"));
            for (folio, tipo, presentada, limite, respuesta) in &filas {
                tx.execute(
                    &sql,
                    params![folio, tipo, presentada, limite, respuesta, &[0u8][..]],
                )
                .unwrap();
            }
            tx.commit().unwrap();
        }
        Some(e) => {
            // The synchronous client on a thread of its own: this runs inside the runtime.
            let url = e.url();
            std::thread::spawn(move || {
                let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
                let mut tx = client.transaction().unwrap();
                tx.execute(vinculacion, &[]).unwrap();
                let stmt = tx.prepare(&solicitud(|i| format!("${i}"))).unwrap();
                for (folio, tipo, presentada, limite, respuesta) in &filas {
                    tx.execute(
                        &stmt,
                        &[folio, tipo, presentada, limite, respuesta, &&[0u8][..]],
                    )
                    .unwrap();
                }
                tx.commit().unwrap();
                // Fresh planner statistics, as autovacuum would give a real database.
                client.batch_execute("ANALYZE").unwrap();
            })
            .join()
            .unwrap();
        }
    }
    Fixture {
        router,
        token,
        _dir: dir,
        _esquema: esquema,
    }
}

fn historial(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut group = c.benchmark_group(if postgres_url().is_some() {
        "historial-postgres/primera pagina"
    } else {
        "historial/primera pagina"
    });
    group.sample_size(30);
    let mut checks = Vec::new();
    for n in [1_000u32, 100_000] {
        let f = rt.block_on(fixture(n));
        let request = || {
            Request::get("/api/v1/historial")
                .header("authorization", format!("Bearer {}", f.token))
                .body(Body::empty())
                .unwrap()
        };
        group.bench_function(format!("{n} solicitudes"), |b| {
            b.iter(|| black_box(rt.block_on(call(&f.router, request()))))
        });
        let filtered = || {
            Request::get("/api/v1/historial?tipo=acceso&semaforo=fuera_de_tiempo")
                .header("authorization", format!("Bearer {}", f.token))
                .body(Body::empty())
                .unwrap()
        };
        group.bench_function(format!("{n} solicitudes, filtrada"), |b| {
            b.iter(|| black_box(rt.block_on(call(&f.router, filtered()))))
        });
        checks.push((n, rt.block_on(call(&f.router, request()))));
    }
    group.finish();
    // Checked after the timed loops: the pages measured were real pages of the right totals.
    for (n, (status, body)) in checks {
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["total"], n);
        assert_eq!(body["solicitudes"].as_array().unwrap().len(), 20);
    }
}

criterion_group!(benches, historial);
criterion_main!(benches);
