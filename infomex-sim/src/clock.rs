//! The simulator's clock: the system clock, or a manual one that tests and the admin API set.
//!
//! Session expiry and the `delay` fault go through this clock, so tests drive time instead of
//! sleeping: a delayed response under the manual clock is released when the clock is moved past
//! its due time.

use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::watch;

#[derive(Debug)]
pub(crate) struct SimClock {
    manual: watch::Sender<Option<Timestamp>>,
}

impl SimClock {
    pub(crate) fn new(start: Option<Timestamp>) -> SimClock {
        SimClock {
            manual: watch::Sender::new(start),
        }
    }

    /// Now: the manual time when one is set, else the system time (the one place the simulator
    /// reads the wall clock).
    pub(crate) fn now(&self) -> Timestamp {
        self.manual.borrow().unwrap_or_else(Timestamp::now)
    }

    pub(crate) fn set(&self, now: Option<Timestamp>) {
        self.manual.send_replace(now);
    }

    pub(crate) fn is_manual(&self) -> bool {
        self.manual.borrow().is_some()
    }

    /// Waits `ms` milliseconds of this clock's time.
    pub(crate) async fn sleep(&self, ms: u64) {
        let mut rx = self.manual.subscribe();
        let start = *rx.borrow_and_update();
        let Some(start) = start else {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            return;
        };
        let due = start
            .checked_add(jiff::SignedDuration::from_millis(ms as i64))
            .unwrap_or(start);
        loop {
            let current = *rx.borrow_and_update();
            match current {
                Some(now) if now >= due => return,
                // Switched back to the system clock: wait out the rest in real time.
                None => {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    return;
                }
                Some(_) => {}
            }
            if rx.changed().await.is_err() {
                return;
            }
        }
    }
}
