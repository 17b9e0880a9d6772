use std::io::Write;

use crate::{DatasetError, Table};

/// Writes the table as comma-separated UTF-8 with a header row. A missing
/// value is an empty field.
pub fn write_csv(table: &Table, out: impl Write) -> Result<(), DatasetError> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(table.columns().iter().map(|column| column.name.as_str()))?;

    for row in 0..table.num_rows() {
        writer.write_record(
            table
                .columns()
                .iter()
                .map(|column| column.values[row].as_deref().unwrap_or("")),
        )?;
    }
    writer.flush()?;
    Ok(())
}
