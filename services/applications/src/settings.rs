//! Settings of the applications service: the kit's sections plus case work.

use hap_kit::settings::{SettingsError, Validate};
use serde::Deserialize;

use hap_service::CommonSettings;

/// Service defaults, below the kit's.
pub const DEFAULTS: &str = r#"
[http]
port = 8081

[database]
url = "postgres://postgres@127.0.0.1:5432/hap_applications"

[cases]
claim_lease_minutes = 240
deadline_days = 60
"#;

#[derive(Clone, Debug, Deserialize)]
pub struct Settings {
    #[serde(flatten)]
    pub common: CommonSettings,
    pub cases: CaseSettings,
}

/// `[cases]`: case-handling rules.
#[derive(Clone, Debug, Deserialize)]
pub struct CaseSettings {
    /// How long a claim keeps others from taking an application.
    pub claim_lease_minutes: i64,
    /// Days from submission to the decision deadline.
    pub deadline_days: i64,
}

impl Validate for Settings {
    fn validate(&self) -> Result<(), SettingsError> {
        self.common.validate()?;
        if self.cases.claim_lease_minutes <= 0 {
            return Err(SettingsError::Invalid {
                key: "cases.claim_lease_minutes",
                reason: "must be a positive number of minutes".into(),
            });
        }
        if self.cases.deadline_days <= 0 {
            return Err(SettingsError::Invalid {
                key: "cases.deadline_days",
                reason: "must be a positive number of days".into(),
            });
        }
        Ok(())
    }
}
