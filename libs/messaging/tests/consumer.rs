#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Consumers against the real PostgreSQL and RabbitMQ: deduplication,
//! retries, dead-lettering, replay and graceful stop.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use diesel::prelude::*;
use hap_messaging::topology::exchange_name;
use hap_messaging::{
    BindingKey, Broker, Completion, ConsumerMetrics, ConsumerName, Context, DeadReason, Envelope,
    Handler, HandlerError, Publisher, dead_letters, inbox, spawn_consumer,
};
use hap_testkit::TestBroker;
use lapin::BasicProperties;
use lapin::options::BasicPublishOptions;
use support::{
    Recorder, attempts_of, consuming, effect_count, eventually, inbox_count, inspector,
    order_placed, queue_len,
};

fn orders() -> Vec<BindingKey> {
    vec![BindingKey::new("order.*").unwrap()]
}

fn name(consumer: &str) -> ConsumerName {
    ConsumerName::new(consumer).unwrap()
}

/// Settings with retry delays short enough for a test.
fn broker_with_delays(test_broker: &TestBroker, delays_ms: &[u64]) -> Broker {
    let mut settings = test_broker.settings();
    settings.retry_delays = delays_ms
        .iter()
        .map(|ms| Duration::from_millis(*ms))
        .collect();
    Broker::new(settings).unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn redelivered_message_has_one_effect() {
    let test_broker = TestBroker::create();
    let db = support::database();
    let broker = Broker::new(test_broker.settings()).unwrap();
    let (handler, calls) = Recorder::succeeding();
    let consumer = spawn_consumer(
        &broker,
        db.pool(),
        name("orders"),
        orders(),
        handler,
        ConsumerMetrics::new().unwrap(),
    );
    consuming(&consumer).await;

    let publisher = Publisher::new(broker.clone());
    let duplicate = order_placed();
    let sentinel = order_placed();
    publisher.publish(&duplicate).await.unwrap();
    publisher.publish(&duplicate).await.unwrap();
    publisher.publish(&sentinel).await.unwrap();

    let pool = db.pool();
    eventually("the sentinel's effect", || async {
        effect_count(&pool, sentinel.id()) == 1
    })
    .await;
    assert_eq!(effect_count(&pool, duplicate.id()), 1);
    assert_eq!(inbox_count(&pool, duplicate.id()), 1);
    assert_eq!(attempts_of(&calls, duplicate.id()), vec![1]);
    consumer.stop().await;
}

/// Returns `Ok` without calling `complete`.
struct Silent(Arc<std::sync::Mutex<u32>>);

impl Handler for Silent {
    fn handle(&self, _ctx: &mut Context<'_>, _envelope: &Envelope) -> Result<(), HandlerError> {
        *self.0.lock().unwrap() += 1;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handler_without_complete_is_recorded_in_inbox() {
    let test_broker = TestBroker::create();
    let db = support::database();
    let broker = Broker::new(test_broker.settings()).unwrap();
    let calls = Arc::new(std::sync::Mutex::new(0));
    let consumer = spawn_consumer(
        &broker,
        db.pool(),
        name("silent"),
        orders(),
        Silent(Arc::clone(&calls)),
        ConsumerMetrics::new().unwrap(),
    );
    consuming(&consumer).await;

    let publisher = Publisher::new(broker.clone());
    let envelope = order_placed();
    publisher.publish(&envelope).await.unwrap();
    publisher.publish(&envelope).await.unwrap();

    let pool = db.pool();
    let (_connection, channel) = inspector(test_broker.url()).await;
    let queue = format!("{}.silent", test_broker.namespace());
    eventually("both deliveries to be acknowledged", || async {
        inbox_count(&pool, envelope.id()) == 1 && queue_len(&channel, &queue).await == 0
    })
    .await;
    consumer.stop().await;
    assert_eq!(*calls.lock().unwrap(), 1);
}

/// Writes the inbox row through a second connection before `complete`, as
/// a replica handling the same message at the same time would.
struct RacedByReplica {
    pool: hap_messaging::PgPool,
    completion: Arc<std::sync::Mutex<Option<Completion>>>,
}

impl Handler for RacedByReplica {
    fn handle(&self, ctx: &mut Context<'_>, envelope: &Envelope) -> Result<(), HandlerError> {
        let mut other = self.pool.get().unwrap();
        diesel::insert_into(hap_messaging::schema::inbox::table)
            .values((
                hap_messaging::schema::inbox::consumer.eq(ctx.consumer().as_str()),
                hap_messaging::schema::inbox::message_id.eq(envelope.id().as_uuid()),
                hap_messaging::schema::inbox::message_type.eq(envelope.message_type().as_str()),
            ))
            .execute(&mut **other)
            .unwrap();

        let message_id = envelope.id().as_uuid();
        let completion = ctx.complete(|conn| {
            diesel::insert_into(support::effects::table)
                .values((
                    support::effects::message_id.eq(message_id),
                    support::effects::attempt.eq(1),
                ))
                .execute(conn)?;
            Ok(())
        })?;
        *self.completion.lock().unwrap() = Some(completion);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inbox_conflict_in_complete_counts_as_processed() {
    let test_broker = TestBroker::create();
    let db = support::database();
    let broker = Broker::new(test_broker.settings()).unwrap();
    let completion = Arc::new(std::sync::Mutex::new(None));
    let handler = RacedByReplica {
        pool: db.pool(),
        completion: Arc::clone(&completion),
    };
    let consumer = spawn_consumer(
        &broker,
        db.pool(),
        name("raced"),
        orders(),
        handler,
        ConsumerMetrics::new().unwrap(),
    );
    consuming(&consumer).await;

    let envelope = order_placed();
    Publisher::new(broker.clone())
        .publish(&envelope)
        .await
        .unwrap();

    let (_connection, channel) = inspector(test_broker.url()).await;
    let queue = format!("{}.raced", test_broker.namespace());
    eventually("the handler to finish", || async {
        completion.lock().unwrap().is_some()
    })
    .await;
    eventually("the message to be acknowledged", || async {
        queue_len(&channel, &queue).await == 0
    })
    .await;
    consumer.stop().await;

    assert_eq!(
        *completion.lock().unwrap(),
        Some(Completion::AlreadyProcessed)
    );
    assert_eq!(effect_count(&db.pool(), envelope.id()), 0);
    assert_eq!(queue_len(&channel, &format!("{queue}.dead")).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failure_is_retried_then_succeeds() {
    let test_broker = TestBroker::create();
    let db = support::database();
    let broker = broker_with_delays(&test_broker, &[200, 400]);
    // The first attempt fails inside `complete`, after the inbox insert, so
    // this also shows that the inbox row rolls back with the effect.
    let failed_once = Arc::new(AtomicBool::new(false));
    let (handler, calls) = Recorder::new(Box::new(|_, _| Ok(())));
    let handler = FailFirstComplete {
        inner: handler,
        failed_once: Arc::clone(&failed_once),
    };
    let consumer = spawn_consumer(
        &broker,
        db.pool(),
        name("retrying"),
        orders(),
        handler,
        ConsumerMetrics::new().unwrap(),
    );
    consuming(&consumer).await;

    let envelope = order_placed();
    Publisher::new(broker.clone())
        .publish(&envelope)
        .await
        .unwrap();

    let pool = db.pool();
    eventually("the effect after one retry", || async {
        effect_count(&pool, envelope.id()) == 1
    })
    .await;
    consumer.stop().await;

    assert!(failed_once.load(Ordering::SeqCst));
    assert_eq!(attempts_of(&calls, envelope.id()), vec![1, 2]);
    assert_eq!(inbox_count(&pool, envelope.id()), 1);
    let dead = dead_letters::list(&broker, &name("retrying"), 10)
        .await
        .unwrap();
    assert!(dead.is_empty());
}

/// Fails the first `complete` after the inbox row is written.
struct FailFirstComplete {
    inner: Recorder,
    failed_once: Arc<AtomicBool>,
}

impl Handler for FailFirstComplete {
    fn handle(&self, ctx: &mut Context<'_>, envelope: &Envelope) -> Result<(), HandlerError> {
        if !self.failed_once.swap(true, Ordering::SeqCst) {
            self.inner
                .calls
                .lock()
                .unwrap()
                .push((envelope.id(), ctx.attempt()));
            ctx.complete(|_conn| {
                Err(HandlerError::transient(anyhow::anyhow!(
                    "lock timeout while writing the order"
                )))
            })?;
            unreachable!("complete returned Ok for a failing effect");
        }
        self.inner.handle(ctx, envelope)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_message_is_dead_lettered_and_replayed() {
    let test_broker = TestBroker::create();
    let db = support::database();
    let broker = broker_with_delays(&test_broker, &[100, 200]);
    let healthy = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&healthy);
    let (handler, calls) = Recorder::new(Box::new(move |_, _| {
        if flag.load(Ordering::SeqCst) {
            Ok(())
        } else {
            Err(HandlerError::transient(anyhow::anyhow!(
                "registry service unavailable"
            )))
        }
    }));
    let consumer = spawn_consumer(
        &broker,
        db.pool(),
        name("failing"),
        orders(),
        handler,
        ConsumerMetrics::new().unwrap(),
    );
    consuming(&consumer).await;

    let envelope = order_placed();
    Publisher::new(broker.clone())
        .publish(&envelope)
        .await
        .unwrap();

    let failing = name("failing");
    eventually("the dead letter", || async {
        dead_letters::list(&broker, &failing, 10)
            .await
            .unwrap()
            .len()
            == 1
    })
    .await;
    let dead = dead_letters::list(&broker, &failing, 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    let letter = &dead[0];
    assert_eq!(letter.message_id, Some(envelope.id().to_string()));
    assert_eq!(letter.message_type.as_deref(), Some("order.placed"));
    assert_eq!(letter.reason, Some(DeadReason::RetriesExhausted));
    assert_eq!(letter.attempts, 3);
    let last_error = letter.last_error.clone().unwrap_or_default();
    assert!(
        last_error.contains("registry service unavailable"),
        "last error: {last_error}"
    );
    assert!(letter.dead_at.is_some());
    assert_eq!(letter.envelope().unwrap(), envelope);
    assert_eq!(attempts_of(&calls, envelope.id()), vec![1, 2, 3]);
    assert_eq!(effect_count(&db.pool(), envelope.id()), 0);

    healthy.store(true, Ordering::SeqCst);
    let replayed = dead_letters::replay(&broker, &failing, 10).await.unwrap();
    assert_eq!(replayed, 1);

    let pool = db.pool();
    eventually("the effect after replay", || async {
        effect_count(&pool, envelope.id()) == 1
    })
    .await;
    consumer.stop().await;
    assert_eq!(attempts_of(&calls, envelope.id()), vec![1, 2, 3, 1]);
    let remaining = dead_letters::list(&broker, &failing, 10).await.unwrap();
    assert!(remaining.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permanent_failure_is_dead_lettered_at_once() {
    let test_broker = TestBroker::create();
    let db = support::database();
    let broker = broker_with_delays(&test_broker, &[100, 200]);
    let (handler, calls) = Recorder::new(Box::new(|_, _| {
        Err(HandlerError::permanent(
            "order 7 references unknown registry 14039012345",
        ))
    }));
    let consumer = spawn_consumer(
        &broker,
        db.pool(),
        name("strict"),
        orders(),
        handler,
        ConsumerMetrics::new().unwrap(),
    );
    consuming(&consumer).await;

    let envelope = order_placed();
    Publisher::new(broker.clone())
        .publish(&envelope)
        .await
        .unwrap();

    let strict = name("strict");
    eventually("the dead letter", || async {
        !dead_letters::list(&broker, &strict, 10)
            .await
            .unwrap()
            .is_empty()
    })
    .await;
    consumer.stop().await;

    let dead = dead_letters::list(&broker, &strict, 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].reason, Some(DeadReason::Permanent));
    assert_eq!(dead[0].attempts, 1);
    assert_eq!(
        dead[0].last_error.as_deref(),
        Some("order 7 references unknown registry <11 digits>")
    );
    assert_eq!(attempts_of(&calls, envelope.id()), vec![1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_body_is_dead_lettered_without_handler() {
    let test_broker = TestBroker::create();
    let db = support::database();
    let broker = Broker::new(test_broker.settings()).unwrap();
    let (handler, calls) = Recorder::succeeding();
    let consumer = spawn_consumer(
        &broker,
        db.pool(),
        name("parsing"),
        orders(),
        handler,
        ConsumerMetrics::new().unwrap(),
    );
    consuming(&consumer).await;

    let (_connection, channel) = inspector(test_broker.url()).await;
    channel
        .basic_publish(
            exchange_name(test_broker.namespace()).as_str().into(),
            "order.placed".into(),
            BasicPublishOptions::default(),
            br#"{"id": "not an envelope", "ssn": "14039012345"}"#,
            BasicProperties::default(),
        )
        .await
        .unwrap()
        .await
        .unwrap();

    let parsing = name("parsing");
    eventually("the dead letter", || async {
        !dead_letters::list(&broker, &parsing, 10)
            .await
            .unwrap()
            .is_empty()
    })
    .await;
    consumer.stop().await;

    let dead = dead_letters::list(&broker, &parsing, 10).await.unwrap();
    assert_eq!(dead[0].reason, Some(DeadReason::InvalidEnvelope));
    assert_eq!(dead[0].attempts, 1);
    let last_error = dead[0].last_error.clone().unwrap_or_default();
    assert!(last_error.starts_with("message body is not a valid envelope"));
    assert!(!last_error.contains("14039012345"));
    assert!(calls.lock().unwrap().is_empty());
}

/// Sleeps before completing, to be stopped while busy.
struct Slow {
    started: Arc<AtomicBool>,
}

impl Handler for Slow {
    fn handle(&self, ctx: &mut Context<'_>, envelope: &Envelope) -> Result<(), HandlerError> {
        self.started.store(true, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(700));
        let message_id = envelope.id().as_uuid();
        ctx.complete(|conn| {
            diesel::insert_into(support::effects::table)
                .values((
                    support::effects::message_id.eq(message_id),
                    support::effects::attempt.eq(1),
                ))
                .execute(conn)?;
            Ok(())
        })?;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_finishes_the_message_in_hand() {
    let test_broker = TestBroker::create();
    let db = support::database();
    let broker = Broker::new(test_broker.settings()).unwrap();
    let started = Arc::new(AtomicBool::new(false));
    let handler = Slow {
        started: Arc::clone(&started),
    };
    let consumer = spawn_consumer(
        &broker,
        db.pool(),
        name("slow"),
        orders(),
        handler,
        ConsumerMetrics::new().unwrap(),
    );
    consuming(&consumer).await;

    let publisher = Publisher::new(broker.clone());
    let in_hand = order_placed();
    publisher.publish(&in_hand).await.unwrap();
    eventually("the handler to start", || async {
        started.load(Ordering::SeqCst)
    })
    .await;
    consumer.stop().await;

    assert_eq!(effect_count(&db.pool(), in_hand.id()), 1);
    let (_connection, channel) = inspector(test_broker.url()).await;
    let queue = format!("{}.slow", test_broker.namespace());
    assert_eq!(queue_len(&channel, &queue).await, 0);

    let after_stop = order_placed();
    publisher.publish(&after_stop).await.unwrap();
    eventually(
        "the message published after stop to wait in the queue",
        || async { queue_len(&channel, &queue).await == 1 },
    )
    .await;
    assert_eq!(effect_count(&db.pool(), after_stop.id()), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inbox_rows_are_deleted_before_cutoff() {
    let test_broker = TestBroker::create();
    let db = support::database();
    let broker = Broker::new(test_broker.settings()).unwrap();
    let (handler, _calls) = Recorder::succeeding();
    let consumer = spawn_consumer(
        &broker,
        db.pool(),
        name("pruned"),
        orders(),
        handler,
        ConsumerMetrics::new().unwrap(),
    );
    consuming(&consumer).await;

    let envelope = order_placed();
    Publisher::new(broker.clone())
        .publish(&envelope)
        .await
        .unwrap();
    let pool = db.pool();
    eventually("the effect", || async {
        effect_count(&pool, envelope.id()) == 1
    })
    .await;
    consumer.stop().await;

    let mut conn = db.conn();
    let past = chrono::Utc::now() - chrono::Duration::hours(1);
    assert_eq!(inbox::delete_processed_before(&mut conn, past).unwrap(), 0);
    let future = chrono::Utc::now() + chrono::Duration::hours(1);
    assert_eq!(
        inbox::delete_processed_before(&mut conn, future).unwrap(),
        1
    );
    assert_eq!(inbox_count(&pool, envelope.id()), 0);
}
