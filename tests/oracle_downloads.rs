//! The oracle downloads every attachment after a linkage and compares it with the simulator's
//! own: a target that alters one byte of one attachment fails the linkage, not only an explicit
//! `descargar` step. The target is the reference server with a defect layered on its router.

#[path = "support/target.rs"]
mod target;
use target::free_port;

use std::net::SocketAddr;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use pnt_reference_server::{AppState, Config, app};

/// One account, one answer with two attachments of known content; no `descargar` step.
const SCENARIO: &str = "\
name: Dos adjuntos migrados
seed: 3
clock:
  hoy: 2021-09-20
infomex:
  accounts:
    - jurisdiccion: federacion
      usuario: ciudadano.adjuntos
      contrasena: clave-adjuntos
      solicitudes:
        - folio: \"0623800160321\"
          tipo: acceso
          institucion: INSTITUTO NACIONAL DE TRANSPARENCIA
          descripcion: Solicito el directorio de servidores públicos
          fecha_presentacion: 2021-08-26
          estado: terminada
          respuestas:
            - tipo: Entrega de información en medio electrónico
              fecha: 2021-09-10
              texto: Se entrega el directorio.
              adjuntos:
                - {nombre: directorio.txt, media_type: text/plain, contenido: \"Directorio 2021\"}
                - {nombre: anexo.txt, media_type: text/plain, contenido: \"Anexo único\"}
pnt:
  users:
    luis: {}
steps:
  - registrar: luis
  - iniciar_sesion: luis
  - vincular: {jurisdiccion: federacion, usuario: ciudadano.adjuntos}
    expect:
      fields: {estado: completa, solicitudes: 1, adjuntos: 2}
";

/// Flips the last byte of the first attachment downloaded, when `alter` is on.
async fn one_altered_byte(alter: Arc<AtomicBool>, req: Request, next: Next) -> Response {
    let attachment = req.uri().path().starts_with("/api/v1/adjuntos/");
    let response = next.run(req).await;
    if !attachment || !alter.swap(false, Ordering::SeqCst) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let mut bytes = to_bytes(body, usize::MAX).await.unwrap().to_vec();
    if let Some(last) = bytes.last_mut() {
        *last ^= 0x01;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The reference PNT on a free port, reaching the simulator at `sim`, with the defect layered
/// on when `alter` is on.
async fn target(sim: SocketAddr, alter: bool) -> String {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::embedded()
        .infomex_base_url(format!("http://{sim}"))
        .db_path(dir.path().join("pnt.db"));
    let alter = Arc::new(AtomicBool::new(alter));
    let router =
        app(AppState::new(config).unwrap()).layer(middleware::from_fn(move |req, next| {
            one_altered_byte(alter.clone(), req, next)
        }));
    target::serve(router, dir).await
}

async fn run_against(alter: bool) -> Output {
    let sim: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let url = target(sim, alter).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("adjuntos.yaml");
    std::fs::write(&file, SCENARIO).unwrap();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_pnt-suite"))
            .args(["run", file.to_str().unwrap(), "--target", &url])
            .args(["--sim-addr", &sim.to_string()])
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_passes_with_every_attachment_downloaded() {
    let out = run_against(false).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_altered_byte_fails_the_linkage() {
    let out = run_against(true).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(
            "oráculo: descargas: 1 de 2 adjuntos no se descargan como los guarda Infomex"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("trae otros bytes"), "{stdout}");
}
