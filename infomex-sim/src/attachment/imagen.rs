//! A generated JPEG: a seeded picture (a sky-to-ground gradient with a few blocks) encoded by the
//! `image` crate, padded to the declared size with JPEG comment (COM) segments of seeded bytes.

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use rand::{Rng, RngExt};
use rand_chacha::ChaCha20Rng;

/// The picture sizes tried, largest first; the largest whose encoding fits the declared size is
/// used, so small attachments are small pictures.
const TAMANOS: [(u32, u32); 4] = [(320, 240), (160, 120), (64, 48), (16, 12)];

/// The most payload one COM segment holds (its length field counts itself and is 16 bits).
const COM_MAX: usize = 65_533;

/// A JPEG of exactly `tamano` bytes, or `None` when not even the smallest picture fits.
pub(super) fn jpeg(rng: &mut ChaCha20Rng, tamano: usize) -> Option<Vec<u8>> {
    let arriba = color(rng);
    let abajo = color(rng);
    let bloques: Vec<([u32; 4], Rgb<u8>)> = (0..4)
        .map(|_| {
            let b = [
                rng.random_range(0..100),
                rng.random_range(0..100),
                rng.random_range(10..40),
                rng.random_range(10..40),
            ];
            (b, color(rng))
        })
        .collect();
    for (w, h) in TAMANOS {
        let img = RgbImage::from_fn(w, h, |x, y| {
            // Blocks are placed in percent of the picture, so every size shows the same scene.
            let (px, py) = (x * 100 / w, y * 100 / h);
            if let Some((_, c)) = bloques.iter().find(|([bx, by, bw, bh], _)| {
                (*bx..bx + bw).contains(&px) && (*by..by + bh).contains(&py)
            }) {
                return *c;
            }
            let t = y as f32 / h as f32;
            Rgb(std::array::from_fn(|i| {
                (f32::from(arriba.0[i]) * (1.0 - t) + f32::from(abajo.0[i]) * t) as u8
            }))
        });
        // Comment segments cost at least 4 bytes, so 1 to 3 missing bytes are made up by a
        // slightly lower quality instead.
        for quality in (70..=85).rev() {
            let mut out = Vec::with_capacity(tamano);
            JpegEncoder::new_with_quality(&mut out, quality)
                .encode_image(&img)
                .ok()?;
            match tamano.checked_sub(out.len()) {
                Some(0) => return Some(out),
                Some(falta) if falta >= 4 => return Some(rellenar(out, falta, rng)),
                Some(_) => continue,
                None => break,
            }
        }
    }
    None
}

fn color(rng: &mut ChaCha20Rng) -> Rgb<u8> {
    Rgb([rng.random(), rng.random(), rng.random()])
}

/// `jpeg` with `falta` more bytes: COM segments of seeded bytes right after the JFIF APP0
/// segment (JFIF wants APP0 first), which every decoder skips by their length.
fn rellenar(jpeg: Vec<u8>, mut falta: usize, rng: &mut ChaCha20Rng) -> Vec<u8> {
    // SOI (2 bytes), then APP0: marker (2) and a big-endian length that counts itself.
    let app0_end = 4 + usize::from(u16::from_be_bytes([jpeg[4], jpeg[5]]));
    let mut out = Vec::with_capacity(jpeg.len() + falta);
    out.extend_from_slice(&jpeg[..app0_end]);
    while falta > 0 {
        // Never leave 1 to 3 bytes for a last segment, which could not hold them.
        let mut payload = (falta - 4).min(COM_MAX);
        if (1..4).contains(&(falta - 4 - payload)) {
            payload -= 4;
        }
        out.extend_from_slice(&[0xFF, 0xFE]);
        out.extend_from_slice(&u16::try_from(payload + 2).expect("≤ 65535").to_be_bytes());
        let start = out.len();
        out.resize(start + payload, 0);
        rng.fill_bytes(&mut out[start..]);
        falta -= payload + 4;
    }
    out.extend_from_slice(&jpeg[app0_end..]);
    out
}
