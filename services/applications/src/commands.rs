//! Carries out a command on one application: checks the command table and
//! ownership, changes the state, records the timeline and enqueues the
//! events, all in one transaction.

use chrono::{Duration, NaiveDate, Utc};
use diesel::prelude::*;
use hap_contracts::events::{self, ApplicationApproved, ApplicationSubmitted};
use hap_kit::auth::{Principal, Role};
use hap_kit::http::Problem;
use hap_messaging::{Envelope, outbox};
use serde_json::json;

use crate::domain::{ApplicationContent, Command, State, state::transition};
use crate::repository::{self, ApplicationRow};
use crate::settings::CaseSettings;
use hap_kit::http::ApiError;

/// The body of a command request.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandInput {
    /// The reason of a rejection or withdrawal.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Runs `command` on application `id` as `principal` and returns the new row.
pub fn execute(
    conn: &mut PgConnection,
    id: uuid::Uuid,
    command: Command,
    principal: &Principal,
    input: &CommandInput,
    cases: &CaseSettings,
) -> Result<ApplicationRow, ApiError> {
    conn.transaction(|conn| {
        let not_found = || Problem::not_found(format!("application {id} does not exist"));
        let mut row = repository::lock(conn, id)?.ok_or_else(not_found)?;
        // Callers other than the owner and staff get the 404 that a read
        // returns, so that a command does not disclose that the id exists.
        let staff = principal.has(Role::CaseHandler) || principal.has(Role::Decider);
        if !staff && row.applicant != principal.subject {
            return Err(not_found().into());
        }
        let state: State = row
            .state
            .parse()
            .map_err(|error: String| ApiError::Internal(error))?;
        let (role, next) = permitted(&row, state, command, principal)?;
        let now = Utc::now();

        match command {
            Command::Submit => submit(conn, &mut row, now.date_naive(), cases)?,
            Command::Claim => {
                if principal.subject == row.applicant {
                    return Err(Problem::forbidden(
                        "you cannot handle an application you applied for",
                    )
                    .into());
                }
                let lease_held = row.claim_expires_at.is_some_and(|until| until > now);
                if let Some(holder) = &row.handler
                    && holder != &principal.subject
                    && lease_held
                {
                    return Err(Problem::conflict(
                        "already-claimed",
                        format!("application {id} is claimed by {holder} until its lease ends"),
                    )
                    .into());
                }
                row.handler = Some(principal.subject.clone());
                row.claim_expires_at = Some(now + Duration::minutes(cases.claim_lease_minutes));
            }
            Command::Approve => approve(conn, &row, principal)?,
            Command::Reject => {
                if input.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                    return Err(Problem::bad_request(
                        "reason-required",
                        "a rejection needs a `reason` the applicant can read",
                    )
                    .into());
                }
            }
            Command::Edit | Command::Withdraw => {}
        }

        if matches!(command, Command::Approve | Command::Reject) {
            row.claim_expires_at = None;
        }
        row.state = next.as_str().to_owned();
        row.revision = repository::save(conn, &row)?;
        repository::record(
            conn,
            id,
            command.as_str(),
            &principal.subject,
            json!({"role": role.as_str(), "state": next.as_str(), "reason": input.reason}),
        )?;
        Ok(row)
    })
}

/// Finds a role of the principal under which the command table allows the
/// command, with the ownership that role needs.
fn permitted(
    row: &ApplicationRow,
    state: State,
    command: Command,
    principal: &Principal,
) -> Result<(Role, State), ApiError> {
    for role in &principal.roles {
        let owns = match role {
            Role::Applicant => row.applicant == principal.subject,
            Role::CaseHandler => {
                command == Command::Claim || row.handler.as_deref() == Some(&principal.subject)
            }
            _ => false,
        };
        if let Some(next) = transition(state, command, *role)
            && owns
        {
            return Ok((*role, next));
        }
    }
    Err(Problem::conflict(
        "command-not-allowed",
        format!(
            "`{}` is not allowed on an application in state `{state}` for your roles{}",
            command.as_str(),
            if matches!(command, Command::Approve | Command::Reject) {
                "; claim the application first"
            } else {
                ""
            }
        ),
    )
    .with("state", state.as_str())
    .into())
}

fn content_of(row: &ApplicationRow) -> Result<ApplicationContent, ApiError> {
    Ok(serde_json::from_value(row.content.clone())?)
}

fn submit(
    conn: &mut PgConnection,
    row: &mut ApplicationRow,
    today: NaiveDate,
    cases: &CaseSettings,
) -> Result<(), ApiError> {
    let content = content_of(row)?;
    let problems = content.check_complete(today);
    if !problems.is_empty() {
        return Err(Problem::new(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            "incomplete-application",
            "the application cannot be submitted until the listed problems are fixed",
        )
        .with("errors", serde_json::to_value(&problems)?)
        .into());
    }

    let version = row.submitted_version.unwrap_or(0) + 1;
    repository::insert_version(conn, row.id, version, &row.content)?;
    row.submitted_version = Some(version);
    row.deadline = Some(today + Duration::days(cases.deadline_days));

    let event = ApplicationSubmitted {
        application_id: row.id,
        version,
        project_id: row.project_id,
        purpose: content.purpose,
        request: content.request,
        legal_basis: content.legal_basis,
    };
    enqueue(conn, events::APPLICATION_SUBMITTED, row.id, &event)
}

fn approve(
    conn: &mut PgConnection,
    row: &ApplicationRow,
    principal: &Principal,
) -> Result<(), ApiError> {
    let version = row
        .submitted_version
        .ok_or_else(|| ApiError::Internal("approved application has no version".into()))?;
    let frozen = repository::find_version(conn, row.id, version)?
        .ok_or_else(|| ApiError::Internal(format!("version {version} is missing")))?;
    let content: ApplicationContent = serde_json::from_value(frozen)?;

    let event = ApplicationApproved {
        application_id: row.id,
        version,
        project_id: row.project_id,
        project_title: content.title,
        purpose: content.purpose,
        request: content.request,
        legal_basis: content.legal_basis,
        recipients: content.recipients,
        valid_until: content.period_end,
        decided_by: principal.subject.clone(),
    };
    enqueue(conn, events::APPLICATION_APPROVED, row.id, &event)
}

fn enqueue(
    conn: &mut PgConnection,
    event_type: &str,
    application_id: uuid::Uuid,
    payload: &impl serde::Serialize,
) -> Result<(), ApiError> {
    let envelope = Envelope::new(event_type, events::VERSION, application_id, payload)
        .map_err(|error| ApiError::Internal(error.to_string()))?;
    outbox::enqueue(conn, &envelope)?;
    Ok(())
}
