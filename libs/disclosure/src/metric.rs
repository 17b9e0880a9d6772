//! Utility metrics and their lower bounds.
//!
//! Both bounds are at most the metric's value at any node and never decrease
//! as a node is generalised, which lets the search skip a node whose bound
//! exceeds the best score found.

use crate::encoding::Problem;
use crate::evaluation::Classification;
use crate::grouping::Grouping;
use crate::settings::Metric;

/// Scores a node under the problem's metric; lower is better.
pub(crate) fn score(
    problem: &Problem,
    levels: &[usize],
    grouping: &Grouping,
    classification: &Classification,
) -> f64 {
    match problem.metric {
        Metric::Loss => loss(problem, levels, grouping, classification),
        Metric::Entropy => entropy(problem, levels, grouping, classification),
        // Exact while the value stays below 2^53, that is for data sets of
        // up to about 67 million records.
        Metric::Discernibility => discernibility(problem, grouping, classification) as f64,
    }
}

/// Loss metric; see [`Metric::Loss`].
pub(crate) fn loss(
    problem: &Problem,
    levels: &[usize],
    grouping: &Grouping,
    classification: &Classification,
) -> f64 {
    let spans = problem.qis.iter().zip(levels).map(|(qi, &level)| {
        let ids = &qi.level_ids[level];
        let spans = &qi.level_spans[level];
        grouping
            .sizes
            .iter()
            .zip(&grouping.representative)
            .zip(&classification.suppressed)
            .filter(|(_, suppressed)| !**suppressed)
            .map(|((&size, &row), _)| {
                let leaf = qi.leaf_of_row[row as usize];
                u64::from(size) * u64::from(spans[ids[leaf as usize] as usize])
            })
            .sum::<u64>()
    });
    loss_from_spans(problem, spans, classification.suppressed_records)
}

/// Combines the summed spans of the released cells, one sum per
/// quasi-identifier, with the suppressed records into the loss metric. The
/// bound and the metric both go through here so that equal inputs give
/// bit-identical results.
fn loss_from_spans(
    problem: &Problem,
    spans: impl Iterator<Item = u64>,
    suppressed_records: usize,
) -> f64 {
    let mut total = 0.0;
    for (qi, span) in problem.qis.iter().zip(spans) {
        let generalised = if qi.domain > 1 {
            span as f64 / f64::from(qi.domain - 1)
        } else {
            0.0
        };
        total += generalised + suppressed_records as f64;
    }
    total / (problem.records as f64 * problem.qis.len() as f64)
}

/// Non-uniform entropy per quasi-identifier, in bits; see
/// [`Metric::Entropy`].
pub(crate) fn entropy_per_qi(
    problem: &Problem,
    levels: &[usize],
    grouping: &Grouping,
    classification: &Classification,
) -> Vec<f64> {
    problem
        .qis
        .iter()
        .zip(levels)
        .map(|(qi, &level)| {
            let costs = &qi.entropy_cost[level];
            // Start from every record released at `level` and replace the
            // cost of each suppressed record by the cost of suppression.
            let mut extra = 0.0;
            if classification.suppressed_records > 0 {
                for (&leaf, &group) in qi.leaf_of_row.iter().zip(&grouping.group_of_row) {
                    if classification.suppressed[group as usize] {
                        extra += qi.suppressed_cost[leaf as usize] - costs[leaf as usize];
                    }
                }
            }
            qi.total_entropy[level] + extra
        })
        .collect()
}

/// Non-uniform entropy summed over quasi-identifiers.
pub(crate) fn entropy(
    problem: &Problem,
    levels: &[usize],
    grouping: &Grouping,
    classification: &Classification,
) -> f64 {
    entropy_per_qi(problem, levels, grouping, classification)
        .iter()
        .sum()
}

/// Loss metric of each quasi-identifier alone: the average share of the
/// domain its released cells cover, a suppressed record counting 1.
pub(crate) fn loss_per_qi(
    problem: &Problem,
    levels: &[usize],
    grouping: &Grouping,
    classification: &Classification,
) -> Vec<f64> {
    problem
        .qis
        .iter()
        .zip(levels)
        .map(|(qi, &level)| {
            let ids = &qi.level_ids[level];
            let spans = &qi.level_spans[level];
            let span: u64 = grouping
                .sizes
                .iter()
                .zip(&grouping.representative)
                .zip(&classification.suppressed)
                .filter(|(_, suppressed)| !**suppressed)
                .map(|((&size, &row), _)| {
                    let leaf = qi.leaf_of_row[row as usize];
                    u64::from(size) * u64::from(spans[ids[leaf as usize] as usize])
                })
                .sum();
            let generalised = if qi.domain > 1 {
                span as f64 / f64::from(qi.domain - 1)
            } else {
                0.0
            };
            (generalised + classification.suppressed_records as f64) / problem.records as f64
        })
        .collect()
}

/// Discernibility metric; see [`Metric::Discernibility`].
pub(crate) fn discernibility(
    problem: &Problem,
    grouping: &Grouping,
    classification: &Classification,
) -> u128 {
    let released: u128 = grouping
        .sizes
        .iter()
        .zip(&classification.suppressed)
        .filter(|(_, suppressed)| !**suppressed)
        .map(|(&size, _)| u128::from(size) * u128::from(size))
        .sum();
    released + problem.records as u128 * classification.suppressed_records as u128
}

/// Lower bound of the metric at `levels`, computed without grouping.
///
/// For loss it is the loss with no record suppressed, because a suppressed
/// cell scores 1 and no released cell scores more. For non-uniform entropy
/// it is likewise the entropy with no record suppressed, because
/// suppression costs `log2(n / count)`, at least what any level costs. For
/// discernibility it is
/// `n² / g`, where `g` bounds the number of groups by the product of the
/// distinct values per column: the sum of squared group sizes is at least
/// that, and a suppressed group of size `s` adds `n·s ≥ s²`.
pub(crate) fn lower_bound(problem: &Problem, levels: &[usize]) -> f64 {
    match problem.metric {
        Metric::Loss => {
            let spans = problem
                .qis
                .iter()
                .zip(levels)
                .map(|(qi, &level)| qi.total_span[level]);
            loss_from_spans(problem, spans, 0)
        }
        Metric::Entropy => problem
            .qis
            .iter()
            .zip(levels)
            .map(|(qi, &level)| qi.total_entropy[level])
            .sum(),
        Metric::Discernibility => {
            let records = problem.records as u128;
            let groups = problem
                .qis
                .iter()
                .zip(levels)
                .fold(1u128, |product, (qi, &level)| {
                    product.saturating_mul(u128::from(qi.present[level]))
                })
                .min(records)
                .max(1);
            (records * records).div_ceil(groups) as f64
        }
    }
}
