//! The report that accompanies a release, serialisable to JSON.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::settings::{Metric, Settings, TDistance};

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
    pub journalist_risk: JournalistRisk,
    /// Expected share of released records an attacker re-identifies by
    /// linking every record to the population (the marketer model): the
    /// mean over released records of `1 / F`, with `F` as in
    /// [`JournalistRisk`].
    pub marketer_risk: f64,
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
    /// Largest earth mover's distance of a released group's distribution
    /// of the column from its distribution over all input records: the
    /// smallest t for which t-closeness holds.
    pub t: f64,
    /// Distance used for `t`.
    pub t_distance: TDistance,
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

/// Re-identification risk under the journalist model: the attacker does
/// not know whether the target is in the release, and matches the target
/// against the population the release was drawn from. A released record in
/// a group that matches `F` records of that population is re-identified
/// with probability `1/F`.
///
/// The population is taken to be the input data set, suppressed records
/// included. Suppression removes whole groups, so `F` equals the group's
/// released size and these figures equal the prosecutor figures.
// NOTE: no population table is taken as input. A release drawn from a
// larger population, such as a sample of a registry, has a lower journalist
// risk than reported here.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct JournalistRisk {
    /// Risk of the records in the group with the smallest `F`.
    pub highest: f64,
    /// Mean risk over released records.
    pub average: f64,
}

/// Information loss of the release under every metric, whichever one the
/// search minimised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InformationLoss {
    /// The metric the search minimised.
    pub metric: Metric,
    /// Value of that metric at the chosen generalisation.
    pub utility: f64,
    /// Loss metric, between 0 (nothing generalised or suppressed) and 1.
    pub loss: f64,
    /// Non-uniform entropy in bits, summed over quasi-identifiers.
    pub entropy: f64,
    /// Discernibility metric, saturated at `u64::MAX`.
    pub discernibility: u64,
    /// Loss and non-uniform entropy of each quasi-identifier alone.
    pub per_attribute: Vec<AttributeLoss>,
}

/// Information loss in one quasi-identifier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttributeLoss {
    pub column: String,
    /// Average share of the hierarchy's domain a cell covers, a suppressed
    /// record counting 1; between 0 and 1.
    pub loss: f64,
    /// Non-uniform entropy of the column in bits.
    pub entropy: f64,
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

impl JournalistRisk {
    /// Computes the risk from each released group's size and its number of
    /// matching records in the population, in the same order.
    pub(crate) fn from_sizes(released: &[usize], population: &[usize]) -> Self {
        let records: usize = released.iter().sum();
        let smallest = population.iter().copied().min().unwrap_or(0);
        if records == 0 || smallest == 0 {
            return Self {
                highest: 0.0,
                average: 0.0,
            };
        }
        Self {
            highest: 1.0 / smallest as f64,
            average: marketer_risk(released, population),
        }
    }
}

/// Mean over released records of `1 / F`: the marketer risk, which is also
/// the journalist model's average risk.
pub(crate) fn marketer_risk(released: &[usize], population: &[usize]) -> f64 {
    let records: usize = released.iter().sum();
    if records == 0 {
        return 0.0;
    }
    let matched: f64 = released
        .iter()
        .zip(population)
        .map(|(&size, &matching)| size as f64 / matching as f64)
        .sum();
    matched / records as f64
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
    fn journalist_and_marketer_risk_use_population() {
        let risk = JournalistRisk::from_sizes(&[2, 4], &[5, 4]);
        assert_eq!(risk.highest, 0.25);
        assert_eq!(risk.average, (2.0 / 5.0 + 1.0) / 6.0);
        assert_eq!(marketer_risk(&[2, 4], &[2, 4]), 2.0 / 6.0);
        assert_eq!(marketer_risk(&[], &[]), 0.0);
    }

    #[test]
    fn prosecutor_risk_of_groups() {
        let risk = ProsecutorRisk::from_group_sizes(&[2, 4, 2]);
        assert_eq!(risk.highest, 0.5);
        assert_eq!(risk.average, 3.0 / 8.0);
        assert_eq!(risk.records_at_highest, 4);
    }
}
