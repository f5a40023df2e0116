//! `pnt-suite jurisdictions`: the 33 jurisdictions, as pnt-model knows them.

use std::io::Write;

use pnt_model::{Folio, Jurisdiccion, Terminos, TipoSolicitud};
use serde::Serialize;

use crate::cli::{Format, write_failed};
use crate::error::{CliError, Exit};

#[derive(Debug, Serialize)]
struct Fila {
    codigo: u8,
    slug: &'static str,
    nombre: &'static str,
    formato_folio_infomex: String,
    terminos: Terminos,
}

pub(crate) fn run(format: Format, out: &mut dyn Write) -> Result<Exit, CliError> {
    let filas: Vec<Fila> = Jurisdiccion::ALL
        .into_iter()
        .map(|j| Fila {
            codigo: j.code(),
            slug: j.slug(),
            nombre: j.nombre(),
            formato_folio_infomex: Folio::formato_estatal(j),
            terminos: Terminos::de(j, TipoSolicitud::AccesoInformacion),
        })
        .collect();
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &filas).map_err(|e| write_failed(e.into()))?;
            writeln!(out).map_err(write_failed)?;
        }
        Format::Text => {
            writeln!(
                out,
                "{:<6} {:<20} {:<22} {:<20} plazo",
                "clave", "slug", "nombre", "folio Infomex"
            )
            .map_err(write_failed)?;
            for f in &filas {
                writeln!(
                    out,
                    "{:<6} {:<20} {:<22} {:<20} {} + {} días hábiles",
                    format!("{:02}", f.codigo),
                    f.slug,
                    f.nombre,
                    f.formato_folio_infomex,
                    f.terminos.respuesta,
                    f.terminos.ampliacion
                )
                .map_err(write_failed)?;
            }
        }
    }
    Ok(Exit::Success)
}
