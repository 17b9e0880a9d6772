//! A person of the population spine.

use std::fmt;

use crate::day::Day;
use crate::identity_number::IdNumber;
use crate::municipality::Municipality;
use crate::period;

/// Sex as registered in the population register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// Returns the value written in `population.csv`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// The D-number a person had before getting an ordinary number.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FormerDnumber {
    pub(crate) number: IdNumber,
    /// First day on which registries use the ordinary number.
    pub(crate) replaced_on: Day,
}

/// A person of the population spine.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub(crate) id: IdNumber,
    pub(crate) sex: Sex,
    pub(crate) birth: Day,
    pub(crate) municipality: &'static Municipality,
    pub(crate) death: Option<Day>,
    pub(crate) emigration: Option<Day>,
    pub(crate) former_dnumber: Option<FormerDnumber>,
}

impl Person {
    /// Returns the number a registry records for this person on `day`: the
    /// former D-number before it was replaced, else the ordinary number.
    pub(crate) fn id_on(&self, day: Day) -> IdNumber {
        match self.former_dnumber {
            Some(former) if day < former.replaced_on => former.number,
            _ => self.id,
        }
    }

    /// Returns the last day on which registries can record an event for this
    /// person: the day before death or emigration, or the period end.
    pub(crate) fn last_observed_day(&self) -> Day {
        let mut last = period::last_day();
        for leaving in [self.death, self.emigration].into_iter().flatten() {
            last = last.min(leaving.plus(-1));
        }
        last
    }

    /// Returns the age in whole years on `day`.
    pub(crate) fn age_on(&self, day: Day) -> i32 {
        day.age_since(self.birth)
    }
}
