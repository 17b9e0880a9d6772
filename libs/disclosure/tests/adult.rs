#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]
//! The ARX "adult" benchmark: 30,162 census records with nine
//! quasi-identifiers. The data are not part of this repository, so the test
//! prints why it is skipped unless `HAP_ARX_ADULT_DIR` names the folder
//! with `adult.csv` and `adult_hierarchy_<column>.csv`:
//!
//! ```text
//! HAP_ARX_ADULT_DIR=/path/to/arx/data cargo test -p hap-disclosure --release --test adult
//! ```

mod common;

use std::fs::File;
use std::path::PathBuf;
use std::time::Instant;

use hap_disclosure::{Dataset, Hierarchy, QuasiIdentifier, Settings, anonymize, verify_k};

const QUASI_IDENTIFIERS: [&str; 9] = [
    "sex",
    "age",
    "race",
    "marital-status",
    "education",
    "native-country",
    "workclass",
    "occupation",
    "salary-class",
];

#[test]
fn adult_k5_over_nine_quasi_identifiers() {
    let Some(dir) = std::env::var_os("HAP_ARX_ADULT_DIR").map(PathBuf::from) else {
        println!(
            "skipped: set HAP_ARX_ADULT_DIR to the folder with adult.csv and adult_hierarchy_*.csv"
        );
        return;
    };
    let data = Dataset::from_csv_reader(File::open(dir.join("adult.csv")).unwrap(), b';').unwrap();
    assert_eq!(data.len(), 30_162);
    let qis: Vec<QuasiIdentifier> = QUASI_IDENTIFIERS
        .iter()
        .map(|column| {
            let file = File::open(dir.join(format!("adult_hierarchy_{column}.csv"))).unwrap();
            QuasiIdentifier::new(*column, Hierarchy::from_csv_reader(file).unwrap())
        })
        .collect();
    let heights: Vec<usize> = qis.iter().map(|qi| qi.hierarchy.height()).collect();
    assert_eq!(heights, [2, 5, 2, 3, 4, 3, 3, 3, 2]);

    for limit in [0.0, 0.04] {
        let mut settings = Settings::k_anonymity(5);
        settings.suppression_limit = limit;
        let started = Instant::now();
        let release = anonymize(&data, &qis, &settings).unwrap();
        let elapsed = started.elapsed();
        let report = &release.report;
        let levels: Vec<usize> = report
            .quasi_identifiers
            .iter()
            .map(|chosen| chosen.level)
            .collect();
        println!(
            "suppression limit {limit}: node {levels:?}, {} of {} nodes checked, {} suppressed, loss {:.6}, {:.3} s",
            report.search.nodes_checked,
            report.search.lattice_nodes,
            report.records_suppressed,
            report.information_loss.loss,
            elapsed.as_secs_f64()
        );

        assert_eq!(verify_k(&release.data, &QUASI_IDENTIFIERS, 5), Ok(()));
        let measured = common::checker::measure(&data, &release.data, &QUASI_IDENTIFIERS, &[]);
        assert!(measured.k >= 5, "checker measured k = {}", measured.k);
        assert!(report.k_reached >= 5);
        assert!(report.records_suppressed <= (limit * 30_162.0) as usize);
        assert_eq!(report.search.lattice_nodes, 12_960);
        assert!(report.search.nodes_checked < report.search.lattice_nodes);
    }
}
