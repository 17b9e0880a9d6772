//! Inbox: the ids of messages a consumer has processed, written in the same
//! transaction as the handler's effect.

use chrono::{DateTime, Utc};
use diesel::dsl::exists;
use diesel::prelude::*;

use crate::envelope::Envelope;
use crate::names::ConsumerName;
use crate::schema::inbox;

/// Returns whether `consumer` has processed the message `envelope`.
pub fn contains(
    conn: &mut PgConnection,
    consumer: &ConsumerName,
    envelope: &Envelope,
) -> QueryResult<bool> {
    diesel::select(exists(
        inbox::table
            .filter(inbox::consumer.eq(consumer.as_str()))
            .filter(inbox::message_id.eq(envelope.id().as_uuid())),
    ))
    .get_result(conn)
}

/// Records that `consumer` processed `envelope`.
///
/// Returns `false` when the row exists already. Inside a transaction, an
/// insert that races with another transaction for the same id waits for it
/// and returns `false` if that transaction commits.
pub(crate) fn try_record(
    conn: &mut PgConnection,
    consumer: &ConsumerName,
    envelope: &Envelope,
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(inbox::table)
        .values((
            inbox::consumer.eq(consumer.as_str()),
            inbox::message_id.eq(envelope.id().as_uuid()),
            inbox::message_type.eq(envelope.message_type().as_str()),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(inserted == 1)
}

/// Deletes inbox rows processed before `cutoff` and returns how many.
///
/// A message redelivered after its row is deleted is processed again, so the
/// cutoff must lie further back than any redelivery: the longest retry path,
/// plus the time a message can wait in a dead-letter queue before replay.
pub fn delete_processed_before(
    conn: &mut PgConnection,
    cutoff: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::delete(inbox::table.filter(inbox::processed_at.lt(cutoff))).execute(conn)
}
