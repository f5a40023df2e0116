//! A generated case: PNT users, Infomex accounts the simulator generates, a fault schedule and
//! a sequence of steps (linkages, relinks, concurrent linkages, history reads with filters and
//! paging, details, quejas, clock moves, log-outs), drawn from one seed and written as a
//! scenario file. Writing it as YAML (not building the types in memory) means the file a
//! finding is saved as is exactly what was run.

use std::fmt::Write as _;

use jiff::civil::Date;
use pnt_model::{Jurisdiccion, Semaforo, TipoSolicitud};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// Every status a generated step may meet: a probe accepts any answer, and the comparison with
/// the reference decides what was right.
const ANY_STATUS: &str =
    "[200, 201, 204, 400, 401, 403, 404, 409, 410, 413, 422, 423, 429, 500, 502, 503, 504]";

/// The fault kinds a generated schedule draws from: those that act at once (no real-time
/// waits: `delay`, `hang` and `rate_limited` would make hundreds of cases slow, and are covered
/// by the shipped scenarios).
const FAULT_KINDS: [&str; 12] = [
    "http_status",
    "truncated",
    "reset",
    "malformed",
    "bad_checksum",
    "attachment_404",
    "missing_from_list",
    "duplicate_record",
    "page_drift",
    "status_mismatch",
    "wrong_encoding",
    "session_expiry",
];

const ENDPOINTS: [&str; 3] = ["lista", "detalle", "adjunto"];

/// An Infomex account of the case: the simulator generates its solicitudes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub jurisdiccion: Jurisdiccion,
    pub usuario: String,
    pub generar: u32,
}

/// One fault, in the simulator's flat shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub kind: &'static str,
    pub jurisdiccion: Jurisdiccion,
    pub endpoint: Option<&'static str>,
    /// `status` of `http_status`, `after` of `session_expiry`.
    pub value: Option<u32>,
    pub times: Option<u32>,
}

/// One generated step; users and accounts are indexes into the case's lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Vincular {
        user: usize,
        account: usize,
    },
    /// Two linkages of different accounts by one user at the same time.
    Concurrentes {
        user: usize,
        accounts: (usize, usize),
    },
    Historial {
        user: usize,
        semaforo: Option<Semaforo>,
        tipo: Option<TipoSolicitud>,
        pagina: u32,
        por_pagina: u32,
    },
    /// The detail of the history's `nth` row (read first, newest first).
    Detalle {
        user: usize,
        nth: u32,
    },
    /// A queja against the history's `nth` row.
    Queja {
        user: usize,
        nth: u32,
    },
    Quejas {
        user: usize,
    },
    Vinculaciones {
        user: usize,
    },
    /// Logs out, shows the old session refused, logs in again.
    Relogin {
        user: usize,
    },
    AvanzarDias(u32),
    AvanzarDiasHabiles(u32),
    Faults(Vec<Fault>),
    ClearFaults,
}

impl Op {
    /// The user whose session the step uses, if any.
    pub fn user(&self) -> Option<usize> {
        match self {
            Op::Vincular { user, .. }
            | Op::Concurrentes { user, .. }
            | Op::Historial { user, .. }
            | Op::Detalle { user, .. }
            | Op::Queja { user, .. }
            | Op::Quejas { user }
            | Op::Vinculaciones { user }
            | Op::Relogin { user } => Some(*user),
            _ => None,
        }
    }

    /// Whether the step uses `account`.
    pub fn uses_account(&self, account: usize) -> bool {
        match self {
            Op::Vincular { account: a, .. } => *a == account,
            Op::Concurrentes { accounts, .. } => accounts.0 == account || accounts.1 == account,
            _ => false,
        }
    }

    /// The step with account indexes above `removed` moved down by one.
    fn without_account(&self, removed: usize) -> Op {
        let shift = |a: usize| if a > removed { a - 1 } else { a };
        match self {
            Op::Vincular { user, account } => Op::Vincular {
                user: *user,
                account: shift(*account),
            },
            Op::Concurrentes { user, accounts } => Op::Concurrentes {
                user: *user,
                accounts: (shift(accounts.0), shift(accounts.1)),
            },
            other => other.clone(),
        }
    }
}

/// A generated case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The scenario's seed (the simulator's accounts).
    pub seed: u64,
    pub hoy: Date,
    pub users: usize,
    pub accounts: Vec<Account>,
    /// Faults in force from the start.
    pub faults: Vec<Fault>,
    pub ops: Vec<Op>,
}

/// The user's name in the scenario.
pub fn user_name(user: usize) -> String {
    format!("persona{}", user + 1)
}

impl Case {
    /// The `index`-th case of `seed`: the same pair always gives the same case.
    pub fn generate(seed: u64, index: u64) -> Case {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        key[8..16].copy_from_slice(&index.to_le_bytes());
        key[16..24].copy_from_slice(b"explorar");
        let mut rng = ChaCha20Rng::from_seed(key);
        let users = rng.random_range(1..3usize);
        let n_accounts = rng.random_range(1..4usize);
        let accounts: Vec<Account> = (0..n_accounts)
            .map(|k| Account {
                jurisdiccion: Jurisdiccion::ALL[rng.random_range(0..Jurisdiccion::ALL.len())],
                usuario: format!("explora{}", k + 1),
                generar: match rng.random_range(0..10u32) {
                    0 => 0,
                    1..7 => rng.random_range(1..9u32),
                    _ => rng.random_range(9..26u32),
                },
            })
            .collect();
        let hoy = Date::new(2021, 6, 1)
            .expect("a valid date")
            .checked_add(jiff::Span::new().days(rng.random_range(0..400i64)))
            .expect("in range");
        let faults = if rng.random_range(0..3u32) == 0 {
            (0..rng.random_range(1..3usize))
                .map(|_| fault(&mut rng, &accounts))
                .collect()
        } else {
            Vec::new()
        };
        let mut case = Case {
            seed: rng.random_range(1..1_000_000u64),
            hoy,
            users,
            accounts,
            faults,
            ops: Vec::new(),
        };
        // Every user links one account first, so that most reads have rows to show.
        for user in 0..users {
            let account = rng.random_range(0..case.accounts.len());
            case.ops.push(Op::Vincular { user, account });
        }
        for _ in 0..rng.random_range(3..12usize) {
            let op = case.random_op(&mut rng);
            case.ops.push(op);
        }
        case
    }

    fn random_op(&self, rng: &mut ChaCha20Rng) -> Op {
        let user = rng.random_range(0..self.users);
        let account = rng.random_range(0..self.accounts.len());
        match rng.random_range(0..100u32) {
            0..14 => Op::Vincular { user, account },
            14..20 if self.accounts.len() > 1 => {
                let other = (account + 1 + rng.random_range(0..self.accounts.len() - 1))
                    % self.accounts.len();
                Op::Concurrentes {
                    user,
                    accounts: (account, other),
                }
            }
            20..42 => Op::Historial {
                user,
                semaforo: (rng.random_range(0..2u32) == 0)
                    .then(|| Semaforo::ALL[rng.random_range(0..Semaforo::ALL.len())]),
                tipo: (rng.random_range(0..3u32) == 0)
                    .then(|| TipoSolicitud::ALL[rng.random_range(0..TipoSolicitud::ALL.len())]),
                pagina: rng.random_range(1..4u32),
                por_pagina: [3, 5, 10, 20][rng.random_range(0..4usize)],
            },
            42..56 => Op::Detalle {
                user,
                nth: rng.random_range(0..4u32),
            },
            56..64 => Op::Queja {
                user,
                nth: rng.random_range(0..4u32),
            },
            64..68 => Op::Quejas { user },
            68..72 => Op::Vinculaciones { user },
            72..78 => Op::Relogin { user },
            78..84 => Op::AvanzarDias(rng.random_range(1..45u32)),
            84..90 => Op::AvanzarDiasHabiles(rng.random_range(1..20u32)),
            90..96 => Op::Faults(vec![fault(rng, &self.accounts)]),
            96..100 => Op::ClearFaults,
            _ => Op::Historial {
                user,
                semaforo: None,
                tipo: None,
                pagina: 1,
                por_pagina: 20,
            },
        }
    }

    /// The same case without account `k` and the steps that use it.
    pub fn without_account(&self, k: usize) -> Case {
        let mut c = self.clone();
        c.accounts.remove(k);
        c.ops = self
            .ops
            .iter()
            .filter(|op| !op.uses_account(k))
            .map(|op| op.without_account(k))
            .collect();
        c
    }

    /// The same case without user `u` and the steps taken as them.
    pub fn without_user(&self, u: usize) -> Case {
        let mut c = self.clone();
        c.users -= 1;
        let shift = |x: usize| if x > u { x - 1 } else { x };
        c.ops = self
            .ops
            .iter()
            .filter(|op| op.user() != Some(u))
            .map(|op| {
                let mut op = op.clone();
                match &mut op {
                    Op::Vincular { user, .. }
                    | Op::Concurrentes { user, .. }
                    | Op::Historial { user, .. }
                    | Op::Detalle { user, .. }
                    | Op::Queja { user, .. }
                    | Op::Quejas { user }
                    | Op::Vinculaciones { user }
                    | Op::Relogin { user } => *user = shift(*user),
                    _ => {}
                }
                op
            })
            .collect();
        c
    }

    /// The scenario file. `expect` gives, by step (as the runner's report numbers them), the
    /// expectation to write instead of the probe's; without one a step accepts any status and
    /// keeps its body as a snapshot (for reads).
    pub fn render(&self, name: &str, expect: &dyn Fn(Key) -> Option<String>) -> Rendered {
        let mut y = String::new();
        let _ = writeln!(y, "name: {}", yaml_text(name));
        let _ = writeln!(y, "seed: {}", self.seed);
        let _ = writeln!(y, "clock:\n  hoy: {}", self.hoy);
        y.push_str("infomex:\n  accounts:\n");
        for a in &self.accounts {
            let _ = writeln!(
                y,
                "    - {{jurisdiccion: {}, usuario: {}, generar: {}}}",
                a.jurisdiccion.slug(),
                a.usuario,
                a.generar
            );
        }
        if !self.faults.is_empty() {
            y.push_str("  faults:\n");
            for f in &self.faults {
                let _ = writeln!(y, "    - {}", f.yaml());
            }
        }
        y.push_str("pnt:\n  users:\n");
        for u in 0..self.users {
            let _ = writeln!(y, "    {}: {{}}", user_name(u));
        }
        y.push_str("steps:\n");
        let mut out = Rendered {
            yaml: String::new(),
            snapshots: Vec::new(),
        };
        let mut w = StepWriter {
            y: &mut y,
            index: 0,
            snapshots: &mut out.snapshots,
            expect,
        };
        // How many rows each user's history holds at least, from the accounts linked so far
        // (faults may hide some): a detail or a queja picks a row among them.
        let mut linked: Vec<Vec<usize>> = vec![Vec::new(); self.users];
        let rows =
            |linked: &Vec<usize>| -> u32 { linked.iter().map(|&k| self.accounts[k].generar).sum() };
        for u in 0..self.users {
            w.step(&format!("registrar: {}", user_name(u)), None, false);
            w.step(&format!("iniciar_sesion: {}", user_name(u)), None, false);
        }
        for op in &self.ops {
            let as_user = op.user().map(user_name);
            let who = as_user.as_deref();
            match op {
                Op::Vincular { account, user } => {
                    if !linked[*user].contains(account) {
                        linked[*user].push(*account);
                    }
                    let a = &self.accounts[*account];
                    w.step(
                        &format!(
                            "vincular: {{jurisdiccion: {}, usuario: {}}}",
                            a.jurisdiccion.slug(),
                            a.usuario
                        ),
                        who,
                        false,
                    );
                }
                Op::Concurrentes { accounts, user } => {
                    for k in [accounts.0, accounts.1] {
                        if !linked[*user].contains(&k) {
                            linked[*user].push(k);
                        }
                    }
                    w.concurrent(
                        who,
                        [accounts.0, accounts.1].map(|k| {
                            let a = &self.accounts[k];
                            format!(
                                "vincular: {{jurisdiccion: {}, usuario: {}}}",
                                a.jurisdiccion.slug(),
                                a.usuario
                            )
                        }),
                    );
                }
                Op::Historial {
                    semaforo,
                    tipo,
                    pagina,
                    por_pagina,
                    ..
                } => {
                    let mut args = vec![
                        format!("pagina: {pagina}"),
                        format!("por_pagina: {por_pagina}"),
                    ];
                    if let Some(s) = semaforo {
                        args.push(format!("semaforo: {}", s.slug()));
                    }
                    if let Some(t) = tipo {
                        args.push(format!("tipo: {}", t.slug()));
                    }
                    w.step(&format!("historial: {{{}}}", args.join(", ")), who, true);
                }
                Op::Detalle { nth, user } => {
                    let Some(nth) = nth.checked_rem(rows(&linked[*user])) else {
                        continue;
                    };
                    let var = w.folio_of_row(who, nth);
                    w.step(&format!("detalle: \"${{{var}}}\""), who, true);
                }
                Op::Queja { nth, user } => {
                    let Some(nth) = nth.checked_rem(rows(&linked[*user])) else {
                        continue;
                    };
                    let var = w.folio_of_row(who, nth);
                    w.step(&format!(
                            "queja: {{folio: \"${{{var}}}\", motivo: La respuesta no corresponde a lo solicitado.}}"
                        ),
                        who,
                        true,
                    );
                }
                Op::Quejas { .. } => w.step("quejas: {}", who, true),
                Op::Vinculaciones { .. } => w.step("vinculaciones: {}", who, true),
                Op::Relogin { user } => {
                    w.step("cerrar_sesion: {}", who, false);
                    w.step("historial: {}", who, false);
                    w.step(
                        &format!("iniciar_sesion: {}", user_name(*user)),
                        None,
                        false,
                    );
                }
                Op::AvanzarDias(n) => w.control(&format!("advance_clock: {{dias: {n}}}")),
                Op::AvanzarDiasHabiles(n) => {
                    w.control(&format!("advance_clock: {{dias_habiles: {n}}}"))
                }
                Op::Faults(faults) => {
                    let list: Vec<String> = faults.iter().map(Fault::yaml).collect();
                    w.control(&format!("faults: [{}]", list.join(", ")));
                }
                Op::ClearFaults => w.control("clear_faults: {}"),
            }
        }
        out.yaml = y;
        out
    }
}

/// A step as the runner's report numbers it: 1-based among the scenario's steps, and 1-based
/// inside a `concurrent`.
pub type Key = (u32, Option<u32>);

/// A case written as a scenario file, with the snapshots its reads keep.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub yaml: String,
    /// Each read's step and the name of the snapshot it keeps (`s3`), in file order.
    pub snapshots: Vec<(Key, String)>,
}

struct StepWriter<'a> {
    y: &'a mut String,
    /// The last top-level step written.
    index: u32,
    snapshots: &'a mut Vec<(Key, String)>,
    expect: &'a dyn Fn(Key) -> Option<String>,
}

impl StepWriter<'_> {
    fn step(&mut self, action: &str, who: Option<&str>, snapshot: bool) {
        self.index += 1;
        self.write((self.index, None), action, who, snapshot, "  ");
    }

    fn write(&mut self, key: Key, action: &str, who: Option<&str>, snapshot: bool, indent: &str) {
        let _ = writeln!(self.y, "{indent}- {action}");
        if let Some(who) = who {
            let _ = writeln!(self.y, "{indent}  as: {who}");
        }
        let name = snapshot.then(|| match key {
            (i, None) => format!("s{i}"),
            (i, Some(k)) => format!("s{i}_{k}"),
        });
        let expect = (self.expect)(key).unwrap_or_else(|| match &name {
            Some(s) => format!("{{status: {ANY_STATUS}, snapshot: {s}}}"),
            None => format!("{{status: {ANY_STATUS}}}"),
        });
        let _ = writeln!(self.y, "{indent}  expect: {expect}");
        if let Some(name) = name {
            self.snapshots.push((key, name));
        }
    }

    fn control(&mut self, action: &str) {
        self.index += 1;
        let _ = writeln!(self.y, "  - {action}");
    }

    fn concurrent(&mut self, who: Option<&str>, actions: [String; 2]) {
        self.index += 1;
        let index = self.index;
        let _ = writeln!(self.y, "  - concurrent:");
        for (k, a) in actions.iter().enumerate() {
            self.write((index, Some(k as u32 + 1)), a, who, false, "      ");
        }
    }

    /// A history read that captures the folio of row `nth` (newest first) as a variable; the
    /// variable's name.
    fn folio_of_row(&mut self, who: Option<&str>, nth: u32) -> String {
        self.index += 1;
        let key = (self.index, None);
        let var = format!("folio{}", self.index);
        let _ = writeln!(self.y, "  - historial: {{pagina: 1, por_pagina: 50}}");
        if let Some(who) = who {
            let _ = writeln!(self.y, "    as: {who}");
        }
        let expect = (self.expect)(key).unwrap_or_else(|| format!("{{status: {ANY_STATUS}}}"));
        let _ = writeln!(self.y, "    expect: {expect}");
        let _ = writeln!(
            self.y,
            "    capture: {{{var}: \"solicitudes[{nth}].folio\"}}"
        );
        var
    }
}

fn fault(rng: &mut ChaCha20Rng, accounts: &[Account]) -> Fault {
    let kind = FAULT_KINDS[rng.random_range(0..FAULT_KINDS.len())];
    let jurisdiccion = accounts[rng.random_range(0..accounts.len())].jurisdiccion;
    let endpoint = match kind {
        "http_status" | "truncated" | "reset" | "malformed" => {
            Some(ENDPOINTS[rng.random_range(0..ENDPOINTS.len())])
        }
        _ => None,
    };
    let value = match kind {
        "http_status" => Some([500, 502, 503][rng.random_range(0..3usize)]),
        "session_expiry" => Some(rng.random_range(2..7u32)),
        _ => None,
    };
    let times = match kind {
        "missing_from_list" | "duplicate_record" | "page_drift" | "status_mismatch"
        | "wrong_encoding" | "session_expiry" => None,
        _ => Some(rng.random_range(1..8u32)),
    };
    Fault {
        kind,
        jurisdiccion,
        endpoint,
        value,
        times,
    }
}

impl Fault {
    fn yaml(&self) -> String {
        let mut s = format!(
            "{{kind: {}, jurisdiccion: {}",
            self.kind,
            self.jurisdiccion.slug()
        );
        if let Some(e) = self.endpoint {
            let _ = write!(s, ", endpoint: {e}");
        }
        match (self.kind, self.value) {
            ("http_status", Some(v)) => {
                let _ = write!(s, ", status: {v}");
            }
            ("session_expiry", Some(v)) => {
                let _ = write!(s, ", after: {v}");
            }
            _ => {}
        }
        if let Some(t) = self.times {
            let _ = write!(s, ", times: {t}");
        }
        s.push('}');
        s
    }
}

/// A YAML scalar holding `text` as is.
fn yaml_text(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_same_seed_and_index_give_the_same_case_and_others_differ() {
        assert_eq!(Case::generate(7, 3), Case::generate(7, 3));
        assert_ne!(Case::generate(7, 3), Case::generate(7, 4));
        assert_ne!(Case::generate(7, 3), Case::generate(8, 3));
    }

    #[test]
    fn every_generated_case_is_a_valid_scenario() {
        for i in 0..300 {
            let case = Case::generate(1, i);
            let r = case.render("caso", &|_| None);
            if let Err(e) = crate::scenario::load_str(Path::new("caso.yaml"), &r.yaml) {
                panic!("case {i} does not load: {e}\n{}", r.yaml);
            }
        }
    }
}
