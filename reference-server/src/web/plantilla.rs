//! The page layout and the small pieces every page uses. Everything that comes from users or
//! from Infomex goes through [`e`] (text) or [`a`] (attribute values) before it reaches HTML.

use jiff::civil::Date;

/// Escapes text for an HTML text node.
pub(crate) fn e(text: &str) -> String {
    html_escape::encode_text(text).into_owned()
}

/// Escapes text for a double-quoted attribute value.
pub(crate) fn a(text: &str) -> String {
    html_escape::encode_double_quoted_attribute(text).into_owned()
}

/// Text with its line breaks kept, as PNT shows answers.
pub(crate) fn parrafos(text: &str) -> String {
    text.split('\n').map(e).collect::<Vec<_>>().join("<br>")
}

/// `dd/mm/yyyy`, as PNT writes dates.
pub(crate) fn fecha(d: Date) -> String {
    d.strftime("%d/%m/%Y").to_string()
}

/// Everything but RFC 3986's unreserved characters is percent-encoded in a path segment.
const SEGMENTO: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A path segment for a link (folios may contain `/`).
pub(crate) fn seg(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, SEGMENTO).to_string()
}

/// A coloured dot with its meaning spelled out for screen readers and as a tooltip.
pub(crate) fn punto(clase: &str, etiqueta: &str) -> String {
    format!(
        "<span class=\"punto {}\" title=\"{}\" aria-hidden=\"true\">●</span><span class=\"sr\">{}</span>",
        a(clase),
        a(etiqueta),
        e(etiqueta)
    )
}

/// The hidden CSRF field every POST form carries.
pub(crate) fn csrf(token: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        a(token)
    )
}

/// The Content-Security-Policy of every page: no script at all, the one inline stylesheet allowed
/// by its hash (so an injected `<style>` would not apply), forms only to this site, never framed.
pub(crate) fn csp_paginas() -> &'static str {
    static CSP: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        use base64::Engine;
        let hash = base64::engine::general_purpose::STANDARD
            .encode(pnt_model::Sha256::of(ESTILO.as_bytes()).0);
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; img-src 'self'; connect-src 'self'; \
             form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        )
    });
    &CSP
}

const ESTILO: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1b1b1b;background:#f6f6f6}
header{background:#6b1d3f;color:#fff;padding:.6rem 1.2rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
header a,header button{color:#fff}
header .marca{font-weight:700;margin-right:auto;text-decoration:none}
nav ul{list-style:none;display:flex;gap:1rem;margin:0;padding:0;align-items:center}
nav form{display:inline}
nav button{background:none;border:1px solid #fff;border-radius:3px;padding:.2rem .6rem;cursor:pointer;font:inherit}
main{max-width:72rem;margin:1.2rem auto;padding:0 1rem 2rem;background:#fff;border-radius:4px}
main>*:first-child{padding-top:1rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{border-bottom:1px solid #ddd;padding:.45rem;text-align:left;vertical-align:top}
th{background:#efe7eb}
label{display:block;margin-top:.8rem;font-weight:600}
input,select,textarea{font:inherit;padding:.35rem;min-width:18rem;max-width:100%}
button.primario{margin-top:1rem;background:#6b1d3f;color:#fff;border:0;padding:.5rem 1.4rem;border-radius:3px;font-weight:700;cursor:pointer}
.aviso{padding:.8rem 1rem;border-radius:4px;margin:1rem 0}
.exito{background:#e8f5e9;border:1px solid #2e7d32}
.advertencia{background:#fff8e1;border:1px solid #f9a825}
.error{background:#ffebee;border:1px solid #c62828}
.punto{font-size:1.2rem}
.en_tiempo{color:#2e7d32}.en_alerta{color:#f9a825}.fuera_de_tiempo{color:#c62828}
.acceso{color:#1565c0}.datos-personales{color:#6a1b9a}
.leyenda{display:flex;flex-wrap:wrap;gap:1.2rem;align-items:center;margin:.6rem 0}
.leyenda a[aria-current]{font-weight:700}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{font-weight:600}
.respuesta{border-left:4px solid #6b1d3f;padding:.2rem 1rem;margin:1rem 0}
code{word-break:break-all}
.nw{white-space:nowrap}
.paginas{margin:1rem 0}.paginas [aria-current]{font-weight:700}.paginas [aria-disabled]{color:#767676}
";

/// Who is looking at the page, for the header.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Encabezado<'a> {
    pub(crate) nombre: Option<&'a str>,
    pub(crate) csrf: &'a str,
}

/// A whole page.
pub(crate) fn pagina(titulo: &str, enc: Encabezado<'_>, cuerpo: &str) -> String {
    let nav = match enc.nombre {
        Some(nombre) => format!(
            "<nav aria-label=\"Principal\"><ul>\
             <li><a href=\"/historial\">Mi Historial</a></li>\
             <li><a href=\"/perfil\">Configuración Perfil</a></li>\
             <li><a href=\"/quejas\">Mis quejas</a></li>\
             <li><span class=\"sr\">Sesión de </span>{}</li>\
             <li><form method=\"post\" action=\"/salir\">{}<button type=\"submit\">Salir</button></form></li>\
             </ul></nav>",
            e(nombre),
            csrf(enc.csrf)
        ),
        None => "<nav aria-label=\"Principal\"><ul>\
                 <li><a href=\"/entrar\">Iniciar sesión</a></li>\
                 <li><a href=\"/registro\">Registrarse</a></li></ul></nav>"
            .to_owned(),
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"es\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} · Plataforma Nacional de Transparencia</title>\n<style>{ESTILO}</style>\n</head>\n\
         <body>\n<header><a class=\"marca\" href=\"/\">Plataforma Nacional de Transparencia</a>{nav}</header>\n\
         <main id=\"contenido\">\n{cuerpo}\n</main>\n</body>\n</html>\n",
        e(titulo)
    )
}

/// A message box: `clase` is `exito`, `advertencia` or `error`.
pub(crate) fn aviso(clase: &str, html: &str) -> String {
    let role = if clase == "error" { "alert" } else { "status" };
    format!("<div class=\"aviso {clase}\" role=\"{role}\">{html}</div>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_and_attributes() {
        assert_eq!(e("<script>&\"'"), "&lt;script&gt;&amp;\"'");
        assert_eq!(a("x\" onload=\"y"), "x&quot; onload=&quot;y");
        assert_eq!(parrafos("a<b\nc"), "a&lt;b<br>c");
        assert_eq!(fecha(jiff::civil::date(2021, 9, 4)), "04/09/2021");
        assert_eq!(seg("CDMX/UT/01234/2019"), "CDMX%2FUT%2F01234%2F2019");
    }
}
