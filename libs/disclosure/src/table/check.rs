//! Checks that a suppression pattern hides every suppressed value.
//!
//! The table is taken with its totals as a grid of `rows + 1` by
//! `columns + 1` entries: the last row contains the column totals, the last
//! column the row totals, and the corner the grand total. In every line of
//! this grid, the last entry is the sum of the others. Negating the totals
//! turns these equations into "every line sums to zero", so the suppressed
//! entries are the edges of a bipartite graph between lines (row vertices
//! and column vertices). The values consistent with the published entries
//! are the true values plus any circulation on that graph. A suppressed entry is
//! therefore determined exactly when its edge lies on no cycle, that is
//! when it is a bridge. A line with a single suppressed entry is the
//! simplest bridge. Every suppressed value is at least 1, so a cycle can
//! shift each of its entries by one in either direction without making any
//! value negative. Non-negativity therefore never pins a suppressed entry
//! that lies on a cycle.
//!
//! NOTE: the equations hold when totals are sums of their cells. For a
//! table of distinct persons where someone falls in several cells, a total
//! is smaller than that sum and the check is applied to the same pattern
//! all the same; it has not been shown to be sufficient in that case.

use std::collections::VecDeque;

use thiserror::Error;

/// A fault that the suppression pattern must not have.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TableViolation {
    #[error(
        "{line} has a single suppressed entry, ({row}, {column}), which the rest of the line reveals"
    )]
    SingleSuppressedInLine {
        line: String,
        row: String,
        column: String,
    },

    #[error(
        "suppressed entry ({row}, {column}) can be computed from the published entries and totals"
    )]
    Determined { row: String, column: String },

    #[error(
        "entry ({row}, {column}) = {count} is published but below the minimum cell count {min}"
    )]
    SmallCountPublished {
        row: String,
        column: String,
        count: u64,
        min: u64,
    },
}

/// A row or a column of the extended grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line {
    Row(usize),
    Column(usize),
}

/// Suppression flags of the extended grid, row-major.
#[derive(Debug)]
pub(crate) struct Pattern<'a> {
    pub rows: usize,
    pub columns: usize,
    pub suppressed: &'a [bool],
}

/// A bridge and the vertices on each side of it. Vertex `r` is row `r`,
/// vertex `rows + c` is column `c`.
#[derive(Debug)]
pub(crate) struct Bridge {
    pub row: usize,
    pub column: usize,
    pub row_side: Vec<bool>,
    pub column_side: Vec<bool>,
}

impl Pattern<'_> {
    pub(crate) fn is_suppressed(&self, row: usize, column: usize) -> bool {
        self.suppressed[row * self.columns + column]
    }

    /// Number of suppressed entries in `line`.
    pub(crate) fn count_in(&self, line: Line) -> usize {
        match line {
            Line::Row(row) => (0..self.columns)
                .filter(|&column| self.is_suppressed(row, column))
                .count(),
            Line::Column(column) => (0..self.rows)
                .filter(|&row| self.is_suppressed(row, column))
                .count(),
        }
    }

    /// Returns the first line, rows before columns, with exactly one
    /// suppressed entry, and that entry.
    pub(crate) fn find_single(&self) -> Option<(Line, usize, usize)> {
        for row in 0..self.rows {
            if self.count_in(Line::Row(row)) == 1 {
                let column = (0..self.columns).find(|&column| self.is_suppressed(row, column))?;
                return Some((Line::Row(row), row, column));
            }
        }
        for column in 0..self.columns {
            if self.count_in(Line::Column(column)) == 1 {
                let row = (0..self.rows).find(|&row| self.is_suppressed(row, column))?;
                return Some((Line::Column(column), row, column));
            }
        }
        None
    }

    /// Returns the first suppressed entry, row-major, that lies on no cycle.
    pub(crate) fn find_bridge(&self) -> Option<Bridge> {
        let adjacency = self.adjacency();
        for row in 0..self.rows {
            for column in 0..self.columns {
                if !self.is_suppressed(row, column) {
                    continue;
                }
                let row_side = self.reachable(&adjacency, row, (row, column));
                if !row_side[self.rows + column] {
                    let column_side = self.reachable(&adjacency, self.rows + column, (row, column));
                    return Some(Bridge {
                        row,
                        column,
                        row_side,
                        column_side,
                    });
                }
            }
        }
        None
    }

    /// Neighbours of each vertex through suppressed entries.
    fn adjacency(&self) -> Vec<Vec<usize>> {
        let mut adjacency = vec![Vec::new(); self.rows + self.columns];
        for row in 0..self.rows {
            for column in 0..self.columns {
                if self.is_suppressed(row, column) {
                    adjacency[row].push(self.rows + column);
                    adjacency[self.rows + column].push(row);
                }
            }
        }
        adjacency
    }

    /// Vertices reachable from `start` without using the entry `skipped`.
    fn reachable(
        &self,
        adjacency: &[Vec<usize>],
        start: usize,
        skipped: (usize, usize),
    ) -> Vec<bool> {
        let skipped_edge = (skipped.0, self.rows + skipped.1);
        let mut seen = vec![false; adjacency.len()];
        seen[start] = true;
        let mut queue = VecDeque::from([start]);
        while let Some(vertex) = queue.pop_front() {
            for &next in &adjacency[vertex] {
                let edge = (vertex.min(next), vertex.max(next));
                if edge == skipped_edge || seen[next] {
                    continue;
                }
                seen[next] = true;
                queue.push_back(next);
            }
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(rows: usize, columns: usize, cells: &[(usize, usize)]) -> Vec<bool> {
        let mut suppressed = vec![false; rows * columns];
        for &(row, column) in cells {
            suppressed[row * columns + column] = true;
        }
        suppressed
    }

    #[test]
    fn rectangle_has_no_fault() {
        let suppressed = pattern(3, 3, &[(0, 0), (0, 1), (1, 0), (1, 1)]);
        let grid = Pattern {
            rows: 3,
            columns: 3,
            suppressed: &suppressed,
        };
        assert_eq!(grid.find_single(), None);
        assert!(grid.find_bridge().is_none());
    }

    #[test]
    fn single_entry_in_row_is_found() {
        let suppressed = pattern(3, 3, &[(1, 2)]);
        let grid = Pattern {
            rows: 3,
            columns: 3,
            suppressed: &suppressed,
        };
        assert_eq!(grid.find_single(), Some((Line::Row(1), 1, 2)));
    }

    #[test]
    fn link_between_two_rectangles_is_a_bridge() {
        // Two suppressed rectangles joined by entry (1, 2): every line has 0
        // or at least 2 suppressed entries, yet (1, 2) is determined.
        let suppressed = pattern(
            5,
            5,
            &[
                (0, 0),
                (0, 1),
                (1, 0),
                (1, 1),
                (1, 2),
                (2, 2),
                (2, 3),
                (3, 2),
                (3, 3),
            ],
        );
        let grid = Pattern {
            rows: 5,
            columns: 5,
            suppressed: &suppressed,
        };
        assert_eq!(grid.find_single(), None);
        let bridge = grid.find_bridge().unwrap();
        assert_eq!((bridge.row, bridge.column), (1, 2));
        // Row 0 lies on the row side, column 3 on the column side.
        assert!(bridge.row_side[0]);
        assert!(bridge.column_side[5 + 3]);
        assert!(!bridge.row_side[5 + 3]);
    }
}
