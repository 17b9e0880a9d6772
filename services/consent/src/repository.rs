//! Database access for consent events, assessments and permits.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Bytea, Text};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::import::ConsentRow;
use crate::schema::{assessments, consent_events, consent_imports, permits};

/// Inserts rows, skipping exact duplicates; returns how many were new.
pub fn insert_events(
    conn: &mut PgConnection,
    registry: &str,
    import_id: Uuid,
    rows: &[ConsentRow],
) -> QueryResult<usize> {
    let mut inserted = 0;
    for chunk in rows.chunks(5_000) {
        let values: Vec<_> = chunk
            .iter()
            .map(|row| {
                (
                    consent_events::registry.eq(registry),
                    consent_events::person_hash.eq(row.person_hash.to_vec()),
                    consent_events::event.eq(row.event),
                    consent_events::event_date.eq(row.event_date),
                    consent_events::source.eq(&row.source),
                    consent_events::import_id.eq(import_id),
                )
            })
            .collect();
        inserted += diesel::insert_into(consent_events::table)
            .values(values)
            .on_conflict_do_nothing()
            .execute(conn)?;
    }
    Ok(inserted)
}

pub fn insert_import(
    conn: &mut PgConnection,
    id: Uuid,
    registry: &str,
    steward: &str,
    counts: (i32, i32, i32),
) -> QueryResult<()> {
    diesel::insert_into(consent_imports::table)
        .values((
            consent_imports::id.eq(id),
            consent_imports::registry.eq(registry),
            consent_imports::steward.eq(steward),
            consent_imports::accepted.eq(counts.0),
            consent_imports::duplicates.eq(counts.1),
            consent_imports::rejected.eq(counts.2),
        ))
        .execute(conn)
        .map(drop)
}

#[derive(QueryableByName)]
struct HashRow {
    #[diesel(sql_type = Bytea)]
    person_hash: Vec<u8>,
}

/// Persons whose latest consent event in the registry, on or before `as_of`,
/// is a withdrawal: their data must be left out.
pub fn withdrawn_persons(
    conn: &mut PgConnection,
    registry: &str,
    as_of: NaiveDate,
) -> QueryResult<Vec<Vec<u8>>> {
    let rows: Vec<HashRow> = diesel::sql_query(
        "SELECT person_hash FROM (
             SELECT DISTINCT ON (person_hash) person_hash, event
             FROM consent_events
             WHERE registry = $1 AND event_date <= $2
             ORDER BY person_hash, event_date DESC, (event = 'withdrawn') DESC, id DESC
         ) latest
         WHERE event = 'withdrawn'
         ORDER BY person_hash",
    )
    .bind::<Text, _>(registry)
    .bind::<diesel::sql_types::Date, _>(as_of)
    .load(conn)?;
    Ok(rows.into_iter().map(|row| row.person_hash).collect())
}

pub fn insert_assessment(
    conn: &mut PgConnection,
    application_id: Uuid,
    version: i32,
    stage: &str,
    result: &Value,
) -> QueryResult<()> {
    diesel::insert_into(assessments::table)
        .values((
            assessments::application_id.eq(application_id),
            assessments::version.eq(version),
            assessments::stage.eq(stage),
            assessments::result.eq(result),
        ))
        .execute(conn)
        .map(drop)
}

pub fn assessments_of(conn: &mut PgConnection, application_id: Uuid) -> QueryResult<Vec<Value>> {
    assessments::table
        .filter(assessments::application_id.eq(application_id))
        .order(assessments::id)
        .select(assessments::result)
        .load(conn)
}

pub fn insert_permit(
    conn: &mut PgConnection,
    permit_id: Uuid,
    application_id: Uuid,
    version: i32,
    permit: &Value,
    exclusions: &Value,
) -> QueryResult<()> {
    diesel::insert_into(permits::table)
        .values((
            permits::permit_id.eq(permit_id),
            permits::application_id.eq(application_id),
            permits::version.eq(version),
            permits::permit.eq(permit),
            permits::exclusions.eq(exclusions),
        ))
        .execute(conn)
        .map(drop)
}

/// Whether a permit was already issued for this version of the application.
pub fn permit_exists(
    conn: &mut PgConnection,
    application_id: Uuid,
    version: i32,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        permits::table
            .filter(permits::application_id.eq(application_id))
            .filter(permits::version.eq(version)),
    ))
    .get_result(conn)
}

pub fn permits_of(conn: &mut PgConnection, application_id: Uuid) -> QueryResult<Vec<Value>> {
    permits::table
        .filter(permits::application_id.eq(application_id))
        .order(permits::version)
        .select(permits::permit)
        .load(conn)
}
