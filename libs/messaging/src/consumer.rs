//! Consumers: a task per consumer that keeps a channel open, declares the
//! topology and hands each delivery to [`delivery::process`].

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use lapin::Channel;
use lapin::options::{
    BasicCancelOptions, BasicConsumeOptions, BasicQosOptions, ConfirmSelectOptions,
    QueueDeclareOptions,
};
use lapin::types::FieldTable;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::PgPool;
use crate::backoff::{Backoff, Outage, stop_requested};
use crate::broker::Broker;
use crate::delivery;
use crate::error::{BrokerError, PublishError};
use crate::handler::Handler;
use crate::metrics::ConsumerMetrics;
use crate::names::{BindingKey, ConsumerName};
use crate::topology::{ConsumerQueues, declare_consumer_on};

/// First delay before reconnecting; it doubles up to [`RECONNECT_MAX`].
const RECONNECT_MIN: Duration = Duration::from_millis(500);
const RECONNECT_MAX: Duration = Duration::from_secs(30);
/// How often a consumer reads the depth of its queues for the metrics.
const QUEUE_DEPTH_INTERVAL: Duration = Duration::from_secs(15);

/// Lifecycle of a consumer task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsumerState {
    /// Connecting, declaring the topology, or waiting to reconnect.
    Connecting,
    /// Receiving deliveries.
    Consuming,
    /// Stopped for good.
    Stopped,
}

/// Starts a consumer task named `consumer` that receives the events matching
/// `bindings` and runs `handler` on each, counting them in `metrics`.
///
/// The task declares the topology, consumes with manual acknowledgement and
/// reconnects with back-off when the connection drops. Must be called inside
/// a Tokio runtime.
///
/// NOTE: deliveries are handled one at a time, in arrival order. Prefetch
/// only saves round trips; run more consumers for more throughput.
pub fn spawn_consumer<H: Handler>(
    broker: &Broker,
    pool: PgPool,
    consumer: ConsumerName,
    bindings: impl IntoIterator<Item = BindingKey>,
    handler: H,
    metrics: ConsumerMetrics,
) -> ConsumerHandle {
    let (state_sender, state) = watch::channel(ConsumerState::Connecting);
    let (stop, stop_receiver) = watch::channel(false);
    let settings = broker.settings();
    let queues = ConsumerQueues::new(&settings.namespace, &consumer, settings.retry_delays.len());

    let worker = Worker {
        broker: broker.clone(),
        shared: Arc::new(delivery::Shared {
            pool,
            handler: Arc::new(handler),
            consumer: consumer.clone(),
            queues,
            retry_delays: settings.retry_delays.clone(),
            metrics,
        }),
        bindings: bindings.into_iter().collect(),
        state: state_sender,
        stop: stop_receiver,
    };
    let task = tokio::spawn(worker.run());

    ConsumerHandle {
        consumer,
        state,
        stop,
        task: Some(task),
    }
}

/// Handle to a running consumer.
///
/// [`stop`](Self::stop) finishes the message in hand and closes the channel.
/// Dropping the handle signals the task to stop in the same way without
/// waiting.
#[derive(Debug)]
pub struct ConsumerHandle {
    consumer: ConsumerName,
    state: watch::Receiver<ConsumerState>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl ConsumerHandle {
    /// Name of the consumer.
    pub fn name(&self) -> &ConsumerName {
        &self.consumer
    }

    /// Current state of the task.
    pub fn state(&self) -> ConsumerState {
        *self.state.borrow()
    }

    /// Waits until the consumer receives deliveries, and returns `false` if
    /// it stopped first. Wrap it in a timeout: it waits through outages.
    pub async fn wait_until_consuming(&self) -> bool {
        let mut state = self.state.clone();
        match state
            .wait_for(|s| matches!(s, ConsumerState::Consuming | ConsumerState::Stopped))
            .await
        {
            Ok(reached) => *reached == ConsumerState::Consuming,
            Err(_) => false,
        }
    }

    /// Finishes the message in hand, cancels the subscription and closes the
    /// channel. Prefetched messages not yet handled go back to the queue.
    pub async fn stop(mut self) {
        self.stop.send_replace(true);
        if let Some(task) = self.task.take()
            && let Err(error) = task.await
        {
            tracing::error!(consumer = %self.consumer, %error, "consumer task failed");
        }
    }
}

impl Drop for ConsumerHandle {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

struct Worker<H: Handler> {
    broker: Broker,
    shared: Arc<delivery::Shared<H>>,
    bindings: Vec<BindingKey>,
    state: watch::Sender<ConsumerState>,
    stop: watch::Receiver<bool>,
}

impl<H: Handler> Worker<H> {
    async fn run(mut self) {
        let consumer = self.shared.consumer.clone();
        let mut backoff = Backoff::new(RECONNECT_MIN, RECONNECT_MAX);
        let mut outage = Outage::new(format!("consumer {consumer}"));

        while !*self.stop.borrow() {
            match self.session(&mut backoff, &mut outage).await {
                Ok(()) => break,
                Err(error) => {
                    self.state.send_replace(ConsumerState::Connecting);
                    let delay = backoff.next_delay();
                    outage.failed(&error, delay);
                    tokio::select! {
                        () = tokio::time::sleep(delay) => {}
                        () = stop_requested(&mut self.stop) => {}
                    }
                }
            }
        }

        self.state.send_replace(ConsumerState::Stopped);
        tracing::info!(consumer = %consumer, "consumer stopped");
    }

    /// Consumes on one channel until a stop request (`Ok`) or a failure.
    async fn session(
        &mut self,
        backoff: &mut Backoff,
        outage: &mut Outage,
    ) -> Result<(), PublishError> {
        let shared = Arc::clone(&self.shared);
        let settings = self.broker.settings();
        let channel = self.broker.open_channel().await?;
        declare_consumer_on(&channel, settings, &shared.consumer, &self.bindings).await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(BrokerError::amqp("confirm.select"))?;
        channel
            .basic_qos(settings.prefetch, BasicQosOptions::default())
            .await
            .map_err(BrokerError::amqp("basic.qos"))?;

        let tag = format!("{}-{}", shared.consumer, uuid::Uuid::new_v4().simple());
        let mut deliveries = channel
            .basic_consume(
                shared.queues.queue.as_str().into(),
                tag.as_str().into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(BrokerError::amqp(format!(
                "basic.consume on {}",
                shared.queues.queue
            )))?;

        self.state.send_replace(ConsumerState::Consuming);
        outage.recovered();
        backoff.reset();
        tracing::info!(consumer = %shared.consumer, queue = %shared.queues.queue, "consuming");

        let mut depth_timer = tokio::time::interval(QUEUE_DEPTH_INTERVAL);
        depth_timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let next = tokio::select! {
                biased;
                () = stop_requested(&mut self.stop) => {
                    close_session(&channel, &tag).await;
                    return Ok(());
                }
                _ = depth_timer.tick() => {
                    read_queue_depths(&channel, &shared.queues, &shared.metrics).await?;
                    continue;
                }
                next = deliveries.next() => next,
            };
            match next {
                Some(Ok(message)) => delivery::process(&shared, &channel, message).await?,
                Some(Err(error)) => {
                    return Err(BrokerError::amqp("basic.consume delivery")(error).into());
                }
                None => {
                    return Err(BrokerError::ConsumerCancelled {
                        queue: shared.queues.queue.clone(),
                    }
                    .into());
                }
            }
        }
    }
}

/// Reads the ready-message count of the input and dead-letter queues with a
/// passive declare. It fails when a queue or the channel is gone, so the
/// session reconnects and declares the queues again.
async fn read_queue_depths(
    channel: &Channel,
    queues: &ConsumerQueues,
    metrics: &ConsumerMetrics,
) -> Result<(), BrokerError> {
    for queue in [&queues.queue, &queues.dead] {
        let declared = channel
            .queue_declare(
                queue.as_str().into(),
                QueueDeclareOptions {
                    passive: true,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(BrokerError::amqp(format!(
                "passive queue.declare of {queue}"
            )))?;
        metrics.queue_depth(queue, declared.message_count());
    }
    Ok(())
}

async fn close_session(channel: &Channel, tag: &str) {
    if let Err(error) = channel
        .basic_cancel(tag.into(), BasicCancelOptions::default())
        .await
    {
        tracing::debug!(%error, "basic.cancel failed while stopping");
    }
    if let Err(error) = channel.close(200, "stopping".into()).await {
        tracing::debug!(%error, "closing the consumer channel failed");
    }
}
