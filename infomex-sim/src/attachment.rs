//! Attachments: deterministic bytes derived from a key, never stored.
//!
//! A generated attachment is its key, media type, size and the answer it belongs to; its bytes are
//! made again on every download, from a ChaCha20 stream of that key. A PDF is a real document
//! carrying the answer's text and an image a real JPEG, both padded to the declared size (see
//! docs/infomex-sim.md, "Attachments"), so they open in any viewer; a CSV is text. Other types are
//! random bytes behind the type's magic header. Its SHA-256 is computed from those bytes, so the
//! declared checksum is always the real one (unless a fault says otherwise).

mod imagen;
mod pdf;

use std::sync::{Arc, OnceLock};

use pnt_model::{Adjunto, Date, Sha256, TipoRespuesta};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::{Serialize, Serializer};

/// What a generated document says: the answer it is attached to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Documento {
    pub(crate) folio: String,
    pub(crate) institucion: String,
    pub(crate) tipo: TipoRespuesta,
    pub(crate) fecha: Date,
    pub(crate) texto: String,
}

/// Where an attachment's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BytesSource {
    /// Generated from a ChaCha20 stream of this key, about this answer.
    Generated([u8; 32], Arc<Documento>),
    /// Bytes given by configuration.
    Explicit(Arc<[u8]>),
}

/// An attachment as the simulator holds it: what describes it and where its bytes come from.
///
/// The simulator's solicitudes are `pnt_model::Solicitud<AdjuntoFile>`; [`AdjuntoFile::adjunto`]
/// gives the model's [`Adjunto`], whose SHA-256 needs the bytes, so it is computed only when an
/// attachment is shown (a detail, the admin API), never when an account is generated, and then
/// kept for as long as the account is cached: a linkage asks for it in the detail and again
/// with the download, and generating the bytes is most of what serving them costs.
#[derive(Debug, Clone)]
pub struct AdjuntoFile {
    /// `{solicitud idx}-{respuesta}-{adjunto}`, unique within the account.
    pub id: String,
    pub nombre: String,
    pub media_type: String,
    pub tamano: u64,
    source: BytesSource,
    /// The SHA-256 of the bytes, once computed. Not part of what the attachment is.
    sha256: OnceLock<Sha256>,
}

/// Two attachments are equal when they describe the same bytes, whether or not either has
/// computed its checksum yet.
impl PartialEq for AdjuntoFile {
    fn eq(&self, other: &AdjuntoFile) -> bool {
        (
            &self.id,
            &self.nombre,
            &self.media_type,
            self.tamano,
            &self.source,
        ) == (
            &other.id,
            &other.nombre,
            &other.media_type,
            other.tamano,
            &other.source,
        )
    }
}

impl Eq for AdjuntoFile {}

const KINDS: [(&str, &str, &[u8]); 6] = [
    (
        "respuesta",
        "application/pdf",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
    ),
    (
        "oficio",
        "application/pdf",
        b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n",
    ),
    (
        "anexo",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK\x03\x04\x14\x00\x06\x00",
    ),
    ("datos", "text/csv", b""),
    (
        "evidencia",
        "image/jpeg",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    ),
    (
        "expediente",
        "application/zip",
        b"PK\x03\x04\x14\x00\x00\x00",
    ),
];

fn extension(media_type: &str) -> &'static str {
    match media_type {
        "application/pdf" => "pdf",
        "text/csv" => "csv",
        "image/jpeg" => "jpg",
        "application/zip" => "zip",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        _ => "bin",
    }
}

impl AdjuntoFile {
    pub(crate) fn new(
        id: String,
        nombre: String,
        media_type: String,
        tamano: u64,
        source: BytesSource,
    ) -> AdjuntoFile {
        AdjuntoFile {
            id,
            nombre,
            media_type,
            tamano,
            source,
            sha256: OnceLock::new(),
        }
    }

    /// A generated attachment: mostly small documents, some large ones (1 KiB to 3 MiB).
    pub(crate) fn generate(
        rng: &mut ChaCha20Rng,
        key: [u8; 32],
        documento: &Arc<Documento>,
        i: u32,
        r: u32,
        a: u32,
    ) -> AdjuntoFile {
        let (stem, media_type, _) = KINDS[rng.random_range(0..KINDS.len())];
        let tamano = match rng.random_range(0..100u32) {
            0..70 => rng.random_range(1024..64 * 1024u64),
            70..95 => rng.random_range(64 * 1024..512 * 1024u64),
            _ => rng.random_range(512 * 1024..=3 * 1024 * 1024u64),
        };
        AdjuntoFile {
            id: format!("{i}-{r}-{a}"),
            nombre: format!("{stem}_{}.{}", a + 1, extension(media_type)),
            media_type: media_type.to_owned(),
            tamano,
            source: BytesSource::Generated(key, Arc::clone(documento)),
            sha256: OnceLock::new(),
        }
    }

    /// The attachment's bytes.
    pub fn bytes(&self) -> Vec<u8> {
        match &self.source {
            BytesSource::Explicit(bytes) => bytes.to_vec(),
            BytesSource::Generated(key, documento) => {
                generated_bytes(key, documento, &self.nombre, &self.media_type, self.tamano)
            }
        }
    }

    /// SHA-256 of [`AdjuntoFile::bytes`].
    pub fn sha256(&self) -> Sha256 {
        *self.sha256.get_or_init(|| Sha256::of(&self.bytes()))
    }

    /// The SHA-256, computed from `bytes` (which must be [`AdjuntoFile::bytes`]) if it was not
    /// known yet.
    pub(crate) fn sha256_de(&self, bytes: &[u8]) -> Sha256 {
        *self.sha256.get_or_init(|| Sha256::of(bytes))
    }

    /// Computes the SHA-256 if it is not known yet, and then returns the generated bytes it
    /// was computed from, for the download that usually follows (`None` when nothing was
    /// generated: the checksum was known, or the bytes are configured ones).
    pub(crate) fn preparar(&self) -> Option<Vec<u8>> {
        if self.sha256.get().is_some() || matches!(self.source, BytesSource::Explicit(_)) {
            return None;
        }
        let bytes = self.bytes();
        self.sha256_de(&bytes);
        Some(bytes)
    }

    /// The model's attachment: id, name, media type, size and the SHA-256 of the bytes.
    pub fn adjunto(&self) -> Adjunto {
        Adjunto {
            id: self.id.clone(),
            nombre: self.nombre.clone(),
            media_type: self.media_type.clone(),
            tamano: self.tamano,
            sha256: self.sha256(),
        }
    }
}

/// Serialized as the model's [`Adjunto`], checksum included.
impl Serialize for AdjuntoFile {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.adjunto().serialize(serializer)
    }
}

fn generated_bytes(
    key: &[u8; 32],
    documento: &Documento,
    nombre: &str,
    media_type: &str,
    tamano: u64,
) -> Vec<u8> {
    let len = tamano as usize;
    let mut rng = ChaCha20Rng::from_seed(*key);
    let abre = match media_type {
        "application/pdf" => pdf::documento(&lineas(documento, nombre), &mut rng, len),
        "image/jpeg" => imagen::jpeg(&mut rng, len),
        _ => None,
    };
    if let Some(bytes) = abre {
        return bytes;
    }
    // Too small for a document that opens (docs/infomex-sim.md gives the minimum sizes), or a
    // type we only imitate: the magic header and seeded bytes, from a fresh stream.
    let mut rng = ChaCha20Rng::from_seed(*key);
    if media_type == "text/csv" {
        // Text that opens as a spreadsheet: a header and rows of digits.
        let mut out = b"folio,concepto,monto\n".to_vec();
        let mut row = 0u64;
        while out.len() < len {
            row += 1;
            let amount = rng.random_range(100..10_000_000u64);
            out.extend_from_slice(
                format!(
                    "{row},partida {},{amount}.00\n",
                    rng.random_range(1000..9999u32)
                )
                .as_bytes(),
            );
        }
        out.truncate(len);
        return out;
    }
    let magic = KINDS
        .iter()
        .find(|(_, m, _)| *m == media_type)
        .map_or(&b""[..], |(_, _, magic)| *magic);
    let mut out = vec![0u8; len];
    let head = magic.len().min(len);
    out[..head].copy_from_slice(&magic[..head]);
    rng.fill_bytes(&mut out[head..]);
    out
}

/// The lines of a generated PDF: who answers, to which solicitud, when and what. The last lines
/// are the first dropped when the declared size is too small for all of them.
fn lineas(d: &Documento, nombre: &str) -> Vec<pdf::Linea> {
    let mut out: Vec<pdf::Linea> = pdf::envolver(&d.institucion, 60)
        .into_iter()
        .map(|l| (12.0, l))
        .collect();
    out.push((10.0, format!("Solicitud de información {}", d.folio)));
    out.push((
        10.0,
        format!("{} — {}", d.tipo.texto(), d.fecha.strftime("%d/%m/%Y")),
    ));
    out.push((10.0, String::new()));
    out.extend(pdf::envolver(&d.texto, 80).into_iter().map(|l| (10.0, l)));
    out.push((10.0, String::new()));
    out.push((8.0, format!("Archivo: {nombre}")));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn documento() -> Arc<Documento> {
        Arc::new(Documento {
            folio: "0623800160321".into(),
            institucion: "INSTITUTO NACIONAL DE TRANSPARENCIA, ACCESO A LA INFORMACIÓN Y \
                          PROTECCIÓN DE DATOS PERSONALES (INAI)"
                .into(),
            tipo: TipoRespuesta::EntregaMedioElectronico,
            fecha: jiff::civil::date(2021, 9, 10),
            texto: "Se adjunta la información solicitada por la Dirección de Administración; \
                    el año fiscal comprende del 1 de enero al 31 de diciembre."
                .into(),
        })
    }

    fn generado(nombre: &str, media_type: &str, tamano: u64, key: u8) -> AdjuntoFile {
        AdjuntoFile::new(
            "0-0-0".into(),
            nombre.into(),
            media_type.into(),
            tamano,
            BytesSource::Generated([key; 32], documento()),
        )
    }

    /// The text of every page, as an independent reader (lopdf) extracts it, decoding the
    /// WinAnsi bytes; panics if the bytes do not parse as a PDF.
    fn texto_pdf(bytes: &[u8]) -> String {
        let doc = lopdf::Document::load_mem(bytes).expect("a PDF lopdf reads");
        let paginas: Vec<u32> = doc.get_pages().keys().copied().collect();
        assert_eq!(paginas, [1]);
        doc.extract_text(&paginas).expect("its text")
    }

    #[test]
    fn bytes_are_deterministic_sized_and_typed() {
        let mut rng = ChaCha20Rng::from_seed([7; 32]);
        for n in 0..50 {
            let adj = AdjuntoFile::generate(&mut rng, [n as u8; 32], &documento(), 0, 0, n);
            let bytes = adj.bytes();
            assert_eq!(bytes.len() as u64, adj.tamano);
            assert_eq!(bytes, adj.bytes());
            assert_eq!(adj.sha256(), Sha256::of(&bytes));
            match adj.media_type.as_str() {
                "application/pdf" => assert!(texto_pdf(&bytes).contains("0623800160321")),
                "image/jpeg" => {
                    image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg)
                        .expect("a JPEG that decodes");
                }
                "text/csv" => assert!(std::str::from_utf8(&bytes).is_ok()),
                _ => {}
            }
            assert!((1024..=3 * 1024 * 1024).contains(&adj.tamano));
        }
    }

    #[test]
    fn a_generated_pdf_opens_and_carries_the_answer() {
        for tamano in [3000, 20_480, 1_048_576] {
            let bytes = generado("oficio_1.pdf", "application/pdf", tamano, 1).bytes();
            assert_eq!(bytes.len() as u64, tamano);
            assert!(bytes.starts_with(b"%PDF-1."));
            let texto = texto_pdf(&bytes);
            for esperado in [
                "INSTITUTO NACIONAL DE TRANSPARENCIA, ACCESO A LA INFORMACIÓN Y",
                "Solicitud de información 0623800160321",
                "Entrega de información en medio electrónico — 10/09/2021",
                "Se adjunta la información solicitada por la Dirección de Administración;",
                "el año fiscal comprende del 1 de enero al 31 de diciembre.",
                "Archivo: oficio_1.pdf",
            ] {
                assert!(texto.contains(esperado), "«{esperado}» not in {texto:?}");
            }
            // Nothing in it comes from a clock: no dates of creation or modification.
            for marca in [&b"/CreationDate"[..], b"/ModDate"] {
                assert!(!bytes.windows(marca.len()).any(|w| w == marca));
            }
        }
    }

    #[test]
    fn a_pdf_fits_every_declared_size_exactly() {
        // Around the sizes where the padding stream's /Length and the xref offset gain a digit.
        let sizes = (1024..1200)
            .chain(9_990..10_030)
            .chain(99_990..100_030)
            .chain(1_048_566..1_048_586);
        for tamano in sizes {
            let bytes = generado("respuesta_1.pdf", "application/pdf", tamano, 2).bytes();
            assert_eq!(bytes.len() as u64, tamano);
            assert!(
                texto_pdf(&bytes).contains("Solicitud de información 0623800160321"),
                "{tamano}"
            );
        }
    }

    #[test]
    fn a_small_declared_size_keeps_the_first_lines() {
        let bytes = generado("respuesta_1.pdf", "application/pdf", 1024, 3).bytes();
        let texto = texto_pdf(&bytes);
        assert!(texto.contains("0623800160321"));
        assert!(!texto.contains("Archivo:"), "{texto}");
        // Below the smallest page, the bytes only look like a PDF, as before.
        let tiny = generado("respuesta_1.pdf", "application/pdf", 200, 3).bytes();
        assert_eq!(tiny.len(), 200);
        assert!(tiny.starts_with(b"%PDF-"));
        assert!(lopdf::Document::load_mem(&tiny).is_err());
    }

    #[test]
    fn a_generated_jpeg_decodes_at_its_size() {
        for (tamano, dims) in [
            (1024, (16, 12)),
            (2000, (64, 48)),
            (4000, (160, 120)),
            (65_536, (320, 240)),
            (3 * 1024 * 1024, (320, 240)),
        ] {
            let adj = generado("evidencia_1.jpg", "image/jpeg", tamano, 4);
            let bytes = adj.bytes();
            assert_eq!(bytes.len() as u64, tamano);
            assert_eq!(bytes, adj.bytes());
            let img = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg)
                .expect("a JPEG that decodes");
            assert_eq!((img.width(), img.height()), dims, "{tamano}");
        }
        for tamano in (1024..1100).chain(65_530..65_545).chain(131_060..131_080) {
            let bytes = generado("evidencia_1.jpg", "image/jpeg", tamano, 5).bytes();
            assert_eq!(bytes.len() as u64, tamano);
            image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg)
                .unwrap_or_else(|e| panic!("{tamano}: {e}"));
        }
    }

    #[test]
    fn another_key_gives_another_picture_and_filler() {
        let a = generado("evidencia_1.jpg", "image/jpeg", 20_000, 6).bytes();
        let b = generado("evidencia_1.jpg", "image/jpeg", 20_000, 7).bytes();
        assert_ne!(a, b);
        let a = generado("oficio_1.pdf", "application/pdf", 20_000, 6).bytes();
        let b = generado("oficio_1.pdf", "application/pdf", 20_000, 7).bytes();
        assert_ne!(a, b);
    }

    #[test]
    fn explicit_bytes_are_served_as_given() {
        let adj = AdjuntoFile::new(
            "0-0-0".into(),
            "oficio.txt".into(),
            "text/plain".into(),
            5,
            BytesSource::Explicit(Arc::from(&b"hola!"[..])),
        );
        assert_eq!(adj.bytes(), b"hola!");
    }
}
