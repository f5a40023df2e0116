//! The server's only source of time.
//!
//! Nothing else reads the wall clock (DESIGN.md, "Architecture invariants"). A clock is either the
//! system clock or fixed at an instant; the `/__test/clock` hook fixes it at a date, and it stays
//! there until set again, so a scenario's "today" never drifts.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::Offset;

/// Mexico's central time: UTC−6 all year since daylight saving time was abolished in 2022. Dates
/// ("hoy") are the dates of this offset.
const CENTRO: Offset = Offset::constant(-6);

/// A shareable clock: clones see the same time, and setting one sets all.
#[derive(Debug, Clone)]
pub struct Clock {
    fixed: Arc<RwLock<Option<Timestamp>>>,
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl Clock {
    /// The system clock (until fixed).
    pub fn system() -> Clock {
        Clock {
            fixed: Arc::new(RwLock::new(None)),
        }
    }

    /// A clock that stays at `instant`.
    pub fn fixed(instant: Timestamp) -> Clock {
        Clock {
            fixed: Arc::new(RwLock::new(Some(instant))),
        }
    }

    /// A clock that stays at noon (Mexico City) of `hoy`.
    pub fn fixed_date(hoy: Date) -> Clock {
        Clock::fixed(mediodia(hoy))
    }

    /// The current instant.
    pub fn now(&self) -> Timestamp {
        match *self.fixed.read().unwrap_or_else(|e| e.into_inner()) {
            Some(instant) => instant,
            // The one place that reads the wall clock.
            None => Timestamp::now(),
        }
    }

    /// Today's date in Mexico City.
    pub fn hoy(&self) -> Date {
        CENTRO.to_datetime(self.now()).date()
    }

    /// Fixes the clock at `instant`.
    pub fn set(&self, instant: Timestamp) {
        *self.fixed.write().unwrap_or_else(|e| e.into_inner()) = Some(instant);
    }

    /// Fixes the clock at noon of `hoy`.
    pub fn set_hoy(&self, hoy: Date) {
        self.set(mediodia(hoy));
    }

    /// Moves a fixed clock forward (a system clock is fixed at its current instant first).
    pub fn advance(&self, by: Duration) {
        let now = self.now();
        let later = now.checked_add(by).unwrap_or(now);
        self.set(later);
    }
}

fn mediodia(hoy: Date) -> Timestamp {
    CENTRO
        .to_timestamp(hoy.to_datetime(Time::constant(12, 0, 0, 0)))
        .expect("noon of a civil date is a valid instant")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn fixed_date_stays_and_clones_share_it() {
        let clock = Clock::fixed_date(date(2021, 9, 20));
        let other = clock.clone();
        assert_eq!(other.hoy(), date(2021, 9, 20));
        clock.set_hoy(date(2021, 10, 1));
        assert_eq!(other.hoy(), date(2021, 10, 1));
        other.advance(Duration::from_secs(13 * 3600));
        assert_eq!(clock.hoy(), date(2021, 10, 2));
    }

    #[test]
    fn hoy_is_mexico_city_date() {
        // 03:00 UTC on 21 Sept is 21:00 on 20 Sept in Mexico City.
        let clock = Clock::fixed("2021-09-21T03:00:00Z".parse().unwrap());
        assert_eq!(clock.hoy(), date(2021, 9, 20));
    }
}
