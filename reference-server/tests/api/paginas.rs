//! The HTML pages, driven like a browser would: cookies, forms with CSRF tokens, redirects.

use std::collections::BTreeMap;

use infomex_sim::CuentaConfig;
use pnt_model::Jurisdiccion;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::json;

use crate::helpers::{TestApp, spawn_app, usuario_con};

/// A tiny browser: a cookie jar and form posts that carry the page's CSRF token.
struct Navegador<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    cookies: BTreeMap<String, String>,
}

struct Pagina {
    status: StatusCode,
    location: Option<String>,
    html: String,
}

impl<'a> Navegador<'a> {
    fn new(app: &'a TestApp) -> Self {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Navegador {
            app,
            client,
            cookies: BTreeMap::new(),
        }
    }

    fn jar(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn guardar(&mut self, r: reqwest::Response) -> Pagina {
        for c in r.headers().get_all(SET_COOKIE) {
            let c = c.to_str().unwrap();
            assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax"), "{c}");
            let (kv, _) = c.split_once(';').unwrap();
            let (k, v) = kv.split_once('=').unwrap();
            if v.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        Pagina {
            status: r.status(),
            location: r
                .headers()
                .get(LOCATION)
                .map(|v| v.to_str().unwrap().to_owned()),
            html: r.text().await.unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Pagina {
        let r = self
            .client
            .get(format!("{}{path}", self.app.url))
            .header(COOKIE, self.jar())
            .send()
            .await
            .unwrap();
        self.guardar(r).await
    }

    async fn post(&mut self, path: &str, campos: &[(&str, &str)]) -> Pagina {
        let r = self
            .client
            .post(format!("{}{path}", self.app.url))
            .header(COOKIE, self.jar())
            .form(campos)
            .send()
            .await
            .unwrap();
        self.guardar(r).await
    }

    /// Submits a form as a browser would: the CSRF field from the page it was on.
    async fn enviar(&mut self, pagina: &Pagina, path: &str, campos: &[(&str, &str)]) -> Pagina {
        let token = csrf_de(&pagina.html);
        let mut todos = vec![("csrf", token.as_str())];
        todos.extend_from_slice(campos);
        self.post(path, &todos).await
    }
}

fn csrf_de(html: &str) -> String {
    let start = html
        .find("name=\"csrf\" value=\"")
        .expect("the page has a form")
        + 19;
    html[start..start + 64].to_owned()
}

#[tokio::test]
async fn register_link_see_history_open_details_and_download() {
    let app = spawn_app().await;
    let j = Jurisdiccion::Michoacan;
    let usuario = usuario_con(&app.sim, j, 3);
    let cuenta = app.cuenta(j, &usuario);
    let mut b = Navegador::new(&app);

    let inicio = b.get("/").await;
    assert_eq!(inicio.location.as_deref(), Some("/entrar"));
    let registro = b.get("/registro").await;
    assert!(registro.html.contains("<html lang=\"es\">"));
    let r = b
        .enviar(
            &registro,
            "/registro",
            &[
                ("nombre", "María López"),
                ("correo", "maria@example.mx"),
                ("contrasena", "contraseña-segura"),
            ],
        )
        .await;
    assert_eq!(
        (r.status, r.location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/historial"))
    );
    assert!(b.cookies.contains_key("pnt_sesion"));

    let perfil = b.get("/perfil").await;
    assert_eq!(perfil.status, StatusCode::OK);
    assert!(perfil.html.contains("<h1>Configuración Perfil</h1>"));
    assert!(
        perfil
            .html
            .contains("Vinculación a sistemas de solicitudes de acceso a la información")
    );
    assert!(
        perfil
            .html
            .contains("<option value=\"\">Seleccione…</option>")
    );
    assert_eq!(
        perfil.html.matches("<option value=\"").count(),
        1 + 33,
        "the prompt and the 33 jurisdictions"
    );
    assert!(
        perfil
            .html
            .contains("<option value=\"federacion\">Federación</option>")
    );
    for label in [
        ">Estado</label>",
        ">Usuario</label>",
        ">Contraseña</label>",
        ">VINCULAR</button>",
    ] {
        assert!(perfil.html.contains(label), "{label}");
    }
    let resultado = b
        .enviar(
            &perfil,
            "/perfil/vinculacion",
            &[
                ("jurisdiccion", j.slug()),
                ("usuario", &usuario),
                ("contrasena", &cuenta.contrasena),
            ],
        )
        .await;
    assert_eq!(resultado.status, StatusCode::OK);
    assert!(
        resultado
            .html
            .contains("Las solicitudes de Infomex Michoacán se migraron a la PNT."),
        "{}",
        resultado.html
    );

    let h = b.get("/historial").await;
    let headers = [
        "Tiempo",
        "Tipo",
        "Folio",
        "Estado o Federación",
        "Institución",
        "Fecha de recepción oficial",
        "Fecha límite de entrega",
        "Detalles de la solicitud",
        "Interponer queja",
    ];
    let ths: Vec<String> = h
        .html
        .split("<th scope=\"col\">")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().to_owned())
        .collect();
    assert_eq!(ths, headers);
    let n = cuenta.solicitudes.len();
    assert!(
        h.html
            .contains(&format!("Mostrando {n} de {n} solicitudes"))
    );
    for label in [
        "En tiempo",
        "En alerta",
        "Fuera de tiempo",
        "Acceso a la información",
        "Datos personales",
    ] {
        assert!(h.html.contains(label), "legend {label}");
    }
    assert!(h.html.contains("href=\"/historial?semaforo=en_alerta\""));
    let s = cuenta
        .solicitudes
        .iter()
        .find(|s| s.respuestas.iter().any(|r| !r.adjuntos.is_empty()))
        .unwrap();
    let folio = s.folio.to_string();
    assert!(h.html.contains(&folio));
    assert!(
        h.html
            .contains(&s.fecha_presentacion.strftime("%d/%m/%Y").to_string())
            || !s.fecha_presentacion.to_string().is_empty()
    );

    let d = b
        .get(&format!("/solicitudes/{}", crate::helpers::seg(&folio)))
        .await;
    assert_eq!(d.status, StatusCode::OK);
    let adj = s
        .respuestas
        .iter()
        .flat_map(|r| &r.adjuntos)
        .next()
        .unwrap();
    assert!(
        d.html
            .contains(&html_escape::encode_text(&adj.nombre).to_string())
    );
    let href_start = d.html.find("href=\"/adjuntos/").unwrap() + 6;
    let href = &d.html[href_start..href_start + d.html[href_start..].find('"').unwrap()];
    let r = app
        .client
        .get(format!("{}{href}", app.url))
        .header(COOKIE, b.jar())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let first = s
        .respuestas
        .iter()
        .flat_map(|r| &r.adjuntos)
        .next()
        .unwrap();
    assert!(r.bytes().await.unwrap()[..] == first.bytes()[..]);

    let salir = b.enviar(&d, "/salir", &[]).await;
    assert_eq!(salir.location.as_deref(), Some("/entrar"));
    assert_eq!(
        b.get("/historial").await.location.as_deref(),
        Some("/entrar")
    );
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = spawn_app().await;
    let mut b = Navegador::new(&app);
    let registro = b.get("/registro").await;
    let r = b
        .post(
            "/registro",
            &[
                ("nombre", "X"),
                ("correo", "x@example.mx"),
                ("contrasena", "contraseña-segura"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = b
        .post(
            "/registro",
            &[
                ("csrf", &"0".repeat(64)),
                ("nombre", "X"),
                ("correo", "x@example.mx"),
                ("contrasena", "contraseña-segura"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.html.contains("Recargue la página"));
    // A token from another browser does not work either.
    let mut other = Navegador::new(&app);
    let ajena = other.get("/registro").await;
    let r = b
        .enviar(
            &ajena,
            "/registro",
            &[
                ("nombre", "X"),
                ("correo", "x@example.mx"),
                ("contrasena", "contraseña-segura"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = b
        .enviar(
            &registro,
            "/registro",
            &[
                ("nombre", "X"),
                ("correo", "x@example.mx"),
                ("contrasena", "contraseña-segura"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn infomex_text_is_escaped_in_pages_and_errors_are_specific() {
    let app = spawn_app().await;
    app.sim.put_account(CuentaConfig::new(Jurisdiccion::Colima, "ana", "s3creta").solicitud(
        serde_json::from_value(json!({
            "folio": "COL-001-000001-21", "tipo": "acceso", "institucion": "Gobierno <i>de</i> Colima",
            "descripcion": "<script>alert('x')</script>", "fecha_presentacion": "2021-09-01", "estado": "en_proceso"
        }))
        .unwrap(),
    ));
    let mut b = Navegador::new(&app);
    let registro = b.get("/registro").await;
    b.enviar(
        &registro,
        "/registro",
        &[
            ("nombre", "Ana <b>"),
            ("correo", "ana@example.mx"),
            ("contrasena", "contraseña-segura"),
        ],
    )
    .await;
    let perfil = b.get("/perfil").await;
    assert!(perfil.html.contains("Ana &lt;b&gt;"));
    let mal = b
        .enviar(
            &perfil,
            "/perfil/vinculacion",
            &[
                ("jurisdiccion", "colima"),
                ("usuario", "ana"),
                ("contrasena", "mala"),
            ],
        )
        .await;
    assert_eq!(mal.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        mal.html
            .contains("El usuario o la contraseña de Infomex Colima no son correctos.")
    );
    b.enviar(
        &perfil,
        "/perfil/vinculacion",
        &[
            ("jurisdiccion", "colima"),
            ("usuario", "ana"),
            ("contrasena", "s3creta"),
        ],
    )
    .await;
    let h = b.get("/historial").await;
    assert!(!h.html.contains("<script>alert"), "escaped");
    assert!(h.html.contains("&lt;script&gt;alert('x')&lt;/script&gt;"));
    assert!(h.html.contains("Gobierno &lt;i&gt;de&lt;/i&gt; Colima"));
    let tabla = &h.html[h.html.find("<table>").unwrap()..h.html.find("</table>").unwrap() + 8];
    insta::assert_snapshot!("historial_html", tabla);
}

/// Registers a user in `b` and links `usuario` of `j` through the forms.
async fn registrar_y_vincular(b: &mut Navegador<'_>, j: Jurisdiccion, usuario: &str, clave: &str) {
    let registro = b.get("/registro").await;
    b.enviar(
        &registro,
        "/registro",
        &[
            ("nombre", "Ana"),
            ("correo", "ana@example.mx"),
            ("contrasena", "contraseña-segura"),
        ],
    )
    .await;
    let perfil = b.get("/perfil").await;
    let r = b
        .enviar(
            &perfil,
            "/perfil/vinculacion",
            &[
                ("jurisdiccion", j.slug()),
                ("usuario", usuario),
                ("contrasena", clave),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.html);
}

/// The `<tr>` of Mi Historial's page that holds `folio`.
fn fila_de<'h>(html: &'h str, folio: &str) -> &'h str {
    html.split("<tr>")
        .find(|tr| tr.contains(&format!("<td class=\"nw\">{folio}</td>")))
        .unwrap_or_else(|| panic!("no row for {folio} in {html}"))
}

#[tokio::test]
async fn a_filed_queja_shows_its_folio_in_mi_historial() {
    let app = spawn_app().await;
    app.sim.put_account(
        CuentaConfig::new(Jurisdiccion::Colima, "ana", "s3creta").solicitud(
            serde_json::from_value(json!({
                "folio": "COL-001-000002-21", "tipo": "acceso", "institucion": "Gobierno de Colima",
                "descripcion": "Nómina de 2021", "fecha_presentacion": "2021-09-01", "estado": "terminada",
                "respuestas": [{"tipo": "Inexistencia de la información solicitada", "fecha": "2021-09-20",
                                "texto": "No se localizó."}]
            }))
            .unwrap(),
        ),
    );
    let mut b = Navegador::new(&app);
    registrar_y_vincular(&mut b, Jurisdiccion::Colima, "ana", "s3creta").await;
    let h = b.get("/historial").await;
    assert!(
        fila_de(&h.html, "COL-001-000002-21")
            .contains("<a href=\"/solicitudes/COL-001-000002-21/queja\">Interponer queja</a>")
    );
    let form = b.get("/solicitudes/COL-001-000002-21/queja").await;
    let r = b
        .enviar(
            &form,
            "/solicitudes/COL-001-000002-21/queja",
            &[("motivo", "La búsqueda no fue exhaustiva.")],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/quejas?registrada=1"));
    let folio = pnt_model::folio_queja(Jurisdiccion::Colima, 1, 2021);
    let fila = fila_de(&b.get("/historial").await.html, "COL-001-000002-21").to_owned();
    assert!(
        fila.contains(&format!(
            ">{}</a></td></tr>",
            html_escape::encode_text(&folio)
        )),
        "{fila}"
    );
    assert!(
        !fila.contains("Interponer queja") && !fila.contains("No disponible"),
        "{fila}"
    );
}

#[tokio::test]
async fn mi_historial_pages_show_numbers_and_both_directions() {
    let app = spawn_app().await;
    app.sim
        .put_account(CuentaConfig::new(Jurisdiccion::Colima, "ana", "s3creta").generar(45));
    let mut b = Navegador::new(&app);
    registrar_y_vincular(&mut b, Jurisdiccion::Colima, "ana", "s3creta").await;
    let nav = |html: &str| {
        let start = html.find("<nav class=\"paginas\"").expect("page links");
        html[start..start + html[start..].find("</nav>").unwrap()].to_owned()
    };
    // 45 rows, 20 a page: pages 1, 2 and 3.
    let p1 = nav(&b.get("/historial").await.html);
    assert!(
        p1.contains("<span aria-disabled=\"true\">Anterior</span>"),
        "{p1}"
    );
    assert!(
        p1.contains("<a href=\"/historial\" aria-current=\"page\">1</a>"),
        "{p1}"
    );
    assert!(p1.contains(">2</a>") && p1.contains(">3</a>"), "{p1}");
    assert!(
        p1.contains("<a href=\"/historial?pagina=2\" rel=\"next\">Siguiente</a>"),
        "{p1}"
    );
    let p2 = nav(&b.get("/historial?pagina=2").await.html);
    assert!(
        p2.contains("<a href=\"/historial\" rel=\"prev\">Anterior</a>"),
        "{p2}"
    );
    assert!(p2.contains("aria-current=\"page\">2</a>"), "{p2}");
    assert!(
        p2.contains("<a href=\"/historial?pagina=3\" rel=\"next\">Siguiente</a>"),
        "{p2}"
    );
    let p3 = nav(&b.get("/historial?pagina=3").await.html);
    assert!(
        p3.contains("<span aria-disabled=\"true\">Siguiente</span>"),
        "{p3}"
    );
    // Ten a page: eleven links would crowd the bar, so the far ones give way to "…", and the
    // page size stays in every link.
    let p6 = nav(&b.get("/historial?pagina=6&por_pagina=4").await.html);
    let texto = |li: &str| {
        let mut out = String::new();
        let mut en_etiqueta = false;
        for c in li.chars() {
            match c {
                '<' => en_etiqueta = true,
                '>' => en_etiqueta = false,
                c if !en_etiqueta => out.push(c),
                _ => {}
            }
        }
        out
    };
    let numeros: Vec<String> = p6
        .split("</li>")
        .map(texto)
        .filter(|t| !t.is_empty())
        .collect();
    assert_eq!(
        numeros,
        [
            "Anterior",
            "1",
            "…",
            "4",
            "5",
            "6",
            "7",
            "8",
            "…",
            "12",
            "Siguiente"
        ],
        "{p6}"
    );
    assert!(
        p6.contains("href=\"/historial?pagina=12&amp;por_pagina=4\""),
        "{p6}"
    );
}

#[tokio::test]
async fn the_404_page_keeps_the_menu_of_a_logged_in_user() {
    let app = spawn_app().await;
    let mut b = Navegador::new(&app);
    let pagina_404 = |b: &Navegador<'_>| {
        let r = b
            .client
            .get(format!("{}/no/existe", app.url))
            .header(COOKIE, b.jar())
            .header("accept", "text/html")
            .send();
        async move {
            let r = r.await.unwrap();
            assert_eq!(r.status(), StatusCode::NOT_FOUND);
            r.text().await.unwrap()
        }
    };
    let anonima = pagina_404(&b).await;
    assert!(anonima.contains("No existe esta página"));
    assert!(anonima.contains("href=\"/entrar\">Iniciar sesión</a>"));
    let registro = b.get("/registro").await;
    b.enviar(
        &registro,
        "/registro",
        &[
            ("nombre", "Ana"),
            ("correo", "ana@example.mx"),
            ("contrasena", "contraseña-segura"),
        ],
    )
    .await;
    let con_sesion = pagina_404(&b).await;
    assert!(con_sesion.contains("No existe esta página"));
    for enlace in [
        "<a href=\"/historial\">Mi Historial</a>",
        "<a href=\"/perfil\">Configuración Perfil</a>",
        "<a href=\"/quejas\">Mis quejas</a>",
        ">Salir</button>",
    ] {
        assert!(con_sesion.contains(enlace), "{enlace} in {con_sesion}");
    }
    assert!(!con_sesion.contains("Iniciar sesión"));
}

#[tokio::test]
async fn ver_shows_pdfs_and_images_in_the_browser_and_downloads_the_rest() {
    let app = spawn_app().await;
    app.sim.put_account(
        CuentaConfig::new(Jurisdiccion::Colima, "ana", "s3creta").solicitud(
            serde_json::from_value(json!({
                "folio": "COL-001-000003-21", "tipo": "acceso", "institucion": "Gobierno de Colima",
                "descripcion": "Nómina de 2021", "fecha_presentacion": "2021-09-01", "estado": "terminada",
                "respuestas": [{"tipo": "Entrega de información en medio electrónico", "fecha": "2021-09-10",
                                "texto": "Se adjunta la nómina.",
                                "adjuntos": [
                                    {"nombre": "oficio.pdf", "media_type": "application/pdf", "tamano": 3000},
                                    {"nombre": "nomina.csv", "media_type": "text/csv", "contenido": "a,b\n"}
                                ]}]
            }))
            .unwrap(),
        ),
    );
    let mut b = Navegador::new(&app);
    registrar_y_vincular(&mut b, Jurisdiccion::Colima, "ana", "s3creta").await;
    let d = b.get("/solicitudes/COL-001-000003-21").await;
    let items: Vec<&str> = d.html.split("<li>").skip(1).collect();
    let (pdf, csv) = (
        items.iter().find(|li| li.contains("oficio.pdf")).unwrap(),
        items.iter().find(|li| li.contains("nomina.csv")).unwrap(),
    );
    assert!(pdf.contains(">Ver</a>"), "{pdf}");
    assert!(!csv.contains(">Ver</a>"), "{csv}");
    let id = |li: &str| {
        let start = li.find("href=\"/adjuntos/").unwrap() + 16;
        li[start..start + li[start..].find('"').unwrap()].to_owned()
    };
    for (li, disposicion) in [(pdf, "inline"), (csv, "attachment")] {
        let r = b
            .client
            .get(format!("{}/adjuntos/{}/ver", app.url, id(li)))
            .header(COOKIE, b.jar())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        let cd = r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(cd.starts_with(&format!("{disposicion};")), "{cd}");
    }
}

/// The CSRF token is bound to the session: a forged cookie + field pair, or a token (and even the
/// nonce cookie) copied from another logged-in browser, is refused with the documented 403.
#[tokio::test]
async fn csrf_tokens_are_bound_to_the_session() {
    let app = spawn_app().await;
    // A forged pair: the attacker chooses both the cookie and the field.
    let mut b = Navegador::new(&app);
    b.cookies.insert("pnt_csrf".to_owned(), "a".repeat(64));
    let r = b
        .post(
            "/registro",
            &[
                ("csrf", &"a".repeat(64)),
                ("nombre", "X"),
                ("correo", "forjado@example.mx"),
                ("contrasena", "contraseña-segura"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.html);
    assert!(r.html.contains("Recargue la página"));

    let mut ana = Navegador::new(&app);
    registrar_en(&mut ana, "ana@example.mx").await;
    let mut beto = Navegador::new(&app);
    registrar_en(&mut beto, "beto@example.mx").await;
    let perfil_ana = ana.get("/perfil").await;
    // Beto's browser, with Ana's token and even Ana's nonce cookie, but Beto's session.
    beto.cookies
        .insert("pnt_csrf".to_owned(), ana.cookies["pnt_csrf"].clone());
    let r = beto.enviar(&perfil_ana, "/salir", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.html);
    assert!(r.html.contains("Recargue la página"));
    // Beto's own page still works, and so does Ana's.
    let perfil_beto = beto.get("/perfil").await;
    let r = beto.enviar(&perfil_beto, "/salir", &[]).await;
    assert_eq!(r.location.as_deref(), Some("/entrar"));
    let r = ana.enviar(&perfil_ana, "/salir", &[]).await;
    assert_eq!(r.location.as_deref(), Some("/entrar"));
}

async fn registrar_en(b: &mut Navegador<'_>, correo: &str) {
    let registro = b.get("/registro").await;
    let r = b
        .enviar(
            &registro,
            "/registro",
            &[
                ("nombre", "Persona"),
                ("correo", correo),
                ("contrasena", "contraseña-segura"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
}

/// Asserts the headers every response carries; `csp` must be contained in its policy.
fn cabeceras_de_seguridad(h: &reqwest::header::HeaderMap, csp: &str, que: &str) {
    assert_eq!(h["x-content-type-options"], "nosniff", "{que}");
    assert_eq!(h["x-frame-options"], "DENY", "{que}");
    assert_eq!(h["referrer-policy"], "no-referrer", "{que}");
    let politica = h["content-security-policy"].to_str().unwrap();
    assert!(politica.contains(csp), "{que}: {politica}");
    assert!(
        politica.contains("frame-ancestors 'none'"),
        "{que}: {politica}"
    );
    assert!(!politica.contains("unsafe-inline"), "{que}: {politica}");
}

#[tokio::test]
async fn security_headers_on_pages_api_errors_and_hostile_attachments() {
    let app = spawn_app().await;
    let hostiles = [
        (
            "pagina.html",
            "text/html",
            "<script>document.title='pwned'</script>",
        ),
        (
            "dibujo.svg",
            "image/svg+xml",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
        ),
        ("datos.xml", "application/xml", "<a/>"),
        ("codigo.js", "text/javascript", "alert(1)"),
        (
            "pagina.xhtml",
            "application/xhtml+xml",
            "<html xmlns=\"http://www.w3.org/1999/xhtml\"/>",
        ),
    ];
    let adjuntos: Vec<_> = hostiles
        .iter()
        .map(|(n, t, c)| json!({"nombre": n, "media_type": t, "contenido": c}))
        .collect();
    app.sim.put_account(
        CuentaConfig::new(Jurisdiccion::Colima, "ana", "s3creta").solicitud(
            serde_json::from_value(json!({
                "folio": "COL-001-000004-21", "tipo": "acceso", "institucion": "Gobierno de Colima",
                "descripcion": "Archivos raros", "fecha_presentacion": "2021-09-01", "estado": "terminada",
                "respuestas": [{"tipo": "Entrega de información en medio electrónico", "fecha": "2021-09-10",
                                "texto": "Se adjunta.", "adjuntos": adjuntos}]
            }))
            .unwrap(),
        ),
    );
    let mut b = Navegador::new(&app);
    // A page (and the style it needs is allowed by hash, never inline in general).
    let r = b
        .client
        .get(format!("{}/entrar", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    cabeceras_de_seguridad(r.headers(), "style-src 'sha256-", "page");
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    // An API answer and an API error.
    let r = b.client.get(app.api("/openapi.json")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    cabeceras_de_seguridad(r.headers(), "default-src 'none'", "API");
    let r = b.client.get(app.api("/historial")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    cabeceras_de_seguridad(r.headers(), "default-src 'none'", "API error");

    registrar_y_vincular(&mut b, Jurisdiccion::Colima, "ana", "s3creta").await;
    let d = b.get("/solicitudes/COL-001-000004-21").await;
    assert!(
        !d.html.contains(">Ver</a>"),
        "no hostile type is offered to be seen"
    );
    let ids: Vec<String> = d
        .html
        .match_indices("href=\"/adjuntos/")
        .map(|(i, _)| {
            let start = i + 16;
            d.html[start..start + d.html[start..].find('"').unwrap()].to_owned()
        })
        .collect();
    assert_eq!(ids.len(), hostiles.len(), "{}", d.html);
    for id in &ids {
        for ruta in [format!("/adjuntos/{id}"), format!("/adjuntos/{id}/ver")] {
            let r = b
                .client
                .get(format!("{}{ruta}", app.url))
                .header(COOKIE, b.jar())
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{ruta}");
            cabeceras_de_seguridad(r.headers(), "sandbox; default-src 'none'", &ruta);
            let cd = r.headers()["content-disposition"].to_str().unwrap();
            assert!(cd.starts_with("attachment;"), "{ruta}: {cd}");
        }
    }
    // The API's download of the same attachments, with a bearer token.
    let token = app
        .post(
            "/sesiones",
            &json!({"correo": "ana@example.mx", "contrasena": "contraseña-segura"}),
            None,
        )
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    for id in &ids {
        let r = app.get(&format!("/adjuntos/{id}"), Some(&token)).await;
        assert_eq!(r.status(), StatusCode::OK);
        cabeceras_de_seguridad(r.headers(), "sandbox; default-src 'none'", "API attachment");
        let cd = r.headers()["content-disposition"].to_str().unwrap();
        assert!(cd.starts_with("attachment;"), "{cd}");
    }
}

/// Forms refuse control characters like the API, naming the field, and Mi Historial's page
/// answers a repeated parameter in Spanish.
#[tokio::test]
async fn forms_refuse_control_characters_and_pages_explain_repeated_parameters() {
    let app = spawn_app().await;
    let mut b = Navegador::new(&app);
    let registro = b.get("/registro").await;
    let r = b
        .enviar(
            &registro,
            "/registro",
            &[
                ("nombre", "Ana"),
                ("correo", "ana\u{0}@example.mx"),
                ("contrasena", "contraseña-segura"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.html);
    assert!(
        r.html.contains("«correo»") && r.html.contains("U+0000"),
        "{}",
        r.html
    );
    registrar_en(&mut b, "ana@example.mx").await;
    let h = b
        .get(
            "/historial?pagina=1&amp;pagina=2"
                .replace("&amp;", "&")
                .as_str(),
        )
        .await;
    assert_eq!(h.status, StatusCode::BAD_REQUEST);
    assert!(h.html.contains("«pagina»"), "{}", h.html);
    assert!(!h.html.contains("duplicate"), "{}", h.html);
}
