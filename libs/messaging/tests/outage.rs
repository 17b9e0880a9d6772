#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Broker outages, simulated by a TCP proxy in front of the shared RabbitMQ.

mod support;

use std::time::Duration;

use diesel::prelude::*;
use hap_messaging::topology::declare_consumer;
use hap_messaging::{
    BindingKey, Broker, ConsumerMetrics, ConsumerName, Envelope, Publisher, Relay, outbox,
    spawn_consumer,
};
use hap_testkit::TestBroker;
use support::proxy::Proxy;
use support::{
    Recorder, consuming, effect_count, eventually, inspector, order_placed, take_within,
};

fn through(proxy: &Proxy, test_broker: &TestBroker) -> Broker {
    let mut settings = test_broker.settings();
    settings.url = proxy.url().to_owned();
    Broker::new(settings).unwrap()
}

fn unpublished(db: &hap_testkit::TestDatabase) -> i64 {
    outbox::count_unpublished(&mut db.conn()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_publishes_once_broker_is_reachable() {
    let test_broker = TestBroker::create();
    let db = support::database();
    let direct = Broker::new(test_broker.settings()).unwrap();
    let queue = declare_consumer(
        &direct,
        &ConsumerName::new("observer").unwrap(),
        &[BindingKey::new("order.*").unwrap()],
    )
    .await
    .unwrap()
    .queue;
    let (_connection, channel) = inspector(test_broker.url()).await;

    let proxy = Proxy::start(test_broker.url()).await;
    let relay = Relay::start(db.pool(), Publisher::new(through(&proxy, &test_broker)));

    // The broker is unreachable when the event is enqueued.
    let first = order_placed();
    db.conn()
        .transaction(|tx| outbox::enqueue(tx, &first))
        .unwrap();
    relay.notifier().notify();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(unpublished(&db), 1);

    proxy.forward();
    let (body, _properties) = take_within(&channel, &queue).await;
    assert_eq!(Envelope::from_json(&body).unwrap().id(), first.id());
    eventually("the first row to be marked published", || async {
        unpublished(&db) == 0
    })
    .await;

    // The connection drops while the relay runs.
    proxy.refuse();
    let second = order_placed();
    db.conn()
        .transaction(|tx| outbox::enqueue(tx, &second))
        .unwrap();
    relay.notifier().notify();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(unpublished(&db), 1);

    proxy.forward();
    let (body, _properties) = take_within(&channel, &queue).await;
    assert_eq!(Envelope::from_json(&body).unwrap().id(), second.id());
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consumer_reconnects_after_connection_loss() {
    let test_broker = TestBroker::create();
    let db = support::database();
    let proxy = Proxy::start(test_broker.url()).await;
    proxy.forward();
    let broker = through(&proxy, &test_broker);
    let (handler, _calls) = Recorder::succeeding();
    let consumer = spawn_consumer(
        &broker,
        db.pool(),
        ConsumerName::new("resilient").unwrap(),
        [BindingKey::new("order.*").unwrap()],
        handler,
        ConsumerMetrics::new().unwrap(),
    );
    consuming(&consumer).await;

    proxy.refuse();
    eventually("the consumer to notice the lost connection", || async {
        consumer.state() != hap_messaging::ConsumerState::Consuming
    })
    .await;
    proxy.forward();
    consuming(&consumer).await;

    let envelope = order_placed();
    let direct = Broker::new(test_broker.settings()).unwrap();
    Publisher::new(direct).publish(&envelope).await.unwrap();
    let pool = db.pool();
    eventually("the effect after reconnecting", || async {
        effect_count(&pool, envelope.id()) == 1
    })
    .await;
    consumer.stop().await;
}
