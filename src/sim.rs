//! `pnt-suite sim`: the Infomex simulator, standalone, until Ctrl+C.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use infomex_sim::{SimConfig, procedural_password};
use pnt_model::Jurisdiccion;

use crate::error::{CliError, Exit};

#[derive(Debug, clap::Args)]
pub struct SimArgs {
    /// Dirección en la que escuchar. Fuera de la interfaz local, la API de administración exige
    /// --admin-token.
    #[arg(long, default_value = "127.0.0.1:8090", value_name = "HOST:PUERTO")]
    pub addr: SocketAddr,
    /// Semilla de las cuentas generadas (sustituye a la del archivo de configuración).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Archivo de configuración (TOML): dialects, cuentas, fallas, sesiones; vea
    /// docs/infomex-sim.md.
    #[arg(long, value_name = "ARCHIVO")]
    pub config: Option<PathBuf>,
    /// Token que exige la API de administración (`Authorization: Bearer <token>`).
    #[arg(long, value_name = "TOKEN")]
    pub admin_token: Option<String>,
    /// Límites HTTP (sustituyen a los del archivo de configuración).
    #[command(flatten)]
    pub http: crate::serve::HttpArgs,
}

pub(crate) fn run(args: &SimArgs, out: &mut dyn Write) -> Result<Exit, CliError> {
    let mut config = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                CliError::bad_input(
                    "archivo_ilegible",
                    format!(
                        "no se pudo leer {}: revise la ruta y los permisos (causa: {})",
                        path.display(),
                        crate::error::io_cause(&e)
                    ),
                )
            })?;
            SimConfig::from_toml(&text).map_err(|e| {
                CliError::bad_input(
                    infomex_sim::ConfigError::CODE,
                    format!(
                        "{}:{}:{}: configuración inválida: {}\n  ayuda: el formato está en docs/infomex-sim.md",
                        path.display(),
                        e.line,
                        e.column,
                        e.message
                    ),
                )
            })?
        }
        None => SimConfig::default(),
    };
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    if args.admin_token.is_some() {
        config.admin_token = args.admin_token.clone();
    }
    args.http.aplicar_al_simulador(&mut config);
    let runtime = tokio::runtime::Runtime::new().map_err(|e| {
        CliError::could_not_run(
            "runtime",
            format!("no se pudo iniciar el runtime de tokio: {e}"),
        )
    })?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|e| {
                CliError::could_not_run(
                    "direccion_no_disponible",
                    format!(
                        "no se pudo escuchar en {}: elija otra con --addr (causa: {})",
                        args.addr,
                        crate::error::io_cause(&e)
                    ),
                )
            })?;
        let addr = listener
            .local_addr()
            .map_err(|e| CliError::could_not_run("direccion_no_disponible", format!("{e}")))?;
        let legacy: Vec<&str> = config.legacy.iter().map(|j| j.slug()).collect();
        let example = procedural_password(config.seed, Jurisdiccion::Jalisco, "ciudadano1");
        // A closed stdout (`pnt-suite sim | head -1`) must not stop the server: the banner is
        // best-effort.
        let _ = writeln!(
            out,
            "infomex-sim escuchando en http://{addr} (semilla {seed})\n\
             \x20 API de administración: http://{addr}/__admin\n\
             \x20 33 sistemas: http://{addr}/<slug>/…; dialect legacy: {legacy}\n\
             \x20 ejemplo: jalisco, usuario ciudadano1, contraseña {example}\n\
             Ctrl+C para detener.",
            seed = config.seed,
            legacy = legacy.join(", "),
        )
        .and_then(|()| out.flush());
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        infomex_sim::serve(config, listener, shutdown)
            .await
            .map_err(|e| {
                CliError::could_not_run(
                    "simulador_no_inicio",
                    format!("el simulador se detuvo: {e}"),
                )
            })
    })?;
    Ok(Exit::Success)
}
