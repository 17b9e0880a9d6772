//! Validated names that become parts of AMQP exchange, queue and routing keys.
//!
//! AMQP short strings contain at most 255 bytes, so every part has a length cap
//! that keeps the longest derived name (`{namespace}.{consumer}.retry.{n}`)
//! well inside that limit.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::NameError;

/// Maximum length in bytes of a namespace or a consumer name.
pub const MAX_NAME_PART_LEN: usize = 64;

/// Maximum length in bytes of a message type or a binding key.
pub const MAX_ROUTING_KEY_LEN: usize = 120;

/// Name of one consuming service component, e.g. `consent`.
///
/// It names the consumer's queues (`{namespace}.{consumer}`, its retry and
/// dead-letter queues) and its rows in the `inbox` table. It contains 1 to 64
/// characters from `a-z`, `0-9`, `-` and `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConsumerName(String);

impl ConsumerName {
    /// Parses and validates a consumer name.
    pub fn new(name: impl Into<String>) -> Result<Self, NameError> {
        let name = name.into();
        check_name_part("consumer name", &name)?;
        Ok(Self(name))
    }

    /// Returns the name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ConsumerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ConsumerName {
    type Err = NameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

/// Message type, used as the AMQP routing key, e.g. `application.submitted`.
///
/// Dot-separated words of `a-z`, `0-9`, `-` and `_`, at most 120 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MessageType(String);

impl MessageType {
    /// Parses and validates a message type.
    pub fn new(message_type: impl Into<String>) -> Result<Self, NameError> {
        let message_type = message_type.into();
        check_routing_key("message type", &message_type, false)?;
        Ok(Self(message_type))
    }

    /// Returns the message type as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for MessageType {
    type Error = NameError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<MessageType> for String {
    fn from(value: MessageType) -> Self {
        value.0
    }
}

impl FromStr for MessageType {
    type Err = NameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

/// Topic-exchange binding key that selects message types for a consumer.
///
/// Like a [`MessageType`], but a word may also be `*` (exactly one word) or
/// `#` (zero or more words), e.g. `application.*` or `linkage.#`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BindingKey(String);

impl BindingKey {
    /// Parses and validates a binding key.
    pub fn new(key: impl Into<String>) -> Result<Self, NameError> {
        let key = key.into();
        check_routing_key("binding key", &key, true)?;
        Ok(Self(key))
    }

    /// Returns the binding key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BindingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for BindingKey {
    type Err = NameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
}

/// Checks a namespace or consumer name: 1 to 64 characters of `a-z0-9-_`.
pub(crate) fn check_name_part(kind: &'static str, value: &str) -> Result<(), NameError> {
    if value.is_empty() || value.len() > MAX_NAME_PART_LEN {
        return Err(NameError::Length {
            kind,
            value: value.to_owned(),
            max: MAX_NAME_PART_LEN,
        });
    }
    if !value.chars().all(is_word_char) {
        return Err(NameError::Characters {
            kind,
            value: value.to_owned(),
        });
    }
    Ok(())
}

fn check_routing_key(kind: &'static str, value: &str, wildcards: bool) -> Result<(), NameError> {
    if value.is_empty() || value.len() > MAX_ROUTING_KEY_LEN {
        return Err(NameError::Length {
            kind,
            value: value.to_owned(),
            max: MAX_ROUTING_KEY_LEN,
        });
    }
    for word in value.split('.') {
        let wildcard = wildcards && (word == "*" || word == "#");
        if !wildcard && (word.is_empty() || !word.chars().all(is_word_char)) {
            return Err(NameError::RoutingWord {
                kind,
                value: value.to_owned(),
                word: word.to_owned(),
                wildcards,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consumer_name_accepts_word_characters() {
        assert!(ConsumerName::new("consent-v2_a").is_ok());
    }

    #[test]
    fn consumer_name_rejects_dots_and_capitals() {
        assert!(ConsumerName::new("con.sent").is_err());
        assert!(ConsumerName::new("Consent").is_err());
        assert!(ConsumerName::new("").is_err());
        assert!(ConsumerName::new("x".repeat(65)).is_err());
    }

    #[test]
    fn message_type_rejects_wildcards_and_empty_words() {
        assert!(MessageType::new("application.submitted").is_ok());
        assert!(MessageType::new("application.*").is_err());
        assert!(MessageType::new("application..submitted").is_err());
        assert!(MessageType::new(".submitted").is_err());
    }

    #[test]
    fn binding_key_accepts_wildcards() {
        assert!(BindingKey::new("application.*").is_ok());
        assert!(BindingKey::new("#").is_ok());
        assert!(BindingKey::new("linkage.#").is_ok());
        assert!(BindingKey::new("linkage.**").is_err());
    }

    #[test]
    fn name_error_names_value_and_rule() {
        let error = ConsumerName::new("Bad.Name").err().map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some(
                "invalid consumer name \"Bad.Name\": use only lowercase letters a-z, digits, '-' and '_'"
            )
        );
    }
}
