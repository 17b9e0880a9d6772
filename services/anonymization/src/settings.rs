//! Settings of the anonymization service.

use hap_kit::settings::{SettingsError, Validate};
use hap_service::{CommonSettings, HasCommon};
use serde::Deserialize;

pub const DEFAULTS: &str = r#"
[http]
port = 8084

[database]
url = "postgres://postgres@127.0.0.1:5432/hap_anonymization"

[store]
work_dir = "var/work"

[anonymization]
k = 5
suppression_limit = 0.05
min_cell_count = 5
"#;

#[derive(Clone, Debug, Deserialize)]
pub struct Settings {
    #[serde(flatten)]
    pub common: CommonSettings,
    pub store: StoreSettings,
    pub anonymization: AnonymizationSettings,
}

/// `[store]`
#[derive(Clone, Debug, Deserialize)]
pub struct StoreSettings {
    pub work_dir: String,
}

/// `[anonymization]`: the disclosure-control profile for microdata and
/// aggregate tables.
#[derive(Clone, Debug, Deserialize)]
pub struct AnonymizationSettings {
    /// Every released group of quasi-identifiers holds at least k records.
    pub k: usize,
    /// The largest share of records (0 to 1) that may be suppressed.
    pub suppression_limit: f64,
    /// Smallest count of persons an aggregate table may publish. A smaller
    /// non-zero count is suppressed, and further cells with it.
    pub min_cell_count: u64,
}

impl Validate for Settings {
    fn validate(&self) -> Result<(), SettingsError> {
        self.common.validate()?;
        if self.anonymization.k < 2 {
            return Err(SettingsError::Invalid {
                key: "anonymization.k",
                reason: format!(
                    "{} protects no one; use 2 or more (5 is usual)",
                    self.anonymization.k
                ),
            });
        }
        if self.anonymization.min_cell_count < 2 {
            return Err(SettingsError::Invalid {
                key: "anonymization.min_cell_count",
                reason: format!(
                    "{} publishes counts of single persons; use 2 or more (5 is usual)",
                    self.anonymization.min_cell_count
                ),
            });
        }
        if !(0.0..=1.0).contains(&self.anonymization.suppression_limit) {
            return Err(SettingsError::Invalid {
                key: "anonymization.suppression_limit",
                reason: "must be a share between 0 and 1".into(),
            });
        }
        Ok(())
    }
}

impl HasCommon for Settings {
    fn common(&self) -> &CommonSettings {
        &self.common
    }
}
