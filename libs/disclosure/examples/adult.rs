//! Anonymises the ARX "adult" data set and prints the time taken and the
//! chosen generalisation.
//!
//! Usage:
//!
//! ```text
//! cargo run --release -p hap-disclosure --example adult -- DIR [K] [SUPPRESSION_LIMIT] [loss|entropy|discernibility]
//! ```
//!
//! DIR contains `adult.csv` and one `adult_hierarchy_<column>.csv` per
//! quasi-identifier, as published in the ARX repository's `data/` folder.
//! K defaults to 5, the suppression limit (a share of records) to 0, and the
//! metric to loss. The quasi-identifiers are all nine columns: sex, age,
//! race, marital-status, education, native-country, workclass, occupation
//! and salary-class.

use std::error::Error;
use std::fs::File;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use hap_disclosure::{Dataset, Hierarchy, Metric, QuasiIdentifier, Settings, anonymize};

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

fn main() -> Result<(), Box<dyn Error>> {
    let mut arguments = std::env::args().skip(1);
    let directory = PathBuf::from(arguments.next().ok_or(
        "missing DIR: give the folder with adult.csv and its adult_hierarchy_*.csv files",
    )?);
    let k: usize = match arguments.next() {
        Some(text) => text
            .parse()
            .map_err(|_| format!("invalid K `{text}`: expected a whole number"))?,
        None => 5,
    };
    let suppression_limit: f64 = match arguments.next() {
        Some(text) => text.parse().map_err(|_| {
            format!("invalid SUPPRESSION_LIMIT `{text}`: expected a share such as 0.02")
        })?,
        None => 0.0,
    };
    let metric = match arguments.next().as_deref() {
        None | Some("loss") => Metric::Loss,
        Some("entropy") => Metric::Entropy,
        Some("discernibility") => Metric::Discernibility,
        Some(other) => {
            return Err(format!(
                "invalid metric `{other}`: expected loss, entropy or discernibility"
            )
            .into());
        }
    };

    let started = Instant::now();
    let data = Dataset::from_csv_reader(open(&directory.join("adult.csv"))?, b';')?;
    let qis = QUASI_IDENTIFIERS
        .iter()
        .map(|column| {
            let path = directory.join(format!("adult_hierarchy_{column}.csv"));
            Ok(QuasiIdentifier::new(
                *column,
                Hierarchy::from_csv_reader(open(&path)?)?,
            ))
        })
        .collect::<Result<Vec<_>, Box<dyn Error>>>()?;
    let loaded = started.elapsed();

    let mut settings = Settings::k_anonymity(k);
    settings.suppression_limit = suppression_limit;
    settings.metric = metric;
    let started = Instant::now();
    let release = anonymize(&data, &qis, &settings)?;
    let elapsed = started.elapsed();
    let report = &release.report;

    let mut out = std::io::stdout().lock();
    writeln!(out, "records: {}", data.len())?;
    writeln!(out, "load time: {:.3} s", loaded.as_secs_f64())?;
    writeln!(
        out,
        "k = {k}, suppression limit = {suppression_limit}, metric = {metric:?}"
    )?;
    writeln!(out, "anonymize time: {:.3} s", elapsed.as_secs_f64())?;
    writeln!(
        out,
        "nodes checked: {} of {}",
        report.search.nodes_checked, report.search.lattice_nodes
    )?;
    let levels: Vec<String> = report
        .quasi_identifiers
        .iter()
        .map(|chosen| chosen.level.to_string())
        .collect();
    writeln!(out, "chosen node: [{}]", levels.join(", "))?;
    for chosen in &report.quasi_identifiers {
        writeln!(
            out,
            "  {}: level {} of {} ({})",
            chosen.column, chosen.level, chosen.max_level, chosen.level_name
        )?;
    }
    writeln!(
        out,
        "records suppressed: {}, k reached: {}, groups: {}",
        report.records_suppressed,
        report.k_reached,
        report
            .group_sizes
            .iter()
            .map(|count| count.groups)
            .sum::<usize>()
    )?;
    writeln!(
        out,
        "loss: {:.6}, discernibility: {}",
        report.information_loss.loss, report.information_loss.discernibility
    )?;
    writeln!(
        out,
        "prosecutor risk: highest {:.4}, average {:.4}",
        report.risk.highest, report.risk.average
    )?;
    Ok(())
}

fn open(path: &Path) -> Result<BufReader<File>, Box<dyn Error>> {
    let file =
        File::open(path).map_err(|error| format!("cannot open {}: {error}", path.display()))?;
    Ok(BufReader::new(file))
}
