//! `pnt-suite serve` (the reference PNT) and `pnt-suite up` (the simulator and the reference PNT
//! together, with demo accounts: the five-minute tour).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use infomex_sim::{AdjuntoConfig, CuentaConfig, SimConfig};
use pnt_model::Dialect;
use pnt_model::{Calendario, Date, Jurisdiccion, Solicitud, Tramite, VentanaQueja};
use pnt_reference_server::{Clock, Config, Storage};

use crate::error::{CliError, Exit};

/// The HTTP layer's limits, shared by `serve`, `up` and `sim` (docs/reference-server.md,
/// "Security"); each one absent keeps the server's documented default.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct HttpArgs {
    /// Segundos para recibir la cabecera completa de una petición, contados desde que la conexión
    /// la espera (también el límite de una conexión inactiva). Por omisión 10.
    #[arg(long, value_name = "SEGUNDOS", value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout: Option<u64>,
    /// Segundos máximos de silencio mientras llega el cuerpo de una petición. Por omisión 30.
    #[arg(long, value_name = "SEGUNDOS", value_parser = clap::value_parser!(u64).range(1..))]
    pub body_timeout: Option<u64>,
    /// Conexiones atendidas a la vez; una más recibe 503 y se cierra. Por omisión 512 en la PNT
    /// y 1024 en el simulador.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: Option<u64>,
}

impl HttpArgs {
    /// The reference server's limits: its defaults with these flags over them.
    pub(crate) fn limites(&self) -> pnt_reference_server::LimitesHttp {
        let mut l = pnt_reference_server::LimitesHttp::default();
        if let Some(s) = self.header_timeout {
            l.espera_cabeceras = std::time::Duration::from_secs(s);
        }
        if let Some(s) = self.body_timeout {
            l.espera_cuerpo = std::time::Duration::from_secs(s);
        }
        if let Some(n) = self.max_connections {
            l.max_conexiones = usize::try_from(n).unwrap_or(usize::MAX);
        }
        l
    }

    /// Sets these flags over a simulator's configuration.
    pub(crate) fn aplicar_al_simulador(&self, config: &mut SimConfig) {
        if let Some(s) = self.header_timeout {
            config.espera_cabeceras_ms = s.saturating_mul(1000);
        }
        if let Some(s) = self.body_timeout {
            config.espera_cuerpo_ms = s.saturating_mul(1000);
        }
        if let Some(n) = self.max_connections {
            config.max_conexiones = usize::try_from(n).unwrap_or(usize::MAX);
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Dirección en la que escuchar.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PUERTO")]
    pub addr: SocketAddr,
    /// La base de datos: un archivo SQLite (se crea si no existe) o una URL de PostgreSQL
    /// (`postgres://usuario:contraseña@host:puerto/base`), que varias instancias pueden
    /// compartir; en memoria si se omite.
    #[arg(long, value_name = "RUTA|URL")]
    pub db: Option<String>,
    /// URL base de los sistemas Infomex (la de un simulador); se le añade el slug de la
    /// jurisdicción.
    #[arg(long, default_value = "http://127.0.0.1:8090", value_name = "URL")]
    pub infomex_url: String,
    /// El Infomex de una jurisdicción en otra URL base (se le sigue añadiendo su slug), p. ej.
    /// `jalisco=http://10.0.0.5:8090`. Repetible.
    #[arg(long = "infomex", value_name = "JURISDICCION=URL")]
    pub infomex: Vec<String>,
    /// El dialect que habla el Infomex de una jurisdicción, p. ej. `sonora=legacy`, como en la
    /// configuración del simulador. Por omisión chiapas, guerrero, jalisco, michoacan, oaxaca y
    /// veracruz hablan legacy y las demás modern. Repetible.
    #[arg(long = "dialect", value_name = "JURISDICCION=modern|legacy")]
    pub dialects: Vec<String>,
    /// Sirve los ganchos de prueba bajo /__test (fijar el reloj, borrar todo, ajustar dialecto y
    /// URL de Infomex por jurisdicción) y los anuncia.
    #[arg(long)]
    pub test_hooks: bool,
    /// Con --test-hooks: los ganchos responden a cualquier dirección que envíe este token en la
    /// cabecera X-Pnt-Test-Token; sin él, solo a la misma máquina (loopback).
    #[arg(long, value_name = "TOKEN", requires = "test_hooks")]
    pub test_hooks_token: Option<String>,
    #[command(flatten)]
    pub http: HttpArgs,
    /// Fija «hoy» (AAAA-MM-DD) en lugar de seguir el reloj del sistema.
    #[arg(long, value_name = "AAAA-MM-DD")]
    pub hoy: Option<String>,
    /// Archivo de calendario (TOML, docs/calendars.md) con los días inhábiles y suspensiones del
    /// órgano garante de la jurisdicción que el archivo nombra (`jurisdiccion`); se aplica a sus
    /// plazos, semáforo y ventanas de queja, y se publica en el descubrimiento. Repetible.
    #[arg(long, value_name = "ARCHIVO")]
    pub calendar: Vec<PathBuf>,
    /// Solicitudes que una vinculación trae de Infomex a la vez (detalle y adjuntos), de 1 a 64;
    /// se guardan e informan en el orden de la lista sea cual sea. 1 las trae una por una, como
    /// lo necesita un simulador cuyas fallas cuentan las peticiones en orden de llegada. Por
    /// omisión 6.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrencia: Option<u32>,
}

#[derive(Debug, clap::Args)]
pub struct UpArgs {
    /// Dirección de la PNT de referencia.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PUERTO")]
    pub addr: SocketAddr,
    /// Dirección del simulador de Infomex.
    #[arg(long, default_value = "127.0.0.1:8090", value_name = "HOST:PUERTO")]
    pub sim_addr: SocketAddr,
    /// Semilla de las cuentas del simulador.
    #[arg(long, default_value_t = 42, value_name = "N")]
    pub seed: u64,
    /// Base de datos de la PNT, como en `serve --db` (en memoria si se omite).
    #[arg(long, value_name = "RUTA|URL")]
    pub db: Option<String>,
    /// «Hoy» para el semáforo de Mi Historial y las ventanas de queja; por omisión, la semana en
    /// que entró en operación la migración, para que la demostración muestre todos los colores.
    #[arg(long, default_value = "2021-09-20", value_name = "AAAA-MM-DD")]
    pub hoy: String,
    /// Archivo de calendario (TOML, docs/calendars.md) para la PNT, como en `serve --calendar`.
    /// Repetible.
    #[arg(long, value_name = "ARCHIVO")]
    pub calendar: Vec<PathBuf>,
    /// Límites HTTP de ambos servidores, como en `serve`.
    #[command(flatten)]
    pub http: HttpArgs,
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Runtime::new().map_err(|e| {
        CliError::could_not_run(
            "runtime",
            format!("no se pudo iniciar el runtime de tokio: {e}"),
        )
    })
}

async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, CliError> {
    tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        CliError::could_not_run(
            "direccion_no_disponible",
            format!(
                "no se pudo escuchar en {addr}: elija otra dirección con --addr / --sim-addr (causa: {})",
                crate::error::io_cause(&e)
            ),
        )
    })
}

fn server_config(
    db: &Option<String>,
    infomex_url: &str,
    test_hooks: bool,
    hoy: Option<Date>,
) -> Config {
    let mut config = Config::default()
        .infomex_base_url(infomex_url)
        .test_hooks(test_hooks);
    if let Some(db) = db {
        config = config.storage(Storage::parse(db));
    }
    if let Some(hoy) = hoy {
        config = config.clock(Clock::fixed_date(hoy));
    }
    config
}

fn server_failed(e: pnt_reference_server::ServeError) -> CliError {
    CliError::could_not_run("servidor_no_inicio", format!("{e}"))
}

async fn ctrl_c() {
    let _ = tokio::signal::ctrl_c().await;
}

/// `JURISDICCION=VALUE` of a repeatable flag: the jurisdiction (with a suggestion for a typo) and
/// the value.
fn assignment<'a>(flag: &str, text: &'a str) -> Result<(Jurisdiccion, &'a str), CliError> {
    let Some((j, value)) = text.split_once('=') else {
        return Err(CliError::bad_input(
            "opcion_invalida",
            format!(
                "{flag}: «{text}» no tiene la forma JURISDICCION=VALOR, p. ej. {flag} jalisco=…"
            ),
        ));
    };
    let j = Jurisdiccion::parse(j.trim()).map_err(|e| {
        CliError::bad_input(
            pnt_model::JurisdiccionDesconocida::CODE,
            format!("{flag}: {e}\n  ayuda: `pnt-suite jurisdictions` lista las 33"),
        )
    })?;
    Ok((j, value.trim()))
}

/// The server's configuration from `serve`'s flags, and a banner line for each jurisdiction the
/// flags set apart; every bad value is refused with its code.
fn serve_config(args: &ServeArgs) -> Result<(Config, Vec<String>), CliError> {
    let mut banner = Vec::new();
    let hoy = args
        .hoy
        .as_deref()
        .map(|h| crate::deadline::parse_date("--hoy", h))
        .transpose()?;
    let mut config =
        server_config(&args.db, &args.infomex_url, args.test_hooks, hoy).http(args.http.limites());
    if let Some(token) = &args.test_hooks_token {
        config = config.test_hooks_token(token);
    }
    if let Some(n) = args.concurrencia {
        config = config.infomex_concurrencia(n);
    }
    for text in &args.infomex {
        let (j, url) = assignment("--infomex", text)?;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(CliError::bad_input(
                "url_invalida",
                format!(
                    "--infomex: «{url}» no es una URL http:// o https:// (la de {})",
                    j.nombre()
                ),
            ));
        }
        banner.push(format!(
            "  Infomex de {}: {}/{}",
            j.nombre(),
            url.trim_end_matches('/'),
            j.slug()
        ));
        config = config.infomex_url(j, url);
    }
    for text in &args.dialects {
        let (j, dialect) = assignment("--dialect", text)?;
        let Some(dialect) = Dialect::parse(dialect) else {
            return Err(CliError::bad_input(
                "dialecto_desconocido",
                format!(
                    "--dialect: dialecto desconocido «{dialect}» para {}; use modern (JSON) o legacy (XML en Windows-1252)",
                    j.nombre()
                ),
            ));
        };
        banner.push(format!(
            "  {} habla el dialecto {}",
            j.nombre(),
            dialect.slug()
        ));
        config = config.dialect(j, dialect);
    }
    for (j, calendario) in crate::deadline::calendars_by_jurisdiction("--calendar", &args.calendar)?
    {
        banner.push(format!(
            "  calendario de {}: {}",
            j.nombre(),
            calendario.descripcion()
        ));
        config = config.calendario(j, calendario);
    }
    Ok((config, banner))
}

pub(crate) fn serve(args: &ServeArgs, out: &mut dyn Write) -> Result<Exit, CliError> {
    let (config, apart) = serve_config(args)?;
    runtime()?.block_on(async {
        let listener = bind(args.addr).await?;
        // The address bound, not the one asked for: `--addr 127.0.0.1:0` picks a free port.
        let addr = listener
            .local_addr()
            .map_err(|e| CliError::could_not_run("direccion_no_disponible", e.to_string()))?;
        // The banner is best-effort: a closed stdout must not stop the server.
        let mut banner = format!(
            "PNT de referencia en http://{addr}/ (API: /api/v1, OpenAPI: /api/v1/openapi.json)\n\
             \x20 Infomex: {}\n",
            args.infomex_url
        );
        for line in apart {
            banner.push_str(&line);
            banner.push('\n');
        }
        banner.push_str("Ctrl+C para detener.");
        let _ = writeln!(out, "{banner}").and_then(|()| out.flush());
        pnt_reference_server::serve(config, listener, ctrl_c())
            .await
            .map_err(server_failed)
    })?;
    Ok(Exit::Success)
}

/// The federal demo account's rows chosen for the queja window on the tour's default date
/// (2021-09-20): one answered a few days before (window open, against the answer, with a PDF and
/// a JPEG to open), one whose fecha límite passed unanswered last week (window open, for the
/// missing answer), one answered in July and one left unanswered since May (both windows
/// closed). The seed page's request is due on 24/09/2021, so its window is not open yet.
const QUEJA_RESPUESTA: &str = "0623800161021";
const QUEJA_FALTA_DE_RESPUESTA: &str = "0623800162021";

/// The demo's Infomex accounts: a federal one holding the seed page's request and a row in each
/// state of the queja window, and a legacy state.
pub(crate) fn demo_accounts() -> Vec<CuentaConfig> {
    const INAI: &str = "INSTITUTO NACIONAL DE TRANSPARENCIA, ACCESO A LA INFORMACIÓN Y PROTECCIÓN DE DATOS PERSONALES (INAI)";
    let filas = [
        serde_json::json!({
            "folio": "0623800160321", "tipo": "acceso", "institucion": INAI,
            "descripcion": "Solicito el directorio de servidores públicos",
            "fecha_presentacion": "2021-08-26", "estado": "en_proceso"
        }),
        serde_json::json!({
            "folio": QUEJA_RESPUESTA, "tipo": "acceso", "institucion": "SECRETARÍA DE LA FUNCIÓN PÚBLICA",
            "descripcion": "Solicito las actas de entrega-recepción de la Dirección de Adquisiciones de 2020.",
            "fecha_presentacion": "2021-08-16", "estado": "terminada",
            "respuestas": [{
                "tipo": "Entrega de información en medio electrónico", "fecha": "2021-09-14",
                "texto": "En atención a su solicitud, se adjunta en formato PDF el oficio de respuesta de la Dirección General de Recursos Materiales, con las actas de entrega-recepción solicitadas, y la fotografía del acuse.",
                "adjuntos": [
                    {"nombre": "oficio_respuesta.pdf", "media_type": "application/pdf", "tamano": 48213},
                    {"nombre": "acuse.jpg", "media_type": "image/jpeg", "tamano": 24576}
                ]
            }]
        }),
        serde_json::json!({
            "folio": QUEJA_FALTA_DE_RESPUESTA, "tipo": "acceso", "institucion": "SECRETARÍA DE SALUD",
            "descripcion": "Contratos de compra de vacunas celebrados en 2021.",
            "fecha_presentacion": "2021-08-13", "estado": "en_proceso"
        }),
        serde_json::json!({
            "folio": "0623800163021", "tipo": "datos-personales", "institucion": "INSTITUTO MEXICANO DEL SEGURO SOCIAL",
            "descripcion": "Acceso a mi expediente clínico.",
            "fecha_presentacion": "2021-05-24", "estado": "terminada",
            "respuestas": [{
                "tipo": "Entrega de información en medio electrónico", "fecha": "2021-07-01",
                "texto": "Se adjunta copia de su expediente clínico en versión electrónica.",
                "adjuntos": [{"nombre": "expediente.pdf", "media_type": "application/pdf", "tamano": 20480}]
            }]
        }),
        serde_json::json!({
            "folio": "0623800164021", "tipo": "acceso", "institucion": "SECRETARÍA DE EDUCACIÓN PÚBLICA",
            "descripcion": "Plantilla de personal docente por entidad federativa.",
            "fecha_presentacion": "2021-05-03", "estado": "en_proceso"
        }),
    ];
    let federal = filas.into_iter().fold(
        CuentaConfig::new(Jurisdiccion::Federacion, "demo", "demo2021").generar(7),
        |cuenta, fila| {
            let s: Solicitud<AdjuntoConfig> =
                serde_json::from_value(fila).expect("the demo solicitudes are well formed");
            cuenta.solicitud(s)
        },
    );
    vec![
        federal,
        CuentaConfig::new(Jurisdiccion::Jalisco, "demo", "demo2021").generar(8),
    ]
}

/// The queja window of one of the demo's federal rows, by pnt-model's Mi Historial rule as the
/// reference PNT applies it: the federal calendar in force, the federal terms, the first final
/// answer.
fn ventana_demo(folio: &str, cal: &Calendario) -> Option<VentanaQueja> {
    let cuentas = demo_accounts();
    let s = cuentas[0]
        .solicitudes
        .iter()
        .find(|s| s.folio.to_string() == folio)?;
    Tramite {
        jurisdiccion: Jurisdiccion::Federacion,
        tipo: s.tipo,
        fecha_presentacion: s.fecha_presentacion,
        ampliacion: s.ampliacion,
        prevencion: s.prevencion,
        respuesta_final: s
            .respuestas
            .iter()
            .find(|r| r.tipo.es_final())
            .map(|r| r.fecha),
    }
    .ventana_queja(cal)
}

/// The banner's lines on quejas: which rows to try on the tour's date, and when.
fn guia_de_quejas(hoy: Date, cal: &Calendario) -> String {
    let dia = |d: Date| d.strftime("%d/%m/%Y").to_string();
    let (Some(semilla), Some(falta), Some(contra)) = (
        ventana_demo("0623800160321", cal),
        ventana_demo(QUEJA_FALTA_DE_RESPUESTA, cal),
        ventana_demo(QUEJA_RESPUESTA, cal),
    ) else {
        return String::new();
    };
    let mut guia = format!(
        "\x20    (Sin respuesta aún; su plazo de queja abre el {}.)\n",
        dia(semilla.desde)
    );
    if falta.abierta(hoy) && contra.abierta(hoy) {
        guia.push_str(&format!(
            "\x20 4. Queja: la fila {QUEJA_FALTA_DE_RESPUESTA} venció sin respuesta; en su última columna pulse\n\
             \x20    «Interponer queja» (abierto hasta el {}), escriba el motivo y envíelo: la celda mostrará\n\
             \x20    el folio de la queja. La fila {QUEJA_RESPUESTA} admite una queja contra su respuesta (hasta\n\
             \x20    el {}); en sus Detalles, «Ver» abre el oficio PDF y la foto en el navegador.\n",
            dia(falta.hasta),
            dia(contra.hasta)
        ));
    } else {
        guia.push_str(&format!(
            "\x20 4. Queja: con la fecha por defecto (sin --hoy) la fila {QUEJA_FALTA_DE_RESPUESTA} la admite por falta de\n\
             \x20    respuesta (del {} al {}) y la fila {QUEJA_RESPUESTA} contra su respuesta (del {} al {}).\n",
            dia(falta.desde),
            dia(falta.hasta),
            dia(contra.desde),
            dia(contra.hasta)
        ));
    }
    guia
}

pub(crate) fn up(args: &UpArgs, out: &mut dyn Write) -> Result<Exit, CliError> {
    let hoy = crate::deadline::parse_date("--hoy", &args.hoy)?;
    let calendarios = crate::deadline::calendars_by_jurisdiction("--calendar", &args.calendar)?;
    runtime()?.block_on(async {
        let sim_listener = bind(args.sim_addr).await?;
        let pnt_listener = bind(args.addr).await?;
        let mut sim_config = SimConfig {
            seed: args.seed,
            cuentas: demo_accounts(),
            ..SimConfig::default()
        };
        args.http.aplicar_al_simulador(&mut sim_config);
        let sim_url = format!("http://{}", sim_listener.local_addr().map_err(|e| {
            CliError::could_not_run("direccion_no_disponible", e.to_string())
        })?);
        let pnt_addr = pnt_listener
            .local_addr()
            .map_err(|e| CliError::could_not_run("direccion_no_disponible", e.to_string()))?;
        let mut config = server_config(&args.db, &sim_url, true, Some(hoy)).http(args.http.limites());
        config.calendarios = calendarios;
        let federal = config
            .calendarios
            .get(&Jurisdiccion::Federacion)
            .cloned()
            .unwrap_or_default();
        let quejas = guia_de_quejas(hoy, &federal);
        let hoy = hoy.strftime("%d/%m/%Y");
        let _ = writeln!(
            out,
            "Abra http://{pnt_addr}/ en su navegador.\n\
             \x20 1. Regístrese con cualquier correo y contraseña, e inicie sesión.\n\
             \x20 2. Configuración Perfil → Vinculación a sistemas de solicitudes de acceso a la información:\n\
             \x20    Estado «Federación», Usuario «demo», Contraseña «demo2021», y pulse VINCULAR.\n\
             \x20    (Otra cuenta: Estado «Jalisco», mismo usuario y contraseña; habla el dialect legacy.)\n\
             \x20 3. Abra Mi Historial: la primera fila es la solicitud 0623800160321 de la ayuda de la PNT.\n\
             {quejas}\
             Fecha simulada: {hoy} (--hoy para cambiarla). Infomex simulado en {sim_url} (admin: {sim_url}/__admin).\n\
             Ctrl+C para detener."
        )
        .and_then(|()| out.flush());
        let (sim, pnt) = tokio::join!(
            infomex_sim::serve(sim_config, sim_listener, ctrl_c()),
            pnt_reference_server::serve(config, pnt_listener, ctrl_c()),
        );
        sim.map_err(|e| CliError::could_not_run("simulador_no_inicio", e.to_string()))?;
        pnt.map_err(server_failed)
    })?;
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tour's default date, as `up` parses it.
    fn hoy_por_defecto() -> Date {
        use clap::Parser;
        #[derive(Debug, Parser)]
        struct Cli {
            #[command(flatten)]
            up: UpArgs,
        }
        let cli = Cli::parse_from(["up"]);
        crate::deadline::parse_date("--hoy", &cli.up.hoy).unwrap()
    }

    /// On the default date the federal demo account holds a row in each state of the queja
    /// window: open against an answer, open for a missing answer, not open yet, closed after an
    /// answer and closed after none.
    #[test]
    fn the_tour_shows_every_state_of_the_queja_window_on_its_default_date() {
        let hoy = hoy_por_defecto();
        let estado = |folio: &str| {
            let v = ventana_demo(folio, &Calendario::lft())
                .unwrap_or_else(|| panic!("{folio} has a window"));
            let estado = if v.abierta(hoy) {
                "abierta"
            } else if hoy < v.desde {
                "por_abrir"
            } else {
                "cerrada"
            };
            (estado, v.motivo)
        };
        use pnt_model::MotivoVentana::{FaltaDeRespuesta, Respuesta};
        assert_eq!(estado(QUEJA_RESPUESTA), ("abierta", Respuesta));
        assert_eq!(
            estado(QUEJA_FALTA_DE_RESPUESTA),
            ("abierta", FaltaDeRespuesta)
        );
        assert_eq!(estado("0623800160321"), ("por_abrir", FaltaDeRespuesta));
        assert_eq!(estado("0623800163021"), ("cerrada", Respuesta));
        assert_eq!(estado("0623800164021"), ("cerrada", FaltaDeRespuesta));
    }

    #[test]
    fn the_banner_says_which_row_takes_a_queja() {
        let guia = guia_de_quejas(hoy_por_defecto(), &Calendario::lft());
        assert!(
            guia.contains("su plazo de queja abre el 25/09/2021"),
            "{guia}"
        );
        assert!(
            guia.contains(&format!(
                "la fila {QUEJA_FALTA_DE_RESPUESTA} venció sin respuesta"
            )),
            "{guia}"
        );
        assert!(guia.contains("«Interponer queja»"), "{guia}");
        // On another date the banner points back to the default one instead of promising a link.
        let otra = guia_de_quejas(jiff::civil::date(2022, 1, 10), &Calendario::lft());
        assert!(
            otra.contains("con la fecha por defecto (sin --hoy)"),
            "{otra}"
        );
    }
}
