#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Inputs with expected verdicts, kinds and birth dates, taken from real bug
//! reports. Each row is checked through both `parse` and `analyze`.

use chrono::NaiveDate;
use hap_identity::{ChecksumPolicy, Kind, Profile, Reason, Rules, analyze, parse};

/// Expected outcome of one row.
#[derive(Debug, Clone, Copy)]
enum Expected {
    Valid,
    Invalid(Reason),
}

struct Case {
    input: &'static str,
    policy: ChecksumPolicy,
    profile: Profile,
    expected: Expected,
    kind: Option<Kind>,
    birth_date: Option<(i32, u32, u32)>,
    description: &'static str,
}

use ChecksumPolicy::{Allow2032, Classic};
use Expected::{Invalid, Valid};
use Profile::{Production, Test};

const CASES: &[Case] = &[
    Case {
        input: "14039012368",
        policy: Allow2032,
        profile: Production,
        expected: Valid,
        kind: Some(Kind::Fnr),
        birth_date: Some((1990, 3, 14)),
        description: "ordinary number",
    },
    Case {
        input: "05037861385",
        policy: Allow2032,
        profile: Production,
        expected: Valid,
        kind: Some(Kind::Fnr),
        birth_date: Some((1878, 3, 5)),
        description: "individual number 613 with year 78 means the 1800s; age alone never makes a number invalid",
    },
    Case {
        input: "23110587406",
        policy: Allow2032,
        profile: Production,
        expected: Valid,
        kind: Some(Kind::Fnr),
        birth_date: Some((2005, 11, 23)),
        description: "individual number 874 with year 05 means the 2000s",
    },
    Case {
        input: "54129034508",
        policy: Allow2032,
        profile: Production,
        expected: Valid,
        kind: Some(Kind::DNumber),
        birth_date: Some((1990, 12, 14)),
        description: "D-number: day plus 40",
    },
    Case {
        input: "61010756552",
        policy: Allow2032,
        profile: Production,
        expected: Valid,
        kind: Some(Kind::DNumber),
        birth_date: Some((2007, 1, 21)),
        description: "D-number of a person born after 1999",
    },
    Case {
        input: "29020051386",
        policy: Allow2032,
        profile: Production,
        expected: Valid,
        kind: Some(Kind::Fnr),
        birth_date: Some((2000, 2, 29)),
        description: "leap day in 2000 (year 00 with individual number 513)",
    },
    Case {
        input: "29029731320",
        policy: Allow2032,
        profile: Production,
        expected: Invalid(Reason::Date),
        kind: None,
        birth_date: None,
        description: "29 February 1997 does not exist",
    },
    Case {
        input: "14039012369",
        policy: Allow2032,
        profile: Production,
        expected: Invalid(Reason::Checksum),
        kind: None,
        birth_date: None,
        description: "last digit changed",
    },
    Case {
        input: "14039102368",
        policy: Allow2032,
        profile: Production,
        expected: Invalid(Reason::Checksum),
        kind: None,
        birth_date: None,
        description: "two adjacent digits swapped",
    },
    Case {
        input: "54039012368",
        policy: Allow2032,
        profile: Production,
        expected: Invalid(Reason::Checksum),
        kind: None,
        birth_date: None,
        description: "40 added to the day without recomputing the check digits",
    },
    Case {
        input: "00000000000",
        policy: Allow2032,
        profile: Production,
        expected: Invalid(Reason::Date),
        kind: None,
        birth_date: None,
        description: "passes both checksums, but day 00 does not exist",
    },
    Case {
        input: "140390 12368",
        policy: Allow2032,
        profile: Production,
        expected: Valid,
        kind: Some(Kind::Fnr),
        birth_date: Some((1990, 3, 14)),
        description: "a space between date and individual number is accepted",
    },
    Case {
        input: "140390-12368",
        policy: Allow2032,
        profile: Production,
        expected: Valid,
        kind: Some(Kind::Fnr),
        birth_date: Some((1990, 3, 14)),
        description: "a hyphen between date and individual number is accepted",
    },
    Case {
        input: "5068720003",
        policy: Allow2032,
        profile: Production,
        expected: Invalid(Reason::LeadingZeroLost),
        kind: None,
        birth_date: None,
        description: "10 digits: the number was stored as an integer and lost its leading zero",
    },
    Case {
        input: "14039010780",
        policy: Allow2032,
        profile: Production,
        expected: Valid,
        kind: Some(Kind::Fnr),
        birth_date: Some((1990, 3, 14)),
        description: "a check digit of 0 (weighted sum leaves remainder 0)",
    },
    Case {
        input: "15897612361",
        policy: Allow2032,
        profile: Test,
        expected: Valid,
        kind: Some(Kind::Synthetic),
        birth_date: Some((1976, 9, 15)),
        description: "synthetic test number (month plus 80) is accepted in the test profile",
    },
    Case {
        input: "15897612361",
        policy: Allow2032,
        profile: Production,
        expected: Invalid(Reason::NotAllowedInProfile),
        kind: Some(Kind::Synthetic),
        birth_date: None,
        description: "synthetic test numbers never enter production data",
    },
    Case {
        input: "12528034258",
        policy: Allow2032,
        profile: Production,
        expected: Valid,
        kind: Some(Kind::HNumber),
        birth_date: None,
        description: "H-number (month plus 40): a helper number that is never linked across registries",
    },
    Case {
        input: "81234567802",
        policy: Allow2032,
        profile: Production,
        expected: Valid,
        kind: Some(Kind::FhNumber),
        birth_date: None,
        description: "FH-number (first digit 8 or 9): no birth date",
    },
    Case {
        input: "30108299939",
        policy: Allow2032,
        profile: Production,
        expected: Valid,
        kind: Some(Kind::Fnr),
        birth_date: Some((1982, 10, 30)),
        description: "first check digit leaves remainder 1: valid under the rule for numbers issued from 2032",
    },
    Case {
        input: "30108299939",
        policy: Classic,
        profile: Production,
        expected: Invalid(Reason::Checksum),
        kind: None,
        birth_date: None,
        description: "the same number under the classic rule",
    },
];

fn date((year, month, day): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

#[test]
fn cases_through_parse() {
    for case in CASES {
        let rules = Rules::new(case.policy, case.profile);
        let context = format!("input {:?} under {rules}: {}", case.input, case.description);
        match (parse(case.input, rules), case.expected) {
            (Ok(number), Valid) => {
                assert_eq!(Some(number.kind()), case.kind, "kind, {context}");
                assert_eq!(
                    number.birth_date(),
                    case.birth_date.map(date),
                    "birth date, {context}"
                );
            }
            (Err(rejection), Invalid(reason)) => {
                assert_eq!(rejection.reason, reason, "reason, {context}");
                assert_eq!(rejection.kind, case.kind, "kind, {context}");
            }
            (Ok(_), Invalid(reason)) => panic!("accepted, expected {reason}: {context}"),
            (Err(rejection), Valid) => panic!("rejected ({rejection}), expected valid: {context}"),
        }
    }
}

#[test]
fn cases_through_analyze() {
    for case in CASES {
        let rules = Rules::new(case.policy, case.profile);
        let context = format!("input {:?} under {rules}: {}", case.input, case.description);
        let analysis = analyze(case.input, rules);

        assert_eq!(analysis.input, case.input, "input, {context}");
        assert_eq!(
            analysis.valid,
            matches!(case.expected, Valid),
            "valid, {context}"
        );
        let reason = match case.expected {
            Valid => None,
            Invalid(reason) => Some(reason),
        };
        assert_eq!(analysis.reason, reason, "reason, {context}");
        assert_eq!(analysis.kind, case.kind, "kind, {context}");
        assert_eq!(
            analysis.birth_date,
            case.birth_date.map(date),
            "birth date, {context}"
        );
    }
}

#[test]
fn cases_normalized_field() {
    for case in CASES {
        let analysis = analyze(case.input, Rules::new(case.policy, case.profile));
        let digits: String = case.input.chars().filter(char::is_ascii_digit).collect();
        let expected = (digits.len() == 11).then_some(digits);
        assert_eq!(analysis.normalized, expected, "input {:?}", case.input);
    }
}
