//! Grouping of records by their generalised quasi-identifier values.
//!
//! Records are compressed once per problem into the distinct tuples of
//! their quasi-identifier leaf ids, each with a weight: the number of
//! records that share it. A lattice node then groups the tuples instead of
//! the records, which costs time in the number of distinct tuples, and
//! expands to one group per record only when a later step needs it.

use std::collections::HashMap;

use crate::encoding::{EncodedQi, Problem};
use crate::key_hash::BuildKeyHasher;

/// The distinct quasi-identifier tuples of the input, numbered in the order
/// of their first record.
#[derive(Debug)]
pub(crate) struct Tuples {
    /// `leaves[q][tuple]` is the leaf id of quasi-identifier `q`.
    pub leaves: Vec<Vec<u32>>,
    /// Number of records with each tuple.
    pub weights: Vec<u32>,
    /// First record of each tuple.
    pub first_row: Vec<u32>,
    /// Tuple of each record.
    pub tuple_of_row: Vec<u32>,
}

impl Tuples {
    /// Compresses the records of `qis` into their distinct tuples.
    pub(crate) fn new(qis: &[EncodedQi], records: usize) -> Self {
        let mut keys = vec![0u64; records];
        // `radix` bounds the keys built so far: every key is below it.
        let mut radix: u64 = 1;
        for qi in qis {
            // One more leaf than the hierarchy has values, for missing values.
            let size = u64::from(qi.domain) + 1;
            if radix.checked_mul(size).is_none() {
                radix = densify(&mut keys);
            }
            for (key, &leaf) in keys.iter_mut().zip(&qi.leaf_of_row) {
                *key = *key * size + u64::from(leaf);
            }
            radix *= size;
        }

        let mut tuple_of_key: HashMap<u64, u32, BuildKeyHasher> =
            HashMap::with_capacity_and_hasher(records.min(1 << 16), BuildKeyHasher::default());
        let mut tuple_of_row = Vec::with_capacity(records);
        let mut weights: Vec<u32> = Vec::new();
        let mut first_row = Vec::new();
        for (row, key) in keys.into_iter().enumerate() {
            let next = weights.len() as u32;
            let tuple = *tuple_of_key.entry(key).or_insert(next);
            if tuple == next {
                weights.push(0);
                first_row.push(row as u32);
            }
            weights[tuple as usize] += 1;
            tuple_of_row.push(tuple);
        }
        let leaves = qis
            .iter()
            .map(|qi| {
                first_row
                    .iter()
                    .map(|&row| qi.leaf_of_row[row as usize])
                    .collect()
            })
            .collect();
        Self {
            leaves,
            weights,
            first_row,
            tuple_of_row,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.weights.len()
    }
}

/// Records grouped by their generalised quasi-identifier values. Groups are
/// numbered in the order of their first record.
#[derive(Debug, PartialEq)]
pub(crate) struct Grouping {
    /// Group of each distinct tuple.
    pub group_of_tuple: Vec<u32>,
    /// Group of each record; empty until [`Grouping::expand`] fills it.
    pub group_of_row: Vec<u32>,
    /// Number of records in each group.
    pub sizes: Vec<u32>,
    /// First record of each group, whose values represent the group.
    pub representative: Vec<u32>,
}

impl Grouping {
    pub(crate) fn group_count(&self) -> usize {
        self.sizes.len()
    }

    /// Fills [`Grouping::group_of_row`] from the group of each tuple.
    pub(crate) fn expand(&mut self, tuples: &Tuples) {
        self.group_of_row = tuples
            .tuple_of_row
            .iter()
            .map(|&tuple| self.group_of_tuple[tuple as usize])
            .collect();
    }
}

/// Buffers that grouping reuses from one node to the next, so that a node
/// allocates only the vectors of its result.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    keys: Vec<u64>,
    /// Group of each key plus one in the dense path, 0 for none. Every entry
    /// is 0 between calls.
    dense: Vec<u32>,
    hashed: HashMap<u64, u32, BuildKeyHasher>,
    /// First tuple of each group.
    first_tuple: Vec<u32>,
}

/// Groups records by their quasi-identifier ids at `levels`, with
/// [`Grouping::group_of_row`] filled.
pub(crate) fn group_rows(problem: &Problem, levels: &[usize]) -> Grouping {
    let mut grouping = group_tuples(problem, levels, &mut Scratch::default());
    grouping.expand(&problem.tuples);
    grouping
}

/// Groups the distinct tuples by their quasi-identifier ids at `levels`,
/// leaving [`Grouping::group_of_row`] empty.
pub(crate) fn group_tuples(problem: &Problem, levels: &[usize], scratch: &mut Scratch) -> Grouping {
    let mut keys = std::mem::take(&mut scratch.keys);
    keys.clear();
    keys.resize(problem.tuples.len(), 0);
    let radix = extend_keys(problem, levels, 0..problem.qis.len(), &mut keys, 1);
    let grouping = group_keys(&problem.tuples, &keys, radix, scratch);
    scratch.keys = keys;
    grouping
}

/// Groups the distinct tuples at `levels` by refining the groups of an
/// ancestor: a node at which every quasi-identifier is at the same or a
/// higher level. `differing` lists the quasi-identifiers that are higher
/// there.
///
/// Two tuples share a group at `levels` exactly when they share a group at
/// the ancestor and the same ids of the `differing` quasi-identifiers at
/// `levels`: in a hierarchy every value has one parent, so equal ids at a
/// level are equal at every higher level. A pass over the tuples per
/// differing quasi-identifier replaces a pass per quasi-identifier.
pub(crate) fn refine_tuples(
    problem: &Problem,
    levels: &[usize],
    ancestor: &Grouping,
    differing: &[usize],
    scratch: &mut Scratch,
) -> Grouping {
    let mut keys = std::mem::take(&mut scratch.keys);
    keys.clear();
    keys.extend(
        ancestor
            .group_of_tuple
            .iter()
            .map(|&group| u64::from(group)),
    );
    let radix = ancestor.group_count() as u64;
    let radix = extend_keys(problem, levels, differing.iter().copied(), &mut keys, radix);
    let grouping = group_keys(&problem.tuples, &keys, radix, scratch);
    scratch.keys = keys;
    grouping
}

/// Appends the ids at `levels` of the quasi-identifiers `qis` to each
/// tuple's key, in mixed radix. Every key is below `radix` on entry, and
/// the returned bound holds after.
fn extend_keys(
    problem: &Problem,
    levels: &[usize],
    qis: impl Iterator<Item = usize>,
    keys: &mut [u64],
    mut radix: u64,
) -> u64 {
    for index in qis {
        let qi = &problem.qis[index];
        let level = levels[index];
        // A level where every record has the same id splits no group.
        if qi.present[level] <= 1 {
            continue;
        }
        // One more id than the hierarchy has values, for missing values.
        let size = u64::from(qi.level_sizes[level]) + 1;
        if radix.checked_mul(size).is_none() {
            radix = densify(keys);
        }
        let ids = &qi.level_ids[level];
        for (key, &leaf) in keys.iter_mut().zip(&problem.tuples.leaves[index]) {
            *key = *key * size + u64::from(ids[leaf as usize]);
        }
        radix *= size;
    }
    radix
}

/// Groups the tuples by `keys`, all below `radix`, numbering groups in the
/// order of their first tuple.
fn group_keys(tuples: &Tuples, keys: &[u64], radix: u64, scratch: &mut Scratch) -> Grouping {
    // Small key spaces, usual once a node generalises, are indexed by an
    // array, which is several times faster than hashing every tuple.
    let count = tuples.len();
    let dense_limit = (count as u64 * 32).clamp(1 << 16, 1 << 22);
    let mut group_of_tuple = Vec::with_capacity(count);
    let mut sizes: Vec<u32> = Vec::new();
    scratch.first_tuple.clear();
    let assigned = keys.iter().zip(&tuples.weights);
    if radix <= dense_limit {
        if scratch.dense.len() < radix as usize {
            scratch.dense.resize(radix as usize, 0);
        }
        for (tuple, (&key, &weight)) in assigned.enumerate() {
            let slot = &mut scratch.dense[key as usize];
            if *slot == 0 {
                sizes.push(0);
                scratch.first_tuple.push(tuple as u32);
                *slot = sizes.len() as u32;
            }
            let group = *slot - 1;
            sizes[group as usize] += weight;
            group_of_tuple.push(group);
        }
        for &tuple in &scratch.first_tuple {
            scratch.dense[keys[tuple as usize] as usize] = 0;
        }
    } else {
        scratch.hashed.clear();
        for (tuple, (&key, &weight)) in assigned.enumerate() {
            let next = sizes.len() as u32;
            let group = *scratch.hashed.entry(key).or_insert(next);
            if group == next {
                sizes.push(0);
                scratch.first_tuple.push(tuple as u32);
            }
            sizes[group as usize] += weight;
            group_of_tuple.push(group);
        }
    }
    let representative = scratch
        .first_tuple
        .iter()
        .map(|&tuple| tuples.first_row[tuple as usize])
        .collect();
    Grouping {
        group_of_tuple,
        group_of_row: Vec::new(),
        sizes,
        representative,
    }
}

/// Replaces keys by dense ids in first-seen order and returns how many
/// there are. Needed only when the product of the level sizes overflows
/// u64.
fn densify(keys: &mut [u64]) -> u64 {
    let mut dense: HashMap<u64, u64, BuildKeyHasher> = HashMap::default();
    for key in keys.iter_mut() {
        let next = dense.len() as u64;
        *key = *dense.entry(*key).or_insert(next);
    }
    dense.len() as u64
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::dataset::Dataset;
    use crate::hierarchy::Hierarchy;
    use crate::lattice::Lattice;
    use crate::settings::{QuasiIdentifier, Settings};

    /// Deterministic pseudo-random numbers (a 64-bit LCG).
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, bound: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % bound
        }
    }

    /// Three quasi-identifiers of heights 3, 3 and 2, about one value in
    /// eight missing, and few enough values that records repeat.
    fn random_problem(rng: &mut Lcg, records: usize) -> Problem {
        let mut text = String::from("a;b;c\n");
        for _ in 0..records {
            let a = rng.below(8);
            let b = rng.below(5);
            let c = match rng.below(8) {
                0 => String::new(),
                value => format!("c{}", value % 3),
            };
            text.push_str(&format!("{a};x{b};{c}\n"));
        }
        let data = Dataset::from_csv_str(&text, b';').unwrap();
        let qis = vec![
            QuasiIdentifier::new(
                "a",
                Hierarchy::intervals(["0", "1", "2", "3", "4", "5", "6", "7"], &[2]).unwrap(),
            ),
            QuasiIdentifier::new(
                "b",
                Hierarchy::from_csv_str("x0;x;*\nx1;x;*\nx2;y;*\nx3;y;*\nx4;y;*\n").unwrap(),
            ),
            QuasiIdentifier::new("c", Hierarchy::from_csv_str("c0;*\nc1;*\nc2;*\n").unwrap()),
        ];
        Problem::encode(&data, &qis, &Settings::k_anonymity(1)).unwrap()
    }

    /// Groups the records one by one on their ids at `levels`, numbering
    /// groups by their first record.
    fn reference_grouping(problem: &Problem, levels: &[usize]) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
        let mut group_of_key: HashMap<Vec<u32>, u32> = HashMap::new();
        let mut group_of_row = Vec::new();
        let mut sizes: Vec<u32> = Vec::new();
        let mut representative = Vec::new();
        for row in 0..problem.records {
            let key: Vec<u32> = problem
                .qis
                .iter()
                .zip(levels)
                .map(|(qi, &level)| qi.level_ids[level][qi.leaf_of_row[row] as usize])
                .collect();
            let next = sizes.len() as u32;
            let group = *group_of_key.entry(key).or_insert(next);
            if group == next {
                sizes.push(0);
                representative.push(row as u32);
            }
            sizes[group as usize] += 1;
            group_of_row.push(group);
        }
        (group_of_row, sizes, representative)
    }

    #[test]
    fn tuples_count_every_record_once() {
        let mut rng = Lcg(7);
        let problem = random_problem(&mut rng, 200);
        let tuples = &problem.tuples;
        assert!(tuples.len() < problem.records, "no record repeats");
        let total: u32 = tuples.weights.iter().sum();
        assert_eq!(total as usize, problem.records);
        for (row, &tuple) in tuples.tuple_of_row.iter().enumerate() {
            for (qi, leaves) in problem.qis.iter().zip(&tuples.leaves) {
                assert_eq!(leaves[tuple as usize], qi.leaf_of_row[row], "row {row}");
            }
        }
        let mut first_rows = tuples.first_row.clone();
        first_rows.sort_unstable();
        assert_eq!(
            first_rows, tuples.first_row,
            "tuples not in first-row order"
        );
    }

    #[test]
    fn tuple_groups_match_record_groups() {
        let mut rng = Lcg(11);
        for _ in 0..20 {
            let records = 1 + rng.below(300) as usize;
            let problem = random_problem(&mut rng, records);
            let lattice = Lattice::new(&[3, 3, 2]).unwrap();
            let mut scratch = Scratch::default();
            for id in 0..lattice.size() {
                let levels = lattice.levels(id);
                let (group_of_row, sizes, representative) = reference_grouping(&problem, &levels);
                let mut grouping = group_tuples(&problem, &levels, &mut scratch);
                grouping.expand(&problem.tuples);
                assert_eq!(grouping.group_of_row, group_of_row, "{levels:?}");
                assert_eq!(grouping.sizes, sizes, "{levels:?}");
                assert_eq!(grouping.representative, representative, "{levels:?}");
            }
        }
    }

    #[test]
    fn refined_groups_equal_groups_from_scratch() {
        let mut rng = Lcg(13);
        let lattice = Lattice::new(&[3, 3, 2]).unwrap();
        let mut scratch = Scratch::default();
        let mut refinements = 0;
        for _ in 0..20 {
            let records = 1 + rng.below(300) as usize;
            let problem = random_problem(&mut rng, records);
            for ancestor_id in 0..lattice.size() {
                let ancestor_levels = lattice.levels(ancestor_id);
                let ancestor = group_tuples(&problem, &ancestor_levels, &mut scratch);
                for id in 0..lattice.size() {
                    let levels = lattice.levels(id);
                    if levels.iter().zip(&ancestor_levels).any(|(l, a)| l > a) {
                        continue;
                    }
                    let differing: Vec<usize> = (0..levels.len())
                        .filter(|&qi| ancestor_levels[qi] > levels[qi])
                        .collect();
                    let refined =
                        refine_tuples(&problem, &levels, &ancestor, &differing, &mut scratch);
                    let direct = group_tuples(&problem, &levels, &mut scratch);
                    assert_eq!(refined, direct, "{levels:?} from {ancestor_levels:?}");
                    refinements += 1;
                }
            }
        }
        // Every pair of a node and one of its ancestors, itself included.
        assert_eq!(refinements, 20 * 6 * 6 * 3);
    }
}
