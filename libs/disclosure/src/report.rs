//! The report that accompanies a release, serialisable to JSON.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::settings::{Metric, Settings};

/// Account of a release: the settings, the chosen generalisation and the
/// privacy and utility it reached.
///
/// All figures describe the released records: suppressed records are removed
/// from the release and do not form a group of their own.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub settings: Settings,
    /// Records in the input.
    pub records: usize,
    pub records_released: usize,
    pub records_suppressed: usize,
    /// Chosen generalisation level of each quasi-identifier.
    pub quasi_identifiers: Vec<ChosenLevel>,
    /// Size of the smallest released group.
    pub k_reached: usize,
    /// Diversity reached per sensitive column; empty without sensitive
    /// columns.
    pub l_reached: Vec<DiversityReached>,
    /// Number of released groups of each size, by ascending size.
    pub group_sizes: Vec<GroupSizeCount>,
    pub risk: ProsecutorRisk,
    pub information_loss: InformationLoss,
    pub search: SearchStatistics,
}

/// The level chosen for one quasi-identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChosenLevel {
    pub column: String,
    pub level: usize,
    /// Level of the hierarchy's root.
    pub max_level: usize,
    pub level_name: String,
}

/// The l-diversity reached for one sensitive column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiversityReached {
    pub column: String,
    /// Minimum number of distinct values in a released group. A missing
    /// value counts as a value.
    pub distinct_l: usize,
    /// `exp` of the lowest entropy, in nats, of any released group: the
    /// largest l for which entropy l-diversity holds.
    pub entropy_l: f64,
}

/// How many released groups have a given size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GroupSizeCount {
    pub size: usize,
    pub groups: usize,
}

/// Re-identification risk under the prosecutor model, which assumes the
/// attacker is certain that the target is in the release. A record in a
/// group of size `s` is then re-identified with probability `1/s`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProsecutorRisk {
    /// Risk of the records in the smallest group, `1 / k_reached`.
    pub highest: f64,
    /// Mean risk over released records: released groups divided by released
    /// records.
    pub average: f64,
    /// Records whose risk equals `highest`.
    pub records_at_highest: usize,
}

/// Information loss of the release under both metrics, whichever one the
/// search minimised.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct InformationLoss {
    /// The metric the search minimised.
    pub metric: Metric,
    /// Loss metric, between 0 (nothing generalised or suppressed) and 1.
    pub loss: f64,
    /// Discernibility metric, saturated at `u64::MAX`.
    pub discernibility: u64,
}

/// Size of the search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SearchStatistics {
    /// Nodes in the generalisation lattice.
    pub lattice_nodes: usize,
    /// Nodes whose records were grouped and checked; the rest were pruned.
    pub nodes_checked: usize,
}

/// Counts released groups by size.
pub(crate) fn group_size_distribution(sizes: impl Iterator<Item = usize>) -> Vec<GroupSizeCount> {
    let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
    for size in sizes {
        *counts.entry(size).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(size, groups)| GroupSizeCount { size, groups })
        .collect()
}

impl ProsecutorRisk {
    pub(crate) fn from_group_sizes(sizes: &[usize]) -> Self {
        let smallest = sizes.iter().copied().min().unwrap_or(0);
        let records: usize = sizes.iter().sum();
        if records == 0 {
            return Self {
                highest: 0.0,
                average: 0.0,
                records_at_highest: 0,
            };
        }
        Self {
            highest: 1.0 / smallest as f64,
            average: sizes.len() as f64 / records as f64,
            records_at_highest: sizes.iter().filter(|&&size| size == smallest).sum(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribution_is_sorted_by_size() {
        let distribution = group_size_distribution([3, 2, 3, 5].into_iter());
        assert_eq!(
            distribution,
            vec![
                GroupSizeCount { size: 2, groups: 1 },
                GroupSizeCount { size: 3, groups: 2 },
                GroupSizeCount { size: 5, groups: 1 },
            ]
        );
    }

    #[test]
    fn prosecutor_risk_of_groups() {
        let risk = ProsecutorRisk::from_group_sizes(&[2, 4, 2]);
        assert_eq!(risk.highest, 0.5);
        assert_eq!(risk.average, 3.0 / 8.0);
        assert_eq!(risk.records_at_highest, 4);
    }
}
