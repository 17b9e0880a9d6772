//! The delivery pass: each registry's rows of cohort persons, with every
//! identifier replaced by its pseudonym, written as one Parquet file per
//! part, and every row counted by outcome and year.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray};
use arrow::compute::filter;
use arrow::datatypes::{DataType, Date32Type, Field, Schema, SchemaRef};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;
use hap_contracts::criteria::VariableType;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use crate::columnar::calendar::year_of;
use crate::columnar::cohort::Cohort;
use crate::columnar::descriptor::RegistryDescriptor;
use crate::columnar::error::RunError;
use crate::columnar::lists::{LeftOut, LeftOutSets};
use crate::columnar::pseudonyms::Pseudonyms;
use crate::columnar::report::{Count, IdentifierReport, RegistryReport, RowCounts};
use crate::columnar::resolve::Resolution;
use crate::columnar::source::{Batch, ColumnKind, ColumnRequest, Extract};
use crate::columnar::spine::Spine;
use crate::columnar::work::work_folder;

/// First year counted by year; earlier and later years count as unknown.
const FIRST_YEAR: i32 = 1800;
/// Year slots: one unknown slot, then 1800-2199.
const YEAR_SLOTS: usize = 401;

/// Inputs of one registry's delivery besides the registry itself.
pub(crate) struct Delivery<'a> {
    pub(crate) spine: &'a Spine,
    pub(crate) cohort: &'a Cohort,
    pub(crate) left_out: &'a LeftOutSets,
    pub(crate) pseudonyms: &'a Pseudonyms,
    pub(crate) out_dir: &'a Path,
}

/// The counts of one delivered part, and the persons whose rows of the
/// part are used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PartOutcome {
    /// Row counts per year slot: one unknown slot, then 1800-2199.
    pub(crate) years: Vec<RowCounts>,
    /// Row counts of each further identifier column.
    pub(crate) others: Vec<RowCounts>,
    /// Per variable, values that did not convert to its type.
    pub(crate) invalid_values: Vec<u64>,
    /// Bit set over spine positions.
    pub(crate) present: Vec<u64>,
}

impl PartOutcome {
    pub(crate) fn empty(descriptor: &RegistryDescriptor, persons: usize) -> Self {
        Self {
            years: vec![RowCounts::default(); YEAR_SLOTS],
            others: vec![RowCounts::default(); descriptor.identifiers.len() - 1],
            invalid_values: vec![0; descriptor.variables.len()],
            present: vec![0; persons.div_ceil(64)],
        }
    }
}

/// The columns a registry's delivery reads and writes.
struct OutputLayout {
    columns: Vec<ColumnRequest>,
    pseudonym_columns: Vec<String>,
    schema: SchemaRef,
    /// Position in `columns` of the date whose year groups the report.
    year_column: Option<usize>,
}

impl OutputLayout {
    fn of(descriptor: &RegistryDescriptor) -> Self {
        let mut columns: Vec<ColumnRequest> = descriptor
            .identifiers
            .iter()
            .map(|name| ColumnRequest {
                name: name.clone(),
                kind: ColumnKind::Identifier,
            })
            .collect();
        columns.extend(descriptor.variables.iter().map(|variable| ColumnRequest {
            name: variable.name.clone(),
            kind: ColumnKind::Typed(variable.kind),
        }));
        let pseudonym_columns: Vec<String> = descriptor
            .identifiers
            .iter()
            .map(|column| pseudonym_column(descriptor, column))
            .collect();
        let mut fields: Vec<Field> = pseudonym_columns
            .iter()
            .map(|name| Field::new(name, DataType::Utf8, true))
            .collect();
        fields.extend(
            descriptor
                .variables
                .iter()
                .map(|variable| Field::new(&variable.name, arrow_type(variable.kind), true)),
        );
        let year_column = descriptor.year.as_ref().and_then(|year| {
            descriptor
                .variables
                .iter()
                .position(|variable| &variable.name == year)
                .map(|position| position + descriptor.identifiers.len())
        });
        Self {
            columns,
            pseudonym_columns,
            schema: Arc::new(Schema::new(fields)),
            year_column,
        }
    }
}

/// Adds up the parts of a registry into its report.
pub(crate) fn registry_report(
    descriptor: &RegistryDescriptor,
    parts: &[PartOutcome],
) -> RegistryReport {
    let mut total = RowCounts::default();
    let mut years: BTreeMap<String, RowCounts> = BTreeMap::new();
    let mut others = vec![RowCounts::default(); descriptor.identifiers.len() - 1];
    let mut invalid_values = vec![0_u64; descriptor.variables.len()];
    for part in parts {
        for (slot, counts) in part.years.iter().enumerate() {
            if counts.records == 0 {
                continue;
            }
            total.merge(counts);
            let year = match slot {
                0 => "unknown".to_owned(),
                slot => (FIRST_YEAR + slot as i32 - 1).to_string(),
            };
            years.entry(year).or_default().merge(counts);
        }
        for (mine, theirs) in others.iter_mut().zip(&part.others) {
            mine.merge(theirs);
        }
        for (mine, theirs) in invalid_values.iter_mut().zip(&part.invalid_values) {
            *mine += theirs;
        }
    }
    RegistryReport {
        registry: descriptor.name.clone(),
        identifier: descriptor.identifiers[0].clone(),
        total,
        years,
        other_identifiers: descriptor.identifiers[1..]
            .iter()
            .zip(others)
            .map(|(column, total)| IdentifierReport {
                column: column.clone(),
                total,
            })
            .collect(),
        invalid_values: descriptor
            .variables
            .iter()
            .zip(invalid_values)
            .map(|(variable, count)| (variable.name.clone(), Count(count)))
            .collect(),
    }
}

/// Name of the pseudonym column that replaces identifier `column`.
fn pseudonym_column(descriptor: &RegistryDescriptor, column: &str) -> String {
    if descriptor.identifiers.len() == 1 {
        "pseudonym".to_owned()
    } else {
        format!("{column}_pseudonym")
    }
}

pub(crate) fn arrow_type(kind: VariableType) -> DataType {
    match kind {
        VariableType::Text => DataType::Utf8,
        VariableType::Integer => DataType::Int64,
        VariableType::Date => DataType::Date32,
    }
}

/// Snappy pages, except on pseudonym columns: their random values neither
/// compress nor prune, so they have no compression, dictionary or
/// statistics.
pub(crate) fn writer_properties(pseudonym_columns: &[String]) -> WriterProperties {
    let mut builder = WriterProperties::builder().set_compression(Compression::SNAPPY);
    for column in pseudonym_columns {
        let path = ColumnPath::from(column.as_str());
        builder = builder
            .set_column_compression(path.clone(), Compression::UNCOMPRESSED)
            .set_column_dictionary_enabled(path.clone(), false)
            .set_column_statistics_enabled(path, EnabledStatistics::None);
    }
    builder.build()
}

pub(crate) fn write_error(path: &Path, error: impl std::fmt::Display) -> RunError {
    RunError::Write {
        path: path.to_path_buf(),
        message: error.to_string(),
    }
}

impl Delivery<'_> {
    /// Writes the cohort rows of one part of a registry to its own file
    /// and counts every row of the part.
    pub(crate) fn part(
        &self,
        (index, descriptor): (usize, &RegistryDescriptor),
        extract: &Extract,
        part: usize,
    ) -> Result<PartOutcome, RunError> {
        let layout = OutputLayout::of(descriptor);
        let folder = self.out_dir.join(&descriptor.name);
        std::fs::create_dir_all(&folder).map_err(|error| write_error(&folder, error))?;
        let path = folder.join(format!("part-{part:05}.parquet"));
        // Written under another name and renamed when complete, so that a
        // task done again after a worker died never leaves half a file.
        let partial = partial_path(self.out_dir, &descriptor.name, part)?;
        let file = File::create(&partial).map_err(|error| write_error(&partial, error))?;
        let mut writer = ArrowWriter::try_new(
            file,
            layout.schema.clone(),
            Some(writer_properties(&layout.pseudonym_columns)),
        )
        .map_err(|error| write_error(&path, error))?;
        let mut outcome = PartOutcome::empty(descriptor, self.spine.len());
        extract.read(part, &layout.columns, &mut |batch| {
            let output = self
                .link_batch(
                    (index, descriptor),
                    &batch,
                    layout.year_column,
                    &mut outcome,
                )
                .map_err(|error| write_error(&path, error))?;
            let output = RecordBatch::try_new(layout.schema.clone(), output)
                .map_err(|error| write_error(&path, error))?;
            writer
                .write(&output)
                .map_err(|error| write_error(&path, error))
        })?;
        writer.close().map_err(|error| write_error(&path, error))?;
        std::fs::rename(&partial, &path).map_err(|error| write_error(&path, error))?;
        Ok(outcome)
    }

    /// Links one batch: counts every row and returns the output columns
    /// for the rows of cohort persons.
    fn link_batch(
        &self,
        (registry, descriptor): (usize, &RegistryDescriptor),
        batch: &Batch,
        year_column: Option<usize>,
        counts: &mut PartOutcome,
    ) -> Result<Vec<ArrayRef>, ArrowError> {
        let identifiers = descriptor.identifiers.len();
        for (mine, theirs) in counts
            .invalid_values
            .iter_mut()
            .zip(&batch.invalid[identifiers..])
        {
            *mine += theirs;
        }
        let resolutions = self.spine.resolve_all(batch.columns[0].as_string::<i32>());
        let others: Vec<Vec<Resolution>> = batch.columns[1..identifiers]
            .iter()
            .map(|column| self.spine.resolve_all(column.as_string::<i32>()))
            .collect();
        // Whether a person named in a further identifier column is on the
        // exclusion list, which leaves the row out.
        let filters = self.left_out.filters(registry);
        let others_excluded = |row: usize| {
            others.iter().any(|column| {
                column[row]
                    .person()
                    .is_some_and(|person| self.left_out.excluded(registry, person))
            })
        };
        let dates = year_column.map(|column| batch.columns[column].as_primitive::<Date32Type>());
        let mut keep = Vec::with_capacity(batch.rows);
        let mut persons = Vec::new();
        for (row, &resolution) in resolutions.iter().enumerate() {
            let slot = dates
                .filter(|dates| dates.is_valid(row))
                .map_or(0, |dates| {
                    let year = year_of(dates.value(row));
                    usize::try_from(year - FIRST_YEAR + 1)
                        .ok()
                        .filter(|slot| *slot < YEAR_SLOTS)
                        .unwrap_or(0)
                });
            let left_out = resolution
                .person()
                .and_then(|person| self.left_out.check(registry, person))
                .or_else(|| (filters && others_excluded(row)).then_some(LeftOut::Excluded));
            let delivered = count(&mut counts.years[slot], resolution, left_out, |person| {
                self.cohort.contains(person)
            });
            if left_out.is_none()
                && let Some(person) = resolution.person()
            {
                let position = person as usize;
                counts.present[position / 64] |= 1 << (position % 64);
            }
            keep.push(delivered);
            if delivered && let Some(person) = resolution.person() {
                persons.push(person);
            }
        }
        let mask = BooleanArray::from(keep);

        let mut output: Vec<ArrayRef> = Vec::with_capacity(batch.columns.len());
        output.push(Arc::new(
            self.pseudonyms.array(persons.iter().map(|p| Some(*p)))?,
        ));
        for (other, resolutions) in others.iter().enumerate() {
            let mut linked = Vec::with_capacity(persons.len());
            for (row, &resolution) in resolutions.iter().enumerate() {
                let left_out = resolution
                    .person()
                    .filter(|person| self.left_out.excluded(registry, *person))
                    .map(|_| LeftOut::Excluded);
                count(&mut counts.others[other], resolution, left_out, |_| {
                    mask.value(row)
                });
                if mask.value(row) {
                    linked.push(resolution.person());
                }
            }
            output.push(Arc::new(self.pseudonyms.array(linked.into_iter())?));
        }
        for column in &batch.columns[identifiers..] {
            // The mask has one entry per row of the batch, so filtering cannot fail.
            match filter(column, &mask) {
                Ok(filtered) => output.push(filtered),
                Err(_) => output.push(arrow::array::new_null_array(
                    column.data_type(),
                    persons.len(),
                )),
            }
        }
        Ok(output)
    }
}

/// Returns a new path in the run's work folder for the part file being
/// written, unique to this process and call.
fn partial_path(out_dir: &Path, registry: &str, part: usize) -> Result<PathBuf, RunError> {
    static WRITTEN: AtomicU64 = AtomicU64::new(0);
    let folder = work_folder(out_dir).join("partial");
    std::fs::create_dir_all(&folder).map_err(|error| write_error(&folder, error))?;
    let number = WRITTEN.fetch_add(1, Ordering::Relaxed);
    Ok(folder.join(format!(
        "{registry}-{part:05}-{}-{number}.parquet",
        std::process::id()
    )))
}

/// Counts one row and returns whether it is delivered: linked, not left
/// out, and of a cohort person.
fn count(
    counts: &mut RowCounts,
    resolution: Resolution,
    left_out: Option<LeftOut>,
    in_cohort: impl Fn(u32) -> bool,
) -> bool {
    counts.records += 1;
    match resolution {
        Resolution::Unlinked(reason) => {
            counts.unlinked.add(reason, 1);
            false
        }
        Resolution::Linked(person) | Resolution::Remapped(person) => {
            counts.linked += 1;
            if matches!(resolution, Resolution::Remapped(_)) {
                counts.remapped += 1;
            }
            match left_out {
                Some(LeftOut::Excluded) => {
                    counts.excluded += 1;
                    return false;
                }
                Some(LeftOut::WithoutConsent) => {
                    counts.without_consent += 1;
                    return false;
                }
                None => {}
            }
            let delivered = in_cohort(person);
            if delivered {
                counts.delivered += 1;
            }
            delivered
        }
    }
}
