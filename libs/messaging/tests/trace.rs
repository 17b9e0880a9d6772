#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Trace context propagation through envelopes and AMQP headers.

mod support;

use hap_messaging::topology::declare_consumer;
use hap_messaging::trace::set_parent_from_envelope;
use hap_messaging::{BindingKey, Broker, ConsumerName, Envelope, Publisher};
use hap_testkit::TestBroker;
use lapin::types::AMQPValue;
use opentelemetry::trace::{TraceContextExt, TraceId, TracerProvider as _};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use support::{inspector, take_within};
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::layer::SubscriberExt;
use uuid::Uuid;

/// Runs `test` with an OpenTelemetry layer and the W3C propagator.
fn with_tracing<T>(test: impl FnOnce() -> T) -> T {
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let provider = SdkTracerProvider::builder().build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
    tracing::subscriber::with_default(subscriber, test)
}

fn trace_id(span: &tracing::Span) -> TraceId {
    span.context().span().span_context().trace_id()
}

/// Creates an envelope inside a request span and returns it with the span's
/// trace id.
fn envelope_in_request() -> (Envelope, TraceId) {
    let request = tracing::info_span!("request");
    let _entered = request.enter();
    let envelope = Envelope::new("order.placed", 1, Uuid::now_v7(), &1).unwrap();
    (envelope, trace_id(&request))
}

#[test]
fn envelope_carries_trace_of_current_span() {
    with_tracing(|| {
        let (envelope, trace) = envelope_in_request();
        assert_ne!(trace, TraceId::INVALID);
        let traceparent = envelope.trace().traceparent.clone().unwrap_or_default();
        assert!(
            traceparent.starts_with(&format!("00-{trace}-")),
            "traceparent: {traceparent}"
        );
    });
}

#[test]
fn consumer_span_joins_the_producer_trace() {
    with_tracing(|| {
        let (envelope, trace) = envelope_in_request();
        let consume = tracing::info_span!(parent: None, "consume");
        set_parent_from_envelope(&consume, &envelope);
        assert_eq!(trace_id(&consume), trace);
    });
}

#[test]
fn envelope_without_span_has_no_trace() {
    let envelope = Envelope::new("order.placed", 1, Uuid::now_v7(), &1).unwrap();
    assert_eq!(envelope.trace().traceparent, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_copies_traceparent_into_headers() {
    let (envelope, _trace) = with_tracing(envelope_in_request);
    let traceparent = envelope.trace().traceparent.clone().unwrap();

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
    Publisher::new(broker.clone())
        .publish(&envelope)
        .await
        .unwrap();

    let (_connection, channel) = inspector(test_broker.url()).await;
    let (_body, properties) = take_within(&channel, &queue).await;
    let headers = properties.headers().clone().unwrap_or_default();
    match headers.inner().get("traceparent") {
        Some(AMQPValue::LongString(value)) => {
            assert_eq!(value.to_string(), traceparent);
        }
        other => panic!("expected a traceparent header, got {other:?}"),
    }
}
