//! Validation of one identity-number field.

use hap_identity::{IdentityNumber, Kind, Reason, Rules};

use crate::report::InvalidReason;

/// A field's identity number as the engine uses it.
#[derive(Debug)]
pub(crate) enum Identifier {
    /// A valid number that may be linked.
    Linkable(IdentityNumber),
    /// A valid H-number, which identifies a person only inside the health
    /// service that issued it and is never linked across registries.
    HNumber,
    /// An invalid or missing number.
    Invalid(InvalidReason),
}

/// Validates the raw bytes of an identity-number field under `rules`.
pub(crate) fn classify(field: &[u8], rules: Rules) -> Identifier {
    let Ok(text) = std::str::from_utf8(field) else {
        return Identifier::Invalid(InvalidReason::Format);
    };
    if text.trim().is_empty() {
        return Identifier::Invalid(InvalidReason::Missing);
    }
    match hap_identity::parse(text, rules) {
        Ok(id) if id.underlying_kind() == Kind::HNumber => Identifier::HNumber,
        Ok(id) => Identifier::Linkable(id),
        Err(rejection) => Identifier::Invalid(invalid_reason(rejection.reason)),
    }
}

fn invalid_reason(reason: Reason) -> InvalidReason {
    match reason {
        Reason::Format => InvalidReason::Format,
        Reason::LeadingZeroLost => InvalidReason::LeadingZeroLost,
        Reason::Checksum => InvalidReason::Checksum,
        Reason::Date => InvalidReason::Date,
        Reason::Century => InvalidReason::Century,
        Reason::NotAllowedInProfile => InvalidReason::NotAllowedInProfile,
    }
}

/// Returns whether `id` is a D-number (day plus 40), including synthetic and test
/// D-numbers.
pub(crate) fn is_dnumber(id: &IdentityNumber) -> bool {
    id.underlying_kind() == Kind::DNumber
}

#[cfg(test)]
mod tests {
    use hap_identity::{ChecksumPolicy, Profile, classic_check_digits};

    use super::*;

    const TEST_RULES: Rules = Rules {
        policy: ChecksumPolicy::Allow2032,
        profile: Profile::Test,
    };

    /// Completes nine digits with classic check digits.
    fn with_check_digits(first_nine: &str) -> String {
        let digits: [u8; 9] = first_nine
            .bytes()
            .map(|byte| byte - b'0')
            .collect::<Vec<_>>()
            .try_into()
            .unwrap();
        let [first, second] = classic_check_digits(&digits).unwrap();
        format!("{first_nine}{first}{second}")
    }

    #[test]
    fn synthetic_number_is_linkable() {
        let number = with_check_digits("018180123");
        let Identifier::Linkable(id) = classify(number.as_bytes(), TEST_RULES) else {
            panic!("synthetic number rejected");
        };
        assert_eq!(id.kind(), Kind::Synthetic);
        assert_eq!(id.as_str(), number);
        assert!(!is_dnumber(&id));
    }

    #[test]
    fn synthetic_dnumber_is_dnumber() {
        let number = with_check_digits("418180123");
        let Identifier::Linkable(id) = classify(number.as_bytes(), TEST_RULES) else {
            panic!("synthetic D-number rejected");
        };
        assert!(is_dnumber(&id));
    }

    #[test]
    fn hnumber_is_not_linkable() {
        let number = with_check_digits("014580123");
        assert!(matches!(
            classify(number.as_bytes(), TEST_RULES),
            Identifier::HNumber
        ));
    }

    #[test]
    fn invalid_fields_by_reason() {
        let valid = with_check_digits("018180123");
        let wrong_check = format!("{}{}", &valid[..10], (valid.as_bytes()[10] - b'0' + 1) % 10);
        let leading_zero_lost = &valid[1..];
        let cases: [(&[u8], InvalidReason); 6] = [
            (b"", InvalidReason::Missing),
            (b"   ", InvalidReason::Missing),
            (b"abc", InvalidReason::Format),
            (b"\xff\xfe", InvalidReason::Format),
            (wrong_check.as_bytes(), InvalidReason::Checksum),
            (leading_zero_lost.as_bytes(), InvalidReason::LeadingZeroLost),
        ];
        for (field, expected) in cases {
            match classify(field, TEST_RULES) {
                Identifier::Invalid(reason) => assert_eq!(reason, expected, "{field:?}"),
                other => panic!("{field:?} classified as {other:?}"),
            }
        }
    }

    #[test]
    fn synthetic_number_rejected_in_production() {
        let number = with_check_digits("018180123");
        let production = Rules {
            policy: ChecksumPolicy::Allow2032,
            profile: Profile::Production,
        };
        assert!(matches!(
            classify(number.as_bytes(), production),
            Identifier::Invalid(InvalidReason::NotAllowedInProfile)
        ));
    }
}
