//! A small WebDriver client for the browser tests: chromedriver in its own process group, a
//! headless Chromium session with the flags this machine needs, and the few commands the tests use.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them [`Driver::start`] says so and
//! returns `None`, unless `PNT_BROWSER_TESTS=1` (set by `.ci/run`, which installs them): then it
//! panics.

#![allow(dead_code, unreachable_pub)] // Each test binary uses part of it.

use std::io::BufRead;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

use base64::Engine as _;
use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Driver {
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
    pub async fn quit(self) {
        let res = self
            .http
            .delete(format!("{}/session/{}", self.url, self.session))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.status());
    }

    /// Starts chromedriver and a headless Chromium session, or `None` when they are not installed.
    pub async fn start() -> Option<Driver> {
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

    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        self.try_call(method, path, body)
            .await
            .unwrap_or_else(|res| panic!("WebDriver {path}: {res}"))
    }

    /// A command's value, or WebDriver's whole answer when it is an error.
    pub async fn try_call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, Value> {
        let url = format!("{}/session/{}{path}", self.url, self.session);
        let mut req = self.http.request(method, url);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res: Value = req.send().await.unwrap().json().await.unwrap();
        if res["value"]["error"].is_null() {
            Ok(res["value"].clone())
        } else {
            Err(res)
        }
    }

    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    pub async fn find(&self, css: &str) -> String {
        let v = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v[ELEMENT].as_str().unwrap().to_owned()
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{e}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        let e = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{e}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// The visible text of the page.
    pub async fn text(&self) -> String {
        let body = self.find("body").await;
        self.call(reqwest::Method::GET, &format!("/element/{body}/text"), None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn run_async(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// A PNG of the viewport, as WebDriver returns it (base64-decoded).
    pub async fn screenshot(&self) -> Vec<u8> {
        let b64 = self.call(reqwest::Method::GET, "/screenshot", None).await;
        base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().expect("screenshot is text"))
            .expect("screenshot is base64")
    }

    /// Waits until the browser's current page is `path` (a form's redirect has landed), asking the
    /// page itself; bounded, no timer. A click that submits a form returns before the answer
    /// lands. While the old page is being replaced, WebDriver may answer a script with an error
    /// (the script's page went away): that counts as "not there yet".
    pub async fn wait_for_path(&self, path: &str) {
        let mut last = Value::Null;
        for _ in 0..200 {
            let res = self
                .try_call(
                    reqwest::Method::POST,
                    "/execute/sync",
                    Some(json!({"script": "return location.pathname", "args": []})),
                )
                .await;
            match res {
                Ok(actual) if actual.as_str() == Some(path) => return,
                Ok(actual) => last = actual,
                Err(error) => last = error,
            }
        }
        panic!("the browser never reached {path}; last answer: {last}");
    }

    /// Registers Ana Pérez on the reference PNT at `pnt` through its form (which logs her in).
    pub async fn register_ana(&self, pnt: &str) {
        self.goto(&format!("{pnt}/registro")).await;
        self.type_into("#nombre", "Ana Pérez").await;
        self.type_into("#correo", "ana@example.mx").await;
        self.type_into("#contrasena", "una-clave-larga").await;
        self.click("form[action='/registro'] button[type=submit]")
            .await;
        self.wait_for_path("/historial").await;
    }

    /// Links the federal Infomex account `usuario` through Configuración Perfil's form.
    pub async fn link_federal(&self, pnt: &str, usuario: &str, contrasena: &str) {
        self.goto(&format!("{pnt}/perfil")).await;
        self.click("select[name=jurisdiccion] option[value=federacion]")
            .await;
        self.type_into("#usuario", usuario).await;
        self.type_into("#contrasena", contrasena).await;
        // The header holds a "Salir" form too: name the form whose button is meant.
        self.click("form[action='/perfil/vinculacion'] button[type=submit]")
            .await;
        self.wait_for_path("/perfil/vinculacion").await;
    }
}
