//! Linking the rows of one non-spine registry file to the spine.
//!
//! Every row gets exactly one [`RowOutcome`]; the linked rows go to the
//! registry's [`RowSink`], which keeps what the variables need.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use hap_contracts::criteria::Registry;
use hap_identity::Rules;

use crate::csv_source::{CsvSource, Row, RowKind};
use crate::error::LinkageError;
use crate::exclusion::{PersonFilter, Verdict};
use crate::identifier::{Identifier, classify};
use crate::report::{FileReport, InvalidIdentifierCounts, RowOutcome};
use crate::spine::{Link, PersonIndex, Spine};
use crate::values::InvalidValues;

/// The columns of a registry file and which of them hold identity numbers.
pub(crate) struct FileLayout {
    pub(crate) registry: Registry,
    /// Every documented column, in documented order.
    pub(crate) columns: &'static [&'static str],
    /// The column that links the row to a person.
    pub(crate) person_column: usize,
    /// Further identity columns, validated and reported but not linked.
    pub(crate) other_identity_columns: &'static [usize],
}

/// Receives the linked rows of one registry file.
pub(crate) trait RowSink {
    fn add(&mut self, person: PersonIndex, row: &Row<'_>, invalid: &mut InvalidValues);
}

/// What linking needs besides the file.
#[derive(Clone, Copy)]
pub(crate) struct ScanContext<'a> {
    pub(crate) dir: &'a Path,
    pub(crate) spine: &'a Spine,
    pub(crate) rules: Rules,
}

/// The report on one file and the persons its lists left out.
pub(crate) struct ScanResult {
    pub(crate) report: FileReport,
    /// Persons on the exclusion list with rows in the file.
    pub(crate) excluded_persons: usize,
    /// Persons with rows in the file but not on the consented list.
    pub(crate) persons_without_consent: usize,
}

/// Reads `layout`'s file, links each row and passes linked rows of persons
/// that `filter` keeps to `sink`.
pub(crate) fn scan_file(
    context: ScanContext<'_>,
    layout: &FileLayout,
    mut filter: Option<PersonFilter<'_>>,
    sink: &mut impl RowSink,
) -> Result<ScanResult, LinkageError> {
    let mut source = CsvSource::open(context.dir, layout.registry, layout.columns)?;
    let mut report = FileReport::new(layout.registry);
    let mut invalid = InvalidValues::default();
    let mut other_identifiers: BTreeMap<&'static str, InvalidIdentifierCounts> = BTreeMap::new();
    let mut excluded_persons: HashSet<PersonIndex> = HashSet::new();
    let mut without_consent: HashSet<PersonIndex> = HashSet::new();
    while let Some(kind) = source.next_row()? {
        let row = source.row();
        let outcome = match kind {
            RowKind::Duplicate => RowOutcome::Duplicate,
            RowKind::Malformed => RowOutcome::Malformed,
            RowKind::Distinct => {
                check_other_identifiers(&row, layout, context.rules, &mut other_identifiers);
                match link_row(&row, layout, context) {
                    Ok((person, outcome)) => {
                        let verdict = filter
                            .as_mut()
                            .map_or(Verdict::Keep, |f| f.verdict(context.spine, person));
                        match verdict {
                            Verdict::Keep => {
                                sink.add(person, &row, &mut invalid);
                                outcome
                            }
                            Verdict::Excluded => {
                                excluded_persons.insert(person);
                                RowOutcome::Excluded
                            }
                            Verdict::WithoutConsent => {
                                without_consent.insert(person);
                                RowOutcome::WithoutConsent
                            }
                        }
                    }
                    Err(outcome) => outcome,
                }
            }
        };
        report.count(outcome);
    }
    report.add_invalid_values(invalid.into_counts());
    report.other_identifiers = other_identifiers;
    report.finish();
    Ok(ScanResult {
        report,
        excluded_persons: excluded_persons.len(),
        persons_without_consent: without_consent.len(),
    })
}

/// Links a row to a person, returning the person and the linked outcome,
/// or the outcome that explains why the row is not linked.
fn link_row(
    row: &Row<'_>,
    layout: &FileLayout,
    context: ScanContext<'_>,
) -> Result<(PersonIndex, RowOutcome), RowOutcome> {
    let id = match classify(row.field(layout.person_column), context.rules) {
        Identifier::Linkable(id) => id,
        Identifier::HNumber => return Err(RowOutcome::HNumber),
        Identifier::Invalid(reason) => return Err(RowOutcome::InvalidIdentifier(reason)),
    };
    match context.spine.link(id.as_u64()) {
        Link::Direct(person) => Ok((person, RowOutcome::LinkedDirect)),
        Link::FormerDNumber(person) => Ok((person, RowOutcome::LinkedFormerDNumber)),
        Link::Ambiguous => Err(RowOutcome::Ambiguous),
        Link::NotFound => Err(RowOutcome::NotFound),
    }
}

/// Counts invalid numbers in the identity columns that are not linked.
fn check_other_identifiers(
    row: &Row<'_>,
    layout: &FileLayout,
    rules: Rules,
    counts: &mut BTreeMap<&'static str, InvalidIdentifierCounts>,
) {
    for &column in layout.other_identity_columns {
        let column_counts = counts.entry(row.column_name(column)).or_default();
        if let Identifier::Invalid(reason) = classify(row.field(column), rules) {
            column_counts.count(reason);
        }
    }
}
