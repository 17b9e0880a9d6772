//! Independent checks of a released data set.
//!
//! These work on the strings of the release, not on the search's integer
//! encoding, so they catch a fault in either. Missing values compare equal
//! only to other missing values.

// Group keys are strings of the data set; foldhash hashes them several times
// faster than the standard SipHash.
use foldhash::{HashMap, HashMapExt, HashSet};

use thiserror::Error;

use crate::dataset::Dataset;
use crate::settings::{LDiversity, Settings};

/// A privacy property that a data set does not have.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum Violation {
    #[error("column `{column}` is not in the data set")]
    UnknownColumn { column: String },

    #[error(
        "{records} records are in groups smaller than k = {k}; the smallest group has {smallest}"
    )]
    GroupTooSmall {
        k: usize,
        smallest: usize,
        records: usize,
    },

    #[error(
        "{records} records are in groups with fewer than l = {l} distinct values of \
         sensitive column `{column}`; the least diverse group has {distinct}"
    )]
    NotDiverse {
        column: String,
        l: usize,
        distinct: usize,
        records: usize,
    },

    #[error(
        "{records} records are in groups whose entropy of sensitive column `{column}` is below \
         ln({l}); the least diverse group reaches entropy l = {reached:.4}"
    )]
    LowEntropy {
        column: String,
        l: f64,
        reached: f64,
        records: usize,
    },

    #[error(
        "{records} records are in groups whose distribution of sensitive column `{column}` is \
         further than t = {t} from the input's; the furthest group is at {distance:.4}"
    )]
    NotClose {
        column: String,
        t: f64,
        distance: f64,
        records: usize,
    },

    #[error("{suppressed} of {records} records were suppressed, more than the limit of {limit}")]
    TooManySuppressed {
        suppressed: usize,
        records: usize,
        limit: usize,
    },
}

/// Checks a released data set against every part of `settings`: at most
/// the allowed share of `input`'s records removed, k-anonymity, the
/// configured l-diversity and t-closeness against the distribution of each
/// sensitive column in `input`. Every check works on the strings of the two
/// data sets, independently of the search.
pub fn verify_release(
    released: &Dataset,
    input: &Dataset,
    qi_columns: &[&str],
    settings: &Settings,
) -> Result<(), Violation> {
    let suppressed = input.len().saturating_sub(released.len());
    let limit = settings.max_suppressed(input.len());
    if suppressed > limit {
        return Err(Violation::TooManySuppressed {
            suppressed,
            records: input.len(),
            limit,
        });
    }
    verify_k(released, qi_columns, settings.k)?;
    for column in &settings.sensitive {
        match settings.l {
            Some(LDiversity::Distinct { l }) => verify_distinct_l(released, qi_columns, column, l)?,
            Some(LDiversity::Entropy { l }) => verify_entropy_l(released, qi_columns, column, l)?,
            None => {}
        }
        if let Some(t) = settings.t {
            verify_t_closeness(released, qi_columns, column, input, t)?;
        }
    }
    Ok(())
}

/// Checks that every group of records that agree on all of `qi_columns`
/// has at least `k` records.
pub fn verify_k(data: &Dataset, qi_columns: &[&str], k: usize) -> Result<(), Violation> {
    let indices = column_indices(data, qi_columns)?;
    let mut sizes: HashMap<GroupKey, usize> = HashMap::new();
    for row in data.rows() {
        *sizes.entry(key(row, &indices)).or_default() += 1;
    }
    let small: Vec<usize> = sizes.into_values().filter(|&size| size < k).collect();
    match small.iter().min() {
        None => Ok(()),
        Some(&smallest) => Err(Violation::GroupTooSmall {
            k,
            smallest,
            records: small.iter().sum(),
        }),
    }
}

/// Checks that every group of records that agree on all of `qi_columns`
/// contains at least `l` distinct values of `sensitive_column`, counting a
/// missing value as a value of its own.
pub fn verify_distinct_l(
    data: &Dataset,
    qi_columns: &[&str],
    sensitive_column: &str,
    l: usize,
) -> Result<(), Violation> {
    let indices = column_indices(data, qi_columns)?;
    let sensitive = column_indices(data, &[sensitive_column])?[0];
    let mut groups: HashMap<GroupKey, SensitiveValues> = HashMap::new();
    for row in data.rows() {
        let group = groups.entry(key(row, &indices)).or_default();
        group.records += 1;
        group.values.insert(row[sensitive].as_deref());
    }
    let poor: Vec<(usize, usize)> = groups
        .into_values()
        .map(|group| (group.records, group.values.len()))
        .filter(|&(_, distinct)| distinct < l)
        .collect();
    match poor.iter().map(|&(_, distinct)| distinct).min() {
        None => Ok(()),
        Some(distinct) => Err(Violation::NotDiverse {
            column: sensitive_column.to_owned(),
            l,
            distinct,
            records: poor.iter().map(|&(size, _)| size).sum(),
        }),
    }
}

/// Checks that in every group of records that agree on all of `qi_columns`,
/// the entropy (natural logarithm) of the values of `sensitive_column` is
/// at least `ln(l)`, counting a missing value as a value of its own. A
/// tolerance of 1e-9 lets a group that reaches exactly `ln(l)` pass.
pub fn verify_entropy_l(
    data: &Dataset,
    qi_columns: &[&str],
    sensitive_column: &str,
    l: f64,
) -> Result<(), Violation> {
    let groups = sensitive_counts(data, qi_columns, sensitive_column)?;
    let mut poorest = f64::INFINITY;
    let mut records = 0;
    for counts in groups.values() {
        let size: usize = counts.values().sum();
        let entropy: f64 = counts
            .values()
            .map(|&count| {
                let share = count as f64 / size as f64;
                -share * share.ln()
            })
            .sum();
        if entropy < l.ln() - 1e-9 {
            records += size;
            poorest = poorest.min(entropy);
        }
    }
    if records == 0 {
        return Ok(());
    }
    Err(Violation::LowEntropy {
        column: sensitive_column.to_owned(),
        l,
        reached: poorest.exp(),
        records,
    })
}

/// Checks that in every group of records that agree on all of `qi_columns`,
/// the earth mover's distance between the group's distribution of
/// `sensitive_column` and that column's distribution in `population` is at
/// most `t` (with a tolerance of 1e-9).
///
/// When every value of the column in `population` is present and a number,
/// the distance is the ordered one: with the `m` distinct values sorted by
/// number, the sum of the absolute cumulative differences divided by
/// `m - 1`. Otherwise every two distinct values are at distance 1, and the
/// distance is half the sum of the absolute differences of the shares.
pub fn verify_t_closeness(
    data: &Dataset,
    qi_columns: &[&str],
    sensitive_column: &str,
    population: &Dataset,
    t: f64,
) -> Result<(), Violation> {
    let column = column_indices(population, &[sensitive_column])?[0];
    let mut overall: HashMap<Option<&str>, usize> = HashMap::new();
    for row in population.rows() {
        *overall.entry(row[column].as_deref()).or_default() += 1;
    }
    let total = population.len() as f64;
    let numbers: Option<Vec<(f64, Option<&str>)>> = overall
        .keys()
        .map(|value| {
            let number: f64 = (*value)?.trim().parse().ok()?;
            number.is_finite().then_some((number, *value))
        })
        .collect();
    let order: Option<Vec<Option<&str>>> = numbers.map(|mut numbers| {
        numbers.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        numbers.into_iter().map(|(_, value)| value).collect()
    });

    let groups = sensitive_counts(data, qi_columns, sensitive_column)?;
    let mut furthest = 0.0f64;
    let mut records = 0;
    for counts in groups.values() {
        let size: usize = counts.values().sum();
        let share =
            |value: &Option<&str>| counts.get(value).copied().unwrap_or(0) as f64 / size as f64;
        let distance = match &order {
            Some(order) if order.len() > 1 => {
                let mut running = 0.0;
                let mut sum = 0.0;
                for value in order {
                    running += share(value) - overall[value] as f64 / total;
                    sum += f64::abs(running);
                }
                sum / (order.len() - 1) as f64
            }
            Some(_) => 0.0,
            None => {
                let mut sum: f64 = overall
                    .iter()
                    .map(|(value, &count)| (share(value) - count as f64 / total).abs())
                    .sum();
                // A released value absent from the population is fully
                // displaced.
                sum += counts
                    .keys()
                    .filter(|value| !overall.contains_key(*value))
                    .map(share)
                    .sum::<f64>();
                sum / 2.0
            }
        };
        if distance > t + 1e-9 {
            records += size;
            furthest = furthest.max(distance);
        }
    }
    if records == 0 {
        return Ok(());
    }
    Err(Violation::NotClose {
        column: sensitive_column.to_owned(),
        t,
        distance: furthest,
        records,
    })
}

/// Counts the values of `sensitive_column` in each group.
fn sensitive_counts<'a>(
    data: &'a Dataset,
    qi_columns: &[&str],
    sensitive_column: &str,
) -> Result<HashMap<GroupKey<'a>, HashMap<Option<&'a str>, usize>>, Violation> {
    let indices = column_indices(data, qi_columns)?;
    let sensitive = column_indices(data, &[sensitive_column])?[0];
    let mut groups: HashMap<GroupKey, HashMap<Option<&str>, usize>> = HashMap::new();
    for row in data.rows() {
        *groups
            .entry(key(row, &indices))
            .or_default()
            .entry(row[sensitive].as_deref())
            .or_default() += 1;
    }
    Ok(groups)
}

/// Quasi-identifier values of a record, missing values as `None`.
type GroupKey<'a> = Vec<Option<&'a str>>;

/// Records of a group and the distinct sensitive values among them.
#[derive(Default)]
struct SensitiveValues<'a> {
    records: usize,
    values: HashSet<Option<&'a str>>,
}

fn column_indices(data: &Dataset, columns: &[&str]) -> Result<Vec<usize>, Violation> {
    columns
        .iter()
        .map(|&column| {
            data.column_index(column)
                .map_err(|_| Violation::UnknownColumn {
                    column: column.to_owned(),
                })
        })
        .collect()
}

fn key<'a>(row: &'a [Option<String>], indices: &[usize]) -> GroupKey<'a> {
    indices.iter().map(|&index| row[index].as_deref()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_value_is_not_a_wildcard() {
        // Two records with a missing county and one with Agder form two
        // groups, of 2 and 1, so 3-anonymity fails.
        let data = Dataset::from_csv_str("sex;county\nM;\nM;\nM;Agder\n", b';').unwrap();
        let result = verify_k(&data, &["sex", "county"], 3);
        assert_eq!(
            result,
            Err(Violation::GroupTooSmall {
                k: 3,
                smallest: 1,
                records: 3
            })
        );
    }

    #[test]
    fn k_holds_when_groups_are_large() {
        let data = Dataset::from_csv_str("sex;county\nM;\nM;\nF;A\nF;A\n", b';').unwrap();
        assert_eq!(verify_k(&data, &["sex", "county"], 2), Ok(()));
    }

    #[test]
    fn unknown_column_is_reported() {
        let data = Dataset::from_csv_str("sex\nM\n", b';').unwrap();
        assert_eq!(
            verify_k(&data, &["age"], 1),
            Err(Violation::UnknownColumn {
                column: "age".to_owned()
            })
        );
    }

    #[test]
    fn entropy_l_fails_on_skewed_group() {
        // Group a contains 1, 1, 1, 2, with entropy below ln 2. Group b contains 1, 2.
        let data = Dataset::from_csv_str("g;s\na;1\na;1\na;1\na;2\nb;1\nb;2\n", b';').unwrap();
        let error = verify_entropy_l(&data, &["g"], "s", 2.0).unwrap_err();
        assert!(
            matches!(error, Violation::LowEntropy { records: 4, .. }),
            "{error:?}"
        );
        assert_eq!(verify_entropy_l(&data, &["g"], "s", 1.7), Ok(()));
    }

    #[test]
    fn t_closeness_ordered_for_numbers() {
        // Overall 1, 2, 3 once each per group pair; group a holds only 1.
        let data = Dataset::from_csv_str("g;s\na;1\nb;2\nb;3\n", b';').unwrap();
        let error = verify_t_closeness(&data, &["g"], "s", &data, 0.4).unwrap_err();
        // Group a: cumulative differences 2/3 and 1/3 over 2 steps = 0.5.
        match error {
            Violation::NotClose {
                distance, records, ..
            } => {
                assert!((distance - 0.5).abs() < 1e-12);
                assert_eq!(records, 1);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(verify_t_closeness(&data, &["g"], "s", &data, 0.5), Ok(()));
    }

    #[test]
    fn t_closeness_equal_for_categories() {
        let data = Dataset::from_csv_str("g;s\na;x\na;y\nb;x\nb;\n", b';').unwrap();
        // Overall x 1/2, y 1/4, missing 1/4; group b: x 1/2, missing 1/2,
        // at distance (0 + 1/4 + 1/4) / 2.
        assert_eq!(verify_t_closeness(&data, &["g"], "s", &data, 0.25), Ok(()));
        let error = verify_t_closeness(&data, &["g"], "s", &data, 0.2).unwrap_err();
        assert!(
            matches!(error, Violation::NotClose { records: 4, .. }),
            "{error:?}"
        );
    }

    #[test]
    fn release_over_suppression_limit_fails() {
        let input = Dataset::from_csv_str("g\na\na\nb\n", b';').unwrap();
        let released = Dataset::from_csv_str("g\na\na\n", b';').unwrap();
        let mut settings = Settings::k_anonymity(2);
        assert!(matches!(
            verify_release(&released, &input, &["g"], &settings),
            Err(Violation::TooManySuppressed { suppressed: 1, .. })
        ));
        settings.suppression_limit = 0.34;
        assert_eq!(verify_release(&released, &input, &["g"], &settings), Ok(()));
    }

    #[test]
    fn distinct_l_counts_missing_as_value() {
        let data = Dataset::from_csv_str("g;s\na;1\na;\nb;1\nb;1\n", b';').unwrap();
        let result = verify_distinct_l(&data, &["g"], "s", 2);
        assert_eq!(
            result,
            Err(Violation::NotDiverse {
                column: "s".to_owned(),
                l: 2,
                distinct: 1,
                records: 2
            })
        );
    }
}
