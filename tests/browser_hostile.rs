//! A hostile attachment in a real headless Chromium: an Infomex answer carries an HTML page, an
//! SVG image and a "PDF" that is really HTML, each with script that would report to a marker
//! server and write to the PNT origin's storage. The person opens each through the reference
//! PNT's download and «Ver» routes; no script may run. A control page with the same script,
//! served without protection, proves the marker would have seen it: the control's report is also
//! the barrier that says the browser has finished with everything opened before it.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them the test says so and passes,
//! unless `PNT_BROWSER_TESTS=1` (set by `.ci/run`, which installs them): then it fails.

#[path = "support/webdriver.rs"]
mod webdriver;

use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use infomex_sim::{AdjuntoConfig, CuentaConfig, InfomexSim};
use pnt_model::{Jurisdiccion, Solicitud};
use serde_json::{Value, json};
use webdriver::Driver;

/// What every hostile file tries: report to the marker, and leave a mark in the origin's storage.
fn script(marker: &str, what: &str) -> String {
    format!(
        "new Image().src='{marker}/hit?src={what}'; \
         try {{ localStorage.setItem('pwned', '{what}'); }} catch (e) {{}}"
    )
}

fn hostile_account(marker: &str) -> CuentaConfig {
    let html = format!(
        "<!doctype html><title>x</title><script>{}</script><img src=x onerror=\"{}\">",
        script(marker, "html"),
        script(marker, "html-onerror")
    );
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"{}\"><script>{}</script></svg>",
        script(marker, "svg-onload"),
        script(marker, "svg")
    );
    let falso_pdf = format!("<html><script>{}</script></html>", script(marker, "pdf"));
    let row: Solicitud<AdjuntoConfig> = serde_json::from_value(json!({
        "folio": "0623800160321", "tipo": "acceso",
        "institucion": "INSTITUTO NACIONAL DE TRANSPARENCIA",
        "descripcion": "Solicito el directorio de servidores públicos",
        "fecha_presentacion": "2021-08-26", "estado": "terminada",
        "respuestas": [{"tipo": "Entrega de información en medio electrónico", "fecha": "2021-09-10",
                        "texto": "Se adjunta la información.",
                        "adjuntos": [
                            {"nombre": "pagina.html", "media_type": "text/html", "contenido": html},
                            {"nombre": "imagen.svg", "media_type": "image/svg+xml", "contenido": svg},
                            {"nombre": "oficio.pdf", "media_type": "application/pdf", "contenido": falso_pdf}
                        ]}]
    }))
    .unwrap();
    CuentaConfig::new(Jurisdiccion::Federacion, "hostil", "hostil2021").solicitud(row)
}

#[derive(Clone, Default)]
struct Marker {
    hits: Arc<Mutex<Vec<String>>>,
    control: Arc<String>,
}

async fn hit(State(m): State<Marker>, Query(q): Query<std::collections::HashMap<String, String>>) {
    m.hits
        .lock()
        .unwrap()
        .push(q.get("src").cloned().unwrap_or_default());
}

async fn control(State(m): State<Marker>) -> Html<String> {
    Html(m.control.as_ref().clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_attachment_runs_no_script_in_chromium() {
    let Some(browser) = Driver::start().await else {
        return;
    };
    let marker_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let marker_url = format!("http://{}", marker_listener.local_addr().unwrap());
    let marker = Marker {
        hits: Arc::default(),
        control: Arc::new(format!(
            "<!doctype html><title>control</title><script>{}</script>",
            script(&marker_url, "control")
        )),
    };
    let app = axum::Router::new()
        .route("/hit", get(hit))
        .route("/control", get(control))
        .with_state(marker.clone());
    tokio::spawn(async move { axum::serve(marker_listener, app).await });

    let sim = InfomexSim::builder()
        .seed(42)
        .account(hostile_account(&marker_url))
        .start()
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let pnt = format!("http://{}", listener.local_addr().unwrap());
    let config = pnt_reference_server::Config::for_tests()
        .infomex_base_url(sim.url())
        .clock(pnt_reference_server::Clock::fixed_date(jiff::civil::date(
            2021, 9, 20,
        )));
    tokio::spawn(pnt_reference_server::serve(
        config,
        listener,
        std::future::pending(),
    ));

    browser.register_ana(&pnt).await;
    browser.link_federal(&pnt, "hostil", "hostil2021").await;

    browser
        .goto(&format!("{pnt}/solicitudes/0623800160321"))
        .await;
    let links = browser
        .run_async(
            "const done = arguments[arguments.length - 1];
             done([...document.querySelectorAll('a[download]')].map(a => a.href));",
        )
        .await;
    let links: Vec<String> = links
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(links.len(), 3, "three attachments in Detalles: {links:?}");

    // Each file through both routes: as the page of a top-level navigation, and inside a frame
    // of the PNT's own page (where a rendered document would share the PNT's origin).
    for link in &links {
        for url in [link.clone(), format!("{link}/ver")] {
            // A download ends the navigation without a page: WebDriver may call that an error.
            let _ = browser
                .try_call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
                .await;
        }
    }
    browser
        .goto(&format!("{pnt}/solicitudes/0623800160321"))
        .await;
    let framed = browser
        .run_async(&format!(
            "const done = arguments[arguments.length - 1];
             const urls = {};
             let left = urls.length;
             for (const u of urls) {{
               const f = document.createElement('iframe');
               f.onload = f.onerror = () => {{ if (--left === 0) done('cargados'); }};
               f.src = u;
               document.body.appendChild(f);
             }}",
            serde_json::to_string(
                &links
                    .iter()
                    .flat_map(|l| [l.clone(), format!("{l}/ver")])
                    .collect::<Vec<_>>()
            )
            .unwrap()
        ))
        .await;
    assert!(framed.is_string(), "{framed}");
    let storage = browser
        .run_async(
            "const done = arguments[arguments.length - 1]; done(localStorage.getItem('pwned'));",
        )
        .await;
    assert_eq!(
        storage,
        Value::Null,
        "a hostile file wrote to the PNT's storage"
    );

    // The control: the same script on an unprotected page runs and reports. Its report arriving
    // after everything above is what makes their silence mean something.
    browser.goto(&format!("{marker_url}/control")).await;
    let mut seen = Vec::new();
    for _ in 0..200 {
        seen = marker.hits.lock().unwrap().clone();
        if seen.iter().any(|h| h == "control") {
            break;
        }
        // One browser round trip between looks: no timer.
        let _ = browser
            .try_call(
                reqwest::Method::POST,
                "/execute/sync",
                Some(json!({"script": "return 1", "args": []})),
            )
            .await;
    }
    assert!(
        seen.iter().any(|h| h == "control"),
        "the control page's script never reported: the marker cannot be trusted ({seen:?})"
    );
    assert_eq!(
        seen,
        ["control"],
        "script of a hostile attachment ran in the browser: {seen:?}"
    );
    browser.quit().await;
}
