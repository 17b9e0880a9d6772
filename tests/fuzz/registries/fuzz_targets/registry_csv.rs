//! Links a registry folder whose population or cancer CSV extract is the
//! fuzz input, with both the descriptor-driven (columnar) engine and the
//! fixed-layout engine. The first byte chooses the file the input replaces:
//! even for `population.csv`, odd for `cancer.csv`.

#![no_main]

use std::collections::HashMap;
use std::fs;

use hap_contracts::criteria::{CohortCriteria, Criterion, Registry};
use hap_identity::{ChecksumPolicy, Profile, Rules};
use hap_linkage::columnar::{RunPlan, registry_folder, run};
use hap_linkage::{LinkageRequest, link};
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
07877010281,female,1970-07-07,5001,,2019-02-02,
";

const CANCER: &str = "\
person_id,icd10,diagnosis_date,stage
05855510180,C18.7,2015-03-01,II
10866010019,C50.9,2016-01-01,III
";

fuzz_target!(|data: &[u8]| {
    let Some((selector, file)) = data.split_first() else {
        return;
    };
    let (population, cancer) = if selector % 2 == 0 {
        (file, CANCER.as_bytes())
    } else {
        (POPULATION.as_bytes(), file)
    };
    let dir = tempfile::tempdir().expect("a temporary folder");
    fs::write(dir.path().join("population.csv"), population).expect("population.csv written");
    fs::write(dir.path().join("cancer.csv"), cancer).expect("cancer.csv written");

    let (spine, registries) = registry_folder(dir.path());
    let criterion =
        Criterion::parse(&serde_json::json!({"present": "cancer"})).expect("a valid criterion");
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

    let criteria = CohortCriteria {
        diagnosis_codes: vec!["C1".to_owned(), "C5".to_owned()],
        diagnosed_from: None,
        diagnosed_to: None,
    };
    let variables = [
        (
            Registry::Population,
            vec!["sex".to_owned(), "birth_date".to_owned()],
        ),
        (Registry::Cancer, vec!["icd10".to_owned()]),
    ];
    let exclusions = HashMap::new();
    // Neither the population nor the cancer registry is consent-based, so
    // no consent list is needed.
    let consented = HashMap::new();
    let request = LinkageRequest {
        criteria: &criteria,
        variables: &variables,
        rules: RULES,
        platform_key: b"fuzz platform key",
        project_key: b"fuzz project key",
        exclusions: &exclusions,
        consented: &consented,
    };
    let _ = link(dir.path(), &request);
});
