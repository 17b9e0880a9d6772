//! Settings of the applications service: the kit's sections plus case work.

use hap_kit::settings::{SettingsError, Validate};
use serde::Deserialize;

use hap_service::CommonSettings;

use hap_objects::{Backend, S3Settings};

use crate::domain::deadline::Limits;
use crate::domain::files;

/// Service defaults, below the kit's.
pub const DEFAULTS: &str = r#"
[http]
port = 8081

[database]
url = "postgres://postgres@127.0.0.1:5432/hap_applications"

[cases]
claim_lease_minutes = 240
limit_single_source_days = 30
limit_linked_sources_days = 60
appeal_period_days = 21
expiry_interval_seconds = 3600

[webhooks]
base_backoff_ms = 1000
max_backoff_ms = 300000
poll_interval_ms = 500
timeout_ms = 10000
allow_private_hosts = false

[attachments]
max_bytes = 26214400
content_types = "application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.oasis.opendocument.text,image/png,image/jpeg"
backend = "local"
dir = "var/attachments"

[attachments.s3]
bucket = ""
region = "us-east-1"
prefix = ""
allow_http = false
"#;

#[derive(Clone, Debug, Deserialize)]
pub struct Settings {
    #[serde(flatten)]
    pub common: CommonSettings,
    pub cases: CaseSettings,
    pub webhooks: WebhookSettings,
    pub attachments: AttachmentSettings,
}

/// `[attachments]`: files attached to applications and where they are kept.
#[derive(Clone, Debug, Deserialize)]
pub struct AttachmentSettings {
    /// Maximum size of one file in bytes.
    pub max_bytes: u64,
    /// Comma-separated content types an upload may declare, each one of
    /// [`files::supported_content_types`].
    pub content_types: String,
    /// `local` keeps the files in the folder `dir`, `s3` in the bucket of `s3`.
    pub backend: Backend,
    pub dir: String,
    pub s3: S3Settings,
}

impl AttachmentSettings {
    /// Returns the allowed content types, trimmed, without empty entries.
    pub fn allowed_content_types(&self) -> Vec<&str> {
        self.content_types
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .collect()
    }

    fn validate(&self) -> Result<(), SettingsError> {
        let invalid =
            |key: &'static str, reason: String| Err(SettingsError::Invalid { key, reason });
        if self.max_bytes == 0 {
            return invalid(
                "attachments.max_bytes",
                "must be a positive number of bytes".into(),
            );
        }
        let allowed = self.allowed_content_types();
        if allowed.is_empty() {
            return invalid(
                "attachments.content_types",
                "must name at least one content type".into(),
            );
        }
        if let Some(unknown) = allowed.iter().find(|name| !files::is_supported(name)) {
            return invalid(
                "attachments.content_types",
                format!(
                    "`{unknown}` is not a type whose files the service can check; use some of {}",
                    files::supported_content_types().join(", ")
                ),
            );
        }
        match self.backend {
            Backend::Local if self.dir.trim().is_empty() => {
                return invalid("attachments.dir", "must name a folder".into());
            }
            Backend::S3 if self.s3.bucket.trim().is_empty() => {
                return invalid(
                    "attachments.s3.bucket",
                    "must name a bucket when attachments.backend is `s3`".into(),
                );
            }
            _ => {}
        }
        self.s3.check_endpoint("attachments.s3.endpoint")?;
        if self.s3.access_key_id.is_some() != self.s3.secret_access_key.is_some() {
            return invalid(
                "attachments.s3.secret_access_key",
                "set both attachments.s3.access_key_id and attachments.s3.secret_access_key, or neither".into(),
            );
        }
        Ok(())
    }
}

/// `[webhooks]`: delivery of state changes to subscribed front-ends.
#[derive(Clone, Debug, Deserialize)]
pub struct WebhookSettings {
    /// The wait after the first failed attempt; it doubles per further failure.
    pub base_backoff_ms: u64,
    /// Maximum wait between two attempts.
    pub max_backoff_ms: u64,
    /// How often the dispatcher looks for due deliveries.
    pub poll_interval_ms: u64,
    /// How long one request to a receiver may take.
    pub timeout_ms: u64,
    /// Accepts receivers on loopback, private and other internal addresses,
    /// for development and tests; off in production.
    pub allow_private_hosts: bool,
}

/// `[cases]`: case-handling rules.
#[derive(Clone, Debug, Deserialize)]
pub struct CaseSettings {
    /// How long a claim keeps others from taking an application.
    pub claim_lease_minutes: i64,
    /// Working days from submission to the decision deadline when the
    /// request names one registry.
    pub limit_single_source_days: u32,
    /// Working days from submission to the decision deadline when the
    /// request links two or more registries.
    pub limit_linked_sources_days: u32,
    /// Calendar days after a rejection in which the applicant may appeal.
    pub appeal_period_days: i64,
    /// Seconds between two runs of the job that expires approved and
    /// delivered applications whose period has ended.
    pub expiry_interval_seconds: u64,
}

impl CaseSettings {
    pub fn limits(&self) -> Limits {
        Limits {
            single_source: self.limit_single_source_days,
            linked_sources: self.limit_linked_sources_days,
        }
    }
}

impl Validate for Settings {
    fn validate(&self) -> Result<(), SettingsError> {
        self.common.validate()?;
        self.attachments.validate()?;
        if self.cases.claim_lease_minutes <= 0 {
            return Err(SettingsError::Invalid {
                key: "cases.claim_lease_minutes",
                reason: "must be a positive number of minutes".into(),
            });
        }
        let positive = [
            (
                "cases.limit_single_source_days",
                i64::from(self.cases.limit_single_source_days),
            ),
            (
                "cases.limit_linked_sources_days",
                i64::from(self.cases.limit_linked_sources_days),
            ),
            ("cases.appeal_period_days", self.cases.appeal_period_days),
        ];
        let webhooks = [
            ("webhooks.base_backoff_ms", self.webhooks.base_backoff_ms),
            ("webhooks.max_backoff_ms", self.webhooks.max_backoff_ms),
            ("webhooks.poll_interval_ms", self.webhooks.poll_interval_ms),
            ("webhooks.timeout_ms", self.webhooks.timeout_ms),
        ];
        if self.cases.expiry_interval_seconds == 0 {
            return Err(SettingsError::Invalid {
                key: "cases.expiry_interval_seconds",
                reason: "must be a positive number of seconds".into(),
            });
        }
        for (key, millis) in webhooks {
            if millis == 0 {
                return Err(SettingsError::Invalid {
                    key,
                    reason: "must be a positive number of milliseconds".into(),
                });
            }
        }
        for (key, days) in positive {
            if days <= 0 {
                return Err(SettingsError::Invalid {
                    key,
                    reason: format!("{days} is not a positive number of days"),
                });
            }
        }
        Ok(())
    }
}
