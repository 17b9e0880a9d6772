//! Database access for applications, versions and the timeline.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use crate::domain::State;
use crate::domain::deadline::Clock;
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
    /// The requested registries' names, for the queue's filter.
    pub registries: Vec<String>,
    /// The first submission.
    pub submitted_at: Option<DateTime<Utc>>,
    pub clock_started_on: Option<NaiveDate>,
    pub limit_working_days: Option<i32>,
    pub paused_working_days: i32,
    /// The day the case was returned to the applicant, while it still is.
    pub returned_on: Option<NaiveDate>,
    /// The latest decision (approval or rejection).
    pub decided_at: Option<DateTime<Utc>>,
    /// The version the latest approval covers.
    pub approved_version: Option<i32>,
}

impl ApplicationRow {
    /// Returns the deadline clock, once the case was submitted.
    pub fn clock(&self) -> Option<Clock> {
        Some(Clock {
            started_on: self.clock_started_on?,
            limit_working_days: u32::try_from(self.limit_working_days?).ok()?,
            paused_working_days: u32::try_from(self.paused_working_days).unwrap_or(0),
            paused_since: self.returned_on,
        })
    }

    /// Stores `clock` and the deadline it gives on `today`.
    pub fn set_clock(&mut self, clock: &Clock, today: NaiveDate) {
        self.clock_started_on = Some(clock.started_on);
        self.limit_working_days = i32::try_from(clock.limit_working_days).ok();
        self.paused_working_days = i32::try_from(clock.paused_working_days).unwrap_or(i32::MAX);
        self.returned_on = clock.paused_since;
        self.deadline = Some(clock.deadline(today));
    }

    /// Returns whether the case waits for case work past its deadline. The
    /// same rule as the queue's `overdue` filter, on the stored deadline.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        let waiting = self
            .state
            .parse::<State>()
            .is_ok_and(|state| state.clock_runs());
        waiting && self.returned_on.is_none() && self.deadline.is_some_and(|day| day < today)
    }
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
            applications::registries.eq(&row.registries),
            applications::submitted_at.eq(row.submitted_at),
            applications::clock_started_on.eq(row.clock_started_on),
            applications::limit_working_days.eq(row.limit_working_days),
            applications::paused_working_days.eq(row.paused_working_days),
            applications::returned_on.eq(row.returned_on),
            applications::decided_at.eq(row.decided_at),
            applications::approved_version.eq(row.approved_version),
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

/// Narrows the case-handler queue.
#[derive(Clone, Debug, Default)]
pub struct QueueFilter {
    pub states: Vec<&'static str>,
    /// Only cases requesting this registry.
    pub registry: Option<String>,
    /// Only cases claimed by this handler.
    pub handler: Option<String>,
    /// Only cases whose running deadline is before this day.
    pub overdue_on: Option<NaiveDate>,
}

/// Lists the case-handler queue: applications matching `filter`, earliest
/// deadline first, after the cursor (deadline, id).
pub fn list_queue(
    conn: &mut PgConnection,
    filter: &QueueFilter,
    after: Option<(NaiveDate, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<ApplicationRow>> {
    let mut query = applications::table
        .filter(applications::state.eq_any(&filter.states))
        .filter(applications::deadline.is_not_null())
        .select(ApplicationRow::as_select())
        .order((applications::deadline, applications::id))
        .limit(limit)
        .into_boxed();
    if let Some(registry) = &filter.registry {
        query = query.filter(applications::registries.contains(vec![registry.clone()]));
    }
    if let Some(handler) = &filter.handler {
        query = query.filter(applications::handler.eq(handler));
    }
    if let Some(today) = filter.overdue_on {
        let running: Vec<&str> = State::ALL
            .into_iter()
            .filter(|state| state.clock_runs())
            .map(State::as_str)
            .collect();
        query = query
            .filter(applications::deadline.lt(today))
            .filter(applications::returned_on.is_null())
            .filter(applications::state.eq_any(running));
    }
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

/// Counts the applications in `states`.
pub fn count_in(conn: &mut PgConnection, states: &[&str]) -> QueryResult<i64> {
    applications::table
        .filter(applications::state.eq_any(states))
        .count()
        .get_result(conn)
}

/// Loads every application decided at least once, for the statistics.
pub fn decided(conn: &mut PgConnection) -> QueryResult<Vec<ApplicationRow>> {
    applications::table
        .filter(applications::decided_at.is_not_null())
        .select(ApplicationRow::as_select())
        .load(conn)
}

/// Lists the applications in `states` after the cursor (an id), oldest first.
pub fn list_in_states(
    conn: &mut PgConnection,
    states: &[&str],
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<ApplicationRow>> {
    let mut query = applications::table
        .filter(applications::state.eq_any(states))
        .select(ApplicationRow::as_select())
        .order(applications::id)
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(applications::id.gt(after));
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

/// Counts the cases whose running deadline is before `today`.
pub fn count_overdue(conn: &mut PgConnection, today: NaiveDate) -> QueryResult<i64> {
    let running: Vec<&str> = State::ALL
        .into_iter()
        .filter(|state| state.clock_runs())
        .map(State::as_str)
        .collect();
    applications::table
        .filter(applications::state.eq_any(running))
        .filter(applications::returned_on.is_null())
        .filter(applications::deadline.lt(today))
        .count()
        .get_result(conn)
}
