//! Keyed person hashes and project pseudonyms.
//!
//! Both are HMAC-SHA256 over the 11 ASCII digits of an identity number. The
//! platform key gives the exclusion hashes that the consent service stores.
//! Each project key gives that project's pseudonyms, so two projects cannot
//! join their deliveries on the pseudonym.

use data_encoding::BASE32_NOPAD;
use hap_identity::IdentityNumber;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Number of digits in a Norwegian identity number.
pub(crate) const ID_DIGITS: usize = 11;

/// Returns HMAC-SHA256 under `key` of the 11 ASCII digits of `id`.
pub fn person_hash(key: &[u8], id: &IdentityNumber) -> [u8; 32] {
    KeyedHasher::new(key).hash_digits(&digits_of(id.as_u64()))
}

/// Returns the pseudonym of `id` in the project with `project_key`: the first
/// 16 bytes of [`person_hash`] in lowercase base32 without padding. That is
/// 26 characters from `a`-`z` and `2`-`7`, so a pseudonym never has the
/// shape of an 11-digit identity number.
pub fn pseudonym(project_key: &[u8], id: &IdentityNumber) -> String {
    KeyedHasher::new(project_key).pseudonym(id.as_u64())
}

/// Domain separation of project keys, so a project key never equals
/// another use of the master key.
const PROJECT_KEY_CONTEXT: &[u8] = b"hap/project-pseudonym-key/v1/";

/// Derives a project's pseudonym key: HMAC-SHA256(master key, context ||
/// project id), where the project id is the 16 bytes of its UUID. The same
/// project always gets the same key, and other projects unrelated ones.
pub fn project_key(master_key: &[u8], project_id: &[u8; 16]) -> [u8; 32] {
    let mut message = PROJECT_KEY_CONTEXT.to_vec();
    message.extend_from_slice(project_id);
    let keyed = KeyedHasher::new(master_key);
    let mut mac = keyed.keyed.clone();
    mac.update(&message);
    mac.finalize().into_bytes().into()
}

/// An HMAC-SHA256 keyed once and cloned per message, which saves the key
/// schedule on every hash.
#[derive(Clone)]
pub(crate) struct KeyedHasher {
    keyed: Hmac<Sha256>,
}

impl KeyedHasher {
    pub(crate) fn new(key: &[u8]) -> Self {
        // HMAC hashes keys longer than the block size and pads shorter ones,
        // so `new_from_slice` accepts keys of every length.
        let keyed = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
            Ok(keyed) => keyed,
            Err(_) => unreachable!("HMAC accepts keys of any length"),
        };
        Self { keyed }
    }

    /// Hashes the identity number with the digits `digits`.
    pub(crate) fn hash_digits(&self, digits: &[u8; ID_DIGITS]) -> [u8; 32] {
        let mut mac = self.keyed.clone();
        mac.update(digits);
        mac.finalize().into_bytes().into()
    }

    /// Hashes the identity number whose [`IdentityNumber::as_u64`] is `id`.
    pub(crate) fn hash_id(&self, id: u64) -> [u8; 32] {
        self.hash_digits(&digits_of(id))
    }

    /// Returns the pseudonym of the identity number whose `as_u64` is `id`.
    pub(crate) fn pseudonym(&self, id: u64) -> String {
        let hash = self.hash_id(id);
        BASE32_NOPAD.encode(&hash[..16]).to_ascii_lowercase()
    }
}

/// Writes `id` as 11 ASCII digits with leading zeros, the inverse of
/// [`IdentityNumber::as_u64`] for numbers below 10^11.
pub(crate) fn digits_of(mut id: u64) -> [u8; ID_DIGITS] {
    let mut digits = [b'0'; ID_DIGITS];
    for digit in digits.iter_mut().rev() {
        // `id % 10` is below 10, so the cast cannot truncate.
        *digit = b'0' + (id % 10) as u8;
        id /= 10;
    }
    digits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_keep_leading_zeros() {
        assert_eq!(&digits_of(1_018_012_345), b"01018012345");
        assert_eq!(&digits_of(0), b"00000000000");
        assert_eq!(&digits_of(99_999_999_999), b"99999999999");
    }

    #[test]
    fn hash_matches_reference_hmac() {
        // `printf %s 01018012345 | openssl dgst -sha256 -hmac key` (OpenSSL 3).
        let expected = "1a2c0f2bf3c661afa931c45c96f1740f5d7a572e46a7a9a9cd8326e5ad6af48f";
        let hash = KeyedHasher::new(b"key").hash_id(1_018_012_345);
        assert_eq!(data_encoding::HEXLOWER.encode(&hash), expected);
    }

    #[test]
    fn pseudonym_matches_reference_base32() {
        // Python: base64.b32encode(hmac_digest[:16]), lowercased, "=" removed.
        let pseudonym = KeyedHasher::new(b"key").pseudonym(1_018_012_345);
        assert_eq!(pseudonym, "diwa6k7tyzq27kjryrojn4lub4");
    }

    #[test]
    fn pseudonym_alphabet_and_length() {
        let hasher = KeyedHasher::new(b"project");
        for id in [1_018_012_345_u64, 31_129_912_345, 41_018_012_345] {
            let pseudonym = hasher.pseudonym(id);
            assert_eq!(pseudonym.len(), 26, "{pseudonym}");
            assert!(
                pseudonym
                    .bytes()
                    .all(|byte| byte.is_ascii_lowercase() || (b'2'..=b'7').contains(&byte)),
                "{pseudonym}"
            );
        }
    }

    #[test]
    fn cloned_hasher_does_not_carry_state() {
        let hasher = KeyedHasher::new(b"project");
        let first = hasher.hash_id(1_018_012_345);
        let _other = hasher.hash_id(31_129_912_345);
        assert_eq!(hasher.hash_id(1_018_012_345), first);
    }
}
