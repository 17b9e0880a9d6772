//! Consent histories: every event of a person in a registry, in order.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use serde::Serialize;
use uuid::Uuid;

use crate::domain::exclusion::HistoryEvent;
use crate::schema::consent_events;

/// The events of one person in a registry, oldest first.
pub struct PersonHistory {
    pub person_hash: [u8; 32],
    pub events: Vec<HistoryEvent>,
}

/// Loads the history of every person with an event in `registry`, ordered
/// by person hash.
pub fn histories(conn: &mut PgConnection, registry: &str) -> QueryResult<Vec<PersonHistory>> {
    let rows: Vec<(Vec<u8>, String, String, NaiveDate, i64)> = consent_events::table
        .filter(consent_events::registry.eq(registry))
        .order((
            consent_events::person_hash,
            consent_events::event_date,
            consent_events::id,
        ))
        .select((
            consent_events::person_hash,
            consent_events::event,
            consent_events::scope,
            consent_events::event_date,
            consent_events::id,
        ))
        .load(conn)?;

    let mut histories: Vec<PersonHistory> = Vec::new();
    for (hash, event, scope, date, id) in rows {
        let person_hash = to_hash(&hash)?;
        let event = HistoryEvent {
            kind: parse_column(&event, "event")?,
            scope: parse_column(&scope, "scope")?,
            date,
            id,
        };
        match histories.last_mut() {
            Some(last) if last.person_hash == person_hash => last.events.push(event),
            _ => histories.push(PersonHistory {
                person_hash,
                events: vec![event],
            }),
        }
    }
    Ok(histories)
}

/// One entry of a person's consent history as the API returns it.
#[derive(Debug, Queryable, Serialize)]
pub struct HistoryEntry {
    pub event: String,
    pub scope: String,
    pub event_date: NaiveDate,
    pub source: String,
    pub recorded_at: DateTime<Utc>,
    pub import_id: Uuid,
}

/// Returns the events of one person in `registry`, oldest first.
pub fn person_history(
    conn: &mut PgConnection,
    registry: &str,
    person_hash: &[u8; 32],
) -> QueryResult<Vec<HistoryEntry>> {
    consent_events::table
        .filter(consent_events::registry.eq(registry))
        .filter(consent_events::person_hash.eq(person_hash.to_vec()))
        .order((consent_events::event_date, consent_events::id))
        .select((
            consent_events::event,
            consent_events::scope,
            consent_events::event_date,
            consent_events::source,
            consent_events::recorded_at,
            consent_events::import_id,
        ))
        .load(conn)
}

/// Converts a stored person hash, which the insert always writes as 32 bytes.
pub(crate) fn to_hash(bytes: &[u8]) -> QueryResult<[u8; 32]> {
    bytes.try_into().map_err(|_| {
        DieselError::DeserializationError(
            format!("a stored person hash has {} bytes, not 32", bytes.len()).into(),
        )
    })
}

fn parse_column<T: std::str::FromStr<Err = String>>(text: &str, column: &str) -> QueryResult<T> {
    text.parse().map_err(|reason: String| {
        DieselError::DeserializationError(
            format!("stored {column} `{text}` is invalid: {reason}").into(),
        )
    })
}
