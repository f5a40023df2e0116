//! The reference PNT in a real headless Chromium, driven through chromedriver's WebDriver API:
//! register, link an Infomex account through the form, see Mi Historial, open Detalles, download
//! an attachment.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them the test says so and passes,
//! unless `PNT_BROWSER_TESTS=1` (set by `.ci/run`, which installs them): then it fails.

use std::io::BufRead;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

use infomex_sim::{CuentaConfig, InfomexSim, SolicitudConfig};
use pnt_model::{Jurisdiccion, Sha256};
use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
const ADJUNTO: &str = "nombre,cargo\nAna Pérez,Directora de Transparencia\n";

struct Driver {
    child: Child,
    url: String,
    http: reqwest::Client,
    session: String,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    /// A test that ended normally has closed Chromium with [`Driver::quit`]. After a panic,
    /// chromedriver's whole process group goes (Chromium's processes included, which killing
    /// chromedriver alone would leave running).
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    /// Ends the WebDriver session: chromedriver closes Chromium and its processes.
    async fn quit(self) {
        let res = self
            .http
            .delete(format!("{}/session/{}", self.url, self.session))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.status());
    }

    /// Starts chromedriver and a headless Chromium session, or `None` when they are not installed.
    async fn start() -> Option<Driver> {
        let (chromium, chromedriver) = ("/usr/bin/chromium", "/usr/bin/chromedriver");
        if !std::path::Path::new(chromium).exists() || !std::path::Path::new(chromedriver).exists()
        {
            assert!(
                std::env::var("PNT_BROWSER_TESTS").as_deref() != Ok("1"),
                "PNT_BROWSER_TESTS=1 but chromium/chromedriver are missing: apt-get install chromium chromium-driver"
            );
            eprintln!("browser test skipped: apt-get install chromium chromium-driver to run it");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // Its own process group, so that Drop can end Chromium with it.
        let mut child = Command::new(chromedriver)
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        // chromedriver says when it listens: wait for that line instead of polling the port.
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        while !line.contains("started successfully") {
            line.clear();
            assert!(
                stdout.read_line(&mut line).unwrap() > 0,
                "chromedriver exited"
            );
        }
        std::thread::spawn(move || for _ in stdout.lines() {});
        let profile = tempfile::tempdir().unwrap();
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let url = format!("http://127.0.0.1:{port}");
        // The flags Chromium needs as root on a machine without a network.
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={}", profile.path().display())
            ]}
        }}});
        let res: Value = http
            .post(format!("{url}/session"))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = res["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {res}"))
            .to_owned();
        Some(Driver {
            child,
            url,
            http,
            session,
            _profile: profile,
        })
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.url, self.session);
        let mut req = self.http.request(method, url);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res: Value = req.send().await.unwrap().json().await.unwrap();
        assert!(res["value"]["error"].is_null(), "WebDriver {path}: {res}");
        res["value"].clone()
    }

    async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    async fn find(&self, css: &str) -> String {
        let v = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v[ELEMENT].as_str().unwrap().to_owned()
    }

    async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{e}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    async fn click(&self, css: &str) {
        let e = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{e}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// The visible text of the page.
    async fn text(&self) -> String {
        let body = self.find("body").await;
        self.call(reqwest::Method::GET, &format!("/element/{body}/text"), None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn run_async(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }
}

fn demo_account() -> CuentaConfig {
    let seed_row: SolicitudConfig = serde_json::from_value(json!({
        "folio": "0623800160321", "tipo": "acceso",
        "institucion": "INSTITUTO NACIONAL DE TRANSPARENCIA, ACCESO A LA INFORMACIÓN Y PROTECCIÓN DE DATOS PERSONALES (INAI)",
        "descripcion": "Solicito el directorio de servidores públicos",
        "fecha_presentacion": "2021-08-26", "estado": "terminada",
        "respuestas": [{"tipo": "Entrega de información en medio electrónico", "fecha": "2021-09-10",
                        "texto": "Se adjunta el directorio solicitado.",
                        "adjuntos": [{"nombre": "directorio.csv", "media_type": "text/csv", "contenido": ADJUNTO}]}]
    }))
    .unwrap();
    CuentaConfig::new(Jurisdiccion::Federacion, "demo", "demo2021")
        .generar(4)
        .solicitud(seed_row)
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
    browser.goto(&format!("{pnt}/registro")).await;
    browser.type_into("#nombre", "Ana Pérez").await;
    browser.type_into("#correo", "ana@example.mx").await;
    browser.type_into("#contrasena", "una-clave-larga").await;
    browser
        .click("form[action='/registro'] button[type=submit]")
        .await;

    // Configuración Perfil → Vinculación a sistemas de solicitudes de acceso a la información.
    browser.goto(&format!("{pnt}/perfil")).await;
    let perfil = browser.text().await;
    assert!(
        perfil.contains("Vinculación a sistemas de solicitudes de acceso a la información"),
        "{perfil}"
    );
    browser
        .click("select[name=jurisdiccion] option[value=federacion]")
        .await;
    browser.type_into("#usuario", "demo").await;
    browser.type_into("#contrasena", "demo2021").await;
    // The header holds a "Salir" form too: name the form whose button is meant.
    browser
        .click("form[action='/perfil/vinculacion'] button[type=submit]")
        .await;
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
    browser.quit().await;
}
