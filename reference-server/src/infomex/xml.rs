//! A small element tree over quick-xml, enough for the legacy dialect's documents.
//!
//! Text is kept exactly (no trimming) with XML entities and character references resolved and
//! CDATA taken verbatim. A document that ends before its root closes — a truncated body — is an
//! error, never a shorter tree.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// An element.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Nodo {
    pub(crate) nombre: String,
    pub(crate) atributos: Vec<(String, String)>,
    pub(crate) hijos: Vec<Nodo>,
    /// All text directly inside this element, concatenated.
    pub(crate) texto: String,
}

impl Nodo {
    pub(crate) fn hijo(&self, nombre: &str) -> Option<&Nodo> {
        self.hijos.iter().find(|h| h.nombre == nombre)
    }

    pub(crate) fn hijos<'a>(&'a self, nombre: &'a str) -> impl Iterator<Item = &'a Nodo> + 'a {
        self.hijos.iter().filter(move |h| h.nombre == nombre)
    }

    pub(crate) fn atributo(&self, nombre: &str) -> Option<&str> {
        self.atributos
            .iter()
            .find(|(k, _)| k == nombre)
            .map(|(_, v)| v.as_str())
    }

    /// The text of the child element `nombre`.
    pub(crate) fn texto_de(&self, nombre: &str) -> Option<&str> {
        self.hijo(nombre).map(|h| h.texto.as_str())
    }
}

/// Parses a whole document into its root element.
pub(crate) fn parse(xml: &str) -> Result<Nodo, String> {
    let mut reader = Reader::from_str(xml);
    let mut pila: Vec<Nodo> = Vec::new();
    let mut raiz: Option<Nodo> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("XML inválido en el byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(e) => pila.push(abrir(&e)?),
            Event::Empty(e) => cerrar(abrir(&e)?, &mut pila, &mut raiz)?,
            Event::End(_) => {
                let nodo = pila.pop().ok_or("cierre sin apertura")?;
                cerrar(nodo, &mut pila, &mut raiz)?;
            }
            Event::Text(t) => {
                if let Some(top) = pila.last_mut() {
                    top.texto.push_str(&t.xml10_content());
                }
            }
            Event::CData(c) => {
                if let Some(top) = pila.last_mut() {
                    top.texto.push_str(&c.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                let resuelto = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.xml10_content();
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| format!("entidad XML desconocida &{name};"))?
                            .to_owned()
                    }
                };
                if let Some(top) = pila.last_mut() {
                    top.texto.push_str(&resuelto);
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if !pila.is_empty() {
        return Err(format!(
            "el documento termina antes de cerrar <{}>",
            pila[0].nombre
        ));
    }
    raiz.ok_or_else(|| "documento XML vacío".to_owned())
}

fn abrir(e: &BytesStart<'_>) -> Result<Nodo, String> {
    let mut nodo = Nodo {
        nombre: e.name().0.to_owned(),
        ..Nodo::default()
    };
    for attr in e.attributes() {
        let attr = attr.map_err(|e| format!("atributo inválido: {e}"))?;
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("valor de atributo inválido: {e}"))?;
        nodo.atributos
            .push((attr.key.0.to_owned(), value.into_owned()));
    }
    Ok(nodo)
}

fn cerrar(nodo: Nodo, pila: &mut [Nodo], raiz: &mut Option<Nodo>) -> Result<(), String> {
    match pila.last_mut() {
        Some(padre) => padre.hijos.push(nodo),
        None if raiz.is_none() => *raiz = Some(nodo),
        None => return Err("más de un elemento raíz".to_owned()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_tree_with_exact_text() {
        let doc = parse(
            "<?xml version=\"1.0\"?>\n<a x=\"1 &amp; 2\"><b> sp </b><c>&lt;&#233;&#x41;&gt;</c>\
             <d><![CDATA[<br/>&oacute;]]></d><e/></a>",
        )
        .unwrap();
        assert_eq!(doc.nombre, "a");
        assert_eq!(doc.atributo("x"), Some("1 & 2"));
        assert_eq!(doc.texto_de("b"), Some(" sp "));
        assert_eq!(doc.texto_de("c"), Some("<éA>"));
        assert_eq!(doc.texto_de("d"), Some("<br/>&oacute;"));
        assert!(doc.hijo("e").is_some());
        assert_eq!(doc.hijos("b").count(), 1);
    }

    #[test]
    fn truncated_or_malformed_documents_are_errors() {
        assert!(parse("<a><b>x</b>").is_err());
        assert!(parse("<a><b>x</c></a>").is_err());
        assert!(parse("").is_err());
        assert!(parse("<a/><b/>").is_err());
        assert!(parse("<a>&nope;</a>").is_err());
    }
}
