//! Pure domain model of the migration of Infomex requests into the Plataforma Nacional de
//! Transparencia (PNT).
//!
//! No IO, no HTTP, no wall clock: every function takes the dates and the calendar it needs, so the
//! simulator, the reference server and the runner all compute the same plazos and semáforo.
//!
//! # Layout
//!
//! - [`jurisdiccion`]: the 33 jurisdictions, their codes, slugs and names.
//! - [`folio`]: federal Infomex, PNT/SISAI and (synthetic) state Infomex folios.
//! - [`calendario`]: días hábiles — LFT art. 74 rules plus calendar data files.
//! - [`plazo`]: official receipt, fecha límite, ampliación, prevención, queja window.
//! - [`dialect`]: the two Infomex wire dialects and which jurisdictions speak which.
//! - [`reglas`]: the rules a PNT applies, as data: per-jurisdiction calendars and terms.
//! - [`semaforo`]: En tiempo / En alerta / Fuera de tiempo, and the cut-off a filter uses.
//! - [`historial`]: the computed columns of a Mi Historial row (recepción oficial, fecha
//!   límite, semáforo, queja window) — the one rule the reference server shows and the oracle
//!   expects, with the policy for incoherent dates.
//! - [`solicitud`]: solicitudes, respuestas (the Infomex answer catalog), adjuntos, quejas.
//! - [`suggest`]: "¿quiso decir …?" — the nearest known word to a typo.

pub mod calendario;
pub mod dialect;
pub mod folio;
pub mod historial;
pub mod jurisdiccion;
pub mod plazo;
pub mod reglas;
pub mod semaforo;
pub mod solicitud;
pub mod suggest;

pub use calendario::{
    ArchivoCalendario, Calendario, CalendarioError, Inhabil, Suspension, feriado_lft,
};
pub use dialect::Dialect;
pub use folio::{Folio, FolioError};
pub use historial::{Fechas, FilaCalculada, Tramite};
pub use jurisdiccion::{Jurisdiccion, JurisdiccionDesconocida};
pub use plazo::{
    Computo, MotivoVentana, Plazo, PlazoError, Prevencion, Terminos, VentanaQueja, fecha_limite,
    recepcion_oficial, ventana_queja,
};
pub use reglas::ReglasAplicadas;
pub use semaforo::{ReglaSemaforo, Semaforo};
pub use solicitud::{
    Adjunto, EstadoSolicitud, Queja, Respuesta, Sha256, Solicitud, TipoRespuesta, TipoSolicitud,
    folio_queja,
};
pub use suggest::did_you_mean;

/// Re-exported so dependants name dates with the same type.
pub use jiff::civil::Date;
