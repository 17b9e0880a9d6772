//! Every message of a test's broker namespace, as raw bytes with headers.
//! An exclusive queue bound to `{ns}.events` with `#` copies each event as
//! it is published. [`drain_queues`] takes what waits in the retry and
//! dead-letter queues, which messages reach through the default exchange.

use std::sync::{Arc, Mutex};

use futures::StreamExt;
use hap_messaging::topology::{ConsumerQueues, exchange_name};
use lapin::options::{BasicConsumeOptions, BasicGetOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Connection, ConnectionProperties};

/// One message as the broker delivered it.
#[derive(Clone, Debug)]
pub struct CapturedMessage {
    /// The queue it was taken from, or `{ns}.events` for a published event.
    pub source: String,
    pub routing_key: String,
    /// The `message_id` property, which the services set to the envelope id.
    pub message_id: Option<String>,
    /// Every header as `key=value`, text values as text.
    pub headers: String,
    pub body: Vec<u8>,
}

/// A copy of every event published to the namespace's events exchange.
pub struct MessageCapture {
    _connection: Connection,
    received: Arc<Mutex<Vec<CapturedMessage>>>,
}

impl MessageCapture {
    /// Binds an exclusive queue to `{namespace}.events` with `#`. The exchange
    /// must exist, so call this once a service has started.
    pub async fn bind(url: &str, namespace: &str) -> MessageCapture {
        let connection = Connection::connect(url, ConnectionProperties::default())
            .await
            .expect("connecting the message capture to RabbitMQ");

        let channel = connection.create_channel().await.unwrap();
        let options = QueueDeclareOptions {
            exclusive: true,
            auto_delete: true,
            ..QueueDeclareOptions::default()
        };
        let queue = channel
            .queue_declare("".into(), options, FieldTable::default())
            .await
            .unwrap();
        let exchange = exchange_name(namespace);
        channel
            .queue_bind(
                queue.name().clone(),
                exchange.as_str().into(),
                "#".into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .unwrap();

        let consume = BasicConsumeOptions {
            no_ack: true,
            ..BasicConsumeOptions::default()
        };
        let mut consumer = channel
            .basic_consume(
                queue.name().clone(),
                "message-capture".into(),
                consume,
                FieldTable::default(),
            )
            .await
            .unwrap();

        let received = Arc::new(Mutex::new(Vec::new()));
        let sink = received.clone();
        tokio::spawn(async move {
            while let Some(Ok(delivery)) = consumer.next().await {
                let message = captured(
                    &exchange,
                    delivery.routing_key.as_str(),
                    &delivery.properties,
                    delivery.data,
                );
                sink.lock().unwrap().push(message);
            }
        });
        MessageCapture {
            _connection: connection,
            received,
        }
    }

    /// Returns the events received so far.
    pub fn messages(&self) -> Vec<CapturedMessage> {
        self.received.lock().unwrap().clone()
    }
}

/// Takes every message waiting in the retry and dead-letter queues of
/// `consumers`, removing them. Queues that do not exist are skipped.
pub async fn drain_queues(
    url: &str,
    namespace: &str,
    consumers: &[&str],
    retry_count: usize,
) -> Vec<CapturedMessage> {
    let connection = Connection::connect(url, ConnectionProperties::default())
        .await
        .expect("connecting to RabbitMQ to drain queues");
    let mut taken = Vec::new();
    for consumer in consumers {
        let name = hap_messaging::ConsumerName::new(*consumer).expect("a valid consumer name");
        let queues = ConsumerQueues::new(namespace, &name, retry_count);
        for queue in queues.retries.iter().chain([&queues.dead]) {
            // A failed passive declare closes the channel, so each queue
            // gets a channel of its own.
            let channel = connection.create_channel().await.unwrap();
            let passive = QueueDeclareOptions {
                passive: true,
                ..QueueDeclareOptions::default()
            };
            if channel
                .queue_declare(queue.as_str().into(), passive, FieldTable::default())
                .await
                .is_err()
            {
                continue;
            }
            while let Some(message) = channel
                .basic_get(queue.as_str().into(), BasicGetOptions { no_ack: true })
                .await
                .unwrap()
            {
                let delivery = message.delivery;
                taken.push(captured(
                    queue,
                    delivery.routing_key.as_str(),
                    &delivery.properties,
                    delivery.data,
                ));
            }
        }
    }
    let _ = connection.close(200, "drained".into()).await;
    taken
}

fn captured(
    source: &str,
    routing_key: &str,
    properties: &BasicProperties,
    body: Vec<u8>,
) -> CapturedMessage {
    CapturedMessage {
        source: source.to_owned(),
        routing_key: routing_key.to_owned(),
        message_id: properties
            .message_id()
            .as_ref()
            .map(|id| id.as_str().to_owned()),
        headers: properties
            .headers()
            .as_ref()
            .map(table_text)
            .unwrap_or_default(),
        body,
    }
}

fn table_text(table: &FieldTable) -> String {
    table
        .inner()
        .iter()
        .map(|(key, value)| format!("{}={}", key.as_str(), value_text(value)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn value_text(value: &AMQPValue) -> String {
    match value {
        AMQPValue::LongString(text) => String::from_utf8_lossy(text.as_bytes()).into_owned(),
        AMQPValue::ShortString(text) => text.as_str().to_owned(),
        AMQPValue::ByteArray(bytes) => String::from_utf8_lossy(bytes.as_slice()).into_owned(),
        AMQPValue::FieldTable(table) => format!("{{{}}}", table_text(table)),
        AMQPValue::FieldArray(array) => array
            .as_slice()
            .iter()
            .map(value_text)
            .collect::<Vec<_>>()
            .join(","),
        other => format!("{other:?}"),
    }
}
