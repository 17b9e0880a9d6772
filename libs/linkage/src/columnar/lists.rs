//! The persons a permit leaves out of each registry: those on the
//! registry's exclusion list (withdrawn consent, opt-out) and, for a
//! consent-based registry, those missing from its list of consented
//! persons. Both lists contain HMAC-SHA256 hashes under the platform key of
//! the 11 digits of a number, as the consent service stores them.
//!
//! Each spine person is hashed once under the platform key, together with
//! the former numbers the history maps to the person, so a person listed
//! under a former D-number is left out as well.

use std::collections::{BTreeMap, HashSet};

use crate::columnar::descriptor::RegistryDescriptor;
use crate::columnar::error::RunError;
use crate::columnar::spine::Spine;
use crate::keyed_hash::KeyedHasher;

/// The lists of one registry.
#[derive(Clone, Debug, Default)]
pub struct RegistryLists {
    /// Hashes of the persons whose rows of the registry are left out.
    pub excluded: HashSet<[u8; 32]>,
    /// For a consent-based registry, hashes of the persons whose consent
    /// covers the project; the rows of every other person are left out.
    /// `None` for a registry that needs no consent.
    pub consented: Option<HashSet<[u8; 32]>>,
}

/// The lists of a run, by registry name, and the key of their hashes.
#[derive(Clone, Default)]
pub struct PersonLists {
    pub platform_key: Vec<u8>,
    pub registries: BTreeMap<String, RegistryLists>,
}

/// Shows the list sizes, never the key.
impl std::fmt::Debug for PersonLists {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sizes: BTreeMap<&str, (usize, Option<usize>)> = self
            .registries
            .iter()
            .map(|(name, lists)| {
                (
                    name.as_str(),
                    (
                        lists.excluded.len(),
                        lists.consented.as_ref().map(HashSet::len),
                    ),
                )
            })
            .collect();
        f.debug_struct("PersonLists")
            .field("sizes", &sizes)
            .finish_non_exhaustive()
    }
}

impl PersonLists {
    /// Returns whether any list leaves a person out.
    fn filters(&self) -> bool {
        self.registries
            .values()
            .any(|lists| !lists.excluded.is_empty() || lists.consented.is_some())
    }

    /// Checks that every listed registry is in the run and that the key is
    /// there when a list needs it.
    pub(crate) fn check(&self, registries: &[RegistryDescriptor]) -> Result<(), RunError> {
        for name in self.registries.keys() {
            if !registries.iter().any(|registry| &registry.name == name) {
                let names: Vec<&str> = registries.iter().map(|r| r.name.as_str()).collect();
                return Err(RunError::Lists {
                    message: format!(
                        "the lists name registry `{name}`, which is not in this run; \
                         registries: {}",
                        names.join(", ")
                    ),
                });
            }
        }
        if self.filters() && self.platform_key.is_empty() {
            return Err(RunError::Lists {
                message: "the lists are not empty but the platform key is; pass the key \
                          their hashes were made with"
                    .to_owned(),
            });
        }
        Ok(())
    }
}

/// The reason a linked row is left out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LeftOut {
    Excluded,
    WithoutConsent,
}

/// Per registry of the run, the persons left out, as bit sets over spine
/// positions.
pub(crate) struct LeftOutSets {
    registries: Vec<Option<RegistrySets>>,
}

struct RegistrySets {
    excluded: Vec<u64>,
    /// Set for the persons whose consent covers the project; `None` when
    /// the registry needs no consent.
    consented: Option<Vec<u64>>,
}

fn is_set(bits: &[u64], person: u32) -> bool {
    let position = person as usize;
    bits.get(position / 64)
        .is_some_and(|word| word & (1 << (position % 64)) != 0)
}

fn set(bits: &mut [u64], person: u32) {
    let position = person as usize;
    bits[position / 64] |= 1 << (position % 64);
}

impl LeftOutSets {
    /// Returns the sets of a run without lists, which leave no person out.
    pub(crate) fn none(registries: usize) -> Self {
        Self {
            registries: (0..registries).map(|_| None).collect(),
        }
    }

    /// Hashes every spine number once and marks the listed persons of each
    /// registry.
    pub(crate) fn compute(
        spine: &Spine,
        lists: &PersonLists,
        registries: &[RegistryDescriptor],
        threads: usize,
    ) -> Self {
        if !lists.filters() {
            return Self::none(registries.len());
        }
        let numbers = spine.numbers();
        let hashes = hash_all(&numbers, &lists.platform_key, threads);
        let words = spine.len().div_ceil(64);
        let sets = registries
            .iter()
            .map(|registry| {
                let listed = lists.registries.get(&registry.name)?;
                let mut sets = RegistrySets {
                    excluded: vec![0; words],
                    consented: listed.consented.as_ref().map(|_| vec![0; words]),
                };
                for ((_, person), hash) in numbers.iter().zip(&hashes) {
                    if listed.excluded.contains(hash) {
                        set(&mut sets.excluded, *person);
                    }
                    if let (Some(consented), Some(bits)) =
                        (&listed.consented, sets.consented.as_mut())
                        && consented.contains(hash)
                    {
                        set(bits, *person);
                    }
                }
                Some(sets)
            })
            .collect();
        Self { registries: sets }
    }

    /// Returns whether any person is left out of registry number
    /// `registry`.
    pub(crate) fn filters(&self, registry: usize) -> bool {
        self.registries
            .get(registry)
            .is_some_and(|sets| sets.is_some())
    }

    /// Returns whether `person` is on the exclusion list of registry number
    /// `registry`. A row that names an excluded person in any identifier
    /// column is left out. The consented list applies to the row's first
    /// identifier only, the person whose consent the registry records.
    pub(crate) fn excluded(&self, registry: usize, person: u32) -> bool {
        self.registries
            .get(registry)
            .and_then(Option::as_ref)
            .is_some_and(|sets| is_set(&sets.excluded, person))
    }

    /// Returns why `person`'s rows of registry number `registry` are left
    /// out, or `None` when they are used. The exclusion list wins over the
    /// consented list.
    pub(crate) fn check(&self, registry: usize, person: u32) -> Option<LeftOut> {
        let sets = self.registries.get(registry)?.as_ref()?;
        if is_set(&sets.excluded, person) {
            Some(LeftOut::Excluded)
        } else if sets
            .consented
            .as_ref()
            .is_some_and(|consented| !is_set(consented, person))
        {
            Some(LeftOut::WithoutConsent)
        } else {
            None
        }
    }
}

/// HMAC-SHA256 of every number, on `threads` threads.
fn hash_all(numbers: &[(u64, u32)], key: &[u8], threads: usize) -> Vec<[u8; 32]> {
    let hasher = KeyedHasher::new(key);
    let mut hashes = vec![[0_u8; 32]; numbers.len()];
    let chunk = numbers.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|scope| {
        for (numbers, out) in numbers.chunks(chunk).zip(hashes.chunks_mut(chunk)) {
            let hasher = hasher.clone();
            scope.spawn(move || {
                for ((number, _), hash) in numbers.iter().zip(out) {
                    *hash = hasher.hash_id(*number);
                }
            });
        }
    });
    hashes
}
