//! Mi Historial, Detalles, attachments and quejas — shared by the JSON API and the HTML pages.
//! Every lookup is by (user, key): another user's data answers exactly like absent data.

use jiff::civil::Date;
use pnt_model::{FilaCalculada, MotivoVentana, Semaforo, TipoSolicitud};

use crate::db::{
    self, AdjuntoGuardado, DetalleGuardado, NuevaQueja, QuejaGuardada, SolicitudGuardada,
};
use crate::dto::{
    AdjuntoDto, DetalleDto, FilaDto, HistorialConsulta, HistorialDto, PrevencionDto, QuejaDto,
    RespuestaDto, VentanaDto,
};
use crate::error::ApiError;
use crate::reglas::Reglas;
use crate::state::AppState;

/// Mi Historial's filters, parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Filtros {
    pub(crate) semaforo: Option<Semaforo>,
    pub(crate) tipo: Option<TipoSolicitud>,
    pub(crate) pagina: u32,
    pub(crate) por_pagina: u32,
}

/// Mi Historial's rows per page when the request names none.
pub(crate) const POR_PAGINA: u32 = 20;

impl Filtros {
    pub(crate) fn parse(q: &HistorialConsulta) -> Result<Filtros, ApiError> {
        // A parameter given is read exactly as written: an empty one (`?pagina=`) or one with
        // spaces is refused rather than taken as absent, so the API accepts exactly what its
        // OpenAPI describes (schemathesis checks both ways in CI).
        let dado = |campo: &str, o: &Option<String>| -> Result<Option<String>, ApiError> {
            match o.as_deref() {
                None => Ok(None),
                Some("") => Err(ApiError::DatosInvalidos(format!(
                    "«{campo}» está vacío: quítelo de la consulta o dele un valor."
                ))),
                Some(v) => Ok(Some(v.to_owned())),
            }
        };
        let semaforo = dado("semaforo", &q.semaforo)?
            .map(|s| {
                Semaforo::parse(&s).ok_or_else(|| {
                    ApiError::DatosInvalidos(format!(
                        "El filtro «semaforo» debe ser en_tiempo, en_alerta o fuera_de_tiempo, no «{s}»."
                    ))
                })
            })
            .transpose()?;
        let tipo = dado("tipo", &q.tipo)?
            .map(|t| {
                TipoSolicitud::parse(&t).ok_or_else(|| {
                    ApiError::DatosInvalidos(format!(
                        "El filtro «tipo» debe ser acceso o datos-personales, no «{t}»."
                    ))
                })
            })
            .transpose()?;
        let numero =
            |campo: &str, v: Option<String>, defecto: u32, max: u32| -> Result<u32, ApiError> {
                match v {
                    None => Ok(defecto),
                    Some(s) => Some(&s)
                        .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
                        .and_then(|s| s.parse::<u32>().ok())
                        .filter(|n| (1..=max).contains(n))
                        .ok_or_else(|| {
                            ApiError::DatosInvalidos(format!(
                                "«{campo}» debe ser un número entero de 1 a {max}, no «{s}»."
                            ))
                        }),
                }
            };
        Ok(Filtros {
            semaforo,
            tipo,
            pagina: numero("pagina", dado("pagina", &q.pagina)?, 1, 1_000_000)?,
            por_pagina: numero(
                "por_pagina",
                dado("por_pagina", &q.por_pagina)?,
                POR_PAGINA,
                100,
            )?,
        })
    }
}

pub(crate) async fn historial(
    state: &AppState,
    usuario_id: i64,
    f: Filtros,
) -> Result<HistorialDto, ApiError> {
    let hoy = state.clock().hoy();
    // One value of the rules for the whole page: the filter and every row agree even if the
    // `calendarios` hook changes them meanwhile, and the lock is taken once, not per row.
    let reglas = state.reglas();
    let filtro = f.semaforo.map(|semaforo| reglas.filtro(semaforo, hoy));
    let desplazamiento = u64::from(f.pagina - 1) * u64::from(f.por_pagina);
    let pagina = state
        .db()
        .call(move |c| {
            db::historial::pagina(c, usuario_id, filtro, f.tipo, f.por_pagina, desplazamiento)
        })
        .await?;
    let solicitudes: Vec<FilaDto> = pagina
        .filas
        .iter()
        .map(|fila| fila_dto(&reglas, fila, hoy).0)
        .collect();
    Ok(HistorialDto {
        hoy,
        total: pagina.total,
        pagina: f.pagina,
        por_pagina: f.por_pagina,
        leyenda: format!(
            "Mostrando {} de {} solicitudes",
            solicitudes.len(),
            pagina.total
        ),
        solicitudes,
    })
}

fn fila_dto(reglas: &Reglas, g: &SolicitudGuardada, hoy: Date) -> (FilaDto, FilaCalculada) {
    let s = &g.solicitud;
    let e = reglas.evaluar(s, hoy);
    let abierta = e.queja_abierta(hoy);
    let jurisdiccion = s.jurisdiccion();
    (
        FilaDto {
            folio: s.folio.to_string(),
            tipo: s.tipo.slug().to_owned(),
            jurisdiccion: jurisdiccion.slug().to_owned(),
            estado_o_federacion: jurisdiccion.nombre().to_owned(),
            institucion: s.institucion.clone(),
            fecha_recepcion_oficial: e.recepcion_oficial,
            fecha_limite_entrega: e.fecha_limite,
            semaforo: e.semaforo.slug().to_owned(),
            estado: s.estado.slug().to_owned(),
            descripcion: s.descripcion.clone(),
            queja_disponible: abierta && g.queja.is_none(),
            queja_folio: g.queja.clone(),
        },
        e,
    )
}

pub(crate) async fn detalle(
    state: &AppState,
    usuario_id: i64,
    folio: String,
) -> Result<DetalleDto, ApiError> {
    let hoy = state.clock().hoy();
    let d = state
        .db()
        .call(move |c| db::historial::detalle(c, usuario_id, &folio))
        .await?
        .ok_or(ApiError::SolicitudNoEncontrada)?;
    Ok(detalle_dto(state, d, hoy))
}

fn detalle_dto(state: &AppState, d: DetalleGuardado, hoy: Date) -> DetalleDto {
    let (fila, e) = fila_dto(&state.reglas(), &d.guardada, hoy);
    let s = d.guardada.solicitud;
    DetalleDto {
        fila,
        fecha_presentacion: s.fecha_presentacion,
        prevencion: s.prevencion.map(|p| PrevencionDto {
            notificada: p.notificada,
            desahogada: p.desahogada,
        }),
        ampliacion: s.ampliacion,
        respuestas: s
            .respuestas
            .into_iter()
            .map(|r| RespuestaDto {
                tipo: r.tipo.texto().to_owned(),
                fecha: r.fecha,
                texto: r.texto,
                adjuntos: r.adjuntos.into_iter().map(adjunto_dto).collect(),
            })
            .collect(),
        queja: e.ventana_queja.map(|v| VentanaDto {
            disponible: v.abierta(hoy),
            desde: v.desde,
            hasta: v.hasta,
            motivo: match v.motivo {
                MotivoVentana::Respuesta => "respuesta",
                MotivoVentana::FaltaDeRespuesta => "falta_de_respuesta",
            }
            .to_owned(),
        }),
        quejas: d.quejas.into_iter().map(queja_dto).collect(),
    }
}

pub(crate) fn adjunto_dto(a: AdjuntoGuardado) -> AdjuntoDto {
    AdjuntoDto {
        id: a.id,
        nombre: a.nombre,
        media_type: a.media_type,
        tamano: a.tamano,
        sha256: a.sha256.to_string(),
    }
}

pub(crate) fn queja_dto(q: QuejaGuardada) -> QuejaDto {
    QuejaDto {
        folio: q.folio,
        folio_solicitud: q.folio_solicitud,
        fecha: q.fecha,
        motivo: q.motivo,
    }
}

/// An attachment of the user's with its bytes.
pub(crate) async fn adjunto(
    state: &AppState,
    usuario_id: i64,
    id: &str,
) -> Result<(AdjuntoGuardado, Vec<u8>), ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::AdjuntoNoEncontrado)?;
    state
        .db()
        .call(move |c| db::historial::adjunto(c, usuario_id, id))
        .await?
        .ok_or(ApiError::AdjuntoNoEncontrado)
}

/// Files a queja against the user's solicitud, if its window is open today.
pub(crate) async fn interponer_queja(
    state: &AppState,
    usuario_id: i64,
    folio: String,
    motivo: &str,
) -> Result<QuejaDto, ApiError> {
    let motivo = motivo.trim().to_owned();
    if motivo.is_empty() || motivo.chars().count() > 4000 {
        return Err(ApiError::DatosInvalidos(
            "El campo «motivo» debe explicar la queja en 1 a 4000 caracteres.".to_owned(),
        ));
    }
    let hoy = state.clock().hoy();
    let buscado = folio.clone();
    let guardada = state
        .db()
        .call(move |c| db::historial::solicitud(c, usuario_id, &buscado))
        .await?
        .ok_or(ApiError::SolicitudNoEncontrada)?;
    let e = state.reglas().evaluar(&guardada.solicitud, hoy);
    let fecha = |d: Date| d.strftime("%d/%m/%Y").to_string();
    match e.ventana_queja {
        None => {
            return Err(ApiError::QuejaFueraDePlazo(format!(
                "Todavía no se puede interponer una queja contra la solicitud {folio}: su plazo de \
                 respuesta no corre (tiene una prevención sin desahogar o se tuvo por no \
                 presentada), así que no hay respuesta ni falta de respuesta que recurrir."
            )));
        }
        Some(v) if hoy < v.desde => {
            return Err(ApiError::QuejaFueraDePlazo(format!(
                "El plazo para interponer una queja contra la solicitud {folio} abre el {}, el \
                 día siguiente a su fecha límite si sigue sin respuesta. Intente de nuevo a \
                 partir de ese día.",
                fecha(v.desde)
            )));
        }
        Some(v) if hoy > v.hasta => {
            return Err(ApiError::QuejaFueraDePlazo(format!(
                "El plazo de 15 días hábiles para interponer una queja contra la solicitud \
                 {folio} venció el {}. Ya no es posible interponerla.",
                fecha(v.hasta)
            )));
        }
        Some(_) => {}
    }
    let folio_solicitud = guardada.solicitud.folio.to_string();
    let jurisdiccion = guardada.solicitud.jurisdiccion();
    let creada = state
        .db()
        .call(move |c| {
            db::quejas::crear(
                c,
                &NuevaQueja {
                    solicitud_id: guardada.id,
                    folio_solicitud: &folio_solicitud,
                    jurisdiccion,
                    fecha: hoy,
                    motivo: &motivo,
                },
            )
        })
        .await?;
    match creada {
        Ok(q) => Ok(queja_dto(q)),
        Err(existente) => Err(ApiError::QuejaDuplicada(format!(
            "Ya interpuso la queja {} contra la solicitud {folio} el {}. Solo se admite una queja \
             por solicitud; consúltela en Mis quejas.",
            existente.folio,
            fecha(existente.fecha)
        ))),
    }
}

pub(crate) async fn quejas(state: &AppState, usuario_id: i64) -> Result<Vec<QuejaDto>, ApiError> {
    let lista = state
        .db()
        .call(move |c| db::quejas::de_usuario(c, usuario_id))
        .await?;
    Ok(lista.into_iter().map(queja_dto).collect())
}
