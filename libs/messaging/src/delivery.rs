//! Processing of one delivery: decode, deduplicate, run the handler, then
//! acknowledge, retry or dead-letter.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lapin::Channel;
use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicNackOptions};
use opentelemetry::trace::TraceContextExt;
use tracing::{Instrument, Span};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::PgPool;
use crate::dead_letters::DeadReason;
use crate::envelope::Envelope;
use crate::error::{BrokerError, PublishError};
use crate::forward;
use crate::handler::{Completion, Context, Handler, HandlerError};
use crate::headers;
use crate::inbox;
use crate::metrics::ConsumerMetrics;
use crate::names::ConsumerName;
use crate::redact::redact_digit_runs;
use crate::topology::ConsumerQueues;
use crate::trace::set_parent_from_envelope;

/// Pause before a message is returned to its queue because the database is
/// unavailable, so that the consumer does not spin on it.
const UNAVAILABLE_PAUSE: Duration = Duration::from_secs(1);

/// Consumer state that every delivery uses.
pub(crate) struct Shared<H> {
    pub(crate) pool: PgPool,
    pub(crate) handler: Arc<H>,
    pub(crate) consumer: ConsumerName,
    pub(crate) queues: ConsumerQueues,
    pub(crate) retry_delays: Vec<Duration>,
    pub(crate) metrics: ConsumerMetrics,
}

/// Result of running the handler on one message.
enum Outcome {
    /// The effect and the inbox row committed.
    Processed,
    /// The inbox already held the message id.
    Duplicate,
    /// The database could not be reached before the handler ran.
    Unavailable(String),
    /// The handler failed.
    Failed(HandlerError),
}

/// Handles one delivery and settles it: acknowledged after the effect
/// commits or after it was forwarded to a retry or dead-letter queue, or
/// returned to the queue when the database is unavailable.
///
/// An error means the delivery is left unacknowledged; the broker redelivers
/// it when the channel closes.
pub(crate) async fn process<H: Handler>(
    shared: &Arc<Shared<H>>,
    channel: &Channel,
    delivery: Delivery,
) -> Result<(), PublishError> {
    let failed_before = headers::get_u32(&delivery.properties, headers::ATTEMPTS).unwrap_or(0);
    let attempt = failed_before.saturating_add(1);

    let envelope = match Envelope::from_json(&delivery.data) {
        Ok(envelope) => envelope,
        Err(error) => {
            shared.metrics.consumed(&shared.consumer, "invalid");
            tracing::error!(
                consumer = %shared.consumer,
                %error,
                "message body is not an envelope; moving it to the dead-letter queue"
            );
            forward::to_dead(
                channel,
                &shared.queues.dead,
                &shared.consumer,
                &delivery,
                DeadReason::InvalidEnvelope,
                attempt,
                &error.to_string(),
            )
            .await?;
            shared
                .metrics
                .dead_lettered(&shared.consumer, "invalid", DeadReason::InvalidEnvelope);
            return ack(&delivery).await;
        }
    };

    let span = tracing::info_span!(
        "consume",
        consumer = %shared.consumer,
        message_id = %envelope.id(),
        message_type = %envelope.message_type(),
        correlation_id = %envelope.correlation_id(),
        attempt,
        trace_id = tracing::field::Empty,
    );
    set_parent_from_envelope(&span, &envelope);
    let trace_id = span.context().span().span_context().trace_id();
    span.record("trace_id", tracing::field::display(trace_id));

    settle(shared, channel, delivery, envelope, attempt)
        .instrument(span)
        .await
}

async fn settle<H: Handler>(
    shared: &Arc<Shared<H>>,
    channel: &Channel,
    delivery: Delivery,
    envelope: Envelope,
    attempt: u32,
) -> Result<(), PublishError> {
    let started = Instant::now();
    let message_type = envelope.message_type().as_str().to_owned();
    shared.metrics.consumed(&shared.consumer, &message_type);
    let settled =
        settle_outcome(shared, channel, &delivery, envelope, attempt, &message_type).await;
    shared.metrics.handled(
        &shared.consumer,
        &message_type,
        started.elapsed().as_secs_f64(),
    );
    settled
}

async fn settle_outcome<H: Handler>(
    shared: &Arc<Shared<H>>,
    channel: &Channel,
    delivery: &Delivery,
    envelope: Envelope,
    attempt: u32,
    message_type: &str,
) -> Result<(), PublishError> {
    match run_handler(shared, envelope, attempt).await {
        Outcome::Processed => {
            tracing::info!("message processed");
            ack(delivery).await
        }
        Outcome::Duplicate => {
            tracing::info!("message already processed; acknowledged without a second effect");
            ack(delivery).await
        }
        Outcome::Unavailable(error) => {
            tracing::warn!(%error, "database unavailable; returning the message to its queue");
            tokio::time::sleep(UNAVAILABLE_PAUSE).await;
            delivery
                .acker
                .nack(BasicNackOptions {
                    multiple: false,
                    requeue: true,
                })
                .await
                .map_err(BrokerError::amqp("basic.nack"))?;
            Ok(())
        }
        Outcome::Failed(HandlerError::Transient(error)) => {
            let text = redact_digit_runs(&format!("{error:#}"));
            shared.metrics.failed(&shared.consumer, message_type, false);
            retry_or_dead(shared, channel, delivery, attempt, message_type, &text).await?;
            ack(delivery).await
        }
        Outcome::Failed(HandlerError::Permanent(reason)) => {
            let text = redact_digit_runs(&reason);
            tracing::error!(error = %text, "handler failed permanently; moving the message to the dead-letter queue");
            shared.metrics.failed(&shared.consumer, message_type, true);
            forward::to_dead(
                channel,
                &shared.queues.dead,
                &shared.consumer,
                delivery,
                DeadReason::Permanent,
                attempt,
                &text,
            )
            .await?;
            shared
                .metrics
                .dead_lettered(&shared.consumer, message_type, DeadReason::Permanent);
            ack(delivery).await
        }
    }
}

async fn retry_or_dead<H>(
    shared: &Arc<Shared<H>>,
    channel: &Channel,
    delivery: &Delivery,
    attempt: u32,
    message_type: &str,
    error: &str,
) -> Result<(), PublishError> {
    if let Some(retry_queue) = shared.queues.retry_after(attempt) {
        let delay = usize::try_from(attempt - 1)
            .ok()
            .and_then(|index| shared.retry_delays.get(index));
        tracing::warn!(%error, retry_in = ?delay, "handler failed; retrying later");
        forward::to_retry(channel, retry_queue, delivery, attempt, error).await?;
        shared.metrics.retried(&shared.consumer, message_type);
        return Ok(());
    }

    tracing::error!(
        %error,
        attempts = attempt,
        "handler failed on every attempt; moving the message to the dead-letter queue"
    );
    forward::to_dead(
        channel,
        &shared.queues.dead,
        &shared.consumer,
        delivery,
        DeadReason::RetriesExhausted,
        attempt,
        error,
    )
    .await?;
    shared
        .metrics
        .dead_lettered(&shared.consumer, message_type, DeadReason::RetriesExhausted);
    Ok(())
}

/// Runs the handler on a blocking thread inside the current span.
async fn run_handler<H: Handler>(
    shared: &Arc<Shared<H>>,
    envelope: Envelope,
    attempt: u32,
) -> Outcome {
    let shared = Arc::clone(shared);
    let span = Span::current();
    let result = tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        handle_blocking(&shared, &envelope, attempt)
    })
    .await;

    match result {
        Ok(outcome) => outcome,
        Err(error) => Outcome::Failed(HandlerError::Transient(anyhow::anyhow!(
            "handler task failed: {error}"
        ))),
    }
}

fn handle_blocking<H: Handler>(shared: &Shared<H>, envelope: &Envelope, attempt: u32) -> Outcome {
    let mut conn = match shared.pool.get() {
        Ok(conn) => conn,
        Err(error) => return Outcome::Unavailable(error.to_string()),
    };
    match inbox::contains(&mut conn, &shared.consumer, envelope) {
        Ok(true) => return Outcome::Duplicate,
        Ok(false) => {}
        Err(error) => return Outcome::Unavailable(error.to_string()),
    }

    let mut ctx = Context::new(&mut conn, &shared.consumer, envelope, attempt);
    let result = shared.handler.handle(&mut ctx, envelope);
    let completion = ctx.completion();

    match (result, completion) {
        (Ok(()), Some(Completion::Committed)) => Outcome::Processed,
        (_, Some(Completion::AlreadyProcessed)) => Outcome::Duplicate,
        (Err(error), Some(Completion::Committed)) => {
            tracing::warn!(
                error = %redact_digit_runs(&error.to_string()),
                "handler failed after its effect committed; the message counts as processed"
            );
            Outcome::Processed
        }
        (Ok(()), None) => match inbox::try_record(&mut conn, &shared.consumer, envelope) {
            Ok(true) => Outcome::Processed,
            Ok(false) => Outcome::Duplicate,
            Err(error) => Outcome::Failed(error.into()),
        },
        (Err(error), None) => Outcome::Failed(error),
    }
}

async fn ack(delivery: &Delivery) -> Result<(), PublishError> {
    delivery
        .acker
        .ack(BasicAckOptions::default())
        .await
        .map_err(BrokerError::amqp("basic.ack"))?;
    Ok(())
}
