//! [`anonymize`]: search, apply the chosen generalisation, report, check.

use crate::dataset::Dataset;
use crate::encoding::Problem;
use crate::error::DisclosureError;
use crate::evaluation::{classify, measure_closeness, measure_diversity};
use crate::grouping::group_rows;
use crate::metric;
use crate::report::{
    AttributeLoss, ChosenLevel, DiversityReached, InformationLoss, JournalistRisk, ProsecutorRisk,
    Report, SearchStatistics, group_size_distribution, marketer_risk,
};
use crate::search::{default_threads, search};
use crate::settings::Metric;
use crate::settings::{QuasiIdentifier, Settings};
use crate::validation::validate;
use crate::verify::verify_release;

/// An anonymised data set and its report.
#[derive(Debug, Clone, PartialEq)]
pub struct Release {
    /// Generalised records, suppressed records removed, identifying columns
    /// dropped, remaining records in input order.
    pub data: Dataset,
    pub report: Report,
}

/// Finds the globally optimal full-domain generalisation of `data` under
/// `settings` and applies it.
///
/// Every quasi-identifier is generalised to one level of its hierarchy for
/// all records. Records in groups that fail the privacy model are
/// suppressed, that is removed, as long as they are at most
/// `settings.suppression_limit` of the records. Among the nodes that satisfy
/// the model this way, the one with the lowest `settings.metric` wins.
///
/// A missing quasi-identifier value is a category of its own: it is never
/// looked up in the hierarchy, stays missing at every level, and groups only
/// with other missing values, never with `*`.
///
/// Errors: [`DisclosureError::ValueNotInHierarchy`] when a value is missing
/// from its hierarchy, [`DisclosureError::NoSolution`] when no node
/// satisfies the model within the suppression limit, and the validation
/// errors for bad settings. Nothing is released on error. Before returning,
/// the release is checked with [`crate::verify_release`] and withheld with
/// [`DisclosureError::VerificationFailed`] if that check fails.
pub fn anonymize(
    data: &Dataset,
    qis: &[QuasiIdentifier],
    settings: &Settings,
) -> Result<Release, DisclosureError> {
    validate(data, qis, settings)?;
    let problem = Problem::encode(data, qis, settings)?;
    let result =
        search(&problem, default_threads())?.ok_or_else(|| DisclosureError::NoSolution {
            model: settings.describe_model(),
            max_suppressed: problem.max_suppressed,
            records: problem.records,
        })?;
    let levels = &result.levels;

    let grouping = group_rows(&problem, levels);
    let diversity =
        (!problem.sensitive.is_empty()).then(|| measure_diversity(&problem, &grouping, true));
    let closeness = (!problem.sensitive.is_empty()).then(|| measure_closeness(&problem, &grouping));
    let classification = classify(
        &problem,
        &grouping,
        diversity.as_ref(),
        closeness.as_deref(),
    );

    let released = generalise_records(
        data,
        &problem,
        qis,
        settings,
        levels,
        &grouping.group_of_row,
        &classification.suppressed,
    )?;

    let released_groups: Vec<usize> = (0..grouping.group_count())
        .filter(|&group| !classification.suppressed[group])
        .collect();
    let released_sizes: Vec<usize> = released_groups
        .iter()
        .map(|&group| grouping.sizes[group] as usize)
        .collect();

    let l_reached = match (&diversity, &closeness) {
        (Some(diversity), Some(closeness)) => settings
            .sensitive
            .iter()
            .enumerate()
            .map(|(index, column)| DiversityReached {
                column: column.clone(),
                distinct_l: released_groups
                    .iter()
                    .map(|&group| diversity.distinct[index][group] as usize)
                    .min()
                    .unwrap_or(0),
                entropy_l: released_groups
                    .iter()
                    .map(|&group| diversity.entropy[index][group])
                    .fold(f64::INFINITY, f64::min)
                    .exp(),
                t: released_groups
                    .iter()
                    .map(|&group| closeness[index][group])
                    .fold(0.0, f64::max),
                t_distance: problem.sensitive[index].distance,
            })
            .collect(),
        _ => Vec::new(),
    };

    let quasi_identifiers = qis
        .iter()
        .zip(levels)
        .map(|(qi, &level)| ChosenLevel {
            column: qi.column.clone(),
            level,
            max_level: qi.hierarchy.max_level(),
            level_name: qi
                .hierarchy
                .level_name(level)
                .unwrap_or_default()
                .to_owned(),
        })
        .collect();

    let loss_per_qi = metric::loss_per_qi(&problem, levels, &grouping, &classification);
    let entropy_per_qi = metric::entropy_per_qi(&problem, levels, &grouping, &classification);
    let per_attribute = qis
        .iter()
        .zip(&loss_per_qi)
        .zip(&entropy_per_qi)
        .map(|((qi, &loss), &entropy)| AttributeLoss {
            column: qi.column.clone(),
            loss,
            entropy,
        })
        .collect();
    let discernibility = metric::discernibility(&problem, &grouping, &classification);
    let loss = metric::loss(&problem, levels, &grouping, &classification);
    let entropy = entropy_per_qi.iter().sum();
    let utility = match settings.metric {
        Metric::Loss => loss,
        Metric::Entropy => entropy,
        Metric::Discernibility => discernibility as f64,
    };

    // The population for the journalist and marketer models is the input,
    // grouped at the chosen levels. Suppression removes whole groups, so a
    // released group matches exactly its own records there.
    let population_sizes = released_sizes.clone();
    let report = Report {
        settings: settings.clone(),
        records: problem.records,
        records_released: released.len(),
        records_suppressed: classification.suppressed_records,
        quasi_identifiers,
        k_reached: released_sizes.iter().copied().min().unwrap_or(0),
        l_reached,
        group_sizes: group_size_distribution(released_sizes.iter().copied()),
        risk: ProsecutorRisk::from_group_sizes(&released_sizes),
        journalist_risk: JournalistRisk::from_sizes(&released_sizes, &population_sizes),
        marketer_risk: marketer_risk(&released_sizes, &population_sizes),
        information_loss: InformationLoss {
            metric: settings.metric,
            utility,
            loss,
            entropy,
            discernibility: u64::try_from(discernibility).unwrap_or(u64::MAX),
            per_attribute,
        },
        search: SearchStatistics {
            lattice_nodes: result.nodes_total,
            nodes_checked: result.nodes_checked,
        },
    };

    check_release(&released, data, qis, settings)?;
    Ok(Release {
        data: released,
        report,
    })
}

/// Builds the released data set: QI values replaced by their generalisation
/// at `levels`, records of suppressed groups left out, identifying columns
/// dropped.
fn generalise_records(
    data: &Dataset,
    problem: &Problem,
    qis: &[QuasiIdentifier],
    settings: &Settings,
    levels: &[usize],
    group_of_row: &[u32],
    suppressed: &[bool],
) -> Result<Dataset, DisclosureError> {
    let mut generalised_level: Vec<Option<(usize, usize)>> = vec![None; data.columns().len()];
    for (position, (qi, &level)) in qis.iter().zip(levels).enumerate() {
        generalised_level[data.column_index(&qi.column)?] = Some((position, level));
    }
    let mut kept_columns = Vec::new();
    for (index, column) in data.columns().iter().enumerate() {
        if !settings.identifying.contains(column) {
            kept_columns.push(index);
        }
    }

    // The encoding already looked every present value up in its hierarchy,
    // so the generalisation is read from the hierarchy row of its leaf.
    let mut rows = Vec::new();
    for (number, (row, &group)) in data.rows().iter().zip(group_of_row).enumerate() {
        if suppressed[group as usize] {
            continue;
        }
        let released_row = kept_columns
            .iter()
            .map(|&index| match (&row[index], generalised_level[index]) {
                (Some(_), Some((position, level))) => {
                    let leaf = problem.qis[position].leaf_of_row[number] as usize;
                    Some(qis[position].hierarchy.rows()[leaf][level].clone())
                }
                (cell, _) => cell.clone(),
            })
            .collect();
        rows.push(released_row);
    }
    let columns = kept_columns
        .iter()
        .map(|&index| data.columns()[index].clone())
        .collect();
    Dataset::new(columns, rows)
}

/// Re-checks the release on its strings with [`verify_release`],
/// independently of the search.
fn check_release(
    released: &Dataset,
    input: &Dataset,
    qis: &[QuasiIdentifier],
    settings: &Settings,
) -> Result<(), DisclosureError> {
    let qi_columns: Vec<&str> = qis.iter().map(|qi| qi.column.as_str()).collect();
    verify_release(released, input, &qi_columns, settings)?;
    Ok(())
}
