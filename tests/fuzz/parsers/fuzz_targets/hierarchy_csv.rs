//! Reads arbitrary bytes as a generalisation hierarchy in the ARX CSV
//! format and generalises every level-0 value at every level.

#![no_main]

use hap_disclosure::Hierarchy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(hierarchy) = Hierarchy::from_csv_reader(data) else {
        return;
    };
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        let Some(value) = line.split(';').next() else {
            continue;
        };
        if hierarchy.contains(value) {
            for level in 0..=hierarchy.max_level() {
                assert!(
                    hierarchy.generalise(value, level).is_some(),
                    "level-0 value {value:?} has no generalisation at level {level}"
                );
            }
        }
    }
});
