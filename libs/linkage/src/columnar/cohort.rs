//! Cohort selection: criteria checked against the descriptors, then one
//! pass over each registry that event criteria name, then the boolean
//! combination per person.

use arrow::array::{Array, AsArray};
use arrow::datatypes::Date32Type;
use hap_contracts::criteria::{
    CodeCondition, ColumnRef, Criterion, CriterionError, EventCriterion, Sex, VariableType,
    YearRange,
};

use crate::columnar::calendar::{age_in_years, days_of, year_of};
use crate::columnar::descriptor::{RegistryDescriptor, SpineDescriptor};
use crate::columnar::error::RunError;
use crate::columnar::lists::LeftOutSets;
use crate::columnar::parallel::run_parts;
use crate::columnar::resolve::Resolution;
use crate::columnar::source::{Batch, ColumnKind, ColumnRequest, Extract};
use crate::columnar::spine::Spine;

/// A criterion with registries and columns resolved to positions.
#[derive(Debug)]
enum Node {
    All(Vec<Node>),
    Any(Vec<Node>),
    Not(Box<Node>),
    Sex(Sex),
    BirthYear(YearRange),
    /// The person has a row meeting event plan number `n`.
    Event(usize),
}

/// An event criterion with its columns as positions in the pass's batch.
#[derive(Debug)]
struct EventPlan {
    registry: usize,
    code: Option<(usize, CodeCondition)>,
    /// Column, first and last day included.
    date: Option<(usize, i32, i32)>,
    /// Column, youngest and oldest age included.
    age: Option<(usize, u32, u32)>,
}

/// Checked criteria, ready to select a cohort.
#[derive(Debug)]
pub(crate) struct CohortPlan {
    root: Node,
    events: Vec<EventPlan>,
    /// Per registry, the columns the pass over it reads; empty when no
    /// event criterion names the registry.
    columns: Vec<Vec<ColumnRequest>>,
    /// Per registry, the identifier columns after the first, which the
    /// pass also reads when lists leave persons out of the registry.
    other_identifiers: Vec<Vec<ColumnRequest>>,
}

/// Per event criterion, the persons with a row meeting it, as bit sets
/// over spine positions.
pub(crate) struct Hits {
    pub(crate) events: Vec<Vec<u64>>,
}

/// The selected persons as a bit set over spine positions.
pub(crate) struct Cohort {
    pub(crate) bits: Vec<u64>,
    pub(crate) size: u64,
}

impl Cohort {
    pub(crate) fn contains(&self, person: u32) -> bool {
        let person = person as usize;
        self.bits
            .get(person / 64)
            .is_some_and(|word| word & (1 << (person % 64)) != 0)
    }
}

impl CohortPlan {
    /// Checks `criterion` against the descriptors: each registry exists,
    /// each column exists with the right type, and the spine has the
    /// person values that sex, birth-year and age criteria need.
    pub(crate) fn check(
        criterion: &Criterion,
        spine: &SpineDescriptor,
        registries: &[RegistryDescriptor],
    ) -> Result<CohortPlan, CriterionError> {
        let mut plan = CohortPlan {
            root: Node::All(Vec::new()),
            events: Vec::new(),
            columns: registries
                .iter()
                .map(|registry| {
                    vec![ColumnRequest {
                        name: registry.identifiers[0].clone(),
                        kind: ColumnKind::Identifier,
                    }]
                })
                .collect(),
            other_identifiers: registries
                .iter()
                .map(|registry| {
                    registry.identifiers[1..]
                        .iter()
                        .map(|name| ColumnRequest {
                            name: name.clone(),
                            kind: ColumnKind::Identifier,
                        })
                        .collect()
                })
                .collect(),
        };
        plan.root = plan.compile(criterion, spine, registries)?;
        Ok(plan)
    }

    fn compile(
        &mut self,
        criterion: &Criterion,
        spine: &SpineDescriptor,
        registries: &[RegistryDescriptor],
    ) -> Result<Node, CriterionError> {
        Ok(match criterion {
            Criterion::All(items) => Node::All(
                items
                    .iter()
                    .map(|item| self.compile(item, spine, registries))
                    .collect::<Result<_, _>>()?,
            ),
            Criterion::Any(items) => Node::Any(
                items
                    .iter()
                    .map(|item| self.compile(item, spine, registries))
                    .collect::<Result<_, _>>()?,
            ),
            Criterion::Not(inner) => Node::Not(Box::new(self.compile(inner, spine, registries)?)),
            Criterion::Sex(sex) => {
                if spine.sex.is_none() {
                    return Err(CriterionError::new(
                        "",
                        "a sex criterion needs the spine's `sex` column; add it to the spine descriptor",
                    ));
                }
                Node::Sex(*sex)
            }
            Criterion::BirthYear(range) => {
                if spine.birth_year.is_none() && spine.birth_date.is_none() {
                    return Err(CriterionError::new(
                        "",
                        "a birth_year criterion needs the spine's `birth_year` or `birth_date` \
                         column; add one to the spine descriptor",
                    ));
                }
                Node::BirthYear(*range)
            }
            Criterion::Present(registry) => {
                let event = EventCriterion {
                    registry: registry.clone(),
                    icd10: None,
                    date: None,
                    age: None,
                };
                self.compile_event(&event, spine, registries)?
            }
            Criterion::Event(event) => self.compile_event(event, spine, registries)?,
        })
    }

    fn compile_event(
        &mut self,
        event: &EventCriterion,
        spine: &SpineDescriptor,
        registries: &[RegistryDescriptor],
    ) -> Result<Node, CriterionError> {
        let registry = registries
            .iter()
            .position(|registry| registry.name == event.registry.name)
            .ok_or_else(|| {
                let names: Vec<&str> = registries.iter().map(|r| r.name.as_str()).collect();
                CriterionError::new(
                    &event.registry.pointer,
                    format!(
                        "no registry `{}` in this run; registries: {}",
                        event.registry.name,
                        names.join(", ")
                    ),
                )
            })?;
        let descriptor = &registries[registry];
        let code = match &event.icd10 {
            Some(condition) => Some((
                self.column(registry, descriptor, &condition.column, VariableType::Text)?,
                condition.clone(),
            )),
            None => None,
        };
        let date = match &event.date {
            Some(condition) => Some((
                self.column(registry, descriptor, &condition.column, VariableType::Date)?,
                condition.from.map_or(i32::MIN, days_of),
                condition.to.map_or(i32::MAX, days_of),
            )),
            None => None,
        };
        let age = match &event.age {
            Some(condition) => {
                if spine.birth_date.is_none() && spine.birth_year.is_none() {
                    return Err(CriterionError::new(
                        &condition.column.pointer,
                        "an age criterion needs the spine's `birth_date` or `birth_year` \
                         column; add one to the spine descriptor",
                    ));
                }
                Some((
                    self.column(registry, descriptor, &condition.column, VariableType::Date)?,
                    condition.from.unwrap_or(0),
                    condition.to.unwrap_or(u32::MAX),
                ))
            }
            None => None,
        };
        self.events.push(EventPlan {
            registry,
            code,
            date,
            age,
        });
        Ok(Node::Event(self.events.len() - 1))
    }

    /// Returns the position of a column in the registry's pass, adding it.
    fn column(
        &mut self,
        registry: usize,
        descriptor: &RegistryDescriptor,
        column: &ColumnRef,
        expected: VariableType,
    ) -> Result<usize, CriterionError> {
        match descriptor.variable(&column.name) {
            Some(kind) if kind == expected => {}
            Some(kind) => {
                return Err(CriterionError::new(
                    &column.pointer,
                    format!(
                        "variable `{}` of registry `{}` is of type {kind:?}, but this condition \
                         needs {expected:?}",
                        column.name, descriptor.name
                    ),
                ));
            }
            None => {
                let names: Vec<&str> = descriptor
                    .variables
                    .iter()
                    .map(|v| v.name.as_str())
                    .collect();
                return Err(CriterionError::new(
                    &column.pointer,
                    format!(
                        "registry `{}` has no variable `{}`; variables: {}",
                        descriptor.name,
                        column.name,
                        names.join(", ")
                    ),
                ));
            }
        }
        let columns = &mut self.columns[registry];
        if let Some(position) = columns.iter().skip(1).position(|c| c.name == column.name) {
            return Ok(position + 1);
        }
        columns.push(ColumnRequest {
            name: column.name.clone(),
            kind: ColumnKind::Typed(expected),
        });
        Ok(columns.len() - 1)
    }

    /// Returns the registries an event criterion names, by position.
    pub(crate) fn registries_read(&self) -> Vec<usize> {
        let mut registries: Vec<usize> = self.events.iter().map(|event| event.registry).collect();
        registries.sort_unstable();
        registries.dedup();
        registries
    }

    /// Selects the cohort: one pass over each registry an event criterion
    /// names, then the criterion per person. Rows of persons left out of a
    /// registry meet no event criterion.
    pub(crate) fn select(
        &self,
        spine: &Spine,
        left_out: &LeftOutSets,
        registries: &[RegistryDescriptor],
        threads: usize,
    ) -> Result<Cohort, RunError> {
        let mut hits = self.no_hits(spine);
        for registry in self.registries_read() {
            let extract = Extract::open(&registries[registry].file)?;
            let parts = run_parts(extract.part_count(), threads, |part| {
                self.select_part(spine, left_out, (registry, &extract), part)
            })?;
            for part in &parts {
                self.merge_hits(&mut hits, part);
            }
        }
        Ok(self.combine(spine, &hits))
    }

    /// Returns one empty hit set per event criterion.
    pub(crate) fn no_hits(&self, spine: &Spine) -> Hits {
        let words = spine.len().div_ceil(64);
        Hits {
            events: self.events.iter().map(|_| vec![0; words]).collect(),
        }
    }

    /// Marks the persons meeting each event criterion in one part of a
    /// registry.
    pub(crate) fn select_part(
        &self,
        spine: &Spine,
        left_out: &LeftOutSets,
        (registry, extract): (usize, &Extract),
        part: usize,
    ) -> Result<Hits, RunError> {
        let events: Vec<usize> = (0..self.events.len())
            .filter(|event| self.events[*event].registry == registry)
            .collect();
        let mut hits = self.no_hits(spine);
        // A row naming an excluded person in a further identifier column
        // is not used either, so those columns are read when lists apply.
        let mut columns = self.columns[registry].clone();
        let others = if left_out.filters(registry) {
            let first = columns.len();
            columns.extend(self.other_identifiers[registry].iter().cloned());
            first..columns.len()
        } else {
            0..0
        };
        extract.read(part, &columns, &mut |batch| {
            self.mark_events(
                spine,
                (registry, left_out),
                (&events, others.clone()),
                &batch,
                &mut hits,
            );
            Ok(())
        })?;
        Ok(hits)
    }

    /// Adds the hits of one part to `total`.
    pub(crate) fn merge_hits(&self, total: &mut Hits, part: &Hits) {
        for (mine, theirs) in total.events.iter_mut().zip(&part.events) {
            for (word, other) in mine.iter_mut().zip(theirs) {
                *word |= other;
            }
        }
    }

    /// Evaluates the criterion for every spine person.
    pub(crate) fn combine(&self, spine: &Spine, hits: &Hits) -> Cohort {
        let mut bits = vec![0_u64; spine.len().div_ceil(64)];
        let mut size = 0;
        for person in 0..spine.len() {
            // Spine positions fit u32, which `Spine::read` checks.
            if self.evaluate(&self.root, person as u32, spine, &hits.events) {
                bits[person / 64] |= 1 << (person % 64);
                size += 1;
            }
        }
        Cohort { bits, size }
    }

    /// Returns whether `row` meets the conditions of event plan `event`
    /// that need no person: the code and the date.
    fn row_meets(&self, event: usize, batch: &Batch, row: usize) -> bool {
        let plan = &self.events[event];
        if let Some((column, condition)) = &plan.code {
            let codes = batch.columns[*column].as_string::<i32>();
            if !codes.is_valid(row) || !condition.matches(codes.value(row)) {
                return false;
            }
        }
        if let Some((column, from, to)) = plan.date {
            let dates = batch.columns[column].as_primitive::<Date32Type>();
            if !dates.is_valid(row) || !(from..=to).contains(&dates.value(row)) {
                return false;
            }
        }
        true
    }

    /// Sets the hit bit of each event a row meets. Conditions on the row
    /// alone are checked first, and only the identifiers of rows meeting
    /// them for some event are resolved. `others` are the batch columns of
    /// further identifiers whose excluded persons leave the row out.
    fn mark_events(
        &self,
        spine: &Spine,
        (registry, left_out): (usize, &LeftOutSets),
        (events, others): (&[usize], std::ops::Range<usize>),
        batch: &Batch,
        hits: &mut Hits,
    ) {
        let candidates: Vec<usize> = (0..batch.rows)
            .filter(|row| {
                events
                    .iter()
                    .any(|event| self.row_meets(*event, batch, *row))
            })
            .collect();
        let resolutions = spine.resolve_rows(batch.columns[0].as_string::<i32>(), &candidates);
        let further: Vec<Vec<Resolution>> = others
            .map(|column| spine.resolve_rows(batch.columns[column].as_string::<i32>(), &candidates))
            .collect();
        for (position, (&row, resolution)) in candidates.iter().zip(&resolutions).enumerate() {
            let row_left_out = further.iter().any(|column| {
                column[position]
                    .person()
                    .is_some_and(|person| left_out.excluded(registry, person))
            });
            let Some(index) = resolution
                .person()
                .filter(|person| left_out.check(registry, *person).is_none())
                .filter(|_| !row_left_out)
            else {
                continue;
            };
            for &event in events {
                let plan = &self.events[event];
                if !self.row_meets(event, batch, row) {
                    continue;
                }
                if let Some((column, youngest, oldest)) = plan.age {
                    let dates = batch.columns[column].as_primitive::<Date32Type>();
                    let age = dates
                        .is_valid(row)
                        .then(|| age_at(spine, index, dates.value(row)))
                        .flatten();
                    let in_range = age
                        .and_then(|age| u32::try_from(age).ok())
                        .is_some_and(|age| (youngest..=oldest).contains(&age));
                    if !in_range {
                        continue;
                    }
                }
                let position = index as usize;
                hits.events[event][position / 64] |= 1 << (position % 64);
            }
        }
    }

    fn evaluate(&self, node: &Node, person: u32, spine: &Spine, hits: &[Vec<u64>]) -> bool {
        match node {
            Node::All(items) => items
                .iter()
                .all(|item| self.evaluate(item, person, spine, hits)),
            Node::Any(items) => items
                .iter()
                .any(|item| self.evaluate(item, person, spine, hits)),
            Node::Not(inner) => !self.evaluate(inner, person, spine, hits),
            Node::Sex(sex) => spine.sex_of(person) == Some(*sex),
            Node::BirthYear(range) => spine
                .birth_year_of(person)
                .is_some_and(|year| range.contains(year)),
            Node::Event(event) => {
                let position = person as usize;
                hits[*event][position / 64] & (1 << (position % 64)) != 0
            }
        }
    }
}

/// Age in whole years at `day`: from the birth date when the spine has
/// one, else the difference of the years.
fn age_at(spine: &Spine, person: u32, day: i32) -> Option<i32> {
    if let Some(born) = spine.birth_date_of(person) {
        return Some(age_in_years(born, day));
    }
    spine.birth_year_of(person).map(|year| year_of(day) - year)
}
