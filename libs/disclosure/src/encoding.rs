//! Integer encoding of the quasi-identifiers and sensitive columns.
//!
//! Every value is replaced by a dense `u32` id per column and level before
//! the search, so that evaluating a lattice node groups integer vectors and
//! never touches strings.

use std::collections::HashMap;

use crate::dataset::Dataset;
use crate::error::DisclosureError;
use crate::grouping::Tuples;
use crate::settings::{LDiversity, Metric, QuasiIdentifier, Settings, TDistance};

/// One quasi-identifier, encoded.
///
/// Leaf ids are the hierarchy's row numbers, `0..domain`. The extra leaf id
/// `domain` stands for a missing value: at every level it maps to an id of
/// its own, `level_sizes[level]`, so a missing value is equal only to
/// another missing value and is never generalised.
#[derive(Debug)]
pub(crate) struct EncodedQi {
    /// Leaf id of each record.
    pub leaf_of_row: Vec<u32>,
    /// `level_ids[level][leaf]` is the id of the leaf's value at `level`.
    pub level_ids: Vec<Vec<u32>>,
    /// Number of distinct non-missing values at each level of the hierarchy.
    pub level_sizes: Vec<u32>,
    /// `level_spans[level][id]` is the number of leaves the value covers,
    /// minus one; 0 for the missing id.
    pub level_spans: Vec<Vec<u32>>,
    /// Number of level-0 values in the hierarchy.
    pub domain: u32,
    /// Sum of `level_spans` over all records, per level.
    pub total_span: Vec<u64>,
    /// Number of distinct ids, missing included, that occur in the data at
    /// each level.
    pub present: Vec<u64>,
    /// `entropy_cost[level][leaf]`: bits of information a record with this
    /// leaf loses at `level` under non-uniform entropy, `log2` of the input
    /// records sharing its value at `level` over those sharing its leaf; 0
    /// for the missing leaf.
    pub entropy_cost: Vec<Vec<f64>>,
    /// Bits a record with this leaf loses when suppressed: `log2` of all
    /// input records over those sharing its leaf, missing leaf included.
    pub suppressed_cost: Vec<f64>,
    /// Sum of `entropy_cost` over all records, per level.
    pub total_entropy: Vec<f64>,
}

impl EncodedQi {
    pub(crate) fn height(&self) -> usize {
        self.level_sizes.len()
    }
}

/// One sensitive column, encoded; a missing value has an id of its own.
#[derive(Debug)]
pub(crate) struct EncodedSensitive {
    /// Value id of each record. Ids are ranks: with the ordered distance
    /// they follow the numeric order of the values, otherwise the order of
    /// the strings.
    pub id_of_row: Vec<u32>,
    /// Distance that t-closeness uses for this column.
    pub distance: TDistance,
    /// Share of all input records holding each value id.
    pub overall: Vec<f64>,
}

/// Everything the search needs, with ids in place of strings.
#[derive(Debug)]
pub(crate) struct Problem {
    pub records: usize,
    pub qis: Vec<EncodedQi>,
    /// The distinct tuples of quasi-identifier leaf ids.
    pub tuples: Tuples,
    pub sensitive: Vec<EncodedSensitive>,
    pub k: usize,
    pub diversity: Option<LDiversity>,
    pub t: Option<f64>,
    pub max_suppressed: usize,
    pub metric: Metric,
}

impl Problem {
    /// Encodes `data`. Fails with [`DisclosureError::ValueNotInHierarchy`]
    /// on the first record, in row order, whose quasi-identifier value is
    /// not a level-0 value of its hierarchy. Missing values are not looked
    /// up. Expects settings already validated.
    pub(crate) fn encode(
        data: &Dataset,
        qis: &[QuasiIdentifier],
        settings: &Settings,
    ) -> Result<Self, DisclosureError> {
        if u32::try_from(data.len()).is_err() {
            return Err(DisclosureError::TooManyRecords {
                records: data.len(),
            });
        }
        let encoded_qis = qis
            .iter()
            .map(|qi| encode_qi(data, qi))
            .collect::<Result<Vec<_>, _>>()?;
        let sensitive = settings
            .sensitive
            .iter()
            .map(|column| encode_sensitive(data, column))
            .collect::<Result<Vec<_>, _>>()?;
        let tuples = Tuples::new(&encoded_qis, data.len());
        Ok(Self {
            records: data.len(),
            qis: encoded_qis,
            tuples,
            sensitive,
            k: settings.k,
            diversity: settings.l,
            t: settings.t,
            max_suppressed: settings.max_suppressed(data.len()),
            metric: settings.metric,
        })
    }
}

fn encode_qi(data: &Dataset, qi: &QuasiIdentifier) -> Result<EncodedQi, DisclosureError> {
    let column = data.column_index(&qi.column)?;
    let hierarchy = &qi.hierarchy;
    let domain =
        u32::try_from(hierarchy.domain_size()).map_err(|_| DisclosureError::HierarchyTooLarge {
            column: qi.column.clone(),
            values: hierarchy.domain_size(),
        })?;
    if domain == u32::MAX {
        return Err(DisclosureError::HierarchyTooLarge {
            column: qi.column.clone(),
            values: hierarchy.domain_size(),
        });
    }

    let mut leaf_of_row = Vec::with_capacity(data.len());
    for row in data.rows() {
        let leaf = match row[column].as_deref() {
            None => domain,
            Some(value) => match hierarchy.leaf_id(value) {
                // The row number is below `domain`, which fits in u32.
                Some(leaf) => leaf as u32,
                None => {
                    return Err(DisclosureError::ValueNotInHierarchy {
                        column: qi.column.clone(),
                        value: value.to_owned(),
                    });
                }
            },
        };
        leaf_of_row.push(leaf);
    }

    let rows = hierarchy.rows();
    let height = hierarchy.height();
    let mut level_ids = Vec::with_capacity(height);
    let mut level_sizes = Vec::with_capacity(height);
    let mut level_spans = Vec::with_capacity(height);
    for level in 0..height {
        let mut id_of_label: HashMap<&str, u32> = HashMap::new();
        let mut ids = Vec::with_capacity(rows.len() + 1);
        let mut leaves: Vec<u32> = Vec::new();
        for row in rows {
            let next = id_of_label.len() as u32;
            let id = *id_of_label.entry(row[level].as_str()).or_insert(next);
            if id == next {
                leaves.push(0);
            }
            leaves[id as usize] += 1;
            ids.push(id);
        }
        let size = id_of_label.len() as u32;
        ids.push(size);
        let mut spans: Vec<u32> = leaves.iter().map(|count| count - 1).collect();
        spans.push(0);
        level_ids.push(ids);
        level_sizes.push(size);
        level_spans.push(spans);
    }

    let mut total_span = Vec::with_capacity(height);
    let mut present = Vec::with_capacity(height);
    for level in 0..height {
        let mut seen = vec![false; level_sizes[level] as usize + 1];
        let mut sum = 0u64;
        for &leaf in &leaf_of_row {
            let id = level_ids[level][leaf as usize];
            seen[id as usize] = true;
            sum += u64::from(level_spans[level][id as usize]);
        }
        total_span.push(sum);
        present.push(seen.iter().filter(|&&flag| flag).count() as u64);
    }

    let (entropy_cost, suppressed_cost, total_entropy) =
        entropy_costs(&leaf_of_row, &level_ids, &level_sizes, domain);

    Ok(EncodedQi {
        leaf_of_row,
        level_ids,
        level_sizes,
        level_spans,
        domain,
        total_span,
        present,
        entropy_cost,
        suppressed_cost,
        total_entropy,
    })
}

/// Per-leaf costs under non-uniform entropy; see [`EncodedQi::entropy_cost`].
fn entropy_costs(
    leaf_of_row: &[u32],
    level_ids: &[Vec<u32>],
    level_sizes: &[u32],
    domain: u32,
) -> (Vec<Vec<f64>>, Vec<f64>, Vec<f64>) {
    let records = leaf_of_row.len() as f64;
    let mut leaf_counts = vec![0u64; domain as usize + 1];
    for &leaf in leaf_of_row {
        leaf_counts[leaf as usize] += 1;
    }
    let suppressed_cost = leaf_counts
        .iter()
        .map(|&count| {
            if count == 0 {
                0.0
            } else {
                (records / count as f64).log2()
            }
        })
        .collect();

    let mut entropy_cost = Vec::with_capacity(level_ids.len());
    let mut total_entropy = Vec::with_capacity(level_ids.len());
    for (ids, &size) in level_ids.iter().zip(level_sizes) {
        let mut id_counts = vec![0u64; size as usize + 1];
        for (leaf, &count) in leaf_counts.iter().enumerate() {
            id_counts[ids[leaf] as usize] += count;
        }
        let costs: Vec<f64> = leaf_counts
            .iter()
            .enumerate()
            .map(|(leaf, &count)| {
                if count == 0 || leaf == domain as usize {
                    0.0
                } else {
                    (id_counts[ids[leaf] as usize] as f64 / count as f64).log2()
                }
            })
            .collect();
        let total = leaf_counts
            .iter()
            .zip(&costs)
            .map(|(&count, &cost)| count as f64 * cost)
            .sum();
        entropy_cost.push(costs);
        total_entropy.push(total);
    }
    (entropy_cost, suppressed_cost, total_entropy)
}

/// Encodes a sensitive column. The column uses the ordered distance when
/// every value is present and parses as a number; ids then follow the
/// numeric order, ties between different strings such as `1` and `1.0`
/// broken by the string.
fn encode_sensitive(data: &Dataset, column: &str) -> Result<EncodedSensitive, DisclosureError> {
    let index = data.column_index(column)?;
    // foldhash, because every record's value is hashed twice here.
    let mut counts: foldhash::HashMap<Option<&str>, u64> = foldhash::HashMap::default();
    for row in data.rows() {
        *counts.entry(row[index].as_deref()).or_default() += 1;
    }

    let numbers: Option<Vec<(f64, &str)>> = counts
        .keys()
        .map(|value| {
            let text = (*value)?;
            let number = text.trim().parse::<f64>().ok().filter(|n| n.is_finite())?;
            Some((number, text))
        })
        .collect();
    let (distance, order): (TDistance, Vec<Option<&str>>) = match numbers {
        Some(mut numbers) => {
            numbers.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
            let order = numbers.into_iter().map(|(_, text)| Some(text)).collect();
            (TDistance::Ordered, order)
        }
        None => {
            let mut order: Vec<Option<&str>> = counts.keys().copied().collect();
            order.sort_unstable();
            (TDistance::Equal, order)
        }
    };

    let records = data.len() as f64;
    let rank: foldhash::HashMap<Option<&str>, u32> = order
        .iter()
        .enumerate()
        .map(|(rank, value)| (*value, rank as u32))
        .collect();
    let overall = order
        .iter()
        .map(|value| counts[value] as f64 / records)
        .collect();
    let id_of_row = data
        .rows()
        .iter()
        .map(|row| rank[&row[index].as_deref()])
        .collect();
    Ok(EncodedSensitive {
        id_of_row,
        distance,
        overall,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hierarchy::Hierarchy;

    #[test]
    fn missing_value_gets_own_id() {
        let data = Dataset::from_csv_str("a;b\n1;x\n;x\n2;x\n", b';').unwrap();
        let qi = QuasiIdentifier::new("a", Hierarchy::from_csv_str("1;*\n2;*\n").unwrap());
        let problem = Problem::encode(&data, &[qi], &Settings::k_anonymity(1)).unwrap();
        let encoded = &problem.qis[0];
        assert_eq!(encoded.leaf_of_row, vec![0, 2, 1]);
        assert_eq!(encoded.level_sizes, vec![2, 1]);
        // At the root, both known values share id 0 and the missing value
        // has id 1.
        assert_eq!(encoded.level_ids[1], vec![0, 0, 1]);
        assert_eq!(encoded.present, vec![3, 2]);
    }

    #[test]
    fn spans_count_covered_leaves() {
        let data = Dataset::from_csv_str("a\n1\n2\n3\n", b';').unwrap();
        let hierarchy = Hierarchy::from_csv_str("1;x;*\n2;x;*\n3;y;*\n").unwrap();
        let qi = QuasiIdentifier::new("a", hierarchy);
        let problem = Problem::encode(&data, &[qi], &Settings::k_anonymity(1)).unwrap();
        let encoded = &problem.qis[0];
        assert_eq!(encoded.level_spans[1], vec![1, 0, 0]);
        assert_eq!(encoded.level_spans[2], vec![2, 0]);
        assert_eq!(encoded.total_span, vec![0, 2, 6]);
    }

    #[test]
    fn value_outside_hierarchy_names_column_and_value() {
        let data = Dataset::from_csv_str("zip\n81667\n81675\n", b';').unwrap();
        let qi = QuasiIdentifier::new("zip", Hierarchy::from_csv_str("81667;*\n").unwrap());
        let error = Problem::encode(&data, &[qi], &Settings::k_anonymity(1)).unwrap_err();
        assert_eq!(
            error,
            DisclosureError::ValueNotInHierarchy {
                column: "zip".to_owned(),
                value: "81675".to_owned(),
            }
        );
    }

    #[test]
    fn sensitive_missing_is_a_category() {
        let data = Dataset::from_csv_str("a;s\n1;x\n1;\n1;x\n", b';').unwrap();
        let qi = QuasiIdentifier::new("a", Hierarchy::from_csv_str("1;*\n").unwrap());
        let mut settings = Settings::k_anonymity(1);
        settings.sensitive = vec!["s".to_owned()];
        let problem = Problem::encode(&data, &[qi], &settings).unwrap();
        // The missing value sorts first and makes the distance equal.
        assert_eq!(problem.sensitive[0].id_of_row, vec![1, 0, 1]);
        assert_eq!(problem.sensitive[0].distance, TDistance::Equal);
    }

    #[test]
    fn numeric_sensitive_is_ordered_by_number() {
        let data = Dataset::from_csv_str("a;s\n1;10\n1;9\n1;10\n1;2.5\n", b';').unwrap();
        let qi = QuasiIdentifier::new("a", Hierarchy::from_csv_str("1;*\n").unwrap());
        let mut settings = Settings::k_anonymity(1);
        settings.sensitive = vec!["s".to_owned()];
        let problem = Problem::encode(&data, &[qi], &settings).unwrap();
        let sensitive = &problem.sensitive[0];
        assert_eq!(sensitive.distance, TDistance::Ordered);
        assert_eq!(sensitive.id_of_row, vec![2, 1, 2, 0]);
        assert_eq!(sensitive.overall, vec![0.25, 0.25, 0.5]);
    }

    #[test]
    fn entropy_cost_is_bits_lost() {
        // Values 1, 1, 2, 3 under a hierarchy that merges 1 and 2.
        let data = Dataset::from_csv_str("a\n1\n1\n2\n3\n", b';').unwrap();
        let hierarchy = Hierarchy::from_csv_str("1;x;*\n2;x;*\n3;y;*\n").unwrap();
        let qi = QuasiIdentifier::new("a", hierarchy);
        let problem = Problem::encode(&data, &[qi], &Settings::k_anonymity(1)).unwrap();
        let encoded = &problem.qis[0];
        assert_eq!(encoded.entropy_cost[0], vec![0.0, 0.0, 0.0, 0.0]);
        let level_one = &encoded.entropy_cost[1];
        assert!((level_one[0] - 1.5f64.log2()).abs() < 1e-12);
        assert!((level_one[1] - 3.0f64.log2()).abs() < 1e-12);
        assert_eq!(level_one[2], 0.0);
        assert!((encoded.suppressed_cost[2] - 2.0).abs() < 1e-12);
        let total = 2.0 * 1.5f64.log2() + 3.0f64.log2();
        assert!((encoded.total_entropy[1] - total).abs() < 1e-12);
    }
}
