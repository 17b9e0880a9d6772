//! Carries out a command on one application: checks the command table and
//! who may act on this case, applies the effect, records the timeline and
//! the audit trail and enqueues the events, all in one transaction.
//!
//! - [`authorize`]: the role under which the command is allowed, or the
//!   403, 404 or 409 problem.
//! - [`effects`]: what each command changes besides the state.

mod authorize;
mod effects;

use chrono::Utc;
use diesel::prelude::*;
use hap_contracts::events::{self, ApplicationStateChanged};
use hap_kit::auth::Principal;
use hap_kit::http::{ApiError, Problem};
use hap_messaging::{Envelope, EnvelopeError, outbox};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::audit::{self, NewAuditEntry};
use crate::domain::diff::diff;
use crate::domain::{ApplicationContent, Command, State};
use crate::repository::{self, ApplicationRow};
use crate::settings::CaseSettings;
use crate::webhooks;

pub use authorize::{authorize, ensure_visible};

/// The body of a command request. Each command reads the members it needs.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct CommandInput {
    /// The reason of a rejection, withdrawal, appeal or revocation.
    #[serde(default)]
    pub reason: Option<String>,
    /// The questions of a return to the applicant.
    #[serde(default)]
    pub questions: Vec<String>,
    /// The conditions of an approval with conditions.
    #[serde(default)]
    pub conditions: Vec<String>,
    /// The `sub` of the case handler a reassignment hands the case to.
    #[serde(default)]
    pub handler: Option<String>,
}

/// Runs `command` on application `id` as `principal` and returns the new row.
pub fn execute(
    conn: &mut PgConnection,
    id: Uuid,
    command: Command,
    principal: &Principal,
    input: &CommandInput,
    cases: &CaseSettings,
) -> Result<ApplicationRow, ApiError> {
    conn.transaction(|conn| {
        let mut row = repository::lock(conn, id)?
            .ok_or_else(|| Problem::not_found(format!("application {id} does not exist")))?;
        ensure_visible(&row, principal)?;
        let content: ApplicationContent = serde_json::from_value(row.content.clone())?;
        let from: State = row.state.parse().map_err(ApiError::Internal)?;
        let now = Utc::now();
        let (role, next) = authorize::authorize(&row, &content, from, command, principal, now)?;
        let before = tracked(&row);

        effects::apply(
            conn, &mut row, &content, command, principal, input, cases, now,
        )?;

        row.state = next.as_str().to_owned();
        row.revision = repository::save(conn, &row)?;
        let detail = json!({
            "state": next.as_str(),
            "reason": input.reason,
            "questions": input.questions,
            "conditions": input.conditions,
            "role": role.as_str(),
        });
        repository::record(conn, id, command.as_str(), &principal.subject, detail)?;
        let mut changes = diff(&before, &tracked(&row));
        changes["input"] = serde_json::to_value(input)?;
        audit::record(
            conn,
            NewAuditEntry {
                application_id: id,
                actor: &principal.subject,
                role: role.as_str(),
                action: command.as_str(),
                from_state: Some(from.as_str()),
                to_state: Some(next.as_str()),
                changes,
            },
        )?;
        let changed = state_changed(id, from, next, command.as_str())
            .map_err(|error| ApiError::Internal(error.to_string()))?;
        outbox::enqueue(conn, &changed)?;
        fan_out(conn, &changed)?;
        Ok(row)
    })
}

/// Returns the fields of a row whose changes the audit trail records.
pub fn tracked(row: &ApplicationRow) -> Value {
    json!({
        "state": row.state,
        "handler": row.handler,
        "claim_expires_at": row.claim_expires_at,
        "deadline": row.deadline,
        "submitted_version": row.submitted_version,
        "returned_on": row.returned_on,
        "paused_working_days": row.paused_working_days,
        "decided_at": row.decided_at,
        "content": row.content,
    })
}

/// Stores a state change for every webhook subscription.
pub fn fan_out(conn: &mut PgConnection, changed: &Envelope) -> Result<(), ApiError> {
    let bytes = changed
        .to_json()
        .map_err(|error| ApiError::Internal(error.to_string()))?;
    let event: Value = serde_json::from_slice(&bytes)?;
    webhooks::store::fan_out(conn, &event)?;
    Ok(())
}

/// Builds the `application.state_changed` event of a transition.
pub fn state_changed(
    id: Uuid,
    from: State,
    to: State,
    cause: &str,
) -> Result<Envelope, EnvelopeError> {
    let event = ApplicationStateChanged {
        application_id: id,
        from: from.as_str().to_owned(),
        to: to.as_str().to_owned(),
        cause: cause.to_owned(),
        at: Utc::now(),
    };
    Envelope::new(
        events::APPLICATION_STATE_CHANGED,
        events::VERSION,
        id,
        &event,
    )
}

fn enqueue(
    conn: &mut PgConnection,
    event_type: &str,
    application_id: Uuid,
    payload: &impl serde::Serialize,
) -> Result<(), ApiError> {
    let envelope = Envelope::new(event_type, events::VERSION, application_id, payload)
        .map_err(|error| ApiError::Internal(error.to_string()))?;
    outbox::enqueue(conn, &envelope)?;
    Ok(())
}
