//! Operator access to dead-letter queues: list and replay.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use lapin::options::{
    BasicAckOptions, BasicGetOptions, BasicNackOptions, ConfirmSelectOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{Channel, ErrorKind};

use crate::broker::Broker;
use crate::envelope::Envelope;
use crate::error::{BrokerError, EnvelopeError, PublishError};
use crate::forward::send_to_queue;
use crate::headers;
use crate::names::ConsumerName;
use crate::topology::ConsumerQueues;

/// Reason a message was moved to the dead-letter queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadReason {
    /// The handler failed with transient errors on every attempt.
    RetriesExhausted,
    /// The handler returned a permanent error.
    Permanent,
    /// The body is not a JSON envelope, so no handler ran.
    InvalidEnvelope,
}

impl DeadReason {
    /// Header value of the reason.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RetriesExhausted => "retries_exhausted",
            Self::Permanent => "permanent",
            Self::InvalidEnvelope => "invalid_envelope",
        }
    }
}

impl fmt::Display for DeadReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DeadReason {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "retries_exhausted" => Ok(Self::RetriesExhausted),
            "permanent" => Ok(Self::Permanent),
            "invalid_envelope" => Ok(Self::InvalidEnvelope),
            other => Err(format!(
                "unknown dead-letter reason \"{other}\": expected retries_exhausted, permanent or invalid_envelope"
            )),
        }
    }
}

/// One message in a dead-letter queue, as read by [`list`].
#[derive(Debug, Clone, PartialEq)]
pub struct DeadLetter {
    /// `message-id` property.
    pub message_id: Option<String>,
    /// `type` property, the message type.
    pub message_type: Option<String>,
    /// `correlation-id` property, the application id.
    pub correlation_id: Option<String>,
    /// Reason the message is here, or `None` when the header is missing or unknown.
    pub reason: Option<DeadReason>,
    /// Number of handling attempts made.
    pub attempts: u32,
    /// Error text of the last attempt.
    pub last_error: Option<String>,
    /// Time the message was moved here.
    pub dead_at: Option<DateTime<Utc>>,
    /// Message body.
    pub body: Vec<u8>,
}

impl DeadLetter {
    /// Decodes the body as an envelope.
    pub fn envelope(&self) -> Result<Envelope, EnvelopeError> {
        Envelope::from_json(&self.body)
    }
}

/// Reads up to `limit` messages from the dead-letter queue of `consumer`
/// without removing them.
///
/// The messages are returned to the queue in their order. Their
/// `redelivered` flag is set afterwards, which this crate does not read.
pub async fn list(
    broker: &Broker,
    consumer: &ConsumerName,
    limit: usize,
) -> Result<Vec<DeadLetter>, BrokerError> {
    let queues = queues_of(broker, consumer);
    let channel = broker.open_channel().await?;
    ensure_queue_exists(&channel, &queues.dead, consumer).await?;

    let mut letters = Vec::new();
    let mut last_tag = None;
    while letters.len() < limit {
        let Some(message) = get(&channel, &queues.dead).await? else {
            break;
        };
        let delivery = message.delivery;
        last_tag = Some(delivery.delivery_tag);
        letters.push(read_dead_letter(&delivery.properties, delivery.data));
    }

    if let Some(tag) = last_tag {
        channel
            .basic_nack(
                tag,
                BasicNackOptions {
                    multiple: true,
                    requeue: true,
                },
            )
            .await
            .map_err(BrokerError::amqp(format!("basic.nack on {}", queues.dead)))?;
    }
    close(&channel).await;
    Ok(letters)
}

/// Moves up to `limit` messages from the dead-letter queue of `consumer`
/// back to its input queue and returns how many moved.
///
/// The attempt count, the failure headers and RabbitMQ's `x-death` headers
/// are removed, so each replayed message gets the full set of retries again.
/// Each message is removed from the dead-letter queue only after the broker
/// confirms it in the input queue.
pub async fn replay(
    broker: &Broker,
    consumer: &ConsumerName,
    limit: usize,
) -> Result<usize, PublishError> {
    let queues = queues_of(broker, consumer);
    let channel = broker.open_channel().await?;
    ensure_queue_exists(&channel, &queues.dead, consumer).await?;
    ensure_queue_exists(&channel, &queues.queue, consumer).await?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .map_err(BrokerError::amqp("confirm.select"))?;

    let mut replayed = 0;
    while replayed < limit {
        let Some(message) = get(&channel, &queues.dead).await? else {
            break;
        };
        let delivery = message.delivery;
        let properties =
            headers::without_headers(delivery.properties.clone(), &headers::RESET_ON_REPLAY);
        send_to_queue(&channel, &queues.queue, &delivery.data, properties).await?;
        delivery
            .acker
            .ack(BasicAckOptions::default())
            .await
            .map_err(BrokerError::amqp(format!("basic.ack on {}", queues.dead)))?;

        tracing::info!(
            consumer = %consumer,
            message_id = delivery.properties.message_id().as_ref().map(|id| id.as_str()).unwrap_or(""),
            "replayed dead-lettered message"
        );
        replayed += 1;
    }
    close(&channel).await;
    Ok(replayed)
}

fn queues_of(broker: &Broker, consumer: &ConsumerName) -> ConsumerQueues {
    let settings = broker.settings();
    ConsumerQueues::new(&settings.namespace, consumer, settings.retry_delays.len())
}

/// Checks with a passive declare that `queue` exists.
async fn ensure_queue_exists(
    channel: &Channel,
    queue: &str,
    consumer: &ConsumerName,
) -> Result<(), BrokerError> {
    let passive = QueueDeclareOptions {
        passive: true,
        ..QueueDeclareOptions::default()
    };
    match channel
        .queue_declare(queue.into(), passive, FieldTable::default())
        .await
    {
        Ok(_) => Ok(()),
        Err(error) if is_not_found(&error) => Err(BrokerError::QueueNotFound {
            queue: queue.to_owned(),
            consumer: consumer.to_string(),
        }),
        Err(error) => Err(BrokerError::amqp(format!("queue.declare passive {queue}"))(
            error,
        )),
    }
}

fn is_not_found(error: &lapin::Error) -> bool {
    matches!(error.kind(), ErrorKind::ProtocolError(amqp) if amqp.get_id() == 404)
}

async fn get(
    channel: &Channel,
    queue: &str,
) -> Result<Option<lapin::message::BasicGetMessage>, BrokerError> {
    channel
        .basic_get(queue.into(), BasicGetOptions { no_ack: false })
        .await
        .map_err(BrokerError::amqp(format!("basic.get on {queue}")))
}

async fn close(channel: &Channel) {
    if let Err(error) = channel.close(200, "done".into()).await {
        tracing::debug!(%error, "closing the dead-letter channel failed");
    }
}

fn read_dead_letter(properties: &lapin::BasicProperties, body: Vec<u8>) -> DeadLetter {
    let short = |value: &Option<lapin::types::ShortString>| {
        value.as_ref().map(|text| text.as_str().to_owned())
    };
    DeadLetter {
        message_id: short(properties.message_id()),
        message_type: short(properties.kind()),
        correlation_id: short(properties.correlation_id()),
        reason: headers::get_string(properties, headers::DEAD_REASON)
            .and_then(|reason| reason.parse().ok()),
        attempts: headers::get_u32(properties, headers::ATTEMPTS).unwrap_or(0),
        last_error: headers::get_string(properties, headers::LAST_ERROR),
        dead_at: headers::get_timestamp(properties, headers::DEAD_AT)
            .and_then(|seconds| i64::try_from(seconds).ok())
            .and_then(|seconds| DateTime::from_timestamp(seconds, 0)),
        body,
    }
}
