//! The request journal: every request received, in order, bounded so that long load runs keep
//! memory flat (the oldest entries are dropped and counted).

use std::collections::VecDeque;

use pnt_model::Jurisdiccion;
use serde::Serialize;

use crate::config::Dialecto;
use crate::fault::Endpoint;

/// One request as the simulator saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    pub seq: u64,
    pub jurisdiccion: Option<Jurisdiccion>,
    pub dialecto: Option<Dialecto>,
    pub endpoint: Endpoint,
    pub method: String,
    /// Path and query, with session tokens replaced by `…`.
    pub path: String,
    /// `None` when no response was sent (the `hang` fault).
    pub status: Option<u16>,
    /// The kind of fault applied, if any.
    pub fault: Option<String>,
}

#[derive(Debug)]
pub(crate) struct Journal {
    entries: VecDeque<JournalEntry>,
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

    pub(crate) fn push(&mut self, mut entry: JournalEntry) {
        entry.seq = self.next_seq;
        self.next_seq += 1;
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.entries.push_back(entry);
    }

    pub(crate) fn page(&self) -> JournalPage {
        JournalPage {
            dropped: self.dropped,
            entries: self.entries.iter().cloned().collect(),
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
    match path_and_query.split_once('?') {
        None => path_and_query.to_owned(),
        Some((_, query)) if !query.contains("sesion=") => path_and_query.to_owned(),
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some(("sesion", _)) => "sesion=…".to_owned(),
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> JournalEntry {
        JournalEntry {
            seq: 0,
            jurisdiccion: None,
            dialecto: None,
            endpoint: Endpoint::Otro,
            method: "GET".into(),
            path: "/".into(),
            status: Some(200),
            fault: None,
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
    }

    #[test]
    fn tokens_are_redacted() {
        assert_eq!(
            redact("/jalisco/infomex/detalleSolicitud.do?sesion=abc&folio=X"),
            "/jalisco/infomex/detalleSolicitud.do?sesion=…&folio=X"
        );
        assert_eq!(redact("/x"), "/x");
    }
}
