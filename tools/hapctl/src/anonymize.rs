//! `hapctl anonymize`: globally optimal full-domain generalisation of any
//! delimited file, with a JSON report.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use hap_disclosure::{
    Dataset, Hierarchy, LDiversity, Metric, QuasiIdentifier, Release, Report, Settings, anonymize,
};
use serde::Serialize;

#[derive(Args)]
pub struct AnonymizeArgs {
    /// Delimited text file with a header row; an empty field is a missing value.
    #[arg(long)]
    input: PathBuf,
    /// Field delimiter of the input and the output.
    #[arg(long, default_value_t = ';')]
    delimiter: char,
    /// Quasi-identifier column (repeat for each). A column without
    /// `--hierarchy` is generalised only to `*`.
    #[arg(long = "qi", value_name = "NAME", required = true)]
    qis: Vec<String>,
    /// Hierarchy of a quasi-identifier as NAME=FILE, FILE in the ARX format:
    /// `;`-separated, no header, one row per value, level 0 first, `*` last.
    #[arg(long = "hierarchy", value_name = "NAME=FILE", value_parser = parse_hierarchy_arg)]
    hierarchies: Vec<(String, PathBuf)>,
    /// Sensitive column for l-diversity and t-closeness (repeat for each).
    #[arg(long = "sensitive", value_name = "NAME")]
    sensitive: Vec<String>,
    /// Minimum number of records in every released group.
    #[arg(long, default_value_t = 5)]
    k: usize,
    /// l-diversity of every sensitive column: the minimum number of distinct
    /// values per group, or with `--l-model entropy` the entropy as ln(l).
    #[arg(long)]
    l: Option<f64>,
    /// The l-diversity model that `--l` sets.
    #[arg(long, value_enum, default_value_t = LModel::Distinct)]
    l_model: LModel,
    /// t-closeness of every sensitive column: the largest earth mover's
    /// distance (0 to 1) of a group's distribution from the whole input's.
    #[arg(long)]
    t: Option<f64>,
    /// Largest share of records (0 to 1) that may be suppressed, that is
    /// removed from the output.
    #[arg(long, default_value_t = 0.0)]
    suppression_limit: f64,
    /// Utility metric the search minimises.
    #[arg(long, value_enum, default_value_t = MetricArg::Loss)]
    metric: MetricArg,
    /// Output file: the input's columns and record order, generalised, with
    /// suppressed records left out. Written only when anonymisation succeeds.
    #[arg(long)]
    output: PathBuf,
    /// File for the JSON report; printed on stdout when not given.
    #[arg(long)]
    report: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum LModel {
    Distinct,
    Entropy,
}

#[derive(Clone, Copy, ValueEnum)]
enum MetricArg {
    Loss,
    Entropy,
    Discernibility,
}

impl From<MetricArg> for Metric {
    fn from(metric: MetricArg) -> Self {
        match metric {
            MetricArg::Loss => Metric::Loss,
            MetricArg::Entropy => Metric::Entropy,
            MetricArg::Discernibility => Metric::Discernibility,
        }
    }
}

/// The JSON report: the main figures at the top and the full disclosure
/// report under `details`.
#[derive(Serialize)]
struct CommandReport<'a> {
    /// Records in the input.
    records: usize,
    suppressed_records: usize,
    /// Smallest released group.
    k: usize,
    /// Smallest number of distinct sensitive values in a released group
    /// over all sensitive columns; null without sensitive columns.
    l: Option<usize>,
    /// Largest earth mover's distance of a released group over all
    /// sensitive columns; null without sensitive columns.
    t: Option<f64>,
    /// Chosen hierarchy level per quasi-identifier, 0 being the original.
    levels: BTreeMap<&'a str, usize>,
    metric: Metric,
    /// Value of `metric` at the chosen levels; lower is better.
    utility: f64,
    /// Time from reading the input to writing the output, in milliseconds.
    elapsed_ms: u64,
    details: &'a Report,
}

#[allow(clippy::print_stdout)]
pub fn run(args: AnonymizeArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let delimiter = u8::try_from(args.delimiter)
        .ok()
        .filter(u8::is_ascii)
        .with_context(|| {
            format!(
                "invalid delimiter `{}`: use a single ASCII character such as `;` or `,`",
                args.delimiter
            )
        })?;

    let data = Dataset::from_csv_reader(open(&args.input)?, delimiter)
        .with_context(|| format!("cannot read {}", args.input.display()))?;
    let qis = quasi_identifiers(&args, &data)?;
    let settings = settings(&args)?;

    let release = anonymize(&data, &qis, &settings)?;
    write_output(&args.output, &release, delimiter)?;
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);

    let report = command_report(&release, &settings, elapsed_ms);
    let json = serde_json::to_string_pretty(&report)?;
    match &args.report {
        Some(path) => std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write the report to {}", path.display()))?,
        None => println!("{json}"),
    }
    Ok(())
}

fn parse_hierarchy_arg(text: &str) -> Result<(String, PathBuf), String> {
    match text.split_once('=') {
        Some((name, file)) if !name.is_empty() && !file.is_empty() => {
            Ok((name.to_owned(), PathBuf::from(file)))
        }
        _ => Err(format!(
            "invalid hierarchy `{text}`: expected NAME=FILE, such as age=age.csv"
        )),
    }
}

/// Pairs each `--qi` with its `--hierarchy` file, or with a hierarchy that
/// maps every value of the column to `*`.
fn quasi_identifiers(args: &AnonymizeArgs, data: &Dataset) -> anyhow::Result<Vec<QuasiIdentifier>> {
    let named: HashSet<&str> = args.qis.iter().map(String::as_str).collect();
    let mut files: BTreeMap<&str, &Path> = BTreeMap::new();
    for (name, file) in &args.hierarchies {
        if !named.contains(name.as_str()) {
            bail!("--hierarchy {name}=... names no --qi; add --qi {name} or drop the hierarchy");
        }
        if files.insert(name, file).is_some() {
            bail!("column `{name}` has two --hierarchy files; give one");
        }
    }

    let mut qis = Vec::with_capacity(args.qis.len());
    for column in &args.qis {
        let hierarchy = match files.get(column.as_str()) {
            Some(file) => Hierarchy::from_csv_reader(open(file)?)
                .with_context(|| format!("invalid hierarchy {} of `{column}`", file.display()))?,
            None => {
                let values = data.distinct_values(column)?;
                if values.is_empty() {
                    bail!("column `{column}` has only missing values; it needs no generalisation");
                }
                let rows = values
                    .into_iter()
                    .map(|value| vec![value.to_owned(), "*".to_owned()])
                    .collect();
                Hierarchy::from_rows(rows)?
            }
        };
        qis.push(QuasiIdentifier::new(column.clone(), hierarchy));
    }
    Ok(qis)
}

fn settings(args: &AnonymizeArgs) -> anyhow::Result<Settings> {
    let mut settings = Settings::k_anonymity(args.k);
    settings.sensitive = args.sensitive.clone();
    settings.t = args.t;
    settings.suppression_limit = args.suppression_limit;
    settings.metric = args.metric.into();
    settings.l = match (args.l, args.l_model) {
        (None, _) => None,
        (Some(l), LModel::Distinct) => {
            if l.fract() != 0.0 || !(1.0..=u32::MAX as f64).contains(&l) {
                bail!("invalid --l {l}: distinct l-diversity needs a whole number of 1 or more");
            }
            // `l` is a whole number within u32, so the cast is exact.
            Some(LDiversity::Distinct { l: l as usize })
        }
        (Some(l), LModel::Entropy) => Some(LDiversity::Entropy { l }),
    };
    Ok(settings)
}

/// Writes the released records with the input's header and delimiter; a
/// missing value becomes an empty field.
fn write_output(path: &Path, release: &Release, delimiter: u8) -> anyhow::Result<()> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(BufWriter::new(file));
    writer.write_record(release.data.columns())?;
    for row in release.data.rows() {
        writer.write_record(row.iter().map(|cell| cell.as_deref().unwrap_or("")))?;
    }
    let mut inner = writer
        .into_inner()
        .map_err(|error| anyhow::anyhow!("cannot write {}: {error}", path.display()))?;
    inner
        .flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn command_report<'a>(
    release: &'a Release,
    settings: &Settings,
    elapsed_ms: u64,
) -> CommandReport<'a> {
    let report = &release.report;
    CommandReport {
        records: report.records,
        suppressed_records: report.records_suppressed,
        k: report.k_reached,
        l: report
            .l_reached
            .iter()
            .map(|reached| reached.distinct_l)
            .min(),
        t: report
            .l_reached
            .iter()
            .map(|reached| reached.t)
            .reduce(f64::max),
        levels: report
            .quasi_identifiers
            .iter()
            .map(|chosen| (chosen.column.as_str(), chosen.level))
            .collect(),
        metric: settings.metric,
        utility: report.information_loss.utility,
        elapsed_ms,
        details: report,
    }
}

fn open(path: &Path) -> anyhow::Result<BufReader<File>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(BufReader::new(file))
}
