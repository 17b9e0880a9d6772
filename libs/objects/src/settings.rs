//! Where a service keeps its objects, as read from its settings.

use hap_kit::Secret;
use hap_kit::settings::SettingsError;
use serde::Deserialize;

/// The kind of storage that keeps the objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// A folder on the local file system.
    Local,
    /// An S3-compatible bucket.
    S3,
}

/// An S3-compatible bucket.
#[derive(Clone, Debug, Deserialize)]
pub struct S3Settings {
    pub bucket: String,
    /// Endpoint URL of an S3-compatible server such as MinIO
    /// (`http://minio:9000`); unset means AWS S3 itself.
    pub endpoint: Option<String>,
    pub region: String,
    /// Key prefix inside the bucket, such as `deliveries`; empty for none.
    pub prefix: String,
    /// Allows a plain-HTTP endpoint, for a server inside the cluster.
    pub allow_http: bool,
    /// Static credentials; when unset, the usual AWS sources apply
    /// (`AWS_ACCESS_KEY_ID`, web identity, instance metadata).
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<Secret>,
}

impl S3Settings {
    /// Checks that the endpoint, when set, is an http or https URL without
    /// credentials in it; `key` names the setting in the error.
    pub fn check_endpoint(&self, key: &'static str) -> Result<(), SettingsError> {
        match &self.endpoint {
            Some(url) => hap_kit::endpoint_url::check(url)
                .map_err(|reason| SettingsError::Invalid { key, reason }),
            None => Ok(()),
        }
    }
}
