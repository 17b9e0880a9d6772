//! The outbox relay: a task that publishes outbox rows in order and marks
//! them published.

use std::sync::Arc;
use std::time::Duration;

use diesel::Connection;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::PgPool;
use crate::backoff::{Backoff, Outage, stop_requested};
use crate::envelope::Envelope;
use crate::error::PublishError;
use crate::outbox;
use crate::publisher::Publisher;

const RETRY_MIN: Duration = Duration::from_millis(500);
const RETRY_MAX: Duration = Duration::from_secs(30);

/// Tuning of the [`Relay`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelaySettings {
    /// Maximum rows published per transaction. Default 100.
    pub batch_size: u32,
    /// Time between polls when nothing wakes the relay. Default 500 ms.
    pub poll_interval: Duration,
    /// Age after which published rows are deleted. Default 7 days.
    pub retention: Duration,
    /// Time between deletions of old published rows. Default 10 minutes.
    pub cleanup_interval: Duration,
}

impl Default for RelaySettings {
    fn default() -> Self {
        Self {
            batch_size: 100,
            poll_interval: Duration::from_millis(500),
            retention: Duration::from_secs(7 * 24 * 60 * 60),
            cleanup_interval: Duration::from_secs(10 * 60),
        }
    }
}

/// Wakes the relay after a transaction that enqueued events commits.
/// Cloning it is cheap.
#[derive(Debug, Clone, Default)]
pub struct OutboxNotifier(Arc<Notify>);

impl OutboxNotifier {
    /// Wakes the relay. A wake-up sent while the relay is busy is kept, so
    /// the relay checks the outbox again right after the current batch.
    pub fn notify(&self) {
        self.0.notify_one();
    }
}

/// A running outbox relay.
///
/// Each batch runs in one transaction: lock the oldest unpublished rows with
/// `FOR UPDATE SKIP LOCKED`, publish them with confirms, mark them published
/// and commit. If publishing fails, the transaction rolls back and the rows
/// are published again later, so an event can reach the broker twice but is
/// never lost. Two relays on one database never publish the same row at the
/// same time. Each relay publishes in position order, but with several
/// relays a later row can overtake an earlier one that another relay holds.
#[derive(Debug)]
pub struct Relay {
    notifier: OutboxNotifier,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

/// Failure of one relay batch.
#[derive(Debug, thiserror::Error)]
enum RelayError {
    #[error("cannot get a database connection: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("outbox query failed: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("outbox row {position} holds an invalid envelope: {detail}")]
    InvalidRow { position: i64, detail: String },
    #[error(transparent)]
    Publish(#[from] PublishError),
    #[error("relay batch task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl Relay {
    /// Starts a relay with default settings. Must be called inside a Tokio
    /// runtime.
    pub fn start(pool: PgPool, publisher: Publisher) -> Self {
        Self::start_with(pool, publisher, RelaySettings::default())
    }

    /// Starts a relay with `settings`.
    pub fn start_with(pool: PgPool, publisher: Publisher, settings: RelaySettings) -> Self {
        let notifier = OutboxNotifier::default();
        let (stop, stop_receiver) = watch::channel(false);
        let task = tokio::spawn(run(
            pool,
            publisher,
            settings,
            notifier.clone(),
            stop_receiver,
        ));
        Self {
            notifier,
            stop,
            task: Some(task),
        }
    }

    /// Returns a notifier to call after committing a transaction that
    /// enqueued events.
    pub fn notifier(&self) -> OutboxNotifier {
        self.notifier.clone()
    }

    /// Finishes the batch in progress and stops.
    pub async fn stop(mut self) {
        self.stop.send_replace(true);
        if let Some(task) = self.task.take()
            && let Err(error) = task.await
        {
            tracing::error!(%error, "outbox relay task failed");
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

async fn run(
    pool: PgPool,
    publisher: Publisher,
    settings: RelaySettings,
    notifier: OutboxNotifier,
    mut stop: watch::Receiver<bool>,
) {
    let mut backoff = Backoff::new(RETRY_MIN, RETRY_MAX);
    let mut outage = Outage::new("outbox relay");
    let mut next_cleanup = Instant::now();
    tracing::info!("outbox relay started");

    while !*stop.borrow() {
        let wait = match publish_batch(&pool, &publisher, settings.batch_size).await {
            Ok(published) => {
                outage.recovered();
                backoff.reset();
                if published == settings.batch_size as usize {
                    continue;
                }
                if Instant::now() >= next_cleanup {
                    delete_old_rows(&pool, settings.retention).await;
                    next_cleanup = Instant::now() + settings.cleanup_interval;
                }
                settings.poll_interval
            }
            Err(error) => {
                let delay = backoff.next_delay();
                outage.failed(&error, delay);
                delay
            }
        };

        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = notifier.0.notified() => {}
            () = stop_requested(&mut stop) => {}
        }
    }
    tracing::info!("outbox relay stopped");
}

/// Publishes one batch in one transaction and returns the number of rows.
async fn publish_batch(
    pool: &PgPool,
    publisher: &Publisher,
    batch_size: u32,
) -> Result<usize, RelayError> {
    let pool = pool.clone();
    let publisher = publisher.clone();
    let runtime = tokio::runtime::Handle::current();

    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get()?;
        conn.transaction(|tx| {
            let rows = outbox::lock_unpublished(tx, i64::from(batch_size))?;
            if rows.is_empty() {
                return Ok(0);
            }

            let mut positions = Vec::with_capacity(rows.len());
            let mut envelopes = Vec::with_capacity(rows.len());
            for (position, json) in rows {
                let envelope = serde_json::from_value::<Envelope>(json).map_err(|error| {
                    RelayError::InvalidRow {
                        position,
                        detail: crate::redact::redact_values(&error.to_string()),
                    }
                })?;
                positions.push(position);
                envelopes.push(envelope);
            }

            // The transaction keeps the rows locked while the broker confirms.
            runtime.block_on(publisher.publish_batch(&envelopes))?;
            outbox::mark_published(tx, &positions)?;
            tracing::debug!(count = positions.len(), "published outbox rows");
            Ok(positions.len())
        })
    })
    .await?
}

async fn delete_old_rows(pool: &PgPool, retention: Duration) {
    let pool = pool.clone();
    let result = tokio::task::spawn_blocking(move || -> Result<usize, RelayError> {
        let retention = chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::MAX);
        let Some(cutoff) = chrono::Utc::now().checked_sub_signed(retention) else {
            return Ok(0);
        };
        let mut conn = pool.get()?;
        Ok(outbox::delete_published_before(&mut conn, cutoff)?)
    })
    .await;

    match result {
        Ok(Ok(0)) => {}
        Ok(Ok(deleted)) => tracing::info!(deleted, "deleted old published outbox rows"),
        Ok(Err(error)) => tracing::warn!(%error, "deleting old outbox rows failed"),
        Err(error) => tracing::warn!(%error, "deleting old outbox rows failed"),
    }
}
