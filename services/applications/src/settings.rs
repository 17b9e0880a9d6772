//! Settings of the applications service: the kit's sections plus case work.

use hap_kit::settings::{SettingsError, Validate};
use serde::Deserialize;

use hap_service::CommonSettings;

use crate::domain::deadline::Limits;

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

[webhooks]
base_backoff_ms = 1000
max_backoff_ms = 300000
poll_interval_ms = 500
timeout_ms = 10000
"#;

#[derive(Clone, Debug, Deserialize)]
pub struct Settings {
    #[serde(flatten)]
    pub common: CommonSettings,
    pub cases: CaseSettings,
    pub webhooks: WebhookSettings,
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
