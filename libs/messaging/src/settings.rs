//! Broker settings, read from configuration.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use crate::error::SettingsError;
use crate::names::check_name_part;
use crate::redact::redact_url;

/// Maximum retry delay: RabbitMQ accepts larger TTLs, but a day already
/// exceeds any back-off that helps a failing handler.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(24 * 60 * 60);

/// RabbitMQ connection and naming settings.
///
/// Deserialized from configuration with `url` required and the other fields
/// defaulted. Durations are written as text with a unit: `"500ms"`, `"5s"`,
/// `"2m"` or `"1h"`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrokerSettings {
    /// AMQP URI, e.g. `amqp://guest:guest@127.0.0.1:5672/%2f`.
    pub url: String,
    /// Prefix of every exchange and queue name, so that several deployments
    /// or test runs share one broker. Default `hap`.
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// Maximum number of unacknowledged deliveries per consumer (`basic.qos`).
    /// Default 16.
    #[serde(default = "default_prefetch")]
    pub prefetch: u16,
    /// Delay before each retry of a message whose handler failed with a
    /// transient error. The number of entries is the number of retries.
    /// Default 1 s, 5 s, 30 s.
    #[serde(
        default = "default_retry_delays",
        deserialize_with = "deserialize_durations"
    )]
    pub retry_delays: Vec<Duration>,
}

fn default_namespace() -> String {
    "hap".to_owned()
}

fn default_prefetch() -> u16 {
    16
}

fn default_retry_delays() -> Vec<Duration> {
    vec![
        Duration::from_secs(1),
        Duration::from_secs(5),
        Duration::from_secs(30),
    ]
}

impl BrokerSettings {
    /// Builds settings for `url` with the default namespace, prefetch and
    /// retry delays.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            namespace: default_namespace(),
            prefetch: default_prefetch(),
            retry_delays: default_retry_delays(),
        }
    }

    /// Checks the namespace, URL, prefetch and retry delays.
    pub fn validate(&self) -> Result<(), SettingsError> {
        check_name_part("namespace", &self.namespace)?;

        if let Err(reason) = lapin::uri::AMQPUri::from_str(&self.url) {
            let url = redact_url(&self.url);
            return Err(SettingsError::Url {
                reason: reason.replace(&self.url, &url),
                url,
            });
        }

        if self.prefetch == 0 {
            return Err(SettingsError::Prefetch);
        }

        for (index, delay) in self.retry_delays.iter().enumerate() {
            if delay.as_millis() == 0 || *delay > MAX_RETRY_DELAY {
                return Err(SettingsError::RetryDelay {
                    index,
                    delay: *delay,
                });
            }
        }
        Ok(())
    }
}

impl fmt::Debug for BrokerSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BrokerSettings")
            .field("url", &redact_url(&self.url))
            .field("namespace", &self.namespace)
            .field("prefetch", &self.prefetch)
            .field("retry_delays", &self.retry_delays)
            .finish()
    }
}

fn deserialize_durations<'de, D>(deserializer: D) -> Result<Vec<Duration>, D::Error>
where
    D: Deserializer<'de>,
{
    let texts = Vec::<String>::deserialize(deserializer)?;
    texts
        .iter()
        .map(|text| parse_duration(text).map_err(serde::de::Error::custom))
        .collect()
}

/// Parses a whole number followed by `ms`, `s`, `m` or `h`.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits_end);

    let invalid = || {
        format!(
            "invalid duration \"{text}\": expected a whole number followed by ms, s, m or h, e.g. \"500ms\" or \"5s\""
        )
    };
    let value: u64 = number.parse().map_err(|_| invalid())?;

    match unit.trim() {
        "ms" => Ok(Duration::from_millis(value)),
        "s" => Ok(Duration::from_secs(value)),
        "m" => value
            .checked_mul(60)
            .map(Duration::from_secs)
            .ok_or_else(invalid),
        "h" => value
            .checked_mul(3600)
            .map(Duration::from_secs)
            .ok_or_else(invalid),
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_duration_units() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
    }

    #[test]
    fn parse_duration_rejects_missing_unit() {
        let error = parse_duration("30").err();
        assert_eq!(
            error.as_deref(),
            Some(
                "invalid duration \"30\": expected a whole number followed by ms, s, m or h, e.g. \"500ms\" or \"5s\""
            )
        );
        assert!(parse_duration("1.5s").is_err());
        assert!(parse_duration("s").is_err());
    }

    #[test]
    fn validate_rejects_zero_prefetch() {
        let mut settings = BrokerSettings::new("amqp://127.0.0.1:5672/%2f");
        settings.prefetch = 0;
        assert_eq!(settings.validate(), Err(SettingsError::Prefetch));
    }

    #[test]
    fn validate_rejects_zero_retry_delay() {
        let mut settings = BrokerSettings::new("amqp://127.0.0.1:5672/%2f");
        settings.retry_delays = vec![Duration::from_secs(1), Duration::ZERO];
        assert_eq!(
            settings.validate(),
            Err(SettingsError::RetryDelay {
                index: 1,
                delay: Duration::ZERO
            })
        );
    }

    #[test]
    fn validate_rejects_bad_url_without_echoing_password() {
        let settings = BrokerSettings::new("http://hap:topsecret@rabbit/");
        let message = settings.validate().err().map(|e| e.to_string());
        let message = message.unwrap_or_default();
        assert!(message.starts_with("invalid broker url http://hap:***@rabbit/"));
        assert!(!message.contains("topsecret"));
    }

    #[test]
    fn validate_rejects_namespace_with_dot() {
        let mut settings = BrokerSettings::new("amqp://127.0.0.1:5672/%2f");
        settings.namespace = "hap.prod".to_owned();
        assert!(matches!(
            settings.validate(),
            Err(SettingsError::Namespace(_))
        ));
    }
}
