//! Unknown jurisdictions, routes of the other dialect, bad parameters and unknown folios each
//! answer with their own code.

use infomex_sim::InfomexSim;
use serde_json::Value;

use crate::helpers::{FED, client, modern_get, modern_login, xml_text};

#[tokio::test]
async fn routing_errors_are_specific() {
    let sim = InfomexSim::builder().start().await.unwrap();
    let res = client()
        .get(format!("{}/narnia/api/solicitudes", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["codigo"],
        "jurisdiccion_desconocida"
    );
    // Jalisco speaks legacy: the modern route does not exist there.
    let res = client()
        .get(format!("{}/jalisco/api/solicitudes", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(
        xml_text(&res.bytes().await.unwrap(), "codigo").as_deref(),
        Some("RUTA_INEXISTENTE")
    );
    let token = modern_login(&sim, FED, "ciudadano3").await;
    let res = modern_get(&sim, FED, &token, "solicitudes?pagina=0").await;
    assert_eq!(res.status(), 400);
    let res = modern_get(&sim, FED, &token, "solicitudes/9999999999999").await;
    assert_eq!(res.status(), 404);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["codigo"],
        "solicitud_no_encontrada"
    );
    let res = client()
        .get(format!("{}/__admin/nada", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["codigo"],
        "ruta_desconocida"
    );
}
