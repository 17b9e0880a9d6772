//! Transactional outbox: events stored in the same database transaction as
//! the state change that caused them, and published later by the
//! [`Relay`](crate::Relay).

use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::prelude::*;

use crate::envelope::Envelope;
use crate::schema::outbox;

/// Stores `envelope` for publishing.
///
/// Call it inside the transaction that writes the state change, so that the
/// event exists if and only if the change commits. Then wake the relay with
/// [`OutboxNotifier::notify`](crate::OutboxNotifier::notify) after the
/// commit; without that the relay finds the row at its next poll.
pub fn enqueue(conn: &mut PgConnection, envelope: &Envelope) -> QueryResult<()> {
    let json = serde_json::to_value(envelope)
        .map_err(|error| diesel::result::Error::SerializationError(Box::new(error)))?;

    diesel::insert_into(outbox::table)
        .values((
            outbox::message_id.eq(envelope.id().as_uuid()),
            outbox::message_type.eq(envelope.message_type().as_str()),
            outbox::envelope.eq(json),
        ))
        .execute(conn)?;
    Ok(())
}

/// Returns the number of rows not yet published.
pub fn count_unpublished(conn: &mut PgConnection) -> QueryResult<i64> {
    outbox::table
        .filter(outbox::published_at.is_null())
        .count()
        .get_result(conn)
}

/// Deletes rows published before `cutoff` and returns how many.
pub fn delete_published_before(
    conn: &mut PgConnection,
    cutoff: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::delete(outbox::table.filter(outbox::published_at.lt(cutoff))).execute(conn)
}

/// Locks up to `limit` unpublished rows in position order, skipping rows that
/// another relay holds, and returns `(position, envelope)` pairs.
pub(crate) fn lock_unpublished(
    conn: &mut PgConnection,
    limit: i64,
) -> QueryResult<Vec<(i64, serde_json::Value)>> {
    outbox::table
        .select((outbox::position, outbox::envelope))
        .filter(outbox::published_at.is_null())
        .order(outbox::position.asc())
        .limit(limit)
        .for_update()
        .skip_locked()
        .load(conn)
}

/// Marks the rows at `positions` as published now.
pub(crate) fn mark_published(conn: &mut PgConnection, positions: &[i64]) -> QueryResult<usize> {
    diesel::update(outbox::table.filter(outbox::position.eq_any(positions)))
        .set(outbox::published_at.eq(now))
        .execute(conn)
}
