//! The modern dialect: JSON, UTF-8, ISO dates, bearer tokens (docs/infomex-sim.md).

use jiff::civil::Date;
use percent_encoding::NON_ALPHANUMERIC;
use pnt_model::{
    Adjunto, EstadoSolicitud, Prevencion, Sha256, Solicitud, TipoRespuesta, TipoSolicitud,
};
use reqwest::{Client, RequestBuilder, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::fallo::{Fallo, Respuesta};
use super::folio;
use super::texto::utf8_o_windows_1252;
use super::types::{PaginaLista, RegistroLista};

pub(super) fn login(http: &Client, base: &str, usuario: &str, contrasena: &str) -> RequestBuilder {
    http.post(format!("{base}/api/sesion"))
        .json(&serde_json::json!({
            "usuario": usuario,
            "contrasena": contrasena,
        }))
}

pub(super) fn lista(
    http: &Client,
    base: &str,
    token: &str,
    pagina: u32,
    por_pagina: u32,
) -> RequestBuilder {
    http.get(format!("{base}/api/solicitudes"))
        .query(&[("pagina", pagina), ("por_pagina", por_pagina)])
        .bearer_auth(token)
}

pub(super) fn detalle(http: &Client, base: &str, token: &str, folio: &str) -> RequestBuilder {
    http.get(format!("{base}/api/solicitudes/{}", segmento(folio)))
        .bearer_auth(token)
}

pub(super) fn adjunto(http: &Client, base: &str, token: &str, id: &str) -> RequestBuilder {
    http.get(format!("{base}/api/adjuntos/{}", segmento(id)))
        .bearer_auth(token)
}

pub(super) fn logout(http: &Client, base: &str, token: &str) -> RequestBuilder {
    http.delete(format!("{base}/api/sesion")).bearer_auth(token)
}

/// Everything but RFC 3986's unreserved characters is percent-encoded in a path segment.
const SEGMENTO: &percent_encoding::AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A value percent-encoded as one path segment (`CDMX/UT/01234/2019` → `CDMX%2FUT%2F01234%2F2019`).
fn segmento(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, SEGMENTO).to_string()
}

#[derive(Deserialize)]
struct LoginJson {
    token: String,
}

pub(super) fn parse_login(r: &Respuesta) -> Result<String, Fallo> {
    Ok(ok_json::<LoginJson>(r)?.token)
}

#[derive(Deserialize)]
struct ListaJson {
    total: u64,
    por_pagina: Option<u32>,
    solicitudes: Vec<RegistroJson>,
}

#[derive(Deserialize)]
struct RegistroJson {
    folio: String,
    estado: Option<String>,
}

pub(super) fn parse_lista(r: &Respuesta) -> Result<PaginaLista, Fallo> {
    let lista: ListaJson = ok_json(r)?;
    Ok(PaginaLista {
        total: lista.total,
        por_pagina: lista.por_pagina,
        registros: lista
            .solicitudes
            .into_iter()
            .map(|s| RegistroLista {
                folio: s.folio,
                estado: s.estado.as_deref().and_then(EstadoSolicitud::parse),
            })
            .collect(),
    })
}

#[derive(Deserialize)]
struct DetalleJson {
    folio: String,
    tipo: TipoSolicitud,
    institucion: String,
    descripcion: String,
    fecha_presentacion: Date,
    estado: EstadoSolicitud,
    prevencion: Option<Prevencion>,
    #[serde(default)]
    ampliacion: bool,
    #[serde(default)]
    respuestas: Vec<RespuestaJson>,
}

#[derive(Deserialize)]
struct RespuestaJson {
    tipo: TipoRespuesta,
    fecha: Date,
    texto: String,
    #[serde(default)]
    adjuntos: Vec<AdjuntoJson>,
}

#[derive(Deserialize)]
struct AdjuntoJson {
    #[serde(deserialize_with = "id_texto")]
    id: String,
    nombre: String,
    media_type: String,
    tamano: u64,
    sha256: Sha256,
}

/// Attachment ids are opaque: accept a string or a number.
fn id_texto<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!("id de adjunto {other}"))),
    }
}

/// The detail, from the wire's lenient shape (unknown fields ignored, numeric attachment ids)
/// into the model's solicitud.
pub(super) fn parse_detalle(r: &Respuesta) -> Result<Solicitud, Fallo> {
    let d: DetalleJson = ok_json(r)?;
    Ok(Solicitud {
        folio: folio(&d.folio)?,
        tipo: d.tipo,
        institucion: d.institucion,
        descripcion: d.descripcion,
        fecha_presentacion: d.fecha_presentacion,
        estado: d.estado,
        prevencion: d.prevencion,
        ampliacion: d.ampliacion,
        respuestas: d
            .respuestas
            .into_iter()
            .map(|r| pnt_model::Respuesta {
                tipo: r.tipo,
                fecha: r.fecha,
                texto: r.texto,
                adjuntos: r
                    .adjuntos
                    .into_iter()
                    .map(|a| Adjunto {
                        id: a.id,
                        nombre: a.nombre,
                        media_type: a.media_type,
                        tamano: a.tamano,
                        sha256: a.sha256,
                    })
                    .collect(),
            })
            .collect(),
    })
}

/// The bytes of a successful download; errors mapped like any other answer.
pub(super) fn parse_adjunto(r: &Respuesta) -> Result<bytes::Bytes, Fallo> {
    if r.status.is_success() {
        Ok(r.body.clone())
    } else {
        Err(error(r))
    }
}

/// A 2xx answer's JSON body, or the failure the answer describes.
fn ok_json<T: DeserializeOwned>(r: &Respuesta) -> Result<T, Fallo> {
    if !r.status.is_success() {
        return Err(error(r));
    }
    let text = utf8_o_windows_1252(&r.body);
    serde_json::from_str(&text).map_err(|e| Fallo::Ilegible(format!("JSON inválido: {e}")))
}

#[derive(Deserialize)]
struct ErrorJson {
    error: ErrorDetalleJson,
}

#[derive(Deserialize)]
struct ErrorDetalleJson {
    codigo: String,
}

/// Maps a non-2xx answer (5xx and 429 were handled before) by its error code.
pub(super) fn error(r: &Respuesta) -> Fallo {
    let codigo = serde_json::from_str::<ErrorJson>(&utf8_o_windows_1252(&r.body))
        .map(|e| e.error.codigo)
        .ok();
    match (r.status, codigo.as_deref()) {
        (_, Some("credenciales_invalidas")) => Fallo::CredencialesInvalidas,
        (_, Some("cuenta_bloqueada")) => Fallo::CuentaBloqueada,
        (_, Some("sesion_invalida")) => Fallo::SesionInvalida,
        (_, Some("solicitud_no_encontrada" | "adjunto_no_encontrado")) => Fallo::NoEncontrado,
        (StatusCode::NOT_FOUND, Some("ruta_desconocida" | "jurisdiccion_desconocida") | None) => {
            Fallo::RutaDesconocida(r.resumen())
        }
        (StatusCode::LOCKED, None) => Fallo::CuentaBloqueada,
        (StatusCode::UNAUTHORIZED, None) => Fallo::SesionInvalida,
        _ => Fallo::Ilegible(r.resumen()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn ok(body: &str) -> Respuesta {
        Respuesta {
            status: StatusCode::OK,
            content_type: Some("application/json; charset=utf-8".into()),
            body: bytes::Bytes::copy_from_slice(body.as_bytes()),
        }
    }

    fn err(status: u16, codigo: &str) -> Respuesta {
        Respuesta {
            status: StatusCode::from_u16(status).unwrap(),
            content_type: None,
            body: format!(r#"{{"error": {{"codigo": "{codigo}", "mensaje": "x"}}}}"#).into(),
        }
    }

    #[test]
    fn parses_the_documented_detail() {
        let d = parse_detalle(&ok(r#"{
          "folio": "0623800160321", "tipo": "acceso", "institucion": "INAI",
          "descripcion": "Solicito el directorio de servidores públicos",
          "fecha_presentacion": "2021-08-26", "estado": "terminada",
          "prevencion": {"notificada": "2021-08-31", "desahogada": "2021-09-02"},
          "ampliacion": false,
          "respuestas": [
            {"tipo": "Entrega de información en medio electrónico", "fecha": "2021-09-20",
             "texto": "Línea 1\nLínea 2",
             "adjuntos": [{"id": "3-0-0", "nombre": "respuesta.pdf", "media_type": "application/pdf",
                           "tamano": 3, "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}]}
          ]}"#))
        .unwrap();
        assert_eq!(d.folio.to_string(), "0623800160321");
        assert_eq!(d.tipo, TipoSolicitud::AccesoInformacion);
        assert_eq!(d.prevencion.unwrap().desahogada, Some(date(2021, 9, 2)));
        assert_eq!(d.respuestas[0].tipo, TipoRespuesta::EntregaMedioElectronico);
        assert_eq!(d.respuestas[0].texto, "Línea 1\nLínea 2");
        assert_eq!(d.respuestas[0].adjuntos[0].id, "3-0-0");
        assert_eq!(d.respuestas[0].adjuntos[0].sha256, Sha256::of(b"abc"));
        assert_eq!(
            d.respuesta_final().map(|r| r.fecha),
            Some(date(2021, 9, 20))
        );
    }

    #[test]
    fn parses_a_list_page_and_tolerates_unknown_status_labels() {
        let p = parse_lista(&ok(r#"{"total": 12, "pagina": 1, "por_pagina": 50, "solicitudes": [
            {"folio": "A", "tipo": "acceso", "institucion": "x", "fecha_presentacion": "2021-08-26", "estado": "terminada"},
            {"folio": "B", "estado": "rara"}]}"#))
        .unwrap();
        assert_eq!(p.total, 12);
        assert_eq!(p.registros[0].estado, Some(EstadoSolicitud::Terminada));
        assert_eq!(p.registros[1].estado, None);
    }

    #[test]
    fn maps_error_codes() {
        assert_eq!(
            parse_login(&err(401, "credenciales_invalidas")),
            Err(Fallo::CredencialesInvalidas)
        );
        assert_eq!(
            parse_login(&err(423, "cuenta_bloqueada")),
            Err(Fallo::CuentaBloqueada)
        );
        assert_eq!(
            parse_lista(&err(401, "sesion_invalida")),
            Err(Fallo::SesionInvalida)
        );
        assert_eq!(
            parse_detalle(&err(404, "solicitud_no_encontrada")),
            Err(Fallo::NoEncontrado)
        );
        assert!(matches!(
            parse_login(&err(404, "ruta_desconocida")),
            Err(Fallo::RutaDesconocida(_))
        ));
        assert!(matches!(
            parse_lista(&ok("{\"total\": 1, \"solicitudes\": [")),
            Err(Fallo::Ilegible(_))
        ));
    }

    #[test]
    fn latin1_bytes_in_json_still_parse() {
        let mut body = br#"{"total": 1, "solicitudes": [{"folio": "Le"#.to_vec();
        body.push(0xf3);
        body.extend_from_slice(br#"n", "estado": "terminada"}]}"#);
        let r = Respuesta {
            body: body.into(),
            ..ok("")
        };
        assert_eq!(parse_lista(&r).unwrap().registros[0].folio, "León");
    }

    #[test]
    fn folios_are_one_path_segment() {
        assert_eq!(segmento("CDMX/UT/01234/2019"), "CDMX%2FUT%2F01234%2F2019");
    }
}
