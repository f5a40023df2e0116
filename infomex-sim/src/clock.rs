//! The simulator's clock: the system clock, or a manual one that tests and the admin API set.
//!
//! Session expiry and the `delay` fault go through this clock, so tests drive time instead of
//! sleeping: a delayed response under the manual clock is released when the clock is moved past
//! its due time (or when the delay has passed in real time, if that comes first).

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

    /// Waits `ms` milliseconds: of real time, or of this clock's time when it is manual and is
    /// moved past the due time first — whichever comes first. So a test releases a long delay at
    /// once by moving the clock, and a fixed clock (a scenario's "today") still lets a delay end.
    pub(crate) async fn sleep(&self, ms: u64) {
        let real = tokio::time::sleep(Duration::from_millis(ms));
        let mut rx = self.manual.subscribe();
        let start = *rx.borrow_and_update();
        let Some(start) = start else {
            return real.await;
        };
        let due = start
            .checked_add(jiff::SignedDuration::from_millis(ms as i64))
            .unwrap_or(start);
        let manual = async move {
            loop {
                if matches!(*rx.borrow_and_update(), Some(now) if now >= due) {
                    return;
                }
                if rx.changed().await.is_err() {
                    // The clock is gone (the simulator is stopping): real time decides.
                    return std::future::pending().await;
                }
            }
        };
        tokio::select! {
            () = real => {}
            () = manual => {}
        }
    }
}
