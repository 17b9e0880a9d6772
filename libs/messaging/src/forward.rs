//! Moving a delivery to a retry queue, the dead-letter queue or back to the
//! input queue, through the default exchange with publisher confirms.

use std::time::SystemTime;

use lapin::message::Delivery;
use lapin::options::BasicPublishOptions;
use lapin::types::AMQPValue;
use lapin::{BasicProperties, Channel};

use crate::dead_letters::DeadReason;
use crate::error::{BrokerError, PublishError};
use crate::headers;
use crate::names::ConsumerName;
use crate::publisher::wait_for_confirm;

/// Sends a message that failed its `failed`-th attempt to `retry_queue`,
/// from where RabbitMQ returns it to the input queue after the delay.
pub(crate) async fn to_retry(
    channel: &Channel,
    retry_queue: &str,
    delivery: &Delivery,
    failed: u32,
    last_error: &str,
) -> Result<(), PublishError> {
    let properties = headers::with_headers(
        delivery.properties.clone(),
        [
            (headers::ATTEMPTS, AMQPValue::LongLongInt(i64::from(failed))),
            (headers::LAST_ERROR, headers::error_text(last_error)),
        ],
    );
    send_to_queue(channel, retry_queue, &delivery.data, properties).await
}

/// Sends a message to the dead-letter queue with headers that record the
/// reason, the number of attempts and the last error.
pub(crate) async fn to_dead(
    channel: &Channel,
    dead_queue: &str,
    consumer: &ConsumerName,
    delivery: &Delivery,
    reason: DeadReason,
    attempts: u32,
    last_error: &str,
) -> Result<(), PublishError> {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0);
    let properties = headers::with_headers(
        delivery.properties.clone(),
        [
            (headers::DEAD_REASON, headers::text(reason.as_str())),
            (
                headers::ATTEMPTS,
                AMQPValue::LongLongInt(i64::from(attempts)),
            ),
            (headers::LAST_ERROR, headers::error_text(last_error)),
            (headers::CONSUMER, headers::text(consumer.as_str())),
            (headers::DEAD_AT, AMQPValue::Timestamp(now)),
        ],
    );
    send_to_queue(channel, dead_queue, &delivery.data, properties).await
}

/// Publishes to `queue` through the default exchange and waits for the
/// confirm. `mandatory` makes a missing queue an error instead of a silent
/// drop.
pub(crate) async fn send_to_queue(
    channel: &Channel,
    queue: &str,
    body: &[u8],
    properties: BasicProperties,
) -> Result<(), PublishError> {
    let message_id = properties
        .message_id()
        .as_ref()
        .map(|id| id.as_str().to_owned())
        .unwrap_or_default();
    let message_type = properties
        .kind()
        .as_ref()
        .map(|kind| kind.as_str().to_owned())
        .unwrap_or_default();

    let confirm = channel
        .basic_publish(
            "".into(),
            queue.into(),
            BasicPublishOptions {
                mandatory: true,
                ..BasicPublishOptions::default()
            },
            body,
            properties,
        )
        .await
        .map_err(BrokerError::amqp(format!("basic.publish to queue {queue}")))?;

    wait_for_confirm(confirm, &message_id, &message_type).await
}
