//! Attachments: deterministic bytes derived from a key, never stored.
//!
//! A generated attachment is its key, media type and size; its bytes are a ChaCha20 stream of that
//! key behind the file type's magic header, made again on every download. Its SHA-256 is computed
//! from those bytes, so the declared checksum is always the real one (unless a fault says
//! otherwise).

use std::sync::Arc;

use pnt_model::Sha256;
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

/// Where an attachment's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BytesSource {
    /// A ChaCha20 stream of this key.
    Generated([u8; 32]),
    /// Bytes given by configuration.
    Explicit(Arc<[u8]>),
}

/// An attachment of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjuntoSim {
    /// `{solicitud idx}-{respuesta}-{adjunto}`, unique within the account.
    pub id: String,
    pub nombre: String,
    pub media_type: String,
    pub tamano: u64,
    source: BytesSource,
}

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

impl AdjuntoSim {
    pub(crate) fn new(
        id: String,
        nombre: String,
        media_type: String,
        tamano: u64,
        source: BytesSource,
    ) -> AdjuntoSim {
        AdjuntoSim {
            id,
            nombre,
            media_type,
            tamano,
            source,
        }
    }

    /// A generated attachment: mostly small documents, some large ones (1 KiB to 3 MiB).
    pub(crate) fn generate(
        rng: &mut ChaCha20Rng,
        key: [u8; 32],
        i: u32,
        r: u32,
        a: u32,
    ) -> AdjuntoSim {
        let (stem, media_type, _) = KINDS[rng.random_range(0..KINDS.len())];
        let tamano = match rng.random_range(0..100u32) {
            0..70 => rng.random_range(1024..64 * 1024u64),
            70..95 => rng.random_range(64 * 1024..512 * 1024u64),
            _ => rng.random_range(512 * 1024..=3 * 1024 * 1024u64),
        };
        AdjuntoSim {
            id: format!("{i}-{r}-{a}"),
            nombre: format!("{stem}_{}.{}", a + 1, extension(media_type)),
            media_type: media_type.to_owned(),
            tamano,
            source: BytesSource::Generated(key),
        }
    }

    /// The attachment's bytes.
    pub fn bytes(&self) -> Vec<u8> {
        match &self.source {
            BytesSource::Explicit(bytes) => bytes.to_vec(),
            BytesSource::Generated(key) => generated_bytes(key, &self.media_type, self.tamano),
        }
    }

    /// SHA-256 of [`AdjuntoSim::bytes`].
    pub fn sha256(&self) -> Sha256 {
        Sha256::of(&self.bytes())
    }
}

impl Serialize for AdjuntoSim {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Adjunto", 5)?;
        s.serialize_field("id", &self.id)?;
        s.serialize_field("nombre", &self.nombre)?;
        s.serialize_field("media_type", &self.media_type)?;
        s.serialize_field("tamano", &self.tamano)?;
        s.serialize_field("sha256", &self.sha256())?;
        s.end()
    }
}

fn generated_bytes(key: &[u8; 32], media_type: &str, tamano: u64) -> Vec<u8> {
    let len = tamano as usize;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_deterministic_sized_and_typed() {
        let mut rng = ChaCha20Rng::from_seed([7; 32]);
        for n in 0..50 {
            let adj = AdjuntoSim::generate(&mut rng, [n as u8; 32], 0, 0, n);
            let bytes = adj.bytes();
            assert_eq!(bytes.len() as u64, adj.tamano);
            assert_eq!(bytes, adj.bytes());
            assert_eq!(adj.sha256(), Sha256::of(&bytes));
            if adj.media_type == "application/pdf" {
                assert!(bytes.starts_with(b"%PDF-"));
            }
            if adj.media_type == "text/csv" {
                assert!(std::str::from_utf8(&bytes).is_ok());
            }
            assert!((1024..=3 * 1024 * 1024).contains(&adj.tamano));
        }
    }

    #[test]
    fn explicit_bytes_are_served_as_given() {
        let adj = AdjuntoSim::new(
            "0-0-0".into(),
            "oficio.txt".into(),
            "text/plain".into(),
            5,
            BytesSource::Explicit(Arc::from(&b"hola!"[..])),
        );
        assert_eq!(adj.bytes(), b"hola!");
    }
}
