//! The reference PNT in a real headless Chromium, driven through chromedriver's WebDriver API:
//! register, link an Infomex account through the form, see Mi Historial, open Detalles, download
//! an attachment, open a generated PDF in Chromium's PDF viewer (its screenshot is kept in
//! `target/tmp/browser/adjunto-pdf.png`), file a queja and see its folio in Mi Historial.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them the test says so and passes,
//! unless `PNT_BROWSER_TESTS=1` (set by `.ci/run`, which installs them): then it fails.

#[path = "support/webdriver.rs"]
mod webdriver;

use infomex_sim::{AdjuntoConfig, CuentaConfig, InfomexSim};
use pnt_model::{Jurisdiccion, Sha256, Solicitud};
use serde_json::json;
use webdriver::Driver;

const ADJUNTO: &str = "nombre,cargo\nAna Pérez,Directora de Transparencia\n";

fn demo_account() -> CuentaConfig {
    let seed_row: Solicitud<AdjuntoConfig> = serde_json::from_value(json!({
        "folio": "0623800160321", "tipo": "acceso",
        "institucion": "INSTITUTO NACIONAL DE TRANSPARENCIA, ACCESO A LA INFORMACIÓN Y PROTECCIÓN DE DATOS PERSONALES (INAI)",
        "descripcion": "Solicito el directorio de servidores públicos",
        "fecha_presentacion": "2021-08-26", "estado": "terminada",
        "respuestas": [{"tipo": "Entrega de información en medio electrónico", "fecha": "2021-09-10",
                        "texto": "Se adjunta el directorio solicitado.",
                        "adjuntos": [{"nombre": "directorio.csv", "media_type": "text/csv", "contenido": ADJUNTO},
                                     {"nombre": "oficio.pdf", "media_type": "application/pdf", "tamano": 20480}]}]
    }))
    .unwrap();
    CuentaConfig::new(Jurisdiccion::Federacion, "demo", "demo2021")
        .generar(4)
        .solicitud(seed_row)
}

/// How much of a screenshot is white (255, 255, 255): the share of the viewport a rendered PDF
/// page covers (about half of it here). Chromium's PDF viewer is dark grey around the page, and
/// for a file it cannot read shows no page, only a white "Failed to load PDF document" box (a
/// fifth of the viewport: seen with a broken PDF in this very test).
fn blanco(png: &[u8]) -> f64 {
    let img = image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .expect("a PNG screenshot")
        .to_rgb8();
    let blancos = img.pixels().filter(|p| p.0 == [255, 255, 255]).count();
    blancos as f64 / f64::from(img.width() * img.height())
}

/// The screenshot of the PDF viewer once it has painted the page: the viewer renders after the
/// navigation ends, so screenshots are taken until one shows the page (each is a round trip to
/// the browser; no timer). Panics when none does.
async fn pagina_pdf_pintada(browser: &Driver) -> Vec<u8> {
    let mut ultima = Vec::new();
    for _ in 0..200 {
        ultima = browser.screenshot().await;
        if blanco(&ultima) > 0.4 {
            return ultima;
        }
    }
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("adjunto-pdf-no-pintado.png"), &ultima).unwrap();
    panic!(
        "Chromium's PDF viewer never showed the page ({:.0} % white); see {}",
        blanco(&ultima) * 100.0,
        dir.join("adjunto-pdf-no-pintado.png").display()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_links_an_account_and_reads_the_history_in_chromium() {
    let Some(browser) = Driver::start().await else {
        return;
    };
    let sim = InfomexSim::builder()
        .seed(42)
        .account(demo_account())
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

    // Register (which logs in).
    browser.register_ana(&pnt).await;

    // Configuración Perfil → Vinculación a sistemas de solicitudes de acceso a la información.
    browser.goto(&format!("{pnt}/perfil")).await;
    let perfil = browser.text().await;
    assert!(
        perfil.contains("Vinculación a sistemas de solicitudes de acceso a la información"),
        "{perfil}"
    );
    browser.link_federal(&pnt, "demo", "demo2021").await;
    let resultado = browser.text().await;
    assert!(resultado.contains("Mi Historial"), "{resultado}");
    assert!(
        !resultado
            .to_lowercase()
            .contains("consulte con el administrador")
    );

    // Mi Historial: the seed's row, exactly.
    browser.goto(&format!("{pnt}/historial")).await;
    let historial = browser.text().await;
    for expected in [
        "Mostrando 5 de 5 solicitudes",
        "0623800160321",
        "Federación",
        "26/08/2021",
        "24/09/2021",
        "Interponer queja",
    ] {
        assert!(
            historial.contains(expected),
            "«{expected}» missing from Mi Historial:\n{historial}"
        );
    }

    // Detalles, then the attachment, downloaded by the browser with its own session.
    browser.click("a[href='/solicitudes/0623800160321']").await;
    browser.wait_for_path("/solicitudes/0623800160321").await;
    let detalle = browser.text().await;
    assert!(
        detalle.contains("Solicito el directorio de servidores públicos"),
        "{detalle}"
    );
    assert!(detalle.contains("directorio.csv"), "{detalle}");
    let digest = browser
        .run_async(
            "const done = arguments[arguments.length - 1];
             const a = document.querySelector('a[download]');
             fetch(a.href).then(r => r.arrayBuffer()).then(b => crypto.subtle.digest('SHA-256', b))
               .then(h => done(Array.from(new Uint8Array(h)).map(x => x.toString(16).padStart(2, '0')).join('')))
               .catch(e => done('error: ' + e));",
        )
        .await;
    assert_eq!(
        digest.as_str().unwrap(),
        Sha256::of(ADJUNTO.as_bytes()).to_string()
    );

    // The generated PDF, through Detalles' «Ver» link, in Chromium's own PDF viewer.
    let ver = browser
        .run_async(
            "const done = arguments[arguments.length - 1];
             done(document.querySelector(\"a[href$='/ver']\").href);",
        )
        .await;
    browser.goto(ver.as_str().unwrap()).await;
    let png = pagina_pdf_pintada(&browser).await;
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("adjunto-pdf.png"), &png).unwrap();

    // A queja from the page, then its folio in Mi Historial's last column.
    browser
        .goto(&format!("{pnt}/solicitudes/0623800160321/queja"))
        .await;
    browser
        .type_into("#motivo", "La información está incompleta.")
        .await;
    browser
        .click("form[action='/solicitudes/0623800160321/queja'] button[type=submit]")
        .await;
    // The form's answer (a redirect to Mis quejas) must land before the next page is asked for.
    browser.wait_for_path("/quejas").await;
    browser.goto(&format!("{pnt}/historial")).await;
    let fila = browser
        .run_async(
            "const done = arguments[arguments.length - 1];
             const celdas = [...document.querySelectorAll('tr')]
               .find(tr => tr.textContent.includes('0623800160321')).querySelectorAll('td');
             done(celdas[celdas.length - 1].textContent);",
        )
        .await;
    assert_eq!(fila.as_str().unwrap(), "RRA 00001/21");
    browser.quit().await;
}
