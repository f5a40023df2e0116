//! The request journal: every request received, in order, bounded so that long load runs keep
//! memory flat (the oldest entries are dropped and counted).

use std::collections::VecDeque;

use axum::http::Method;
use pnt_model::Jurisdiccion;
use serde::Serialize;

use crate::fault::Endpoint;
use crate::query::split_ascii;
use pnt_model::Dialect;

/// One request as the simulator saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    pub seq: u64,
    pub jurisdiccion: Option<Jurisdiccion>,
    pub dialect: Option<Dialect>,
    pub endpoint: Endpoint,
    pub method: String,
    /// Path and query, with session tokens replaced by `…`.
    pub path: String,
    /// `None` when no response was sent (the `hang` fault).
    pub status: Option<u16>,
    /// The kind of fault applied, if any.
    pub fault: Option<String>,
}

/// One request as the journal keeps it: the compact form written on the hot path (no allocation
/// but the path), turned into a [`JournalEntry`] only when someone reads the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) jurisdiccion: Option<Jurisdiccion>,
    pub(crate) dialect: Option<Dialect>,
    pub(crate) endpoint: Endpoint,
    pub(crate) method: Method,
    /// Already redacted (see [`redact`]).
    pub(crate) path: String,
    pub(crate) status: Option<u16>,
    pub(crate) fault: Option<&'static str>,
}

#[derive(Debug)]
pub(crate) struct Journal {
    entries: VecDeque<(u64, Record)>,
    capacity: usize,
    next_seq: u64,
    dropped: u64,
}

/// What `GET /__admin/journal` returns.
#[derive(Debug, Serialize)]
pub struct JournalPage {
    pub dropped: u64,
    pub entries: Vec<JournalEntry>,
}

impl Journal {
    pub(crate) fn new(capacity: usize) -> Journal {
        Journal {
            entries: VecDeque::new(),
            capacity: capacity.max(1),
            next_seq: 1,
            dropped: 0,
        }
    }

    pub(crate) fn push(&mut self, record: Record) {
        let seq = self.next_seq;
        self.next_seq += 1;
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.entries.push_back((seq, record));
    }

    pub(crate) fn page(&self) -> JournalPage {
        JournalPage {
            dropped: self.dropped,
            entries: self
                .entries
                .iter()
                .map(|(seq, r)| JournalEntry {
                    seq: *seq,
                    jurisdiccion: r.jurisdiccion,
                    dialect: r.dialect,
                    endpoint: r.endpoint,
                    method: r.method.as_str().to_owned(),
                    path: r.path.clone(),
                    status: r.status,
                    fault: r.fault.map(str::to_owned),
                })
                .collect(),
        }
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.dropped = 0;
        self.next_seq = 1;
    }
}

/// Replaces the value of `sesion=` query parameters so tokens never reach the journal.
pub(crate) fn redact(path_and_query: &str) -> String {
    let Some(q) = path_and_query.bytes().position(|b| b == b'?') else {
        return path_and_query.to_owned();
    };
    let (path, query) = (&path_and_query[..q], &path_and_query[q + 1..]);
    if !split_ascii(query, b'&').any(|pair| pair.starts_with("sesion=")) {
        return path_and_query.to_owned();
    }
    let mut out = String::with_capacity(path_and_query.len());
    out.push_str(path);
    for (i, pair) in split_ascii(query, b'&').enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(if pair.starts_with("sesion=") {
            "sesion=…"
        } else {
            pair
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Record {
        Record {
            jurisdiccion: None,
            dialect: None,
            endpoint: Endpoint::Otro,
            method: Method::GET,
            path: "/".into(),
            status: Some(200),
            fault: Some("delay"),
        }
    }

    #[test]
    fn bounded_and_numbered() {
        let mut j = Journal::new(3);
        for _ in 0..5 {
            j.push(entry());
        }
        let page = j.page();
        assert_eq!(page.dropped, 2);
        assert_eq!(
            page.entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
            [3, 4, 5]
        );
        assert_eq!(page.entries[0].method, "GET");
        assert_eq!(page.entries[0].fault.as_deref(), Some("delay"));
    }

    #[test]
    fn tokens_are_redacted() {
        assert_eq!(
            redact("/jalisco/infomex/detalleSolicitud.do?sesion=abc&folio=X"),
            "/jalisco/infomex/detalleSolicitud.do?sesion=…&folio=X"
        );
        assert_eq!(
            redact("/j/infomex/consultaSolicitudes.do?pagina=2&sesion=abc"),
            "/j/infomex/consultaSolicitudes.do?pagina=2&sesion=…"
        );
        assert_eq!(redact("/x?a=1&sesiones=2"), "/x?a=1&sesiones=2");
        assert_eq!(redact("/x"), "/x");
    }
}
