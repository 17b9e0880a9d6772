//! The generalisation lattice: one node per combination of levels, one level
//! per quasi-identifier.
//!
//! Node ids are mixed-radix numbers whose digit `q` is the level of
//! quasi-identifier `q`, so id 0 is the ungeneralised data and the last id is
//! the node where every quasi-identifier is at its root.

use crate::error::DisclosureError;

/// Largest lattice the search accepts. The search keeps a few bytes of state
/// per node and may have to check every node, so a larger lattice calls for
/// fewer quasi-identifiers or shorter hierarchies.
pub(crate) const MAX_NODES: usize = 1_000_000;

#[derive(Debug, Clone)]
pub(crate) struct Lattice {
    /// Number of levels of each quasi-identifier's hierarchy.
    heights: Vec<usize>,
    strides: Vec<usize>,
    size: usize,
}

impl Lattice {
    pub(crate) fn new(heights: &[usize]) -> Result<Self, DisclosureError> {
        let nodes: u128 = heights.iter().map(|&height| height as u128).product();
        if nodes > MAX_NODES as u128 {
            return Err(DisclosureError::LatticeTooLarge {
                nodes,
                limit: MAX_NODES,
            });
        }
        let mut strides = Vec::with_capacity(heights.len());
        let mut stride = 1;
        for &height in heights {
            strides.push(stride);
            stride *= height;
        }
        Ok(Self {
            heights: heights.to_vec(),
            strides,
            size: stride,
        })
    }

    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// Returns the node with every quasi-identifier at its root.
    pub(crate) fn top(&self) -> usize {
        self.size - 1
    }

    pub(crate) fn levels(&self, id: usize) -> Vec<usize> {
        self.heights
            .iter()
            .zip(&self.strides)
            .map(|(&height, &stride)| level_in(id, stride, height))
            .collect()
    }

    /// Sum of the levels: the node's distance from the ungeneralised data.
    pub(crate) fn height_of(&self, id: usize) -> usize {
        self.levels(id).iter().sum()
    }

    /// Highest node height.
    pub(crate) fn max_height(&self) -> usize {
        self.heights.iter().map(|height| height - 1).sum()
    }

    /// Nodes one step more general: one quasi-identifier one level higher.
    pub(crate) fn parents(&self, id: usize) -> impl Iterator<Item = usize> + '_ {
        self.heights
            .iter()
            .zip(&self.strides)
            .filter(move |&(&height, &stride)| level_in(id, stride, height) + 1 < height)
            .map(move |(_, &stride)| id + stride)
    }

    /// Nodes one step more specific: one quasi-identifier one level lower.
    pub(crate) fn children(&self, id: usize) -> impl Iterator<Item = usize> + '_ {
        self.heights
            .iter()
            .zip(&self.strides)
            .filter(move |&(&height, &stride)| level_in(id, stride, height) > 0)
            .map(move |(_, &stride)| id - stride)
    }

    /// Node ids grouped by height, each group in ascending id order.
    pub(crate) fn nodes_by_height(&self) -> Vec<Vec<usize>> {
        let mut buckets = vec![Vec::new(); self.max_height() + 1];
        for id in 0..self.size {
            buckets[self.height_of(id)].push(id);
        }
        buckets
    }
}

/// Level of the quasi-identifier with `stride` and `height` in node `id`.
fn level_in(id: usize, stride: usize, height: usize) -> usize {
    id / stride % height
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_levels() {
        let lattice = Lattice::new(&[2, 3, 4]).unwrap();
        assert_eq!(lattice.size(), 24);
        assert_eq!(lattice.levels(0), vec![0, 0, 0]);
        assert_eq!(lattice.levels(lattice.top()), vec![1, 2, 3]);
        assert_eq!(lattice.levels(1 + 2 * 2 + 3 * 6), vec![1, 2, 3]);
        assert_eq!(lattice.max_height(), 6);
    }

    #[test]
    fn parents_and_children_are_one_step() {
        let lattice = Lattice::new(&[2, 3]).unwrap();
        // Node (0, 1) has id 2.
        let parents: Vec<Vec<usize>> = lattice.parents(2).map(|id| lattice.levels(id)).collect();
        assert_eq!(parents, vec![vec![1, 1], vec![0, 2]]);
        let children: Vec<Vec<usize>> = lattice.children(2).map(|id| lattice.levels(id)).collect();
        assert_eq!(children, vec![vec![0, 0]]);
        assert_eq!(lattice.parents(lattice.top()).count(), 0);
        assert_eq!(lattice.children(0).count(), 0);
    }

    #[test]
    fn heights_bucket_every_node() {
        let lattice = Lattice::new(&[2, 3]).unwrap();
        let buckets = lattice.nodes_by_height();
        assert_eq!(buckets, vec![vec![0], vec![1, 2], vec![3, 4], vec![5]]);
    }

    #[test]
    fn oversized_lattice_is_rejected() {
        let error = Lattice::new(&[10; 7]).unwrap_err();
        assert!(matches!(error, DisclosureError::LatticeTooLarge { .. }));
    }
}
