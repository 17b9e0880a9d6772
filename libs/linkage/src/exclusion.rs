//! Exclusion lists: persons whose data from a consent-based registry must
//! be left out, given as HMAC-SHA256 hashes under the platform key.

use std::collections::{HashMap, HashSet};

use hap_contracts::criteria::Registry;
use sha2::{Digest, Sha256};

use crate::keyed_hash::KeyedHasher;
use crate::spine::{PersonIndex, Spine};

/// The exclusion list of one registry, ready to check rows against.
pub(crate) struct ExclusionList<'a> {
    hashes: &'a HashSet<[u8; 32]>,
    hasher: KeyedHasher,
    /// Persons already checked, so each person's numbers are hashed once.
    decided: HashMap<PersonIndex, bool>,
}

impl<'a> ExclusionList<'a> {
    pub(crate) fn new(hashes: &'a HashSet<[u8; 32]>, platform_key: &[u8]) -> Self {
        Self {
            hashes,
            hasher: KeyedHasher::new(platform_key),
            decided: HashMap::new(),
        }
    }

    /// Returns whether rows of `person` are left out: the hash of the person's
    /// current number or former D-number is listed. A row links to a person
    /// through one of these two numbers, and the consent service may know
    /// the person under either.
    pub(crate) fn excludes(&mut self, spine: &Spine, person: PersonIndex) -> bool {
        let hashes = self.hashes;
        let hasher = &self.hasher;
        *self.decided.entry(person).or_insert_with(|| {
            let listed = |id: u64| hashes.contains(&hasher.hash_id(id));
            let record = spine.person(person);
            listed(record.id)
                || record
                    .former_dnumber
                    .is_some_and(|former| listed(former.get()))
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

/// Registries with a non-empty exclusion list that are not consent-based.
pub(crate) fn first_statutory_with_exclusions(
    exclusions: &HashMap<Registry, HashSet<[u8; 32]>>,
) -> Option<Registry> {
    let mut registries: Vec<Registry> = exclusions
        .iter()
        .filter(|(registry, hashes)| !registry.is_consent_based() && !hashes.is_empty())
        .map(|(registry, _)| *registry)
        .collect();
    registries.sort();
    registries.first().copied()
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

    #[test]
    fn statutory_registry_with_exclusions_found() {
        let mut exclusions = HashMap::new();
        exclusions.insert(Registry::Quality, HashSet::from([[1; 32]]));
        exclusions.insert(Registry::Patient, HashSet::new());
        assert_eq!(first_statutory_with_exclusions(&exclusions), None);
        exclusions.insert(Registry::Cancer, HashSet::from([[1; 32]]));
        assert_eq!(
            first_statutory_with_exclusions(&exclusions),
            Some(Registry::Cancer)
        );
    }
}
