//! One keyed hash per spine person, the collision check, and the base32
//! text form of a pseudonym.

use arrow::array::StringArray;
use arrow::array::builder::NullBufferBuilder;
use arrow::buffer::{Buffer, OffsetBuffer};
use arrow::error::ArrowError;

use crate::columnar::error::RunError;
use crate::columnar::spine::Spine;
use crate::keyed_hash::KeyedHasher;

/// Letters of lowercase RFC 4648 base32.
const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
/// Characters of a pseudonym: 128 bits in 5-bit groups.
pub(crate) const PSEUDONYM_LEN: usize = 26;

/// The first 128 bits of each person's keyed hash, and the persons in
/// hash order.
pub(crate) struct Pseudonyms {
    hashes: Vec<u128>,
    pub(crate) order: Vec<u32>,
}

impl Pseudonyms {
    /// Hashes every spine person once, on `threads` threads, and stops with
    /// an error when two persons share the first 96 bits of their hash
    /// (which includes every full pseudonym collision).
    pub(crate) fn compute(
        spine: &Spine,
        project_key: &[u8],
        threads: usize,
    ) -> Result<Self, RunError> {
        let hasher = KeyedHasher::new(project_key);
        let mut hashes = vec![0_u128; spine.len()];
        let chunk = spine.len().div_ceil(threads.max(1)).max(1);
        std::thread::scope(|scope| {
            for (ids, out) in spine.ids.chunks(chunk).zip(hashes.chunks_mut(chunk)) {
                let hasher = hasher.clone();
                scope.spawn(move || {
                    for (id, hash) in ids.iter().zip(out) {
                        let digest = hasher.hash_id(*id);
                        let mut first = [0_u8; 16];
                        first.copy_from_slice(&digest[..16]);
                        *hash = u128::from_be_bytes(first);
                    }
                });
            }
        });

        let order = hash_order(&hashes)?;
        Ok(Self { hashes, order })
    }

    /// Returns a text column of the pseudonyms of `persons`, null where a
    /// person is `None`.
    ///
    /// The hashes are fetched in a loop of their own first: the table is
    /// far larger than the processor's caches, and independent loads let
    /// it overlap the misses instead of waiting for each. Every pseudonym
    /// has the same length, so the column's bytes and offsets are then
    /// written directly instead of value by value.
    pub(crate) fn array(
        &self,
        persons: impl ExactSizeIterator<Item = Option<u32>>,
    ) -> Result<StringArray, ArrowError> {
        let rows = persons.len();
        let hashes: Vec<Option<u128>> = persons
            .map(|person| person.map(|person| self.hashes[person as usize]))
            .collect();
        let mut values: Vec<u8> = Vec::with_capacity(rows * PSEUDONYM_LEN);
        let mut offsets: Vec<i32> = Vec::with_capacity(rows + 1);
        let mut nulls = NullBufferBuilder::new(rows);
        offsets.push(0);
        for hash in hashes {
            match hash {
                Some(hash) => {
                    values.extend_from_slice(&encode_base32(hash));
                    nulls.append_non_null();
                }
                None => nulls.append_null(),
            }
            let end = i32::try_from(values.len()).map_err(|_| {
                ArrowError::InvalidArgumentError(format!(
                    "{rows} pseudonyms exceed the 2 GiB of one text column"
                ))
            })?;
            offsets.push(end);
        }
        StringArray::try_new(
            OffsetBuffer::new(offsets.into()),
            Buffer::from_vec(values),
            nulls.finish(),
        )
    }
}

/// Returns the persons in the order of their hashes, or an error when two
/// persons share the first 96 bits of their hash.
fn hash_order(hashes: &[u128]) -> Result<Vec<u32>, RunError> {
    // The upper 96 bits of the hash with the person in the lower 32 bits:
    // sorting gives hash order, and equal upper bits a collision.
    let mut keyed: Vec<u128> = hashes
        .iter()
        .enumerate()
        .map(|(person, hash)| (hash >> 32 << 32) | person as u128)
        .collect();
    keyed.sort_unstable();
    if keyed.windows(2).any(|pair| pair[0] >> 32 == pair[1] >> 32) {
        return Err(RunError::PseudonymCollision);
    }
    // The lower 32 bits hold the person, so the cast keeps it whole.
    Ok(keyed.into_iter().map(|key| key as u32).collect())
}

/// Lowercase base32 without padding of 16 big-endian bytes.
pub(crate) fn encode_base32(hash: u128) -> [u8; PSEUDONYM_LEN] {
    const FORTY_BITS: u128 = (1 << 40) - 1;
    let mut text = [0_u8; PSEUDONYM_LEN];
    // Three 40-bit groups from the top give eight letters each; the shifts
    // within a group then work on 64-bit words. The casts keep 40 bits.
    for (group, letters) in text.chunks_exact_mut(8).enumerate() {
        let bits = ((hash >> (88 - 40 * group)) & FORTY_BITS) as u64;
        for (index, letter) in letters.iter_mut().enumerate() {
            *letter = ALPHABET[((bits >> (35 - 5 * index)) & 31) as usize];
        }
    }
    // The last 8 bits: one full 5-bit group, and 3 bits that fill the top
    // of the last group.
    text[24] = ALPHABET[((hash >> 3) & 31) as usize];
    text[25] = ALPHABET[((hash & 7) << 2) as usize];
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persons_ordered_by_hash() {
        let hashes = [3_u128 << 100, 1 << 100, 2 << 100];
        assert_eq!(hash_order(&hashes).unwrap(), [1, 2, 0]);
    }

    #[test]
    fn equal_pseudonyms_stop_the_run() {
        let hash = 0x0123_4567_89ab_cdef_0123_4567_89ab_cdef_u128;
        let hashes = [1 << 64, hash, 5 << 90, hash];
        assert!(matches!(
            hash_order(&hashes),
            Err(RunError::PseudonymCollision)
        ));
    }

    #[test]
    fn hashes_sharing_first_96_bits_stop_the_run() {
        // Differing only in the last 32 bits, the two pseudonyms differ in
        // their last characters, but 96 shared bits are treated as a
        // collision all the same.
        let first = 0xfeed_0000_0000_0000_0000_0000_0000_0001_u128;
        let second = 0xfeed_0000_0000_0000_0000_0000_0000_0002_u128;
        assert_ne!(encode_base32(first), encode_base32(second));
        assert!(matches!(
            hash_order(&[first, second]),
            Err(RunError::PseudonymCollision)
        ));
    }

    #[test]
    fn array_keeps_nulls_in_place() {
        let hashes = vec![1_u128 << 100, u128::MAX, 0];
        let pseudonyms = Pseudonyms {
            order: hash_order(&hashes).unwrap(),
            hashes,
        };
        let array = pseudonyms
            .array([Some(2), None, Some(1), Some(0)].into_iter())
            .unwrap();
        let text = |hash| String::from_utf8(encode_base32(hash).to_vec()).unwrap();
        let values: Vec<Option<&str>> = array.iter().collect();
        assert_eq!(
            values,
            [
                Some(text(0).as_str()),
                None,
                Some(text(u128::MAX).as_str()),
                Some(text(1 << 100).as_str()),
            ]
        );
        assert_eq!(text(0), "a".repeat(PSEUDONYM_LEN));
        assert_eq!(
            text(u128::MAX),
            format!("{}4", "7".repeat(PSEUDONYM_LEN - 1))
        );
    }

    #[test]
    fn base32_matches_keyed_hash_pseudonym() {
        let hasher = KeyedHasher::new(b"key");
        for id in [1_018_012_345_u64, 31_129_912_345, 41_018_012_345] {
            let digest = hasher.hash_id(id);
            let mut first = [0_u8; 16];
            first.copy_from_slice(&digest[..16]);
            let text = encode_base32(u128::from_be_bytes(first));
            assert_eq!(std::str::from_utf8(&text).unwrap(), hasher.pseudonym(id));
        }
    }
}
