//! Random streams and the small samplers the registries share.

use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson, StandardNormal};

use crate::day::Day;
use crate::report::RegistryFile;

/// The generator of every random stream. ChaCha8 is used directly, not
/// `StdRng`, because rand documents `StdRng` as free to change between
/// versions, which would change the output for a seed.
pub(crate) type SynthRng = ChaCha8Rng;

/// One independent random stream per purpose, so a change in how one
/// registry draws its values leaves the other registries' output unchanged.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stream {
    Population,
    IdentityNumbers,
    Cancer,
    Birth,
    Patient,
    Quality,
    /// Choice of the dirty records of a file and their kinds.
    Dirt(RegistryFile),
}

impl Stream {
    fn number(self) -> u64 {
        match self {
            Stream::Population => 1,
            Stream::IdentityNumbers => 2,
            Stream::Cancer => 3,
            Stream::Birth => 4,
            Stream::Patient => 5,
            Stream::Quality => 6,
            Stream::Dirt(file) => 100 + file as u64,
        }
    }
}

/// Returns the random stream `stream` of `seed`.
pub(crate) fn stream(seed: u64, stream: Stream) -> SynthRng {
    let mut rng = SynthRng::seed_from_u64(seed);
    rng.set_stream(stream.number());
    rng
}

/// Returns a day drawn uniformly from `first..=last`, or `None` when the
/// range is empty.
pub(crate) fn uniform_day(rng: &mut impl Rng, first: Day, last: Day) -> Option<Day> {
    (first <= last).then(|| Day::from_number(rng.gen_range(first.number()..=last.number())))
}

/// Returns a draw from the normal distribution with `mean` and
/// `standard_deviation`.
pub(crate) fn normal(rng: &mut impl Rng, mean: f64, standard_deviation: f64) -> f64 {
    let z: f64 = rng.sample(StandardNormal);
    mean + standard_deviation * z
}

/// Returns a draw from the Poisson distribution with mean `lambda`, or 0
/// when `lambda` is not positive.
pub(crate) fn poisson(rng: &mut impl Rng, lambda: f64) -> u32 {
    match Poisson::new(lambda) {
        // A Poisson draw is a non-negative whole number stored as f64.
        Ok(distribution) => distribution.sample(rng) as u32,
        Err(_) => 0,
    }
}

/// A fixed set of values with relative integer weights.
pub(crate) struct WeightedTable<T> {
    values: Vec<T>,
    /// Running sum of the weights up to and including each value.
    cumulative: Vec<u64>,
}

impl<T> WeightedTable<T> {
    /// Builds a table from values and weights. Values of weight 0 are never
    /// drawn.
    pub(crate) fn new(entries: impl IntoIterator<Item = (T, u32)>) -> WeightedTable<T> {
        let mut values = Vec::new();
        let mut cumulative = Vec::new();
        let mut total = 0u64;
        for (value, weight) in entries {
            if weight == 0 {
                continue;
            }
            total += u64::from(weight);
            values.push(value);
            cumulative.push(total);
        }
        WeightedTable { values, cumulative }
    }

    /// Returns a value drawn with probability proportional to its weight, or
    /// `None` when the table is empty.
    pub(crate) fn sample(&self, rng: &mut impl Rng) -> Option<&T> {
        let total = *self.cumulative.last()?;
        let point = rng.gen_range(0..total);
        let index = self.cumulative.partition_point(|&sum| sum <= point);
        self.values.get(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_table_follows_weights() {
        let table = WeightedTable::new([("rare", 1), ("never", 0), ("common", 9)]);
        let mut rng = stream(7, Stream::Population);
        let draws = 10_000;
        let common = (0..draws)
            .filter(|_| table.sample(&mut rng) == Some(&"common"))
            .count();
        let never = (0..draws)
            .filter(|_| table.sample(&mut rng) == Some(&"never"))
            .count();
        assert!(
            (8_800..=9_200).contains(&common),
            "common drawn {common} times"
        );
        assert_eq!(never, 0);
    }

    #[test]
    fn empty_table_returns_none() {
        let table: WeightedTable<u8> = WeightedTable::new([]);
        let mut rng = stream(7, Stream::Population);
        assert!(table.sample(&mut rng).is_none());
    }

    #[test]
    fn streams_differ_by_purpose() {
        let mut cancer = stream(1, Stream::Cancer);
        let mut birth = stream(1, Stream::Birth);
        assert_ne!(cancer.r#gen::<u64>(), birth.r#gen::<u64>());
    }

    #[test]
    fn uniform_day_of_empty_range_is_none() {
        let mut rng = stream(1, Stream::Population);
        let day = Day::from_ymd(2020, 1, 2).unwrap();
        assert!(uniform_day(&mut rng, day, day.plus(-1)).is_none());
        assert_eq!(uniform_day(&mut rng, day, day), Some(day));
    }
}
