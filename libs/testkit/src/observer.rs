//! A queue of the test's own on the events exchange, to read what a service
//! emits.

// A test fixture: failing at once with a message is what its callers need.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::Duration;

use futures::StreamExt;
use hap_messaging::Envelope;
use hap_messaging::topology::exchange_name;
use lapin::options::{BasicConsumeOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{Connection, ConnectionProperties, Consumer};
use uuid::Uuid;

/// Maximum wait for one event. The outbox relay polls every 500 ms, so an
/// event normally arrives within a second.
pub const EVENT_WAIT: Duration = Duration::from_secs(30);

/// Every event received on an exclusive queue bound to `{ns}.events`. The
/// server deletes the queue when the connection closes.
pub struct EventObserver {
    _connection: Connection,
    consumer: Consumer,
    received: Vec<Envelope>,
}

impl EventObserver {
    /// Binds a new exclusive queue to the exchange of `namespace` with
    /// `binding_key`. The exchange must exist.
    pub async fn bind(url: &str, namespace: &str, binding_key: &str) -> Self {
        let connection = Connection::connect(url, ConnectionProperties::default())
            .await
            .unwrap();
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
        channel
            .queue_bind(
                queue.name().clone(),
                exchange_name(namespace).as_str().into(),
                binding_key.into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .unwrap();
        let consume = BasicConsumeOptions {
            no_ack: true,
            ..BasicConsumeOptions::default()
        };
        let consumer = channel
            .basic_consume(
                queue.name().clone(),
                "event-observer".into(),
                consume,
                FieldTable::default(),
            )
            .await
            .unwrap();
        EventObserver {
            _connection: connection,
            consumer,
            received: Vec::new(),
        }
    }

    /// Waits for the first event of `message_type` for `application_id` and
    /// returns it. Events received on the way are kept for later calls.
    ///
    /// # Panics
    ///
    /// Panics when none arrives within [`EVENT_WAIT`], listing what arrived.
    pub async fn wait_for(&mut self, message_type: &str, application_id: Uuid) -> Envelope {
        let deadline = tokio::time::Instant::now() + EVENT_WAIT;
        loop {
            if let Some(found) = self
                .received(message_type, application_id)
                .into_iter()
                .next()
            {
                return found.clone();
            }
            if !self.receive_one(deadline).await {
                panic!(
                    "no {message_type} event for application {application_id} within {EVENT_WAIT:?}. Received: {:?}",
                    self.summary()
                );
            }
        }
    }

    /// Waits until an event with each of `message_ids` has arrived.
    ///
    /// # Panics
    ///
    /// Panics when some have not arrived within [`EVENT_WAIT`], listing them.
    pub async fn wait_for_messages(&mut self, message_ids: &[String]) {
        let deadline = tokio::time::Instant::now() + EVENT_WAIT;
        loop {
            let missing: Vec<&String> = message_ids
                .iter()
                .filter(|id| !self.received.iter().any(|e| e.id().to_string() == **id))
                .collect();
            if missing.is_empty() {
                return;
            }
            if !self.receive_one(deadline).await {
                panic!(
                    "messages {missing:?} did not arrive within {EVENT_WAIT:?}. Received: {:?}",
                    self.summary()
                );
            }
        }
    }

    /// Keeps every event that arrives within `duration`.
    pub async fn receive_for(&mut self, duration: Duration) {
        let deadline = tokio::time::Instant::now() + duration;
        while self.receive_one(deadline).await {}
    }

    /// Every event received so far, in arrival order.
    pub fn all(&self) -> &[Envelope] {
        &self.received
    }

    /// Receives one event; returns `false` when none arrived by `deadline`.
    async fn receive_one(&mut self, deadline: tokio::time::Instant) -> bool {
        match tokio::time::timeout_at(deadline, self.consumer.next()).await {
            Ok(Some(Ok(delivery))) => {
                self.received
                    .push(Envelope::from_json(&delivery.data).unwrap());
                true
            }
            Ok(Some(Err(error))) => panic!("the test queue failed: {error}"),
            Ok(None) => panic!("the test queue was cancelled"),
            Err(_) => false,
        }
    }

    fn summary(&self) -> Vec<String> {
        self.received
            .iter()
            .map(|e| {
                format!(
                    "{} {} for {}",
                    e.message_type().as_str(),
                    e.id(),
                    e.correlation_id()
                )
            })
            .collect()
    }

    /// Receives events until none arrives for `idle`, and returns how many
    /// arrived. A test calls it after the events it waits for, to catch
    /// duplicates that arrive later.
    ///
    /// # Panics
    ///
    /// Panics when the test queue fails or is cancelled.
    pub async fn receive_until_idle(&mut self, idle: Duration) -> usize {
        let before = self.received.len();
        while let Ok(next) = tokio::time::timeout(idle, self.consumer.next()).await {
            match next {
                Some(Ok(delivery)) => {
                    self.received
                        .push(Envelope::from_json(&delivery.data).unwrap());
                }
                Some(Err(error)) => panic!("the test queue failed: {error}"),
                None => panic!("the test queue was cancelled"),
            }
        }
        self.received.len() - before
    }

    /// Returns the events of `message_type` for `application_id` received so far.
    pub fn received(&self, message_type: &str, application_id: Uuid) -> Vec<&Envelope> {
        self.received
            .iter()
            .filter(|envelope| {
                envelope.message_type().as_str() == message_type
                    && envelope.correlation_id() == application_id
            })
            .collect()
    }
}
