//! The statutory deadline of a case, counted in working days.
//!
//! The clock starts when a case is submitted (or appealed). While the case
//! is returned to the applicant it is paused, and the working days it was
//! paused move the deadline by the same number of working days.

use chrono::NaiveDate;
use serde::Serialize;

use super::calendar::{add_working_days, working_days_between};

/// The statutory limits, in working days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// A request for data from one registry.
    pub single_source: u32,
    /// A request that links two or more registries.
    pub linked_sources: u32,
}

impl Limits {
    /// Returns the limit for a request naming `registries` registries.
    pub fn for_sources(self, registries: usize) -> u32 {
        if registries > 1 {
            self.linked_sources
        } else {
            self.single_source
        }
    }
}

/// The deadline clock of one case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Clock {
    /// The day the clock started; day zero of the count.
    pub started_on: NaiveDate,
    pub limit_working_days: u32,
    /// Working days the case spent returned to the applicant.
    pub paused_working_days: u32,
    /// The day the case was returned to the applicant, while it still is.
    pub paused_since: Option<NaiveDate>,
}

impl Clock {
    pub fn start(today: NaiveDate, limit_working_days: u32) -> Clock {
        Clock {
            started_on: today,
            limit_working_days,
            paused_working_days: 0,
            paused_since: None,
        }
    }

    /// Returns the deadline: the limit plus the paused working days after the
    /// start. While paused, the days paused so far up to `today` count.
    pub fn deadline(&self, today: NaiveDate) -> NaiveDate {
        let running_pause = self
            .paused_since
            .map_or(0, |since| working_days_between(since, today));
        add_working_days(
            self.started_on,
            self.limit_working_days + self.paused_working_days + running_pause,
        )
    }

    /// Stops the clock on `today`; a clock already stopped stays as it is.
    pub fn pause(&mut self, today: NaiveDate) {
        if self.paused_since.is_none() {
            self.paused_since = Some(today);
        }
    }

    /// Restarts the clock on `today`, adding the working days it was paused.
    pub fn resume(&mut self, today: NaiveDate) {
        if let Some(since) = self.paused_since.take() {
            self.paused_working_days += working_days_between(since, today);
        }
    }

    /// Returns whether the deadline passed before `today` without a pause.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.paused_since.is_none() && self.deadline(today) < today
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::is_working_day;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    const LIMITS: Limits = Limits {
        single_source: 30,
        linked_sources: 60,
    };

    #[test]
    fn limit_depends_on_linked_sources() {
        assert_eq!(LIMITS.for_sources(1), 30);
        assert_eq!(LIMITS.for_sources(2), 60);
        assert_eq!(LIMITS.for_sources(5), 60);
    }

    #[test]
    fn thirty_working_days_skip_easter() {
        // Monday 2 March 2026 plus 30 working days, with Easter 2-6 April:
        // 2 March + 6 weeks is 13 April, less 3 holidays gives 16 April.
        let clock = Clock::start(date(2026, 3, 2), 30);
        assert_eq!(clock.deadline(date(2026, 3, 2)), date(2026, 4, 16));
    }

    #[test]
    fn ten_paused_days_move_deadline_ten_working_days() {
        let submitted = date(2026, 3, 2);
        let returned = date(2026, 3, 10);
        let answered = add_working_days(returned, 10);
        let plain = Clock::start(submitted, 30);
        let mut paused = Clock::start(submitted, 30);

        paused.pause(returned);
        paused.resume(answered);

        assert_eq!(paused.paused_working_days, 10);
        let plain_deadline = plain.deadline(answered);
        let paused_deadline = paused.deadline(answered);
        assert_eq!(working_days_between(plain_deadline, paused_deadline), 10);
        assert!(is_working_day(paused_deadline));
    }

    #[test]
    fn paused_clock_is_never_overdue() {
        let mut clock = Clock::start(date(2026, 1, 5), 1);
        assert!(clock.is_overdue(date(2026, 2, 2)));
        clock.pause(date(2026, 1, 5));
        assert!(!clock.is_overdue(date(2026, 2, 2)));
    }

    #[test]
    fn second_pause_does_not_restart() {
        let mut clock = Clock::start(date(2026, 1, 5), 30);
        clock.pause(date(2026, 1, 6));
        clock.pause(date(2026, 1, 8));
        clock.resume(date(2026, 1, 9));
        assert_eq!(clock.paused_working_days, 3);
    }
}
