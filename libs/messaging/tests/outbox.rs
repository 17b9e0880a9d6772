#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The outbox and its relay against the real PostgreSQL and RabbitMQ.

mod support;

use std::time::Duration;

use diesel::prelude::*;
use hap_messaging::schema::outbox as outbox_table;
use hap_messaging::topology::declare_consumer;
use hap_messaging::{
    BindingKey, Broker, ConsumerName, Envelope, Publisher, Relay, RelaySettings, outbox,
};
use hap_testkit::TestBroker;
use support::{eventually, inspector, order_placed, take, take_within};

/// Declares the `observer` queue bound to `order.*` and returns its name.
async fn observer_queue(broker: &Broker) -> String {
    declare_consumer(
        broker,
        &ConsumerName::new("observer").unwrap(),
        &[BindingKey::new("order.*").unwrap()],
    )
    .await
    .unwrap()
    .queue
}

fn enqueue_committed(conn: &mut PgConnection, envelope: &Envelope) {
    conn.transaction(|tx| outbox::enqueue(tx, envelope))
        .unwrap();
}

// A current-thread runtime, as actix-web uses: the relay's blocking thread
// waits for confirms that the runtime's only thread receives.
#[tokio::test(flavor = "current_thread")]
async fn committed_event_is_published() {
    let test_broker = TestBroker::create();
    let db = support::database();
    let broker = Broker::new(test_broker.settings()).unwrap();
    let queue = observer_queue(&broker).await;
    let relay = Relay::start(db.pool(), Publisher::new(broker.clone()));

    let envelope = order_placed();
    enqueue_committed(&mut db.conn(), &envelope);
    relay.notifier().notify();

    let (_connection, channel) = inspector(test_broker.url()).await;
    let (body, _properties) = take_within(&channel, &queue).await;
    assert_eq!(Envelope::from_json(&body).unwrap(), envelope);

    let pool = db.pool();
    eventually("the row to be marked published", || async {
        outbox::count_unpublished(&mut pool.get().unwrap()).unwrap() == 0
    })
    .await;
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolled_back_event_is_never_published() {
    let test_broker = TestBroker::create();
    let db = support::database();
    let broker = Broker::new(test_broker.settings()).unwrap();
    let queue = observer_queue(&broker).await;
    let relay = Relay::start(db.pool(), Publisher::new(broker.clone()));

    let rolled_back = order_placed();
    let result = db.conn().transaction(|tx| {
        outbox::enqueue(tx, &rolled_back)?;
        Err::<(), _>(diesel::result::Error::RollbackTransaction)
    });
    assert!(result.is_err());
    relay.notifier().notify();

    // The relay publishes in order, so once a later committed event arrives
    // the rolled-back one would have arrived before it.
    let committed = order_placed();
    enqueue_committed(&mut db.conn(), &committed);
    relay.notifier().notify();

    let (_connection, channel) = inspector(test_broker.url()).await;
    let (body, _properties) = take_within(&channel, &queue).await;
    relay.stop().await;

    assert_eq!(Envelope::from_json(&body).unwrap().id(), committed.id());
    assert!(take(&channel, &queue).await.is_none());
    let rows: i64 = outbox_table::table
        .filter(outbox_table::message_id.eq(rolled_back.id().as_uuid()))
        .count()
        .get_result(&mut db.conn())
        .unwrap();
    assert_eq!(rows, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_publishes_in_enqueue_order() {
    let test_broker = TestBroker::create();
    let db = support::database();
    let broker = Broker::new(test_broker.settings()).unwrap();
    let queue = observer_queue(&broker).await;

    let envelopes: Vec<Envelope> = (0..7).map(|_| order_placed()).collect();
    db.conn()
        .transaction(|tx| {
            for envelope in &envelopes {
                outbox::enqueue(tx, envelope)?;
            }
            QueryResult::Ok(())
        })
        .unwrap();
    let settings = RelaySettings {
        batch_size: 3,
        ..RelaySettings::default()
    };
    let relay = Relay::start_with(db.pool(), Publisher::new(broker.clone()), settings);

    let (_connection, channel) = inspector(test_broker.url()).await;
    let mut received = Vec::new();
    for _ in 0..7 {
        let (body, _properties) = take_within(&channel, &queue).await;
        received.push(Envelope::from_json(&body).unwrap().id());
    }
    relay.stop().await;

    let expected: Vec<_> = envelopes.iter().map(Envelope::id).collect();
    assert_eq!(received, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_rows_are_deleted_after_retention() {
    let test_broker = TestBroker::create();
    let db = support::database();
    let broker = Broker::new(test_broker.settings()).unwrap();
    observer_queue(&broker).await;
    let settings = RelaySettings {
        retention: Duration::ZERO,
        cleanup_interval: Duration::from_millis(100),
        ..RelaySettings::default()
    };
    let relay = Relay::start_with(db.pool(), Publisher::new(broker.clone()), settings);

    let envelope = order_placed();
    enqueue_committed(&mut db.conn(), &envelope);
    relay.notifier().notify();

    let pool = db.pool();
    eventually("the published row to be deleted", || async {
        let mut conn = pool.get().unwrap();
        outbox_table::table
            .count()
            .get_result::<i64>(&mut **conn)
            .unwrap()
            == 0
    })
    .await;
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unpublished_rows_survive_retention() {
    let db = support::database();
    let envelope = order_placed();
    enqueue_committed(&mut db.conn(), &envelope);

    let future = chrono::Utc::now() + chrono::Duration::hours(1);
    let deleted = outbox::delete_published_before(&mut db.conn(), future).unwrap();
    assert_eq!(deleted, 0);
    assert_eq!(outbox::count_unpublished(&mut db.conn()).unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_relays_publish_each_row_once() {
    let test_broker = TestBroker::create();
    let db = support::database();
    let broker = Broker::new(test_broker.settings()).unwrap();
    let queue = observer_queue(&broker).await;

    let envelopes: Vec<Envelope> = (0..60).map(|_| order_placed()).collect();
    db.conn()
        .transaction(|tx| {
            for envelope in &envelopes {
                outbox::enqueue(tx, envelope)?;
            }
            QueryResult::Ok(())
        })
        .unwrap();
    let settings = RelaySettings {
        batch_size: 5,
        ..RelaySettings::default()
    };
    // Each relay has a connection of its own, as two replicas would.
    let first = Relay::start_with(
        db.pool(),
        Publisher::new(Broker::new(test_broker.settings()).unwrap()),
        settings.clone(),
    );
    let second = Relay::start_with(
        db.pool(),
        Publisher::new(Broker::new(test_broker.settings()).unwrap()),
        settings,
    );

    let (_connection, channel) = inspector(test_broker.url()).await;
    let mut received = Vec::new();
    for _ in 0..60 {
        let (body, _properties) = take_within(&channel, &queue).await;
        received.push(Envelope::from_json(&body).unwrap().id());
    }
    first.stop().await;
    second.stop().await;

    assert!(take(&channel, &queue).await.is_none());
    received.sort();
    let mut expected: Vec<_> = envelopes.iter().map(Envelope::id).collect();
    expected.sort();
    assert_eq!(received, expected);
}
