//! Independent checks shared by the integration tests: of a protected
//! frequency table here, using the true values that a reader of the
//! published table does not have, and of released microdata in
//! [`checker`].

#![allow(dead_code, clippy::unwrap_used)]

pub mod checker;

use hap_disclosure::{Cell, FrequencyTable, ProtectedTable};

pub fn position(labels: &[Option<String>], name: &str) -> usize {
    labels
        .iter()
        .position(|label| label.as_deref() == Some(name))
        .unwrap()
}

pub struct Entry {
    pub row: String,
    pub column: String,
    pub value: u64,
    pub suppressed: bool,
}

/// A table with its totals as a (rows + 1) x (columns + 1) grid, row-major:
/// the last row contains the column totals and the last column the row totals.
pub struct Grid {
    pub rows: usize,
    pub columns: usize,
    pub entries: Vec<Entry>,
}

/// Builds the grid of `protected`, with true values from `table`. Panics if
/// a published value differs from the input.
pub fn extended_grid(table: &FrequencyTable, protected: &ProtectedTable) -> Grid {
    let rows = table.row_labels().len() + 1;
    let columns = table.column_labels().len() + 1;
    let name = |labels: &[Option<String>], index: usize| {
        labels.get(index).map_or("total".to_owned(), |label| {
            label.clone().unwrap_or_default()
        })
    };
    let mut entries = Vec::new();
    for row in 0..rows {
        for column in 0..columns {
            let (value, cell) = match (row + 1 == rows, column + 1 == columns) {
                (false, false) => (table.cells()[row][column], protected.cells()[row][column]),
                (false, true) => (table.row_totals()[row], protected.row_totals()[row]),
                (true, false) => (
                    table.column_totals()[column],
                    protected.column_totals()[column],
                ),
                (true, true) => (table.grand_total(), protected.grand_total()),
            };
            if let Cell::Published(published) = cell {
                assert_eq!(published, value, "published value differs from the input");
            }
            entries.push(Entry {
                row: name(table.row_labels(), row),
                column: name(table.column_labels(), column),
                value,
                suppressed: cell.is_suppressed(),
            });
        }
    }
    Grid {
        rows,
        columns,
        entries,
    }
}

/// Lines of the grid that hold exactly one suppressed entry.
pub fn lines_with_single_suppression(grid: &Grid) -> Vec<String> {
    let mut found = Vec::new();
    for row in 0..grid.rows {
        let count = (0..grid.columns)
            .filter(|&column| grid.entries[row * grid.columns + column].suppressed)
            .count();
        if count == 1 {
            found.push(format!("row {row}"));
        }
    }
    for column in 0..grid.columns {
        let count = (0..grid.rows)
            .filter(|&row| grid.entries[row * grid.columns + column].suppressed)
            .count();
        if count == 1 {
            found.push(format!("column {column}"));
        }
    }
    found
}

/// Suppressed entries that the line equations (in each line, the cells add
/// up to the total) fix to one value. An unknown is fixed exactly when its
/// unit vector lies in the row space of the equations restricted to the
/// unknowns, which Gaussian elimination decides.
pub fn computable_entries(grid: &Grid) -> Vec<String> {
    let unknowns: Vec<usize> = (0..grid.entries.len())
        .filter(|&index| grid.entries[index].suppressed)
        .collect();
    let column_of = |index: usize| unknowns.iter().position(|&unknown| unknown == index);

    let row_lines = (0..grid.rows).map(|row| {
        (0..grid.columns)
            .map(|column| row * grid.columns + column)
            .collect::<Vec<_>>()
    });
    let column_lines = (0..grid.columns).map(|column| {
        (0..grid.rows)
            .map(|row| row * grid.columns + column)
            .collect::<Vec<_>>()
    });
    let mut equations: Vec<Vec<f64>> = Vec::new();
    for line in row_lines.chain(column_lines) {
        let mut equation = vec![0.0; unknowns.len()];
        let total = line[line.len() - 1];
        for &index in &line {
            if let Some(position) = column_of(index) {
                equation[position] = if index == total { -1.0 } else { 1.0 };
            }
        }
        equations.push(equation);
    }

    let base_rank = rank(equations.clone());
    let mut computable = Vec::new();
    for (position, &index) in unknowns.iter().enumerate() {
        let mut with_unit = equations.clone();
        let mut unit = vec![0.0; unknowns.len()];
        unit[position] = 1.0;
        with_unit.push(unit);
        if rank(with_unit) == base_rank {
            let entry = &grid.entries[index];
            computable.push(format!(
                "({}, {}) = {}",
                entry.row, entry.column, entry.value
            ));
        }
    }
    computable
}

fn rank(mut matrix: Vec<Vec<f64>>) -> usize {
    let width = matrix.first().map_or(0, Vec::len);
    let mut rank = 0;
    for column in 0..width {
        let Some(pivot) = (rank..matrix.len()).find(|&row| matrix[row][column].abs() > 1e-9) else {
            continue;
        };
        matrix.swap(rank, pivot);
        let pivot_row = matrix[rank].clone();
        for (index, row) in matrix.iter_mut().enumerate() {
            if index != rank {
                let factor = row[column] / pivot_row[column];
                for (entry, pivot_entry) in row.iter_mut().zip(&pivot_row).skip(column) {
                    *entry -= factor * pivot_entry;
                }
            }
        }
        rank += 1;
    }
    rank
}
