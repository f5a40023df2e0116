//! Exponential backoff with deterministic jitter.
//!
//! Delay before retry `k` (1-based): `d = min(maximo, base · 2^(k−1))`, then "equal jitter" —
//! a value drawn uniformly from `[d/2, d]` — so simultaneous clients spread out while no retry
//! comes sooner than half the nominal delay. A `Retry-After` from the server is honoured: the
//! delay is at least that long. The jitter comes from a SplitMix64 stream seeded by the policy,
//! so the same seed gives the same delays.

use std::time::Duration;

use crate::config::RetryPolicy;

#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    policy: RetryPolicy,
    state: u64,
}

impl Backoff {
    /// A backoff whose jitter stream is the policy's seed mixed with `stream` (e.g. a hash of
    /// the account), so concurrent linkages do not retry in lockstep yet each one repeats.
    pub(crate) fn new(policy: RetryPolicy, stream: u64) -> Backoff {
        let state = policy.semilla ^ stream.rotate_left(17);
        Backoff { policy, state }
    }

    pub(crate) fn intentos(&self) -> u32 {
        self.policy.intentos.max(1)
    }

    /// The delay before retry `k` (1-based); `None` when the server's `Retry-After` exceeds
    /// what the policy is willing to wait.
    pub(crate) fn espera(&mut self, k: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if let Some(ra) = retry_after
            && ra > self.policy.retry_after_maximo
        {
            return None;
        }
        let factor = 1u32.checked_shl(k.saturating_sub(1)).unwrap_or(u32::MAX);
        let nominal = self
            .policy
            .base
            .checked_mul(factor)
            .unwrap_or(self.policy.maximo)
            .min(self.policy.maximo);
        let half = nominal / 2;
        let span = (nominal - half).as_nanos() as u64;
        let jitter = if span == 0 {
            0
        } else {
            self.next() % (span + 1)
        };
        let delay = half + Duration::from_nanos(jitter);
        Some(retry_after.map_or(delay, |ra| ra.max(delay)))
    }

    /// SplitMix64.
    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A stable 64-bit hash of a string (FNV-1a), to derive jitter streams.
pub(crate) fn stream_de(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            intentos: 5,
            base: Duration::from_millis(100),
            maximo: Duration::from_millis(1000),
            retry_after_maximo: Duration::from_secs(5),
            semilla: 7,
        }
    }

    #[test]
    fn delays_grow_exponentially_within_jitter_bounds_and_cap() {
        let mut b = Backoff::new(policy(), 1);
        for (k, nominal) in [
            (1, 100),
            (2, 200),
            (3, 400),
            (4, 800),
            (5, 1000),
            (30, 1000),
        ] {
            let d = b.espera(k, None).unwrap();
            let nominal = Duration::from_millis(nominal);
            assert!(
                d >= nominal / 2 && d <= nominal,
                "retry {k}: {d:?} vs {nominal:?}"
            );
        }
    }

    #[test]
    fn same_seed_same_delays_other_stream_other_delays() {
        let run = |stream| {
            let mut b = Backoff::new(policy(), stream);
            (1..=5)
                .map(|k| b.espera(k, None).unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_maximum() {
        let mut b = Backoff::new(policy(), 1);
        assert_eq!(
            b.espera(1, Some(Duration::from_secs(2))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(b.espera(1, Some(Duration::from_secs(6))), None);
        let short = b.espera(4, Some(Duration::from_millis(1))).unwrap();
        assert!(
            short >= Duration::from_millis(400),
            "never sooner than the backoff: {short:?}"
        );
    }
}
