//! Integer encoding of the quasi-identifiers and sensitive columns.
//!
//! Every value is replaced by a dense `u32` id per column and level before
//! the search, so that evaluating a lattice node groups integer vectors and
//! never touches strings.

use std::collections::HashMap;

use crate::dataset::Dataset;
use crate::error::DisclosureError;
use crate::settings::{LDiversity, Metric, QuasiIdentifier, Settings};

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
}

impl EncodedQi {
    pub(crate) fn height(&self) -> usize {
        self.level_sizes.len()
    }
}

/// One sensitive column, encoded; a missing value has an id of its own.
#[derive(Debug)]
pub(crate) struct EncodedSensitive {
    pub id_of_row: Vec<u32>,
}

/// Everything the search needs, with ids in place of strings.
#[derive(Debug)]
pub(crate) struct Problem {
    pub records: usize,
    pub qis: Vec<EncodedQi>,
    pub sensitive: Vec<EncodedSensitive>,
    pub k: usize,
    pub diversity: Option<LDiversity>,
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
        Ok(Self {
            records: data.len(),
            qis: encoded_qis,
            sensitive,
            k: settings.k,
            diversity: settings.l,
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

    Ok(EncodedQi {
        leaf_of_row,
        level_ids,
        level_sizes,
        level_spans,
        domain,
        total_span,
        present,
    })
}

fn encode_sensitive(data: &Dataset, column: &str) -> Result<EncodedSensitive, DisclosureError> {
    let index = data.column_index(column)?;
    let mut ids: HashMap<Option<&str>, u32> = HashMap::new();
    let id_of_row = data
        .rows()
        .iter()
        .map(|row| {
            let next = ids.len() as u32;
            *ids.entry(row[index].as_deref()).or_insert(next)
        })
        .collect();
    Ok(EncodedSensitive { id_of_row })
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
        assert_eq!(problem.sensitive[0].id_of_row, vec![0, 1, 0]);
    }
}
