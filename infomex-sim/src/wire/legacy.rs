//! The legacy dialect: XML in Windows-1252, dd/mm/yyyy dates, answer texts as HTML in CDATA, and
//! errors inside HTTP 200 — the difficulties the old Infomex systems really posed.

use std::fmt::Write as _;

use pnt_model::{Date, EstadoSolicitud, TipoSolicitud};

use super::{SimError, Wire};
use crate::AdjuntoFile;
use pnt_model::Solicitud;

pub(crate) const CONTENT_TYPE: &str = "text/xml; charset=windows-1252";
const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n";

fn xml(status: u16, body: &str) -> Wire {
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(body);
    Wire {
        status,
        content_type: CONTENT_TYPE.into(),
        headers: Vec::new(),
        body: bytes.into_owned().into(),
    }
}

/// XML-escapes text for element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// The answer text as the old systems' rich-text editors stored it: HTML with named entities for
/// accented letters and `<br/>` for line breaks. Pure ASCII, so it survives any encoding.
pub(crate) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        let named = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\n' => "<br/>",
            'á' => "&aacute;",
            'é' => "&eacute;",
            'í' => "&iacute;",
            'ó' => "&oacute;",
            'ú' => "&uacute;",
            'Á' => "&Aacute;",
            'É' => "&Eacute;",
            'Í' => "&Iacute;",
            'Ó' => "&Oacute;",
            'Ú' => "&Uacute;",
            'ñ' => "&ntilde;",
            'Ñ' => "&Ntilde;",
            'ü' => "&uuml;",
            'Ü' => "&Uuml;",
            '¿' => "&iquest;",
            '¡' => "&iexcl;",
            '°' => "&deg;",
            'º' => "&ordm;",
            'ª' => "&ordf;",
            '€' => "&euro;",
            c if c.is_ascii() => {
                out.push(c);
                continue;
            }
            c => {
                let _ = write!(out, "&#{};", c as u32);
                continue;
            }
        };
        out.push_str(named);
    }
    out
}

fn dmy(d: Date) -> String {
    d.strftime("%d/%m/%Y").to_string()
}

fn tipo(t: TipoSolicitud) -> &'static str {
    match t {
        TipoSolicitud::AccesoInformacion => "INFORMACION PUBLICA",
        TipoSolicitud::DatosPersonales => "DATOS PERSONALES",
    }
}

pub(crate) fn error(e: &SimError) -> Wire {
    let (status, codigo) = match e {
        SimError::CredencialesInvalidas => (200, "USUARIO_INVALIDO"),
        SimError::CuentaBloqueada => (200, "CUENTA_BLOQUEADA"),
        SimError::SesionInvalida => (200, "SESION_INVALIDA"),
        SimError::SolicitudNoEncontrada => (200, "FOLIO_INEXISTENTE"),
        // The client of a download expects bytes; an XML 200 would be saved as the file.
        SimError::AdjuntoNoEncontrado => (404, "ARCHIVO_INEXISTENTE"),
        SimError::PeticionInvalida(_) => (200, "PARAMETRO_INVALIDO"),
        SimError::RutaDesconocida | SimError::JurisdiccionDesconocida => (404, "RUTA_INEXISTENTE"),
        SimError::NoDisponible(status) => (*status, "SERVICIO_NO_DISPONIBLE"),
        SimError::DemasiadasPeticiones(_) => (429, "DEMASIADAS_PETICIONES"),
    };
    let mut wire = xml(
        status,
        &format!(
            "{DECLARATION}<respuesta><estatus>ERROR</estatus><codigo>{codigo}</codigo><mensaje>{}</mensaje></respuesta>\n",
            escape(&e.mensaje())
        ),
    );
    if let SimError::DemasiadasPeticiones(secs) = e {
        wire.headers.push(("retry-after", secs.to_string()));
    }
    wire
}

pub(crate) fn sesion(token: &str, segundos: u64) -> Wire {
    xml(
        200,
        &format!(
            "{DECLARATION}<respuesta><estatus>OK</estatus><sesion>{}</sesion><vigencia>{segundos}</vigencia></respuesta>\n",
            escape(token)
        ),
    )
}

pub(crate) fn logout() -> Wire {
    xml(
        200,
        &format!("{DECLARATION}<respuesta><estatus>OK</estatus></respuesta>\n"),
    )
}

pub(crate) fn lista(
    total: usize,
    pagina: u32,
    registros: u32,
    records: &[(&Solicitud<AdjuntoFile>, EstadoSolicitud)],
) -> Wire {
    let mut out = String::with_capacity(256 + records.len() * 320);
    out.push_str(DECLARATION);
    let _ = writeln!(
        out,
        "<solicitudes total=\"{total}\" pagina=\"{pagina}\" registros=\"{registros}\">"
    );
    for (s, estado) in records {
        let _ = write!(
            out,
            "  <solicitud>\n    <folio>{}</folio>\n    <tipo>{}</tipo>\n    <dependencia>{}</dependencia>\n    <fechaPresentacion>{}</fechaPresentacion>\n    <estatus>{}</estatus>\n  </solicitud>\n",
            escape(&s.folio.to_string()),
            tipo(s.tipo),
            escape(&s.institucion),
            dmy(s.fecha_presentacion),
            escape(estado.etiqueta()),
        );
    }
    out.push_str("</solicitudes>\n");
    xml(200, &out)
}

pub(crate) fn detalle(s: &Solicitud<AdjuntoFile>) -> Wire {
    let mut out = String::with_capacity(1024);
    out.push_str(DECLARATION);
    let _ = write!(
        out,
        "<solicitud>\n  <folio>{}</folio>\n  <tipo>{}</tipo>\n  <dependencia>{}</dependencia>\n  <descripcion>{}</descripcion>\n  <fechaPresentacion>{}</fechaPresentacion>\n  <estatus>{}</estatus>\n",
        escape(&s.folio.to_string()),
        tipo(s.tipo),
        escape(&s.institucion),
        escape(&s.descripcion),
        dmy(s.fecha_presentacion),
        escape(s.estado.etiqueta()),
    );
    if let Some(p) = s.prevencion {
        let _ = write!(out, "  <prevencion notificada=\"{}\"", dmy(p.notificada));
        if let Some(d) = p.desahogada {
            let _ = write!(out, " desahogada=\"{}\"", dmy(d));
        }
        out.push_str("/>\n");
    }
    let _ = writeln!(
        out,
        "  <ampliacion>{}</ampliacion>",
        if s.ampliacion { "S" } else { "N" }
    );
    out.push_str("  <respuestas>\n");
    for r in &s.respuestas {
        let _ = write!(
            out,
            "    <respuesta>\n      <tipo>{}</tipo>\n      <fecha>{}</fecha>\n      <texto><![CDATA[{}]]></texto>\n",
            escape(r.tipo.texto()),
            dmy(r.fecha),
            html(&r.texto),
        );
        for a in &r.adjuntos {
            let _ = writeln!(
                out,
                "      <adjunto id=\"{}\" nombre=\"{}\" tipo=\"{}\" tamano=\"{}\" sha256=\"{}\"/>",
                escape(&a.id),
                escape(&a.nombre),
                escape(&a.media_type),
                a.tamano,
                a.sha256()
            );
        }
        out.push_str("    </respuesta>\n");
    }
    out.push_str("  </respuestas>\n</solicitud>\n");
    xml(200, &out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_text_uses_named_entities_and_br() {
        assert_eq!(
            html("Información <pública>\n¿Año? 5 & 6 — ok"),
            "Informaci&oacute;n &lt;p&uacute;blica&gt;<br/>&iquest;A&ntilde;o? 5 &amp; 6 &#8212; ok"
        );
        assert!(html("x]]>y").contains("]]&gt;"));
    }

    #[test]
    fn errors_come_inside_200_in_windows_1252() {
        let wire = error(&SimError::CredencialesInvalidas);
        assert_eq!(wire.status, 200);
        assert_eq!(wire.content_type, CONTENT_TYPE);
        // "contraseña": ñ is the single byte 0xF1 in Windows-1252.
        assert!(wire.body.windows(4).any(|w| w == b"se\xf1a"));
        assert!(std::str::from_utf8(&wire.body).is_err());
    }
}
