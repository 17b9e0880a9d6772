//! Settings of the linkage service.

use std::collections::HashMap;

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

[linkage]
master_key_id = "1"

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
    /// Id of `master_key`. Every project first linked under this key keeps
    /// it, so a rotation gives the new key a new id.
    pub master_key_id: String,
    /// Earlier master keys (hex) by id, kept so that projects first linked
    /// under them keep their pseudonyms.
    #[serde(default)]
    pub retired_master_keys: HashMap<String, Secret>,
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
        if self.linkage.master_key_id.trim().is_empty() {
            return Err(SettingsError::Invalid {
                key: "linkage.master_key_id",
                reason: "is empty; name the master key, for example \"2026-01\"".into(),
            });
        }
        let current_id = self.linkage.master_key_id.to_lowercase();
        if self
            .linkage
            .retired_master_keys
            .keys()
            .any(|id| id.to_lowercase() == current_id)
        {
            return Err(SettingsError::Invalid {
                key: "linkage.retired_master_keys",
                reason: format!(
                    "holds the current id `{}`; a rotated key needs a new linkage.master_key_id",
                    self.linkage.master_key_id
                ),
            });
        }
        self.linkage.retired_keys()?;
        Ok(())
    }
}

impl LinkageSettings {
    /// Decodes the retired master keys by id.
    pub fn retired_keys(&self) -> Result<HashMap<String, Vec<u8>>, SettingsError> {
        self.retired_master_keys
            .iter()
            .map(|(id, key)| {
                Ok((
                    id.clone(),
                    decode_hex_key("linkage.retired_master_keys", key)?,
                ))
            })
            .collect()
    }
}

impl HasCommon for Settings {
    fn common(&self) -> &CommonSettings {
        &self.common
    }
}
