//! Processing statistics over decided cases.

use chrono::NaiveDate;
use serde::Serialize;

use super::calendar::working_days_between;

/// One decided case: when its clock started, when it was decided and its
/// deadline on that day.
#[derive(Clone, Copy, Debug)]
pub struct Decision {
    pub started_on: NaiveDate,
    pub decided_on: NaiveDate,
    pub deadline: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DecisionSummary {
    pub decided: usize,
    /// The median of the working days from the start of the clock to the
    /// decision; `null` without decisions.
    pub median_working_days_to_decision: Option<f64>,
    /// The share of decisions made on or before the deadline, 0 to 1;
    /// `null` without decisions.
    pub share_within_limit: Option<f64>,
}

pub fn summarize(decisions: &[Decision]) -> DecisionSummary {
    let mut days: Vec<u32> = decisions
        .iter()
        .map(|d| working_days_between(d.started_on, d.decided_on))
        .collect();
    days.sort_unstable();
    let median = match days.len() {
        0 => None,
        n if n % 2 == 1 => Some(f64::from(days[n / 2])),
        n => Some((f64::from(days[n / 2 - 1]) + f64::from(days[n / 2])) / 2.0),
    };
    let within = decisions
        .iter()
        .filter(|d| d.decided_on <= d.deadline)
        .count();
    DecisionSummary {
        decided: decisions.len(),
        median_working_days_to_decision: median,
        share_within_limit: (!decisions.is_empty()).then(|| within as f64 / decisions.len() as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, month, day).unwrap()
    }

    #[test]
    fn median_and_share() {
        // Monday 2 March 2026; 2, 5 and 10 working days later.
        let decisions = [
            Decision {
                started_on: date(3, 2),
                decided_on: date(3, 4),
                deadline: date(3, 6),
            },
            Decision {
                started_on: date(3, 2),
                decided_on: date(3, 9),
                deadline: date(3, 6),
            },
            Decision {
                started_on: date(3, 2),
                decided_on: date(3, 16),
                deadline: date(3, 20),
            },
        ];

        let summary = summarize(&decisions);

        assert_eq!(summary.decided, 3);
        assert_eq!(summary.median_working_days_to_decision, Some(5.0));
        assert_eq!(summary.share_within_limit, Some(2.0 / 3.0));
    }

    #[test]
    fn no_decisions() {
        let summary = summarize(&[]);
        assert_eq!(summary.decided, 0);
        assert_eq!(summary.median_working_days_to_decision, None);
        assert_eq!(summary.share_within_limit, None);
    }

    #[test]
    fn even_count_averages_the_middle() {
        let one = |day| Decision {
            started_on: date(3, 2),
            decided_on: date(3, day),
            deadline: date(3, 31),
        };
        let summary = summarize(&[one(3), one(5)]);
        assert_eq!(summary.median_working_days_to_decision, Some(2.0));
    }
}
