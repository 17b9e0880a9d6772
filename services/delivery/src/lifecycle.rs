//! The end of a delivery, at the permit's end date or at once when the
//! permit is revoked. Its objects are deleted from the delivery store and
//! the delivery is marked `expired` or `revoked`. The deletion is recorded
//! in `delivery_events`, and `delivery.deleted` is emitted.
//!
//! Objects are deleted before the database records it, so a crash between
//! the two leaves a delivery that the next sweep or redelivery deletes again.

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use hap_contracts::events::{self, DeletionReason, DeliveryDeleted};
use hap_kit::db::{PgPool, blocking};
use hap_messaging::{Envelope, HandlerError, OutboxNotifier, outbox};
use serde_json::json;
use uuid::Uuid;

use crate::schema::{deliveries, delivery_events};
use crate::store::{DeliveryStore, StoreError};

/// State of a delivery whose files can be downloaded.
pub const AVAILABLE: &str = "available";

/// The delivery facts a deletion needs.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = deliveries)]
pub struct Ending {
    pub id: Uuid,
    pub application_id: Uuid,
    pub permit_id: Uuid,
}

/// Returns the store prefix of a delivery's objects.
pub fn prefix(delivery_id: Uuid) -> String {
    delivery_id.to_string()
}

/// Returns whether a delivery with end date `expires_on` has passed it on `today`.
/// The end date itself is the last day on which it can be downloaded.
pub fn is_past_end(expires_on: NaiveDate, today: NaiveDate) -> bool {
    today > expires_on
}

/// Deletes the objects of `ending` from the store.
pub async fn delete_objects(store: &DeliveryStore, ending: &Ending) -> Result<u64, StoreError> {
    store.delete_prefix(&prefix(ending.id)).await
}

/// Marks the delivery deleted for `reason`, records who or what did it and
/// enqueues `delivery.deleted`, in the caller's transaction. Returns `false`
/// when the delivery was already deleted, and then changes nothing.
pub fn record_deletion(
    conn: &mut PgConnection,
    ending: &Ending,
    reason: DeletionReason,
    actor: &str,
    objects_deleted: u64,
    cause: Option<&Envelope>,
) -> Result<bool, HandlerError> {
    let state = match reason {
        DeletionReason::Expired => "expired",
        DeletionReason::Revoked => "revoked",
    };
    let now = Utc::now();
    let updated = diesel::update(
        deliveries::table
            .find(ending.id)
            .filter(deliveries::state.eq(AVAILABLE)),
    )
    .set((deliveries::state.eq(state), deliveries::deleted_at.eq(now)))
    .execute(conn)?;
    if updated == 0 {
        return Ok(false);
    }

    diesel::insert_into(delivery_events::table)
        .values((
            delivery_events::delivery_id.eq(ending.id),
            delivery_events::event.eq(state),
            delivery_events::actor.eq(actor),
            delivery_events::detail.eq(json!({"objects_deleted": objects_deleted})),
        ))
        .execute(conn)?;
    let deleted = DeliveryDeleted {
        application_id: ending.application_id,
        delivery_id: ending.id,
        permit_id: ending.permit_id,
        reason,
        objects_deleted,
        deleted_at: now,
    };
    let mut envelope = Envelope::new(
        events::DELIVERY_DELETED,
        events::VERSION,
        ending.application_id,
        &deleted,
    )?;
    if let Some(cause) = cause {
        envelope = envelope.caused_by(cause);
    }
    outbox::enqueue(conn, &envelope)?;
    Ok(true)
}

/// Runs [`sweep`] every `interval` until the process ends.
pub fn spawn_sweeper(
    pool: PgPool,
    store: DeliveryStore,
    notifier: OutboxNotifier,
    interval: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match sweep(&pool, &store, Utc::now().date_naive()).await {
                Ok(0) => {}
                Ok(count) => {
                    notifier.notify();
                    tracing::info!(count, "expired deliveries deleted");
                }
                Err(error) => {
                    tracing::error!(%error, "expiry sweep failed; the next sweep retries")
                }
            }
        }
    })
}

/// Deletes every available delivery whose end date is before `today`, and
/// returns how many were deleted.
pub async fn sweep(
    pool: &PgPool,
    store: &DeliveryStore,
    today: NaiveDate,
) -> Result<u64, SweepError> {
    let endings: Vec<Ending> = blocking(pool, move |conn| {
        deliveries::table
            .filter(deliveries::state.eq(AVAILABLE))
            .filter(deliveries::expires_on.lt(today))
            .select(Ending::as_select())
            .load(conn)
            .map_err(SweepError::from)
    })
    .await?;

    let mut count = 0;
    for ending in endings {
        let objects = delete_objects(store, &ending).await?;
        let recorded = blocking(pool, move |conn| {
            conn.transaction(|conn| {
                record_deletion(
                    conn,
                    &ending,
                    DeletionReason::Expired,
                    "expiry-sweep",
                    objects,
                    None,
                )
            })
            .map_err(SweepError::from)
        })
        .await?;
        if recorded {
            count += 1;
        }
    }
    Ok(count)
}

/// A failed expiry sweep.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error(transparent)]
    Db(#[from] hap_kit::db::DbError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("recording the deletion failed: {0}")]
    Record(String),
}

impl From<diesel::result::Error> for SweepError {
    fn from(error: diesel::result::Error) -> Self {
        SweepError::Db(error.into())
    }
}

impl From<HandlerError> for SweepError {
    fn from(error: HandlerError) -> Self {
        SweepError::Record(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_date_is_last_day() {
        let end = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
        assert!(!is_past_end(end, end));
        assert!(is_past_end(end, end.succ_opt().unwrap()));
        assert!(!is_past_end(end, end.pred_opt().unwrap()));
    }
}
