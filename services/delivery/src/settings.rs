//! Settings of the delivery service.

use hap_kit::settings::{SettingsError, Validate};
use hap_service::{CommonSettings, HasCommon};
use serde::Deserialize;

pub const DEFAULTS: &str = r#"
[http]
port = 8085

[database]
url = "postgres://postgres@127.0.0.1:5432/hap_delivery"

[store]
work_dir = "var/work"
delivery_dir = "var/deliveries"
"#;

#[derive(Clone, Debug, Deserialize)]
pub struct Settings {
    #[serde(flatten)]
    pub common: CommonSettings,
    pub store: StoreSettings,
}

/// `[store]`
#[derive(Clone, Debug, Deserialize)]
pub struct StoreSettings {
    /// The work store the released datasets come from.
    pub work_dir: String,
    /// Folder of the encrypted packages, kept until they expire.
    pub delivery_dir: String,
}

impl Validate for Settings {
    fn validate(&self) -> Result<(), SettingsError> {
        self.common.validate()?;
        if self.store.delivery_dir.trim().is_empty() {
            return Err(SettingsError::Invalid {
                key: "store.delivery_dir",
                reason: "must name a folder".into(),
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
