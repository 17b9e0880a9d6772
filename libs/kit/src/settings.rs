//! Layered configuration with the `config` crate.
//!
//! Sources, later ones overriding earlier ones:
//! 1. the kit's defaults and the service's defaults (TOML strings in the code);
//! 2. the file named by `HAP_CONFIG_FILE`, when that variable is set;
//! 3. environment variables `HAP__SECTION__KEY` (for example
//!    `HAP__DATABASE__URL` sets `database.url`).
//!
//! After deserialising, [`Validate`] runs so that a bad value stops the service
//! at start with a message that names the key.

use std::fmt;

use config::{Config, Environment, File, FileFormat};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Defaults every service shares; each service's own defaults override them.
pub const KIT_DEFAULTS: &str = r#"
[http]
host = "0.0.0.0"
port = 8080
max_body_bytes = 1048576
shutdown_timeout_seconds = 30

[database]
pool_size = 8
migrate_on_start = true
connect_timeout_seconds = 10

[telemetry]
format = "text"
filter = "info"

[broker]
url = "amqp://guest:guest@127.0.0.1:5672/%2f"

[auth]
roles_claim = "roles"
registries_claim = "registries"
dev_issuer = "hap-dev"
"#;

/// An error in the configuration, naming the key and what is wrong with it.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The sources could not be read or parsed. The message leaves out the
    /// source lines that a parser quotes, which may contain a secret.
    #[error("configuration could not be read: {}", without_source_lines(.0))]
    Load(#[from] config::ConfigError),
    #[error("configuration key `{key}` is invalid: {reason}")]
    Invalid { key: &'static str, reason: String },
}

/// Returns the error text without the lines that quote the source, such as
/// `3 | url = "postgres://..."` and the `|` lines around it in a TOML error.
fn without_source_lines(error: &config::ConfigError) -> String {
    error
        .to_string()
        .lines()
        .filter(|line| {
            let rest = line
                .trim_start()
                .trim_start_matches(|c: char| c.is_ascii_digit());
            !rest.trim_start().starts_with('|')
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Settings checked after loading. Implementations name the offending key.
pub trait Validate {
    fn validate(&self) -> Result<(), SettingsError>;
}

/// Loads settings from the defaults, the optional file and the environment.
pub fn load<T: DeserializeOwned + Validate>(service_defaults: &str) -> Result<T, SettingsError> {
    let mut builder = Config::builder()
        .add_source(File::from_str(KIT_DEFAULTS, FileFormat::Toml))
        .add_source(File::from_str(service_defaults, FileFormat::Toml));
    if let Ok(path) = std::env::var("HAP_CONFIG_FILE") {
        builder = builder.add_source(File::with_name(&path).required(true));
    }
    let builder = builder.add_source(
        Environment::with_prefix("HAP")
            .prefix_separator("__")
            .separator("__")
            .try_parsing(true),
    );
    finish(builder)
}

/// Loads settings from the defaults and explicit overrides only, ignoring the
/// environment; tests use this to start services side by side.
pub fn load_with<T: DeserializeOwned + Validate>(
    service_defaults: &str,
    overrides: &[(&str, String)],
) -> Result<T, SettingsError> {
    let mut builder = Config::builder()
        .add_source(File::from_str(KIT_DEFAULTS, FileFormat::Toml))
        .add_source(File::from_str(service_defaults, FileFormat::Toml));
    for (key, value) in overrides {
        builder = builder.set_override(*key, typed(value))?;
    }
    finish(builder)
}

/// Reads an override as an integer or a boolean where it is one, else as
/// text, so overrides can fill numeric fields as environment variables do.
fn typed(value: &str) -> config::Value {
    if let Ok(integer) = value.parse::<i64>() {
        integer.into()
    } else if let Ok(boolean) = value.parse::<bool>() {
        boolean.into()
    } else {
        value.into()
    }
}

fn finish<T: DeserializeOwned + Validate>(
    builder: config::ConfigBuilder<config::builder::DefaultState>,
) -> Result<T, SettingsError> {
    let settings: T = builder.build()?.try_deserialize()?;
    settings.validate()?;
    Ok(settings)
}

/// A configuration value that must never be printed: URLs with passwords,
/// keys, signing secrets. `Debug` and `Display` show `[redacted]`.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// Returns the secret value. Call sites are the only places it is read.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Decodes a key given as hex, naming the key on error.
pub fn decode_hex_key(key: &'static str, secret: &Secret) -> Result<Vec<u8>, SettingsError> {
    let text = secret.expose().trim();
    let bytes = data_encoding::HEXLOWER_PERMISSIVE
        .decode(text.as_bytes())
        .map_err(|_| SettingsError::Invalid {
            key,
            reason: "expected hexadecimal digits (for example from `openssl rand -hex 32`)".into(),
        })?;
    if bytes.len() < 32 {
        return Err(SettingsError::Invalid {
            key,
            reason: format!(
                "the key is {} bytes; use at least 32 random bytes (64 hex digits)",
                bytes.len()
            ),
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Sample {
        http: crate::http::HttpSettings,
        token: Secret,
    }

    impl Validate for Sample {
        fn validate(&self) -> Result<(), SettingsError> {
            if self.http.port == 1 {
                return Err(SettingsError::Invalid {
                    key: "http.port",
                    reason: "port 1 is reserved".into(),
                });
            }
            Ok(())
        }
    }

    #[test]
    fn overrides_replace_defaults() {
        let sample: Sample =
            load_with("token = \"x\"", &[("http.port", "9000".to_string())]).unwrap();
        assert_eq!(sample.http.port, 9000);
        assert_eq!(sample.http.host, "0.0.0.0");
    }

    #[test]
    fn numeric_override_fills_integer_field() {
        #[derive(Debug, Deserialize)]
        struct Pool {
            database: Sizes,
        }
        #[derive(Debug, Deserialize)]
        struct Sizes {
            pool_size: u32,
        }
        impl Validate for Pool {
            fn validate(&self) -> Result<(), SettingsError> {
                Ok(())
            }
        }
        let pool: Pool = load_with("", &[("database.pool_size", "4".to_string())]).unwrap();
        assert_eq!(pool.database.pool_size, 4);
    }

    #[test]
    fn secret_debug_is_redacted() {
        let sample: Sample = load_with("token = \"hunter2\"", &[]).unwrap();
        assert_eq!(sample.token.expose(), "hunter2");
        assert!(!format!("{sample:?}").contains("hunter2"));
    }

    #[test]
    fn invalid_value_names_key() {
        let error =
            load_with::<Sample>("token = \"x\"", &[("http.port", "1".to_string())]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "configuration key `http.port` is invalid: port 1 is reserved"
        );
    }

    #[test]
    fn wrong_type_names_key() {
        let error =
            load_with::<Sample>("token = \"x\"", &[("http.port", "many".to_string())]).unwrap_err();
        assert!(error.to_string().contains("http.port"), "{error}");
    }

    #[test]
    fn file_syntax_error_quotes_no_line() {
        let error = load_with::<Sample>("token = \"hunter2\nport = 1", &[])
            .expect_err("an unclosed string");
        let message = error.to_string();
        assert!(!message.contains("hunter2"), "{message}");
        assert!(message.contains("line 1"), "{message}");
    }

    #[test]
    fn short_hex_key_rejected() {
        let error = decode_hex_key("linkage.master_key", &Secret::new("abcd")).unwrap_err();
        assert!(error.to_string().contains("linkage.master_key"));
    }
}
