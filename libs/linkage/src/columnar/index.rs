//! The spine index: every linkable number to its index entry, packed into
//! one 64-bit word per slot of an open-addressing table with linear
//! probing.
//!
//! A lookup of a number in the spine usually costs one cache miss: the
//! slot contains the key and the value together, and the next slots probed
//! lie in the same cache line. The table has no tombstones because entries
//! are never removed.

use crate::columnar::resolve::{REMAPPED, UNRESOLVED};

/// Bits of a slot that hold the value; the key fills the upper 37 bits,
/// enough for every 11-digit number.
const VALUE_BITS: u32 = 27;
const VALUE_MASK: u64 = (1 << VALUE_BITS) - 1;
/// The value bit that marks a former number the history re-maps.
const PACKED_REMAPPED: u64 = 1 << (VALUE_BITS - 1);
/// An empty slot. Its key bits exceed every 11-digit number.
const EMPTY: u64 = u64::MAX;
/// Largest key; 11 digits stay below it.
const MAX_KEY: u64 = (1 << (64 - VALUE_BITS)) - 2;
/// Persons the packed value can number: positions below this, with the
/// all-ones value left for [`UNRESOLVED`].
pub(crate) const MAX_PERSONS: u32 = (1 << (VALUE_BITS - 1)) - 1;
/// Odd multiplier of the slot hash (the golden ratio in 64 bits).
const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

/// Numbers to index entries ([`REMAPPED`] and [`UNRESOLVED`] as in
/// `resolve`).
pub(crate) struct PackedIndex {
    slots: Vec<u64>,
    len: usize,
}

/// Slots for `entries` at a load of at most 70 %.
fn slots_for(entries: usize) -> usize {
    (entries.saturating_mul(10) / 7).max(16)
}

fn pack(entry: u32) -> u64 {
    if entry == UNRESOLVED {
        VALUE_MASK
    } else if entry & REMAPPED != 0 {
        u64::from(entry & !REMAPPED) | PACKED_REMAPPED
    } else {
        u64::from(entry)
    }
}

fn unpack(value: u64) -> u32 {
    if value == VALUE_MASK {
        UNRESOLVED
    } else if value & PACKED_REMAPPED != 0 {
        // Below 2^26, so the cast keeps it whole.
        (value & !PACKED_REMAPPED) as u32 | REMAPPED
    } else {
        value as u32
    }
}

impl PackedIndex {
    /// Returns an empty index with room for `entries` entries.
    pub(crate) fn with_capacity(entries: usize) -> Self {
        Self {
            slots: vec![EMPTY; slots_for(entries)],
            len: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Position where the probe for `key` starts: the multiplied key's
    /// upper bits scaled to the table length.
    fn home(&self, key: u64) -> usize {
        let hash = key.wrapping_mul(MULTIPLIER);
        // The product of two values below 2^64, shifted down 64 bits, is
        // below the table length.
        ((u128::from(hash) * self.slots.len() as u128) >> 64) as usize
    }

    /// Returns the slot position holding `key`, or the empty slot where it
    /// would go.
    fn find(&self, key: u64) -> usize {
        let mut position = self.home(key);
        loop {
            let slot = self.slots[position];
            if slot == EMPTY || slot >> VALUE_BITS == key {
                return position;
            }
            position += 1;
            if position == self.slots.len() {
                position = 0;
            }
        }
    }

    pub(crate) fn get(&self, key: u64) -> Option<u32> {
        if key > MAX_KEY {
            return None;
        }
        let slot = self.slots[self.find(key)];
        (slot != EMPTY).then(|| unpack(slot & VALUE_MASK))
    }

    /// Looks up every key, as [`PackedIndex::get`] does each.
    ///
    /// The first slot of every probe is loaded in a loop of its own, with
    /// no branch that depends on the loaded data, so the processor keeps
    /// many of these cache misses in flight. Most keys are found in that
    /// slot; the others continue their probe from lines now in cache.
    pub(crate) fn get_many(&self, keys: &[Option<u64>]) -> Vec<Option<u32>> {
        let homes: Vec<usize> = keys
            .iter()
            .map(|key| {
                key.filter(|key| *key <= MAX_KEY)
                    .map_or(0, |key| self.home(key))
            })
            .collect();
        let first: Vec<u64> = homes.iter().map(|home| self.slots[*home]).collect();
        keys.iter()
            .zip(first)
            .map(|(key, slot)| {
                let key = key.filter(|key| *key <= MAX_KEY)?;
                // An empty slot's key bits exceed every key, so a match
                // is a full slot.
                if slot >> VALUE_BITS == key {
                    Some(unpack(slot & VALUE_MASK))
                } else if slot == EMPTY {
                    None
                } else {
                    self.get(key)
                }
            })
            .collect()
    }

    pub(crate) fn contains_key(&self, key: u64) -> bool {
        self.get(key).is_some()
    }

    /// Adds `key` unless it is present, and returns whether it was added.
    ///
    /// # Panics
    ///
    /// Panics when `key` has more than 11 digits or the entry names a
    /// person at or above [`MAX_PERSONS`]; callers check both.
    pub(crate) fn insert_new(&mut self, key: u64, entry: u32) -> bool {
        self.check(key, entry);
        self.grow_for(self.len + 1);
        let position = self.find(key);
        if self.slots[position] != EMPTY {
            return false;
        }
        self.slots[position] = (key << VALUE_BITS) | pack(entry);
        self.len += 1;
        true
    }

    /// Sets the entry of `key`, adding it when absent.
    ///
    /// # Panics
    ///
    /// As [`PackedIndex::insert_new`].
    pub(crate) fn set(&mut self, key: u64, entry: u32) {
        self.check(key, entry);
        self.grow_for(self.len + 1);
        let position = self.find(key);
        if self.slots[position] == EMPTY {
            self.len += 1;
        }
        self.slots[position] = (key << VALUE_BITS) | pack(entry);
    }

    fn check(&self, key: u64, entry: u32) {
        assert!(key <= MAX_KEY, "index key {key} has more than 11 digits");
        assert!(
            entry == UNRESOLVED || entry & !REMAPPED < MAX_PERSONS,
            "person {} is beyond the index's {MAX_PERSONS}",
            entry & !REMAPPED
        );
    }

    /// Makes room for `entries` entries, moving every entry to a larger
    /// table when the load would pass 70 %.
    pub(crate) fn grow_for(&mut self, entries: usize) {
        if entries * 10 <= self.slots.len() * 7 {
            return;
        }
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; slots_for(entries * 2)]);
        for slot in old.into_iter().filter(|slot| *slot != EMPTY) {
            let position = self.find(slot >> VALUE_BITS);
            self.slots[position] = slot;
        }
    }

    /// Returns every key with its entry, in table order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.slots
            .iter()
            .filter(|slot| **slot != EMPTY)
            .map(|slot| (slot >> VALUE_BITS, unpack(slot & VALUE_MASK)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip() {
        let mut index = PackedIndex::with_capacity(4);
        let entries = [
            (1_018_012_345, 0),
            (99_999_999_999, MAX_PERSONS - 1),
            (41_018_012_345, 7 | REMAPPED),
            (31_129_912_345, UNRESOLVED),
        ];
        for (key, entry) in entries {
            assert!(index.insert_new(key, entry));
        }
        for (key, entry) in entries {
            assert_eq!(index.get(key), Some(entry), "{key}");
        }
        assert_eq!(index.get(12_345_678_901), None);
        assert_eq!(index.get(u64::MAX), None);
        assert_eq!(index.len(), 4);

        let mut keys: Vec<Option<u64>> = entries.iter().map(|(key, _)| Some(*key)).collect();
        keys.extend([None, Some(12_345_678_901), Some(u64::MAX)]);
        let mut expected: Vec<Option<u32>> =
            entries.iter().map(|(_, entry)| Some(*entry)).collect();
        expected.extend([None, None, None]);
        assert_eq!(index.get_many(&keys), expected);
    }

    #[test]
    fn second_insert_keeps_first_entry() {
        let mut index = PackedIndex::with_capacity(1);
        assert!(index.insert_new(1_018_012_345, 3));
        assert!(!index.insert_new(1_018_012_345, 4));
        assert_eq!(index.get(1_018_012_345), Some(3));
        index.set(1_018_012_345, 5 | REMAPPED);
        assert_eq!(index.get(1_018_012_345), Some(5 | REMAPPED));
        assert_eq!(index.len(), 1);
    }

    #[test]
    fn growing_keeps_every_entry() {
        let mut index = PackedIndex::with_capacity(0);
        for person in 0..10_000_u32 {
            index.set(10_000_000_000 + u64::from(person) * 7, person);
        }
        assert_eq!(index.len(), 10_000);
        for person in 0..10_000_u32 {
            assert_eq!(
                index.get(10_000_000_000 + u64::from(person) * 7),
                Some(person)
            );
        }
        let probed: Vec<Option<u64>> = (0..20_000_u64)
            .map(|step| Some(10_000_000_000 + step * 7))
            .collect();
        let found = index.get_many(&probed);
        for (step, entry) in found.iter().enumerate() {
            let expected = (step < 10_000).then_some(step as u32);
            assert_eq!(*entry, expected, "{step}");
        }
        let mut keys: Vec<u64> = index.iter().map(|(key, _)| key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 10_000);
    }
}
