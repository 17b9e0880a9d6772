//! Database access for subscriptions and pending deliveries.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Jsonb};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::schema::{webhook_deliveries, webhook_subscriptions};

#[derive(Clone, Debug, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = webhook_subscriptions)]
pub struct Subscription {
    pub id: Uuid,
    pub owner: String,
    pub url: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// The oldest undelivered event of one subscription.
#[derive(Clone, Debug, Queryable)]
pub struct PendingDelivery {
    pub id: i64,
    pub subscription_id: Uuid,
    pub url: String,
    pub event: Value,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
}

pub fn subscribe(conn: &mut PgConnection, subscription: &Subscription) -> QueryResult<()> {
    diesel::insert_into(webhook_subscriptions::table)
        .values(subscription)
        .execute(conn)
        .map(drop)
}

pub fn list(conn: &mut PgConnection, owner: &str) -> QueryResult<Vec<Subscription>> {
    webhook_subscriptions::table
        .filter(webhook_subscriptions::owner.eq(owner))
        .filter(webhook_subscriptions::active.eq(true))
        .order(webhook_subscriptions::created_at)
        .select(Subscription::as_select())
        .load(conn)
}

/// Deactivates a subscription of `owner`; returns whether one was found.
pub fn unsubscribe(conn: &mut PgConnection, owner: &str, id: Uuid) -> QueryResult<bool> {
    diesel::update(
        webhook_subscriptions::table
            .find(id)
            .filter(webhook_subscriptions::owner.eq(owner))
            .filter(webhook_subscriptions::active.eq(true)),
    )
    .set(webhook_subscriptions::active.eq(false))
    .execute(conn)
    .map(|changed| changed == 1)
}

/// Stores `event` for every active subscription.
pub fn fan_out(conn: &mut PgConnection, event: &Value) -> QueryResult<usize> {
    diesel::sql_query(
        "INSERT INTO webhook_deliveries (subscription_id, event) \
         SELECT id, $1 FROM webhook_subscriptions WHERE active ORDER BY id",
    )
    .bind::<Jsonb, _>(event)
    .execute(conn)
}

/// Returns, per active subscription, its oldest undelivered event. Later
/// events of a subscription wait until this one is delivered, which keeps
/// them in order.
pub fn heads(conn: &mut PgConnection) -> QueryResult<Vec<PendingDelivery>> {
    let oldest = diesel::dsl::sql::<Bool>(
        "webhook_deliveries.id = (SELECT min(d.id) FROM webhook_deliveries d \
         WHERE d.subscription_id = webhook_deliveries.subscription_id \
         AND d.delivered_at IS NULL)",
    );
    webhook_deliveries::table
        .inner_join(webhook_subscriptions::table)
        .filter(webhook_subscriptions::active.eq(true))
        .filter(webhook_deliveries::delivered_at.is_null())
        .filter(oldest)
        .select((
            webhook_deliveries::id,
            webhook_deliveries::subscription_id,
            webhook_subscriptions::url,
            webhook_deliveries::event,
            webhook_deliveries::attempts,
            webhook_deliveries::next_attempt_at,
        ))
        .load(conn)
}

/// Locks the row of an active subscription for the rest of the
/// transaction. Returns false when another transaction holds the lock,
/// which means another replica is sending this subscription's head.
pub fn try_lock(conn: &mut PgConnection, subscription_id: Uuid) -> QueryResult<bool> {
    webhook_subscriptions::table
        .find(subscription_id)
        .filter(webhook_subscriptions::active.eq(true))
        .select(webhook_subscriptions::id)
        .for_update()
        .skip_locked()
        .first::<Uuid>(conn)
        .optional()
        .map(|locked| locked.is_some())
}

/// Returns the oldest undelivered event of one subscription.
pub fn head(
    conn: &mut PgConnection,
    subscription_id: Uuid,
) -> QueryResult<Option<PendingDelivery>> {
    webhook_deliveries::table
        .inner_join(webhook_subscriptions::table)
        .filter(webhook_deliveries::subscription_id.eq(subscription_id))
        .filter(webhook_deliveries::delivered_at.is_null())
        .order(webhook_deliveries::id)
        .select((
            webhook_deliveries::id,
            webhook_deliveries::subscription_id,
            webhook_subscriptions::url,
            webhook_deliveries::event,
            webhook_deliveries::attempts,
            webhook_deliveries::next_attempt_at,
        ))
        .first(conn)
        .optional()
}

pub fn mark_delivered(conn: &mut PgConnection, id: i64) -> QueryResult<()> {
    diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::delivered_at.eq(Utc::now()),
            webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
            webhook_deliveries::last_error.eq(None::<String>),
        ))
        .execute(conn)
        .map(drop)
}

pub fn mark_failed(
    conn: &mut PgConnection,
    id: i64,
    next_attempt_at: DateTime<Utc>,
    error: &str,
) -> QueryResult<()> {
    diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
            webhook_deliveries::next_attempt_at.eq(next_attempt_at),
            webhook_deliveries::last_error.eq(error),
        ))
        .execute(conn)
        .map(drop)
}
