//! The population spine: every person in `population.csv`, keyed by
//! identity number, with the former D-numbers that also lead to them.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::num::NonZeroU64;
use std::path::Path;

use chrono::NaiveDate;
use hap_contracts::criteria::{Registry, Variable};
use hap_identity::Rules;

use crate::csv_source::{CsvSource, Row, RowKind};
use crate::error::LinkageError;
use crate::fast_hash::IntegerHashBuilder;
use crate::identifier::{Identifier, classify, is_dnumber};
use crate::report::{FileReport, RowOutcome, SpineSummary};
use crate::values::InvalidValues;

/// Columns of `population.csv`, in documented order.
const COLUMNS: &[&str] = &[
    "person_id",
    "sex",
    "birth_date",
    "municipality",
    "death_date",
    "emigration_date",
    "former_dnumber",
];
const PERSON_ID: usize = 0;
const SEX: usize = 1;
const BIRTH_DATE: usize = 2;
const MUNICIPALITY: usize = 3;
const DEATH_DATE: usize = 4;
const EMIGRATION_DATE: usize = 5;
const FORMER_DNUMBER: usize = 6;

/// Position of a person in the spine. A `u32` keeps the per-row tables small
/// and fits any national population.
pub(crate) type PersonIndex = u32;

/// Target of an identity number in the spine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SpineEntry {
    /// The person's current number.
    Person(PersonIndex),
    /// The person's former D-number.
    FormerDNumber(PersonIndex),
    /// More than one person claims the number, so it links to no one.
    Ambiguous,
}

/// The result of looking up a number in the spine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Link {
    Direct(PersonIndex),
    FormerDNumber(PersonIndex),
    Ambiguous,
    NotFound,
}

/// Sex as registered in the population register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sex {
    Male,
    Female,
}

impl Sex {
    fn parse(text: &[u8]) -> Option<Sex> {
        match text {
            b"male" => Some(Sex::Male),
            b"female" => Some(Sex::Female),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

/// A four-digit Norwegian municipality number such as 0301.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Municipality(u16);

impl Municipality {
    fn parse(text: &[u8]) -> Option<Municipality> {
        let [a, b, c, d] = *text else {
            return None;
        };
        [a, b, c, d]
            .iter()
            .try_fold(0_u16, |value, &byte| {
                byte.is_ascii_digit()
                    .then(|| value * 10 + u16::from(byte - b'0'))
            })
            .map(Municipality)
    }
}

impl fmt::Display for Municipality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.0)
    }
}

/// The population register values a request may deliver. Columns the
/// request does not use are not parsed and stay `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct PopulationValues {
    pub(crate) sex: Option<Sex>,
    pub(crate) birth_date: Option<NaiveDate>,
    pub(crate) municipality: Option<Municipality>,
    pub(crate) death_date: Option<NaiveDate>,
    pub(crate) emigration_date: Option<NaiveDate>,
}

/// One person of the spine.
#[derive(Clone, Debug)]
pub(crate) struct Person {
    /// The current identity number, as [`hap_identity::IdentityNumber::as_u64`].
    pub(crate) id: u64,
    /// The D-number the person had before the current number.
    pub(crate) former_dnumber: Option<NonZeroU64>,
    pub(crate) values: PopulationValues,
}

/// Population columns to parse.
#[derive(Clone, Copy, Debug, Default)]
struct RequestedColumns {
    sex: bool,
    birth_date: bool,
    municipality: bool,
    death_date: bool,
    emigration_date: bool,
}

impl RequestedColumns {
    fn from_variables(variables: &[&Variable]) -> Self {
        let is_requested = |name: &str| {
            variables
                .iter()
                .any(|variable| variable.registry == Registry::Population && variable.name == name)
        };
        Self {
            sex: is_requested("sex"),
            birth_date: is_requested("birth_date"),
            municipality: is_requested("municipality"),
            death_date: is_requested("death_date"),
            emigration_date: is_requested("emigration_date"),
        }
    }
}

/// The population spine.
pub(crate) struct Spine {
    persons: Vec<Person>,
    index: HashMap<u64, SpineEntry, IntegerHashBuilder>,
}

/// The spine with the report on the file it was read from.
pub(crate) struct SpineRead {
    pub(crate) spine: Spine,
    pub(crate) report: FileReport,
}

impl Spine {
    /// Reads `population.csv` from `dir`, parsing the value columns that
    /// `variables` names.
    pub(crate) fn read(
        dir: &Path,
        rules: Rules,
        variables: &[&Variable],
    ) -> Result<SpineRead, LinkageError> {
        let mut source = CsvSource::open(dir, Registry::Population, COLUMNS)?;
        let requested = RequestedColumns::from_variables(variables);
        let mut builder = SpineBuilder {
            spine: Spine {
                persons: Vec::new(),
                index: HashMap::with_hasher(IntegerHashBuilder),
            },
            former_claims: Vec::new(),
            invalid: InvalidValues::default(),
        };
        let mut report = FileReport::new(Registry::Population);
        while let Some(kind) = source.next_row()? {
            let outcome = match kind {
                RowKind::Duplicate => RowOutcome::Duplicate,
                RowKind::Malformed => RowOutcome::Malformed,
                RowKind::Distinct => builder.add_row(&source.row(), rules, requested, dir)?,
            };
            report.count(outcome);
        }
        let SpineBuilder {
            mut spine,
            former_claims,
            invalid,
        } = builder;
        spine.add_former_dnumbers(&former_claims);
        report.add_invalid_values(invalid.into_counts());
        report.finish();
        Ok(SpineRead { spine, report })
    }

    /// Looks up a number by its [`hap_identity::IdentityNumber::as_u64`].
    pub(crate) fn link(&self, id: u64) -> Link {
        match self.index.get(&id) {
            Some(SpineEntry::Person(person)) => Link::Direct(*person),
            Some(SpineEntry::FormerDNumber(person)) => Link::FormerDNumber(*person),
            Some(SpineEntry::Ambiguous) => Link::Ambiguous,
            None => Link::NotFound,
        }
    }

    pub(crate) fn person(&self, index: PersonIndex) -> &Person {
        // Every `PersonIndex` comes from this spine's `index`, so it is in
        // range; `usize` fits any `u32` on the supported 64-bit targets.
        &self.persons[index as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.persons.len()
    }

    pub(crate) fn summary(&self) -> SpineSummary {
        let mut summary = SpineSummary {
            persons: self.persons.len() as u64,
            ..SpineSummary::default()
        };
        for entry in self.index.values() {
            match entry {
                SpineEntry::Person(_) => {}
                SpineEntry::FormerDNumber(_) => summary.former_dnumbers += 1,
                SpineEntry::Ambiguous => summary.ambiguous_numbers += 1,
            }
        }
        summary
    }

    /// Adds each claim (person, former D-number). A number claimed twice, or
    /// claimed while it is also a current number, becomes ambiguous.
    fn add_former_dnumbers(&mut self, claims: &[(PersonIndex, u64)]) {
        for &(person, dnumber) in claims {
            match self.index.entry(dnumber) {
                Entry::Vacant(vacant) => {
                    vacant.insert(SpineEntry::FormerDNumber(person));
                }
                Entry::Occupied(mut occupied) => {
                    occupied.insert(SpineEntry::Ambiguous);
                }
            }
        }
    }
}

/// State while reading the population file.
struct SpineBuilder {
    spine: Spine,
    /// (person, former D-number) pairs, added once every current number is
    /// known so that a conflict with any of them is found.
    former_claims: Vec<(PersonIndex, u64)>,
    invalid: InvalidValues,
}

impl SpineBuilder {
    fn add_row(
        &mut self,
        row: &Row<'_>,
        rules: Rules,
        requested: RequestedColumns,
        dir: &Path,
    ) -> Result<RowOutcome, LinkageError> {
        let id = match classify(row.field(PERSON_ID), rules) {
            Identifier::Linkable(id) => id,
            Identifier::HNumber => return Ok(RowOutcome::HNumber),
            Identifier::Invalid(reason) => return Ok(RowOutcome::InvalidIdentifier(reason)),
        };
        let key = id.as_u64();
        if self.spine.index.contains_key(&key) {
            return Ok(RowOutcome::RepeatedIdentity);
        }
        let Ok(index) = PersonIndex::try_from(self.spine.persons.len()) else {
            return Err(LinkageError::TooManyPersons {
                path: dir.join(Registry::Population.file_name()),
                max: PersonIndex::MAX,
            });
        };
        let former_dnumber = self.former_dnumber(row, rules, key);
        if let Some(former) = former_dnumber {
            self.former_claims.push((index, former.get()));
        }
        let values = self.values(row, requested);
        self.spine.persons.push(Person {
            id: key,
            former_dnumber,
            values,
        });
        self.spine.index.insert(key, SpineEntry::Person(index));
        Ok(RowOutcome::LinkedDirect)
    }

    /// Returns the row's former D-number. A value that is not a valid D-number other
    /// than the person's own number counts as invalid.
    fn former_dnumber(&mut self, row: &Row<'_>, rules: Rules, own: u64) -> Option<NonZeroU64> {
        let field = row.field(FORMER_DNUMBER);
        if field.trim_ascii().is_empty() {
            return None;
        }
        let former = match classify(field, rules) {
            Identifier::Linkable(former) if is_dnumber(&former) && former.as_u64() != own => {
                NonZeroU64::new(former.as_u64())
            }
            _ => None,
        };
        if former.is_none() {
            self.invalid.count(row.column_name(FORMER_DNUMBER));
        }
        former
    }

    fn values(&mut self, row: &Row<'_>, requested: RequestedColumns) -> PopulationValues {
        let invalid = &mut self.invalid;
        let date = |column: usize, invalid: &mut InvalidValues| row.date(column, invalid);
        PopulationValues {
            sex: requested
                .sex
                .then(|| row.parsed(SEX, invalid, Sex::parse))
                .flatten(),
            birth_date: requested
                .birth_date
                .then(|| date(BIRTH_DATE, invalid))
                .flatten(),
            municipality: requested
                .municipality
                .then(|| row.parsed(MUNICIPALITY, invalid, Municipality::parse))
                .flatten(),
            death_date: requested
                .death_date
                .then(|| date(DEATH_DATE, invalid))
                .flatten(),
            emigration_date: requested
                .emigration_date
                .then(|| date(EMIGRATION_DATE, invalid))
                .flatten(),
        }
    }
}

#[cfg(test)]
mod tests {
    use hap_identity::{ChecksumPolicy, Profile, classic_check_digits};

    use super::*;

    const TEST_RULES: Rules = Rules {
        policy: ChecksumPolicy::Allow2032,
        profile: Profile::Test,
    };

    /// Completes nine digits with classic check digits, trying individual
    /// numbers upwards from the one given.
    fn number(date: &str, first_individual: u32) -> String {
        (first_individual..500)
            .find_map(|individual| {
                let first_nine = format!("{date}{individual:03}");
                let digits: [u8; 9] = first_nine
                    .bytes()
                    .map(|byte| byte - b'0')
                    .collect::<Vec<_>>()
                    .try_into()
                    .unwrap();
                let [first, second] = classic_check_digits(&digits)?;
                Some(format!("{first_nine}{first}{second}"))
            })
            .unwrap()
    }

    fn read_population(rows: &[String]) -> SpineRead {
        let dir = tempfile::tempdir().unwrap();
        let mut text = COLUMNS.join(",");
        for row in rows {
            text.push('\n');
            text.push_str(row);
        }
        std::fs::write(dir.path().join("population.csv"), text).unwrap();
        Spine::read(dir.path(), TEST_RULES, &[]).unwrap()
    }

    fn as_u64(number: &str) -> u64 {
        number.parse().unwrap()
    }

    #[test]
    fn current_number_claimed_as_former_is_ambiguous() {
        let dnumber_holder = number("418170", 100);
        let other = number("028170", 100);
        let spine = read_population(&[
            format!("{dnumber_holder},male,1970-01-01,0301,,,"),
            format!("{other},male,1970-01-02,0301,,,{dnumber_holder}"),
        ])
        .spine;
        assert_eq!(spine.link(as_u64(&dnumber_holder)), Link::Ambiguous);
        assert_eq!(spine.link(as_u64(&other)), Link::Direct(1));
        assert_eq!(spine.summary().ambiguous_numbers, 1);
        assert_eq!(spine.summary().former_dnumbers, 0);
    }

    #[test]
    fn former_dnumber_links_to_person() {
        let former = number("418170", 100);
        let current = number("018170", 100);
        let spine =
            read_population(&[format!("{current},female,1970-01-01,0301,,,{former}")]).spine;
        assert_eq!(spine.link(as_u64(&former)), Link::FormerDNumber(0));
        assert_eq!(
            spine.person(0).former_dnumber.map(NonZeroU64::get),
            Some(as_u64(&former))
        );
    }

    #[test]
    fn former_number_must_be_other_dnumber() {
        let dnumber_holder = number("418170", 100);
        let ordinary = number("028170", 100);
        let other = number("038170", 100);
        let read = read_population(&[
            format!("{dnumber_holder},female,1970-01-01,0301,,,{dnumber_holder}"),
            format!("{other},female,1970-01-03,0301,,,{ordinary}"),
        ]);
        assert_eq!(read.report.invalid_values.get("former_dnumber"), Some(&2));
        assert_eq!(read.spine.summary().former_dnumbers, 0);
        assert_eq!(read.spine.link(as_u64(&dnumber_holder)), Link::Direct(0));
        assert_eq!(read.spine.link(as_u64(&ordinary)), Link::NotFound);
    }

    #[test]
    fn municipality_keeps_leading_zero() {
        let oslo = Municipality::parse(b"0301").unwrap();
        assert_eq!(oslo.to_string(), "0301");
        assert_eq!(Municipality::parse(b"301"), None);
        assert_eq!(Municipality::parse(b"03O1"), None);
        assert_eq!(Municipality::parse(b"03011"), None);
    }

    #[test]
    fn sex_parses_register_values() {
        assert_eq!(Sex::parse(b"male"), Some(Sex::Male));
        assert_eq!(Sex::parse(b"female"), Some(Sex::Female));
        assert_eq!(Sex::parse(b"Female"), None);
        assert_eq!(Sex::parse(b"m"), None);
    }
}
