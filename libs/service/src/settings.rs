use hap_kit::auth::AuthSettings;
use hap_kit::db::DatabaseSettings;
use hap_kit::http::HttpSettings;
use hap_kit::settings::{SettingsError, Validate};
use hap_kit::telemetry::TelemetrySettings;
use hap_messaging::BrokerSettings;
use serde::Deserialize;

/// The sections every service has: `[http]`, `[database]`, `[broker]`,
/// `[telemetry]` and `[auth]`.
#[derive(Clone, Debug, Deserialize)]
pub struct CommonSettings {
    pub http: HttpSettings,
    pub database: DatabaseSettings,
    pub broker: BrokerSettings,
    pub telemetry: TelemetrySettings,
    pub auth: AuthSettings,
}

impl Validate for CommonSettings {
    fn validate(&self) -> Result<(), SettingsError> {
        self.broker
            .validate()
            .map_err(|error| SettingsError::Invalid {
                key: "broker",
                reason: error.to_string(),
            })?;
        hap_kit::database_url::check(self.database.url.expose()).map_err(|reason| {
            SettingsError::Invalid {
                key: "database.url",
                reason,
            }
        })?;
        if self.database.pool_size == 0 {
            return Err(SettingsError::Invalid {
                key: "database.pool_size",
                reason: "must be at least 1".into(),
            });
        }
        if let Some(secret) = &self.auth.dev_secret
            && secret.expose().len() < 32
        {
            return Err(SettingsError::Invalid {
                key: "auth.dev_secret",
                reason: "use at least 32 characters".into(),
            });
        }
        let urls = [
            ("auth.issuer", &self.auth.issuer),
            ("telemetry.otlp_endpoint", &self.telemetry.otlp_endpoint),
        ];
        for (key, url) in urls {
            if let Some(url) = url {
                hap_kit::endpoint_url::check(url)
                    .map_err(|reason| SettingsError::Invalid { key, reason })?;
            }
        }
        if self.auth.issuer.is_none() && self.auth.dev_secret.is_none() {
            return Err(SettingsError::Invalid {
                key: "auth.issuer",
                reason: "set the OIDC issuer URL (or auth.dev_secret for development)".into(),
            });
        }
        Ok(())
    }
}

/// Service settings that contain the common sections.
pub trait HasCommon {
    fn common(&self) -> &CommonSettings;
}
