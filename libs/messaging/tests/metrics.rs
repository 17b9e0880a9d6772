#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Consumer metrics against the real PostgreSQL and RabbitMQ: what a
//! processed, a retried and a dead-lettered message add to the registry.

mod support;

use std::time::Duration;

use hap_messaging::{
    BindingKey, Broker, ConsumerMetrics, ConsumerName, HandlerError, Publisher, spawn_consumer,
};
use hap_testkit::TestBroker;
use prometheus::Registry;
use prometheus::proto::{MetricFamily, MetricType};
use support::{Recorder, consuming, eventually, order_placed};

/// Value of the sample of `family` whose labels include every pair in `labels`.
fn sample(families: &[MetricFamily], family: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let family = families.iter().find(|f| f.name() == family)?;
    family
        .get_metric()
        .iter()
        .find(|metric| {
            labels.iter().all(|(name, value)| {
                metric
                    .get_label()
                    .iter()
                    .any(|label| label.name() == *name && label.value() == *value)
            })
        })
        .map(|metric| match family.get_field_type() {
            MetricType::COUNTER => metric.get_counter().get_value(),
            MetricType::GAUGE => metric.get_gauge().get_value(),
            _ => metric.get_histogram().get_sample_count() as f64,
        })
}

#[tokio::test(flavor = "current_thread")]
async fn outcomes_are_counted_per_consumer() {
    let test_broker = TestBroker::create();
    let db = support::database();
    let mut settings = test_broker.settings();
    settings.retry_delays = vec![Duration::from_millis(50)];
    let broker = Broker::new(settings).unwrap();

    // The first attempt of every message fails transiently; a message whose
    // second attempt also fails permanently ends in the dead-letter queue.
    let doomed = order_placed();
    let doomed_id = doomed.id();
    let (handler, _calls) = Recorder::new(Box::new(move |envelope, attempt| {
        if attempt == 1 {
            Err(HandlerError::transient(anyhow::anyhow!("first attempt")))
        } else if envelope.id() == doomed_id {
            Err(HandlerError::permanent("rejected on the second attempt"))
        } else {
            Ok(())
        }
    }));
    let registry = Registry::new();
    let metrics = ConsumerMetrics::register(&registry).unwrap();
    let consumer_name = ConsumerName::new("counted").unwrap();
    let consumer = spawn_consumer(
        &broker,
        db.pool(),
        consumer_name.clone(),
        vec![BindingKey::new("order.*").unwrap()],
        handler,
        metrics,
    );
    consuming(&consumer).await;

    let publisher = Publisher::new(broker.clone());
    publisher.publish(&order_placed()).await.unwrap();
    publisher.publish(&doomed).await.unwrap();

    let consumer_label = ("consumer", consumer_name.as_str());
    eventually("all four attempts to be settled", || {
        let families = registry.gather();
        async move {
            let settled = sample(&families, "message_handling_duration_seconds", &[]);
            settled == Some(4.0) && sample(&families, "messages_dead_lettered_total", &[]).is_some()
        }
    })
    .await;
    let families = registry.gather();

    assert_eq!(
        sample(&families, "messages_consumed_total", &[consumer_label]),
        Some(4.0),
        "two messages, two attempts each"
    );
    assert_eq!(
        sample(
            &families,
            "messages_failed_total",
            &[consumer_label, ("kind", "transient")]
        ),
        Some(2.0)
    );
    assert_eq!(
        sample(
            &families,
            "messages_failed_total",
            &[consumer_label, ("kind", "permanent")]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(&families, "messages_retried_total", &[consumer_label]),
        Some(2.0)
    );
    assert_eq!(
        sample(
            &families,
            "messages_dead_lettered_total",
            &[consumer_label, ("reason", "permanent")]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &families,
            "message_handling_duration_seconds",
            &[consumer_label]
        ),
        Some(4.0),
        "one observation per attempt"
    );
    let dead_queue = format!("{}.counted.dead", test_broker.settings().namespace);
    assert!(
        sample(&families, "queue_messages", &[("queue", &dead_queue)]).is_some(),
        "the consumer reads its queue depths when it starts"
    );
    consumer.stop().await;
}
