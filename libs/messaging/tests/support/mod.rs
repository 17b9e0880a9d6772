//! Helpers shared by the integration tests. Each test binary uses a subset.
#![allow(dead_code)]

pub mod proxy;

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use hap_messaging::{
    ConsumerHandle, Context, Envelope, Handler, HandlerError, MIGRATIONS, MessageId, PgPool,
};
use hap_testkit::TestDatabase;
use lapin::options::{BasicGetOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};
use uuid::Uuid;

/// The `effects` table that test handlers write.
pub const TEST_MIGRATIONS: EmbeddedMigrations = embed_migrations!("tests/migrations");

diesel::table! {
    effects (id) {
        id -> Int8,
        message_id -> Uuid,
        attempt -> Int4,
    }
}

/// Maximum wait for something asynchronous to happen in a test.
pub const WAIT: Duration = Duration::from_secs(20);

/// Database with the messaging tables and the `effects` table.
pub fn database() -> TestDatabase {
    TestDatabase::create(&[&MIGRATIONS, &TEST_MIGRATIONS])
}

/// Polls `check` every 50 ms until it returns true.
///
/// # Panics
///
/// Panics naming `what` when [`WAIT`] passes first.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + WAIT;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until `consumer` receives deliveries.
pub async fn consuming(consumer: &ConsumerHandle) {
    let ready = tokio::time::timeout(WAIT, consumer.wait_until_consuming()).await;
    assert_eq!(
        ready,
        Ok(true),
        "consumer {} did not start",
        consumer.name()
    );
}

/// Opens a connection of the test's own for inspecting queues.
pub async fn inspector(url: &str) -> (Connection, Channel) {
    let connection = Connection::connect(url, ConnectionProperties::default())
        .await
        .unwrap();
    let channel = connection.create_channel().await.unwrap();
    (connection, channel)
}

/// Removes and returns the next message of `queue`.
pub async fn take(channel: &Channel, queue: &str) -> Option<(Vec<u8>, BasicProperties)> {
    let message = channel
        .basic_get(queue.into(), BasicGetOptions { no_ack: true })
        .await
        .unwrap()?;
    Some((message.delivery.data, message.delivery.properties))
}

/// Waits for the next message of `queue` and removes it.
///
/// # Panics
///
/// Panics when none arrives within [`WAIT`].
pub async fn take_within(channel: &Channel, queue: &str) -> (Vec<u8>, BasicProperties) {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(message) = take(channel, queue).await {
            return message;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for a message in {queue}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Number of ready messages in `queue`.
pub async fn queue_len(channel: &Channel, queue: &str) -> u32 {
    let passive = QueueDeclareOptions {
        passive: true,
        ..QueueDeclareOptions::default()
    };
    channel
        .queue_declare(queue.into(), passive, FieldTable::default())
        .await
        .unwrap()
        .message_count()
}

/// Creates an envelope of type `order.placed` with a small payload.
pub fn order_placed() -> Envelope {
    Envelope::new(
        "order.placed",
        1,
        Uuid::now_v7(),
        &serde_json::json!({"order": 7}),
    )
    .unwrap()
}

/// Number of effects written for `message_id`.
pub fn effect_count(pool: &PgPool, message_id: MessageId) -> i64 {
    let mut conn = pool.get().unwrap();
    effects::table
        .filter(effects::message_id.eq(message_id.as_uuid()))
        .count()
        .get_result(&mut **conn)
        .unwrap()
}

/// Number of inbox rows for `message_id`.
pub fn inbox_count(pool: &PgPool, message_id: MessageId) -> i64 {
    use hap_messaging::schema::inbox;
    let mut conn = pool.get().unwrap();
    inbox::table
        .filter(inbox::message_id.eq(message_id.as_uuid()))
        .count()
        .get_result(&mut **conn)
        .unwrap()
}

/// Calls a handler received, as `(message id, attempt)` in order.
pub type Calls = Arc<Mutex<Vec<(MessageId, u32)>>>;

/// Function that decides whether an attempt fails before the effect is written.
pub type Policy = Box<dyn Fn(&Envelope, u32) -> Result<(), HandlerError> + Send + Sync>;

/// Handler that records every call and, unless its policy fails the
/// attempt, writes one `effects` row in `complete`.
pub struct Recorder {
    pub calls: Calls,
    pub policy: Policy,
}

impl Recorder {
    pub fn new(policy: Policy) -> (Self, Calls) {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let recorder = Self {
            calls: Arc::clone(&calls),
            policy,
        };
        (recorder, calls)
    }

    pub fn succeeding() -> (Self, Calls) {
        Self::new(Box::new(|_, _| Ok(())))
    }
}

impl Handler for Recorder {
    fn handle(&self, ctx: &mut Context<'_>, envelope: &Envelope) -> Result<(), HandlerError> {
        let attempt = ctx.attempt();
        self.calls.lock().unwrap().push((envelope.id(), attempt));
        (self.policy)(envelope, attempt)?;

        let message_id = envelope.id().as_uuid();
        ctx.complete(|conn| {
            diesel::insert_into(effects::table)
                .values((
                    effects::message_id.eq(message_id),
                    effects::attempt.eq(i32::try_from(attempt).unwrap()),
                ))
                .execute(conn)?;
            Ok(())
        })?;
        Ok(())
    }
}

/// Calls recorded for `message_id`, as attempt numbers in order.
pub fn attempts_of(calls: &Mutex<Vec<(MessageId, u32)>>, message_id: MessageId) -> Vec<u32> {
    calls
        .lock()
        .unwrap()
        .iter()
        .filter(|(id, _)| *id == message_id)
        .map(|(_, attempt)| *attempt)
        .collect()
}
