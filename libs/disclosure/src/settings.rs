//! Privacy model and search settings.

use serde::Serialize;

use crate::hierarchy::Hierarchy;

/// A column that could identify a person in combination with others, with
/// the hierarchy that generalises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuasiIdentifier {
    pub column: String,
    pub hierarchy: Hierarchy,
}

impl QuasiIdentifier {
    pub fn new(column: impl Into<String>, hierarchy: Hierarchy) -> Self {
        Self {
            column: column.into(),
            hierarchy,
        }
    }
}

/// The l-diversity model applied to every sensitive column.
///
/// Both variants count a missing sensitive value as a value of its own.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum LDiversity {
    /// Every group contains at least `l` distinct sensitive values.
    Distinct { l: usize },
    /// The entropy of the sensitive values in every group, in nats, is at
    /// least `ln(l)`.
    Entropy { l: f64 },
}

impl LDiversity {
    /// Minimum number of distinct sensitive values a group needs. Entropy
    /// l-diversity implies distinct l-diversity with `ceil(l)`, because the
    /// entropy of `d` distinct values is at most `ln(d)`.
    pub(crate) fn min_distinct(self) -> usize {
        match self {
            Self::Distinct { l } => l,
            // `l` is validated finite and at least 1, so the cast is exact
            // for every value that fits in usize and saturates otherwise.
            Self::Entropy { l } => l.ceil() as usize,
        }
    }

    pub(crate) fn describe(self) -> String {
        match self {
            Self::Distinct { l } => format!("distinct {l}-diversity"),
            Self::Entropy { l } => format!("entropy {l}-diversity"),
        }
    }
}

/// Utility metric that the search minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Average share of its hierarchy's domain that a released cell covers,
    /// `(leaves covered - 1) / (domain size - 1)`, over all records and
    /// quasi-identifiers. An ungeneralised value scores 0 and `*` scores 1;
    /// a suppressed record scores 1 in every quasi-identifier and a missing
    /// value scores 0. The result lies between 0 and 1.
    Loss,
    /// Non-uniform entropy, the bits of information the generalisation
    /// removed. Each record and quasi-identifier scores `log2` of the number
    /// of input records that share the released value divided by the number
    /// that share the original value. A suppressed record scores `log2` of
    /// all records over those sharing its value, and a missing value, never
    /// generalised, scores 0. The scores are summed over records and
    /// quasi-identifiers.
    Entropy,
    /// Sum of squared group sizes over released groups, plus the number of
    /// records times the number of suppressed records.
    Discernibility,
}

/// The earth mover's distance that t-closeness uses for a sensitive column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TDistance {
    /// Every two distinct values are at distance 1, so the distance is half
    /// the sum of the absolute differences of the shares (total variation).
    /// Used for categorical columns and for any column with a missing
    /// value, since a missing value has no place in a numeric order.
    Equal,
    /// Values are ordered by number, and moving a share between the i-th
    /// and j-th of the `m` distinct values costs `|i - j| / (m - 1)`. Used
    /// when every value of the column parses as a number.
    Ordered,
}

/// Settings for [`crate::anonymize`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    /// Minimum number of records in every released group.
    pub k: usize,
    /// Optional l-diversity for the `sensitive` columns.
    pub l: Option<LDiversity>,
    /// Optional t-closeness for the `sensitive` columns: in every released
    /// group, the earth mover's distance between the group's distribution of
    /// each sensitive column and its distribution over all input records is
    /// at most `t`. The distance is the ordered distance for a column whose
    /// values are all present and numeric, and the equal distance otherwise
    /// (see [`TDistance`]).
    pub t: Option<f64>,
    /// Sensitive columns, released unchanged and checked for l-diversity.
    pub sensitive: Vec<String>,
    /// Directly identifying columns, removed from the release.
    pub identifying: Vec<String>,
    /// Largest share of records (0 to 1) that may be suppressed.
    pub suppression_limit: f64,
    pub metric: Metric,
}

impl Settings {
    /// k-anonymity alone, with no suppression and the loss metric.
    pub fn k_anonymity(k: usize) -> Self {
        Self {
            k,
            l: None,
            t: None,
            sensitive: Vec::new(),
            identifying: Vec::new(),
            suppression_limit: 0.0,
            metric: Metric::Loss,
        }
    }

    /// Largest number of records that may be suppressed out of `records`.
    pub(crate) fn max_suppressed(&self, records: usize) -> usize {
        // The small tolerance keeps products such as 0.29 * 100 from
        // rounding down to 28. `suppression_limit` is validated to [0, 1],
        // so the result is at most `records`.
        let allowed = (self.suppression_limit * records as f64 + 1e-9).floor();
        (allowed as usize).min(records)
    }

    pub(crate) fn describe_model(&self) -> String {
        let mut model = format!("{}-anonymity", self.k);
        if let Some(l) = self.l {
            model.push_str(&format!(" and {}", l.describe()));
        }
        if let Some(t) = self.t {
            model.push_str(&format!(" and {t}-closeness"));
        }
        model
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_suppressed_rounds_down() {
        let mut settings = Settings::k_anonymity(2);
        settings.suppression_limit = 0.29;
        assert_eq!(settings.max_suppressed(100), 29);
        settings.suppression_limit = 0.02;
        assert_eq!(settings.max_suppressed(30_162), 603);
        settings.suppression_limit = 1.0;
        assert_eq!(settings.max_suppressed(7), 7);
    }

    #[test]
    fn entropy_implies_distinct_ceiling() {
        assert_eq!(LDiversity::Entropy { l: 2.5 }.min_distinct(), 3);
        assert_eq!(LDiversity::Entropy { l: 2.0 }.min_distinct(), 2);
        assert_eq!(LDiversity::Distinct { l: 4 }.min_distinct(), 4);
    }
}
