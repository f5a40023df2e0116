//! Accounts: a pure function of (seed, jurisdiction, usuario), generated on demand.
//!
//! Every account has its own ChaCha20 stream seeded from SHA-256("{seed}:{slug}:{usuario}"), and
//! every solicitud its own sub-stream, so an account never depends on which accounts were asked
//! for before it, nor a solicitud on the others.

use pnt_model::{
    Calendario, Computo, Date, EstadoSolicitud, Folio, Jurisdiccion, Plazo, Prevencion, Respuesta,
    Sha256, Solicitud, Terminos, TipoRespuesta, TipoSolicitud,
};
use rand::distr::{Distribution, Uniform};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256 as Sha256Hasher};

use std::sync::Arc;

use crate::attachment::{AdjuntoFile, BytesSource, Documento};
use crate::corpus::Corpus;

/// The last day Infomex recorded anything: SISAI 2.0 started on 13 September 2021, and the
/// Friday before is the last working day of the Infomex era.
pub const FIN_INFOMEX: Date = jiff::civil::date(2021, 9, 10);

/// The first filing date generated.
const INICIO: Date = jiff::civil::date(2008, 1, 1);

/// An Infomex account and everything it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cuenta {
    pub jurisdiccion: Jurisdiccion,
    pub usuario: String,
    pub contrasena: String,
    /// The requester's name as Infomex registered it.
    pub nombre: String,
    pub bloqueada: bool,
    /// Newest first (filing date, then folio).
    pub solicitudes: Vec<Generated>,
}

/// One solicitud the simulator holds (generated from the seed, configured, or appeared through
/// `page_drift`): the model's solicitud, with attachments that know how to make their bytes,
/// beside what only the simulator needs. Serialized as the solicitud alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Generated {
    /// Stable position in the account's generation order; attachment ids are built from it.
    #[serde(skip)]
    pub idx: u32,
    #[serde(flatten)]
    pub solicitud: Solicitud<AdjuntoFile>,
}

/// A held solicitud reads as its solicitud (`g.folio`, `g.respuestas`): the index is the only
/// thing beside it.
impl std::ops::Deref for Generated {
    type Target = Solicitud<AdjuntoFile>;

    fn deref(&self) -> &Solicitud<AdjuntoFile> {
        &self.solicitud
    }
}

impl Generated {
    /// The solicitud as every API shows it, each attachment's SHA-256 computed from its bytes.
    pub fn to_model(&self) -> Solicitud {
        self.solicitud.map_adjuntos(AdjuntoFile::adjunto)
    }
}

/// What a configured account says (config file, admin API, scenario).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CuentaConfig {
    pub jurisdiccion: Jurisdiccion,
    pub usuario: String,
    pub contrasena: String,
    /// How many solicitudes to generate from the account's own stream.
    #[serde(default)]
    pub generar: u32,
    #[serde(default)]
    pub bloqueada: bool,
    /// Explicit solicitudes, added to the generated ones: the model's solicitud, each attachment
    /// declared by what to serve instead of by its checksum.
    #[serde(default)]
    pub solicitudes: Vec<Solicitud<AdjuntoConfig>>,
}

impl CuentaConfig {
    /// A configured account with `generar` generated solicitudes.
    pub fn new(
        jurisdiccion: Jurisdiccion,
        usuario: impl Into<String>,
        contrasena: impl Into<String>,
    ) -> CuentaConfig {
        CuentaConfig {
            jurisdiccion,
            usuario: usuario.into(),
            contrasena: contrasena.into(),
            generar: 0,
            bloqueada: false,
            solicitudes: Vec::new(),
        }
    }

    pub fn generar(mut self, n: u32) -> CuentaConfig {
        self.generar = n;
        self
    }

    pub fn bloqueada(mut self, bloqueada: bool) -> CuentaConfig {
        self.bloqueada = bloqueada;
        self
    }

    pub fn solicitud(mut self, s: Solicitud<AdjuntoConfig>) -> CuentaConfig {
        self.solicitudes.push(s);
        self
    }
}

/// An explicit attachment, the configuration's edge: its text `contenido`, or `tamano` generated
/// bytes (1024 when neither is given). The simulator turns it into an [`AdjuntoFile`], and so
/// into the model's `Adjunto`, whose id and checksum it computes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjuntoConfig {
    pub nombre: String,
    pub media_type: String,
    #[serde(default)]
    pub tamano: Option<u64>,
    #[serde(default)]
    pub contenido: Option<String>,
}

/// Whether `usuario` names a procedural account: `ciudadano` and 1 to 9 digits.
pub fn es_procedural(usuario: &str) -> bool {
    usuario
        .strip_prefix("ciudadano")
        .is_some_and(|d| (1..=9).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

/// The key every random stream of an account derives from.
pub(crate) fn account_key(seed: u64, j: Jurisdiccion, usuario: &str) -> [u8; 32] {
    Sha256Hasher::digest(format!("{seed}:{}:{usuario}", j.slug()).as_bytes()).into()
}

/// The password of a procedural account: "clave-" and the first 12 hex digits of
/// SHA-256("{seed}:{slug}:{usuario}").
pub fn procedural_password(seed: u64, j: Jurisdiccion, usuario: &str) -> String {
    let key = account_key(seed, j, usuario);
    format!("clave-{}", &Sha256(key).to_string()[..12])
}

fn sub_key(key: &[u8; 32], parts: &[u32]) -> [u8; 32] {
    let mut h = Sha256Hasher::new();
    h.update(key);
    for p in parts {
        h.update(p.to_le_bytes());
    }
    h.finalize().into()
}

/// Generates the account (seed, j, usuario). `configured` overrides the password, the lock and
/// the number of solicitudes, and adds explicit ones.
pub fn generate(
    seed: u64,
    j: Jurisdiccion,
    usuario: &str,
    configured: Option<&CuentaConfig>,
) -> Cuenta {
    let key = account_key(seed, j, usuario);
    let mut rng = ChaCha20Rng::from_seed(key);
    let corpus = Corpus::get();
    let nombre = format!(
        "{} {} {}",
        pick(&mut rng, &corpus.nombres),
        pick(&mut rng, &corpus.apellidos),
        pick(&mut rng, &corpus.apellidos)
    );
    let count = match configured {
        Some(c) => c.generar,
        None => procedural_count(&mut rng),
    };
    let mut solicitudes: Vec<Generated> = (0..count)
        .map(|i| generate_solicitud(j, &key, i, count))
        .collect();
    if let Some(c) = configured {
        for (k, s) in c.solicitudes.iter().enumerate() {
            let idx = count + k as u32;
            solicitudes.retain(|existing| existing.solicitud.folio != s.folio);
            solicitudes.push(explicit_solicitud(&key, idx, s));
        }
    }
    sort_newest_first(&mut solicitudes);
    Cuenta {
        jurisdiccion: j,
        usuario: usuario.to_owned(),
        contrasena: configured.map_or_else(
            || procedural_password(seed, j, usuario),
            |c| c.contrasena.clone(),
        ),
        nombre,
        bloqueada: configured.is_some_and(|c| c.bloqueada),
        solicitudes,
    }
}

pub(crate) fn sort_newest_first(solicitudes: &mut [Generated]) {
    solicitudes.sort_by(|a, b| {
        let (a, b) = (&a.solicitud, &b.solicitud);
        b.fecha_presentacion
            .cmp(&a.fecha_presentacion)
            .then_with(|| a.folio.to_string().cmp(&b.folio.to_string()))
    });
}

/// 0 to 40 solicitudes, most accounts holding 3 to 15.
fn procedural_count(rng: &mut ChaCha20Rng) -> u32 {
    // Inclusive ranges are drawn through `Uniform::sample`, as `fake` drew them, not through
    // `random_range(a..=b)`: the two agree on almost every draw but reject biased draws
    // differently, so a rare seed's accounts would change.
    let inclusive = |rng: &mut ChaCha20Rng, low: u32, high: u32| {
        Uniform::new_inclusive(low, high)
            .expect("a non-empty range")
            .sample(rng)
    };
    match rng.random_range(0..100u32) {
        0..5 => 0,
        5..15 => rng.random_range(1..3u32),
        15..85 => inclusive(rng, 3, 15),
        85..95 => inclusive(rng, 16, 30),
        _ => inclusive(rng, 31, 40),
    }
}

fn pick<'a, T>(rng: &mut ChaCha20Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// The `i`-th of `count` generated solicitudes of the account with key `key`.
pub(crate) fn generate_solicitud(j: Jurisdiccion, key: &[u8; 32], i: u32, count: u32) -> Generated {
    let mut rng = ChaCha20Rng::from_seed(sub_key(key, &[i]));
    let corpus = Corpus::get();
    let cal = Calendario::lft();

    let tipo = if rng.random_bool(0.85) {
        TipoSolicitud::AccesoInformacion
    } else {
        TipoSolicitud::DatosPersonales
    };
    let instituciones = corpus.instituciones(j);
    let inst_idx = rng.random_range(0..instituciones.len());
    let descripcion = match tipo {
        TipoSolicitud::AccesoInformacion => pick(&mut rng, &corpus.solicitudes_acceso),
        TipoSolicitud::DatosPersonales => pick(&mut rng, &corpus.solicitudes_datos),
    }
    .to_string();

    // One in ten is recent and still running when Infomex closed, so Mi Historial shows every
    // semáforo colour for a clock set in September 2021.
    let span_days = if rng.random_bool(0.10) {
        (FIN_INFOMEX - jiff::civil::date(2021, 7, 15)).get_days()
    } else {
        (FIN_INFOMEX - INICIO).get_days()
    };
    let back: i32 = rng.random_range(0..=span_days);
    let fecha_presentacion = FIN_INFOMEX
        .checked_sub(jiff::Span::new().days(back))
        .expect("date in range");

    let folio = folio_for(j, inst_idx, i, count, fecha_presentacion.year(), &mut rng);
    let terminos = Terminos::de(j, tipo);
    let recepcion = cal.habil_desde(fecha_presentacion);
    let origen = Origen {
        key,
        i,
        folio: &folio,
        institucion: instituciones[inst_idx],
    };
    let within_era = |d: Date| d <= FIN_INFOMEX;

    let mut respuestas = Vec::new();
    let mut prevencion = None;
    let mut ampliacion = false;
    let roll = rng.random_range(0..100u32);
    if roll < 10 {
        let notificada =
            cal.sumar_dias_habiles(recepcion, rng.random_range(1..=terminos.prevencion));
        if within_era(notificada) {
            let desahogada = rng
                .random_bool(0.7)
                .then(|| {
                    cal.sumar_dias_habiles(notificada, rng.random_range(1..=terminos.desahogo))
                })
                .filter(|d| within_era(*d));
            prevencion = Some(Prevencion {
                notificada,
                desahogada,
            });
            respuestas.push(respuesta(
                &mut rng,
                &origen,
                0,
                TipoRespuesta::RequerimientoInformacionAdicional,
                notificada,
            ));
        }
    } else if roll < 22 {
        let fecha = cal.sumar_dias_habiles(recepcion, rng.random_range(10..terminos.respuesta));
        if within_era(fecha) {
            ampliacion = true;
            respuestas.push(respuesta(
                &mut rng,
                &origen,
                0,
                TipoRespuesta::NotificacionProrroga,
                fecha,
            ));
        }
    }

    let plazo = Plazo::calcular(&cal, &terminos, fecha_presentacion, ampliacion, prevencion)
        .expect("generated chronology is consistent");
    let estado = match plazo.computo {
        Computo::Interrumpido {
            limite_desahogo, ..
        } => {
            if limite_desahogo < FIN_INFOMEX {
                EstadoSolicitud::NoPresentada
            } else {
                EstadoSolicitud::ConPrevencion
            }
        }
        Computo::NoPresentada { .. } => EstadoSolicitud::NoPresentada,
        Computo::Corre {
            desde,
            fecha_limite,
        } => {
            let r = respuestas.len() as u32;
            let total = cal.dias_habiles_entre(desde, fecha_limite);
            let outcome = rng.random_range(0..100u32);
            let (tipo_final, fecha) = if outcome < 80 {
                (
                    final_type(&mut rng),
                    cal.sumar_dias_habiles(desde, rng.random_range(1..=total)),
                )
            } else if outcome < 92 {
                (
                    final_type(&mut rng),
                    cal.sumar_dias_habiles(fecha_limite, rng.random_range(1..=15)),
                )
            } else {
                (
                    TipoRespuesta::SinRespuesta,
                    cal.sumar_dias_habiles(fecha_limite, 1),
                )
            };
            if within_era(fecha) {
                respuestas.push(respuesta(&mut rng, &origen, r, tipo_final, fecha));
                EstadoSolicitud::Terminada
            } else if ampliacion {
                EstadoSolicitud::ConAmpliacion
            } else {
                EstadoSolicitud::EnProceso
            }
        }
    };

    Generated {
        idx: i,
        solicitud: Solicitud {
            folio,
            tipo,
            institucion: instituciones[inst_idx].to_string(),
            descripcion,
            fecha_presentacion,
            estado,
            prevencion,
            ampliacion,
            respuestas,
        },
    }
}

/// A folio in `j`'s format whose sequence is unique within the account: the sequence space is
/// split into `count` disjoint slots and solicitud `i` draws inside slot `i`. (An account can
/// therefore hold at most as many generated solicitudes as its format has sequences: 99,999.)
fn folio_for(
    j: Jurisdiccion,
    inst_idx: usize,
    i: u32,
    count: u32,
    anio: i16,
    rng: &mut ChaCha20Rng,
) -> Folio {
    let max_seq = Folio::max_secuencia(j);
    let slot = (max_seq / count.max(1)).max(1);
    let secuencia = (i * slot + rng.random_range(0..slot)).min(max_seq);
    folio_with(j, inst_idx, secuencia, anio)
}

/// Federal institution codes and state unit codes are synthetic but stable per institution.
fn folio_with(j: Jurisdiccion, inst_idx: usize, secuencia: u32, anio: i16) -> Folio {
    if j.es_federacion() {
        Folio::infomex_federal((inst_idx as u32 * 211 + 100) % 100_000, secuencia, anio)
    } else {
        Folio::infomex(j, inst_idx as u16 + 1, secuencia, anio)
    }
    .expect("generated folio fields fit their format")
}

/// The final answer types, weighted roughly as Infomex statistics suggest (most requests get the
/// information).
fn final_type(rng: &mut ChaCha20Rng) -> TipoRespuesta {
    use TipoRespuesta::*;
    const WEIGHTED: [(TipoRespuesta, u32); 10] = [
        (EntregaMedioElectronico, 45),
        (Inexistencia, 10),
        (NoCompetencia, 8),
        (NegativaReservadaConfidencial, 6),
        (ParcialmenteReservada, 6),
        (DisponiblePublicamente, 8),
        (NotificacionDisponibilidad, 5),
        (NotificacionPago, 4),
        (NoCorrespondeMarcoLey, 4),
        (NoSeDaraTramite, 4),
    ];
    let mut roll = rng.random_range(0..100u32);
    for (t, w) in WEIGHTED {
        if roll < w {
            return t;
        }
        roll -= w;
    }
    EntregaMedioElectronico
}

/// Whose answer is being generated: the account's key, the solicitud's position, folio and
/// institution (a generated document names them).
struct Origen<'a> {
    key: &'a [u8; 32],
    i: u32,
    folio: &'a Folio,
    institucion: &'a str,
}

fn respuesta(
    rng: &mut ChaCha20Rng,
    origen: &Origen<'_>,
    r: u32,
    tipo: TipoRespuesta,
    fecha: Date,
) -> Respuesta<AdjuntoFile> {
    let Origen { key, i, .. } = *origen;
    let texto = pick(rng, Corpus::get().respuestas(tipo)).clone();
    use TipoRespuesta::*;
    let n = match tipo {
        EntregaMedioElectronico
        | ParcialmenteReservada
        | DisponiblePublicamente
        | NotificacionDisponibilidad => rng.random_range(1..=3u32),
        RequerimientoInformacionAdicional | NotificacionProrroga | SinRespuesta => 0,
        _ => u32::from(rng.random_bool(0.5)),
    };
    let documento = Arc::new(Documento {
        folio: origen.folio.to_string(),
        institucion: origen.institucion.to_owned(),
        tipo,
        fecha,
        texto: texto.clone(),
    });
    let adjuntos = (0..n)
        .map(|a| AdjuntoFile::generate(rng, sub_key(key, &[i, r, a]), &documento, i, r, a))
        .collect();
    Respuesta {
        tipo,
        fecha,
        texto,
        adjuntos,
    }
}

/// A configured solicitud as the simulator holds it: each declared attachment becomes an
/// [`AdjuntoFile`] with the id `{idx}-{respuesta}-{adjunto}` and its bytes' source.
fn explicit_solicitud(key: &[u8; 32], idx: u32, s: &Solicitud<AdjuntoConfig>) -> Generated {
    Generated {
        idx,
        solicitud: Solicitud {
            folio: s.folio,
            tipo: s.tipo,
            institucion: s.institucion.clone(),
            descripcion: s.descripcion.clone(),
            fecha_presentacion: s.fecha_presentacion,
            estado: s.estado,
            prevencion: s.prevencion,
            ampliacion: s.ampliacion,
            respuestas: s
                .respuestas
                .iter()
                .enumerate()
                .map(|(r, resp)| {
                    let documento = Arc::new(Documento {
                        folio: s.folio.to_string(),
                        institucion: s.institucion.clone(),
                        tipo: resp.tipo,
                        fecha: resp.fecha,
                        texto: resp.texto.clone(),
                    });
                    Respuesta {
                        tipo: resp.tipo,
                        fecha: resp.fecha,
                        texto: resp.texto.clone(),
                        adjuntos: resp
                            .adjuntos
                            .iter()
                            .enumerate()
                            .map(|(a, adj)| {
                                let source = match &adj.contenido {
                                    Some(text) => BytesSource::Explicit(text.as_bytes().into()),
                                    None => BytesSource::Generated(
                                        sub_key(key, &[idx, r as u32, a as u32]),
                                        Arc::clone(&documento),
                                    ),
                                };
                                let tamano = adj
                                    .contenido
                                    .as_ref()
                                    .map_or(adj.tamano.unwrap_or(1024), |c| c.len() as u64);
                                AdjuntoFile::new(
                                    format!("{idx}-{r}-{a}"),
                                    adj.nombre.clone(),
                                    adj.media_type.clone(),
                                    tamano,
                                    source,
                                )
                            })
                            .collect(),
                    }
                })
                .collect(),
        },
    }
}

/// A solicitud that appears in an account while a client pages through it (the `page_drift`
/// fault): filed on the last Infomex day, so it sorts first, with a folio none of `existing` has.
pub(crate) fn drift_solicitud(
    j: Jurisdiccion,
    key: &[u8; 32],
    idx: u32,
    existing: &[Generated],
) -> Generated {
    let mut generated = generate_solicitud(j, &sub_key(key, &[u32::MAX, idx]), idx, idx + 1);
    let s = &mut generated.solicitud;
    s.fecha_presentacion = FIN_INFOMEX;
    s.estado = EstadoSolicitud::EnProceso;
    s.prevencion = None;
    s.ampliacion = false;
    s.respuestas.clear();
    let inst_idx = Corpus::get()
        .instituciones(j)
        .iter()
        .position(|name| *name == s.institucion)
        .unwrap_or(0);
    let taken = |f: &Folio| existing.iter().any(|e| e.solicitud.folio == *f);
    s.folio = (0..=Folio::max_secuencia(j))
        .rev()
        .map(|seq| folio_with(j, inst_idx, seq, FIN_INFOMEX.year()))
        .find(|f| !taken(f))
        .expect("an account never fills its whole sequence space");
    generated
}

#[cfg(test)]
mod tests {
    use super::*;
    use pnt_model::ReglaSemaforo;

    #[test]
    fn procedural_usernames() {
        assert!(es_procedural("ciudadano1"));
        assert!(es_procedural("ciudadano000123"));
        assert!(es_procedural("ciudadano999999999"));
        assert!(!es_procedural("ciudadano"));
        assert!(!es_procedural("ciudadano1234567890"));
        assert!(!es_procedural("ciudadano1a"));
        assert!(!es_procedural("maria"));
    }

    #[test]
    fn password_follows_the_documented_pattern() {
        // SHA-256("42:jalisco:ciudadano1"), first 12 hex digits.
        let digest = Sha256::of(b"42:jalisco:ciudadano1").to_string();
        assert_eq!(
            procedural_password(42, Jurisdiccion::Jalisco, "ciudadano1"),
            format!("clave-{}", &digest[..12])
        );
    }

    #[test]
    fn same_inputs_same_account_other_seed_differs() {
        let a = generate(42, Jurisdiccion::Jalisco, "ciudadano7", None);
        let b = generate(42, Jurisdiccion::Jalisco, "ciudadano7", None);
        let c = generate(43, Jurisdiccion::Jalisco, "ciudadano7", None);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn every_jurisdiction_generates_large_accounts() {
        for j in Jurisdiccion::ALL {
            let cfg = CuentaConfig::new(j, "grande", "x").generar(1500);
            let cuenta = generate(42, j, "grande", Some(&cfg));
            assert_eq!(cuenta.solicitudes.len(), 1500, "{j}");
            for n in 1..=20 {
                generate(11, j, &format!("ciudadano{n}"), None);
            }
        }
    }

    #[test]
    fn folios_are_unique_in_large_accounts() {
        for j in [
            Jurisdiccion::CiudadDeMexico,
            Jurisdiccion::Jalisco,
            Jurisdiccion::Federacion,
        ] {
            let cfg = CuentaConfig::new(j, "grande", "x").generar(5000);
            let cuenta = generate(1, j, "grande", Some(&cfg));
            let mut folios: Vec<String> = cuenta
                .solicitudes
                .iter()
                .map(|s| s.solicitud.folio.to_string())
                .collect();
            folios.sort();
            folios.dedup();
            assert_eq!(folios.len(), 5000, "{j}");
        }
    }

    /// Every generated history must be one pnt-model accepts: answer dates relative to the
    /// plazo are what the estado claims, events never after Infomex closed.
    #[test]
    fn generated_histories_are_consistent_with_pnt_model() {
        let cal = Calendario::lft();
        let mut seen_estados = std::collections::BTreeSet::new();
        let mut seen_semaforos = std::collections::BTreeSet::new();
        let mut late = 0;
        for n in 1..=300 {
            for j in [
                Jurisdiccion::Federacion,
                Jurisdiccion::Nayarit,
                Jurisdiccion::Oaxaca,
            ] {
                let cuenta = generate(7, j, &format!("ciudadano{n}"), None);
                for s in cuenta.solicitudes.iter().map(|g| &g.solicitud) {
                    assert_eq!(s.jurisdiccion(), j);
                    assert!(s.fecha_presentacion <= FIN_INFOMEX && s.fecha_presentacion >= INICIO);
                    let terminos = Terminos::de(j, s.tipo);
                    let plazo = Plazo::calcular(
                        &cal,
                        &terminos,
                        s.fecha_presentacion,
                        s.ampliacion,
                        s.prevencion,
                    )
                    .expect("consistent");
                    for r in &s.respuestas {
                        assert!(r.fecha <= FIN_INFOMEX);
                        assert!(r.fecha >= plazo.recepcion_oficial);
                        assert!(cal.es_habil(r.fecha), "{} answered on {}", s.folio, r.fecha);
                    }
                    let fin = s.respuestas.iter().find(|r| r.tipo.es_final());
                    match s.estado {
                        EstadoSolicitud::Terminada => assert!(
                            fin.is_some()
                                || s.respuestas
                                    .iter()
                                    .any(|r| r.tipo == TipoRespuesta::SinRespuesta)
                        ),
                        _ => assert!(fin.is_none()),
                    }
                    if let (Some(f), Some(l)) = (fin, plazo.fecha_limite())
                        && f.fecha > l
                    {
                        late += 1;
                    }
                    seen_estados.insert(s.estado);
                    let sem = ReglaSemaforo::default().evaluar(
                        &cal,
                        jiff::civil::date(2021, 9, 13),
                        plazo.fecha_limite(),
                        fin.map(|r| r.fecha),
                    );
                    seen_semaforos.insert(sem);
                }
            }
        }
        assert_eq!(seen_estados.len(), 5, "{seen_estados:?}");
        assert_eq!(seen_semaforos.len(), 3, "{seen_semaforos:?}");
        assert!(late > 0);
    }

    #[test]
    fn configured_account_overrides_and_adds() {
        let explicit = Solicitud {
            folio: Folio::parse("0623800160321").unwrap(),
            tipo: TipoSolicitud::AccesoInformacion,
            institucion: "INAI".into(),
            descripcion: "Solicito el directorio de servidores públicos".into(),
            fecha_presentacion: jiff::civil::date(2021, 8, 26),
            estado: EstadoSolicitud::EnProceso,
            prevencion: None,
            ampliacion: false,
            respuestas: vec![],
        };
        let cfg = CuentaConfig::new(Jurisdiccion::Federacion, "ana", "secreta")
            .generar(3)
            .solicitud(explicit);
        let cuenta = generate(42, Jurisdiccion::Federacion, "ana", Some(&cfg));
        assert_eq!(cuenta.contrasena, "secreta");
        assert_eq!(cuenta.solicitudes.len(), 4);
        assert!(
            cuenta
                .solicitudes
                .iter()
                .any(|s| s.solicitud.folio.to_string() == "0623800160321")
        );
    }
}
