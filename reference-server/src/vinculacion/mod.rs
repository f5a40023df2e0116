//! The linkage (vinculación): bring everything an Infomex account holds into the user's history,
//! lose nothing, duplicate nothing, and say exactly what could not be brought.
//!
//! 1. Refuse early when the user failed too many linkages lately.
//! 2. Take the account's lock, so concurrent linkages of one account run one after the other.
//! 3. Log in to Infomex (a refusal is final and counts as a failed attempt).
//! 4. Claim the account for the user; another owner means `vinculacion_de_otro_usuario`. The
//!    claim comes after the log-in so nobody can learn who linked an account without its
//!    password.
//! 5. Scan the list until it is stable (`escaneo`).
//! 6. For every folio: fetch the detail and every attachment not stored yet, verify each
//!    attachment's SHA-256, and store the solicitud whole (in batches, one transaction each) —
//!    or record it as pending with the reason. After a few solicitudes in a row fail because Infomex stopped
//!    responding, the rest are reported pending without being tried. Up to
//!    `InfomexConfig::concurrencia` solicitudes are fetched at once while the batch before is
//!    written, but they are judged, stored and reported in list order, so the result is the
//!    one of fetching them one by one.
//! 7. Whatever Infomex declared but never listed is pending too, without folio.

mod candados;
mod escaneo;
mod resultado;

use std::collections::HashSet;
use std::sync::Mutex;

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use pnt_model::{Adjunto, Jurisdiccion, Sha256, Solicitud};
use tokio::task::JoinHandle;

use crate::db::{self, Cambio, Migrada};
use crate::error::{ApiError, Intento};
use crate::infomex::{Fallo, Sesion};
use crate::state::AppState;

pub(crate) use candados::Candados;
pub(crate) use resultado::{
    EstadoVinculacion, Pendiente, ResultadoVinculacion, ResumenVinculacion,
};

/// Links `(j, usuario_infomex)` to the PNT user `usuario_id`.
pub(crate) async fn vincular(
    state: &AppState,
    usuario_id: i64,
    j: Jurisdiccion,
    usuario_infomex: String,
    contrasena: String,
) -> Result<ResultadoVinculacion, ApiError> {
    // Two counts: the PNT user's (no one guesses Infomex passwords through the PNT), and the
    // Infomex account's from every PNT user, kept below the Infomex's own lockout so that no
    // one can lock another person's Infomex account through the PNT.
    let clave = format!("vinculacion:{usuario_id}");
    let clave_infomex = format!(
        "vinculacion-infomex:{}:{}",
        j.slug(),
        usuario_infomex.trim().to_lowercase()
    );
    let limite = state.config().limite_vinculacion;
    let limite_infomex = state.config().limite_vinculacion_infomex;
    let demasiados = |segundos| ApiError::DemasiadosIntentos {
        que: Intento::Vinculacion,
        segundos,
    };
    let ahora = state.clock().now();
    state
        .limitador()
        .verificar(&clave, limite, ahora)
        .await?
        .map_err(demasiados)?;
    state
        .limitador()
        .verificar(&clave_infomex, limite_infomex, ahora)
        .await?
        .map_err(demasiados)?;
    let _candado = state.candados().tomar(j, &usuario_infomex).await?;
    let fallo = || async {
        let ahora = state.clock().now();
        state.limitador().fallo(&clave, limite, ahora).await?;
        state
            .limitador()
            .fallo(&clave_infomex, limite_infomex, ahora)
            .await
    };
    let sesion = match state
        .infomex()
        .iniciar(j, &usuario_infomex, contrasena)
        .await
    {
        Ok(s) => s,
        Err(f) => {
            tracing::info!(jurisdiccion = j.slug(), fallo = %f, "login en Infomex fallido");
            return Err(match f {
                Fallo::CredencialesInvalidas => {
                    fallo().await?;
                    ApiError::InfomexCredencialesInvalidas(j)
                }
                Fallo::CuentaBloqueada => {
                    fallo().await?;
                    ApiError::InfomexCuentaBloqueada(j)
                }
                Fallo::Ilegible(_) => ApiError::InfomexRespuestaInvalida(j),
                _ => ApiError::InfomexNoResponde(j),
            });
        }
    };
    // The right password: Infomex itself starts counting afresh, and so do both limits.
    state.limitador().limpiar(&clave).await?;
    state.limitador().limpiar(&clave_infomex).await?;
    let ahora = state.clock().now();
    let u = usuario_infomex.clone();
    let claim = state
        .db()
        .call(move |c| db::solicitudes::reclamar(c, usuario_id, j, &u, ahora))
        .await;
    let vinculacion_id = match claim {
        Ok(Ok(id)) => id,
        Ok(Err(_otro)) => {
            sesion.cerrar().await;
            return Err(ApiError::VinculacionDeOtroUsuario(j));
        }
        Err(e) => {
            sesion.cerrar().await;
            return Err(e.into());
        }
    };
    let resultado = migrar(
        state,
        &sesion,
        usuario_id,
        vinculacion_id,
        j,
        usuario_infomex,
    )
    .await;
    sesion.cerrar().await;
    resultado
}

async fn migrar(
    state: &AppState,
    sesion: &Sesion,
    usuario_id: i64,
    vinculacion_id: i64,
    j: Jurisdiccion,
    usuario_infomex: String,
) -> Result<ResultadoVinculacion, ApiError> {
    let config = state.infomex().config().clone();
    let escaneo = escaneo::escanear(sesion, config.max_escaneos)
        .await
        .map_err(|f| match f {
            Fallo::Ilegible(_) => ApiError::InfomexRespuestaInvalida(j),
            _ => ApiError::InfomexNoResponde(j),
        })?;
    let mut pendientes = Vec::new();
    let mut lote = Lote::default();
    let mut seguidos = 0u32;
    // Attachments some solicitud of this linkage took on to download; another solicitud that
    // declares the same bytes leaves them to it (see `completar`).
    let reclamados = Mutex::new(HashSet::new());
    // Folios judged so far, in list order; the rest were cut off.
    let mut juzgados = 0;
    if config.max_fallos_seguidos > 0 {
        // Up to `concurrencia` fetches in flight, yielded in list order, so every decision
        // below (the cut-off after failures in a row, the batches, the pending list) is taken
        // in the order a one-by-one fetch takes it.
        let limite = state.infomex().concurrencia() as usize;
        let mut siguientes = escaneo.folios.iter();
        let mut en_vuelo = FuturesOrdered::new();
        loop {
            while en_vuelo.len() < limite
                && let Some(folio) = siguientes.next()
            {
                en_vuelo.push_back(traer(state, sesion, j, folio, &reclamados));
            }
            let Some(traida) = en_vuelo.next().await else {
                break;
            };
            let folio = &escaneo.folios[juzgados];
            juzgados += 1;
            let traida = match traida {
                Ok(t) => completar(state, sesion, j, folio, t, &lote.provistos).await,
                Err(p) => Err(p),
            };
            match traida {
                Ok(migrada) => {
                    seguidos = 0;
                    lote.agregar(migrada);
                    if lote.lleno() {
                        lote.guardar(state, usuario_id, vinculacion_id, j).await?;
                    }
                }
                Err(p) => {
                    if p.codigo == "infomex_no_responde" {
                        seguidos += 1;
                    } else {
                        seguidos = 0;
                    }
                    tracing::warn!(folio = %folio, codigo = %p.codigo, "solicitud pendiente");
                    pendientes.push(p);
                    if seguidos >= config.max_fallos_seguidos {
                        // Dropping `en_vuelo` cancels the fetches still in flight.
                        break;
                    }
                }
            }
        }
    }
    for folio in &escaneo.folios[juzgados..] {
        pendientes.push(resultado::lista_interrumpida(j, Some(folio.clone())));
    }
    lote.terminar(state, usuario_id, vinculacion_id, j).await?;
    let (nuevas, actualizadas) = (lote.nuevas, lote.actualizadas);
    let faltan = escaneo
        .total_declarado
        .saturating_sub(escaneo.folios.len() as u64);
    for _ in 0..faltan {
        pendientes.push(if escaneo.interrumpido.is_some() {
            resultado::lista_interrumpida(j, None)
        } else {
            resultado::no_listada(
                j,
                escaneo.total_declarado,
                escaneo.folios.len(),
                escaneo.escaneos,
            )
        });
    }
    let estado = if pendientes.is_empty() {
        EstadoVinculacion::Completa
    } else {
        EstadoVinculacion::Incompleta
    };
    let pendientes_json = serde_json::to_string(&pendientes).expect("pendientes serialize");
    let ahora = state.clock().now();
    let (solicitudes, respuestas, adjuntos) = state
        .db()
        .call(move |c| {
            db::solicitudes::cerrar(c, vinculacion_id, estado.slug(), &pendientes_json, ahora)?;
            db::solicitudes::conteos(c, vinculacion_id)
        })
        .await?;
    tracing::info!(
        jurisdiccion = j.slug(),
        estado = estado.slug(),
        solicitudes,
        nuevas,
        actualizadas,
        pendientes = pendientes.len(),
        "vinculación terminada"
    );
    Ok(ResultadoVinculacion {
        jurisdiccion: j.slug().to_owned(),
        usuario_infomex,
        estado,
        mensaje: resultado::mensaje(j, estado, solicitudes, pendientes.len()),
        solicitudes,
        respuestas,
        adjuntos,
        nuevas,
        actualizadas,
        pendientes,
    })
}

/// Solicitudes fetched whole and not written yet. Written in one transaction when 64 are
/// waiting or their attachments reach 4 MiB, and at the end. The byte bound is what a linkage
/// holds in memory (this batch and the one being written): with 16 MiB, 50 linkages at once
/// held about 1.6 GB of attachments, and smaller batches did not make a linkage slower
/// (docs/performance.md). A batch is written while the
/// next one is fetched; batches are written one at a time, in list order.
#[derive(Debug, Default)]
struct Lote {
    items: Vec<Migrada>,
    bytes: usize,
    /// Digests of every attachment this linkage fetched for a solicitud it accepted (waiting
    /// here, being written or written), so a solicitud that left the same bytes to another
    /// one knows they will be stored.
    provistos: HashSet<Sha256>,
    /// The batch being written.
    escritura: Option<JoinHandle<db::DbResult<Vec<Cambio>>>>,
    nuevas: u64,
    actualizadas: u64,
}

impl Lote {
    const MAX_SOLICITUDES: usize = 64;
    const MAX_BYTES: usize = 4 << 20;

    fn agregar(&mut self, m: Migrada) {
        for (sha, bytes) in &m.blobs {
            self.bytes += bytes.len();
            self.provistos.insert(*sha);
        }
        self.items.push(m);
    }

    fn lleno(&self) -> bool {
        self.items.len() >= Self::MAX_SOLICITUDES || self.bytes >= Self::MAX_BYTES
    }

    /// Waits for the batch being written, then starts writing the waiting one in the
    /// background (on the database's blocking pool).
    async fn guardar(
        &mut self,
        state: &AppState,
        usuario_id: i64,
        vinculacion_id: i64,
        j: Jurisdiccion,
    ) -> Result<(), ApiError> {
        if self.items.is_empty() {
            return Ok(());
        }
        self.esperar_escritura().await?;
        let items = std::mem::take(&mut self.items);
        self.bytes = 0;
        let state = state.clone();
        self.escritura = Some(tokio::spawn(async move {
            state
                .db()
                .call(move |c| db::solicitudes::guardar(c, usuario_id, vinculacion_id, j, &items))
                .await
        }));
        Ok(())
    }

    /// Writes what is waiting and waits until every batch is written.
    async fn terminar(
        &mut self,
        state: &AppState,
        usuario_id: i64,
        vinculacion_id: i64,
        j: Jurisdiccion,
    ) -> Result<(), ApiError> {
        self.guardar(state, usuario_id, vinculacion_id, j).await?;
        self.esperar_escritura().await
    }

    async fn esperar_escritura(&mut self) -> Result<(), ApiError> {
        let Some(escritura) = self.escritura.take() else {
            return Ok(());
        };
        let cambios = escritura.await.map_err(|_| db::DbError::Panico)??;
        for cambio in cambios {
            match cambio {
                Cambio::Nueva => self.nuevas += 1,
                Cambio::Actualizada => self.actualizadas += 1,
                Cambio::SinCambios => {}
            }
        }
        Ok(())
    }
}

/// One solicitud as fetched, before it is judged in list order.
struct Traida {
    detalle: Solicitud,
    blobs: Vec<(Sha256, Bytes)>,
    /// Attachments not fetched because another solicitud of this linkage took them on, with
    /// their position among the detail's attachments.
    dejados: Vec<(usize, Adjunto)>,
    /// The first of its own attachments that could not be downloaded (position and reason);
    /// the downloads stopped there. Judged in `completar`, because a one-by-one fetch would
    /// have met a failing attachment left to another solicitud first, if it comes earlier.
    fallo: Option<(usize, Pendiente)>,
}

/// Fetches one solicitud: its detail and the bytes of every attachment neither stored yet nor
/// taken on by another solicitud of this linkage.
async fn traer(
    state: &AppState,
    sesion: &Sesion,
    j: Jurisdiccion,
    folio: &str,
    reclamados: &Mutex<HashSet<Sha256>>,
) -> Result<Traida, Pendiente> {
    let detalle = sesion.detalle(folio).await.map_err(|f| match f {
        Fallo::NoResponde { .. } => resultado::lista_interrumpida(j, Some(folio.to_owned())),
        _ => resultado::detalle_no_disponible(j, folio),
    })?;
    let mut blobs: Vec<(Sha256, Bytes)> = Vec::new();
    let mut dejados = Vec::new();
    let mut propios = Vec::new();
    for (k, a) in detalle.adjuntos().enumerate() {
        if propios.contains(&a.sha256) {
            continue;
        }
        let nuevo = reclamados
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(a.sha256);
        if nuevo {
            propios.push(a.sha256);
        } else {
            dejados.push((k, a.clone()));
        }
    }
    // One query for the whole solicitud: each is a turn of the database, which may be writing
    // the batch before.
    let guardados = if propios.is_empty() {
        Vec::new()
    } else {
        let shas = propios.clone();
        state
            .db()
            .call(move |c| {
                shas.iter()
                    .map(|sha| db::solicitudes::tiene_blob(c, sha))
                    .collect::<db::DbResult<Vec<bool>>>()
            })
            .await
            .unwrap_or_default()
    };
    let mut fallo = None;
    for (posicion, a) in detalle.adjuntos().enumerate() {
        let Some(k) = propios.iter().position(|s| *s == a.sha256) else {
            continue;
        };
        if guardados.get(k).copied().unwrap_or(false) || blobs.iter().any(|(s, _)| *s == a.sha256) {
            continue;
        }
        match bajar(sesion, j, folio, a).await {
            Ok(bytes) => blobs.push((a.sha256, bytes)),
            Err(p) => {
                fallo = Some((posicion, p));
                break;
            }
        }
    }
    Ok(Traida {
        detalle,
        blobs,
        dejados,
        fallo,
    })
}

/// Makes a fetched solicitud whole, judged in list order: an attachment it left to another
/// solicitud that was not accepted (pending, cut off, or later in the list) is fetched now,
/// unless it is stored already — exactly what a one-by-one fetch would have fetched.
async fn completar(
    state: &AppState,
    sesion: &Sesion,
    j: Jurisdiccion,
    folio: &str,
    t: Traida,
    provistos: &HashSet<Sha256>,
) -> Result<Migrada, Pendiente> {
    let Traida {
        detalle,
        mut blobs,
        dejados,
        fallo,
    } = t;
    for (posicion, a) in dejados {
        // A one-by-one fetch stops at the first attachment that fails, in the detail's order.
        if fallo.as_ref().is_some_and(|(f, _)| *f < posicion) {
            break;
        }
        let sha = a.sha256;
        if provistos.contains(&sha) || blobs.iter().any(|(s, _)| *s == sha) {
            continue;
        }
        let stored = state
            .db()
            .call(move |c| db::solicitudes::tiene_blob(c, &sha))
            .await
            .unwrap_or(false);
        if !stored {
            blobs.push((sha, bajar(sesion, j, folio, &a).await?));
        }
    }
    if let Some((_, p)) = fallo {
        return Err(p);
    }
    let derivados = state.reglas().derivados(j, &detalle);
    Ok(Migrada {
        detalle,
        derivados,
        blobs,
    })
}

/// Downloads one attachment of `folio`, verified; a failure is the solicitud's pending reason.
async fn bajar(
    sesion: &Sesion,
    j: Jurisdiccion,
    folio: &str,
    a: &Adjunto,
) -> Result<Bytes, Pendiente> {
    match sesion.adjunto(&a.id, &a.sha256).await {
        Ok(bytes) => Ok(bytes),
        Err(Fallo::Checksum { .. }) => Err(resultado::adjunto_checksum_invalido(folio, &a.nombre)),
        Err(Fallo::NoResponde { .. }) => {
            Err(resultado::lista_interrumpida(j, Some(folio.to_owned())))
        }
        Err(_) => Err(resultado::adjunto_no_disponible(folio, &a.nombre)),
    }
}
