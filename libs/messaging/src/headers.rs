//! AMQP message headers that this crate reads and writes.

use lapin::BasicProperties;
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};

/// Number of failed handling attempts so far; absent on a first delivery.
pub(crate) const ATTEMPTS: &str = "x-hap-attempts";
/// Error text of the last failed attempt.
pub(crate) const LAST_ERROR: &str = "x-hap-last-error";
/// Reason the message is in the dead-letter queue (see `DeadReason`).
pub(crate) const DEAD_REASON: &str = "x-hap-dead-reason";
/// Time the message was moved to the dead-letter queue, in Unix seconds.
pub(crate) const DEAD_AT: &str = "x-hap-dead-at";
/// Consumer that moved the message to the dead-letter queue.
pub(crate) const CONSUMER: &str = "x-hap-consumer";
/// Schema version of the payload, copied from the envelope.
pub(crate) const SCHEMA_VERSION: &str = "x-hap-schema-version";

/// Headers RabbitMQ adds when it dead-letters a message through a retry
/// queue. Replay removes them together with this crate's failure headers.
pub(crate) const RESET_ON_REPLAY: [&str; 12] = [
    ATTEMPTS,
    LAST_ERROR,
    DEAD_REASON,
    DEAD_AT,
    CONSUMER,
    "x-death",
    "x-first-death-exchange",
    "x-first-death-queue",
    "x-first-death-reason",
    "x-last-death-exchange",
    "x-last-death-queue",
    "x-last-death-reason",
];

/// Maximum length of the error text stored in [`LAST_ERROR`], in characters.
const MAX_ERROR_TEXT: usize = 2000;

/// Reads an integer header, accepting every AMQP integer width.
pub(crate) fn get_u32(properties: &BasicProperties, key: &str) -> Option<u32> {
    let value = properties.headers().as_ref()?.inner().get(key)?;
    let number: i64 = match value {
        AMQPValue::ShortShortInt(v) => i64::from(*v),
        AMQPValue::ShortShortUInt(v) => i64::from(*v),
        AMQPValue::ShortInt(v) => i64::from(*v),
        AMQPValue::ShortUInt(v) => i64::from(*v),
        AMQPValue::LongInt(v) => i64::from(*v),
        AMQPValue::LongUInt(v) => i64::from(*v),
        AMQPValue::LongLongInt(v) => *v,
        AMQPValue::Timestamp(v) => i64::try_from(*v).ok()?,
        _ => return None,
    };
    u32::try_from(number).ok()
}

/// Reads a text header.
pub(crate) fn get_string(properties: &BasicProperties, key: &str) -> Option<String> {
    let value = properties.headers().as_ref()?.inner().get(key)?;
    match value {
        AMQPValue::LongString(text) => Some(String::from_utf8_lossy(text.as_bytes()).into_owned()),
        AMQPValue::ShortString(text) => Some(text.as_str().to_owned()),
        _ => None,
    }
}

/// Reads a timestamp header.
pub(crate) fn get_timestamp(properties: &BasicProperties, key: &str) -> Option<u64> {
    match properties.headers().as_ref()?.inner().get(key)? {
        AMQPValue::Timestamp(seconds) => Some(*seconds),
        _ => None,
    }
}

/// Header value for a text.
pub(crate) fn text(value: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(value))
}

/// Header value for an error text, cut to [`MAX_ERROR_TEXT`] characters.
pub(crate) fn error_text(value: &str) -> AMQPValue {
    let cut: String = value.chars().take(MAX_ERROR_TEXT).collect();
    text(&cut)
}

/// Returns `properties` with `entries` added to its headers, replacing
/// headers of the same name.
pub(crate) fn with_headers(
    properties: BasicProperties,
    entries: impl IntoIterator<Item = (&'static str, AMQPValue)>,
) -> BasicProperties {
    let mut headers = properties.headers().clone().unwrap_or_default();
    for (key, value) in entries {
        headers.insert(ShortString::from(key), value);
    }
    properties.with_headers(headers)
}

/// Returns `properties` without the headers named in `keys`.
pub(crate) fn without_headers(properties: BasicProperties, keys: &[&str]) -> BasicProperties {
    let Some(headers) = properties.headers().clone() else {
        return properties;
    };
    let mut entries = headers.inner().clone();
    entries.retain(|key, _| !keys.contains(&key.as_str()));
    properties.with_headers(FieldTable::from(entries))
}
