//! Solicitudes, their respuestas and adjuntos, and quejas.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::Digest;

use crate::plazo::{Plazo, PlazoError, Prevencion, Terminos};
use crate::{Calendario, Folio, Jurisdiccion};

/// The two kinds of request the PNT legend distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TipoSolicitud {
    /// "Acceso a la información" (LGTAIP).
    #[serde(rename = "acceso")]
    AccesoInformacion,
    /// "Datos personales" — ARCO rights (LGPDPPSO).
    #[serde(rename = "datos-personales")]
    DatosPersonales,
}

impl TipoSolicitud {
    pub const ALL: [TipoSolicitud; 2] = [
        TipoSolicitud::AccesoInformacion,
        TipoSolicitud::DatosPersonales,
    ];

    /// The label as PNT's legend writes it.
    pub const fn etiqueta(self) -> &'static str {
        match self {
            TipoSolicitud::AccesoInformacion => "Acceso a la información",
            TipoSolicitud::DatosPersonales => "Datos personales",
        }
    }

    /// Stable identifier in APIs and scenario files.
    pub const fn slug(self) -> &'static str {
        match self {
            TipoSolicitud::AccesoInformacion => "acceso",
            TipoSolicitud::DatosPersonales => "datos-personales",
        }
    }

    /// Parses the slug or the label, ignoring case.
    pub fn parse(s: &str) -> Option<TipoSolicitud> {
        TipoSolicitud::ALL.into_iter().find(|t| {
            s.eq_ignore_ascii_case(t.slug())
                || s.to_lowercase() == t.etiqueta().to_lowercase()
                || (s.eq_ignore_ascii_case("acceso a la informacion")
                    && *t == TipoSolicitud::AccesoInformacion)
        })
    }
}

impl fmt::Display for TipoSolicitud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.etiqueta())
    }
}

/// Status of a request in its procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EstadoSolicitud {
    /// Received, term running, no final answer yet.
    EnProceso,
    /// A prevención was issued and the requester has not answered it yet.
    ConPrevencion,
    /// The body notified an ampliación; term extended, no final answer yet.
    ConAmpliacion,
    /// A final answer was given (or the deadline passed with "Sin respuesta" recorded).
    Terminada,
    /// The prevención went unanswered: the request counts as not filed (LGTAIP art. 128).
    NoPresentada,
}

impl EstadoSolicitud {
    pub const ALL: [EstadoSolicitud; 5] = [
        EstadoSolicitud::EnProceso,
        EstadoSolicitud::ConPrevencion,
        EstadoSolicitud::ConAmpliacion,
        EstadoSolicitud::Terminada,
        EstadoSolicitud::NoPresentada,
    ];

    pub const fn etiqueta(self) -> &'static str {
        match self {
            EstadoSolicitud::EnProceso => "En proceso",
            EstadoSolicitud::ConPrevencion => "Con prevención",
            EstadoSolicitud::ConAmpliacion => "Con ampliación",
            EstadoSolicitud::Terminada => "Terminada",
            EstadoSolicitud::NoPresentada => "Se tiene por no presentada",
        }
    }

    /// The snake_case identifier used on the wire.
    pub const fn slug(self) -> &'static str {
        match self {
            EstadoSolicitud::EnProceso => "en_proceso",
            EstadoSolicitud::ConPrevencion => "con_prevencion",
            EstadoSolicitud::ConAmpliacion => "con_ampliacion",
            EstadoSolicitud::Terminada => "terminada",
            EstadoSolicitud::NoPresentada => "no_presentada",
        }
    }

    pub fn parse(s: &str) -> Option<EstadoSolicitud> {
        EstadoSolicitud::ALL
            .into_iter()
            .find(|e| e.slug() == s || e.etiqueta() == s)
    }
}

impl fmt::Display for EstadoSolicitud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.etiqueta())
    }
}

/// The Infomex answer-type catalog, verbatim (DESIGN.md, "Answer types").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TipoRespuesta {
    EntregaMedioElectronico,
    Inexistencia,
    NoCompetencia,
    NegativaReservadaConfidencial,
    ParcialmenteReservada,
    DisponiblePublicamente,
    RequerimientoInformacionAdicional,
    NotificacionProrroga,
    NotificacionDisponibilidad,
    NotificacionPago,
    SinRespuesta,
    NoCorrespondeMarcoLey,
    NoSeDaraTramite,
}

impl TipoRespuesta {
    pub const ALL: [TipoRespuesta; 13] = {
        use TipoRespuesta::*;
        [
            EntregaMedioElectronico,
            Inexistencia,
            NoCompetencia,
            NegativaReservadaConfidencial,
            ParcialmenteReservada,
            DisponiblePublicamente,
            RequerimientoInformacionAdicional,
            NotificacionProrroga,
            NotificacionDisponibilidad,
            NotificacionPago,
            SinRespuesta,
            NoCorrespondeMarcoLey,
            NoSeDaraTramite,
        ]
    };

    /// The text exactly as Infomex wrote it.
    pub const fn texto(self) -> &'static str {
        use TipoRespuesta::*;
        match self {
            EntregaMedioElectronico => "Entrega de información en medio electrónico",
            Inexistencia => "Inexistencia de la información solicitada",
            NoCompetencia => "No es de competencia de la unidad de enlace",
            NegativaReservadaConfidencial => "Negativa por ser reservada o confidencial",
            ParcialmenteReservada => "Información parcialmente reservada o confidencial",
            DisponiblePublicamente => "La información está disponible públicamente",
            RequerimientoInformacionAdicional => "Requerimiento de información adicional",
            NotificacionProrroga => "Notificación de prórroga",
            NotificacionDisponibilidad => "Notificación de disponibilidad de información",
            NotificacionPago => "Notificación de pago",
            SinRespuesta => "Sin respuesta",
            NoCorrespondeMarcoLey => "La solicitud no corresponde al marco de la Ley",
            NoSeDaraTramite => "No se dará trámite a la solicitud",
        }
    }

    /// Parses the verbatim text.
    pub fn parse(s: &str) -> Option<TipoRespuesta> {
        TipoRespuesta::ALL
            .into_iter()
            .find(|t| t.texto() == s.trim())
    }

    /// Whether this answer ends the procedure (and so opens the queja window).
    ///
    /// A "Requerimiento de información adicional" is a prevención and a "Notificación de
    /// prórroga" an ampliación: both are steps *within* the term. "Sin respuesta" records that no
    /// answer was given, so it is not an answer either: the window opens when the deadline passes.
    pub const fn es_final(self) -> bool {
        !matches!(
            self,
            TipoRespuesta::RequerimientoInformacionAdicional
                | TipoRespuesta::NotificacionProrroga
                | TipoRespuesta::SinRespuesta
        )
    }
}

impl fmt::Display for TipoRespuesta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.texto())
    }
}

impl Serialize for TipoRespuesta {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.texto())
    }
}

impl<'de> Deserialize<'de> for TipoRespuesta {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        TipoRespuesta::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "tipo de respuesta desconocido «{text}»: use uno del catálogo de Infomex"
            ))
        })
    }
}

/// A SHA-256 digest, shown and serialized as 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sha256(pub [u8; 32]);

impl Sha256 {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Sha256 {
        Sha256(sha2::Sha256::digest(bytes).into())
    }

    /// Parses 64 hex digits.
    pub fn parse_hex(s: &str) -> Option<Sha256> {
        let bytes = s.as_bytes();
        if bytes.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, pair) in bytes.chunks(2).enumerate() {
            let hi = (pair[0] as char).to_digit(16)?;
            let lo = (pair[1] as char).to_digit(16)?;
            out[i] = (hi * 16 + lo) as u8;
        }
        Some(Sha256(out))
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({self})")
    }
}

impl Serialize for Sha256 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Sha256 {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Sha256::parse_hex(&text)
            .ok_or_else(|| serde::de::Error::custom("se esperaban 64 dígitos hexadecimales"))
    }
}

/// A file attached to an answer. Its bytes live elsewhere; this is what identifies them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjunto {
    /// The id to download it with from the Infomex that holds it (the simulator's
    /// `{solicitud}-{respuesta}-{adjunto}`). Empty when the id is not known or does not matter,
    /// and then left out of the JSON, so a value without it reads and writes as before.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// File name as the body uploaded it.
    pub nombre: String,
    /// Media type, e.g. `application/pdf`.
    pub media_type: String,
    /// Size in bytes.
    pub tamano: u64,
    pub sha256: Sha256,
}

/// One answer (or procedural notice) the body gave to a request.
///
/// `A` is the attachment type: [`Adjunto`] everywhere an answer is shown or compared. The
/// simulator holds its answers with attachments that know how to make their bytes, and declares
/// them with attachments that say what to make, so it uses this same shape with its own `A`
/// instead of copying it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Respuesta<A = Adjunto> {
    pub tipo: TipoRespuesta,
    pub fecha: Date,
    pub texto: String,
    #[serde(default = "Vec::new")]
    pub adjuntos: Vec<A>,
}

/// A request as Infomex held it: what the requester filed and what happened to it.
///
/// This is the one shape of a solicitud: the simulator generates and holds it, the reference
/// server stores and returns it, and the runner's oracle compares it. Its jurisdiction is its
/// folio's ([`Solicitud::jurisdiccion`]). `A` is the attachment type (see [`Respuesta`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Solicitud<A = Adjunto> {
    pub folio: Folio,
    pub tipo: TipoSolicitud,
    /// The sujeto obligado the request was addressed to.
    pub institucion: String,
    /// The request text.
    pub descripcion: String,
    /// The day the requester filed it (possibly a non-working day).
    pub fecha_presentacion: Date,
    pub estado: EstadoSolicitud,
    #[serde(default)]
    pub prevencion: Option<Prevencion>,
    #[serde(default)]
    pub ampliacion: bool,
    /// Answers in date order.
    #[serde(default = "Vec::new")]
    pub respuestas: Vec<Respuesta<A>>,
}

impl<A> Solicitud<A> {
    /// The jurisdiction whose Infomex issued the folio.
    pub fn jurisdiccion(&self) -> Jurisdiccion {
        self.folio.jurisdiccion()
    }

    /// The answer that ended the procedure, if any (see [`TipoRespuesta::es_final`]).
    pub fn respuesta_final(&self) -> Option<&Respuesta<A>> {
        self.respuestas.iter().find(|r| r.tipo.es_final())
    }

    /// Every attachment of every answer, in answer order.
    pub fn adjuntos(&self) -> impl Iterator<Item = &A> {
        self.respuestas.iter().flat_map(|r| r.adjuntos.iter())
    }

    /// The same solicitud with each attachment replaced by `f` of it (the simulator turns the
    /// attachments it holds into [`Adjunto`]s this way, computing their checksums).
    pub fn map_adjuntos<B>(&self, mut f: impl FnMut(&A) -> B) -> Solicitud<B> {
        Solicitud {
            folio: self.folio,
            tipo: self.tipo,
            institucion: self.institucion.clone(),
            descripcion: self.descripcion.clone(),
            fecha_presentacion: self.fecha_presentacion,
            estado: self.estado,
            prevencion: self.prevencion,
            ampliacion: self.ampliacion,
            respuestas: self
                .respuestas
                .iter()
                .map(|r| Respuesta {
                    tipo: r.tipo,
                    fecha: r.fecha,
                    texto: r.texto.clone(),
                    adjuntos: r.adjuntos.iter().map(&mut f).collect(),
                })
                .collect(),
        }
    }

    /// The plazo of this request under `cal` and `terminos`.
    pub fn plazo(&self, cal: &Calendario, terminos: &Terminos) -> Result<Plazo, PlazoError> {
        Plazo::calcular(
            cal,
            terminos,
            self.fecha_presentacion,
            self.ampliacion,
            self.prevencion,
        )
    }

    // The Mi Historial row (semáforo, queja window) is `Solicitud::fila_historial`, in
    // `historial.rs`: one rule, with the policy for incoherent dates.
}

/// A queja (recurso de revisión) filed against a request's answer or lack of one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Queja {
    /// The queja's own folio, issued by the órgano garante.
    pub folio: String,
    /// The request it is filed against.
    pub folio_solicitud: Folio,
    pub fecha: Date,
    /// What the requester complains about.
    pub motivo: String,
}

/// The folio of the `secuencia`-th queja of `anio` before the órgano garante of `j`: the INAI
/// style `RRA 01234/21` for the Federación, `RR/<ABBR-like slug>/01234/2021` for states
/// (synthetic, like the state folio formats).
pub fn folio_queja(j: Jurisdiccion, secuencia: u32, anio: i16) -> String {
    if j.es_federacion() {
        format!("RRA {secuencia:05}/{:02}", anio % 100)
    } else {
        format!("RR/{:02}/{secuencia:05}/{anio}", j.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_catalog_is_verbatim_and_round_trips() {
        assert_eq!(TipoRespuesta::ALL.len(), 13);
        for t in TipoRespuesta::ALL {
            assert_eq!(TipoRespuesta::parse(t.texto()), Some(t));
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(serde_json::from_str::<TipoRespuesta>(&json).unwrap(), t);
        }
        assert_eq!(
            TipoRespuesta::NoSeDaraTramite.texto(),
            "No se dará trámite a la solicitud"
        );
        assert!(serde_json::from_str::<TipoRespuesta>("\"Otra cosa\"").is_err());
    }

    #[test]
    fn only_final_answers_end_the_procedure() {
        let finals: Vec<_> = TipoRespuesta::ALL
            .into_iter()
            .filter(|t| !t.es_final())
            .collect();
        assert_eq!(
            finals,
            [
                TipoRespuesta::RequerimientoInformacionAdicional,
                TipoRespuesta::NotificacionProrroga,
                TipoRespuesta::SinRespuesta
            ]
        );
    }

    #[test]
    fn sha256_hex_round_trips() {
        let digest = Sha256::of(b"abc");
        assert_eq!(
            digest.to_string(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(Sha256::parse_hex(&digest.to_string()), Some(digest));
        assert_eq!(Sha256::parse_hex("zz"), None);
    }

    #[test]
    fn tipo_solicitud_parses_slug_and_label() {
        assert_eq!(
            TipoSolicitud::parse("Datos personales"),
            Some(TipoSolicitud::DatosPersonales)
        );
        assert_eq!(
            TipoSolicitud::parse("acceso"),
            Some(TipoSolicitud::AccesoInformacion)
        );
        assert_eq!(
            TipoSolicitud::parse("Acceso a la informacion"),
            Some(TipoSolicitud::AccesoInformacion)
        );
        assert_eq!(TipoSolicitud::parse("otro"), None);
    }

    fn adjunto(id: &str) -> Adjunto {
        Adjunto {
            id: id.into(),
            nombre: "r.pdf".into(),
            media_type: "application/pdf".into(),
            tamano: 3,
            sha256: Sha256::of(b"abc"),
        }
    }

    #[test]
    fn an_adjunto_without_id_reads_and_writes_as_before_the_id_existed() {
        let sin_id = serde_json::json!({"nombre": "r.pdf", "media_type": "application/pdf",
            "tamano": 3, "sha256": Sha256::of(b"abc").to_string()});
        assert_eq!(serde_json::to_value(adjunto("")).unwrap(), sin_id);
        assert_eq!(
            serde_json::from_value::<Adjunto>(sin_id.clone()).unwrap(),
            adjunto("")
        );
        let mut con_id = sin_id;
        con_id["id"] = "1-0-0".into();
        assert_eq!(serde_json::to_value(adjunto("1-0-0")).unwrap(), con_id);
    }

    #[test]
    fn a_solicitud_names_its_unknown_fields_and_maps_its_adjuntos() {
        let json = serde_json::json!({
            "folio": "0623800160321", "tipo": "acceso", "institucion": "INAI",
            "descripcion": "Directorio", "fecha_presentacion": "2021-08-26",
            "estado": "terminada",
            "respuestas": [{"tipo": "Entrega de información en medio electrónico",
                            "fecha": "2021-09-20", "texto": "Se entrega.",
                            "adjuntos": [3, 4]}]
        });
        // The attachment type is a parameter: here a plain number stands for one.
        let s: Solicitud<u64> = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(s.jurisdiccion(), Jurisdiccion::Federacion);
        assert_eq!(s.adjuntos().copied().collect::<Vec<_>>(), [3, 4]);
        let mapped = s.map_adjuntos(|n| n * 10);
        assert_eq!(mapped.respuestas[0].adjuntos, [30, 40]);
        assert_eq!(mapped.respuesta_final().unwrap().texto, "Se entrega.");
        let mut extra = json;
        extra["jurisdiccion"] = "federacion".into();
        let err = serde_json::from_value::<Solicitud<u64>>(extra)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("unknown field `jurisdiccion`, expected one of `folio`, `tipo`"),
            "{err}"
        );
    }

    #[test]
    fn queja_folios() {
        assert_eq!(
            folio_queja(Jurisdiccion::Federacion, 1234, 2021),
            "RRA 01234/21"
        );
        assert_eq!(
            folio_queja(Jurisdiccion::Jalisco, 7, 2021),
            "RR/14/00007/2021"
        );
    }
}
