//! The input and output of one linkage run.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use hap_contracts::criteria::{CohortCriteria, Registry};
use hap_dataset::Table;

use crate::report::LinkageReport;

/// The cohort, variables and keys of one linkage run.
#[derive(Clone, Copy)]
pub struct LinkageRequest<'a> {
    pub criteria: &'a CohortCriteria,
    /// Variables per registry, validated against the catalogue by [`crate::link`].
    pub variables: &'a [(Registry, Vec<String>)],
    /// Checksum policy and profile for every identity number read.
    pub rules: hap_identity::Rules,
    /// Key of the exclusion hashes; required when an exclusion list is not empty.
    pub platform_key: &'a [u8],
    /// Key of the project's pseudonyms.
    pub project_key: &'a [u8],
    /// Per registry, HMAC-SHA256 under `platform_key` of the 11 digits of
    /// each person whose data from that registry is left out (withdrawn
    /// consent or opt-out).
    pub exclusions: &'a HashMap<Registry, HashSet<[u8; 32]>>,
    /// Per consent-based registry, the hashes (as for `exclusions`) of the
    /// persons whose consent covers the project. Rows of every other person
    /// of that registry are left out. Every consent-based registry the
    /// request reads must have an entry.
    pub consented: &'a HashMap<Registry, HashSet<[u8; 32]>>,
}

/// Shows everything but the keys.
impl fmt::Debug for LinkageRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exclusion_sizes: BTreeMap<Registry, usize> = self
            .exclusions
            .iter()
            .map(|(registry, hashes)| (*registry, hashes.len()))
            .collect();
        f.debug_struct("LinkageRequest")
            .field("criteria", self.criteria)
            .field("variables", &self.variables)
            .field("rules", &self.rules)
            .field("exclusion_sizes", &exclusion_sizes)
            .field(
                "consented_sizes",
                &self
                    .consented
                    .iter()
                    .map(|(registry, hashes)| (*registry, hashes.len()))
                    .collect::<BTreeMap<_, _>>(),
            )
            .finish_non_exhaustive()
    }
}

/// The linked table and the report that explains it.
#[derive(Clone, Debug)]
pub struct LinkageOutput {
    pub table: Table,
    pub report: LinkageReport,
}
