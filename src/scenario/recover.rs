//! Going on after a mistake, so `check` can report every error of a file at once.
//!
//! The typed parser stops at the first error it meets. To find the next one, the part of the
//! text that holds the error is *neutralized* — replaced by text that reads as valid and says
//! nothing — and the file is read again. Lines never move and the text around the neutralized
//! part keeps its columns, so later errors are reported where the file has them. The parts that
//! can be neutralized are those whose siblings do not depend on them:
//!
//! - a step (also inside `concurrent`) becomes `quejas`, a step that needs nothing and names no
//!   user;
//! - an optional top-level key (`seed`, `clock`, `infomex`, …) is blanked out, so its default
//!   applies.
//!
//! A YAML syntax error, or an error in `name`, in `steps` as a whole or in the matrix, ends the
//! search: what follows it cannot be read reliably. The caller learns what was set aside
//! ([`Part`]) so it can skip checks that would only repeat the first error (every user unknown
//! after a broken `pnt`), and [`captured_names`] reads the variables a broken step captures.

use serde_saphyr::granit_parser::{Event, Parser, Span, StructureStyle};

use super::de::Pos;

/// What the file holds, as far as neutralizing needs it.
#[derive(Debug)]
enum Node {
    Scalar(Extent),
    Seq {
        extent: Extent,
        flow: bool,
        items: Vec<Node>,
    },
    Map {
        extent: Extent,
        entries: Vec<(Node, Node)>,
    },
}

/// Where a node is: from its first character to just after its last, as positions (1-based
/// line and column, columns in characters) and character offsets.
#[derive(Debug, Clone, Copy)]
struct Extent {
    start: Pos,
    end: Pos,
    start_char: usize,
    end_char: usize,
}

impl Extent {
    fn contains(&self, pos: Pos) -> bool {
        self.start <= pos && pos < self.end
    }

    fn join(self, later: Extent) -> Extent {
        Extent {
            start: self.start,
            start_char: self.start_char,
            end: later.end.max(self.end),
            end_char: later.end_char.max(self.end_char),
        }
    }
}

impl Node {
    fn extent(&self) -> Extent {
        match self {
            Node::Scalar(e) | Node::Seq { extent: e, .. } | Node::Map { extent: e, .. } => *e,
        }
    }
}

fn pos_of(marker: serde_saphyr::granit_parser::Marker) -> Pos {
    Pos {
        line: u32::try_from(marker.line()).unwrap_or(u32::MAX),
        column: u32::try_from(marker.col() + 1).unwrap_or(u32::MAX),
    }
}

fn extent_of(span: &Span) -> Extent {
    Extent {
        start: pos_of(span.start),
        end: pos_of(span.end),
        start_char: span.start.index(),
        end_char: span.end.index(),
    }
}

/// Reads the first document of `text` as a tree, or `None` when it is not valid YAML (or uses
/// anchors, which neutralizing would break).
fn tree(text: &str) -> Option<Node> {
    let mut events = Vec::new();
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        let (event, span) = next.ok()?;
        match event {
            Event::StreamEnd | Event::DocumentEnd => break,
            Event::StreamStart | Event::DocumentStart(..) => {}
            Event::Alias(_) | Event::Anchor(..) | Event::UnresolvedAlias(_) => return None,
            Event::Scalar(..)
            | Event::SequenceStart(..)
            | Event::SequenceEnd
            | Event::MappingStart(..)
            | Event::MappingEnd => events.push((event, span)),
            _ => {}
        }
    }
    node(&mut events.into_iter().peekable())
}

type Events<'a> = std::iter::Peekable<std::vec::IntoIter<(Event<'a>, Span)>>;

fn node(events: &mut Events<'_>) -> Option<Node> {
    let (event, span) = events.next()?;
    match event {
        Event::Scalar(..) => Some(Node::Scalar(extent_of(&span))),
        Event::SequenceStart(style, ..) => {
            let mut extent = extent_of(&span);
            let mut items = Vec::new();
            loop {
                if let Some((Event::SequenceEnd, end)) = events.peek() {
                    if style == StructureStyle::Flow {
                        extent = extent.join(extent_of(end));
                    }
                    events.next();
                    break;
                }
                let item = node(events)?;
                extent = extent.join(item.extent());
                items.push(item);
            }
            Some(Node::Seq {
                extent,
                flow: style == StructureStyle::Flow,
                items,
            })
        }
        Event::MappingStart(style, ..) => {
            let mut extent = extent_of(&span);
            let mut entries = Vec::new();
            loop {
                if let Some((Event::MappingEnd, end)) = events.peek() {
                    if style == StructureStyle::Flow {
                        extent = extent.join(extent_of(end));
                    }
                    events.next();
                    break;
                }
                let key = node(events)?;
                let value = node(events)?;
                extent = extent.join(key.extent()).join(value.extent());
                entries.push((key, value));
            }
            Some(Node::Map { extent, entries })
        }
        _ => None,
    }
}

/// The text of a scalar key.
fn key_text<'t>(text: &'t str, chars: &[usize], key: &Node) -> Option<&'t str> {
    match key {
        Node::Scalar(e) => {
            Some(text[chars[e.start_char]..chars[e.end_char]].trim_matches(['"', '\'']))
        }
        _ => None,
    }
}

/// Top-level keys whose value may be blanked out: the scenario is still one without them.
/// `matrix` is not one of them: the instances, and so every position, depend on it.
const OPTIONAL_KEYS: &[&str] = &["description", "seed", "clock", "infomex", "pnt"];

/// What [`neutralize`] set aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    /// A step, now `quejas`.
    Step,
    /// A top-level key, now absent.
    Key(&'static str),
}

/// `text` with the part that holds the error at `pos` neutralized, and which part that was; or
/// `None` when no part can be (see the module's documentation).
pub(super) fn neutralize(text: &str, pos: Pos) -> Option<(String, Part)> {
    let root = tree(text)?;
    // Character offset → byte offset, with one entry past the end.
    let chars: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let Node::Map { entries, .. } = &root else {
        return None;
    };
    for (key, value) in entries {
        let entry = key.extent().join(value.extent());
        if !entry.contains(pos) {
            continue;
        }
        let name = key_text(text, &chars, key)?;
        if name == "steps" {
            let (item, flow) = innermost_step(text, &chars, value, pos)?;
            return replace(text, &chars, item.extent(), "quejas", flow).map(|t| (t, Part::Step));
        }
        let key = OPTIONAL_KEYS.iter().find(|k| **k == name)?;
        return replace(text, &chars, entry, "", false).map(|t| (t, Part::Key(key)));
    }
    None
}

/// The innermost step holding `pos` (looking inside `concurrent`), with whether its list is
/// written in flow style (`[…]`).
fn innermost_step<'n>(
    text: &str,
    chars: &[usize],
    steps: &'n Node,
    pos: Pos,
) -> Option<(&'n Node, bool)> {
    let Node::Seq { items, flow, .. } = steps else {
        return None;
    };
    let item = items.iter().find(|i| i.extent().contains(pos))?;
    if let Node::Map { entries, .. } = item {
        for (key, value) in entries {
            if key_text(text, chars, key) == Some("concurrent")
                && value.extent().contains(pos)
                && let Some(inner) = innermost_step(text, chars, value, pos)
            {
                return Some(inner);
            }
        }
    }
    Some((item, *flow))
}

/// Replaces the characters of `extent` with `with`, keeping every line break so no line moves.
/// In block style the node's first line becomes `with` (only a comment can follow it there); in
/// flow style `with` must fit where the node was, padded with blanks, or the columns after it on
/// its line would shift.
fn replace(text: &str, chars: &[usize], extent: Extent, with: &str, flow: bool) -> Option<String> {
    let start = chars[extent.start_char];
    let end = chars[extent.end_char];
    let old = &text[start..end];
    let first_line = old.split('\n').next().unwrap_or("");
    let kept_from = if flow {
        let width = with.chars().count();
        if first_line.chars().count() < width {
            return None;
        }
        old.char_indices().nth(width).map_or(old.len(), |(i, _)| i)
    } else {
        first_line.len()
    };
    let mut new = String::with_capacity(text.len() + with.len());
    new.push_str(&text[..start]);
    new.push_str(with);
    for c in old[kept_from..].chars() {
        new.push(if c == '\n' || c == '\r' { c } else { ' ' });
    }
    new.push_str(&text[end..]);
    (new != text).then_some(new)
}

/// The names every `capture` of the file defines, read from the YAML tree so that a step the
/// typed parser could not read still counts: a later `${name}` is then not reported as unknown
/// because of an earlier, unrelated mistake. `None` when the text is not valid YAML.
pub(super) fn captured_names(text: &str) -> Option<Vec<String>> {
    let root = tree(text)?;
    let chars: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let mut out = Vec::new();
    let Node::Map { entries, .. } = &root else {
        return Some(out);
    };
    fn walk(text: &str, chars: &[usize], steps: &Node, out: &mut Vec<String>) {
        let Node::Seq { items, .. } = steps else {
            return;
        };
        for item in items {
            let Node::Map { entries, .. } = item else {
                continue;
            };
            for (key, value) in entries {
                match (key_text(text, chars, key), value) {
                    (Some("capture"), Node::Map { entries, .. }) => out.extend(
                        entries
                            .iter()
                            .filter_map(|(k, _)| key_text(text, chars, k))
                            .map(str::to_owned),
                    ),
                    (Some("concurrent"), inner) => walk(text, chars, inner, out),
                    _ => {}
                }
            }
        }
    }
    for (key, value) in entries {
        if key_text(text, &chars, key) == Some("steps") {
            walk(text, &chars, value, &mut out);
        }
    }
    Some(out)
}
