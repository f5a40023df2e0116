//! The fault catalog and the fault plan.
//!
//! The catalog is defined here once: [`FaultKindName`] lists the kinds with the fields each
//! takes and the endpoints each acts on, [`FaultSpec`] is the flat shape every file and API
//! writes a fault in (the admin API, the TOML config and the suite's scenarios), and
//! [`FaultSpec::check`] is the only validation. The suite's scenario format and its JSON Schema
//! are built from these types (feature `schemars`).
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
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schemars",
    schemars(description = "The simulator's endpoints, as its journal names them.")
)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    Login,
    Lista,
    Detalle,
    Adjunto,
    Logout,
    Otro,
}

/// The name of a fault kind, as plans, scenarios and the journal write it (`kind:`). Each kind's
/// fields and endpoints are listed here, next to its name, so a new kind is one variant and one
/// arm in each of the matches below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
// The schema keeps the names and descriptions scenario authors see in their editors.
#[cfg_attr(
    feature = "schemars",
    schemars(rename = "FaultKind", description = "The simulator's fault kinds.")
)]
#[serde(rename_all = "snake_case")]
pub enum FaultKindName {
    /// That HTTP status (`status`: 500, 502 or 503) with an error body.
    HttpStatus,
    /// 429 with `Retry-After: retry_after`.
    RateLimited,
    /// The normal answer, `ms` milliseconds later.
    Delay,
    /// Headers never come; the connection stays open until the client gives up.
    Hang,
    /// Part of the answer, then the connection is reset.
    Reset,
    /// A `Content-Length` larger than the body sent.
    Truncated,
    /// 200 with a body that is not valid JSON / XML.
    Malformed,
    /// Declares one encoding and sends another.
    WrongEncoding,
    /// The first record of a list page is repeated on the next page.
    DuplicateRecord,
    /// A new solicitud appears at the top of the list while the client pages.
    PageDrift,
    /// A record is absent from the list though `total` counts it.
    MissingFromList,
    /// A record's list status differs from its detail status.
    StatusMismatch,
    /// Every session expires after `after` requests.
    SessionExpiry,
    /// Attachment bytes do not match the declared SHA-256.
    BadChecksum,
    /// The attachment answers 404.
    #[serde(rename = "attachment_404")]
    Attachment404,
    /// Every request to the jurisdiction answers 503.
    SystemDown,
}

/// The statuses `http_status` sends ([`FaultSpec::check`] refuses others).
pub const FAULT_STATUSES: [u16; 3] = [500, 502, 503];

/// Every kind-specific field of [`FaultSpec`], in the order the spec declares them.
/// (`folio` is not among them: every kind takes it as a filter of detail requests, and
/// `missing_from_list` reads it as the record it leaves out.)
pub const KIND_FIELDS: [&str; 4] = ["status", "retry_after", "ms", "after"];

impl FaultKindName {
    /// Every kind, in the catalog's order.
    pub const ALL: [FaultKindName; 16] = [
        FaultKindName::HttpStatus,
        FaultKindName::RateLimited,
        FaultKindName::Delay,
        FaultKindName::Hang,
        FaultKindName::Reset,
        FaultKindName::Truncated,
        FaultKindName::Malformed,
        FaultKindName::WrongEncoding,
        FaultKindName::DuplicateRecord,
        FaultKindName::PageDrift,
        FaultKindName::MissingFromList,
        FaultKindName::StatusMismatch,
        FaultKindName::SessionExpiry,
        FaultKindName::BadChecksum,
        FaultKindName::Attachment404,
        FaultKindName::SystemDown,
    ];

    /// The name as written in files, the admin API and the journal.
    pub fn name(self) -> &'static str {
        match self {
            FaultKindName::HttpStatus => "http_status",
            FaultKindName::RateLimited => "rate_limited",
            FaultKindName::Delay => "delay",
            FaultKindName::Hang => "hang",
            FaultKindName::Reset => "reset",
            FaultKindName::Truncated => "truncated",
            FaultKindName::Malformed => "malformed",
            FaultKindName::WrongEncoding => "wrong_encoding",
            FaultKindName::DuplicateRecord => "duplicate_record",
            FaultKindName::PageDrift => "page_drift",
            FaultKindName::MissingFromList => "missing_from_list",
            FaultKindName::StatusMismatch => "status_mismatch",
            FaultKindName::SessionExpiry => "session_expiry",
            FaultKindName::BadChecksum => "bad_checksum",
            FaultKindName::Attachment404 => "attachment_404",
            FaultKindName::SystemDown => "system_down",
        }
    }

    /// The kind-specific fields (of [`KIND_FIELDS`]) this kind accepts.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            FaultKindName::HttpStatus => &["status"],
            FaultKindName::RateLimited => &["retry_after"],
            FaultKindName::Delay => &["ms"],
            FaultKindName::MissingFromList => &["folio"],
            FaultKindName::SessionExpiry => &["after"],
            _ => &[],
        }
    }

    /// The kind-specific field this kind requires, if any: its only field, except
    /// `missing_from_list`'s `folio`, which defaults to the page's first record.
    pub fn required_field(self) -> Option<&'static str> {
        match self {
            FaultKindName::MissingFromList => None,
            other => other.fields().first().copied(),
        }
    }

    /// The endpoints this kind can act on (`None`: every endpoint); requests to others never
    /// count towards its `nth`.
    pub fn endpoints(self) -> Option<&'static [Endpoint]> {
        match self {
            FaultKindName::DuplicateRecord
            | FaultKindName::PageDrift
            | FaultKindName::MissingFromList
            | FaultKindName::StatusMismatch => Some(&[Endpoint::Lista]),
            FaultKindName::BadChecksum | FaultKindName::Attachment404 => Some(&[Endpoint::Adjunto]),
            _ => None,
        }
    }
}

/// What goes wrong, with the kind's parameters: a [`FaultSpec`] that passed
/// [`FaultSpec::check`].
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
    /// The kind's entry in the catalog.
    pub fn kind_name(&self) -> FaultKindName {
        match self {
            FaultKind::HttpStatus { .. } => FaultKindName::HttpStatus,
            FaultKind::RateLimited { .. } => FaultKindName::RateLimited,
            FaultKind::Delay { .. } => FaultKindName::Delay,
            FaultKind::Hang => FaultKindName::Hang,
            FaultKind::Reset => FaultKindName::Reset,
            FaultKind::Truncated => FaultKindName::Truncated,
            FaultKind::Malformed => FaultKindName::Malformed,
            FaultKind::WrongEncoding => FaultKindName::WrongEncoding,
            FaultKind::DuplicateRecord => FaultKindName::DuplicateRecord,
            FaultKind::PageDrift => FaultKindName::PageDrift,
            FaultKind::MissingFromList { .. } => FaultKindName::MissingFromList,
            FaultKind::StatusMismatch => FaultKindName::StatusMismatch,
            FaultKind::SessionExpiry { .. } => FaultKindName::SessionExpiry,
            FaultKind::BadChecksum => FaultKindName::BadChecksum,
            FaultKind::Attachment404 => FaultKindName::Attachment404,
            FaultKind::SystemDown => FaultKindName::SystemDown,
        }
    }

    /// The name used in plans and the journal.
    pub fn name(&self) -> &'static str {
        self.kind_name().name()
    }

    /// The endpoints this kind can act on; others never count towards its `nth`.
    fn applies_to(&self, endpoint: Endpoint) -> bool {
        self.kind_name()
            .endpoints()
            .is_none_or(|endpoints| endpoints.contains(&endpoint))
    }

    /// Every kind, with example parameters (for documentation and tests).
    pub fn catalog() -> Vec<FaultKind> {
        FaultKindName::ALL
            .iter()
            .map(|kind| {
                let spec = FaultSpec {
                    status: Some(503),
                    retry_after: Some(1),
                    ms: Some(200),
                    after: Some(3),
                    ..FaultSpec::new(*kind)
                };
                spec.kind_of()
            })
            .collect()
    }
}

/// One fault of a plan: a kind and when it fires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "FaultSpec", into = "FaultSpec")]
pub struct Fault {
    pub kind: FaultKind,
    /// Only requests to this jurisdiction (all when `None`).
    pub jurisdiccion: Option<Jurisdiccion>,
    /// Only requests to this endpoint.
    pub endpoint: Option<Endpoint>,
    /// Only list requests of this page.
    pub pagina: Option<u32>,
    /// Only detail requests of this folio: a fault keyed to the solicitud, which hits it
    /// whatever order requests arrive in (unlike `nth` and `times`). `missing_from_list` keeps
    /// its folio in its kind instead.
    pub folio: Option<Folio>,
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
            folio: None,
            nth: None,
            probability: None,
            times: None,
        }
    }

    /// Only detail requests of this folio.
    pub fn folio(mut self, folio: Folio) -> Fault {
        self.folio = Some(folio);
        self
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

/// One fault as files and APIs write it: flat, the kind-specific fields beside the filters,
/// unknown fields refused. The admin API, the TOML config and the suite's scenarios all read
/// this shape; [`FaultSpec::check`] turns it into a [`Fault`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schemars",
    schemars(
        rename = "Fault",
        description = "One fault. A request meets at most one fault: the first of the plan that matches it."
    )
)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// What goes wrong.
    pub kind: FaultKindName,
    /// `http_status`: 500, 502 or 503.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<StatusSchema>"))]
    pub status: Option<u16>,
    /// `rate_limited`: the `Retry-After` seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u32>,
    /// `delay`: milliseconds before the normal answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ms: Option<u64>,
    /// Only detail requests of this folio, whatever order requests arrive in; for
    /// `missing_from_list`, the folio left out of the list (else the page's first record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(with = "Option<String>"))]
    pub folio: Option<Folio>,
    /// `session_expiry`: sessions expire after this many requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(range(min = 1)))]
    pub after: Option<u32>,
    /// Only requests to this jurisdiction (slug); absent for all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiccion: Option<Jurisdiccion>,
    /// Only requests to this endpoint; absent for all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<Endpoint>,
    /// Only list requests of this page (from 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(range(min = 1)))]
    pub pagina: Option<u32>,
    /// Only the n-th matching request, counted from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(range(min = 1)))]
    pub nth: Option<u32>,
    /// Fire with this probability (0.0–1.0), drawn from a stream seeded by the scenario's seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(range(min = 0.0, max = 1.0)))]
    pub probability: Option<f64>,
    /// Fire at most this many times; absent for unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(range(min = 1)))]
    pub times: Option<u32>,
}

/// The schema of [`FaultSpec::status`]: one of [`FAULT_STATUSES`].
#[cfg(feature = "schemars")]
struct StatusSchema;

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for StatusSchema {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FaultStatus".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "integer", "enum": FAULT_STATUSES})
    }
}

impl FaultSpec {
    /// A spec of `kind` with no field set.
    pub fn new(kind: FaultKindName) -> FaultSpec {
        FaultSpec {
            kind,
            status: None,
            retry_after: None,
            ms: None,
            folio: None,
            after: None,
            jurisdiccion: None,
            endpoint: None,
            pagina: None,
            nth: None,
            probability: None,
            times: None,
        }
    }

    /// Which of [`KIND_FIELDS`] are set.
    fn present_fields(&self) -> Vec<&'static str> {
        let set = [
            self.status.is_some(),
            self.retry_after.is_some(),
            self.ms.is_some(),
            self.after.is_some(),
        ];
        KIND_FIELDS
            .into_iter()
            .zip(set)
            .filter_map(|(name, set)| set.then_some(name))
            .collect()
    }

    /// The fault this spec describes, or what to write instead: the kind's required field is
    /// there, no field of another kind is, and every number is in range. The messages are the
    /// ones `pnt-suite check` shows for a scenario (code `escenario_incoherente`).
    pub fn check(&self) -> Result<Fault, String> {
        let kind = self.kind.name();
        let present = self.present_fields();
        if let Some(required) = self.kind.required_field()
            && !present.contains(&required)
        {
            return Err(format!("la falla `{kind}` necesita el campo `{required}`"));
        }
        if let Some(extra) = present.iter().find(|f| !self.kind.fields().contains(f)) {
            return Err(format!(
                "el campo `{extra}` no aplica a la falla `{kind}`; quítelo"
            ));
        }
        if let Some(status) = self.status
            && !FAULT_STATUSES.contains(&status)
        {
            return Err(format!(
                "`status: {status}` no es válido para `http_status`: use 500, 502 o 503"
            ));
        }
        if let Some(p) = self.probability
            && !(0.0..=1.0).contains(&p)
        {
            return Err(format!("`probability: {p}` debe estar entre 0.0 y 1.0"));
        }
        let filtro_folio = if self.kind == FaultKindName::MissingFromList {
            None
        } else {
            self.folio
        };
        if filtro_folio.is_some() {
            let detalle = self
                .kind
                .endpoints()
                .is_none_or(|e| e.contains(&Endpoint::Detalle));
            if !detalle || self.endpoint.is_some_and(|e| e != Endpoint::Detalle) {
                return Err(format!(
                    "`folio` elige peticiones de detalle, y la falla `{kind}` con este `endpoint` no actúa sobre ellas; quite `folio` o use `endpoint: detalle`"
                ));
            }
        }
        for (name, value) in [
            ("pagina", self.pagina),
            ("nth", self.nth),
            ("times", self.times),
            ("after", self.after),
        ] {
            if value == Some(0) {
                return Err(format!("`{name}` cuenta desde 1; 0 no es válido"));
            }
        }
        Ok(Fault {
            kind: self.kind_of(),
            jurisdiccion: self.jurisdiccion,
            endpoint: self.endpoint,
            pagina: self.pagina,
            folio: filtro_folio,
            nth: self.nth,
            probability: self.probability,
            times: self.times,
        })
    }

    /// The kind with its parameters; a required field that is absent reads as 0, which
    /// [`FaultSpec::check`] refuses before it gets here.
    fn kind_of(&self) -> FaultKind {
        match self.kind {
            FaultKindName::HttpStatus => FaultKind::HttpStatus {
                status: self.status.unwrap_or_default(),
            },
            FaultKindName::RateLimited => FaultKind::RateLimited {
                retry_after: self.retry_after.unwrap_or_default(),
            },
            FaultKindName::Delay => FaultKind::Delay {
                ms: self.ms.unwrap_or_default(),
            },
            FaultKindName::Hang => FaultKind::Hang,
            FaultKindName::Reset => FaultKind::Reset,
            FaultKindName::Truncated => FaultKind::Truncated,
            FaultKindName::Malformed => FaultKind::Malformed,
            FaultKindName::WrongEncoding => FaultKind::WrongEncoding,
            FaultKindName::DuplicateRecord => FaultKind::DuplicateRecord,
            FaultKindName::PageDrift => FaultKind::PageDrift,
            FaultKindName::MissingFromList => FaultKind::MissingFromList { folio: self.folio },
            FaultKindName::StatusMismatch => FaultKind::StatusMismatch,
            FaultKindName::SessionExpiry => FaultKind::SessionExpiry {
                after: self.after.unwrap_or_default(),
            },
            FaultKindName::BadChecksum => FaultKind::BadChecksum,
            FaultKindName::Attachment404 => FaultKind::Attachment404,
            FaultKindName::SystemDown => FaultKind::SystemDown,
        }
    }
}

impl TryFrom<FaultSpec> for Fault {
    type Error = String;

    fn try_from(spec: FaultSpec) -> Result<Fault, String> {
        spec.check()
    }
}

impl From<Fault> for FaultSpec {
    fn from(f: Fault) -> FaultSpec {
        let mut spec = FaultSpec {
            jurisdiccion: f.jurisdiccion,
            endpoint: f.endpoint,
            pagina: f.pagina,
            folio: f.folio,
            nth: f.nth,
            probability: f.probability,
            times: f.times,
            ..FaultSpec::new(f.kind.kind_name())
        };
        match f.kind {
            FaultKind::HttpStatus { status } => spec.status = Some(status),
            FaultKind::RateLimited { retry_after } => spec.retry_after = Some(retry_after),
            FaultKind::Delay { ms } => spec.ms = Some(ms),
            FaultKind::MissingFromList { folio } => spec.folio = folio,
            FaultKind::SessionExpiry { after } => spec.after = Some(after),
            _ => {}
        }
        spec
    }
}

/// What a request looks like to the fault plan.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestInfo<'a> {
    pub(crate) jurisdiccion: Jurisdiccion,
    pub(crate) endpoint: Endpoint,
    pub(crate) pagina: Option<u32>,
    /// The folio a detail request asks for.
    pub(crate) folio: Option<&'a str>,
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
    pub(crate) fn select(&mut self, req: RequestInfo<'_>) -> Option<FaultKind> {
        for rule in &mut self.rules {
            let f = &rule.fault;
            if matches!(f.kind, FaultKind::SessionExpiry { .. })
                || f.jurisdiccion.is_some_and(|j| j != req.jurisdiccion)
                || f.endpoint.is_some_and(|e| e != req.endpoint)
                || (f.pagina.is_some() && f.pagina != req.pagina)
                || f.folio.as_ref().is_some_and(|folio| {
                    req.folio
                        .is_none_or(|pedido| Folio::parse(pedido).ok().as_ref() != Some(folio))
                })
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

/// Serde's English message for an unknown value of an enum ("unknown variant `x`, expected one
/// of `a`, `b`") in Spanish, with the nearest valid value; any other message comes back as it is.
/// The fault kinds' type is shared with the scenario format, whose loader builds its own message
/// from serde's standard unknown-variant error, so the simulator's own front ends (its TOML file
/// and its admin API) translate that error here instead.
pub(crate) fn in_spanish(message: &str) -> String {
    let Some((value, rest)) = message
        .strip_prefix("unknown variant `")
        .and_then(|rest| rest.split_once('`'))
    else {
        return message.to_owned();
    };
    // The valid values are the quoted words after the unknown one: every other piece between
    // backticks.
    let valid: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    let list = valid
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match pnt_model::did_you_mean(value, valid.iter().copied()) {
        Some(near) => format!(
            "valor desconocido `{value}`; ¿quiso decir `{near}`? (valores válidos: {list}; vea docs/infomex-sim.md)"
        ),
        None => format!(
            "valor desconocido `{value}`; los valores válidos son {list} (vea docs/infomex-sim.md)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lista(j: Jurisdiccion, pagina: u32) -> RequestInfo<'static> {
        RequestInfo {
            jurisdiccion: j,
            endpoint: Endpoint::Lista,
            pagina: Some(pagina),
            folio: None,
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
            folio: None,
        };
        assert_eq!(plan.select(detalle), None);
        assert_eq!(plan.select(lista(Jurisdiccion::Jalisco, 1)), None);
        assert_eq!(
            plan.select(lista(Jurisdiccion::Jalisco, 2)),
            Some(FaultKind::DuplicateRecord)
        );
    }

    #[test]
    fn a_folio_keyed_fault_meets_only_that_folios_details() {
        let folio = Folio::parse("0623800160321").unwrap();
        let mut plan = FaultPlan::new(1, &[Fault::new(FaultKind::Malformed).folio(folio)]);
        let detalle = |folio| RequestInfo {
            jurisdiccion: Jurisdiccion::Federacion,
            endpoint: Endpoint::Detalle,
            pagina: None,
            folio: Some(folio),
        };
        assert_eq!(plan.select(lista(Jurisdiccion::Federacion, 1)), None);
        assert_eq!(plan.select(detalle("0001200098721")), None);
        assert_eq!(
            plan.select(detalle("0623800160321")),
            Some(FaultKind::Malformed)
        );
        let spec = FaultSpec {
            folio: Some(Folio::parse("0623800160321").unwrap()),
            endpoint: Some(Endpoint::Adjunto),
            ..FaultSpec::new(FaultKindName::Malformed)
        };
        assert!(spec.check().unwrap_err().contains("folio"));
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
    fn the_catalog_names_each_kind_once_as_serde_writes_it() {
        let mut names = std::collections::BTreeSet::new();
        for kind in FaultKindName::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
            assert!(names.insert(kind.name()), "{kind:?} twice");
            assert!(
                kind.required_field()
                    .is_none_or(|f| kind.fields().contains(&f))
            );
        }
        let from_catalog: Vec<_> = FaultKind::catalog()
            .iter()
            .map(FaultKind::kind_name)
            .collect();
        assert_eq!(from_catalog, FaultKindName::ALL);
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
