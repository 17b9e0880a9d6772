//! Hashing for the engine's hash tables and for exact-duplicate detection.
//!
//! The standard library's SipHash costs more than the table probe for a
//! single integer key. The keys here are identity numbers and row
//! fingerprints, which the files cannot choose to collide, so a folded
//! 128-bit multiply spreads them well enough.

use std::hash::{BuildHasher, DefaultHasher, Hasher};

use csv::ByteRecord;

/// Odd 64-bit constant from the golden ratio, the multiplier of Fibonacci
/// hashing.
const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

/// Builds [`IntegerHasher`]s for tables keyed by `u64` or `u128`.
#[derive(Clone, Copy, Default)]
pub(crate) struct IntegerHashBuilder;

impl BuildHasher for IntegerHashBuilder {
    type Hasher = IntegerHasher;

    fn build_hasher(&self) -> IntegerHasher {
        IntegerHasher { state: 0 }
    }
}

/// A hasher for integer keys: each written integer is folded into the
/// state with a full 64x64->128-bit multiply.
pub(crate) struct IntegerHasher {
    state: u64,
}

impl IntegerHasher {
    fn mix(&mut self, value: u64) {
        let product = u128::from(self.state ^ value) * u128::from(MULTIPLIER);
        // Folding the high half into the low half gives every output bit a
        // dependence on every input bit. The casts keep the two halves.
        self.state = (product as u64) ^ ((product >> 64) as u64);
    }
}

impl Hasher for IntegerHasher {
    fn finish(&self) -> u64 {
        self.state
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0_u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.mix(value);
    }

    fn write_u128(&mut self, value: u128) {
        // The casts split the value into its low and high 64 bits.
        self.mix(value as u64);
        self.mix((value >> 64) as u64);
    }

    fn write_u32(&mut self, value: u32) {
        self.mix(u64::from(value));
    }
}

/// Returns a 128-bit fingerprint of a CSV row's fields, from two SipHash-1-3
/// runs with different prefixes. Two distinct rows share a fingerprint with
/// probability about 2^-128, so equal fingerprints mean an exact duplicate.
pub(crate) fn row_fingerprint(record: &ByteRecord) -> u128 {
    let mut low = DefaultHasher::new();
    let mut high = DefaultHasher::new();
    high.write_u8(0xA5);
    for field in record {
        // The length prefix keeps `a,bc` and `ab,c` apart.
        low.write_usize(field.len());
        low.write(field);
        high.write_usize(field.len());
        high.write(field);
    }
    (u128::from(high.finish()) << 64) | u128::from(low.finish())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn fingerprint_separates_field_bounds() {
        let joined = ByteRecord::from(vec!["ab", "c"]);
        let split = ByteRecord::from(vec!["a", "bc"]);
        assert_ne!(row_fingerprint(&joined), row_fingerprint(&split));
    }

    #[test]
    fn fingerprint_equal_for_equal_rows() {
        let first = ByteRecord::from(vec!["01018012345", "C18.7", "2020-01-01", ""]);
        let second = ByteRecord::from(vec!["01018012345", "C18.7", "2020-01-01", ""]);
        assert_eq!(row_fingerprint(&first), row_fingerprint(&second));
    }

    #[test]
    fn fingerprint_separates_trailing_empty_field() {
        let three = ByteRecord::from(vec!["a", "b", ""]);
        let two = ByteRecord::from(vec!["a", "b"]);
        assert_ne!(row_fingerprint(&three), row_fingerprint(&two));
    }

    #[test]
    fn integer_hasher_spreads_sequential_ids() {
        // Sequential keys must not share the low bits a table uses as its
        // bucket index.
        let buckets: HashSet<u64> = (0..1024_u64)
            .map(|id| IntegerHashBuilder.hash_one(10_000_000_000 + id) & 1023)
            .collect();
        assert!(buckets.len() > 600, "{} distinct buckets", buckets.len());
    }
}
