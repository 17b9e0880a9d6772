//! Parses arbitrary bytes as a JSON criteria document, both the criterion
//! language and the cancer cohort criteria.

#![no_main]

use hap_contracts::criteria::{CohortCriteria, Criterion};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        if let Ok(criterion) = Criterion::parse(&value) {
            let mut registries = 0usize;
            criterion.registries(&mut |_| registries += 1);
            criterion.events(&mut |event| {
                if let Some(codes) = &event.icd10 {
                    codes.matches("C18.7");
                }
            });
        }
    }
    if let Ok(criteria) = serde_json::from_slice::<CohortCriteria>(data)
        && criteria.validate().is_ok()
    {
        criteria.matches("C18.7", None);
    }
});
