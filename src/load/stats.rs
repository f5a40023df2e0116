//! What the load measured, per operation: count, errors by `código`, throughput and latency
//! percentiles from an HDR histogram (microseconds, 3 significant digits).

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde_json::{Value, json};

/// The operations a citizen carries out, in the order they come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    Registrar,
    IniciarSesion,
    Vincular,
    Historial,
    Detalle,
    Descargar,
}

impl Op {
    pub(super) const ALL: [Op; 6] = [
        Op::Registrar,
        Op::IniciarSesion,
        Op::Vincular,
        Op::Historial,
        Op::Detalle,
        Op::Descargar,
    ];

    /// The name the scenario steps use for it.
    pub(super) fn name(self) -> &'static str {
        match self {
            Op::Registrar => "registrar",
            Op::IniciarSesion => "iniciar_sesion",
            Op::Vincular => "vincular",
            Op::Historial => "historial",
            Op::Detalle => "detalle",
            Op::Descargar => "descargar",
        }
    }
}

/// Latencies up to an hour, in microseconds: a request slower than that is recorded as an hour.
const MAX_MICROS: u64 = 3_600_000_000;

#[derive(Debug)]
struct OpStats {
    latency: Histogram<u64>,
    errors: BTreeMap<String, u64>,
}

/// Every operation's figures.
#[derive(Debug)]
pub(super) struct Stats {
    ops: Vec<OpStats>,
}

impl Default for Stats {
    fn default() -> Stats {
        Stats {
            ops: Op::ALL
                .iter()
                .map(|_| OpStats {
                    latency: Histogram::new_with_bounds(1, MAX_MICROS, 3)
                        .expect("valid histogram bounds"),
                    errors: BTreeMap::new(),
                })
                .collect(),
        }
    }
}

impl Stats {
    /// One request of `op` that took `took`, failed with `error` (a `código`) or not.
    pub(super) fn record(&mut self, op: Op, took: Duration, error: Option<String>) {
        let s = &mut self.ops[op as usize];
        let micros = u64::try_from(took.as_micros()).unwrap_or(MAX_MICROS);
        s.latency.saturating_record(micros.clamp(1, MAX_MICROS));
        if let Some(code) = error {
            *s.errors.entry(code).or_default() += 1;
        }
    }

    pub(super) fn errors(&self) -> u64 {
        self.ops.iter().flat_map(|s| s.errors.values()).sum()
    }

    /// The figures of every operation, for the table and the JSON.
    pub(super) fn summary(&self, elapsed: Duration) -> Vec<OpSummary> {
        let secs = elapsed.as_secs_f64().max(1e-9);
        Op::ALL
            .iter()
            .zip(&self.ops)
            .map(|(op, s)| {
                let ms = |q: f64| s.latency.value_at_quantile(q) as f64 / 1000.0;
                let count = s.latency.len();
                OpSummary {
                    op: *op,
                    count,
                    errors: s.errors.clone(),
                    per_second: count as f64 / secs,
                    p50: ms(0.50),
                    p90: ms(0.90),
                    p95: ms(0.95),
                    p99: ms(0.99),
                    max: s.latency.max() as f64 / 1000.0,
                }
            })
            .collect()
    }
}

/// One operation's figures; latencies in milliseconds (0 when it never ran).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct OpSummary {
    pub(super) op: Op,
    pub(super) count: u64,
    pub(super) errors: BTreeMap<String, u64>,
    pub(super) per_second: f64,
    pub(super) p50: f64,
    pub(super) p90: f64,
    pub(super) p95: f64,
    pub(super) p99: f64,
    pub(super) max: f64,
}

impl OpSummary {
    pub(super) fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    pub(super) fn json(&self) -> Value {
        let round = |x: f64| (x * 1000.0).round() / 1000.0;
        json!({
            "operacion": self.op.name(),
            "total": self.count,
            "errores": self.error_count(),
            "errores_por_codigo": self.errors,
            "por_segundo": round(self.per_second),
            "latencia_ms": {
                "p50": round(self.p50),
                "p90": round(self.p90),
                "p95": round(self.p95),
                "p99": round(self.p99),
                "max": round(self.max),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_counts_and_errors_come_from_what_was_recorded() {
        let mut stats = Stats::default();
        for ms in 1..=100u64 {
            let error = (ms % 50 == 0).then(|| "infomex_no_responde".to_owned());
            stats.record(Op::Historial, Duration::from_millis(ms), error);
        }
        stats.record(
            Op::Vincular,
            Duration::from_millis(5),
            Some("http_500".into()),
        );
        let summary = stats.summary(Duration::from_secs(10));
        let h = &summary[Op::Historial as usize];
        assert_eq!(h.op, Op::Historial);
        assert_eq!(h.count, 100);
        assert_eq!(h.errors.get("infomex_no_responde"), Some(&2));
        assert!((h.per_second - 10.0).abs() < 1e-9);
        // Three significant digits: within 0.1% of the exact order statistic.
        assert!((h.p50 - 50.0).abs() <= 0.1, "{}", h.p50);
        assert!((h.p95 - 95.0).abs() <= 0.1, "{}", h.p95);
        assert!((h.p99 - 99.0).abs() <= 0.1, "{}", h.p99);
        assert!((h.max - 100.0).abs() <= 0.1, "{}", h.max);
        assert_eq!(stats.errors(), 3);
        let d = &summary[Op::Descargar as usize];
        assert_eq!((d.count, d.p99, d.error_count()), (0, 0.0, 0));
    }
}
