//! The Spanish corpora accounts are generated from (`infomex-sim/data/`), compiled into the
//! binary so generation needs no files at run time.

use std::collections::HashMap;
use std::sync::OnceLock;

use pnt_model::{Jurisdiccion, TipoRespuesta};
use serde::Deserialize;

/// Sujetos obligados per jurisdiction, indexed by code - 1.
const INSTITUCIONES: [&str; 33] = [
    include_str!("../data/instituciones/aguascalientes.txt"),
    include_str!("../data/instituciones/baja-california.txt"),
    include_str!("../data/instituciones/baja-california-sur.txt"),
    include_str!("../data/instituciones/campeche.txt"),
    include_str!("../data/instituciones/coahuila.txt"),
    include_str!("../data/instituciones/colima.txt"),
    include_str!("../data/instituciones/chiapas.txt"),
    include_str!("../data/instituciones/chihuahua.txt"),
    include_str!("../data/instituciones/ciudad-de-mexico.txt"),
    include_str!("../data/instituciones/durango.txt"),
    include_str!("../data/instituciones/guanajuato.txt"),
    include_str!("../data/instituciones/guerrero.txt"),
    include_str!("../data/instituciones/hidalgo.txt"),
    include_str!("../data/instituciones/jalisco.txt"),
    include_str!("../data/instituciones/estado-de-mexico.txt"),
    include_str!("../data/instituciones/michoacan.txt"),
    include_str!("../data/instituciones/morelos.txt"),
    include_str!("../data/instituciones/nayarit.txt"),
    include_str!("../data/instituciones/nuevo-leon.txt"),
    include_str!("../data/instituciones/oaxaca.txt"),
    include_str!("../data/instituciones/puebla.txt"),
    include_str!("../data/instituciones/queretaro.txt"),
    include_str!("../data/instituciones/quintana-roo.txt"),
    include_str!("../data/instituciones/san-luis-potosi.txt"),
    include_str!("../data/instituciones/sinaloa.txt"),
    include_str!("../data/instituciones/sonora.txt"),
    include_str!("../data/instituciones/tabasco.txt"),
    include_str!("../data/instituciones/tamaulipas.txt"),
    include_str!("../data/instituciones/tlaxcala.txt"),
    include_str!("../data/instituciones/veracruz.txt"),
    include_str!("../data/instituciones/yucatan.txt"),
    include_str!("../data/instituciones/zacatecas.txt"),
    include_str!("../data/instituciones/federacion.txt"),
];

/// The parsed corpora.
#[derive(Debug)]
pub(crate) struct Corpus {
    pub(crate) solicitudes_acceso: Vec<&'static str>,
    pub(crate) solicitudes_datos: Vec<&'static str>,
    pub(crate) instituciones: Vec<Vec<&'static str>>,
    pub(crate) nombres: Vec<&'static str>,
    pub(crate) apellidos: Vec<&'static str>,
    respuestas: HashMap<TipoRespuesta, Vec<String>>,
}

#[derive(Deserialize)]
struct Textos {
    textos: Vec<String>,
}

fn lines(text: &'static str) -> Vec<&'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

impl Corpus {
    /// The corpora, parsed once per process.
    pub(crate) fn get() -> &'static Corpus {
        static CORPUS: OnceLock<Corpus> = OnceLock::new();
        CORPUS.get_or_init(|| {
            let raw: HashMap<String, Textos> =
                toml::from_str(include_str!("../data/respuestas.toml"))
                    .expect("data/respuestas.toml is valid (checked by tests)");
            let respuestas = raw
                .into_iter()
                .map(|(k, v)| {
                    let tipo = TipoRespuesta::parse(&k)
                        .unwrap_or_else(|| panic!("unknown answer type in respuestas.toml: {k}"));
                    (tipo, v.textos)
                })
                .collect();
            Corpus {
                solicitudes_acceso: lines(include_str!("../data/solicitudes.txt")),
                solicitudes_datos: lines(include_str!("../data/solicitudes-datos-personales.txt")),
                instituciones: INSTITUCIONES.iter().map(|t| lines(t)).collect(),
                nombres: lines(include_str!("../data/nombres.txt")),
                apellidos: lines(include_str!("../data/apellidos.txt")),
                respuestas,
            }
        })
    }

    pub(crate) fn instituciones(&self, j: Jurisdiccion) -> &[&'static str] {
        &self.instituciones[usize::from(j.code()) - 1]
    }

    pub(crate) fn respuestas(&self, tipo: TipoRespuesta) -> &[String] {
        self.respuestas.get(&tipo).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpora_are_large_enough_and_complete() {
        let c = Corpus::get();
        assert!(
            c.solicitudes_acceso.len() >= 200,
            "{}",
            c.solicitudes_acceso.len()
        );
        assert!(c.solicitudes_datos.len() >= 40);
        assert!(c.nombres.len() >= 100 && c.apellidos.len() >= 100);
        for j in Jurisdiccion::ALL {
            assert!(c.instituciones(j).len() >= 20, "{j}");
        }
        assert_eq!(
            c.instituciones(Jurisdiccion::Federacion)[0],
            "INSTITUTO NACIONAL DE TRANSPARENCIA, ACCESO A LA INFORMACIÓN Y PROTECCIÓN DE DATOS PERSONALES (INAI)"
        );
        for t in TipoRespuesta::ALL {
            assert!(c.respuestas(t).len() >= 3, "{t}");
        }
    }

    #[test]
    fn corpora_have_no_duplicates() {
        let c = Corpus::get();
        for list in [
            &c.solicitudes_acceso,
            &c.solicitudes_datos,
            &c.nombres,
            &c.apellidos,
        ] {
            let mut sorted = list.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), list.len());
        }
    }
}
