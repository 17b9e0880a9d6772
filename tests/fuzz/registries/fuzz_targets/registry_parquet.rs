//! Links a registry folder whose cancer extract is the fuzz input read as
//! Parquet, with a fixed CSV population register as the spine.
//!
//! The Parquet crate panics on some damaged files, and hap-linkage turns a
//! panic inside its reader calls into a read error. libFuzzer's panic hook
//! aborts before any unwinding, so this target wraps that hook. A panic
//! inside the reader guard unwinds to the guard. Every other panic, in HAP
//! code or in the reader outside the guard, still aborts as a crash.

#![no_main]

use std::fs;
use std::panic;
use std::sync::Once;

use hap_contracts::criteria::Criterion;
use hap_identity::{ChecksumPolicy, Profile, Rules};
use hap_linkage::columnar::descriptor::Format;
use hap_linkage::columnar::{RunPlan, inside_reader_guard, registry_folder, run};
use libfuzzer_sys::fuzz_target;

/// Synthetic numbers (month plus 80), which only the test profile accepts.
const RULES: Rules = Rules {
    policy: ChecksumPolicy::Allow2032,
    profile: Profile::Test,
};

const POPULATION: &str = "\
person_id,sex,birth_date,municipality,death_date,emigration_date,former_dnumber
05855510180,female,1955-05-05,0301,,,
10866010019,male,1960-06-10,4601,2020-01-01,,
";

/// Wraps the panic hook libFuzzer installed, once per process.
fn let_guarded_panics_unwind() {
    static WRAPPED: Once = Once::new();
    WRAPPED.call_once(|| {
        let fuzzer_hook = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !inside_reader_guard() {
                fuzzer_hook(info);
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    let_guarded_panics_unwind();
    let dir = tempfile::tempdir().expect("a temporary folder");
    fs::write(dir.path().join("population.csv"), POPULATION).expect("population.csv written");
    // registry_folder lists the cancer registry only when cancer.csv exists.
    fs::write(dir.path().join("cancer.csv"), "").expect("cancer.csv written");
    let parquet = dir.path().join("cancer.parquet");
    fs::write(&parquet, data).expect("cancer.parquet written");

    let (spine, mut registries) = registry_folder(dir.path());
    for registry in &mut registries {
        registry.file.path = parquet.clone();
        registry.file.format = Format::Parquet;
    }
    let criterion = Criterion::parse(&serde_json::json!({"event": {"registry": "cancer",
        "icd10": {"column": "icd10", "prefixes": ["C18"]}}}))
    .expect("a valid criterion");
    let plan = RunPlan {
        spine: &spine,
        registries: &registries,
        criterion: &criterion,
        rules: RULES,
        project_key: b"fuzz project key",
        lists: None,
        threads: 1,
    };
    let _ = run(&plan, &dir.path().join("out"));
});
