//! Database access for consent events, assessments and permits.
//!
//! - [`access_log`]: every read of personal data through the API.
//! - [`history`]: consent histories per person and registry.
//! - [`exclusions`]: the persons each permit leaves out, and the permits
//!   that newly recorded withdrawals concern.

pub mod access_log;
pub mod exclusions;
pub mod history;

use diesel::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use crate::domain::import::ConsentRow;
use crate::schema::{assessments, consent_events, consent_imports, permits};

/// Rows per `INSERT`: seven parameters a row stay below PostgreSQL's limit
/// of 65,535 parameters in one statement.
const ROWS_PER_INSERT: usize = 5_000;

/// Inserts rows, skipping exact duplicates; returns how many were new.
pub fn insert_events(
    conn: &mut PgConnection,
    registry: &str,
    import_id: Uuid,
    rows: &[ConsentRow],
) -> QueryResult<usize> {
    let mut inserted = 0;
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let values: Vec<_> = chunk
            .iter()
            .map(|row| {
                (
                    consent_events::registry.eq(registry),
                    consent_events::person_hash.eq(row.person_hash.to_vec()),
                    consent_events::event.eq(row.event.as_str()),
                    consent_events::event_date.eq(row.event_date),
                    consent_events::source.eq(&row.source),
                    consent_events::import_id.eq(import_id),
                    consent_events::scope.eq(&row.scope),
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

/// Returns each permit of the application with the exclusion summaries
/// recorded with it, oldest version first.
pub fn permits_of(
    conn: &mut PgConnection,
    application_id: Uuid,
) -> QueryResult<Vec<(Value, Value)>> {
    permits::table
        .filter(permits::application_id.eq(application_id))
        .order(permits::version)
        .select((permits::permit, permits::exclusions))
        .load(conn)
}
