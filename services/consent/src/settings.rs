//! Settings of the consent service.

use hap_contracts::criteria::Registry;
use hap_identity::Rules;
use hap_kit::Secret;
use hap_kit::settings::{SettingsError, Validate, decode_hex_key};
use hap_service::{CommonSettings, HasCommon};
use serde::Deserialize;

use crate::domain::basis::RegistryBasis;

/// Service defaults, below the kit's. The registry list describes the
/// synthetic registries that `hapctl synth` writes.
pub const DEFAULTS: &str = r#"
[http]
port = 8082

[database]
url = "postgres://postgres@127.0.0.1:5432/hap_consent"

[consent]
max_import_bytes = 67108864

[consent.identity]
policy = "allow-2032"
profile = "production"

[[consent.registries]]
registry = "population"
kind = "statutory"
duo_terms = ["DUO:0000042"]
commercial_use = false
ethics_approval_required = true

[[consent.registries]]
registry = "cancer"
kind = "statutory"
duo_terms = ["DUO:0000006"]
commercial_use = false
ethics_approval_required = true

[[consent.registries]]
registry = "birth"
kind = "statutory"
duo_terms = ["DUO:0000006"]
commercial_use = false
ethics_approval_required = true

[[consent.registries]]
registry = "patient"
kind = "statutory"
duo_terms = ["DUO:0000006"]
commercial_use = false
ethics_approval_required = true

[[consent.registries]]
registry = "quality"
kind = "consent-based"
duo_terms = ["DUO:0000007", "DUO:0000018", "DUO:0000021"]
commercial_use = false
ethics_approval_required = true
disease_codes = ["C18", "C19", "C20"]
"#;

#[derive(Clone, Debug, Deserialize)]
pub struct Settings {
    #[serde(flatten)]
    pub common: CommonSettings,
    pub consent: ConsentSettings,
}

/// `[consent]`
#[derive(Clone, Debug, Deserialize)]
pub struct ConsentSettings {
    /// HMAC key (hex, at least 32 bytes) for person hashes. The linkage
    /// service has the same key to apply exclusions.
    pub platform_key: Secret,
    /// The largest consent import accepted, in bytes.
    pub max_import_bytes: usize,
    /// Identity-number rules for imports (`profile = "test"` accepts the
    /// synthetic numbers of test data).
    pub identity: Rules,
    /// Each registry's legal basis: its kind (`statutory`, `opt-out` or
    /// `consent-based`) and its data-use conditions as DUO terms.
    pub registries: Vec<RegistryBasis>,
}

impl Validate for Settings {
    fn validate(&self) -> Result<(), SettingsError> {
        self.common.validate()?;
        decode_hex_key("consent.platform_key", &self.consent.platform_key)?;
        for registry in Registry::ALL {
            if !self
                .consent
                .registries
                .iter()
                .any(|b| b.registry == registry)
            {
                return Err(SettingsError::Invalid {
                    key: "consent.registries",
                    reason: format!("registry `{}` has no legal basis entry", registry.name()),
                });
            }
        }
        for basis in &self.consent.registries {
            basis.validate().map_err(|reason| SettingsError::Invalid {
                key: "consent.registries",
                reason,
            })?;
        }
        Ok(())
    }
}

impl HasCommon for Settings {
    fn common(&self) -> &CommonSettings {
        &self.common
    }
}
