//! Settings of the linkage service.

use hap_identity::Rules;
use hap_kit::Secret;
use hap_kit::settings::{SettingsError, Validate, decode_hex_key};
use hap_service::{CommonSettings, HasCommon};
use serde::Deserialize;

use crate::exclusions::ConsentApiSettings;

pub const DEFAULTS: &str = r#"
[http]
port = 8083

[database]
url = "postgres://postgres@127.0.0.1:5432/hap_linkage"

[store]
work_dir = "var/work"
registry_dir = "var/registries"

[linkage.identity]
policy = "allow-2032"
profile = "production"

[linkage.consent]
url = "http://127.0.0.1:8082"
timeout_seconds = 30
"#;

#[derive(Clone, Debug, Deserialize)]
pub struct Settings {
    #[serde(flatten)]
    pub common: CommonSettings,
    pub store: StoreSettings,
    pub linkage: LinkageSettings,
}

/// `[store]`
#[derive(Clone, Debug, Deserialize)]
pub struct StoreSettings {
    /// The work store shared with the pipeline services.
    pub work_dir: String,
    /// The registry extracts (one CSV file per registry). Only this service reads them.
    pub registry_dir: String,
}

/// `[linkage]`
#[derive(Clone, Debug, Deserialize)]
pub struct LinkageSettings {
    /// Master key (hex, at least 32 bytes) from which each project's
    /// pseudonym key is derived. Only this service holds it.
    pub master_key: Secret,
    /// The consent service's person-hash key, to apply exclusion lists.
    pub platform_key: Secret,
    /// Identity-number rules (`profile = "test"` accepts synthetic numbers).
    pub identity: Rules,
    /// The consent service, which serves the exclusions of each permit.
    pub consent: ConsentApiSettings,
}

impl Validate for Settings {
    fn validate(&self) -> Result<(), SettingsError> {
        self.common.validate()?;
        let master = decode_hex_key("linkage.master_key", &self.linkage.master_key)?;
        let platform = decode_hex_key("linkage.platform_key", &self.linkage.platform_key)?;
        self.linkage
            .consent
            .validate(&self.common.auth)
            .map_err(|(key, reason)| SettingsError::Invalid { key, reason })?;
        if master == platform {
            return Err(SettingsError::Invalid {
                key: "linkage.master_key",
                reason: "must differ from linkage.platform_key".into(),
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
