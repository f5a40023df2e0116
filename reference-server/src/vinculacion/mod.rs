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
//!    responding, the rest are reported pending without being tried.
//! 7. Whatever Infomex declared but never listed is pending too, without folio.

mod candados;
mod escaneo;
mod resultado;

use std::collections::HashSet;

use bytes::Bytes;
use pnt_model::{Jurisdiccion, Sha256, Solicitud};

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
    let mut sesion = match state
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
        &mut sesion,
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
    sesion: &mut Sesion,
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
    for folio in &escaneo.folios {
        if seguidos >= config.max_fallos_seguidos {
            pendientes.push(resultado::lista_interrumpida(j, Some(folio.clone())));
            continue;
        }
        match traer(state, sesion, j, folio, &lote.hashes).await {
            Ok((detalle, blobs)) => {
                seguidos = 0;
                let derivados = state.reglas().derivados(j, &detalle);
                lote.agregar(Migrada {
                    detalle,
                    derivados,
                    blobs,
                });
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
            }
        }
    }
    lote.guardar(state, usuario_id, vinculacion_id, j).await?;
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
/// waiting or their attachments reach 16 MiB, and at the end.
#[derive(Debug, Default)]
struct Lote {
    items: Vec<Migrada>,
    bytes: usize,
    /// Digests of the attachment bytes waiting in `items`, so they are not fetched twice.
    hashes: HashSet<Sha256>,
    nuevas: u64,
    actualizadas: u64,
}

impl Lote {
    const MAX_SOLICITUDES: usize = 64;
    const MAX_BYTES: usize = 16 << 20;

    fn agregar(&mut self, m: Migrada) {
        for (sha, bytes) in &m.blobs {
            self.bytes += bytes.len();
            self.hashes.insert(*sha);
        }
        self.items.push(m);
    }

    fn lleno(&self) -> bool {
        self.items.len() >= Self::MAX_SOLICITUDES || self.bytes >= Self::MAX_BYTES
    }

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
        let items = std::mem::take(&mut self.items);
        self.bytes = 0;
        self.hashes.clear();
        let cambios = state
            .db()
            .call(move |c| db::solicitudes::guardar(c, usuario_id, vinculacion_id, j, &items))
            .await?;
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

/// Fetches one solicitud whole: its detail and the bytes of every attachment not stored yet.
async fn traer(
    state: &AppState,
    sesion: &mut Sesion,
    j: Jurisdiccion,
    folio: &str,
    en_lote: &HashSet<Sha256>,
) -> Result<(Solicitud, Vec<(Sha256, Bytes)>), Pendiente> {
    let detalle = sesion.detalle(folio).await.map_err(|f| match f {
        Fallo::NoResponde { .. } => resultado::lista_interrumpida(j, Some(folio.to_owned())),
        _ => resultado::detalle_no_disponible(j, folio),
    })?;
    let mut blobs: Vec<(Sha256, Bytes)> = Vec::new();
    for a in detalle.adjuntos() {
        let sha = a.sha256;
        if en_lote.contains(&sha) || blobs.iter().any(|(s, _)| *s == sha) {
            continue;
        }
        let stored = state
            .db()
            .call(move |c| db::solicitudes::tiene_blob(c, &sha))
            .await
            .unwrap_or(false);
        if stored {
            continue;
        }
        match sesion.adjunto(&a.id, &sha).await {
            Ok(bytes) => blobs.push((sha, bytes)),
            Err(Fallo::Checksum { .. }) => {
                return Err(resultado::adjunto_checksum_invalido(folio, &a.nombre));
            }
            Err(Fallo::NoResponde { .. }) => {
                return Err(resultado::lista_interrumpida(j, Some(folio.to_owned())));
            }
            Err(_) => return Err(resultado::adjunto_no_disponible(folio, &a.nombre)),
        }
    }
    Ok((detalle, blobs))
}
