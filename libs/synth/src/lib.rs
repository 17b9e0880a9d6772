//! Synthetic Norwegian health registries for tests and demonstrations.
//!
//! [`generate`] writes a registry folder (population, cancer, medical birth,
//! patient and a consent-based colorectal cancer quality registry) for a
//! number of persons and a seed. The same options give the same bytes with
//! the same build. NOTE: the samplers use `exp` and `ln` from the platform's
//! math library, so another platform may round differently and change a
//! few values. Identity numbers are synthetic by default (month plus 80),
//! so none can belong to a real person.
//!
//! Module map:
//! - `options`: [`SynthOptions`] and [`NumberSeries`].
//! - `report`: [`SynthReport`], written as `synth-report.json`.
//! - `error`: [`SynthError`].
//! - `period`: the years the registries cover.
//! - `day`: calendar days as a day count.
//! - `sampling`: random streams and samplers.
//! - `identity_number`: issuing unique ordinary numbers and D-numbers.
//! - `municipality`: municipality numbers with population weights.
//! - `person`, `population`: the population spine and `population.csv`.
//! - `cancer`: `cancer.csv`.
//! - `birth`: `birth.csv`.
//! - `patient`: `patient.csv`.
//! - `quality`: `quality.csv` and `quality_consent.csv`.
//! - `dirt`: dirty records on purpose, counted per file and kind.
//! - `registry_writer`, `staged_file`: streaming CSV output under a
//!   temporary name, renamed when complete.

mod birth;
mod cancer;
mod day;
mod dirt;
pub mod error;
mod identity_number;
mod municipality;
pub mod options;
mod patient;
mod period;
mod person;
mod population;
mod quality;
mod registry_writer;
pub mod report;
mod sampling;
mod staged_file;

use std::fs;
use std::io::Write;
use std::path::Path;

pub use error::SynthError;
pub use options::{DEFAULT_DIRTY_SHARE, NumberSeries, SynthOptions};
pub use person::Sex;
pub use report::{
    DirtKind, DirtyCounts, FileReport, REPORT_FILE_NAME, RegistryFile, SpineSummary, SynthReport,
};

use dirt::DirtInjector;
use identity_number::NumberAllocator;
use sampling::{Stream, stream};
use staged_file::StagedFile;

/// Generates the registry folder `out_dir` (created if missing) and writes
/// `synth-report.json` there.
///
/// Each file is written under a temporary name and renamed when complete,
/// so an interrupted run leaves no half-written registry under its final
/// name. Existing files of the same names are replaced. An existing report
/// is removed first and the new one written last, so a folder with a report
/// contains one complete run.
pub fn generate(options: &SynthOptions, out_dir: &Path) -> Result<SynthReport, SynthError> {
    options.validate()?;
    fs::create_dir_all(out_dir).map_err(|source| SynthError::CreateDir {
        path: out_dir.to_path_buf(),
        source,
    })?;
    remove_old_report(out_dir)?;
    let seed = options.seed;
    let dirt = |file: RegistryFile| {
        DirtInjector::new(stream(seed, Stream::Dirt(file)), options.dirty_share)
    };

    let mut numbers = NumberAllocator::new(options.number_series);
    let spine = population::generate_spine(
        options.persons,
        &mut stream(seed, Stream::Population),
        &mut stream(seed, Stream::IdentityNumbers),
        &mut numbers,
    )?;
    let cancers = cancer::generate_cancers(&mut stream(seed, Stream::Cancer), &spine);
    let births = birth::generate_births(&mut stream(seed, Stream::Birth), &spine, &mut numbers)?;

    let mut files = std::collections::BTreeMap::new();
    let (population_report, spine_summary) = population::write_population(out_dir, &spine)?;
    files.insert(RegistryFile::Population, population_report);
    files.insert(
        RegistryFile::Cancer,
        cancer::write_cancers(out_dir, &spine, &cancers, dirt(RegistryFile::Cancer))?,
    );
    files.insert(
        RegistryFile::Birth,
        birth::write_births(out_dir, &spine, &births, dirt(RegistryFile::Birth))?,
    );
    files.insert(
        RegistryFile::Patient,
        patient::write_patient_registry(
            out_dir,
            &mut stream(seed, Stream::Patient),
            &spine,
            &cancers,
            &births.deliveries,
            dirt(RegistryFile::Patient),
        )?,
    );
    let (quality_report, consent_report) = quality::write_quality_registry(
        out_dir,
        &mut stream(seed, Stream::Quality),
        &spine,
        &cancers,
        dirt(RegistryFile::Quality),
        dirt(RegistryFile::QualityConsent),
    )?;
    files.insert(RegistryFile::Quality, quality_report);
    files.insert(RegistryFile::QualityConsent, consent_report);

    let report = SynthReport {
        seed,
        persons: options.persons,
        dirty_share: options.dirty_share,
        number_series: options.number_series,
        files,
        spine: spine_summary,
        children_outside_spine: births.children_outside_spine,
    };
    write_report(out_dir, &report)?;
    Ok(report)
}

fn remove_old_report(out_dir: &Path) -> Result<(), SynthError> {
    let path = out_dir.join(REPORT_FILE_NAME);
    match fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(SynthError::Write { path, source }),
    }
}

fn write_report(out_dir: &Path, report: &SynthReport) -> Result<(), SynthError> {
    let mut json = serde_json::to_vec_pretty(report)?;
    json.push(b'\n');
    let (staged, mut file) = StagedFile::create(out_dir, REPORT_FILE_NAME)?;
    file.write_all(&json).map_err(|source| SynthError::Write {
        path: staged.final_path().to_path_buf(),
        source,
    })?;
    staged.commit(file)
}
