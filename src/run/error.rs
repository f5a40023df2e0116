//! Why the engine could not prepare or change a scenario's world: starting the simulator and
//! the target, configuring them, their hooks and clock. Each failure has a stable código (as
//! `CliError` and `ScenarioError` do) and the Spanish message a report shows as the scenario's
//! reason.

use std::net::SocketAddr;

use super::client::Unreachable;
use super::vars::UnsetVariable;
use crate::scenario::TimezoneError;

/// A failure of the world a scenario runs in (not of the target's answers: those are
/// failures of the scenario, judged by `verify` and the oracle).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// A fault the simulator's catalog refuses (loading the scenario ran the same check).
    #[error("el simulador no acepta la falla `{kind}`: {cause}")]
    FaultRefused { kind: &'static str, cause: String },
    /// Faults added by a step that the simulator refused.
    #[error("el simulador no aceptó las fallas: {0}")]
    FaultsRefused(String),
    #[error("el simulador no limpió las fallas: {0}")]
    FaultsNotCleared(String),
    /// The account a step or the oracle needed, which the simulator did not give.
    #[error("el simulador no dio la cuenta: {0}")]
    SimAccountUnavailable(Box<RunError>),
    #[error("el simulador no arrancó: {0}")]
    SimNotStarted(String),
    #[error("el simulador anterior no se detuvo: {0}")]
    PreviousSimNotStopped(String),
    #[error("el simulador anterior sigue en uso")]
    PreviousSimInUse,
    #[error(
        "el simulador no pudo escuchar en {addr}: elija otra dirección con --sim-addr (causa: {cause}) [código: direccion_no_disponible]"
    )]
    SimAddrUnavailable { addr: SocketAddr, cause: String },
    /// Something else listens on `--sim-addr`: most often a simulator started by hand, which
    /// `--sim-url` would use instead of starting one.
    #[error(
        "la dirección {addr} de --sim-addr ya está en uso: el ejecutor arranca ahí su propio simulador para cada escenario. Si ya hay un simulador en marcha ahí, úselo con --sim-url http://{addr} (y --admin-token si lo pide); si no, elija otra dirección con --sim-addr [código: sim_addr_en_uso]"
    )]
    SimAddrInUse { addr: SocketAddr },
    /// The admin API of a running simulator (`--sim-url`) refused or failed a request.
    #[error(
        "la API de administración del simulador en {url} respondió {status} a {what}: {text}; revise --sim-url y --admin-token, y que el simulador sea `pnt-suite sim` de esta versión [código: sim_admin_fallo]"
    )]
    SimAdmin {
        url: String,
        what: &'static str,
        status: u16,
        text: String,
    },
    /// `--restart-command` could not be started at all.
    #[error(
        "no se pudo ejecutar --restart-command «{command}» con sh -c (causa: {cause}) [código: reinicio_comando_no_ejecutado]"
    )]
    RestartCommandNotRun { command: String, cause: String },
    /// `--restart-command` ran and exited with an error.
    #[error(
        "--restart-command «{command}» terminó con {status}: {stderr}; pruébelo a mano y corríjalo [código: reinicio_comando_fallido]"
    )]
    RestartCommandFailed {
        command: String,
        status: String,
        stderr: String,
    },
    /// After `--restart-command`, the target's discovery document did not answer in time.
    #[error(
        "el destino {url} no volvió a responder su documento de descubrimiento en {seconds} s después de --restart-command; revise que el comando lo arranque de nuevo, o aumente --timeout (último intento: {last}) [código: destino_no_volvio]"
    )]
    TargetNotBack {
        url: String,
        seconds: u64,
        last: String,
    },
    #[error("no se pudo crear la carpeta temporal: {0}")]
    TempDir(String),
    /// `--reference-db`: no schema could be made for the scenario.
    #[error(
        "no se pudo preparar la base PostgreSQL de --reference-db: {0}; revise que el servidor responda en esa URL y que el rol pueda crear esquemas (scripts/postgres.sh arranca uno local)"
    )]
    ReferenceDb(String),
    #[error("no se pudo abrir un puerto para el servidor: {0}")]
    ServerPort(String),
    #[error("no se pudo leer el puerto del servidor: {0}")]
    ServerAddr(String),
    #[error("no se pudo volver a abrir {addr}: {cause}")]
    ServerRebind { addr: SocketAddr, cause: String },
    #[error("el servidor terminó con error: {0}")]
    ServerFailed(String),
    #[error("el servidor falló: {0}")]
    ServerPanicked(String),
    #[error("este destino no se puede reiniciar")]
    NotRestartable,
    #[error("el reinicio falló: {0}")]
    RestartFailed(Box<RunError>),
    /// A test hook (`clock`, `reset`) that answered with an error status.
    #[error("el gancho `{hook}` respondió {status}: {text}")]
    HookFailed {
        hook: &'static str,
        status: u16,
        text: String,
    },
    /// The target (or the simulator) did not answer; the message is the classified cause,
    /// with its own `[código: …]` ([`Unreachable`]).
    #[error("{0}")]
    Unreachable(String),
    #[error(transparent)]
    Timezone(#[from] TimezoneError),
    #[error("hora inválida: {0}")]
    InvalidTime(String),
    #[error("el reloj no tiene fecha; declare `clock`")]
    NoClock,
    /// The scenario's `clock` could not be set before its first step.
    #[error("al fijar el reloj: {0}")]
    ClockNotSet(Box<RunError>),
    #[error("un paso concurrente falló: {0}")]
    ConcurrentStepFailed(String),
    /// `check` refuses these when the file is loaded; the runner still names them if met.
    #[error("`concurrent` anidado")]
    NestedConcurrent,
    #[error("`descargar` sin `id` ni `folio`")]
    DownloadWithoutTarget,
    #[error("fecha fuera de rango: {0}")]
    DateOutOfRange(String),
    #[error(transparent)]
    UnsetVariable(#[from] UnsetVariable),
}

impl RunError {
    /// Stable machine code of this failure.
    pub fn code(&self) -> &'static str {
        match self {
            RunError::FaultRefused { .. } | RunError::FaultsRefused(_) => "falla_rechazada",
            RunError::FaultsNotCleared(_) => "fallas_no_limpiadas",
            RunError::SimAccountUnavailable(_) => "cuenta_no_disponible",
            RunError::SimNotStarted(_) => "simulador_no_arranco",
            RunError::PreviousSimNotStopped(_) | RunError::PreviousSimInUse => {
                "simulador_anterior_activo"
            }
            RunError::SimAddrUnavailable { .. } => "direccion_no_disponible",
            RunError::SimAddrInUse { .. } => "sim_addr_en_uso",
            RunError::SimAdmin { .. } => "sim_admin_fallo",
            RunError::RestartCommandNotRun { .. } => "reinicio_comando_no_ejecutado",
            RunError::RestartCommandFailed { .. } => "reinicio_comando_fallido",
            RunError::TargetNotBack { .. } => "destino_no_volvio",
            RunError::TempDir(_) => "carpeta_temporal_no_creada",
            RunError::ReferenceDb(_) => "base_de_referencia_no_disponible",
            RunError::ServerPort(_) | RunError::ServerAddr(_) | RunError::ServerRebind { .. } => {
                "puerto_no_disponible"
            }
            RunError::ServerFailed(_) | RunError::ServerPanicked(_) => "servidor_fallo",
            RunError::NotRestartable => "reinicio_no_disponible",
            RunError::RestartFailed(_) => "reinicio_fallido",
            RunError::HookFailed { .. } => "gancho_fallo",
            RunError::Unreachable(_) => "destino_inalcanzable",
            RunError::Timezone(e) => e.code(),
            RunError::InvalidTime(_) => "hora_invalida",
            RunError::NoClock => "reloj_sin_fecha",
            RunError::ClockNotSet(_) => "reloj_no_fijado",
            RunError::ConcurrentStepFailed(_) => "paso_concurrente_fallido",
            RunError::NestedConcurrent => "concurrent_anidado",
            RunError::DownloadWithoutTarget => "descargar_sin_adjunto",
            RunError::DateOutOfRange(_) => "fecha_fuera_de_rango",
            RunError::UnsetVariable(_) => UnsetVariable::CODE,
        }
    }
}

impl From<Unreachable> for RunError {
    fn from(Unreachable(cause): Unreachable) -> RunError {
        RunError::Unreachable(cause)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages are what reports showed before the errors were typed; a change here is a
    /// change users see.
    #[test]
    fn messages_are_the_spanish_ones_reports_show() {
        let cases: [(RunError, &str, &str); 4] = [
            (
                RunError::HookFailed {
                    hook: "clock",
                    status: 404,
                    text: "no".into(),
                },
                "el gancho `clock` respondió 404: no",
                "gancho_fallo",
            ),
            (
                RunError::RestartFailed(Box::new(RunError::ServerFailed("x".into()))),
                "el reinicio falló: el servidor terminó con error: x",
                "reinicio_fallido",
            ),
            (
                UnsetVariable {
                    name: "folio".into(),
                }
                .into(),
                "la variable `${folio}` aún no tiene valor: ningún paso anterior la capturó",
                "variable_sin_valor",
            ),
            (
                RunError::NoClock,
                "el reloj no tiene fecha; declare `clock`",
                "reloj_sin_fecha",
            ),
        ];
        for (error, message, code) in cases {
            assert_eq!(error.to_string(), message);
            assert_eq!(error.code(), code);
        }
    }
}
