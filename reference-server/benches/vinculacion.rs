//! Linkage time for an Infomex account of 1k and of 10k solicitudes: the target is linear
//! (10k at most 12× 1k). Each solicitud has one answer; attachments are left out so the
//! measure is the algorithm (paging, details, transactions), not the copying of bytes, which is
//! linear in their size by construction.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use infomex_sim::{AdjuntoConfig, CuentaConfig, InfomexSim, SimHandle};
use pnt_model::{Jurisdiccion, Solicitud};
use pnt_reference_server::{Clock, Config, serve};
use serde_json::{Value, json};
use tokio::net::TcpListener;

fn cuenta(n: u32) -> CuentaConfig {
    let mut c = CuentaConfig::new(Jurisdiccion::Federacion, "bench", "s3creta");
    let start = jiff::civil::date(2012, 1, 2);
    for i in 0..n {
        let fecha = start
            .checked_add(jiff::Span::new().days(i64::from(i % 3000)))
            .unwrap();
        let s: Solicitud<AdjuntoConfig> = serde_json::from_value(json!({
            "folio": format!("{:05}{:06}{:02}", 1000 + i % 50, i, 12 + i % 9),
            "tipo": "acceso", "institucion": "INSTITUTO NACIONAL DE TRANSPARENCIA",
            "descripcion": format!("Solicito la información número {i}"),
            "fecha_presentacion": fecha.to_string(), "estado": "terminada",
            "respuestas": [{"tipo": "Entrega de información en medio electrónico",
                            "fecha": fecha.checked_add(jiff::Span::new().days(15)).unwrap().to_string(),
                            "texto": "Se entrega la información.\nAtentamente"}]
        }))
        .unwrap();
        c = c.solicitud(s);
    }
    c
}

struct Setup {
    _sim: SimHandle,
    url: String,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
    _esquema: Option<pnt_reference_server::EsquemaTemporal>,
}

async fn setup(n: u32) -> Setup {
    let sim = InfomexSim::builder()
        .seed(42)
        .account(cuenta(n))
        .start_on(TcpListener::bind("127.0.0.1:0").await.unwrap())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // PostgreSQL with `PNT_BENCH_POSTGRES_URL` (a temporary schema), SQLite otherwise.
    let esquema = std::env::var("PNT_BENCH_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .map(|url| pnt_reference_server::EsquemaTemporal::crear(&url).unwrap());
    let storage = match &esquema {
        Some(e) => pnt_reference_server::Storage::Postgres(e.url()),
        None => pnt_reference_server::Storage::File(dir.path().join("bench.sqlite")),
    };
    let config = Config::for_tests()
        .storage(storage)
        .infomex_base_url(sim.url())
        .infomex_timeout(Duration::from_secs(30))
        .clock(Clock::fixed_date(jiff::civil::date(2021, 9, 20)));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve(config, listener, std::future::pending()));
    Setup {
        _sim: sim,
        url,
        client: reqwest::Client::builder().no_proxy().build().unwrap(),
        _dir: dir,
        _esquema: esquema,
    }
}

/// From an empty server: register, log in, link; returns the time of the linkage alone.
async fn una_vinculacion(s: &Setup) -> (Duration, Value) {
    let api = |p: &str| format!("{}{p}", s.url);
    s.client.post(api("/__test/reset")).send().await.unwrap();
    s.client
        .post(api("/api/v1/usuarios"))
        .json(&json!({"correo": "b@example.mx", "contrasena": "contraseña-bench", "nombre": "B"}))
        .send()
        .await
        .unwrap();
    let token: Value = s
        .client
        .post(api("/api/v1/sesiones"))
        .json(&json!({"correo": "b@example.mx", "contrasena": "contraseña-bench"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let start = Instant::now();
    let r: Value = s
        .client
        .post(api("/api/v1/vinculaciones"))
        .bearer_auth(token["token"].as_str().unwrap())
        .json(&json!({"jurisdiccion": "federacion", "usuario": "bench", "contrasena": "s3creta"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (start.elapsed(), r)
}

fn vinculacion(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut group = c.benchmark_group("vinculacion");
    group.sample_size(10);
    let mut checks = Vec::new();
    for n in [1_000u32, 10_000] {
        let s = rt.block_on(setup(n));
        group.bench_function(format!("{n} solicitudes"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| rt.block_on(una_vinculacion(&s)).0).sum())
        });
        checks.push((n, rt.block_on(una_vinculacion(&s)).1));
    }
    group.finish();
    // Checked after the timed loops: every linkage measured was complete and whole.
    for (n, r) in checks {
        assert_eq!(r["estado"], "completa", "{r}");
        assert_eq!(r["solicitudes"], n);
        assert_eq!(r["respuestas"], n);
    }
}

criterion_group!(benches, vinculacion);
criterion_main!(benches);
