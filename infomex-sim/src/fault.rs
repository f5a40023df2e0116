//! The fault catalog and the fault plan.
//!
//! A plan is an ordered list of faults; a request meets at most one — the first whose filters
//! match and whose `nth` / `probability` / `times` let it fire. Probabilities are drawn from a
//! stream seeded by the simulator seed and the fault's position, so a run repeats exactly.

use pnt_model::{Folio, Jurisdiccion};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};

/// The endpoints a fault (and the journal) can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    Login,
    Lista,
    Detalle,
    Adjunto,
    Logout,
    Otro,
}

/// What goes wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// 500, 502 or 503 with an error body.
    HttpStatus { status: u16 },
    /// 429 with `Retry-After`.
    RateLimited { retry_after: u32 },
    /// The normal answer, `ms` later on the simulator's clock.
    Delay { ms: u64 },
    /// Headers never come.
    Hang,
    /// Headers and half the body, then a TCP reset.
    Reset,
    /// `Content-Length` of the full body, half the body, then the connection closes.
    Truncated,
    /// 200 with a body that is not valid JSON / XML.
    Malformed,
    /// Declares UTF-8, sends Windows-1252 / Latin-1.
    WrongEncoding,
    /// A record appears on two pages.
    DuplicateRecord,
    /// A new record appears at the top while the client pages.
    PageDrift,
    /// A record is absent from the list (the total still counts it); its detail answers.
    MissingFromList { folio: Option<Folio> },
    /// A record's list status differs from its detail status.
    StatusMismatch,
    /// Sessions expire after `after` requests.
    SessionExpiry { after: u32 },
    /// Attachment bytes do not match the declared SHA-256.
    BadChecksum,
    /// The attachment answers 404.
    Attachment404,
    /// Every request to the jurisdiction answers 503.
    SystemDown,
}

impl FaultKind {
    /// The name used in plans and the journal.
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::HttpStatus { .. } => "http_status",
            FaultKind::RateLimited { .. } => "rate_limited",
            FaultKind::Delay { .. } => "delay",
            FaultKind::Hang => "hang",
            FaultKind::Reset => "reset",
            FaultKind::Truncated => "truncated",
            FaultKind::Malformed => "malformed",
            FaultKind::WrongEncoding => "wrong_encoding",
            FaultKind::DuplicateRecord => "duplicate_record",
            FaultKind::PageDrift => "page_drift",
            FaultKind::MissingFromList { .. } => "missing_from_list",
            FaultKind::StatusMismatch => "status_mismatch",
            FaultKind::SessionExpiry { .. } => "session_expiry",
            FaultKind::BadChecksum => "bad_checksum",
            FaultKind::Attachment404 => "attachment_404",
            FaultKind::SystemDown => "system_down",
        }
    }

    /// The endpoints this kind can act on; others never count towards its `nth`.
    fn applies_to(&self, endpoint: Endpoint) -> bool {
        match self {
            FaultKind::DuplicateRecord
            | FaultKind::PageDrift
            | FaultKind::MissingFromList { .. }
            | FaultKind::StatusMismatch => endpoint == Endpoint::Lista,
            FaultKind::BadChecksum | FaultKind::Attachment404 => endpoint == Endpoint::Adjunto,
            _ => true,
        }
    }

    /// Every kind, with example parameters (for documentation and tests).
    pub fn catalog() -> Vec<FaultKind> {
        vec![
            FaultKind::HttpStatus { status: 503 },
            FaultKind::RateLimited { retry_after: 1 },
            FaultKind::Delay { ms: 200 },
            FaultKind::Hang,
            FaultKind::Reset,
            FaultKind::Truncated,
            FaultKind::Malformed,
            FaultKind::WrongEncoding,
            FaultKind::DuplicateRecord,
            FaultKind::PageDrift,
            FaultKind::MissingFromList { folio: None },
            FaultKind::StatusMismatch,
            FaultKind::SessionExpiry { after: 3 },
            FaultKind::BadChecksum,
            FaultKind::Attachment404,
            FaultKind::SystemDown,
        ]
    }
}

/// One fault of a plan: a kind and when it fires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawFault", into = "RawFault")]
pub struct Fault {
    pub kind: FaultKind,
    /// Only requests to this jurisdiction (all when `None`).
    pub jurisdiccion: Option<Jurisdiccion>,
    /// Only requests to this endpoint.
    pub endpoint: Option<Endpoint>,
    /// Only list requests of this page.
    pub pagina: Option<u32>,
    /// Fires from the n-th matching request on (counted from 1).
    pub nth: Option<u32>,
    /// Fires with this probability (0.0–1.0), drawn from a seeded stream.
    pub probability: Option<f64>,
    /// Fires at most this many times.
    pub times: Option<u32>,
}

impl Fault {
    /// A fault of `kind` that fires on every matching request.
    pub fn new(kind: FaultKind) -> Fault {
        Fault {
            kind,
            jurisdiccion: None,
            endpoint: None,
            pagina: None,
            nth: None,
            probability: None,
            times: None,
        }
    }

    pub fn jurisdiccion(mut self, j: Jurisdiccion) -> Fault {
        self.jurisdiccion = Some(j);
        self
    }

    pub fn endpoint(mut self, e: Endpoint) -> Fault {
        self.endpoint = Some(e);
        self
    }

    pub fn pagina(mut self, p: u32) -> Fault {
        self.pagina = Some(p);
        self
    }

    pub fn nth(mut self, n: u32) -> Fault {
        self.nth = Some(n);
        self
    }

    pub fn probability(mut self, p: f64) -> Fault {
        self.probability = Some(p);
        self
    }

    pub fn times(mut self, n: u32) -> Fault {
        self.times = Some(n);
        self
    }
}

/// The wire shape of a fault: flat, every field optional, unknown fields refused.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFault {
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    folio: Option<Folio>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    after: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    jurisdiccion: Option<Jurisdiccion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    endpoint: Option<Endpoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pagina: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nth: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    probability: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    times: Option<u32>,
}

const KINDS: [&str; 16] = [
    "http_status",
    "rate_limited",
    "delay",
    "hang",
    "reset",
    "truncated",
    "malformed",
    "wrong_encoding",
    "duplicate_record",
    "page_drift",
    "missing_from_list",
    "status_mismatch",
    "session_expiry",
    "bad_checksum",
    "attachment_404",
    "system_down",
];

impl TryFrom<RawFault> for Fault {
    type Error = String;

    fn try_from(raw: RawFault) -> Result<Fault, String> {
        let need = |field: &str, v: Option<u64>| {
            v.ok_or_else(|| format!("la falla `{}` necesita el campo `{field}`", raw.kind))
        };
        let kind = match raw.kind.as_str() {
            "http_status" => {
                let status = need("status", raw.status.map(u64::from))? as u16;
                if !matches!(status, 500 | 502 | 503) {
                    return Err(format!("`status` debe ser 500, 502 o 503, no {status}"));
                }
                FaultKind::HttpStatus { status }
            }
            "rate_limited" => FaultKind::RateLimited {
                retry_after: need("retry_after", raw.retry_after.map(u64::from))? as u32,
            },
            "delay" => FaultKind::Delay {
                ms: need("ms", raw.ms)?,
            },
            "hang" => FaultKind::Hang,
            "reset" => FaultKind::Reset,
            "truncated" => FaultKind::Truncated,
            "malformed" => FaultKind::Malformed,
            "wrong_encoding" => FaultKind::WrongEncoding,
            "duplicate_record" => FaultKind::DuplicateRecord,
            "page_drift" => FaultKind::PageDrift,
            "missing_from_list" => FaultKind::MissingFromList { folio: raw.folio },
            "status_mismatch" => FaultKind::StatusMismatch,
            "session_expiry" => FaultKind::SessionExpiry {
                after: need("after", raw.after.map(u64::from))? as u32,
            },
            "bad_checksum" => FaultKind::BadChecksum,
            "attachment_404" => FaultKind::Attachment404,
            "system_down" => FaultKind::SystemDown,
            other => {
                let nearest = KINDS
                    .iter()
                    .max_by(|a, b| {
                        strsim::normalized_levenshtein(other, a)
                            .total_cmp(&strsim::normalized_levenshtein(other, b))
                    })
                    .expect("non-empty");
                return Err(format!(
                    "tipo de falla desconocido `{other}`; ¿quiso decir `{nearest}`? (vea docs/infomex-sim.md)"
                ));
            }
        };
        if let Some(p) = raw.probability
            && !(0.0..=1.0).contains(&p)
        {
            return Err(format!("`probability` debe estar entre 0.0 y 1.0, no {p}"));
        }
        if raw.nth == Some(0) {
            return Err("`nth` cuenta desde 1".to_owned());
        }
        Ok(Fault {
            kind,
            jurisdiccion: raw.jurisdiccion,
            endpoint: raw.endpoint,
            pagina: raw.pagina,
            nth: raw.nth,
            probability: raw.probability,
            times: raw.times,
        })
    }
}

impl From<Fault> for RawFault {
    fn from(f: Fault) -> RawFault {
        let mut raw = RawFault {
            kind: f.kind.name().to_owned(),
            jurisdiccion: f.jurisdiccion,
            endpoint: f.endpoint,
            pagina: f.pagina,
            nth: f.nth,
            probability: f.probability,
            times: f.times,
            ..RawFault::default()
        };
        match f.kind {
            FaultKind::HttpStatus { status } => raw.status = Some(status),
            FaultKind::RateLimited { retry_after } => raw.retry_after = Some(retry_after),
            FaultKind::Delay { ms } => raw.ms = Some(ms),
            FaultKind::MissingFromList { folio } => raw.folio = folio,
            FaultKind::SessionExpiry { after } => raw.after = Some(after),
            _ => {}
        }
        raw
    }
}

/// What a request looks like to the fault plan.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestInfo {
    pub(crate) jurisdiccion: Jurisdiccion,
    pub(crate) endpoint: Endpoint,
    pub(crate) pagina: Option<u32>,
}

/// A fault of the plan with its counters, as `GET /__admin/faults` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FaultStatus {
    #[serde(flatten)]
    pub fault: Fault,
    /// Matching requests seen.
    pub matched: u64,
    /// Times it fired.
    pub fired: u64,
}

#[derive(Debug)]
struct Rule {
    fault: Fault,
    matched: u64,
    fired: u64,
    rng: ChaCha20Rng,
}

/// The active fault plan.
#[derive(Debug)]
pub(crate) struct FaultPlan {
    seed: u64,
    rules: Vec<Rule>,
}

impl FaultPlan {
    pub(crate) fn new(seed: u64, faults: &[Fault]) -> FaultPlan {
        let mut plan = FaultPlan {
            seed,
            rules: Vec::new(),
        };
        plan.add(faults.iter().cloned());
        plan
    }

    pub(crate) fn add(&mut self, faults: impl IntoIterator<Item = Fault>) {
        for fault in faults {
            let position = self.rules.len() as u64;
            let mut key = [0u8; 32];
            key[..8].copy_from_slice(&self.seed.to_le_bytes());
            key[8..16].copy_from_slice(&position.to_le_bytes());
            self.rules.push(Rule {
                fault,
                matched: 0,
                fired: 0,
                rng: ChaCha20Rng::from_seed(key),
            });
        }
    }

    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    pub(crate) fn status(&self) -> Vec<FaultStatus> {
        self.rules
            .iter()
            .map(|r| FaultStatus {
                fault: r.fault.clone(),
                matched: r.matched,
                fired: r.fired,
            })
            .collect()
    }

    /// The fault this request meets, if any. `session_expiry` never fires here: it is a mode
    /// read by [`FaultPlan::session_limit`].
    pub(crate) fn select(&mut self, req: RequestInfo) -> Option<FaultKind> {
        for rule in &mut self.rules {
            let f = &rule.fault;
            if matches!(f.kind, FaultKind::SessionExpiry { .. })
                || f.jurisdiccion.is_some_and(|j| j != req.jurisdiccion)
                || f.endpoint.is_some_and(|e| e != req.endpoint)
                || (f.pagina.is_some() && f.pagina != req.pagina)
                || !f.kind.applies_to(req.endpoint)
            {
                continue;
            }
            if f.times.is_some_and(|t| rule.fired >= u64::from(t)) {
                continue;
            }
            rule.matched += 1;
            if f.nth.is_some_and(|n| rule.matched < u64::from(n)) {
                continue;
            }
            if let Some(p) = f.probability
                && !rule.rng.random_bool(p)
            {
                continue;
            }
            rule.fired += 1;
            return Some(f.kind.clone());
        }
        None
    }

    /// The session request limit in force for `j`, if a `session_expiry` fault applies.
    pub(crate) fn session_limit(&self, j: Jurisdiccion) -> Option<u32> {
        self.rules.iter().find_map(|r| match r.fault.kind {
            FaultKind::SessionExpiry { after }
                if r.fault.jurisdiccion.is_none_or(|fj| fj == j)
                    && r.fault.times.is_none_or(|t| r.fired < u64::from(t)) =>
            {
                Some(after)
            }
            _ => None,
        })
    }

    /// Counts one expiry caused by the `session_expiry` fault of `j`.
    pub(crate) fn session_expired(&mut self, j: Jurisdiccion) {
        if let Some(rule) = self.rules.iter_mut().find(|r| {
            matches!(r.fault.kind, FaultKind::SessionExpiry { .. })
                && r.fault.jurisdiccion.is_none_or(|fj| fj == j)
        }) {
            rule.fired += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lista(j: Jurisdiccion, pagina: u32) -> RequestInfo {
        RequestInfo {
            jurisdiccion: j,
            endpoint: Endpoint::Lista,
            pagina: Some(pagina),
        }
    }

    #[test]
    fn nth_times_and_filters() {
        let mut plan = FaultPlan::new(
            1,
            &[Fault::new(FaultKind::HttpStatus { status: 503 })
                .jurisdiccion(Jurisdiccion::Jalisco)
                .endpoint(Endpoint::Lista)
                .nth(2)
                .times(1)],
        );
        assert_eq!(plan.select(lista(Jurisdiccion::Oaxaca, 1)), None);
        assert_eq!(plan.select(lista(Jurisdiccion::Jalisco, 1)), None);
        assert_eq!(
            plan.select(lista(Jurisdiccion::Jalisco, 1)),
            Some(FaultKind::HttpStatus { status: 503 })
        );
        assert_eq!(plan.select(lista(Jurisdiccion::Jalisco, 1)), None);
        let status = plan.status();
        assert_eq!((status[0].matched, status[0].fired), (2, 1));
    }

    #[test]
    fn list_kinds_never_touch_other_endpoints() {
        let mut plan = FaultPlan::new(1, &[Fault::new(FaultKind::DuplicateRecord).pagina(2)]);
        let detalle = RequestInfo {
            jurisdiccion: Jurisdiccion::Jalisco,
            endpoint: Endpoint::Detalle,
            pagina: None,
        };
        assert_eq!(plan.select(detalle), None);
        assert_eq!(plan.select(lista(Jurisdiccion::Jalisco, 1)), None);
        assert_eq!(
            plan.select(lista(Jurisdiccion::Jalisco, 2)),
            Some(FaultKind::DuplicateRecord)
        );
    }

    #[test]
    fn probability_is_seeded_and_repeatable() {
        let run = |seed| {
            let mut plan =
                FaultPlan::new(seed, &[Fault::new(FaultKind::Malformed).probability(0.3)]);
            (0..200)
                .map(|_| plan.select(lista(Jurisdiccion::Jalisco, 1)).is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(5), run(5));
        assert_ne!(run(5), run(6));
        let fired = run(5).iter().filter(|f| **f).count();
        assert!((30..90).contains(&fired), "{fired}");
    }

    #[test]
    fn json_round_trip_and_helpful_errors() {
        for kind in FaultKind::catalog() {
            let f = Fault::new(kind).times(2);
            let json = serde_json::to_string(&f).unwrap();
            assert_eq!(serde_json::from_str::<Fault>(&json).unwrap(), f, "{json}");
        }
        let err = serde_json::from_str::<Fault>(r#"{"kind": "page_drfit"}"#).unwrap_err();
        assert!(err.to_string().contains("`page_drift`"), "{err}");
        let err = serde_json::from_str::<Fault>(r#"{"kind": "http_status"}"#).unwrap_err();
        assert!(err.to_string().contains("`status`"), "{err}");
        let err = serde_json::from_str::<Fault>(r#"{"kind": "hang", "tiems": 1}"#).unwrap_err();
        assert!(err.to_string().contains("tiems"), "{err}");
    }
}
