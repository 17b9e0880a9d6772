//! Generator options: size, seed, share of dirty records and number series.

use serde::{Deserialize, Serialize};

use crate::error::SynthError;

/// Default share of dirty records in the registries other than the
/// population register.
pub const DEFAULT_DIRTY_SHARE: f64 = 0.005;

/// Maximum dirty share: above it the "dirty" records would be the norm.
pub const MAX_DIRTY_SHARE: f64 = 0.5;

/// Maximum number of persons.
///
/// One birth date and sex have 200 to 250 issuable numbers under the
/// century rule. At 8 million persons the most common birth dates use about
/// 70% of them, and a much larger spine would run out. A run of 8 million
/// persons took 40 s and 1 GB of memory (release build, 2 cores).
pub const MAX_PERSONS: usize = 8_000_000;

/// Identity-number series of the generated numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NumberSeries {
    /// Synthetic test numbers (month plus 80), as issued by the Norwegian Tax
    /// Administration for test environments: no generated number can belong
    /// to a real person.
    #[default]
    Synthetic,
    /// Ordinary numbers (month as is). A generated number may then equal a
    /// real person's number, so use this series only where a system under
    /// test rejects synthetic numbers.
    Ordinary,
}

/// Options for [`crate::generate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynthOptions {
    /// Number of persons in the population spine, 1 to [`MAX_PERSONS`].
    pub persons: usize,
    /// Seed of the random streams: the same seed and options give the same
    /// bytes in every file.
    pub seed: u64,
    /// Probability that a record of a registry other than the population
    /// register is made dirty, 0.0 to [`MAX_DIRTY_SHARE`].
    #[serde(default = "default_dirty_share")]
    pub dirty_share: f64,
    /// Identity-number series of every generated number.
    #[serde(default)]
    pub number_series: NumberSeries,
}

fn default_dirty_share() -> f64 {
    DEFAULT_DIRTY_SHARE
}

impl SynthOptions {
    /// Returns options for `persons` persons and `seed`, with the default
    /// dirty share and synthetic numbers.
    pub fn new(persons: usize, seed: u64) -> SynthOptions {
        SynthOptions {
            persons,
            seed,
            dirty_share: DEFAULT_DIRTY_SHARE,
            number_series: NumberSeries::Synthetic,
        }
    }

    /// Checks that every option is in range.
    pub fn validate(&self) -> Result<(), SynthError> {
        if self.persons == 0 || self.persons > MAX_PERSONS {
            return Err(SynthError::InvalidPersons {
                persons: self.persons,
            });
        }
        if !(0.0..=MAX_DIRTY_SHARE).contains(&self.dirty_share) {
            return Err(SynthError::InvalidDirtyShare {
                dirty_share: self.dirty_share,
            });
        }
        Ok(())
    }
}

/// 1,000 persons, seed 0, the default dirty share and synthetic numbers.
impl Default for SynthOptions {
    fn default() -> SynthOptions {
        SynthOptions::new(1_000, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert!(SynthOptions::default().validate().is_ok());
    }

    #[test]
    fn deserialize_fills_defaults() {
        let options: SynthOptions = serde_json::from_str(r#"{"persons": 10, "seed": 3}"#).unwrap();
        assert_eq!(options, SynthOptions::new(10, 3));
    }

    #[test]
    fn zero_persons_rejected() {
        let options = SynthOptions::new(0, 1);
        assert!(matches!(
            options.validate(),
            Err(SynthError::InvalidPersons { persons: 0 })
        ));
    }

    #[test]
    fn too_many_persons_rejected() {
        let options = SynthOptions::new(MAX_PERSONS + 1, 1);
        assert!(options.validate().is_err());
    }

    #[test]
    fn dirty_share_out_of_range_rejected() {
        for dirty_share in [-0.1, 0.6, f64::NAN, f64::INFINITY] {
            let options = SynthOptions {
                dirty_share,
                ..SynthOptions::default()
            };
            assert!(
                options.validate().is_err(),
                "dirty share {dirty_share} accepted"
            );
        }
    }
}
