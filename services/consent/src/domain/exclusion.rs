//! The rule that decides whom a permit leaves out of a registry, and the
//! digest of the excluded set.

use chrono::NaiveDate;
use hap_contracts::application::Purpose;
use hap_contracts::criteria::CohortCriteria;
use sha2::{Digest, Sha256};

use super::basis::BasisKind;
use super::consent::{EventKind, Scope};

/// One recorded event of a person in a registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEvent {
    pub kind: EventKind,
    pub scope: Scope,
    pub date: NaiveDate,
    /// The insertion order, which breaks ties between events of one date.
    pub id: i64,
}

/// The permit date and the project that consent scopes are checked against.
pub struct PermitScope<'a> {
    pub date: NaiveDate,
    pub purpose: &'a Purpose,
    pub criteria: &'a CohortCriteria,
}

/// Returns whether a permit leaves the person out of a registry of `kind`.
///
/// Events dated on or before the permit date count. A person is left out
/// when the latest opt-out event is an opt-out. In a consent-based registry,
/// a person is also left out without a consent at that date, after a
/// withdrawal, or when the consent's scope does not cover the project. On one date, a withdrawal or opt-out outranks the
/// other events, so a same-day conflict leaves the person out.
pub fn is_excluded(kind: BasisKind, history: &[HistoryEvent], permit: &PermitScope) -> bool {
    if !kind.has_exclusions() {
        return false;
    }
    let effective = history.iter().filter(|event| event.date <= permit.date);
    let latest = |consent: bool| {
        effective
            .clone()
            .filter(|event| event.kind.is_consent() == consent)
            .max_by_key(|event| (event.date, event.kind.is_withdrawal(), event.id))
    };

    if latest(false).is_some_and(|event| event.kind == EventKind::OptedOut) {
        return true;
    }
    if kind != BasisKind::ConsentBased {
        return false;
    }
    match latest(true) {
        None => true,
        Some(event) if event.kind == EventKind::Withdrawn => true,
        Some(event) => !event.scope.covers(permit.purpose, permit.criteria),
    }
}

/// Returns lowercase hex SHA-256 over the sorted, concatenated hashes: the
/// digest the linkage report computes over the list it applied.
pub fn digest(hashes: &[[u8; 32]]) -> String {
    let mut sorted = hashes.to_vec();
    sorted.sort_unstable();
    let mut digest = Sha256::new();
    for hash in &sorted {
        digest.update(hash);
    }
    data_encoding::HEXLOWER.encode(&digest.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn event(id: i64, kind: EventKind, day: &str) -> HistoryEvent {
        HistoryEvent {
            kind,
            scope: Scope::GeneralResearch,
            date: date(day),
            id,
        }
    }

    fn purpose() -> Purpose {
        Purpose {
            description: "survival".into(),
            health_research: true,
            commercial: false,
        }
    }

    fn criteria() -> CohortCriteria {
        CohortCriteria {
            diagnosis_codes: vec!["C18".into()],
            diagnosed_from: None,
            diagnosed_to: None,
        }
    }

    fn excluded(kind: BasisKind, history: &[HistoryEvent], permit_date: &str) -> bool {
        let (purpose, criteria) = (purpose(), criteria());
        let permit = PermitScope {
            date: date(permit_date),
            purpose: &purpose,
            criteria: &criteria,
        };
        is_excluded(kind, history, &permit)
    }

    use BasisKind::{ConsentBased, OptOut, Statutory};
    use EventKind::{Given, OptOutRevoked, OptedOut, Withdrawn};

    #[test]
    fn withdrawal_before_permit_date_excludes() {
        let history = [
            event(1, Given, "2020-01-01"),
            event(2, Withdrawn, "2024-05-01"),
        ];
        assert!(excluded(ConsentBased, &history, "2024-06-01"));
        assert!(excluded(ConsentBased, &history, "2024-05-01"));
    }

    #[test]
    fn withdrawal_after_permit_date_keeps() {
        let history = [
            event(1, Given, "2020-01-01"),
            event(2, Withdrawn, "2024-05-01"),
        ];
        assert!(!excluded(ConsentBased, &history, "2024-04-30"));
    }

    #[test]
    fn consent_given_again_keeps() {
        let history = [
            event(1, Given, "2020-01-01"),
            event(2, Withdrawn, "2021-01-01"),
            event(3, Given, "2022-01-01"),
        ];
        assert!(!excluded(ConsentBased, &history, "2024-01-01"));
    }

    #[test]
    fn consent_after_permit_date_excludes() {
        let history = [event(1, Given, "2025-01-01")];
        assert!(excluded(ConsentBased, &history, "2024-01-01"));
    }

    #[test]
    fn same_day_withdrawal_outranks_consent() {
        let history = [
            event(2, Withdrawn, "2021-01-01"),
            event(3, Given, "2021-01-01"),
        ];
        assert!(excluded(ConsentBased, &history, "2024-01-01"));
    }

    #[test]
    fn opt_out_before_permit_date_excludes() {
        let history = [event(1, OptedOut, "2024-05-01")];
        assert!(excluded(OptOut, &history, "2024-06-01"));
    }

    #[test]
    fn opt_out_after_permit_date_keeps() {
        let history = [event(1, OptedOut, "2024-07-01")];
        assert!(!excluded(OptOut, &history, "2024-06-01"));
    }

    #[test]
    fn revoked_opt_out_keeps() {
        let history = [
            event(1, OptedOut, "2023-01-01"),
            event(2, OptOutRevoked, "2024-01-01"),
        ];
        assert!(!excluded(OptOut, &history, "2024-06-01"));
        assert!(excluded(OptOut, &history, "2023-06-01"));
    }

    #[test]
    fn opt_out_excludes_from_consent_registry() {
        let history = [
            event(1, Given, "2020-01-01"),
            event(2, OptedOut, "2024-01-01"),
        ];
        assert!(excluded(ConsentBased, &history, "2024-06-01"));
    }

    #[test]
    fn statutory_registry_excludes_nobody() {
        let history = [event(1, OptedOut, "2020-01-01")];
        assert!(!excluded(Statutory, &history, "2024-06-01"));
    }

    #[test]
    fn scope_outside_project_excludes() {
        let mut changed = event(2, EventKind::Changed, "2022-01-01");
        changed.scope = "DS:C50".parse().unwrap();
        let history = [event(1, Given, "2020-01-01"), changed];
        assert!(excluded(ConsentBased, &history, "2024-01-01"));
        assert!(!excluded(ConsentBased, &history, "2021-01-01"));
    }

    #[test]
    fn digest_ignores_order() {
        assert_eq!(digest(&[[2; 32], [1; 32]]), digest(&[[1; 32], [2; 32]]));
        assert_eq!(
            digest(&[]),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
