//! Evaluation of one lattice node: group the records, decide which groups
//! are suppressed, and score the result.
//!
//! A group is suppressed when it has fewer than k records. Under
//! l-diversity it is also suppressed when a sensitive column has too few
//! distinct values (or too little entropy) in it. Under t-closeness it is
//! suppressed when the distribution of a sensitive column in it is further
//! than t from the distribution over all input records. Suppressed records
//! are removed from the release.

use crate::encoding::Problem;
use crate::grouping::{Grouping, Scratch, group_tuples, refine_tuples};
use crate::metric;
use crate::settings::{LDiversity, Metric, TDistance};

/// Distinct-value counts and entropies of the sensitive columns per group.
#[derive(Debug)]
pub(crate) struct Diversity {
    /// `distinct[sensitive][group]`.
    pub distinct: Vec<Vec<u32>>,
    /// `entropy[sensitive][group]` in nats; empty unless requested.
    pub entropy: Vec<Vec<f64>>,
}

/// Counts distinct sensitive values per group and, if `with_entropy`, the
/// entropy of their distribution.
pub(crate) fn measure_diversity(
    problem: &Problem,
    grouping: &Grouping,
    with_entropy: bool,
) -> Diversity {
    let groups = grouping.group_count();
    let mut distinct = Vec::with_capacity(problem.sensitive.len());
    let mut entropy = Vec::with_capacity(problem.sensitive.len());
    for sensitive in &problem.sensitive {
        // Sorting (group, value) pairs puts equal values of a group next to
        // each other, so one pass counts them.
        let mut pairs: Vec<u64> = grouping
            .group_of_row
            .iter()
            .zip(&sensitive.id_of_row)
            .map(|(&group, &value)| (u64::from(group) << 32) | u64::from(value))
            .collect();
        pairs.sort_unstable();

        let mut distinct_of_group = vec![0u32; groups];
        let mut entropy_of_group = if with_entropy {
            vec![0.0f64; groups]
        } else {
            Vec::new()
        };
        let mut start = 0;
        while start < pairs.len() {
            let mut end = start + 1;
            while end < pairs.len() && pairs[end] == pairs[start] {
                end += 1;
            }
            let group = (pairs[start] >> 32) as usize;
            distinct_of_group[group] += 1;
            if with_entropy {
                let share = (end - start) as f64 / f64::from(grouping.sizes[group]);
                entropy_of_group[group] -= share * share.ln();
            }
            start = end;
        }
        distinct.push(distinct_of_group);
        entropy.push(entropy_of_group);
    }
    Diversity { distinct, entropy }
}

/// Returns the earth mover's distance, per sensitive column and group,
/// between the group's distribution of the column and the column's
/// distribution over all input records.
pub(crate) fn measure_closeness(problem: &Problem, grouping: &Grouping) -> Vec<Vec<f64>> {
    problem
        .sensitive
        .iter()
        .map(|sensitive| {
            let mut pairs: Vec<u64> = grouping
                .group_of_row
                .iter()
                .zip(&sensitive.id_of_row)
                .map(|(&group, &value)| (u64::from(group) << 32) | u64::from(value))
                .collect();
            pairs.sort_unstable();
            let ordered = OrderedDistance::new(&sensitive.overall);

            let mut distance = vec![0.0; grouping.group_count()];
            // Shares of the current group's values, by ascending value id.
            let mut shares: Vec<(usize, f64)> = Vec::new();
            let mut start = 0;
            while start < pairs.len() {
                let group = (pairs[start] >> 32) as usize;
                let size = f64::from(grouping.sizes[group]);
                shares.clear();
                while start < pairs.len() && (pairs[start] >> 32) as usize == group {
                    let mut end = start + 1;
                    while end < pairs.len() && pairs[end] == pairs[start] {
                        end += 1;
                    }
                    let value = (pairs[start] & u64::from(u32::MAX)) as usize;
                    shares.push((value, (end - start) as f64 / size));
                    start = end;
                }
                distance[group] = match sensitive.distance {
                    TDistance::Equal => equal_distance(&sensitive.overall, &shares),
                    TDistance::Ordered => ordered.distance(&shares),
                };
            }
            distance
        })
        .collect()
}

/// Equal-distance EMD: half the sum of `|p - q|` over all values. Values
/// absent from the group contribute their overall share `q`.
pub(crate) fn equal_distance(overall: &[f64], shares: &[(usize, f64)]) -> f64 {
    let mut sum = 1.0;
    for &(value, share) in shares {
        let expected = overall[value];
        sum += (share - expected).abs() - expected;
    }
    (sum / 2.0).max(0.0)
}

/// Ordered-distance EMD over `m` values sorted by number:
/// `sum over i of |P_i - Q_i| / (m - 1)`, where `P_i` and `Q_i` are the
/// cumulative shares of the group and of all records up to value `i`.
/// Between two values of the group `P` is constant, so each stretch is
/// summed in closed form from prefix sums of `Q`, and a group costs time
/// in its own number of values, not in `m`.
pub(crate) struct OrderedDistance {
    /// `cumulative[i]` is `Q_i`.
    cumulative: Vec<f64>,
    /// `prefix[i]` is the sum of `Q_j` for `j < i`.
    prefix: Vec<f64>,
}

impl OrderedDistance {
    pub(crate) fn new(overall: &[f64]) -> Self {
        let mut cumulative = Vec::with_capacity(overall.len());
        let mut prefix = Vec::with_capacity(overall.len() + 1);
        prefix.push(0.0);
        let mut running = 0.0;
        for &share in overall {
            running += share;
            cumulative.push(running);
            prefix.push(prefix[prefix.len() - 1] + running);
        }
        Self { cumulative, prefix }
    }

    pub(crate) fn distance(&self, shares: &[(usize, f64)]) -> f64 {
        let values = self.cumulative.len();
        if values <= 1 {
            return 0.0;
        }
        let mut total = 0.0;
        let mut level = 0.0;
        let mut from = 0;
        for &(value, share) in shares {
            total += self.stretch(from, value, level);
            level += share;
            from = value;
        }
        total += self.stretch(from, values, level);
        total / (values - 1) as f64
    }

    /// Sum of `|level - Q_i|` for `i` in `from..to`.
    fn stretch(&self, from: usize, to: usize, level: f64) -> f64 {
        if from >= to {
            return 0.0;
        }
        // `Q` does not decrease, so the terms with `Q_i < level` come first.
        let split = from + self.cumulative[from..to].partition_point(|&q| q < level);
        let below = level * (split - from) as f64 - (self.prefix[split] - self.prefix[from]);
        let above = (self.prefix[to] - self.prefix[split]) - level * (to - split) as f64;
        (below + above).max(0.0)
    }
}

/// Suppression decision for every group at a node.
#[derive(Debug)]
pub(crate) struct Classification {
    /// Whether each group is suppressed under the full privacy model.
    pub suppressed: Vec<bool>,
    /// Records in suppressed groups.
    pub suppressed_records: usize,
    /// Records in groups that fail k-anonymity or distinct l-diversity with
    /// the minimum distinct count of the model. This part of the model is
    /// monotone: generalising a node never increases it.
    pub monotone_suppressed_records: usize,
}

/// Entropy l-diversity compares with `ln(l)` minus this tolerance, so that a
/// group whose shares give exactly `ln(l)` passes despite rounding.
const ENTROPY_TOLERANCE: f64 = 1e-9;

/// t-closeness compares with `t` plus this tolerance, for the same reason.
pub(crate) const CLOSENESS_TOLERANCE: f64 = 1e-9;

/// Decides which groups are suppressed. `diversity` is needed under
/// l-diversity and `closeness` (from [`measure_closeness`]) under
/// t-closeness; a part of the model that is not configured is not checked.
pub(crate) fn classify(
    problem: &Problem,
    grouping: &Grouping,
    diversity: Option<&Diversity>,
    closeness: Option<&[Vec<f64>]>,
) -> Classification {
    let min_distinct = problem.diversity.map_or(0, LDiversity::min_distinct);
    let min_entropy = match problem.diversity {
        Some(LDiversity::Entropy { l }) => Some(l.ln() - ENTROPY_TOLERANCE),
        _ => None,
    };

    let mut suppressed = Vec::with_capacity(grouping.group_count());
    let mut suppressed_records = 0;
    let mut monotone_suppressed_records = 0;
    for (group, &size) in grouping.sizes.iter().enumerate() {
        let mut fails_monotone = (size as usize) < problem.k;
        let mut fails = fails_monotone;
        if let Some(diversity) = diversity {
            fails_monotone |= diversity
                .distinct
                .iter()
                .any(|distinct| (distinct[group] as usize) < min_distinct);
            fails = fails_monotone;
            if let Some(min_entropy) = min_entropy {
                fails |= diversity
                    .entropy
                    .iter()
                    .any(|entropy| entropy[group] < min_entropy);
            }
        }
        if let (Some(t), Some(closeness)) = (problem.t, closeness) {
            fails |= closeness
                .iter()
                .any(|distance| distance[group] > t + CLOSENESS_TOLERANCE);
        }
        if fails_monotone {
            monotone_suppressed_records += size as usize;
        }
        if fails {
            suppressed_records += size as usize;
        }
        suppressed.push(fails);
    }
    Classification {
        suppressed,
        suppressed_records,
        monotone_suppressed_records,
    }
}

/// Result of checking one node.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Outcome {
    /// The monotone part of the model holds: at most the allowed number of
    /// records fail k-anonymity or distinct l-diversity, and at least one
    /// record passes. When this is false, every more specific node fails.
    pub monotone_ok: bool,
    /// The full model holds within the suppression limit and the release is
    /// not empty, so the node is a solution.
    pub solution: bool,
    /// Utility score, lower is better; infinite for a non-solution.
    pub score: f64,
}

/// Checks the node at `levels` against the privacy model and scores it.
/// With `ancestor`, the groups of an evaluated ancestor and the
/// quasi-identifiers that are higher there, the groups are refined from the
/// ancestor's instead of built from the tuples (see [`refine_tuples`]).
/// Returns the groups too, so that more specific nodes can refine them.
pub(crate) fn evaluate(
    problem: &Problem,
    levels: &[usize],
    ancestor: Option<(&Grouping, &[usize])>,
    scratch: &mut Scratch,
) -> (Outcome, Grouping) {
    let failed = Outcome {
        monotone_ok: false,
        solution: false,
        score: f64::INFINITY,
    };
    let mut grouping = match ancestor {
        Some((ancestor, differing)) => refine_tuples(problem, levels, ancestor, differing, scratch),
        None => group_tuples(problem, levels, scratch),
    };

    // k-anonymity alone is cheap and usually decides the node.
    let small_group_records: usize = grouping
        .sizes
        .iter()
        .filter(|&&size| (size as usize) < problem.k)
        .map(|&size| size as usize)
        .sum();
    if small_group_records > problem.max_suppressed || small_group_records == problem.records {
        return (failed, grouping);
    }

    let needs_rows = problem.diversity.is_some()
        || problem.t.is_some()
        || matches!(problem.metric, Metric::Entropy);
    if needs_rows {
        grouping.expand(&problem.tuples);
    }
    let diversity = problem.diversity.map(|model| {
        let with_entropy = matches!(model, LDiversity::Entropy { .. });
        measure_diversity(problem, &grouping, with_entropy)
    });
    let closeness = problem.t.map(|_| measure_closeness(problem, &grouping));
    let classification = classify(problem, &grouping, diversity.as_ref(), closeness.as_deref());
    let monotone = classification.monotone_suppressed_records;
    if monotone > problem.max_suppressed || monotone == problem.records {
        return (failed, grouping);
    }

    let suppressed = classification.suppressed_records;
    let solution = suppressed <= problem.max_suppressed && suppressed < problem.records;
    let score = if solution {
        metric::score(problem, levels, &grouping, &classification)
    } else {
        f64::INFINITY
    };
    let outcome = Outcome {
        monotone_ok: true,
        solution,
        score,
    };
    (outcome, grouping)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Computes the ordered distance term by term.
    fn ordered_dense(overall: &[f64], shares: &[(usize, f64)]) -> f64 {
        let mut group = vec![0.0; overall.len()];
        for &(value, share) in shares {
            group[value] = share;
        }
        let mut running = 0.0;
        let mut total = 0.0;
        for (p, q) in group.iter().zip(overall) {
            running += p - q;
            total += f64::abs(running);
        }
        total / (overall.len() - 1) as f64
    }

    #[test]
    fn ordered_distance_matches_dense_sum() {
        let overall = [0.1, 0.2, 0.05, 0.3, 0.15, 0.2];
        let cases: [&[(usize, f64)]; 5] = [
            &[(0, 1.0)],
            &[(5, 1.0)],
            &[(1, 0.5), (3, 0.5)],
            &[(0, 0.1), (1, 0.2), (2, 0.05), (3, 0.3), (4, 0.15), (5, 0.2)],
            &[(2, 0.25), (4, 0.25), (5, 0.5)],
        ];
        let ordered = OrderedDistance::new(&overall);
        for shares in cases {
            let fast = ordered.distance(shares);
            let dense = ordered_dense(&overall, shares);
            assert!(
                (fast - dense).abs() < 1e-12,
                "{shares:?}: {fast} != {dense}"
            );
        }
    }

    #[test]
    fn ordered_distance_of_extremes() {
        // All records at the lowest of three equally common values: the
        // shares 1/3 and 1/3 move one and two steps of 1/2.
        let overall = [1.0 / 3.0; 3];
        let distance = OrderedDistance::new(&overall).distance(&[(0, 1.0)]);
        assert!((distance - 0.5).abs() < 1e-12);
    }

    #[test]
    fn equal_distance_is_total_variation() {
        let overall = [0.5, 0.25, 0.25];
        assert!((equal_distance(&overall, &[(0, 1.0)]) - 0.5).abs() < 1e-12);
        assert!(equal_distance(&overall, &[(0, 0.5), (1, 0.25), (2, 0.25)]).abs() < 1e-12);
        assert!((equal_distance(&overall, &[(2, 1.0)]) - 0.75).abs() < 1e-12);
    }
}
