//! A fast hasher for the `u64` group keys built during node evaluation.
//!
//! Keys come from the crate's own encoding, not from outside input, so the
//! flooding resistance of the standard hasher buys nothing here, and its
//! cost would dominate grouping.

use std::hash::{BuildHasherDefault, Hasher};

/// Hashes `u64` keys with the splitmix64 finaliser.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct KeyHasher(u64);

pub(crate) type BuildKeyHasher = BuildHasherDefault<KeyHasher>;

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, value: u64) {
        let mut mixed = (self.0 ^ value).wrapping_add(0x9e37_79b9_7f4a_7c15);
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        self.0 = mixed ^ (mixed >> 31);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn nearby_keys_spread() {
        let build = BuildKeyHasher::default();
        let first = build.hash_one(1u64);
        let second = build.hash_one(2u64);
        assert_ne!(first, second);
        // The low bits select the bucket, so they must differ too.
        assert_ne!(first & 0xff, second & 0xff);
    }
}
