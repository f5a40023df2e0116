//! The legacy dialect: XML in Windows-1252, dd/mm/yyyy, HTML answer texts, the session as a
//! query parameter, and errors inside HTTP 200 (docs/infomex-sim.md).

use pnt_model::{
    Adjunto, EstadoSolicitud, Prevencion, Sha256, Solicitud, TipoRespuesta, TipoSolicitud,
};
use reqwest::{Client, RequestBuilder, StatusCode};

use super::fallo::{Fallo, Respuesta};
use super::folio;
use super::texto::{decodificar_xml, fecha_legacy, texto_html};
use super::types::{PaginaLista, RegistroLista};
use super::xml::{self, Nodo};

pub(super) fn login(http: &Client, base: &str, usuario: &str, contrasena: &str) -> RequestBuilder {
    http.post(format!("{base}/infomex/login.do"))
        .form(&[("usuario", usuario), ("password", contrasena)])
}

pub(super) fn lista(http: &Client, base: &str, token: &str, pagina: u32) -> RequestBuilder {
    http.get(format!("{base}/infomex/consultaSolicitudes.do"))
        .query(&[("sesion", token), ("pagina", &pagina.to_string())])
}

pub(super) fn detalle(http: &Client, base: &str, token: &str, folio: &str) -> RequestBuilder {
    http.get(format!("{base}/infomex/detalleSolicitud.do"))
        .query(&[("sesion", token), ("folio", folio)])
}

pub(super) fn adjunto(http: &Client, base: &str, token: &str, id: &str) -> RequestBuilder {
    http.get(format!("{base}/infomex/descargaArchivo.do"))
        .query(&[("sesion", token), ("id", id)])
}

pub(super) fn logout(http: &Client, base: &str, token: &str) -> RequestBuilder {
    http.get(format!("{base}/infomex/logout.do"))
        .query(&[("sesion", token)])
}

/// The document's root, or the failure it (or its status) describes.
fn documento(r: &Respuesta) -> Result<Nodo, Fallo> {
    let text = decodificar_xml(r.content_type.as_deref(), &r.body);
    let parsed = xml::parse(&text);
    if let Ok(root) = &parsed
        && let Some(fallo) = error_en_documento(root)
    {
        return Err(fallo);
    }
    if r.status == StatusCode::NOT_FOUND {
        return Err(Fallo::RutaDesconocida(r.resumen()));
    }
    if !r.status.is_success() {
        return Err(Fallo::Ilegible(r.resumen()));
    }
    parsed.map_err(Fallo::Ilegible)
}

/// `<respuesta><estatus>ERROR</estatus><codigo>…</codigo>` → the failure it names.
fn error_en_documento(root: &Nodo) -> Option<Fallo> {
    if root.nombre != "respuesta" || root.texto_de("estatus")?.trim() != "ERROR" {
        return None;
    }
    let codigo = root.texto_de("codigo").unwrap_or_default().trim();
    Some(match codigo {
        "USUARIO_INVALIDO" => Fallo::CredencialesInvalidas,
        "CUENTA_BLOQUEADA" => Fallo::CuentaBloqueada,
        "SESION_INVALIDA" => Fallo::SesionInvalida,
        "FOLIO_INEXISTENTE" | "ARCHIVO_INEXISTENTE" => Fallo::NoEncontrado,
        "RUTA_INEXISTENTE" => Fallo::RutaDesconocida(format!(
            "RUTA_INEXISTENTE: {}",
            root.texto_de("mensaje").unwrap_or_default()
        )),
        otro => Fallo::Ilegible(format!(
            "error de Infomex {otro}: {}",
            root.texto_de("mensaje").unwrap_or_default()
        )),
    })
}

pub(super) fn parse_login(r: &Respuesta) -> Result<String, Fallo> {
    let root = documento(r)?;
    match (
        root.nombre.as_str(),
        root.texto_de("estatus"),
        root.texto_de("sesion"),
    ) {
        ("respuesta", Some("OK"), Some(token)) if !token.is_empty() => Ok(token.to_owned()),
        _ => Err(Fallo::Ilegible("respuesta de login sin sesión".to_owned())),
    }
}

pub(super) fn parse_lista(r: &Respuesta) -> Result<PaginaLista, Fallo> {
    let root = documento(r)?;
    if root.nombre != "solicitudes" {
        return Err(Fallo::Ilegible(format!(
            "se esperaba <solicitudes>, llegó <{}>",
            root.nombre
        )));
    }
    let total = root
        .atributo("total")
        .and_then(|t| t.trim().parse().ok())
        .ok_or_else(|| Fallo::Ilegible("<solicitudes> sin total".to_owned()))?;
    let registros = root
        .hijos("solicitud")
        .map(|s| {
            Ok(RegistroLista {
                folio: requerido(s, "folio")?.to_owned(),
                estado: s
                    .texto_de("estatus")
                    .and_then(|e| EstadoSolicitud::parse(e.trim())),
            })
        })
        .collect::<Result<_, Fallo>>()?;
    Ok(PaginaLista {
        total,
        por_pagina: root
            .atributo("registros")
            .and_then(|r| r.trim().parse().ok()),
        registros,
    })
}

pub(super) fn parse_detalle(r: &Respuesta) -> Result<Solicitud, Fallo> {
    let s = documento(r)?;
    if s.nombre != "solicitud" {
        return Err(Fallo::Ilegible(format!(
            "se esperaba <solicitud>, llegó <{}>",
            s.nombre
        )));
    }
    let prevencion = match s.hijo("prevencion") {
        None => None,
        Some(p) => Some(Prevencion {
            notificada: fecha(p.atributo("notificada"), "prevencion@notificada")?,
            desahogada: p
                .atributo("desahogada")
                .map(|d| fecha(Some(d), "prevencion@desahogada"))
                .transpose()?,
        }),
    };
    let respuestas = s
        .hijo("respuestas")
        .map(|rs| {
            rs.hijos("respuesta")
                .map(respuesta)
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    Ok(Solicitud {
        folio: folio(requerido(&s, "folio")?)?,
        tipo: tipo(requerido(&s, "tipo")?)?,
        institucion: requerido(&s, "dependencia")?.to_owned(),
        descripcion: requerido(&s, "descripcion")?.to_owned(),
        fecha_presentacion: fecha(s.texto_de("fechaPresentacion"), "fechaPresentacion")?,
        estado: {
            let e = requerido(&s, "estatus")?;
            EstadoSolicitud::parse(e.trim())
                .ok_or_else(|| Fallo::Ilegible(format!("estatus desconocido «{e}»")))?
        },
        prevencion,
        ampliacion: match s.texto_de("ampliacion").map(str::trim) {
            Some("S") => true,
            Some("N") | None => false,
            Some(otro) => return Err(Fallo::Ilegible(format!("ampliación «{otro}»"))),
        },
        respuestas,
    })
}

fn respuesta(r: &Nodo) -> Result<pnt_model::Respuesta, Fallo> {
    let tipo_texto = requerido(r, "tipo")?;
    Ok(pnt_model::Respuesta {
        tipo: TipoRespuesta::parse(tipo_texto)
            .ok_or_else(|| Fallo::Ilegible(format!("tipo de respuesta «{tipo_texto}»")))?,
        fecha: fecha(r.texto_de("fecha"), "fecha")?,
        texto: texto_html(r.texto_de("texto").unwrap_or_default()),
        adjuntos: r
            .hijos("adjunto")
            .map(|a| {
                let attr = |n: &str| {
                    a.atributo(n)
                        .ok_or_else(|| Fallo::Ilegible(format!("adjunto sin {n}")))
                };
                Ok(Adjunto {
                    id: attr("id")?.to_owned(),
                    nombre: attr("nombre")?.to_owned(),
                    media_type: attr("tipo")?.to_owned(),
                    tamano: attr("tamano")?
                        .trim()
                        .parse()
                        .map_err(|_| Fallo::Ilegible("tamaño de adjunto".to_owned()))?,
                    sha256: Sha256::parse_hex(attr("sha256")?.trim())
                        .ok_or_else(|| Fallo::Ilegible("sha256 de adjunto".to_owned()))?,
                })
            })
            .collect::<Result<_, Fallo>>()?,
    })
}

/// Attachment bytes. A legacy system may report an error inside a 200 even here, so a body
/// that does not match the expected digest but is a legacy error document is that error.
pub(super) fn parse_adjunto(
    r: &Respuesta,
    recibido: &Sha256,
    esperado: &Sha256,
) -> Result<bytes::Bytes, Fallo> {
    if r.status.is_success() && recibido == esperado {
        return Ok(r.body.clone());
    }
    let text = decodificar_xml(r.content_type.as_deref(), &r.body);
    if let Ok(root) = xml::parse(&text)
        && let Some(fallo) = error_en_documento(&root)
    {
        return Err(fallo);
    }
    if r.status == StatusCode::NOT_FOUND {
        return Err(Fallo::RutaDesconocida(r.resumen()));
    }
    if !r.status.is_success() {
        return Err(Fallo::Ilegible(r.resumen()));
    }
    Ok(r.body.clone())
}

fn requerido<'a>(n: &'a Nodo, campo: &str) -> Result<&'a str, Fallo> {
    n.texto_de(campo)
        .ok_or_else(|| Fallo::Ilegible(format!("<{}> sin <{campo}>", n.nombre)))
}

fn fecha(s: Option<&str>, campo: &str) -> Result<jiff::civil::Date, Fallo> {
    s.and_then(fecha_legacy)
        .ok_or_else(|| Fallo::Ilegible(format!("fecha inválida en {campo}: {s:?}")))
}

fn tipo(s: &str) -> Result<TipoSolicitud, Fallo> {
    match s.trim() {
        "INFORMACION PUBLICA" | "INFORMACIÓN PÚBLICA" => Ok(TipoSolicitud::AccesoInformacion),
        "DATOS PERSONALES" => Ok(TipoSolicitud::DatosPersonales),
        otro => Err(Fallo::Ilegible(format!("tipo de solicitud «{otro}»"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cp1252(status: u16, xml: &str) -> Respuesta {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(xml);
        Respuesta {
            status: StatusCode::from_u16(status).unwrap(),
            content_type: Some("text/xml; charset=windows-1252".into()),
            body: bytes.into_owned().into(),
        }
    }

    const DETALLE: &str = r#"<?xml version="1.0" encoding="windows-1252"?>
<solicitud>
  <folio>JAL-045-012345-19</folio>
  <tipo>INFORMACION PUBLICA</tipo>
  <dependencia>Secretaría de Salud Jalisco &amp; Anexos</dependencia>
  <descripcion>Solicito el directorio de servidores públicos</descripcion>
  <fechaPresentacion>26/08/2019</fechaPresentacion>
  <estatus>Terminada</estatus>
  <prevencion notificada="30/08/2019" desahogada="02/09/2019"/>
  <ampliacion>N</ampliacion>
  <respuestas>
    <respuesta>
      <tipo>Entrega de información en medio electrónico</tipo>
      <fecha>20/09/2019</fecha>
      <texto><![CDATA[Se adjunta la informaci&oacute;n solicitada.<br/>Atentamente &quot;UT&quot;]]></texto>
      <adjunto id="3-0-0" nombre="respuesta año.pdf" tipo="application/pdf" tamano="3" sha256="ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"/>
    </respuesta>
  </respuestas>
</solicitud>"#;

    #[test]
    fn parses_the_documented_detail_from_windows_1252() {
        let r = cp1252(200, DETALLE);
        assert!(r.body.contains(&0xED), "the fixture really is Windows-1252");
        let d = parse_detalle(&r).unwrap();
        assert_eq!(d.folio.to_string(), "JAL-045-012345-19");
        assert_eq!(d.tipo, TipoSolicitud::AccesoInformacion);
        assert_eq!(d.institucion, "Secretaría de Salud Jalisco & Anexos");
        assert_eq!(
            d.descripcion,
            "Solicito el directorio de servidores públicos"
        );
        assert_eq!(d.fecha_presentacion, date(2019, 8, 26));
        assert_eq!(d.estado, EstadoSolicitud::Terminada);
        assert_eq!(
            d.prevencion,
            Some(Prevencion {
                notificada: date(2019, 8, 30),
                desahogada: Some(date(2019, 9, 2))
            })
        );
        assert!(!d.ampliacion);
        let r0 = &d.respuestas[0];
        assert_eq!(r0.tipo, TipoRespuesta::EntregaMedioElectronico);
        assert_eq!(r0.fecha, date(2019, 9, 20));
        assert_eq!(
            r0.texto,
            "Se adjunta la información solicitada.\nAtentamente \"UT\""
        );
        assert_eq!(r0.adjuntos[0].nombre, "respuesta año.pdf");
        assert_eq!(r0.adjuntos[0].sha256, Sha256::of(b"abc"));
    }

    #[test]
    fn pending_prevencion_and_no_answers() {
        let xml = DETALLE
            .replace(r#" desahogada="02/09/2019""#, "")
            .replace("<ampliacion>N</ampliacion>", "<ampliacion>S</ampliacion>");
        let xml = format!("{}</solicitud>", &xml[..xml.find("<respuestas>").unwrap()]);
        let d = parse_detalle(&cp1252(200, &xml)).unwrap();
        assert_eq!(d.prevencion.unwrap().desahogada, None);
        assert!(d.ampliacion);
        assert!(d.respuestas.is_empty());
    }

    #[test]
    fn parses_a_list_page() {
        let p = parse_lista(&cp1252(
            200,
            r#"<?xml version="1.0" encoding="windows-1252"?>
<solicitudes total="12" pagina="1" registros="50">
  <solicitud><folio>JAL-045-012345-19</folio><tipo>DATOS PERSONALES</tipo>
    <dependencia>Secretaría</dependencia><fechaPresentacion>26/08/2019</fechaPresentacion>
    <estatus>Con prevención</estatus></solicitud>
</solicitudes>"#,
        ))
        .unwrap();
        assert_eq!(p.total, 12);
        assert_eq!(p.registros[0].folio, "JAL-045-012345-19");
        assert_eq!(p.registros[0].estado, Some(EstadoSolicitud::ConPrevencion));
    }

    #[test]
    fn errors_inside_http_200_are_errors() {
        let error = |codigo: &str| {
            cp1252(
                200,
                &format!(
                    "<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n<respuesta><estatus>ERROR</estatus>\
                 <codigo>{codigo}</codigo><mensaje>Usuario o contraseña incorrectos</mensaje></respuesta>"
                ),
            )
        };
        assert_eq!(
            parse_login(&error("USUARIO_INVALIDO")),
            Err(Fallo::CredencialesInvalidas)
        );
        assert_eq!(
            parse_login(&error("CUENTA_BLOQUEADA")),
            Err(Fallo::CuentaBloqueada)
        );
        assert_eq!(
            parse_lista(&error("SESION_INVALIDA")),
            Err(Fallo::SesionInvalida)
        );
        assert_eq!(
            parse_detalle(&error("FOLIO_INEXISTENTE")),
            Err(Fallo::NoEncontrado)
        );
        let ok = cp1252(
            200,
            "<respuesta><estatus>OK</estatus><sesion>T1</sesion><vigencia>900</vigencia></respuesta>",
        );
        assert_eq!(parse_login(&ok), Ok("T1".to_owned()));
    }

    #[test]
    fn attachments_verify_or_report_the_error_document() {
        let good = Respuesta {
            status: StatusCode::OK,
            content_type: Some("application/pdf".into()),
            body: bytes::Bytes::from_static(b"abc"),
        };
        assert_eq!(
            parse_adjunto(&good, &Sha256::of(&good.body), &Sha256::of(b"abc")).unwrap(),
            &b"abc"[..]
        );
        let missing = cp1252(
            404,
            "<respuesta><estatus>ERROR</estatus><codigo>ARCHIVO_INEXISTENTE</codigo></respuesta>",
        );
        assert_eq!(
            parse_adjunto(&missing, &Sha256::of(&missing.body), &Sha256::of(b"abc")),
            Err(Fallo::NoEncontrado)
        );
        let expired = cp1252(
            200,
            "<respuesta><estatus>ERROR</estatus><codigo>SESION_INVALIDA</codigo></respuesta>",
        );
        assert_eq!(
            parse_adjunto(&expired, &Sha256::of(&expired.body), &Sha256::of(b"abc")),
            Err(Fallo::SesionInvalida)
        );
    }

    #[test]
    fn truncated_xml_is_unreadable_not_short() {
        let cut = &DETALLE[..DETALLE.len() / 2];
        assert!(matches!(
            parse_detalle(&cp1252(200, cut)),
            Err(Fallo::Ilegible(_))
        ));
    }
}
