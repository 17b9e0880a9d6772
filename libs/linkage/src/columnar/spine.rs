//! The population spine of a descriptor-driven run: every valid person
//! number, the identity history that maps former numbers to current ones,
//! and the person values criteria and the output use.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use arrow::array::{Array, AsArray, StringArray};
use arrow::datatypes::{Date32Type, Int64Type};
use hap_contracts::criteria::{Sex, VariableType};
use hap_identity::Rules;

use crate::columnar::descriptor::{HistoryDescriptor, SpineDescriptor};
use crate::columnar::error::RunError;
use crate::columnar::index::{MAX_PERSONS, PackedIndex};
use crate::columnar::parallel::run_parts;
use crate::columnar::report::{HistoryReport, SpineReport};
use crate::columnar::resolve::{
    PersonIndex, REMAPPED, Resolution, UNRESOLVED, Unlinked, decode_entry, eleven_digits, validate,
};
use crate::columnar::source::{ColumnKind, ColumnRequest, Extract};
use crate::fast_hash::IntegerHashBuilder;

/// A missing date in the date columns.
pub(crate) const NO_DATE: i32 = i32::MIN;
/// A missing birth year.
pub(crate) const NO_YEAR: i16 = i16::MIN;

/// The spine: persons in file order, and an index from every linkable
/// number (current or former) to its person.
pub(crate) struct Spine {
    index: PackedIndex,
    rules: Rules,
    pub(crate) ids: Vec<u64>,
    /// 0 unknown, 1 male, 2 female; empty without a sex column.
    pub(crate) sex: Vec<u8>,
    /// Birth year, from the birth-year column or else the birth date.
    pub(crate) birth_year: Vec<i16>,
    /// Days since 1970-01-01; empty without the column.
    pub(crate) birth_date: Vec<i32>,
    pub(crate) death_date: Vec<i32>,
    pub(crate) emigration_date: Vec<i32>,
    pub(crate) report: SpineReport,
}

/// Rows of one part of the spine file.
#[derive(Default)]
struct PartRows {
    ids: Vec<u64>,
    sex: Vec<u8>,
    birth_year: Vec<i16>,
    birth_date: Vec<i32>,
    death_date: Vec<i32>,
    emigration_date: Vec<i32>,
    report: SpineReport,
}

impl Spine {
    pub(crate) fn read(
        descriptor: &SpineDescriptor,
        rules: Rules,
        threads: usize,
    ) -> Result<Spine, RunError> {
        let extract = Extract::open(&descriptor.file)?;
        let optional = [
            (&descriptor.sex, VariableType::Text),
            (&descriptor.birth_year, VariableType::Integer),
            (&descriptor.birth_date, VariableType::Date),
            (&descriptor.death_date, VariableType::Date),
            (&descriptor.emigration_date, VariableType::Date),
        ];
        let mut columns = vec![ColumnRequest {
            name: descriptor.identifier.clone(),
            kind: ColumnKind::Identifier,
        }];
        // Position of each optional column in the batch, if read.
        let mut slots = [None; 5];
        for (slot, (name, kind)) in slots.iter_mut().zip(optional) {
            if let Some(name) = name {
                *slot = Some(columns.len());
                columns.push(ColumnRequest {
                    name: name.clone(),
                    kind: ColumnKind::Typed(kind),
                });
            }
        }

        let parts = run_parts(extract.part_count(), threads, |part| {
            let mut rows = PartRows::default();
            extract.read(part, &columns, &mut |batch| {
                let ids = batch.columns[0].as_string::<i32>();
                for row in 0..batch.rows {
                    rows.report.records += 1;
                    let field = ids.is_valid(row).then(|| ids.value(row));
                    match validate(field, rules) {
                        Ok(id) => rows.push(id, &batch.columns, slots, row),
                        Err(reason) => rows.report.invalid.add(reason, 1),
                    }
                }
                rows.report.invalid_values += batch.invalid.iter().skip(1).sum::<u64>();
                Ok(())
            })?;
            Ok(rows)
        })?;

        let mut spine = Spine {
            index: PackedIndex::with_capacity(0),
            rules,
            ids: Vec::new(),
            sex: Vec::new(),
            birth_year: Vec::new(),
            birth_date: Vec::new(),
            death_date: Vec::new(),
            emigration_date: Vec::new(),
            report: SpineReport::default(),
        };
        let total: usize = parts.iter().map(|part| part.ids.len()).sum();
        spine.index.grow_for(total);
        for part in parts {
            spine.append(part, slots)?;
        }
        if let Some(history) = &descriptor.history {
            spine.add_history(history, threads)?;
        }
        Ok(spine)
    }

    fn append(&mut self, part: PartRows, slots: [Option<usize>; 5]) -> Result<(), RunError> {
        self.report.merge(&part.report);
        for (position, &id) in part.ids.iter().enumerate() {
            let Some(person) = u32::try_from(self.ids.len())
                .ok()
                .filter(|person| *person < MAX_PERSONS)
            else {
                return Err(RunError::TooManyPersons { max: MAX_PERSONS });
            };
            if !self.index.insert_new(id, person) {
                self.report.repeated += 1;
                continue;
            }
            self.report.persons += 1;
            self.ids.push(id);
            if slots[0].is_some() {
                self.sex.push(part.sex[position]);
            }
            if slots[1].is_some() || slots[2].is_some() {
                self.birth_year.push(part.birth_year[position]);
            }
            if slots[2].is_some() {
                self.birth_date.push(part.birth_date[position]);
            }
            if slots[3].is_some() {
                self.death_date.push(part.death_date[position]);
            }
            if slots[4].is_some() {
                self.emigration_date.push(part.emigration_date[position]);
            }
        }
        Ok(())
    }

    /// Reads the history and maps each former number to the end of its chain.
    fn add_history(&mut self, history: &HistoryDescriptor, threads: usize) -> Result<(), RunError> {
        let extract = Extract::open(&history.file)?;
        let columns = [
            ColumnRequest {
                name: history.from.clone(),
                kind: ColumnKind::Identifier,
            },
            ColumnRequest {
                name: history.to.clone(),
                kind: ColumnKind::Identifier,
            },
        ];
        let rules = self.rules;
        let parts = run_parts(extract.part_count(), threads, |part| {
            let mut edges: Vec<(u64, u64, u64)> = Vec::new();
            let mut report = HistoryReport::default();
            extract.read(part, &columns, &mut |batch| {
                let from = batch.columns[0].as_string::<i32>();
                let to = batch.columns[1].as_string::<i32>();
                for row in 0..batch.rows {
                    report.rows += 1;
                    let from = validate(from.is_valid(row).then(|| from.value(row)), rules);
                    let to = validate(to.is_valid(row).then(|| to.value(row)), rules);
                    match (from, to) {
                        (Ok(from), Ok(to)) if from != to => edges.push((from, to, report.rows)),
                        _ => report.invalid += 1,
                    }
                }
                Ok(())
            })?;
            Ok((edges, report))
        })?;

        // Row numbers count from 1 over the whole file, invalid rows included.
        let mut successors: HashMap<u64, (u64, u64), IntegerHashBuilder> =
            HashMap::with_hasher(IntegerHashBuilder);
        let mut report = HistoryReport::default();
        for (edges, part_report) in parts {
            let offset = report.rows;
            report.rows += part_report.rows;
            report.invalid += part_report.invalid;
            for (from, to, row_in_part) in edges {
                let row = offset + row_in_part;
                match successors.entry(from) {
                    Entry::Vacant(vacant) => {
                        vacant.insert((to, row));
                    }
                    Entry::Occupied(occupied) if occupied.get().0 == to => {}
                    Entry::Occupied(occupied) => {
                        return Err(RunError::HistoryFork {
                            path: extract.path().to_path_buf(),
                            first: occupied.get().1,
                            second: row,
                        });
                    }
                }
            }
        }

        let mut mapped: Vec<(u64, u32)> = Vec::with_capacity(successors.len());
        for (&from, &(to, row)) in &successors {
            if self.index.contains_key(from) {
                return Err(RunError::HistoryFromCurrent {
                    path: extract.path().to_path_buf(),
                    row,
                });
            }
            let mut end = to;
            let mut steps = 0;
            while let Some(&(next, _)) = successors.get(&end) {
                end = next;
                steps += 1;
                if steps > successors.len() {
                    return Err(RunError::HistoryCycle {
                        path: extract.path().to_path_buf(),
                        row,
                    });
                }
            }
            let entry = match self.index.get(end) {
                Some(person) => person | REMAPPED,
                None => UNRESOLVED,
            };
            mapped.push((from, entry));
        }
        self.index.grow_for(self.index.len() + mapped.len());
        for (from, entry) in mapped {
            if entry == UNRESOLVED {
                report.unresolved_numbers += 1;
            } else {
                report.remapped_numbers += 1;
            }
            self.index.set(from, entry);
        }
        self.report.history = Some(report);
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// Returns every number that links to a person, with the person: each
    /// current number, then the former numbers the history maps to a person,
    /// in increasing order.
    pub(crate) fn numbers(&self) -> Vec<(u64, u32)> {
        let mut numbers: Vec<(u64, u32)> = self
            .ids
            .iter()
            .enumerate()
            // Spine positions fit u32, which `append` checks.
            .map(|(person, id)| (*id, person as u32))
            .collect();
        let mut former: Vec<(u64, u32)> = self
            .index
            .iter()
            .filter(|(_, entry)| *entry != UNRESOLVED && *entry & REMAPPED != 0)
            .map(|(number, entry)| (number, entry & !REMAPPED))
            .collect();
        former.sort_unstable();
        numbers.extend(former);
        numbers
    }

    /// Resolves an identifier field. Exactly 11 digits that equal a number
    /// in the index were validated when the spine was read, so only other
    /// fields go through full validation.
    pub(crate) fn resolve(&self, field: Option<&str>) -> Resolution {
        if let Some(text) = field
            && let Some(key) = eleven_digits(text.as_bytes())
            && let Some(entry) = self.index.get(key)
        {
            return decode_entry(entry);
        }
        match validate(field, self.rules) {
            Ok(id) => self.look_up(id),
            Err(reason) => Resolution::Unlinked(reason),
        }
    }

    /// Resolves a validated number.
    fn look_up(&self, id: u64) -> Resolution {
        match self.index.get(id) {
            Some(entry) => decode_entry(entry),
            None => Resolution::Unlinked(Unlinked::NotInSpine),
        }
    }

    /// Resolves every field of an identifier column, as [`Spine::resolve`]
    /// does one. The index lookups run in a loop of their own, so the
    /// processor overlaps their cache misses instead of waiting for each.
    pub(crate) fn resolve_all(&self, ids: &StringArray) -> Vec<Resolution> {
        let all: Vec<usize> = (0..ids.len()).collect();
        self.resolve_rows(ids, &all)
    }

    /// Resolves the fields of `rows` of an identifier column, in the order
    /// given, as [`Spine::resolve_all`] does.
    pub(crate) fn resolve_rows(&self, ids: &StringArray, rows: &[usize]) -> Vec<Resolution> {
        let field = |row: usize| ids.is_valid(row).then(|| ids.value(row));
        let keys: Vec<Option<u64>> = rows
            .iter()
            .map(|row| field(*row).and_then(|text| eleven_digits(text.as_bytes())))
            .collect();
        let entries = self.index.get_many(&keys);
        entries
            .into_iter()
            .zip(keys)
            .zip(rows)
            .map(|((entry, key), &row)| match (entry, key) {
                (Some(entry), _) => decode_entry(entry),
                // Eleven digits not in the index: validation gives the
                // reason, or the same number, which needs no second lookup.
                (None, Some(key)) => match validate(field(row), self.rules) {
                    Ok(id) if id == key => Resolution::Unlinked(Unlinked::NotInSpine),
                    Ok(id) => self.look_up(id),
                    Err(reason) => Resolution::Unlinked(reason),
                },
                (None, None) => self.resolve(field(row)),
            })
            .collect()
    }

    pub(crate) fn sex_of(&self, person: PersonIndex) -> Option<Sex> {
        match self.sex.get(person as usize) {
            Some(1) => Some(Sex::Male),
            Some(2) => Some(Sex::Female),
            _ => None,
        }
    }

    pub(crate) fn birth_year_of(&self, person: PersonIndex) -> Option<i32> {
        self.birth_year
            .get(person as usize)
            .filter(|year| **year != NO_YEAR)
            .map(|year| i32::from(*year))
    }

    pub(crate) fn birth_date_of(&self, person: PersonIndex) -> Option<i32> {
        self.birth_date
            .get(person as usize)
            .copied()
            .filter(|date| *date != NO_DATE)
    }
}

impl PartRows {
    fn push(
        &mut self,
        id: u64,
        columns: &[arrow::array::ArrayRef],
        slots: [Option<usize>; 5],
        row: usize,
    ) {
        self.ids.push(id);
        let date = |slot: Option<usize>| {
            slot.map(|index| {
                let dates = columns[index].as_primitive::<Date32Type>();
                if dates.is_valid(row) {
                    dates.value(row)
                } else {
                    NO_DATE
                }
            })
        };
        if let Some(index) = slots[0] {
            let sexes = columns[index].as_string::<i32>();
            let sex = if sexes.is_valid(row) {
                match sexes.value(row) {
                    "male" => 1,
                    "female" => 2,
                    _ => {
                        self.report.invalid_values += 1;
                        0
                    }
                }
            } else {
                0
            };
            self.sex.push(sex);
        }
        let birth_date = date(slots[2]);
        let birth_year = match slots[1] {
            Some(index) => {
                let years = columns[index].as_primitive::<Int64Type>();
                years
                    .is_valid(row)
                    .then(|| years.value(row))
                    .and_then(|year| i16::try_from(year).ok())
                    .unwrap_or(NO_YEAR)
            }
            None => birth_date
                .filter(|date| *date != NO_DATE)
                .map_or(NO_YEAR, |date| {
                    i16::try_from(crate::columnar::calendar::year_of(date)).unwrap_or(NO_YEAR)
                }),
        };
        if slots[1].is_some() || slots[2].is_some() {
            self.birth_year.push(birth_year);
        }
        if let Some(date) = birth_date {
            self.birth_date.push(date);
        }
        if let Some(date) = date(slots[3]) {
            self.death_date.push(date);
        }
        if let Some(date) = date(slots[4]) {
            self.emigration_date.push(date);
        }
    }
}
