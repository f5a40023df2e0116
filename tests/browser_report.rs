//! The HTML report (`--report html=PATH`) as a person opens it after a CI run: the real binary
//! runs two scenarios, one of them deliberately wrong, and headless Chromium shows the page from
//! `file://` (no server, no network) with every section, the failing scenario open with its
//! diff and its repro command. A screenshot is kept in the target dir for a person to look at.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them the test says so and passes,
//! unless `PNT_BROWSER_TESTS=1` (set by `.ci/run`, which installs them): then it fails.

#[path = "support/fixtures.rs"]
mod fixtures;
#[path = "support/webdriver.rs"]
mod webdriver;

use std::path::Path;
use std::process::Command;

use serde_json::json;
use webdriver::Driver;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_html_report_shows_every_section_and_the_failing_diff_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let wrong = fixtures::two_themes(dir.path());
    let html = dir.path().join("informe.html");
    let out = Command::new(env!("CARGO_BIN_EXE_pnt-suite"))
        .args(["run", dir.path().to_str().unwrap(), "--report"])
        .arg(format!("html={}", html.display()))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let Some(browser) = Driver::start().await else {
        return;
    };
    browser
        .call(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": 1200, "height": 2000})),
        )
        .await;
    browser.goto(&format!("file://{}", html.display())).await;
    for section in [
        "#resumen",
        "#por-tema",
        "#por-jurisdiccion",
        "#no-aplican",
        "#escenarios",
        "#escenario-1",
        "#escenario-2",
    ] {
        browser.find(section).await;
    }
    let page = browser.text().await;
    for expected in [
        "Informe de pnt-suite",
        "Resumen",
        "1 pasaron",
        "1 fallaron",
        "Por tema",
        "tema-a",
        "tema-b",
        "Por jurisdicción",
        "Federación",
        "No aplican",
        "Escenarios",
        "✗ FALLÓ Una fecha límite equivocada para la solicitud semilla",
        "✓ PASÓ La solicitud semilla del INAI",
        // The failing scenario is open: its step, its diff and the command that repeats it.
        "fields.solicitudes[0].fecha_limite_entrega",
        "esperado: \"2021-09-23\"",
        "obtenido: \"2021-09-24\"",
    ] {
        assert!(
            page.contains(expected),
            "«{expected}» missing from the page:\n{page}"
        );
    }
    let repro = format!("pnt-suite run {} --seed 1", wrong.display());
    assert!(page.contains(&repro), "«{repro}» missing:\n{page}");
    // The passing scenario is folded: its repro command is not on screen.
    let passing = format!(
        "pnt-suite run {} --seed 1",
        dir.path().join("tema-a/escenario.yaml").display()
    );
    assert!(!page.contains(&passing), "{page}");

    let png = browser.screenshot().await;
    assert!(png.starts_with(b"\x89PNG"));
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("informe-html.png");
    std::fs::write(&shot, png).unwrap();
    eprintln!("screenshot: {}", shot.display());
    browser.quit().await;
}
