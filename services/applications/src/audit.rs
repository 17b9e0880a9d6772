//! The audit trail: every command on an application with its actor, role,
//! time and changes, and every read of it by someone other than its
//! applicant. Rows are only ever inserted, and a database trigger
//! rejects any UPDATE, DELETE or TRUNCATE of the table.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use hap_kit::auth::Principal;
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::schema::audit_log;

/// One recorded command.
#[derive(Clone, Debug, Queryable, Selectable, Serialize)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: i64,
    pub application_id: Uuid,
    pub at: DateTime<Utc>,
    /// The `sub` of the person, or the service that sent a pipeline event.
    pub actor: String,
    /// The role the command was allowed under, or `service`.
    pub role: String,
    /// The command (`approve`, `edit`, `note`), the event type, or `read`.
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    /// `{field: {"from": .., "to": ..}}` plus the command's input under `input`.
    pub changes: Value,
}

/// A command to record, before the database assigns its id and time.
pub struct NewAuditEntry<'a> {
    pub application_id: Uuid,
    pub actor: &'a str,
    pub role: &'a str,
    pub action: &'a str,
    pub from_state: Option<&'a str>,
    pub to_state: Option<&'a str>,
    pub changes: Value,
}

pub fn record(conn: &mut PgConnection, entry: NewAuditEntry<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::application_id.eq(entry.application_id),
            audit_log::actor.eq(entry.actor),
            audit_log::role.eq(entry.role),
            audit_log::action.eq(entry.action),
            audit_log::from_state.eq(entry.from_state),
            audit_log::to_state.eq(entry.to_state),
            audit_log::changes.eq(entry.changes),
        ))
        .execute(conn)
        .map(drop)
}

/// Records that `principal` read `view` (`application`, `timeline`,
/// `notes` or `diff`) of an application. The role column holds every role
/// of the caller, comma-separated.
pub fn record_read(
    conn: &mut PgConnection,
    application_id: Uuid,
    principal: &Principal,
    view: &str,
) -> QueryResult<()> {
    let roles: Vec<&str> = principal.roles.iter().map(|role| role.as_str()).collect();
    record(
        conn,
        NewAuditEntry {
            application_id,
            actor: &principal.subject,
            role: &roles.join(","),
            action: "read",
            from_state: None,
            to_state: None,
            changes: json!({"read": view}),
        },
    )
}

/// Lists entries after the cursor (an id), oldest first, optionally of one
/// application.
pub fn list(
    conn: &mut PgConnection,
    application_id: Option<Uuid>,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<AuditEntry>> {
    let mut query = audit_log::table
        .select(AuditEntry::as_select())
        .order(audit_log::id)
        .limit(limit)
        .into_boxed();
    if let Some(id) = application_id {
        query = query.filter(audit_log::application_id.eq(id));
    }
    if let Some(after) = after {
        query = query.filter(audit_log::id.gt(after));
    }
    query.load(conn)
}
