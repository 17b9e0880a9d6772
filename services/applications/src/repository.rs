//! Database access for applications, versions and the timeline.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use crate::schema::{application_versions, applications, idempotency_keys, timeline};

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = applications)]
pub struct ApplicationRow {
    pub id: Uuid,
    pub project_id: Uuid,
    pub applicant: String,
    pub state: String,
    pub content: Value,
    pub submitted_version: Option<i32>,
    pub handler: Option<String>,
    pub claim_expires_at: Option<DateTime<Utc>>,
    pub deadline: Option<NaiveDate>,
    pub revision: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = timeline)]
pub struct TimelineEntry {
    #[serde(skip)]
    pub id: i64,
    #[serde(skip)]
    pub application_id: Uuid,
    pub at: DateTime<Utc>,
    pub event: String,
    pub actor: String,
    pub detail: Value,
}

pub fn insert(conn: &mut PgConnection, row: &ApplicationRow) -> QueryResult<()> {
    diesel::insert_into(applications::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<ApplicationRow>> {
    applications::table
        .find(id)
        .select(ApplicationRow::as_select())
        .first(conn)
        .optional()
}

/// Loads the row for update, so concurrent commands on one application queue up.
pub fn lock(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<ApplicationRow>> {
    applications::table
        .find(id)
        .select(ApplicationRow::as_select())
        .for_update()
        .first(conn)
        .optional()
}

/// Writes the changed row and bumps its revision.
pub fn save(conn: &mut PgConnection, row: &ApplicationRow) -> QueryResult<i32> {
    diesel::update(applications::table.find(row.id))
        .set((
            applications::state.eq(&row.state),
            applications::content.eq(&row.content),
            applications::submitted_version.eq(row.submitted_version),
            applications::handler.eq(&row.handler),
            applications::claim_expires_at.eq(row.claim_expires_at),
            applications::deadline.eq(row.deadline),
            applications::revision.eq(applications::revision + 1),
            applications::updated_at.eq(Utc::now()),
        ))
        .returning(applications::revision)
        .get_result(conn)
}

/// Lists an applicant's applications after the cursor (an id), oldest first.
pub fn list_for_applicant(
    conn: &mut PgConnection,
    applicant: &str,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<ApplicationRow>> {
    let mut query = applications::table
        .filter(applications::applicant.eq(applicant))
        .select(ApplicationRow::as_select())
        .order(applications::id)
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(applications::id.gt(after));
    }
    query.load(conn)
}

/// Lists the case-handler queue: applications in the given states, earliest
/// deadline first, after the cursor (deadline, id).
pub fn list_queue(
    conn: &mut PgConnection,
    states: &[&str],
    after: Option<(NaiveDate, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<ApplicationRow>> {
    let mut query = applications::table
        .filter(applications::state.eq_any(states))
        .filter(applications::deadline.is_not_null())
        .select(ApplicationRow::as_select())
        .order((applications::deadline, applications::id))
        .limit(limit)
        .into_boxed();
    if let Some((deadline, id)) = after {
        query = query.filter(
            applications::deadline
                .gt(deadline)
                .or(applications::deadline
                    .eq(deadline)
                    .and(applications::id.gt(id))),
        );
    }
    query.load(conn)
}

pub fn insert_version(
    conn: &mut PgConnection,
    application_id: Uuid,
    version: i32,
    content: &Value,
) -> QueryResult<()> {
    diesel::insert_into(application_versions::table)
        .values((
            application_versions::application_id.eq(application_id),
            application_versions::version.eq(version),
            application_versions::content.eq(content),
        ))
        .execute(conn)
        .map(drop)
}

pub fn find_version(
    conn: &mut PgConnection,
    application_id: Uuid,
    version: i32,
) -> QueryResult<Option<Value>> {
    application_versions::table
        .find((application_id, version))
        .select(application_versions::content)
        .first(conn)
        .optional()
}

pub fn record(
    conn: &mut PgConnection,
    application_id: Uuid,
    event: &str,
    actor: &str,
    detail: Value,
) -> QueryResult<()> {
    diesel::insert_into(timeline::table)
        .values((
            timeline::application_id.eq(application_id),
            timeline::event.eq(event),
            timeline::actor.eq(actor),
            timeline::detail.eq(detail),
        ))
        .execute(conn)
        .map(drop)
}

pub fn timeline_of(
    conn: &mut PgConnection,
    application_id: Uuid,
) -> QueryResult<Vec<TimelineEntry>> {
    timeline::table
        .filter(timeline::application_id.eq(application_id))
        .order(timeline::id)
        .select(TimelineEntry::as_select())
        .load(conn)
}

/// Returns the application created earlier with this idempotency key.
pub fn find_idempotent(
    conn: &mut PgConnection,
    subject: &str,
    key: &str,
) -> QueryResult<Option<Uuid>> {
    idempotency_keys::table
        .find((subject, key))
        .select(idempotency_keys::application_id)
        .first(conn)
        .optional()
}

pub fn remember_idempotent(
    conn: &mut PgConnection,
    subject: &str,
    key: &str,
    application_id: Uuid,
) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::subject.eq(subject),
            idempotency_keys::key.eq(key),
            idempotency_keys::application_id.eq(application_id),
        ))
        .execute(conn)
        .map(drop)
}
