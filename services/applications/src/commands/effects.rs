//! The effect of each command besides the state change, and the input it needs.

use chrono::{DateTime, Duration, Utc};
use diesel::PgConnection;
use hap_contracts::events::{self, ApplicationApproved, ApplicationSubmitted, PermitRevoked};
use hap_kit::auth::Principal;
use hap_kit::http::{ApiError, Problem};

use super::{CommandInput, enqueue};
use crate::attachments;
use crate::domain::attachments::check_attachments;
use crate::domain::deadline::Clock;
use crate::domain::{ApplicationContent, Command};
use crate::repository::{self, ApplicationRow};
use crate::settings::CaseSettings;

/// Applies the effect of `command` to `row`, which the caller saves.
#[allow(clippy::too_many_arguments)]
pub fn apply(
    conn: &mut PgConnection,
    row: &mut ApplicationRow,
    content: &ApplicationContent,
    command: Command,
    principal: &Principal,
    input: &CommandInput,
    cases: &CaseSettings,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let today = now.date_naive();
    match command {
        Command::Submit => submit(conn, row, content, cases, now)?,
        Command::Claim => {
            row.handler = Some(principal.subject.clone());
            row.claim_expires_at = Some(now + Duration::minutes(cases.claim_lease_minutes));
        }
        Command::Reassign => {
            let target = required_text(&input.handler, "handler", "name the case handler")?;
            if target == row.applicant || content.involves(target) {
                return Err(Problem::forbidden(format!(
                    "{target} takes part in this project and cannot handle its application"
                ))
                .into());
            }
            row.handler = Some(target.to_owned());
            row.claim_expires_at = Some(now + Duration::minutes(cases.claim_lease_minutes));
        }
        Command::Return => {
            required_list(&input.questions, "questions")?;
            let mut clock = running_clock(row)?;
            clock.pause(today);
            row.set_clock(&clock, today);
        }
        Command::Approve | Command::ApproveWithConditions => {
            if command == Command::ApproveWithConditions {
                required_list(&input.conditions, "conditions")?;
            }
            approve(conn, row, principal)?;
            row.approved_version = row.submitted_version;
            row.decided_at = Some(now);
            row.claim_expires_at = None;
        }
        Command::Reject => {
            required_text(
                &input.reason,
                "reason",
                "give the reasons the applicant can read",
            )?;
            row.decided_at = Some(now);
            row.claim_expires_at = None;
        }
        Command::Appeal => {
            required_text(&input.reason, "reason", "give the grounds of the appeal")?;
            check_appeal_period(row, cases, now)?;
            // The appeal is a new case for the deadline clock.
            let limit = running_clock(row)?.limit_working_days;
            row.set_clock(&Clock::start(today, limit), today);
            row.handler = None;
            row.claim_expires_at = None;
        }
        Command::Revoke => {
            let reason = required_text(
                &input.reason,
                "reason",
                "give the reason for revoking the permit",
            )?;
            revoke_permit(conn, row, reason, principal, now)?;
        }
        Command::Withdraw => {
            row.claim_expires_at = None;
        }
        Command::Amend => {
            // The new version gets its own deadline clock when submitted.
            row.handler = None;
            row.claim_expires_at = None;
            row.clock_started_on = None;
            row.deadline = None;
        }
        Command::Edit | Command::Close | Command::Expire => {}
    }
    Ok(())
}

/// Freezes a version with its attachments, starts the clock (or resumes it when the case was
/// returned) and enqueues `application.submitted`.
fn submit(
    conn: &mut PgConnection,
    row: &mut ApplicationRow,
    content: &ApplicationContent,
    cases: &CaseSettings,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let today = now.date_naive();
    let mut problems = content.check_complete(today);
    let attached = attachments::repository::current_kinds(conn, row.id)?;
    problems.extend(check_attachments(content, &attached));
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
    attachments::repository::freeze(conn, row.id, version)?;
    row.submitted_version = Some(version);
    row.registries = content.registry_names();
    // A resubmission after a return resumes the clock. A first submission
    // or an amendment starts a new one.
    let clock = match row.clock().filter(|clock| clock.paused_since.is_some()) {
        Some(mut paused) => {
            paused.resume(today);
            paused
        }
        None => {
            row.submitted_at.get_or_insert(now);
            Clock::start(today, cases.limits().for_sources(row.registries.len()))
        }
    };
    row.set_clock(&clock, today);

    let event = ApplicationSubmitted {
        application_id: row.id,
        version,
        project_id: row.project_id,
        purpose: content.purpose.clone(),
        request: content.request.clone(),
        legal_basis: content.legal_basis.clone(),
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

/// Enqueues `permit.revoked` for the permit of the latest
/// `legal_basis.cleared`, so that the delivery service withdraws its
/// downloads. A case revoked before the consent service issued a permit has
/// none, and only its state changes.
fn revoke_permit(
    conn: &mut PgConnection,
    row: &ApplicationRow,
    reason: &str,
    principal: &Principal,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let permit_id = repository::timeline_of(conn, row.id)?
        .into_iter()
        .rev()
        .find(|entry| entry.event == events::LEGAL_BASIS_CLEARED)
        .and_then(|entry| {
            entry.detail["permit_id"]
                .as_str()?
                .parse::<uuid::Uuid>()
                .ok()
        });
    let Some(permit_id) = permit_id else {
        return Ok(());
    };
    let event = PermitRevoked {
        application_id: row.id,
        permit_id,
        reason: reason.to_owned(),
        revoked_by: principal.subject.clone(),
        revoked_at: now,
    };
    enqueue(conn, events::PERMIT_REVOKED, row.id, &event)
}

fn running_clock(row: &ApplicationRow) -> Result<Clock, ApiError> {
    row.clock().ok_or_else(|| {
        ApiError::Internal(format!(
            "application {} in state {} has no deadline clock",
            row.id, row.state
        ))
    })
}

fn check_appeal_period(
    row: &ApplicationRow,
    cases: &CaseSettings,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let decided_at = row.decided_at.ok_or_else(|| {
        ApiError::Internal(format!(
            "rejected application {} has no decision time",
            row.id
        ))
    })?;
    let ends = decided_at + Duration::days(cases.appeal_period_days);
    if now > ends {
        return Err(Problem::conflict(
            "appeal-period-ended",
            format!(
                "the appeal period of {} days ended at {ends}",
                cases.appeal_period_days
            ),
        )
        .into());
    }
    Ok(())
}

fn required_text<'a>(
    value: &'a Option<String>,
    field: &str,
    what: &str,
) -> Result<&'a str, Problem> {
    match value.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => Ok(text),
        _ => Err(Problem::bad_request(
            &format!("{field}-required"),
            format!("`{field}` is missing: {what}"),
        )),
    }
}

fn required_list(values: &[String], field: &str) -> Result<(), Problem> {
    if values.iter().any(|value| !value.trim().is_empty()) {
        Ok(())
    } else {
        Err(Problem::bad_request(
            &format!("{field}-required"),
            format!("`{field}` is missing: give at least one"),
        ))
    }
}
