#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Publishing and the readiness check against the real RabbitMQ.

mod support;

use hap_messaging::topology::{declare_consumer, exchange_name};
use hap_messaging::{
    BindingKey, Broker, BrokerSettings, ConsumerName, Envelope, PublishError, Publisher,
};
use hap_testkit::TestBroker;
use lapin::ExchangeKind;
use lapin::options::{
    ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString};
use support::{inspector, order_placed, take_within};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_sets_amqp_properties() {
    let test_broker = TestBroker::create();
    let broker = Broker::new(test_broker.settings()).unwrap();
    let queue = declare_consumer(
        &broker,
        &ConsumerName::new("observer").unwrap(),
        &[BindingKey::new("order.*").unwrap()],
    )
    .await
    .unwrap()
    .queue;

    let envelope = order_placed();
    Publisher::new(broker.clone())
        .publish(&envelope)
        .await
        .unwrap();

    let (_connection, channel) = inspector(test_broker.url()).await;
    let (body, properties) = take_within(&channel, &queue).await;
    assert_eq!(Envelope::from_json(&body).unwrap(), envelope);
    assert_eq!(*properties.delivery_mode(), Some(2));
    assert_eq!(
        properties.content_type().as_ref().map(|v| v.as_str()),
        Some("application/json")
    );
    assert_eq!(
        properties.message_id().as_ref().map(|v| v.to_string()),
        Some(envelope.id().to_string())
    );
    assert_eq!(
        properties.kind().as_ref().map(|v| v.as_str()),
        Some("order.placed")
    );
    assert_eq!(
        properties.correlation_id().as_ref().map(|v| v.to_string()),
        Some(envelope.correlation_id().to_string())
    );
    assert_eq!(
        *properties.timestamp(),
        Some(u64::try_from(envelope.occurred_at().timestamp()).unwrap())
    );
    let headers = properties.headers().clone().unwrap_or_default();
    assert!(matches!(
        headers.inner().get("x-hap-schema-version"),
        Some(AMQPValue::LongLongInt(1))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nack_is_an_error() {
    let test_broker = TestBroker::create();
    let broker = Broker::new(test_broker.settings()).unwrap();
    let (_connection, channel) = inspector(test_broker.url()).await;

    // A queue with a maximum length of zero that rejects publishes makes the
    // broker send basic.nack.
    let exchange = exchange_name(test_broker.namespace());
    let full_queue = format!("{}.full", test_broker.namespace());
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
        .unwrap();
    let mut arguments = FieldTable::default();
    arguments.insert("x-max-length".into(), AMQPValue::LongLongInt(0));
    arguments.insert(
        "x-overflow".into(),
        AMQPValue::LongString(LongString::from("reject-publish")),
    );
    channel
        .queue_declare(
            full_queue.as_str().into(),
            QueueDeclareOptions::default(),
            arguments,
        )
        .await
        .unwrap();
    channel
        .queue_bind(
            full_queue.as_str().into(),
            exchange.as_str().into(),
            "order.*".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();

    let envelope = order_placed();
    let result = Publisher::new(broker.clone()).publish(&envelope).await;

    channel
        .queue_delete(full_queue.as_str().into(), QueueDeleteOptions::default())
        .await
        .unwrap();
    match result {
        Err(PublishError::Nacked {
            message_id,
            message_type,
        }) => {
            assert_eq!(message_id, envelope.id().to_string());
            assert_eq!(message_type, "order.placed");
        }
        other => panic!("expected a nack, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_succeeds_when_connected() {
    let test_broker = TestBroker::create();
    let broker = Broker::new(test_broker.settings()).unwrap();
    assert!(broker.check().await.is_ok());
    broker.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_fails_without_echoing_password() {
    // A port that was free a moment ago has no listener.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);

    let mut settings = BrokerSettings::new(format!("amqp://hap:sesame@127.0.0.1:{port}/%2f"));
    settings.namespace = "unreachable".to_owned();
    let broker = Broker::new(settings).unwrap();

    let message = broker.check().await.unwrap_err().to_string();
    assert!(
        message.starts_with(&format!(
            "cannot connect to RabbitMQ at amqp://hap:***@127.0.0.1:{port}/%2f"
        )),
        "message: {message}"
    );
    assert!(!message.contains("sesame"));
}
