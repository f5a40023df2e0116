//! The modern dialect: JSON, UTF-8, ISO dates.

use pnt_model::{Date, EstadoSolicitud, Folio, TipoSolicitud};
use serde::Serialize;

use super::{SimError, Wire};
use crate::AdjuntoFile;
use pnt_model::Solicitud;

pub(crate) const CONTENT_TYPE: &str = "application/json; charset=utf-8";

pub(crate) fn json(status: u16, value: &impl Serialize) -> Wire {
    Wire {
        status,
        content_type: CONTENT_TYPE.into(),
        headers: Vec::new(),
        body: serde_json::to_vec(value)
            .expect("simulator views serialize")
            .into(),
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorInner<'a>,
}

#[derive(Serialize)]
struct ErrorInner<'a> {
    codigo: &'a str,
    mensaje: String,
}

pub(crate) fn error(e: &SimError) -> Wire {
    let (status, codigo) = match e {
        SimError::CredencialesInvalidas => (401, "credenciales_invalidas"),
        SimError::CuentaBloqueada => (423, "cuenta_bloqueada"),
        SimError::SesionInvalida => (401, "sesion_invalida"),
        SimError::SolicitudNoEncontrada => (404, "solicitud_no_encontrada"),
        SimError::AdjuntoNoEncontrado => (404, "adjunto_no_encontrado"),
        SimError::PeticionInvalida(_) => (400, "peticion_invalida"),
        SimError::RutaDesconocida => (404, "ruta_desconocida"),
        SimError::JurisdiccionDesconocida => (404, "jurisdiccion_desconocida"),
        SimError::NoDisponible(status) => (*status, "servicio_no_disponible"),
        SimError::DemasiadasPeticiones(_) => (429, "demasiadas_peticiones"),
    };
    let mut wire = json(
        status,
        &ErrorBody {
            error: ErrorInner {
                codigo,
                mensaje: e.mensaje(),
            },
        },
    );
    if let SimError::DemasiadasPeticiones(secs) = e {
        wire.headers.push(("retry-after", secs.to_string()));
    }
    wire
}

#[derive(Serialize)]
struct Sesion<'a> {
    token: &'a str,
    expira_en_segundos: u64,
}

pub(crate) fn sesion(token: &str, segundos: u64) -> Wire {
    json(
        200,
        &Sesion {
            token,
            expira_en_segundos: segundos,
        },
    )
}

#[derive(Serialize)]
struct ListItem<'a> {
    folio: &'a Folio,
    tipo: TipoSolicitud,
    institucion: &'a str,
    fecha_presentacion: Date,
    estado: EstadoSolicitud,
}

#[derive(Serialize)]
struct ListPage<'a> {
    total: usize,
    pagina: u32,
    por_pagina: u32,
    solicitudes: Vec<ListItem<'a>>,
}

/// A list page; `estados` overrides the listed status per record (the `status_mismatch` fault).
pub(crate) fn lista(
    total: usize,
    pagina: u32,
    por_pagina: u32,
    records: &[(&Solicitud<AdjuntoFile>, EstadoSolicitud)],
) -> Wire {
    json(
        200,
        &ListPage {
            total,
            pagina,
            por_pagina,
            solicitudes: records
                .iter()
                .map(|(s, estado)| ListItem {
                    folio: &s.folio,
                    tipo: s.tipo,
                    institucion: &s.institucion,
                    fecha_presentacion: s.fecha_presentacion,
                    estado: *estado,
                })
                .collect(),
        },
    )
}

pub(crate) fn detalle(s: &Solicitud<AdjuntoFile>) -> Wire {
    json(200, s)
}
