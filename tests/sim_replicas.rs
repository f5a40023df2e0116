//! `pnt-suite sim --config FILE` as replicas: two processes started from one file read its
//! configured accounts and its fault plan, and answer the same requests with the same bytes
//! (the full sequence in both dialects is `infomex-sim/tests/sim/replicas.rs`).

use std::io::BufRead;
use std::process::{Child, ChildStdout, Command, Stdio};

const CONFIG: &str = r#"
seed = 7

[[cuentas]]
jurisdiccion = "federacion"
usuario = "maria"
contrasena = "s3creta"
generar = 12

[[faults]]
kind = "http_status"
status = 503
jurisdiccion = "federacion"
endpoint = "detalle"
nth = 2
times = 1
"#;

/// A `pnt-suite sim` on a free port; killed when dropped, however the test ends.
struct Replica {
    child: Child,
    url: String,
    _stdout: std::io::BufReader<ChildStdout>,
}

impl Replica {
    fn start(config: &std::path::Path) -> Replica {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pnt-suite"))
            .args(["sim", "--addr", "127.0.0.1:0", "--config"])
            .arg(config)
            .stdout(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut banner = String::new();
        stdout.read_line(&mut banner).unwrap();
        let url = banner
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {banner:?}"))
            .to_owned();
        Replica {
            child,
            url,
            _stdout: stdout,
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Status and body of: the configured account's log-in, its first list page, and the first
/// folio's detail twice (the plan answers the second with 503).
async fn sequence(sim: &Replica) -> Vec<(u16, Vec<u8>)> {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let api = format!("{}/federacion/api", sim.url);
    let mut all = Vec::new();
    let login = http
        .post(format!("{api}/sesion"))
        .json(&serde_json::json!({"usuario": "maria", "contrasena": "s3creta"}))
        .send()
        .await
        .unwrap();
    all.push((
        login.status().as_u16(),
        login.bytes().await.unwrap().to_vec(),
    ));
    let token: serde_json::Value = serde_json::from_slice(&all[0].1).unwrap();
    let token = token["token"]
        .as_str()
        .expect("the configured account logs in");
    let list = http
        .get(format!("{api}/solicitudes?por_pagina=5"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    all.push((list.status().as_u16(), list.bytes().await.unwrap().to_vec()));
    let list: serde_json::Value = serde_json::from_slice(&all[1].1).unwrap();
    let folio = list["solicitudes"][0]["folio"].as_str().unwrap().to_owned();
    for _ in 0..2 {
        let detail = http
            .get(format!("{api}/solicitudes/{folio}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        all.push((
            detail.status().as_u16(),
            detail.bytes().await.unwrap().to_vec(),
        ));
    }
    all
}

#[tokio::test]
async fn two_sim_processes_from_one_config_file_answer_alike() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sim.toml");
    std::fs::write(&file, CONFIG).unwrap();
    let (a, b) = (Replica::start(&file), Replica::start(&file));
    let (from_a, from_b) = (sequence(&a).await, sequence(&b).await);
    let statuses: Vec<u16> = from_a.iter().map(|(s, _)| *s).collect();
    // The account comes from the file (log-in 200) and so does the fault (the second detail).
    assert_eq!(statuses, [200, 200, 200, 503]);
    assert_eq!(from_a, from_b);
}
