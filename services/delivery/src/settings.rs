//! Settings of the delivery service.
//!
//! Besides the common sections, the service reads:
//! - `[store]`: the work store folder, and where encrypted packages are kept:
//!   `delivery_backend = "local"` keeps them under `delivery_dir`, and
//!   `delivery_backend = "s3"` keeps them in the bucket of `[store.s3]`
//!   (`HAP__STORE__DELIVERY_BACKEND=s3`, `HAP__STORE__S3__BUCKET=...`).
//! - `[delivery]`: the lifetime of download grants, the interval of the
//!   expiry sweep and the custodian key used to add recipients later.

use hap_kit::Secret;
use hap_kit::settings::{SettingsError, Validate};
pub use hap_objects::{Backend, S3Settings};
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
delivery_backend = "local"

[store.s3]
bucket = ""
region = "us-east-1"
prefix = ""
allow_http = false

[delivery]
grant_seconds = 900
sweep_seconds = 3600
"#;

#[derive(Clone, Debug, Deserialize)]
pub struct Settings {
    #[serde(flatten)]
    pub common: CommonSettings,
    pub store: StoreSettings,
    pub delivery: DeliverySettings,
}

/// `[store]`
#[derive(Clone, Debug, Deserialize)]
pub struct StoreSettings {
    /// The work store the released datasets come from.
    pub work_dir: String,
    /// Folder of the encrypted packages when `delivery_backend` is `local`.
    pub delivery_dir: String,
    pub delivery_backend: Backend,
    pub s3: S3Settings,
}

/// `[delivery]`
#[derive(Clone, Debug, Deserialize)]
pub struct DeliverySettings {
    /// Lifetime of a download grant in seconds.
    pub grant_seconds: u32,
    /// Seconds between two sweeps that delete expired deliveries.
    pub sweep_seconds: u32,
    /// Crypt4GH secret key file (PEM text, without passphrase) of the
    /// custodian, a recipient of every package so that recipients can be
    /// added later. When unset, the service generates one and keeps it in
    /// its database.
    pub custodian_secret_key: Option<Secret>,
}

impl Validate for Settings {
    fn validate(&self) -> Result<(), SettingsError> {
        self.common.validate()?;
        let invalid = |key: &'static str, reason: &str| {
            Err(SettingsError::Invalid {
                key,
                reason: reason.to_owned(),
            })
        };
        match self.store.delivery_backend {
            Backend::Local if self.store.delivery_dir.trim().is_empty() => {
                return invalid("store.delivery_dir", "must name a folder");
            }
            Backend::S3 if self.store.s3.bucket.trim().is_empty() => {
                return invalid(
                    "store.s3.bucket",
                    "must name a bucket when store.delivery_backend is `s3`",
                );
            }
            _ => {}
        }
        self.store.s3.check_endpoint("store.s3.endpoint")?;
        if self.store.s3.access_key_id.is_some() != self.store.s3.secret_access_key.is_some() {
            return invalid(
                "store.s3.secret_access_key",
                "set both store.s3.access_key_id and store.s3.secret_access_key, or neither",
            );
        }
        if !(10..=86_400).contains(&self.delivery.grant_seconds) {
            return invalid("delivery.grant_seconds", "must be between 10 and 86400");
        }
        if self.delivery.sweep_seconds == 0 {
            return invalid("delivery.sweep_seconds", "must be at least 1");
        }
        if let Some(key) = &self.delivery.custodian_secret_key
            && let Err(error) = hap_crypt4gh::SecretKey::from_pem(key.expose(), None)
        {
            return Err(SettingsError::Invalid {
                key: "delivery.custodian_secret_key",
                reason: error.to_string(),
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
