//! Globally optimal full-domain generalisation.
//!
//! The search finds the lattice node with the lowest score among all nodes
//! that satisfy the privacy model within the suppression limit. Ties go to
//! the node with the lower height, then to the lexicographically smaller
//! levels. Two facts let it skip nodes without losing optimality:
//!
//! - Monotonicity. Generalising a node merges groups, and a merged group is
//!   at least as large and contains at least as many distinct sensitive values
//!   as each of its parts, so the records failing k-anonymity or distinct
//!   l-diversity can only decrease. A node that fails this part of the model
//!   therefore fails with every more specific node. The search walks the
//!   lattice from the top down and marks those nodes failed unchecked.
//!   Entropy l-diversity is not monotone under suppression, so it is only
//!   checked, never used to prune.
//! - Lower bounds. Each metric has a bound that needs no grouping (see
//!   [`crate::metric::lower_bound`]); a node whose bound exceeds the best
//!   score found cannot win and is skipped.
//!
//! Before the sweep, a greedy descent from the top node finds a good first
//! solution so that the bound prunes early. Nodes of equal height are
//! evaluated in parallel. The groups of every evaluated node that passes
//! the monotone part are kept, within [`GROUP_CACHE_BYTES`], and a node
//! below a kept node refines that node's groups instead of grouping from
//! the records.

use std::cmp::Ordering;
use std::num::NonZero;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::thread;

use crate::encoding::Problem;
use crate::error::DisclosureError;
use crate::evaluation::{Outcome, evaluate};
use crate::grouping::{Grouping, Scratch};
use crate::lattice::Lattice;
use crate::metric::lower_bound;

/// Relative margin by which a bound must exceed the best score to prune a
/// node. Bound and score add the same terms in different orders for the
/// entropy metric, so a node whose true score ties the best may get a bound
/// a few ulps above it.
const BOUND_TOLERANCE: f64 = 1e-12;

/// Largest number of bytes the search spends on keeping the groups of
/// evaluated nodes for refining more specific nodes. A node without a kept
/// ancestor is grouped from the distinct tuples instead, which gives the
/// same groups more slowly.
const GROUP_CACHE_BYTES: usize = 256 << 20;

/// Largest number of nodes whose groups are kept. Each node to evaluate
/// scans the kept nodes for its closest ancestor, so this bounds that scan.
const GROUP_CACHE_NODES: usize = 1024;

/// The optimal node and how much of the lattice was checked to find it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SearchResult {
    pub levels: Vec<usize>,
    pub score: f64,
    pub nodes_total: usize,
    pub nodes_checked: usize,
}

/// Finds the optimal node, evaluating on up to `threads` threads. Returns
/// `None` when no node is a solution.
pub(crate) fn search(
    problem: &Problem,
    threads: usize,
) -> Result<Option<SearchResult>, DisclosureError> {
    let heights: Vec<usize> = problem.qis.iter().map(|qi| qi.height()).collect();
    let lattice = Lattice::new(&heights)?;
    let mut state = SearchState::new(problem, lattice, threads);

    let top = state.lattice.top();
    state.evaluate_batch(&[top]);
    if state.known_failed[top] {
        return Ok(None);
    }
    state.descend_greedily(top);
    state.sweep_top_down();

    Ok(state.best.map(|best| SearchResult {
        levels: state.lattice.levels(best.id),
        score: best.score,
        nodes_total: state.lattice.size(),
        nodes_checked: state.checked,
    }))
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    id: usize,
    score: f64,
    height: usize,
}

struct SearchState<'a> {
    problem: &'a Problem,
    lattice: Lattice,
    threads: usize,
    /// Lower bound of the metric per node.
    bounds: Vec<f64>,
    outcomes: Vec<Option<Outcome>>,
    /// Nodes known to fail the monotone part of the model, checked or
    /// inferred from a more general node.
    known_failed: Vec<bool>,
    /// Groups of evaluated nodes that pass the monotone part of the model,
    /// for refining more specific nodes.
    kept: Vec<KeptGroups>,
    kept_bytes: usize,
    best: Option<Candidate>,
    checked: usize,
}

impl<'a> SearchState<'a> {
    fn new(problem: &'a Problem, lattice: Lattice, threads: usize) -> Self {
        let size = lattice.size();
        let bounds = (0..size)
            .map(|id| lower_bound(problem, &lattice.levels(id)))
            .collect();
        Self {
            problem,
            lattice,
            threads: threads.max(1),
            bounds,
            outcomes: vec![None; size],
            known_failed: vec![false; size],
            kept: Vec::new(),
            kept_bytes: 0,
            best: None,
            checked: 0,
        }
    }

    /// Follows the best-scoring solution among the children of the current
    /// node until no child is a solution.
    fn descend_greedily(&mut self, top: usize) {
        let mut current = top;
        loop {
            let children: Vec<usize> = self.lattice.children(current).collect();
            let unchecked: Vec<usize> = children
                .iter()
                .copied()
                .filter(|&id| self.outcomes[id].is_none() && !self.inherits_failure(id))
                .collect();
            self.evaluate_batch(&unchecked);
            let next = children
                .iter()
                .filter_map(|&id| self.outcomes[id].map(|outcome| (id, outcome)))
                .filter(|(_, outcome)| outcome.solution)
                .min_by(|a, b| a.1.score.total_cmp(&b.1.score).then(a.0.cmp(&b.0)));
            match next {
                Some((id, _)) => current = id,
                None => return,
            }
        }
    }

    /// Visits every node from the top height down, checking those that are
    /// neither inferred to fail nor beaten by their lower bound.
    fn sweep_top_down(&mut self) {
        for nodes in self.lattice.nodes_by_height().iter().rev() {
            let mut batch = Vec::new();
            for &id in nodes {
                if self.outcomes[id].is_some() {
                    continue;
                }
                if self.inherits_failure(id) {
                    self.known_failed[id] = true;
                    continue;
                }
                let beaten = self.best.is_some_and(|best| {
                    self.bounds[id] > best.score + BOUND_TOLERANCE * best.score.abs()
                });
                if !beaten {
                    batch.push(id);
                }
            }
            self.evaluate_batch(&batch);
        }
    }

    /// Returns whether a direct parent is known to fail the monotone part of
    /// the model. Failures propagate through every node, checked or not, so a
    /// failure anywhere above reaches this node through some parent.
    fn inherits_failure(&self, id: usize) -> bool {
        self.lattice
            .parents(id)
            .any(|parent| self.known_failed[parent])
    }

    fn evaluate_batch(&mut self, ids: &[usize]) {
        let jobs: Vec<Job<'_>> = ids
            .iter()
            .map(|&id| {
                let levels = self.lattice.levels(id);
                let ancestor = self.closest_kept_ancestor(&levels);
                Job { levels, ancestor }
            })
            .collect();
        let results = evaluate_parallel(self.problem, &jobs, self.threads);
        drop(jobs);
        for (&id, (outcome, grouping)) in ids.iter().zip(results) {
            self.checked += 1;
            self.outcomes[id] = Some(outcome);
            self.known_failed[id] = !outcome.monotone_ok;
            if outcome.monotone_ok {
                self.keep(id, grouping);
            }
            if outcome.solution {
                self.offer(Candidate {
                    id,
                    score: outcome.score,
                    height: self.lattice.height_of(id),
                });
            }
        }
    }

    /// Returns the kept ancestor of the node at `levels` that differs in the
    /// fewest quasi-identifiers, then has the fewest groups, with the
    /// quasi-identifiers in which it differs.
    fn closest_kept_ancestor(&self, levels: &[usize]) -> Option<(&Grouping, Vec<usize>)> {
        let mut best: Option<(&KeptGroups, usize)> = None;
        for kept in &self.kept {
            let is_ancestor = kept.levels.iter().zip(levels).all(|(a, b)| a >= b);
            if !is_ancestor {
                continue;
            }
            let differing = kept
                .levels
                .iter()
                .zip(levels)
                .filter(|(a, b)| a > b)
                .count();
            let closer = best.is_none_or(|(current, current_differing)| {
                (differing, kept.grouping.group_count())
                    < (current_differing, current.grouping.group_count())
            });
            if closer {
                best = Some((kept, differing));
            }
        }
        best.map(|(kept, _)| {
            let differing = (0..levels.len())
                .filter(|&qi| kept.levels[qi] > levels[qi])
                .collect();
            (&kept.grouping, differing)
        })
    }

    /// Keeps the groups of node `id` unless that exceeds
    /// [`GROUP_CACHE_BYTES`] or [`GROUP_CACHE_NODES`].
    fn keep(&mut self, id: usize, mut grouping: Grouping) {
        grouping.group_of_row = Vec::new();
        let bytes = (grouping.group_of_tuple.len() + 2 * grouping.group_count()) * 4;
        if self.kept_bytes + bytes <= GROUP_CACHE_BYTES && self.kept.len() < GROUP_CACHE_NODES {
            self.kept_bytes += bytes;
            self.kept.push(KeptGroups {
                levels: self.lattice.levels(id),
                grouping,
            });
        }
    }

    fn offer(&mut self, candidate: Candidate) {
        let better = match self.best {
            None => true,
            Some(best) => self.compare(candidate, best) == Ordering::Less,
        };
        if better {
            self.best = Some(candidate);
        }
    }

    fn compare(&self, a: Candidate, b: Candidate) -> Ordering {
        a.score
            .total_cmp(&b.score)
            .then(a.height.cmp(&b.height))
            .then_with(|| self.lattice.levels(a.id).cmp(&self.lattice.levels(b.id)))
    }
}

/// The groups of an evaluated node.
struct KeptGroups {
    levels: Vec<usize>,
    grouping: Grouping,
}

/// One node to evaluate: its levels and, when one is kept, the groups of an
/// ancestor to refine with the quasi-identifiers in which it differs.
struct Job<'a> {
    levels: Vec<usize>,
    ancestor: Option<(&'a Grouping, Vec<usize>)>,
}

impl Job<'_> {
    fn ancestor(&self) -> Option<(&Grouping, &[usize])> {
        self.ancestor
            .as_ref()
            .map(|(grouping, differing)| (*grouping, differing.as_slice()))
    }
}

/// Evaluates `jobs` on up to `threads` scoped threads and returns the
/// outcomes and groups in the order of `jobs`.
fn evaluate_parallel(
    problem: &Problem,
    jobs: &[Job<'_>],
    threads: usize,
) -> Vec<(Outcome, Grouping)> {
    let workers = threads.min(jobs.len());
    if workers <= 1 {
        let mut scratch = Scratch::default();
        return jobs
            .iter()
            .map(|job| evaluate(problem, &job.levels, job.ancestor(), &mut scratch))
            .collect();
    }

    // Workers take the next unclaimed node, so a slow node does not hold
    // up a whole share of the batch.
    let next = AtomicUsize::new(0);
    let mut indexed: Vec<(usize, (Outcome, Grouping))> = thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    let mut scratch = Scratch::default();
                    loop {
                        let index = next.fetch_add(1, AtomicOrdering::Relaxed);
                        let Some(job) = jobs.get(index) else {
                            return done;
                        };
                        let result = evaluate(problem, &job.levels, job.ancestor(), &mut scratch);
                        done.push((index, result));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| match handle.join() {
                Ok(done) => done,
                // Evaluation has no panicking paths; if one appears, the
                // panic carries on in this thread.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    indexed.sort_unstable_by_key(|(index, _)| *index);
    indexed.into_iter().map(|(_, result)| result).collect()
}

/// Number of threads to evaluate nodes on: the available parallelism.
pub(crate) fn default_threads() -> usize {
    thread::available_parallelism().map_or(1, NonZero::get)
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;
    use crate::dataset::Dataset;
    use crate::hierarchy::Hierarchy;
    use crate::settings::{LDiversity, Metric, QuasiIdentifier, Settings};

    /// Deterministic pseudo-random numbers (a 64-bit LCG), enough to vary
    /// test inputs.
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

    fn quasi_identifiers() -> Vec<QuasiIdentifier> {
        let a = Hierarchy::intervals(["0", "1", "2", "3", "4", "5", "6", "7"], &[2, 4]).unwrap();
        let b = Hierarchy::from_csv_str("x0;x;*\nx1;x;*\nx2;y;*\nx3;y;*\nx4;y;*\n").unwrap();
        let c = Hierarchy::from_csv_str("c0;*\nc1;*\nc2;*\n").unwrap();
        vec![
            QuasiIdentifier::new("a", a),
            QuasiIdentifier::new("b", b),
            QuasiIdentifier::new("c", c),
        ]
    }

    fn random_data(rng: &mut Lcg, records: usize) -> Dataset {
        let mut text = String::from("a;b;c;s;n\n");
        for _ in 0..records {
            let a = rng.below(8);
            let b = rng.below(5);
            // About one value in eight is missing.
            let c = match rng.below(8) {
                0 => String::new(),
                value => format!("c{}", value % 3),
            };
            let s = match rng.below(10) {
                0 => String::new(),
                value => format!("s{}", value % 4),
            };
            let n = rng.below(6) * 10;
            text.push_str(&format!("{a};x{b};{c};{s};{n}\n"));
        }
        Dataset::from_csv_str(&text, b';').unwrap()
    }

    /// Scores every node straight from the strings, without the encoding,
    /// and returns the score of each solution by levels.
    fn reference_scores(
        data: &Dataset,
        qis: &[QuasiIdentifier],
        settings: &Settings,
    ) -> HashMap<Vec<usize>, f64> {
        let records = data.len();
        let max_suppressed = settings.max_suppressed(records);
        let qi_index: Vec<usize> = qis
            .iter()
            .map(|qi| data.column_index(&qi.column).unwrap())
            .collect();
        let sensitive_index: Vec<usize> = settings
            .sensitive
            .iter()
            .map(|column| data.column_index(column).unwrap())
            .collect();

        let heights: Vec<usize> = qis.iter().map(|qi| qi.hierarchy.height()).collect();
        let lattice = Lattice::new(&heights).unwrap();
        let mut scores = HashMap::new();
        for id in 0..lattice.size() {
            let levels = lattice.levels(id);
            let label = |row: &Vec<Option<String>>, q: usize| -> Option<String> {
                row[qi_index[q]].as_deref().map(|value| {
                    qis[q]
                        .hierarchy
                        .generalise(value, levels[q])
                        .unwrap()
                        .to_owned()
                })
            };
            let mut groups: HashMap<Vec<Option<String>>, Vec<usize>> = HashMap::new();
            for (number, row) in data.rows().iter().enumerate() {
                let key = (0..qis.len()).map(|q| label(row, q)).collect();
                groups.entry(key).or_default().push(number);
            }

            let mut suppressed_rows = HashSet::new();
            for members in groups.values() {
                let mut fails = members.len() < settings.k;
                for &column in &sensitive_index {
                    let mut counts: HashMap<Option<&str>, usize> = HashMap::new();
                    for &member in members {
                        *counts
                            .entry(data.rows()[member][column].as_deref())
                            .or_default() += 1;
                    }
                    match settings.l {
                        Some(LDiversity::Distinct { l }) => fails |= counts.len() < l,
                        Some(LDiversity::Entropy { l }) => {
                            let size = members.len() as f64;
                            let entropy: f64 = counts
                                .values()
                                .map(|&count| {
                                    let share = count as f64 / size;
                                    -share * share.ln()
                                })
                                .sum();
                            fails |= entropy < l.ln() - 1e-9;
                        }
                        None => {}
                    }
                    if let Some(t) = settings.t {
                        fails |=
                            reference_distance(data, column, &counts, members.len()) > t + 1e-9;
                    }
                }
                if fails {
                    suppressed_rows.extend(members.iter().copied());
                }
            }
            let suppressed = suppressed_rows.len();
            if suppressed > max_suppressed || suppressed == records {
                continue;
            }

            let score = match settings.metric {
                Metric::Loss => {
                    let mut total = 0.0;
                    for (number, row) in data.rows().iter().enumerate() {
                        for q in 0..qis.len() {
                            if suppressed_rows.contains(&number) {
                                total += 1.0;
                                continue;
                            }
                            let Some(generalised) = label(row, q) else {
                                continue;
                            };
                            let hierarchy = &qis[q].hierarchy;
                            let covered = hierarchy
                                .rows()
                                .iter()
                                .filter(|leaf| leaf[levels[q]] == generalised)
                                .count();
                            total += (covered - 1) as f64 / (hierarchy.domain_size() - 1) as f64;
                        }
                    }
                    total / (records * qis.len()) as f64
                }
                Metric::Entropy => {
                    let mut total = 0.0;
                    for q in 0..qis.len() {
                        let count_where = |matches: &dyn Fn(&Vec<Option<String>>) -> bool| {
                            data.rows().iter().filter(|row| matches(row)).count() as f64
                        };
                        for (number, row) in data.rows().iter().enumerate() {
                            let original = &row[qi_index[q]];
                            let same_original =
                                count_where(&|other| other[qi_index[q]] == *original);
                            if suppressed_rows.contains(&number) {
                                total += (records as f64 / same_original).log2();
                            } else if original.is_some() {
                                let released = label(row, q);
                                let same_released =
                                    count_where(&|other| label(other, q) == released);
                                total += (same_released / same_original).log2();
                            }
                        }
                    }
                    total
                }
                Metric::Discernibility => {
                    let released: usize = groups
                        .values()
                        .filter(|members| !suppressed_rows.contains(&members[0]))
                        .map(|members| members.len() * members.len())
                        .sum();
                    (released + records * suppressed) as f64
                }
            };
            scores.insert(levels, score);
        }
        scores
    }

    /// Earth mover's distance of a group's sensitive `counts` from the
    /// column's distribution over all records, straight from the
    /// definitions: ordered when every value is a number, equal otherwise.
    fn reference_distance(
        data: &Dataset,
        column: usize,
        counts: &HashMap<Option<&str>, usize>,
        size: usize,
    ) -> f64 {
        let mut overall: HashMap<Option<&str>, usize> = HashMap::new();
        for row in data.rows() {
            *overall.entry(row[column].as_deref()).or_default() += 1;
        }
        let records = data.len() as f64;
        let numeric = overall
            .keys()
            .all(|value| value.is_some_and(|text| text.parse::<f64>().is_ok()));
        if !numeric {
            let sum: f64 = overall
                .iter()
                .map(|(value, &count)| {
                    let share = counts.get(value).copied().unwrap_or(0) as f64 / size as f64;
                    (share - count as f64 / records).abs()
                })
                .sum();
            return sum / 2.0;
        }
        let mut values: Vec<Option<&str>> = overall.keys().copied().collect();
        values.sort_by(|a, b| {
            let number = |value: &Option<&str>| value.unwrap().parse::<f64>().unwrap();
            number(a).total_cmp(&number(b))
        });
        if values.len() < 2 {
            return 0.0;
        }
        let mut running = 0.0;
        let mut total = 0.0;
        for value in &values {
            let share = counts.get(value).copied().unwrap_or(0) as f64 / size as f64;
            running += share - overall[value] as f64 / records;
            total += f64::abs(running);
        }
        total / (values.len() - 1) as f64
    }

    #[test]
    fn pruned_search_matches_exhaustive_reference() {
        let mut rng = Lcg(20_240_917);
        let qis = quasi_identifiers();
        let mut nodes_total = 0;
        let mut nodes_checked = 0;
        for case in 0..120 {
            let records = 20 + rng.below(60) as usize;
            let data = random_data(&mut rng, records);
            let mut settings = Settings::k_anonymity(1 + rng.below(5) as usize);
            settings.suppression_limit = [0.0, 0.05, 0.2, 0.5][rng.below(4) as usize];
            settings.metric =
                [Metric::Loss, Metric::Entropy, Metric::Discernibility][rng.below(3) as usize];
            match rng.below(5) {
                0 => {}
                3 => {
                    settings.sensitive = vec!["n".to_owned()];
                    settings.t = Some(rng.below(6) as f64 / 10.0);
                }
                4 => {
                    settings.sensitive = vec!["s".to_owned()];
                    settings.t = Some(rng.below(6) as f64 / 10.0);
                    settings.l = Some(LDiversity::Distinct { l: 2 });
                }
                1 => {
                    settings.sensitive = vec!["s".to_owned()];
                    settings.l = Some(LDiversity::Distinct {
                        l: 1 + rng.below(3) as usize,
                    });
                }
                _ => {
                    settings.sensitive = vec!["s".to_owned()];
                    settings.l = Some(LDiversity::Entropy {
                        l: 1.0 + rng.below(20) as f64 / 10.0,
                    });
                }
            }

            let reference = reference_scores(&data, &qis, &settings);
            let best_reference = reference.values().copied().fold(f64::INFINITY, f64::min);
            let problem = Problem::encode(&data, &qis, &settings).unwrap();
            for threads in [1, 2] {
                let found = search(&problem, threads).unwrap();
                match &found {
                    None => assert!(reference.is_empty(), "case {case}: missed a solution"),
                    Some(result) => {
                        let chosen = reference.get(&result.levels).copied();
                        assert!(
                            chosen.is_some(),
                            "case {case}: {:?} is no solution",
                            result.levels
                        );
                        assert!(
                            (result.score - best_reference).abs() < 1e-9,
                            "case {case}: score {} but the optimum is {best_reference}",
                            result.score
                        );
                        assert!(
                            (chosen.unwrap_or(f64::NAN) - result.score).abs() < 1e-9,
                            "case {case}: reference scores the chosen node differently"
                        );
                        nodes_total += result.nodes_total;
                        nodes_checked += result.nodes_checked;
                    }
                }
            }
        }
        assert!(
            nodes_checked < nodes_total,
            "pruning skipped no node: {nodes_checked} of {nodes_total} checked"
        );
    }

    #[test]
    fn tie_goes_to_lower_node() {
        // Every node is 1-anonymous with nothing suppressed. Under
        // discernibility, the ungeneralised node ties with every node that
        // keeps the two records apart, and the lowest of them must win.
        let data = Dataset::from_csv_str("a;b\n1;x\n2;y\n", b';').unwrap();
        let qis = vec![
            QuasiIdentifier::new("a", Hierarchy::from_csv_str("1;*\n2;*\n").unwrap()),
            QuasiIdentifier::new("b", Hierarchy::from_csv_str("x;*\ny;*\n").unwrap()),
        ];
        let mut settings = Settings::k_anonymity(1);
        settings.metric = Metric::Discernibility;
        let problem = Problem::encode(&data, &qis, &settings).unwrap();
        let result = search(&problem, 1).unwrap().unwrap();
        assert_eq!(result.levels, vec![0, 0]);
        assert_eq!(result.score, 2.0);
    }

    #[test]
    fn failing_top_node_means_no_solution() {
        let data = Dataset::from_csv_str("a\n1\n2\n", b';').unwrap();
        let qis = vec![QuasiIdentifier::new(
            "a",
            Hierarchy::from_csv_str("1;*\n2;*\n").unwrap(),
        )];
        let problem = Problem::encode(&data, &qis, &Settings::k_anonymity(3)).unwrap();
        assert_eq!(search(&problem, 2).unwrap(), None);
    }
}
