//! The persons whose data from a registry must be left out: an exclusion
//! list (withdrawn consent, opt-out) and, for a consent-based registry, the
//! list of persons with a valid consent, both given as HMAC-SHA256 hashes
//! under the platform key.

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};

use crate::keyed_hash::KeyedHasher;
use crate::spine::{PersonIndex, Spine};

/// Whether a person's rows from a registry are used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Keep,
    /// The person is on the exclusion list.
    Excluded,
    /// The registry is consent-based and the person is not on its list of
    /// consented persons.
    WithoutConsent,
}

/// The lists of one registry, ready to check rows against.
pub(crate) struct PersonFilter<'a> {
    excluded: Option<&'a HashSet<[u8; 32]>>,
    consented: Option<&'a HashSet<[u8; 32]>>,
    hasher: KeyedHasher,
    /// Persons already checked, so each person's numbers are hashed once.
    decided: HashMap<PersonIndex, Verdict>,
}

impl<'a> PersonFilter<'a> {
    /// Returns a filter, or `None` when there is nothing to filter on.
    pub(crate) fn new(
        excluded: Option<&'a HashSet<[u8; 32]>>,
        consented: Option<&'a HashSet<[u8; 32]>>,
        platform_key: &[u8],
    ) -> Option<Self> {
        let excluded = excluded.filter(|hashes| !hashes.is_empty());
        (excluded.is_some() || consented.is_some()).then(|| Self {
            excluded,
            consented,
            hasher: KeyedHasher::new(platform_key),
            decided: HashMap::new(),
        })
    }

    /// Decides on the rows of `person`. A person is listed when the hash of
    /// the person's current number or former D-number is in a list: a row
    /// links to a person through one of these two numbers, and the consent
    /// service may know the person under either. The exclusion list wins
    /// over the consented list.
    pub(crate) fn verdict(&mut self, spine: &Spine, person: PersonIndex) -> Verdict {
        let Self {
            excluded,
            consented,
            hasher,
            decided,
        } = self;
        *decided.entry(person).or_insert_with(|| {
            let record = spine.person(person);
            let hashes: Vec<[u8; 32]> = std::iter::once(record.id)
                .chain(record.former_dnumber.map(|former| former.get()))
                .map(|id| hasher.hash_id(id))
                .collect();
            let listed = |list: &HashSet<[u8; 32]>| hashes.iter().any(|h| list.contains(h));
            if excluded.is_some_and(listed) {
                Verdict::Excluded
            } else if consented.is_some_and(|list| !listed(list)) {
                Verdict::WithoutConsent
            } else {
                Verdict::Keep
            }
        })
    }
}

/// Returns lowercase hex SHA-256 over the sorted, concatenated hashes.
pub(crate) fn list_digest(hashes: &HashSet<[u8; 32]>) -> String {
    let mut sorted: Vec<&[u8; 32]> = hashes.iter().collect();
    sorted.sort_unstable();
    let mut digest = Sha256::new();
    for hash in sorted {
        digest.update(hash);
    }
    data_encoding::HEXLOWER.encode(&digest.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_ignores_set_order() {
        let first: HashSet<[u8; 32]> = [[1; 32], [2; 32], [3; 32]].into();
        let second: HashSet<[u8; 32]> = [[3; 32], [1; 32], [2; 32]].into();
        assert_eq!(list_digest(&first), list_digest(&second));
    }

    #[test]
    fn digest_of_sorted_concatenation() {
        let hashes: HashSet<[u8; 32]> = [[2; 32], [1; 32]].into();
        let mut concatenated = vec![1_u8; 32];
        concatenated.extend([2_u8; 32]);
        let expected = data_encoding::HEXLOWER.encode(&Sha256::digest(&concatenated));
        assert_eq!(list_digest(&hashes), expected);
    }

    #[test]
    fn digest_of_empty_list_is_sha256_of_nothing() {
        assert_eq!(
            list_digest(&HashSet::new()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
