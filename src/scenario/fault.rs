//! The fault plan: exactly the simulator's fault fields (docs/infomex-sim.md, "Faults"), so a
//! scenario's faults are sent to `POST /__admin/faults` as written.

use pnt_model::Jurisdiccion;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One fault. A request meets at most one fault: the first of the plan that matches it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// What goes wrong.
    pub kind: FaultKind,
    /// Only requests to this jurisdiction (slug); absent for all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<super::de::JurisdiccionSchema>")]
    pub jurisdiccion: Option<Jurisdiccion>,
    /// Only requests to this endpoint; absent for all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<Endpoint>,
    /// Only list requests of this page (from 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub pagina: Option<u32>,
    /// Only the n-th matching request, counted from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub nth: Option<u32>,
    /// Fire with this probability (0.0–1.0), drawn from a stream seeded by the scenario's seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0, max = 1.0))]
    pub probability: Option<f64>,
    /// Fire at most this many times; absent for unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub times: Option<u32>,
    /// `http_status`: 500, 502 or 503.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<FaultStatus>")]
    pub status: Option<u16>,
    /// `rate_limited`: the `Retry-After` seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u32>,
    /// `delay`: milliseconds before the normal answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ms: Option<u64>,
    /// `missing_from_list`: the folio left out (else the page's first record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folio: Option<String>,
    /// `session_expiry`: sessions expire after this many requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub after: Option<u32>,
}

/// The statuses `http_status` sends ([`Fault::check`] refuses others).
const FAULT_STATUSES: [u16; 3] = [500, 502, 503];

/// The schema of [`Fault::status`].
#[allow(dead_code)] // Only its schema is used.
struct FaultStatus;

impl schemars::JsonSchema for FaultStatus {
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

/// The simulator's fault kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
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

impl FaultKind {
    /// The extra field this kind requires, if any.
    pub fn required_field(self) -> Option<&'static str> {
        match self {
            FaultKind::HttpStatus => Some("status"),
            FaultKind::RateLimited => Some("retry_after"),
            FaultKind::Delay => Some("ms"),
            FaultKind::SessionExpiry => Some("after"),
            _ => None,
        }
    }

    /// The extra fields this kind accepts.
    pub fn extra_fields(self) -> &'static [&'static str] {
        match self {
            FaultKind::HttpStatus => &["status"],
            FaultKind::RateLimited => &["retry_after"],
            FaultKind::Delay => &["ms"],
            FaultKind::SessionExpiry => &["after"],
            FaultKind::MissingFromList => &["folio"],
            _ => &[],
        }
    }

    /// The name as written in files.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// The simulator's endpoints, as its journal names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    Login,
    Lista,
    Detalle,
    Adjunto,
    Logout,
    Otro,
}

impl Fault {
    /// Checks the kind-specific fields; the message says what to write instead.
    pub fn check(&self) -> Result<(), String> {
        let kind = self.kind.name();
        let present: Vec<&str> = [
            ("status", self.status.is_some()),
            ("retry_after", self.retry_after.is_some()),
            ("ms", self.ms.is_some()),
            ("folio", self.folio.is_some()),
            ("after", self.after.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect();
        if let Some(required) = self.kind.required_field()
            && !present.contains(&required)
        {
            return Err(format!("la falla `{kind}` necesita el campo `{required}`"));
        }
        if let Some(extra) = present
            .iter()
            .find(|f| !self.kind.extra_fields().contains(f))
        {
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
        Ok(())
    }
}
