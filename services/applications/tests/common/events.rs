//! The broker side of the tests: a probe queue that receives what the
//! service publishes, and publishing pipeline events to its consumer.

use std::time::{Duration, Instant};

use hap_applications::NAME;
use hap_applications::consumers::pipeline::ROUTING_KEYS;
use hap_messaging::topology::{declare_consumer, exchange_name};
use hap_messaging::{BindingKey, Broker, ConsumerName, Envelope, Publisher};
use lapin::options::{
    BasicGetOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{Channel, Connection, ConnectionProperties, ExchangeKind};
use serde_json::Value;
use uuid::Uuid;

use super::service::{MESSAGE_TIMEOUT, TestService};

/// An exclusive, server-named queue bound to the namespace's events exchange.
/// RabbitMQ deletes it when the probe's connection closes.
pub struct EventProbe {
    connection: Connection,
    channel: Channel,
    queue: String,
}

impl EventProbe {
    /// Binds a new queue with `binding_key` (such as `application.*`).
    /// Events published before this call are not seen.
    pub async fn bind(service: &TestService, binding_key: &str) -> EventProbe {
        let connection = Connection::connect(service.broker.url(), ConnectionProperties::default())
            .await
            .expect("connecting to RabbitMQ");
        let channel = connection
            .create_channel()
            .await
            .expect("opening a channel");

        // The same declaration as the service's, so whichever runs first
        // creates the exchange and the other finds it unchanged.
        let exchange = exchange_name(service.broker.namespace());
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
            .expect("declaring the events exchange");
        let queue = channel
            .queue_declare(
                "".into(),
                QueueDeclareOptions {
                    exclusive: true,
                    auto_delete: true,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await
            .expect("declaring the probe queue")
            .name()
            .as_str()
            .to_owned();
        channel
            .queue_bind(
                queue.as_str().into(),
                exchange.as_str().into(),
                binding_key.into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .expect("binding the probe queue");

        EventProbe {
            connection,
            channel,
            queue,
        }
    }

    /// Returns the next envelope, as JSON, of `event_type` about application
    /// `id`, skipping other messages.
    ///
    /// # Panics
    ///
    /// Panics when none arrives within [`MESSAGE_TIMEOUT`].
    pub async fn next_event(&self, event_type: &str, id: Uuid) -> Value {
        let deadline = Instant::now() + MESSAGE_TIMEOUT;
        let mut skipped = Vec::new();
        loop {
            let message = self
                .channel
                .basic_get(self.queue.as_str().into(), BasicGetOptions { no_ack: true })
                .await
                .expect("basic.get on the probe queue");
            match message {
                Some(message) => {
                    let envelope: Value =
                        serde_json::from_slice(&message.delivery.data).expect("a JSON envelope");
                    if envelope["type"] == event_type
                        && envelope["correlation_id"] == id.to_string()
                    {
                        return envelope;
                    }
                    skipped.push(envelope["type"].clone());
                }
                None => {
                    assert!(
                        Instant::now() < deadline,
                        "no {event_type} event about {id} within {MESSAGE_TIMEOUT:?}; \
                         other events seen: {skipped:?}"
                    );
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    /// Closes the connection, which deletes the probe queue.
    pub async fn close(self) {
        self.connection
            .close(200, "probe done".into())
            .await
            .expect("closing the probe connection");
    }
}

impl TestService {
    /// Publishes `envelope` to the namespace's events exchange, as another
    /// pipeline service would.
    ///
    /// The service's consumer queue is declared first, because its consumer
    /// starts in the background and a message published before its queue
    /// exists would be routed nowhere.
    pub async fn publish(&self, envelope: &Envelope) {
        let broker = Broker::new(self.broker.settings()).expect("valid broker settings");
        let consumer =
            ConsumerName::new(format!("{NAME}-pipeline")).expect("a valid consumer name");
        let bindings: Vec<BindingKey> = ROUTING_KEYS
            .iter()
            .map(|key| BindingKey::new(*key).expect("a valid binding key"))
            .collect();
        declare_consumer(&broker, &consumer, &bindings)
            .await
            .expect("declaring the pipeline consumer's queues");
        Publisher::new(broker.clone())
            .publish(envelope)
            .await
            .expect("publishing the event");
        broker.close().await;
    }
}
