//! Error types at the crate boundary.
//!
//! - [`NameError`]: a namespace, consumer name, message type or binding key
//!   breaks the naming rules.
//! - [`SettingsError`]: [`BrokerSettings`](crate::BrokerSettings) cannot be used.
//! - [`EnvelopeError`]: an envelope cannot be built, encoded or decoded, or
//!   its payload does not match the expected type.
//! - [`BrokerError`]: connecting to RabbitMQ or an AMQP operation failed.
//! - [`PublishError`]: a message was not confirmed by the broker.
//!
//! Handler outcomes use [`HandlerError`](crate::HandlerError), defined beside
//! the [`Handler`](crate::Handler) trait. Outbox functions return diesel's
//! `QueryResult` so that they compose inside the caller's transaction.
//!
//! No message here echoes payload values: decoding errors pass through
//! [`redact_values`](crate::redact::redact_values) first.

use std::time::Duration;

use crate::envelope::MessageId;
use crate::names::MessageType;

/// A name that becomes part of an exchange, queue or routing key is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The name is empty or too long.
    #[error("invalid {kind} \"{value}\": use 1 to {max} bytes")]
    Length {
        kind: &'static str,
        value: String,
        max: usize,
    },
    /// The name contains a character outside `a-z0-9-_`.
    #[error("invalid {kind} \"{value}\": use only lowercase letters a-z, digits, '-' and '_'")]
    Characters { kind: &'static str, value: String },
    /// One dot-separated word of a routing key is empty or invalid.
    #[error("invalid {kind} \"{value}\": word \"{word}\" {}", word_rule(.wildcards))]
    RoutingWord {
        kind: &'static str,
        value: String,
        word: String,
        wildcards: bool,
    },
}

fn word_rule(wildcards: &bool) -> &'static str {
    if *wildcards {
        "must be '*', '#' or a non-empty word of lowercase letters a-z, digits, '-' and '_'"
    } else {
        "must be a non-empty word of lowercase letters a-z, digits, '-' and '_'"
    }
}

/// [`BrokerSettings`](crate::BrokerSettings) that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// The namespace breaks the naming rules.
    #[error(transparent)]
    Namespace(#[from] NameError),
    /// The URL is not an AMQP URI. `url` has its password redacted.
    #[error("invalid broker url {url}: {reason}; expected amqp://user:password@host:port/vhost")]
    Url { url: String, reason: String },
    /// Prefetch 0 would mean no limit in AMQP, which defeats back-pressure.
    #[error("invalid broker prefetch 0: use a value from 1 to 65535")]
    Prefetch,
    /// A retry delay is outside the range RabbitMQ accepts as a queue TTL.
    #[error("invalid broker retry delay #{index} ({delay:?}): use a delay from 1ms to 24h")]
    RetryDelay { index: usize, delay: Duration },
}

/// An envelope cannot be built, encoded or decoded.
#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    /// The message type breaks the naming rules.
    #[error(transparent)]
    MessageType(#[from] NameError),
    /// The payload value cannot be represented as JSON.
    #[error("cannot encode the payload of a {message_type} message as JSON: {detail}")]
    EncodePayload {
        message_type: MessageType,
        detail: String,
    },
    /// The envelope cannot be written as JSON.
    #[error("cannot encode envelope of message {message_id} as JSON: {detail}")]
    Encode {
        message_id: MessageId,
        detail: String,
    },
    /// A message body is not a JSON envelope.
    #[error("message body is not a valid envelope: {detail}")]
    Decode { detail: String },
    /// The payload does not deserialize into the requested type.
    #[error(
        "payload of message {message_id} ({message_type}) does not match {type_name}: {detail}"
    )]
    Payload {
        type_name: &'static str,
        message_id: MessageId,
        message_type: MessageType,
        detail: String,
    },
}

/// Connecting to RabbitMQ or an AMQP operation failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BrokerError {
    /// The connection was refused or the AMQP handshake failed. `url` has its
    /// password redacted.
    #[error("cannot connect to RabbitMQ at {url}: {source}")]
    Connect {
        url: String,
        #[source]
        source: lapin::Error,
    },
    /// The connection did not complete in time.
    #[error("connecting to RabbitMQ at {url} timed out after {timeout:?}")]
    ConnectTimeout { url: String, timeout: Duration },
    /// An AMQP method failed, e.g. because the connection dropped.
    #[error("RabbitMQ operation {operation} failed: {source}")]
    Amqp {
        operation: String,
        #[source]
        source: lapin::Error,
    },
    /// A queue that the operation needs does not exist.
    #[error(
        "queue {queue} not found: start consumer {consumer} once in this namespace so that it declares its queues"
    )]
    QueueNotFound { queue: String, consumer: String },
    /// The broker ended a subscription, e.g. because its queue was deleted.
    #[error(
        "RabbitMQ cancelled the subscription to queue {queue}, e.g. because the queue was deleted; the consumer declares it again and resubscribes"
    )]
    ConsumerCancelled { queue: String },
}

impl BrokerError {
    pub(crate) fn amqp(operation: impl Into<String>) -> impl FnOnce(lapin::Error) -> Self {
        let operation = operation.into();
        move |source| Self::Amqp { operation, source }
    }
}

/// A message was not stored by the broker.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The connection or channel failed.
    #[error(transparent)]
    Broker(#[from] BrokerError),
    /// The envelope could not be encoded.
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    /// The broker sent `basic.nack` for the publish.
    #[error(
        "RabbitMQ refused message {message_id} ({message_type}) with a negative acknowledgement; check the broker log, e.g. for a full queue with x-overflow reject-publish"
    )]
    Nacked {
        message_id: String,
        message_type: String,
    },
    /// The broker returned a mandatory message because no queue matched.
    #[error(
        "RabbitMQ returned message {message_id} ({message_type}) as unroutable: no queue matches its routing key"
    )]
    Unroutable {
        message_id: String,
        message_type: String,
    },
    /// The channel was not in confirm mode, so the broker sent no confirm.
    #[error(
        "message {message_id} was published on a channel without publisher confirms, so whether the broker stored it is unknown"
    )]
    NotConfirmed { message_id: String },
    /// No confirm arrived in time, so the message may or may not be stored.
    #[error(
        "RabbitMQ did not confirm message {message_id} ({message_type}) within {timeout:?}; it may or may not be stored"
    )]
    ConfirmTimeout {
        message_id: String,
        message_type: String,
        timeout: Duration,
    },
}
