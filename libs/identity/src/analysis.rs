//! [`Analysis`]: the full report for one input, behind `hapctl id check`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::kind::Kind;
use crate::normalize::normalize;
use crate::parse::validate;
use crate::rejection::Reason;
use crate::rules::Rules;

/// Report on one input. Serialises to the JSON object that `hapctl id check`
/// prints, and front-ends and scripts rely on these field names.
///
/// It contains the number in clear text, so never write it to a log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Analysis {
    /// The input as given.
    pub input: String,
    /// The 11 digits after normalisation, or `None` when the input does not
    /// normalise to 11 digits.
    pub normalized: Option<String>,
    /// Kind of a valid number, or of one rejected only by the profile.
    pub kind: Option<Kind>,
    pub valid: bool,
    /// Reason the number is invalid, or `None` when it is valid.
    pub reason: Option<Reason>,
    /// Birth date as `YYYY-MM-DD`, for valid numbers whose century is encoded.
    pub birth_date: Option<NaiveDate>,
    /// Facts about a valid number, or the detail of a rejection.
    pub warnings: Vec<String>,
}

/// Analyses one input under `rules`. Allocates, unlike [`crate::parse`].
pub fn analyze(input: &str, rules: Rules) -> Analysis {
    let digits = match normalize(input) {
        Ok(digits) => digits,
        Err(rejection) => {
            return Analysis {
                input: input.to_owned(),
                normalized: None,
                kind: rejection.kind,
                valid: false,
                reason: Some(rejection.reason),
                birth_date: None,
                warnings: vec![rejection.detail],
            };
        }
    };
    let normalized = Some(String::from_utf8_lossy(&digits).into_owned());

    match validate(digits, rules) {
        Ok(number) => Analysis {
            input: input.to_owned(),
            normalized,
            kind: Some(number.kind()),
            valid: true,
            reason: None,
            birth_date: number.birth_date(),
            warnings: number
                .warnings()
                .map(|warning| warning.to_string())
                .collect(),
        },
        Err(rejection) => Analysis {
            input: input.to_owned(),
            normalized,
            kind: rejection.kind,
            valid: false,
            reason: Some(rejection.reason),
            birth_date: None,
            warnings: vec![rejection.detail],
        },
    }
}
