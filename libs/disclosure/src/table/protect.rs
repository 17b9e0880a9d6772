//! Primary and secondary cell suppression.

use serde::Serialize;

use super::check::{Line, Pattern, TableViolation};
use super::{FrequencyTable, Label, MinCellCount, TableError, display_label};

/// Reason for suppressing an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SuppressionReason {
    /// The count is non-zero and below the minimum cell count.
    Primary,
    /// The entry is suppressed so that a primary one cannot be computed.
    Secondary,
}

/// A published table entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    Published(u64),
    Suppressed(SuppressionReason),
}

impl Cell {
    pub fn is_suppressed(self) -> bool {
        matches!(self, Self::Suppressed(_))
    }
}

/// A frequency table ready to publish.
///
/// Every non-zero count below the minimum, totals included, is suppressed
/// (primary). Further entries are suppressed (secondary) until no line
/// contains a single suppressed entry and no suppressed entry can be
/// computed from the published entries and totals, as
/// [`ProtectedTable::verify`] checks.
/// Secondary entries are chosen greedily, smallest count first, preferring
/// cells over totals and cells that also complete another line; zeros are
/// never chosen. The result is protected but not necessarily the smallest
/// possible suppression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProtectedTable {
    row_labels: Vec<Label>,
    column_labels: Vec<Label>,
    cells: Vec<Vec<Cell>>,
    row_totals: Vec<Cell>,
    column_totals: Vec<Cell>,
    grand_total: Cell,
    min_count: MinCellCount,
}

impl ProtectedTable {
    pub fn row_labels(&self) -> &[Label] {
        &self.row_labels
    }

    pub fn column_labels(&self) -> &[Label] {
        &self.column_labels
    }

    /// Entries, `cells()[row][column]`.
    pub fn cells(&self) -> &[Vec<Cell>] {
        &self.cells
    }

    pub fn row_totals(&self) -> &[Cell] {
        &self.row_totals
    }

    pub fn column_totals(&self) -> &[Cell] {
        &self.column_totals
    }

    pub fn grand_total(&self) -> Cell {
        self.grand_total
    }

    pub fn min_count(&self) -> MinCellCount {
        self.min_count
    }

    /// Returns the entry at the given labels (`None` is the missing
    /// category), or `None` when a label is not in the table.
    pub fn cell(&self, row: Option<&str>, column: Option<&str>) -> Option<Cell> {
        let row = self
            .row_labels
            .iter()
            .position(|label| label.as_deref() == row)?;
        let column = self
            .column_labels
            .iter()
            .position(|label| label.as_deref() == column)?;
        Some(self.cells[row][column])
    }

    /// Number of suppressed entries, totals included, for `reason`.
    pub fn suppressed_count(&self, reason: SuppressionReason) -> usize {
        self.entries()
            .filter(|entry| *entry == Cell::Suppressed(reason))
            .count()
    }

    /// Checks that no published entry is a non-zero count below the
    /// minimum, that no row or column (totals included) contains exactly one
    /// suppressed entry, and that no suppressed entry can be computed from
    /// the published entries and totals.
    pub fn verify(&self) -> Result<(), TableViolation> {
        let rows = self.row_labels.len() + 1;
        let columns = self.column_labels.len() + 1;
        let grid: Vec<Cell> = (0..rows)
            .flat_map(|row| (0..columns).map(move |column| (row, column)))
            .map(|(row, column)| self.entry(row, column))
            .collect();

        let min = self.min_count.get();
        for (position, entry) in grid.iter().enumerate() {
            if let Cell::Published(count) = *entry
                && count > 0
                && count < min
            {
                return Err(TableViolation::SmallCountPublished {
                    row: self.row_name(position / columns),
                    column: self.column_name(position % columns),
                    count,
                    min,
                });
            }
        }

        let suppressed: Vec<bool> = grid.iter().map(|entry| entry.is_suppressed()).collect();
        let pattern = Pattern {
            rows,
            columns,
            suppressed: &suppressed,
        };
        if let Some((line, row, column)) = pattern.find_single() {
            return Err(TableViolation::SingleSuppressedInLine {
                line: self.line_name(line),
                row: self.row_name(row),
                column: self.column_name(column),
            });
        }
        if let Some(bridge) = pattern.find_bridge() {
            return Err(TableViolation::Determined {
                row: self.row_name(bridge.row),
                column: self.column_name(bridge.column),
            });
        }
        Ok(())
    }

    /// Entry of the extended grid: totals in the last row and column.
    fn entry(&self, row: usize, column: usize) -> Cell {
        let rows = self.row_labels.len();
        let columns = self.column_labels.len();
        match (row == rows, column == columns) {
            (false, false) => self.cells[row][column],
            (false, true) => self.row_totals[row],
            (true, false) => self.column_totals[column],
            (true, true) => self.grand_total,
        }
    }

    fn entries(&self) -> impl Iterator<Item = Cell> + '_ {
        self.cells
            .iter()
            .flatten()
            .chain(&self.row_totals)
            .chain(&self.column_totals)
            .chain(std::iter::once(&self.grand_total))
            .copied()
    }

    fn row_name(&self, row: usize) -> String {
        self.row_labels
            .get(row)
            .map_or_else(|| "total".to_owned(), display_label)
    }

    fn column_name(&self, column: usize) -> String {
        self.column_labels
            .get(column)
            .map_or_else(|| "total".to_owned(), display_label)
    }

    fn line_name(&self, line: Line) -> String {
        match line {
            Line::Row(row) if row == self.row_labels.len() => "the row of column totals".to_owned(),
            Line::Row(row) => format!("row {}", self.row_name(row)),
            Line::Column(column) if column == self.column_labels.len() => {
                "the column of row totals".to_owned()
            }
            Line::Column(column) => format!("column {}", self.column_name(column)),
        }
    }
}

/// The table with its totals as one grid; see the `check` module.
struct Grid {
    rows: usize,
    columns: usize,
    values: Vec<u64>,
    reasons: Vec<Option<SuppressionReason>>,
}

impl Grid {
    fn new(table: &FrequencyTable) -> Self {
        let rows = table.row_labels.len() + 1;
        let columns = table.column_labels.len() + 1;
        let mut values = Vec::with_capacity(rows * columns);
        for (cells, &total) in table.cells.iter().zip(&table.row_totals) {
            values.extend_from_slice(cells);
            values.push(total);
        }
        values.extend_from_slice(&table.column_totals);
        values.push(table.grand_total);
        Self {
            rows,
            columns,
            values,
            reasons: vec![None; rows * columns],
        }
    }

    fn position(&self, row: usize, column: usize) -> usize {
        row * self.columns + column
    }

    fn is_total(&self, row: usize, column: usize) -> bool {
        row + 1 == self.rows || column + 1 == self.columns
    }

    fn suppressed(&self) -> Vec<bool> {
        self.reasons.iter().map(Option::is_some).collect()
    }

    /// Returns whether the entry may be suppressed as a complement, that is
    /// whether it is published and non-zero. A suppressed zero could be
    /// pinned by non-negativity.
    fn is_candidate(&self, row: usize, column: usize) -> bool {
        let position = self.position(row, column);
        self.reasons[position].is_none() && self.values[position] > 0
    }
}

pub(super) fn protect(
    table: &FrequencyTable,
    min_count: MinCellCount,
) -> Result<ProtectedTable, TableError> {
    let mut grid = Grid::new(table);
    for (value, reason) in grid.values.iter().zip(grid.reasons.iter_mut()) {
        if *value > 0 && *value < min_count.get() {
            *reason = Some(SuppressionReason::Primary);
        }
    }

    suppress_complements(&mut grid).map_err(|(row, column)| cannot_protect(table, row, column))?;

    let protected = build(table, &grid, min_count);
    protected.verify()?;
    Ok(protected)
}

/// Adds secondary suppressions until no line contains a single suppressed
/// entry and no suppressed entry is a bridge. Fails with the entry that no
/// published non-zero entry can protect.
fn suppress_complements(grid: &mut Grid) -> Result<(), (usize, usize)> {
    // Every pass suppresses one more entry, so the loop ends after at most
    // as many passes as the grid has entries.
    loop {
        let suppressed = grid.suppressed();
        let pattern = Pattern {
            rows: grid.rows,
            columns: grid.columns,
            suppressed: &suppressed,
        };
        let choice = if let Some((line, row, column)) = pattern.find_single() {
            choose_in_line(grid, &pattern, line).ok_or((row, column))?
        } else if let Some(bridge) = pattern.find_bridge() {
            choose_across_bridge(grid, &bridge.row_side, &bridge.column_side)
                .ok_or((bridge.row, bridge.column))?
        } else {
            return Ok(());
        };
        let position = grid.position(choice.0, choice.1);
        grid.reasons[position] = Some(SuppressionReason::Secondary);
    }
}

/// Picks the complement for a line with one suppressed entry: a cell before
/// a total, then an entry whose crossing line also has a single suppressed
/// entry (one suppression fixes both), then the smallest count.
fn choose_in_line(grid: &Grid, pattern: &Pattern, line: Line) -> Option<(usize, usize)> {
    let entries: Vec<(usize, usize)> = match line {
        Line::Row(row) => (0..grid.columns).map(|column| (row, column)).collect(),
        Line::Column(column) => (0..grid.rows).map(|row| (row, column)).collect(),
    };
    entries
        .into_iter()
        .filter(|&(row, column)| grid.is_candidate(row, column))
        .min_by_key(|&(row, column)| {
            let crossing = match line {
                Line::Row(_) => Line::Column(column),
                Line::Column(_) => Line::Row(row),
            };
            let completes_crossing = pattern.count_in(crossing) == 1;
            (
                grid.is_total(row, column),
                !completes_crossing,
                grid.values[grid.position(row, column)],
                row,
                column,
            )
        })
}

/// Picks an entry that closes a cycle through a bridge: one joining a row
/// on one side of it to a column on the other side. Cells before totals,
/// then the smallest count.
fn choose_across_bridge(
    grid: &Grid,
    row_side: &[bool],
    column_side: &[bool],
) -> Option<(usize, usize)> {
    let rows = grid.rows;
    (0..rows)
        .flat_map(|row| (0..grid.columns).map(move |column| (row, column)))
        .filter(|&(row, column)| {
            let crosses = (row_side[row] && column_side[rows + column])
                || (column_side[row] && row_side[rows + column]);
            crosses && grid.is_candidate(row, column)
        })
        .min_by_key(|&(row, column)| {
            (
                grid.is_total(row, column),
                grid.values[grid.position(row, column)],
                row,
                column,
            )
        })
}

fn cannot_protect(table: &FrequencyTable, row: usize, column: usize) -> TableError {
    let name = |labels: &[Label], index: usize| {
        labels
            .get(index)
            .map_or_else(|| "total".to_owned(), display_label)
    };
    TableError::CannotProtect {
        row_label: name(&table.row_labels, row),
        column_label: name(&table.column_labels, column),
    }
}

fn build(table: &FrequencyTable, grid: &Grid, min_count: MinCellCount) -> ProtectedTable {
    let entry = |row: usize, column: usize| {
        let position = grid.position(row, column);
        match grid.reasons[position] {
            Some(reason) => Cell::Suppressed(reason),
            None => Cell::Published(grid.values[position]),
        }
    };
    let rows = table.row_labels.len();
    let columns = table.column_labels.len();
    ProtectedTable {
        row_labels: table.row_labels.clone(),
        column_labels: table.column_labels.clone(),
        cells: (0..rows)
            .map(|row| (0..columns).map(|column| entry(row, column)).collect())
            .collect(),
        row_totals: (0..rows).map(|row| entry(row, columns)).collect(),
        column_totals: (0..columns).map(|column| entry(rows, column)).collect(),
        grand_total: entry(rows, columns),
        min_count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(names: &[&str]) -> Vec<Label> {
        names.iter().map(|name| Some((*name).to_owned())).collect()
    }

    fn table(rows: &[&str], columns: &[&str], cells: Vec<Vec<u64>>) -> FrequencyTable {
        FrequencyTable::from_cells(labels(rows), labels(columns), cells).unwrap()
    }

    #[test]
    fn small_total_is_suppressed() {
        let protected = table(&["a", "b"], &["x", "y"], vec![vec![2, 2], vec![30, 40]])
            .protect(MinCellCount::default())
            .unwrap();
        assert_eq!(
            protected.row_totals()[0],
            Cell::Suppressed(SuppressionReason::Primary)
        );
        assert_eq!(
            protected.cells()[0][0],
            Cell::Suppressed(SuppressionReason::Primary)
        );
        assert_eq!(protected.verify(), Ok(()));
    }

    #[test]
    fn table_without_small_cells_is_unchanged() {
        let protected = table(&["a", "b"], &["x", "y"], vec![vec![5, 0], vec![30, 40]])
            .protect(MinCellCount::default())
            .unwrap();
        assert_eq!(protected.suppressed_count(SuppressionReason::Primary), 0);
        assert_eq!(protected.suppressed_count(SuppressionReason::Secondary), 0);
        assert_eq!(protected.cells()[0][1], Cell::Published(0));
    }

    #[test]
    fn zero_is_never_a_complement() {
        // Row a: the small cell 3 must be paired with the 9, not the 0.
        let protected = table(
            &["a", "b"],
            &["x", "y", "z"],
            vec![vec![3, 0, 9], vec![20, 30, 40]],
        )
        .protect(MinCellCount::default())
        .unwrap();
        assert_eq!(protected.cells()[0][1], Cell::Published(0));
        assert!(protected.cells()[0][2].is_suppressed());
        assert_eq!(protected.verify(), Ok(()));
    }

    #[test]
    fn bridge_gets_closed() {
        // Two suppressed rectangles are joined by entry (1, 2) of a 4 x 4
        // table, a 5 x 5 grid with totals. No line has a single suppressed
        // entry, but (1, 2) is a bridge until a cell joins the two sides.
        let source = table(
            &["r0", "r1", "r2", "r3"],
            &["c0", "c1", "c2", "c3"],
            vec![
                vec![10, 11, 12, 13],
                vec![14, 15, 16, 17],
                vec![18, 19, 20, 21],
                vec![22, 23, 24, 25],
            ],
        );

        let mut grid = Grid::new(&source);
        for (row, column) in [
            (0, 0),
            (0, 1),
            (1, 0),
            (1, 1),
            (1, 2),
            (2, 2),
            (2, 3),
            (3, 2),
            (3, 3),
        ] {
            let position = grid.position(row, column);
            grid.reasons[position] = Some(SuppressionReason::Primary);
        }
        suppress_complements(&mut grid).unwrap();

        let added: Vec<(usize, usize)> = (0..grid.rows)
            .flat_map(|row| (0..grid.columns).map(move |column| (row, column)))
            .filter(|&(row, column)| {
                grid.reasons[grid.position(row, column)] == Some(SuppressionReason::Secondary)
            })
            .collect();
        // The smallest entry joining rows {0, 1} with columns {2, 3} or rows
        // {2, 3} with columns {0, 1} is (0, 2) = 12.
        assert_eq!(added, vec![(0, 2)]);

        let protected = build(&source, &grid, MinCellCount::default());
        assert_eq!(protected.verify(), Ok(()));
    }

    #[test]
    fn verify_reports_single_suppressed_entry() {
        let mut protected = table(&["a", "b"], &["x", "y"], vec![vec![20, 30], vec![40, 50]])
            .protect(MinCellCount::default())
            .unwrap();
        protected.cells[1][0] = Cell::Suppressed(SuppressionReason::Secondary);
        assert_eq!(
            protected.verify(),
            Err(TableViolation::SingleSuppressedInLine {
                line: "row b".to_owned(),
                row: "b".to_owned(),
                column: "x".to_owned(),
            })
        );
    }

    #[test]
    fn verify_reports_published_small_count() {
        let mut protected = table(&["a"], &["x"], vec![vec![20]])
            .protect(MinCellCount::default())
            .unwrap();
        protected.cells[0][0] = Cell::Published(2);
        assert!(matches!(
            protected.verify(),
            Err(TableViolation::SmallCountPublished { count: 2, .. })
        ));
    }

    #[test]
    fn cell_looks_up_labels() {
        let protected = table(&["a"], &["x"], vec![vec![20]])
            .protect(MinCellCount::default())
            .unwrap();
        assert_eq!(
            protected.cell(Some("a"), Some("x")),
            Some(Cell::Published(20))
        );
        assert_eq!(protected.cell(Some("b"), Some("x")), None);
    }
}
