//! Registry and spine descriptors: where an extract lies, how it is
//! encoded, which columns hold identity numbers and which variables it gives.
//!
//! Descriptors are JSON files. Paths inside them are relative to the folder
//! of the descriptor file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use hap_contracts::criteria::VariableType;
use serde::Deserialize;

use crate::columnar::error::RunError;

/// File format of an extract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Parquet,
}

/// Text encoding of a CSV extract.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum Encoding {
    #[default]
    #[serde(rename = "utf-8")]
    Utf8,
    /// ISO 8859-1, as older registry exports write it.
    #[serde(rename = "latin-1")]
    Latin1,
}

/// One extract file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceFile {
    pub path: PathBuf,
    pub format: Format,
    /// CSV field delimiter, `,` or `;`; `,` when not given.
    #[serde(default)]
    pub delimiter: Option<char>,
    /// CSV text encoding; UTF-8 when not given.
    #[serde(default)]
    pub encoding: Encoding,
}

/// A variable of a registry: one column delivered with its type.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariableSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: VariableType,
}

/// A registry extract whose rows link to spine persons.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryDescriptor {
    /// Name used in criteria and in the output folder.
    pub name: String,
    pub file: SourceFile,
    /// Identifier columns, read as text. The first links the row to its
    /// person; a second one (such as the child in a birth registry) is
    /// validated, linked and pseudonymised too.
    pub identifiers: Vec<String>,
    pub variables: Vec<VariableSpec>,
    /// Date variable whose year groups the report, if any.
    #[serde(default)]
    pub year: Option<String>,
}

/// Identity history: each row maps a former number to the one that
/// replaced it, such as a D-number to the later ordinary number.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryDescriptor {
    pub file: SourceFile,
    pub from: String,
    pub to: String,
}

/// The population spine: one row per person.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpineDescriptor {
    pub file: SourceFile,
    pub identifier: String,
    /// Column with `male` or `female`.
    #[serde(default)]
    pub sex: Option<String>,
    /// Integer column with the birth year.
    #[serde(default)]
    pub birth_year: Option<String>,
    /// Date column with the birth date.
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub death_date: Option<String>,
    #[serde(default)]
    pub emigration_date: Option<String>,
    #[serde(default)]
    pub history: Option<HistoryDescriptor>,
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, RunError> {
    let text = std::fs::read_to_string(path).map_err(|source| RunError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|error| RunError::Descriptor {
        path: path.to_path_buf(),
        message: error.to_string(),
    })
}

fn resolve_path(descriptor: &Path, file: &mut SourceFile) {
    if file.path.is_relative()
        && let Some(folder) = descriptor.parent()
    {
        file.path = folder.join(&file.path);
    }
}

fn check_file(path: &Path, file: &SourceFile) -> Result<(), RunError> {
    let invalid = |message: String| RunError::Descriptor {
        path: path.to_path_buf(),
        message,
    };
    match (file.format, file.delimiter) {
        (Format::Csv, None | Some(',' | ';')) => Ok(()),
        (Format::Csv, Some(other)) => Err(invalid(format!(
            "delimiter `{other}` is not supported; use \",\" or \";\""
        ))),
        (Format::Parquet, Some(_)) => Err(invalid(
            "a Parquet file has no delimiter; remove `delimiter`".to_owned(),
        )),
        (Format::Parquet, None) if file.encoding == Encoding::Latin1 => Err(invalid(
            "Parquet text is always UTF-8; remove `encoding`".to_owned(),
        )),
        (Format::Parquet, None) => Ok(()),
    }
}

impl RegistryDescriptor {
    /// Reads and checks a registry descriptor.
    pub fn load(path: &Path) -> Result<Self, RunError> {
        let mut descriptor: RegistryDescriptor = read_json(path)?;
        resolve_path(path, &mut descriptor.file);
        descriptor.check(path)?;
        Ok(descriptor)
    }

    fn check(&self, path: &Path) -> Result<(), RunError> {
        let invalid = |message: String| RunError::Descriptor {
            path: path.to_path_buf(),
            message,
        };
        check_file(path, &self.file)?;
        let name_ok = !self.name.is_empty()
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !name_ok {
            return Err(invalid(format!(
                "registry name `{}` must be non-empty lower-case letters, digits or `_`",
                self.name
            )));
        }
        if !(1..=2).contains(&self.identifiers.len()) {
            return Err(invalid(format!(
                "expected one or two identifier columns, found {}",
                self.identifiers.len()
            )));
        }
        let mut names = HashSet::new();
        for name in self
            .identifiers
            .iter()
            .chain(self.variables.iter().map(|v| &v.name))
        {
            if !names.insert(name.as_str()) {
                return Err(invalid(format!(
                    "column `{name}` is named twice; name each column once"
                )));
            }
        }
        if let Some(year) = &self.year {
            let is_date = self
                .variables
                .iter()
                .any(|v| &v.name == year && v.kind == VariableType::Date);
            if !is_date {
                return Err(invalid(format!(
                    "`year` names `{year}`, which is not a date variable of this registry"
                )));
            }
        }
        Ok(())
    }

    /// Returns the type of a variable, if the registry has it.
    pub fn variable(&self, name: &str) -> Option<VariableType> {
        self.variables
            .iter()
            .find(|variable| variable.name == name)
            .map(|variable| variable.kind)
    }
}

impl SpineDescriptor {
    /// Reads and checks a spine descriptor.
    pub fn load(path: &Path) -> Result<Self, RunError> {
        let mut descriptor: SpineDescriptor = read_json(path)?;
        resolve_path(path, &mut descriptor.file);
        check_file(path, &descriptor.file)?;
        if let Some(history) = &mut descriptor.history {
            resolve_path(path, &mut history.file);
            check_file(path, &history.file)?;
        }
        Ok(descriptor)
    }
}
