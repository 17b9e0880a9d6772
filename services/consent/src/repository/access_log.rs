//! The access log: every read of personal data through the API, with the
//! caller, the time and what was read. Rows are only ever inserted, and a
//! database trigger rejects any UPDATE, DELETE or TRUNCATE of the table.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use hap_kit::auth::Principal;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::schema::access_log;

/// The kind of personal data a logged request read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// The consent and opt-out events of one person in one registry.
    ConsentHistory,
    /// The person hashes a permit leaves out.
    Exclusions,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::ConsentHistory => "consent-history",
            Action::Exclusions => "exclusions",
        }
    }
}

/// One read to record, before the database assigns its id and time.
pub struct NewAccess<'a> {
    pub principal: &'a Principal,
    pub action: Action,
    pub registry: Option<&'a str>,
    /// The hex person hash, for a consent history.
    pub person_hash: Option<String>,
    pub permit_id: Option<Uuid>,
    /// Counts of what the response contained.
    pub detail: Value,
}

/// One recorded read.
#[derive(Clone, Debug, Queryable, Selectable, Serialize)]
#[diesel(table_name = access_log)]
pub struct AccessEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub roles: Vec<String>,
    pub action: String,
    pub registry: Option<String>,
    pub person_hash: Option<String>,
    pub permit_id: Option<Uuid>,
    pub detail: Value,
}

pub fn record(conn: &mut PgConnection, access: NewAccess<'_>) -> QueryResult<()> {
    let roles: Vec<&str> = access
        .principal
        .roles
        .iter()
        .map(|role| role.as_str())
        .collect();
    diesel::insert_into(access_log::table)
        .values((
            access_log::actor.eq(&access.principal.subject),
            access_log::roles.eq(roles),
            access_log::action.eq(access.action.as_str()),
            access_log::registry.eq(access.registry),
            access_log::person_hash.eq(access.person_hash),
            access_log::permit_id.eq(access.permit_id),
            access_log::detail.eq(access.detail),
        ))
        .execute(conn)
        .map(drop)
}

/// Lists up to `limit` entries with an id above `after`, oldest first.
pub fn list(conn: &mut PgConnection, after: i64, limit: i64) -> QueryResult<Vec<AccessEntry>> {
    access_log::table
        .filter(access_log::id.gt(after))
        .order(access_log::id)
        .limit(limit)
        .select(AccessEntry::as_select())
        .load(conn)
}
