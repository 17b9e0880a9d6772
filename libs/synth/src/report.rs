//! The generation report, written as `synth-report.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::options::NumberSeries;

/// File name of the report in the output folder.
pub const REPORT_FILE_NAME: &str = "synth-report.json";

/// A registry file of the output folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RegistryFile {
    #[serde(rename = "population.csv")]
    Population,
    #[serde(rename = "cancer.csv")]
    Cancer,
    #[serde(rename = "birth.csv")]
    Birth,
    #[serde(rename = "patient.csv")]
    Patient,
    #[serde(rename = "quality.csv")]
    Quality,
    #[serde(rename = "quality_consent.csv")]
    QualityConsent,
}

impl RegistryFile {
    /// Every registry file, in the order the generator writes them.
    pub const ALL: [RegistryFile; 6] = [
        RegistryFile::Population,
        RegistryFile::Cancer,
        RegistryFile::Birth,
        RegistryFile::Patient,
        RegistryFile::Quality,
        RegistryFile::QualityConsent,
    ];

    pub fn file_name(self) -> &'static str {
        match self {
            RegistryFile::Population => "population.csv",
            RegistryFile::Cancer => "cancer.csv",
            RegistryFile::Birth => "birth.csv",
            RegistryFile::Patient => "patient.csv",
            RegistryFile::Quality => "quality.csv",
            RegistryFile::QualityConsent => "quality_consent.csv",
        }
    }

    /// Returns the header row.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            RegistryFile::Population => &[
                "person_id",
                "sex",
                "birth_date",
                "municipality",
                "death_date",
                "emigration_date",
                "former_dnumber",
            ],
            RegistryFile::Cancer => &["person_id", "icd10", "diagnosis_date", "stage"],
            RegistryFile::Birth => &[
                "mother_id",
                "child_id",
                "birth_date",
                "birth_weight_g",
                "gestational_age_weeks",
            ],
            RegistryFile::Patient => &["person_id", "episode_start", "episode_end", "icd10"],
            RegistryFile::Quality => &["person_id", "surgery_date", "procedure", "asa_score"],
            RegistryFile::QualityConsent => &["person_id", "event", "event_date", "source"],
        }
    }

    /// Returns the indexes of the columns that hold an identity number.
    pub fn identity_columns(self) -> &'static [usize] {
        match self {
            RegistryFile::Birth => &[0, 1],
            _ => &[0],
        }
    }
}

/// The kinds of dirty record the generator writes on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirtKind {
    /// An 11-digit identifier whose last check digit is wrong.
    WrongCheckDigit,
    /// An identifier starting with 0 written without it, as 10 digits.
    LeadingZeroLost,
    /// An empty identifier field.
    MissingIdentifier,
    /// A second copy of the row directly before it.
    ExactDuplicate,
}

impl DirtKind {
    pub const ALL: [DirtKind; 4] = [
        DirtKind::WrongCheckDigit,
        DirtKind::LeadingZeroLost,
        DirtKind::MissingIdentifier,
        DirtKind::ExactDuplicate,
    ];
}

/// Dirty rows of one file by kind. Each dirty row has exactly one kind, and
/// an identifier kind changes exactly one identity column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirtyCounts {
    pub wrong_check_digit: u64,
    pub leading_zero_lost: u64,
    pub missing_identifier: u64,
    /// Extra copies: a row written twice counts once here.
    pub exact_duplicate: u64,
}

impl DirtyCounts {
    pub fn get(&self, kind: DirtKind) -> u64 {
        match kind {
            DirtKind::WrongCheckDigit => self.wrong_check_digit,
            DirtKind::LeadingZeroLost => self.leading_zero_lost,
            DirtKind::MissingIdentifier => self.missing_identifier,
            DirtKind::ExactDuplicate => self.exact_duplicate,
        }
    }

    pub(crate) fn add(&mut self, kind: DirtKind) {
        match kind {
            DirtKind::WrongCheckDigit => self.wrong_check_digit += 1,
            DirtKind::LeadingZeroLost => self.leading_zero_lost += 1,
            DirtKind::MissingIdentifier => self.missing_identifier += 1,
            DirtKind::ExactDuplicate => self.exact_duplicate += 1,
        }
    }

    /// Returns the number of dirty rows of every kind.
    pub fn total(&self) -> u64 {
        DirtKind::ALL.iter().map(|&kind| self.get(kind)).sum()
    }
}

/// Row counts of one written file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileReport {
    /// Data rows, without the header and with every duplicate copy.
    pub rows: u64,
    pub dirty: DirtyCounts,
    /// Rows with an intact identifier that is a former D-number (first digit
    /// 4 to 7), which linkage maps through `former_dnumber`. Both copies of
    /// a duplicated row count.
    pub dnumber_references: u64,
}

/// Counts of the population spine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpineSummary {
    pub females: u64,
    pub deaths: u64,
    pub emigrations: u64,
    /// Persons who had a D-number before their ordinary number.
    pub former_dnumbers: u64,
}

/// Summary of one [`crate::generate`] run: options, files and counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynthReport {
    pub seed: u64,
    pub persons: usize,
    pub dirty_share: f64,
    pub number_series: NumberSeries,
    pub files: BTreeMap<RegistryFile, FileReport>,
    pub spine: SpineSummary,
    /// Children in `birth.csv` whose identity number is not in the spine
    /// (no spine person was born on that day to take the place), so linkage
    /// cannot find them there.
    pub children_outside_spine: u64,
}

impl SynthReport {
    /// Returns the report of `file`, or an empty one if nothing was written.
    pub fn file(&self, file: RegistryFile) -> FileReport {
        self.files.get(&file).copied().unwrap_or_default()
    }
}
