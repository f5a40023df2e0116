//! Turning Infomex bytes into text, exactly.
//!
//! Legacy systems send Windows-1252 (declared in `Content-Type` and in the XML declaration),
//! dates as dd/mm/yyyy, and answer texts as HTML (`&oacute;`, `<br/>`). Some also lie about the
//! encoding (the `wrong_encoding` fault): a body declared UTF-8 that is not valid UTF-8 is
//! decoded as Windows-1252, the encoding every Infomex actually used. Latin-1 text is never
//! valid UTF-8 when it holds an accented letter followed by ASCII, so the fallback cannot turn
//! a correct UTF-8 body into a wrong one.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use jiff::civil::Date;

/// Decodes a legacy XML body by its declared charset (header first, then the XML declaration,
/// Windows-1252 when neither says).
pub(crate) fn decodificar_xml<'a>(content_type: Option<&str>, body: &'a [u8]) -> Cow<'a, str> {
    let declarado = content_type
        .and_then(charset_de_content_type)
        .or_else(|| charset_de_declaracion(body));
    let encoding = declarado
        .and_then(|label| Encoding::for_label(label.as_bytes()))
        .unwrap_or(WINDOWS_1252);
    if encoding == UTF_8 {
        return utf8_o_windows_1252(body);
    }
    encoding.decode_without_bom_handling(body).0
}

/// A JSON body: UTF-8 as declared, or Windows-1252 when it is not valid UTF-8.
pub(crate) fn utf8_o_windows_1252(body: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(body) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => {
            tracing::warn!("cuerpo declarado UTF-8 que no lo es; se decodifica como Windows-1252");
            WINDOWS_1252.decode_without_bom_handling(body).0
        }
    }
}

fn charset_de_content_type(ct: &str) -> Option<String> {
    ct.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn charset_de_declaracion(body: &[u8]) -> Option<String> {
    let head = &body[..body.len().min(200)];
    let head = std::str::from_utf8(head)
        .ok()
        .or_else(|| std::str::from_utf8(&head[..head.iter().position(|b| *b >= 0x80)?]).ok())?;
    let decl = head.strip_prefix("<?xml")?.split("?>").next()?;
    let rest = &decl[decl.find("encoding")? + "encoding".len()..];
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next()?;
    let value = rest[1..].split(quote).next()?;
    Some(value.to_owned())
}

/// The plain text of a legacy answer: `<br/>` (in any spelling) becomes a line break, then HTML
/// entities are decoded. In that order, so an escaped `&lt;br/&gt;` stays literal text.
pub(crate) fn texto_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(pos) = rest.find('<') {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        match br_len(tail) {
            Some(len) => {
                out.push('\n');
                rest = &tail[len..];
            }
            None => {
                out.push('<');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    html_escape::decode_html_entities(&out).into_owned()
}

/// The length of a `<br>`, `<br/>` or `<br />` tag (any case) at the start of `s`.
fn br_len(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    if bytes.len() < 4 || !bytes[1..3].eq_ignore_ascii_case(b"br") {
        return None;
    }
    let mut i = 3;
    while i < bytes.len() && bytes[i] == b' ' {
        i += 1;
    }
    if bytes.get(i) == Some(&b'/') {
        i += 1;
    }
    (bytes.get(i) == Some(&b'>')).then_some(i + 1)
}

/// A legacy date, `dd/mm/yyyy`.
pub(crate) fn fecha_legacy(s: &str) -> Option<Date> {
    let mut parts = s.trim().split('/');
    let d: i8 = parts.next()?.parse().ok()?;
    let m: i8 = parts.next()?.parse().ok()?;
    let y: i16 = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    Date::new(y, m, d).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn windows_1252_by_header_or_declaration() {
        let body = b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><d>Secretar\xeda</d>";
        assert_eq!(
            decodificar_xml(Some("text/xml; charset=windows-1252"), body),
            "<?xml version=\"1.0\" encoding=\"windows-1252\"?><d>Secretaría</d>"
        );
        assert!(decodificar_xml(None, body).contains("Secretaría"));
        assert!(decodificar_xml(Some("text/xml"), body).contains("Secretaría"));
    }

    #[test]
    fn windows_1252_specific_bytes_decode() {
        // 0x93/0x94 are curly quotes in Windows-1252 (C1 controls in Latin-1), 0x80 is €.
        let body = b"\x93hola\x94 \x80";
        assert_eq!(decodificar_xml(None, body), "\u{201c}hola\u{201d} \u{20ac}");
    }

    #[test]
    fn body_declared_utf8_but_sent_in_windows_1252_is_recovered() {
        let body = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><d>informaci\xf3n</d>";
        let text = decodificar_xml(Some("text/xml; charset=UTF-8"), body);
        assert!(text.contains("información"), "{text}");
        let real_utf8 = "<d>información</d>".as_bytes();
        assert_eq!(
            decodificar_xml(Some("text/xml; charset=utf-8"), real_utf8),
            "<d>información</d>"
        );
    }

    #[test]
    fn latin1_json_is_recovered() {
        assert_eq!(
            utf8_o_windows_1252(b"{\"a\":\"Le\xf3n\"}"),
            "{\"a\":\"León\"}"
        );
        assert_eq!(
            utf8_o_windows_1252("{\"a\":\"León\"}".as_bytes()),
            "{\"a\":\"León\"}"
        );
    }

    #[test]
    fn html_text_decodes_entities_and_line_breaks() {
        assert_eq!(
            texto_html("Se adjunta la informaci&oacute;n solicitada.<br/>Atentamente"),
            "Se adjunta la información solicitada.\nAtentamente"
        );
        assert_eq!(
            texto_html("&iquest;A&ntilde;o?<BR>x<br />y &amp; &lt;br/&gt; &quot;z&quot; &#8364;"),
            "¿Año?\nx\ny & <br/> \"z\" €"
        );
        assert_eq!(texto_html("a < b<br/><br/>"), "a < b\n\n");
    }

    #[test]
    fn legacy_dates() {
        assert_eq!(fecha_legacy("26/08/2019"), Some(date(2019, 8, 26)));
        assert_eq!(fecha_legacy("1/9/2021"), Some(date(2021, 9, 1)));
        assert_eq!(fecha_legacy("31/02/2021"), None);
        assert_eq!(fecha_legacy("2021-08-26"), None);
        assert_eq!(fecha_legacy("26/08/2019/1"), None);
    }
}
