//! A target whose test hooks require a token (`serve --test-hooks-token`): the runner given the
//! same token (`run --test-hooks-token`) passes a scenario that resets the target and fixes its
//! clock; without it, the first hook call is refused and the scenario cannot run.

use std::net::SocketAddr;
use std::process::{Command, Output};

use pnt_reference_server::{Config, serve};

/// The clock is fixed by the `clock` hook, the target emptied by `reset`.
const SCENARIO: &str = "\
name: Plazo con ganchos protegidos
seed: 1
clock:
  hoy: 2021-09-20
infomex:
  accounts:
    - jurisdiccion: federacion
      usuario: ciudadano.federal
      contrasena: clave-federal
      solicitudes:
        - folio: \"0623800160321\"
          tipo: acceso
          institucion: INSTITUTO NACIONAL DE TRANSPARENCIA
          descripcion: Solicito el directorio de servidores públicos
          fecha_presentacion: 2021-08-26
          estado: en_proceso
pnt:
  users:
    luis: {}
steps:
  - registrar: luis
  - iniciar_sesion: luis
  - vincular: {jurisdiccion: federacion, usuario: ciudadano.federal}
    expect:
      fields: {estado: completa, solicitudes: 1}
";

const TOKEN: &str = "token-de-ganchos-7f3a";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The reference server with hooks behind [`TOKEN`], linking with a simulator at `sim`.
async fn target(sim: SocketAddr) -> String {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::embedded()
        .test_hooks_token(TOKEN)
        .infomex_base_url(format!("http://{sim}"))
        .db_path(dir.path().join("pnt.db"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _dir = dir;
        serve(config, listener, std::future::pending())
            .await
            .unwrap();
    });
    url
}

async fn run(token: Option<&'static str>) -> (Output, String) {
    let sim: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let url = target(sim).await;
    let discovery = reqwest::get(format!("{url}/.well-known/pnt-suite"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plazo.yaml");
    std::fs::write(&file, SCENARIO).unwrap();
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pnt-suite"));
        cmd.args(["run", file.to_str().unwrap(), "--target", &url])
            .args(["--sim-addr", &sim.to_string()]);
        if let Some(t) = token {
            cmd.args(["--test-hooks-token", t]);
        }
        cmd.output().unwrap()
    })
    .await
    .unwrap();
    (out, discovery)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_runner_with_the_token_passes_a_scenario_using_hooks() {
    let (out, discovery) = run(Some(TOKEN)).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Discovery says which hooks exist, never what they require.
    assert!(discovery.contains("\"reset\""), "{discovery}");
    assert!(!discovery.contains(TOKEN), "{discovery}");
    assert!(!stdout.contains(TOKEN), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_token_the_hooks_refuse_the_runner() {
    let (out, _) = run(None).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("ganchos_restringidos"), "{stdout}");
}
