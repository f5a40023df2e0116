//! A generated PDF: one A4 page in Helvetica (a standard font every reader has, so nothing is
//! embedded) with WinAnsi encoding for Spanish accents, written by `pdf-writer`, padded to the
//! declared size with an unreferenced stream of seeded bytes.
//!
//! `pdf-writer` writes no clock-derived data (no `/CreationDate`) unless asked, and we never ask;
//! the file identifier (`/ID`) is drawn from the key's stream. So the bytes are a pure function of
//! the document and the key.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Settings, Str};
use rand::Rng;
use rand_chacha::ChaCha20Rng;

/// A line of the page: its font size and text.
pub(super) type Linea = (f32, String);

/// A4, in points.
const ANCHO: f32 = 595.0;
const ALTO: f32 = 842.0;
const MARGEN: f32 = 56.0;
const FUENTE: Name<'static> = Name(b"F1");

/// A PDF of exactly `tamano` bytes showing `lineas`, or `None` when not even the page without
/// text fits. Lines are dropped from the end while the document is larger than `tamano`.
pub(super) fn documento(lineas: &[Linea], rng: &mut ChaCha20Rng, tamano: usize) -> Option<Vec<u8>> {
    // The file identifier: 32 hex digits, and the same with 0 to 9 more as the one-byte knob for
    // the sizes the padding stream skips. It sits in the trailer, after the xref, so its length
    // moves nothing the xref points to; the stream's `/Length` gaining a digit (at 10, 100…) and
    // the xref's offset gaining one make the document grow by 2 or 3 bytes at once there.
    let mut id = [0u8; 24];
    rng.fill_bytes(&mut id);
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let hex: Vec<u8> = id
        .iter()
        .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]])
        .collect();
    let ident = |pad: usize| (&hex[..32], &hex[..32 + pad]);
    let mut n = lineas.len();
    loop {
        let shown = &lineas[..n];
        let base = escribir(shown, None, ident(0));
        if base.len() == tamano {
            return Some(base);
        }
        // With an empty padding stream: its fixed cost, and where the xref starts.
        let probe = escribir(shown, Some(&[]), ident(0));
        if probe.len() <= tamano
            && let Some((largo, pad)) = relleno(probe.len(), startxref(&probe)?, tamano)
        {
            let mut filler = vec![0u8; largo];
            rng.fill_bytes(&mut filler);
            let out = escribir(shown, Some(&filler), ident(pad));
            debug_assert_eq!(out.len(), tamano);
            return (out.len() == tamano).then_some(out);
        }
        n = n.checked_sub(1)?;
    }
}

fn digitos(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// The padding stream's data length and the identifier's extra digits that bring a document
/// whose empty padding stream makes it `vacio` bytes (xref at `xref`) to exactly `tamano` bytes.
fn relleno(vacio: usize, xref: usize, tamano: usize) -> Option<(usize, usize)> {
    let total = |largo: usize, pad: usize| {
        // "/Length 0" becomes "/Length {largo}"; the xref moves by as much, and the number after
        // `startxref` may gain a digit. The identifier's digits come after the xref.
        let crece = largo + digitos(largo) - 1;
        vacio + crece + digitos(xref + crece) - digitos(xref) + pad
    };
    let tope = tamano.checked_sub(vacio)?;
    (tope.saturating_sub(12)..=tope).rev().find_map(|largo| {
        (0..=9)
            .find(|&pad| total(largo, pad) == tamano)
            .map(|pad| (largo, pad))
    })
}

/// The byte offset after the last `startxref`.
fn startxref(pdf: &[u8]) -> Option<usize> {
    let at = pdf.windows(9).rposition(|w| w == b"startxref")?;
    std::str::from_utf8(&pdf[at + 9..])
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn escribir(lineas: &[Linea], relleno: Option<&[u8]>, id: (&[u8], &[u8])) -> Vec<u8> {
    let capacity = 1024 + relleno.map_or(0, <[u8]>::len);
    let mut pdf = Pdf::with_settings_and_capacity(Settings { pretty: false }, capacity);
    pdf.set_file_id((id.0.to_vec(), id.1.to_vec()));
    let (catalogo, paginas, pagina, fuente, contenido, extra) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
        Ref::new(6),
    );
    pdf.catalog(catalogo).pages(paginas);
    pdf.pages(paginas).kids([pagina]).count(1);
    let mut page = pdf.page(pagina);
    page.media_box(Rect::new(0.0, 0.0, ANCHO, ALTO))
        .parent(paginas)
        .contents(contenido);
    page.resources().fonts().pair(FUENTE, fuente);
    page.finish();
    pdf.type1_font(fuente)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.stream(contenido, &texto(lineas));
    if let Some(data) = relleno {
        pdf.stream(extra, data);
    }
    pdf.finish()
}

/// The page's content stream: the lines top-down, each split into runs of ASCII (written as
/// literal strings) and of other WinAnsi bytes (hex strings), so accents cost little.
fn texto(lineas: &[Linea]) -> Vec<u8> {
    let mut content = Content::new();
    content.begin_text();
    let mut y = ALTO - MARGEN;
    let mut first = true;
    for (size, line) in lineas {
        let leading = size * 1.45;
        if y - leading < MARGEN {
            break;
        }
        content.set_font(FUENTE, *size);
        if first {
            content.next_line(MARGEN, y);
            first = false;
        } else {
            content.next_line(0.0, -leading);
        }
        y -= leading;
        let bytes = win_ansi(line);
        let mut show = content.show_positioned();
        let mut items = show.items();
        for run in bytes.chunk_by(|a, b| a.is_ascii() == b.is_ascii()) {
            items.show(Str(run));
        }
    }
    content.end_text();
    content.finish().into_vec()
}

/// The text in Windows-1252 (WinAnsi), a `?` for what it cannot hold.
fn win_ansi(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut buf = [0u8; 4];
    for c in text.chars() {
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buf));
        if unmappable {
            out.push(b'?');
        } else {
            out.extend_from_slice(&bytes);
        }
    }
    out
}

/// `text` broken into lines of at most `ancho` characters, at spaces where possible.
pub(super) fn envolver(text: &str, ancho: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let len = line.chars().count();
            if len > 0 && len + 1 + word.chars().count() > ancho {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
            while line.chars().count() > ancho {
                let cut: String = line.chars().take(ancho).collect();
                line = line.chars().skip(ancho).collect();
                lines.push(cut);
            }
        }
        lines.push(line);
    }
    lines
}
