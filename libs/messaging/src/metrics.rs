//! Prometheus metrics of the consumers: messages consumed, failed, retried
//! and dead-lettered, handling time per message type, and queue depth.
//!
//! Every pipeline step runs as one consumer, so the handling-time histogram
//! of a step's consumer is that step's duration.

use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry};

use crate::dead_letters::DeadReason;
use crate::names::ConsumerName;

/// Buckets of the handling-time histogram, in seconds. Linkage and delivery
/// steps take seconds on national data, so the buckets reach two minutes.
const HANDLING_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
];

/// Metric handles shared by the consumers of one service.
///
/// [`ConsumerMetrics::new`] creates them unregistered, which is what tests
/// and tools without a metrics endpoint need; [`ConsumerMetrics::register`]
/// adds them to the registry that `/metrics` serves.
#[derive(Clone)]
pub struct ConsumerMetrics {
    consumed: IntCounterVec,
    failed: IntCounterVec,
    retried: IntCounterVec,
    dead_lettered: IntCounterVec,
    handling_seconds: HistogramVec,
    queue_messages: IntGaugeVec,
}

impl ConsumerMetrics {
    /// Creates the metrics without registering them.
    pub fn new() -> Result<Self, prometheus::Error> {
        Ok(Self {
            consumed: IntCounterVec::new(
                Opts::new(
                    "messages_consumed_total",
                    "Messages received by a consumer, by message type",
                ),
                &["consumer", "type"],
            )?,
            failed: IntCounterVec::new(
                Opts::new(
                    "messages_failed_total",
                    "Handler failures, by message type and kind (transient or permanent)",
                ),
                &["consumer", "type", "kind"],
            )?,
            retried: IntCounterVec::new(
                Opts::new(
                    "messages_retried_total",
                    "Messages sent to a retry queue after a transient failure",
                ),
                &["consumer", "type"],
            )?,
            dead_lettered: IntCounterVec::new(
                Opts::new(
                    "messages_dead_lettered_total",
                    "Messages moved to the dead-letter queue, by reason",
                ),
                &["consumer", "type", "reason"],
            )?,
            handling_seconds: HistogramVec::new(
                HistogramOpts::new(
                    "message_handling_duration_seconds",
                    "Time from receiving a message to settling it; per consumer, the duration of its pipeline step",
                )
                .buckets(HANDLING_BUCKETS.to_vec()),
                &["consumer", "type"],
            )?,
            queue_messages: IntGaugeVec::new(
                Opts::new(
                    "queue_messages",
                    "Messages ready in a queue, as last read by its consumer",
                ),
                &["queue"],
            )?,
        })
    }

    /// Creates the metrics and registers them with `registry`.
    pub fn register(registry: &Registry) -> Result<Self, prometheus::Error> {
        let metrics = Self::new()?;
        registry.register(Box::new(metrics.consumed.clone()))?;
        registry.register(Box::new(metrics.failed.clone()))?;
        registry.register(Box::new(metrics.retried.clone()))?;
        registry.register(Box::new(metrics.dead_lettered.clone()))?;
        registry.register(Box::new(metrics.handling_seconds.clone()))?;
        registry.register(Box::new(metrics.queue_messages.clone()))?;
        Ok(metrics)
    }

    pub(crate) fn consumed(&self, consumer: &ConsumerName, message_type: &str) {
        self.consumed
            .with_label_values(&[consumer.as_str(), message_type])
            .inc();
    }

    pub(crate) fn failed(&self, consumer: &ConsumerName, message_type: &str, permanent: bool) {
        let kind = if permanent { "permanent" } else { "transient" };
        self.failed
            .with_label_values(&[consumer.as_str(), message_type, kind])
            .inc();
    }

    pub(crate) fn retried(&self, consumer: &ConsumerName, message_type: &str) {
        self.retried
            .with_label_values(&[consumer.as_str(), message_type])
            .inc();
    }

    pub(crate) fn dead_lettered(
        &self,
        consumer: &ConsumerName,
        message_type: &str,
        reason: DeadReason,
    ) {
        self.dead_lettered
            .with_label_values(&[consumer.as_str(), message_type, reason.as_str()])
            .inc();
    }

    pub(crate) fn handled(&self, consumer: &ConsumerName, message_type: &str, seconds: f64) {
        self.handling_seconds
            .with_label_values(&[consumer.as_str(), message_type])
            .observe(seconds);
    }

    pub(crate) fn queue_depth(&self, queue: &str, messages: u32) {
        self.queue_messages
            .with_label_values(&[queue])
            .set(i64::from(messages));
    }
}
