#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::Instant;

use hap_synth::{RegistryFile, SynthOptions, generate};

/// Times 100,000 persons. Run in a release build:
/// `cargo test --release -p hap-synth --test timing -- --ignored --nocapture`.
#[test]
#[ignore = "timing run; meaningful only in a release build"]
fn hundred_thousand_persons_timing() {
    let dir = tempfile::tempdir().unwrap();
    let options = SynthOptions::new(100_000, 2024);
    let started = Instant::now();
    let report = generate(&options, dir.path()).unwrap();
    let elapsed = started.elapsed();

    let rows: u64 = RegistryFile::ALL
        .iter()
        .map(|&file| report.file(file).rows)
        .sum();
    println!(
        "generated 100,000 persons, {rows} rows in {:.2} s",
        elapsed.as_secs_f64()
    );
    for file in RegistryFile::ALL {
        let file_report = report.file(file);
        println!(
            "{:>20}: {:>8} rows, {:>5} dirty, {:>5} D-number references",
            file.file_name(),
            file_report.rows,
            file_report.dirty.total(),
            file_report.dnumber_references
        );
    }
    assert_eq!(report.file(RegistryFile::Population).rows, 100_000);
    if !cfg!(debug_assertions) {
        assert!(elapsed.as_secs_f64() < 5.0, "took {elapsed:?}");
    }
}
