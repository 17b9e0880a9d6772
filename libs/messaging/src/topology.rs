//! Exchange and queue names, and their declaration.
//!
//! Every name starts with the namespace `{ns}`:
//!
//! | name | kind | purpose |
//! | --- | --- | --- |
//! | `{ns}.events` | durable topic exchange | every event, routed by message type |
//! | `{ns}.{consumer}` | durable quorum queue | a consumer's input, bound by its binding keys |
//! | `{ns}.{consumer}.retry.{n}` | durable queue, TTL = n-th retry delay | keeps a failed message for the delay, then dead-letters it back to `{ns}.{consumer}` |
//! | `{ns}.{consumer}.dead` | durable queue | messages that failed permanently or exhausted their retries |
//!
//! Declarations are idempotent. Redeclaring a queue with other arguments, such
//! as a changed retry delay, fails with `PRECONDITION_FAILED`; delete that
//! retry queue (it holds only messages waiting for a retry) and restart.
//! Bindings are only added: a binding key removed from a consumer stays bound
//! until it is unbound by hand.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{LazyLock, Mutex, PoisonError};

use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, LongString};
use lapin::{Channel, ExchangeKind};

use crate::broker::Broker;
use crate::error::BrokerError;
use crate::names::{BindingKey, ConsumerName};
use crate::settings::BrokerSettings;

/// Returns the name of the events exchange in `namespace`.
pub fn exchange_name(namespace: &str) -> String {
    format!("{namespace}.events")
}

/// Names of the queues that belong to one consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerQueues {
    /// Input queue, `{ns}.{consumer}`.
    pub queue: String,
    /// Retry queues in order, `{ns}.{consumer}.retry.{n}` for n = 1, 2, …
    pub retries: Vec<String>,
    /// Dead-letter queue, `{ns}.{consumer}.dead`.
    pub dead: String,
}

impl ConsumerQueues {
    /// Derives the queue names of `consumer` with `retry_count` retry queues.
    pub fn new(namespace: &str, consumer: &ConsumerName, retry_count: usize) -> Self {
        let queue = format!("{namespace}.{consumer}");
        let retries = (1..=retry_count)
            .map(|n| format!("{queue}.retry.{n}"))
            .collect();
        let dead = format!("{queue}.dead");
        Self {
            queue,
            retries,
            dead,
        }
    }

    /// Returns the retry queue that takes a message after its `failed`-th
    /// failed attempt (1-based), or `None` when no retry is left.
    pub fn retry_after(&self, failed: u32) -> Option<&str> {
        let index = usize::try_from(failed).ok()?.checked_sub(1)?;
        self.retries.get(index).map(String::as_str)
    }
}

/// Names declared by this process in one namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeclaredNames {
    /// Exchange names.
    pub exchanges: BTreeSet<String>,
    /// Queue names.
    pub queues: BTreeSet<String>,
}

/// Every exchange and queue declared by this process, by namespace. AMQP has
/// no way to list queues, so test fixtures use this to clean up.
static DECLARED: LazyLock<Mutex<BTreeMap<String, DeclaredNames>>> =
    LazyLock::new(|| Mutex::new(BTreeMap::new()));

/// Returns the exchanges and queues that this process has declared in
/// `namespace`.
///
/// Names declared by other processes sharing the namespace are not included.
pub fn declared_in(namespace: &str) -> DeclaredNames {
    let declared = DECLARED.lock().unwrap_or_else(PoisonError::into_inner);
    declared.get(namespace).cloned().unwrap_or_default()
}

fn record(namespace: &str, exchange: Option<&str>, queues: &[&str]) {
    let mut declared = DECLARED.lock().unwrap_or_else(PoisonError::into_inner);
    let names = declared.entry(namespace.to_owned()).or_default();
    if let Some(exchange) = exchange {
        names.exchanges.insert(exchange.to_owned());
    }
    for queue in queues {
        names.queues.insert((*queue).to_owned());
    }
}

/// Declares the durable topic exchange `{ns}.events`.
pub(crate) async fn declare_exchange(
    channel: &Channel,
    namespace: &str,
) -> Result<(), BrokerError> {
    let exchange = exchange_name(namespace);
    record(namespace, Some(&exchange), &[]);
    channel
        .exchange_declare(
            exchange.as_str().into(),
            ExchangeKind::Topic,
            ExchangeDeclareOptions {
                durable: true,
                ..ExchangeDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .map_err(BrokerError::amqp(format!("exchange.declare {exchange}")))
}

/// Declares the exchange and every queue and binding of `consumer` on
/// `channel`.
pub(crate) async fn declare_consumer_on(
    channel: &Channel,
    settings: &BrokerSettings,
    consumer: &ConsumerName,
    bindings: &[BindingKey],
) -> Result<ConsumerQueues, BrokerError> {
    let namespace = settings.namespace.as_str();
    let queues = ConsumerQueues::new(namespace, consumer, settings.retry_delays.len());
    let mut names: Vec<&str> = vec![&queues.queue, &queues.dead];
    names.extend(queues.retries.iter().map(String::as_str));
    record(namespace, None, &names);

    declare_exchange(channel, namespace).await?;

    declare_queue(channel, &queues.dead, classic_arguments()).await?;

    let mut input = FieldTable::default();
    input.insert("x-queue-type".into(), text("quorum"));
    input.insert("x-dead-letter-exchange".into(), text(""));
    input.insert("x-dead-letter-routing-key".into(), text(&queues.dead));
    declare_queue(channel, &queues.queue, input).await?;

    for (retry, delay) in queues.retries.iter().zip(&settings.retry_delays) {
        let ttl = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
        let mut arguments = classic_arguments();
        arguments.insert("x-message-ttl".into(), AMQPValue::LongLongInt(ttl));
        arguments.insert("x-dead-letter-exchange".into(), text(""));
        arguments.insert("x-dead-letter-routing-key".into(), text(&queues.queue));
        declare_queue(channel, retry, arguments).await?;
    }

    let exchange = exchange_name(namespace);
    for binding in bindings {
        channel
            .queue_bind(
                queues.queue.as_str().into(),
                exchange.as_str().into(),
                binding.as_str().into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(BrokerError::amqp(format!(
                "queue.bind {} to {exchange} with {binding}",
                queues.queue
            )))?;
    }
    Ok(queues)
}

/// Declares the exchange and every queue and binding of `consumer`.
///
/// [`spawn_consumer`](crate::spawn_consumer) does this each time it
/// connects; call it directly to create the queues before any consumer runs,
/// so that events published meanwhile are kept.
pub async fn declare_consumer(
    broker: &Broker,
    consumer: &ConsumerName,
    bindings: &[BindingKey],
) -> Result<ConsumerQueues, BrokerError> {
    let channel = broker.open_channel().await?;
    let queues = declare_consumer_on(&channel, broker.settings(), consumer, bindings).await?;
    if let Err(error) = channel.close(200, "declared".into()).await {
        tracing::debug!(%error, "closing the declaration channel failed");
    }
    Ok(queues)
}

async fn declare_queue(
    channel: &Channel,
    name: &str,
    arguments: FieldTable,
) -> Result<(), BrokerError> {
    channel
        .queue_declare(name.into(), QueueDeclareOptions::durable(), arguments)
        .await
        .map(drop)
        .map_err(BrokerError::amqp(format!("queue.declare {name}")))
}

fn classic_arguments() -> FieldTable {
    let mut arguments = FieldTable::default();
    arguments.insert("x-queue-type".into(), text("classic"));
    arguments
}

fn text(value: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consumer_queue_names() {
        let queues = ConsumerQueues::new("hap", &ConsumerName::new("consent").unwrap(), 2);
        assert_eq!(queues.queue, "hap.consent");
        assert_eq!(
            queues.retries,
            vec!["hap.consent.retry.1", "hap.consent.retry.2"]
        );
        assert_eq!(queues.dead, "hap.consent.dead");
    }

    #[test]
    fn retry_after_maps_failures_to_queues() {
        let queues = ConsumerQueues::new("hap", &ConsumerName::new("x").unwrap(), 2);
        assert_eq!(queues.retry_after(0), None);
        assert_eq!(queues.retry_after(1), Some("hap.x.retry.1"));
        assert_eq!(queues.retry_after(2), Some("hap.x.retry.2"));
        assert_eq!(queues.retry_after(3), None);
    }
}
