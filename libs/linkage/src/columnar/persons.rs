//! The persons file: one row per cohort person in pseudonym-hash order,
//! with the spine values, death and emigration among them.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{ArrayRef, Date32Array, Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;

use crate::columnar::cohort::Cohort;
use crate::columnar::deliver::{write_error, writer_properties};
use crate::columnar::error::RunError;
use crate::columnar::pseudonyms::Pseudonyms;
use crate::columnar::spine::{NO_DATE, NO_YEAR, Spine};

/// Rows per written batch.
const ROWS_PER_BATCH: usize = 64 * 1024;

/// File name of the persons file in the output folder.
pub const PERSONS_FILE: &str = "persons.parquet";

/// Writes the cohort persons to `persons.parquet` in `out_dir`.
pub(crate) fn write_persons(
    out_dir: &Path,
    spine: &Spine,
    cohort: &Cohort,
    pseudonyms: &Pseudonyms,
) -> Result<(), RunError> {
    let path = out_dir.join(PERSONS_FILE);
    let mut fields = vec![Field::new("pseudonym", DataType::Utf8, false)];
    let with_sex = !spine.sex.is_empty();
    let with_year = !spine.birth_year.is_empty();
    let with_birth = !spine.birth_date.is_empty();
    let with_death = !spine.death_date.is_empty();
    let with_emigration = !spine.emigration_date.is_empty();
    if with_sex {
        fields.push(Field::new("sex", DataType::Utf8, true));
    }
    if with_year {
        fields.push(Field::new("birth_year", DataType::Int64, true));
    }
    for (present, name) in [
        (with_birth, "birth_date"),
        (with_death, "death_date"),
        (with_emigration, "emigration_date"),
    ] {
        if present {
            fields.push(Field::new(name, DataType::Date32, true));
        }
    }
    let schema = Arc::new(Schema::new(fields));
    let file = File::create(&path).map_err(|error| write_error(&path, error))?;
    let properties = writer_properties(&["pseudonym".to_owned()]);
    let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(properties))
        .map_err(|error| write_error(&path, error))?;

    let members: Vec<u32> = pseudonyms
        .order
        .iter()
        .copied()
        .filter(|person| cohort.contains(*person))
        .collect();
    for chunk in members.chunks(ROWS_PER_BATCH) {
        let at = |person: &u32| *person as usize;
        let dates = |values: &[i32]| -> ArrayRef {
            Arc::new(Date32Array::from_iter(chunk.iter().map(|person| {
                Some(values[at(person)]).filter(|day| *day != NO_DATE)
            })))
        };
        let pseudonym_column = pseudonyms
            .array(chunk.iter().map(|person| Some(*person)))
            .map_err(|error| write_error(&path, error))?;
        let mut columns: Vec<ArrayRef> = vec![Arc::new(pseudonym_column)];
        if with_sex {
            columns.push(Arc::new(StringArray::from_iter(chunk.iter().map(
                |person| match spine.sex[at(person)] {
                    1 => Some("male"),
                    2 => Some("female"),
                    _ => None,
                },
            ))));
        }
        if with_year {
            columns.push(Arc::new(Int64Array::from_iter(chunk.iter().map(
                |person| {
                    let year = spine.birth_year[at(person)];
                    (year != NO_YEAR).then_some(i64::from(year))
                },
            ))));
        }
        if with_birth {
            columns.push(dates(&spine.birth_date));
        }
        if with_death {
            columns.push(dates(&spine.death_date));
        }
        if with_emigration {
            columns.push(dates(&spine.emigration_date));
        }
        let batch = RecordBatch::try_new(schema.clone(), columns)
            .map_err(|error| write_error(&path, error))?;
        writer
            .write(&batch)
            .map_err(|error| write_error(&path, error))?;
    }
    writer.close().map_err(|error| write_error(&path, error))?;
    Ok(())
}
