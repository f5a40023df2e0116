//! `pnt-suite deadline`: the plazo of one request, computed by pnt-model.

use std::io::Write;
use std::path::Path;

use pnt_model::{
    Calendario, Computo, Date, Jurisdiccion, Plazo, Prevencion, ReglaSemaforo, Semaforo, Terminos,
    TipoSolicitud, Tramite, VentanaQueja,
};
use serde::Serialize;

use crate::cli::{DeadlineArgs, Format, TipoArg, write_failed};
use crate::error::{CliError, Exit};

/// What `deadline --format json` prints.
#[derive(Debug, Serialize)]
struct Resultado {
    jurisdiccion: Jurisdiccion,
    tipo: TipoSolicitud,
    calendario: String,
    presentada: Date,
    recepcion_oficial: Date,
    dias_habiles: u32,
    ampliacion: bool,
    /// `null` while a prevención interrupts the term or when the request counts as not filed.
    fecha_limite: Option<Date>,
    computo: Computo,
    limite_prevencion: Date,
    prevencion_extemporanea: bool,
    ventana_queja: Option<VentanaQueja>,
    hoy: Option<Date>,
    semaforo: Option<Semaforo>,
    queja_disponible: Option<bool>,
}

pub(crate) fn run(args: &DeadlineArgs, out: &mut dyn Write) -> Result<Exit, CliError> {
    let jurisdiccion = Jurisdiccion::parse(&args.jurisdiction).map_err(|e| {
        CliError::bad_input(
            pnt_model::JurisdiccionDesconocida::CODE,
            format!("{e}\n  ayuda: `pnt-suite jurisdictions` lista las 33"),
        )
    })?;
    let tipo = match args.tipo {
        TipoArg::Acceso => TipoSolicitud::AccesoInformacion,
        TipoArg::DatosPersonales => TipoSolicitud::DatosPersonales,
    };
    let presentada = parse_date("--received", &args.received)?;
    let prevencion = match &args.prevencion {
        Some(notificada) => Some(Prevencion {
            notificada: parse_date("--prevencion", notificada)?,
            desahogada: args
                .desahogo
                .as_deref()
                .map(|d| parse_date("--desahogo", d))
                .transpose()?,
        }),
        None => None,
    };
    let respuesta = args
        .respuesta
        .as_deref()
        .map(|d| parse_date("--respuesta", d))
        .transpose()?;
    let hoy = args
        .hoy
        .as_deref()
        .map(|d| parse_date("--hoy", d))
        .transpose()?;
    let calendario = load_calendar(&args.calendar)?;
    let terminos = Terminos::de(jurisdiccion, tipo);

    let plazo = Plazo::calcular(
        &calendario,
        &terminos,
        presentada,
        args.ampliacion,
        prevencion,
    )
    .map_err(|e| {
        CliError::bad_input(
            pnt_model::PlazoError::CODE,
            format!("{e}; corrija las fechas"),
        )
    })?;
    // The semáforo and the queja window are those of the Mi Historial row (pnt-model's one rule).
    let tramite = Tramite {
        jurisdiccion,
        tipo,
        fecha_presentacion: presentada,
        ampliacion: args.ampliacion,
        prevencion,
        respuesta_final: respuesta,
    };
    let ventana = tramite.ventana_queja(&calendario);
    let resultado = Resultado {
        jurisdiccion,
        tipo,
        calendario: calendario.descripcion().to_owned(),
        presentada,
        recepcion_oficial: plazo.recepcion_oficial,
        dias_habiles: terminos.respuesta
            + if args.ampliacion {
                terminos.ampliacion
            } else {
                0
            },
        ampliacion: args.ampliacion,
        fecha_limite: plazo.fecha_limite(),
        computo: plazo.computo,
        limite_prevencion: plazo.limite_prevencion,
        prevencion_extemporanea: plazo.prevencion_extemporanea,
        ventana_queja: ventana,
        hoy,
        semaforo: hoy.map(|hoy| {
            tramite
                .fila(&calendario, &ReglaSemaforo::default(), hoy)
                .semaforo
        }),
        queja_disponible: hoy.map(|hoy| ventana.is_some_and(|v| v.abierta(hoy))),
    };
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &resultado)
                .map_err(|e| write_failed(e.into()))?;
            writeln!(out).map_err(write_failed)?;
        }
        Format::Text => write_text(&resultado, out).map_err(write_failed)?,
    }
    Ok(Exit::Success)
}

pub(crate) fn parse_date(flag: &str, text: &str) -> Result<Date, CliError> {
    text.parse::<Date>().map_err(|_| {
        CliError::bad_input(
            "fecha_invalida",
            format!("{flag}: «{text}» no es una fecha válida; escríbala como AAAA-MM-DD, p. ej. 2021-08-26"),
        )
    })
}

fn load_calendar(files: &[std::path::PathBuf]) -> Result<Calendario, CliError> {
    let mut calendario = Calendario::lft();
    for path in files {
        calendario.agregar(&read_calendar(path)?);
    }
    Ok(calendario)
}

/// One calendar file (docs/calendars.md), read; a bad one is refused naming file, line and
/// column.
pub(crate) fn read_calendar(path: &Path) -> Result<pnt_model::ArchivoCalendario, CliError> {
    let text = read_file(path)?;
    pnt_model::ArchivoCalendario::from_toml(&text).map_err(|e| {
        CliError::bad_input(
            pnt_model::CalendarioError::CODE,
            format!(
                "{}:{}:{}: calendario inválido: {}\n  ayuda: corrija ese valor; el formato está en docs/calendars.md",
                path.display(),
                e.line,
                e.column,
                e.message
            ),
        )
    })
}

/// The per-jurisdiction calendars of a PNT from calendar files: each file adds its días
/// inhábiles and suspensions to LFT for the jurisdiction it names (`jurisdiccion`); several
/// files for one jurisdiction add up. A file that names none is refused: applied to all 33 by
/// accident, one body's holidays would move every other body's plazos.
pub(crate) fn calendars_by_jurisdiction(
    flag: &str,
    files: &[std::path::PathBuf],
) -> Result<std::collections::BTreeMap<Jurisdiccion, Calendario>, CliError> {
    let mut out = std::collections::BTreeMap::new();
    for path in files {
        let archivo = read_calendar(path)?;
        let Some(j) = archivo.jurisdiccion else {
            return Err(CliError::bad_input(
                "calendario_sin_jurisdiccion",
                format!(
                    "{flag}: {} no dice a qué jurisdicción se aplica\n  ayuda: añada `jurisdiccion = \"federacion\"` (o el slug que corresponda) al archivo; el formato está en docs/calendars.md",
                    path.display()
                ),
            ));
        };
        out.entry(j)
            .or_insert_with(Calendario::lft)
            .agregar(&archivo);
    }
    Ok(out)
}

fn read_file(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| {
        CliError::bad_input(
            "archivo_ilegible",
            format!(
                "no se pudo leer {}: revise la ruta y los permisos (causa: {})",
                path.display(),
                crate::error::io_cause(&e)
            ),
        )
    })
}

/// Dates as PNT shows them: dd/mm/yyyy.
fn dmy(date: Date) -> String {
    date.strftime("%d/%m/%Y").to_string()
}

fn weekday(date: Date) -> &'static str {
    use jiff::civil::Weekday::*;
    match date.weekday() {
        Monday => "lunes",
        Tuesday => "martes",
        Wednesday => "miércoles",
        Thursday => "jueves",
        Friday => "viernes",
        Saturday => "sábado",
        Sunday => "domingo",
    }
}

fn write_text(r: &Resultado, out: &mut dyn Write) -> std::io::Result<()> {
    let day = |d: Date| format!("{} ({})", dmy(d), weekday(d));
    writeln!(
        out,
        "Jurisdicción           {} ({})",
        r.jurisdiccion.nombre(),
        r.jurisdiccion.slug()
    )?;
    writeln!(out, "Tipo                   {}", r.tipo.etiqueta())?;
    writeln!(out, "Calendario             {}", r.calendario)?;
    writeln!(out, "Presentada             {}", day(r.presentada))?;
    writeln!(out, "Recepción oficial      {}", day(r.recepcion_oficial))?;
    let ampliacion = if r.ampliacion {
        ", con ampliación"
    } else {
        ""
    };
    writeln!(
        out,
        "Plazo                  {} días hábiles{ampliacion}",
        r.dias_habiles
    )?;
    match r.computo {
        Computo::Corre {
            desde,
            fecha_limite,
        } => {
            if desde != r.recepcion_oficial {
                writeln!(
                    out,
                    "Cómputo reiniciado     desde el desahogo del {}",
                    dmy(desde)
                )?;
            }
            writeln!(out, "Fecha límite           {}", day(fecha_limite))?;
        }
        Computo::Interrumpido {
            notificada,
            limite_desahogo,
        } => {
            writeln!(
                out,
                "Fecha límite           interrumpida por la prevención del {}",
                dmy(notificada)
            )?;
            writeln!(out, "Límite de desahogo     {}", day(limite_desahogo))?;
        }
        Computo::NoPresentada { limite_desahogo } => {
            writeln!(
                out,
                "Fecha límite           ninguna: la prevención se desahogó después del {}; la solicitud se tiene por no presentada",
                dmy(limite_desahogo)
            )?;
        }
    }
    if r.prevencion_extemporanea {
        writeln!(
            out,
            "Aviso                  la prevención se notificó después del {} y no interrumpe el plazo",
            dmy(r.limite_prevencion)
        )?;
    }
    if let Some(v) = r.ventana_queja {
        writeln!(
            out,
            "Queja                  del {} al {}",
            dmy(v.desde),
            dmy(v.hasta)
        )?;
    }
    if let (Some(hoy), Some(semaforo)) = (r.hoy, r.semaforo) {
        writeln!(out, "Semáforo al {}  {}", dmy(hoy), semaforo.etiqueta())?;
        let abierta = if r.queja_disponible == Some(true) {
            "sí"
        } else {
            "no"
        };
        writeln!(out, "Puede interponer queja {abierta}")?;
    }
    Ok(())
}
