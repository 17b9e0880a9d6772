//! Decides whether a principal may issue a command on one application: the
//! command table first, then who the case belongs to.

use chrono::{DateTime, Utc};
use hap_contracts::application::DisclosureLevel;
use hap_kit::auth::{Principal, Role};
use hap_kit::http::{ApiError, Problem};

use crate::domain::state::{role_may_issue, transition};
use crate::domain::{ApplicationContent, Command, State};
use crate::repository::ApplicationRow;

/// Roles that see every application: case staff, auditors and services.
/// Stewards and applicants see only the applications they applied for.
const SEE_ALL: [Role; 4] = [
    Role::CaseHandler,
    Role::Decider,
    Role::Auditor,
    Role::Service,
];

/// Returns 404 to a caller who may not know that the application exists:
/// one who did not apply for it and holds none of the roles in [`SEE_ALL`].
pub fn ensure_visible(row: &ApplicationRow, principal: &Principal) -> Result<(), Problem> {
    let staff = SEE_ALL.iter().any(|role| principal.has(*role));
    if staff || row.applicant == principal.subject {
        Ok(())
    } else {
        Err(Problem::not_found(format!(
            "application {} does not exist",
            row.id
        )))
    }
}

/// Returns the role under which `principal` may issue `command` and the
/// state it leads to.
///
/// A principal none of whose roles may ever issue the command gets 403. A
/// command the table does not allow in this state gets 409. Otherwise the
/// first role whose checks of the case pass wins, and when none passes the
/// first role's problem is returned.
pub fn authorize(
    row: &ApplicationRow,
    content: &ApplicationContent,
    state: State,
    command: Command,
    principal: &Principal,
    now: DateTime<Utc>,
) -> Result<(Role, State), ApiError> {
    if !principal
        .roles
        .iter()
        .any(|role| role_may_issue(*role, command))
    {
        let roles: Vec<&str> = Role::ALL
            .into_iter()
            .filter(|role| role_may_issue(*role, command))
            .map(Role::as_str)
            .collect();
        return Err(Problem::forbidden(format!(
            "`{}` needs one of the roles {}",
            command.as_str(),
            roles.join(", ")
        ))
        .into());
    }

    let mut first_problem = None;
    for role in &principal.roles {
        let Some(next) = transition(state, command, *role) else {
            continue;
        };
        match check_case(row, content, command, *role, principal, now) {
            Ok(()) => return Ok((*role, next)),
            Err(problem) => {
                first_problem.get_or_insert(problem);
            }
        }
    }
    Err(first_problem
        .unwrap_or_else(|| not_allowed(state, command))
        .into())
}

fn not_allowed(state: State, command: Command) -> Problem {
    Problem::conflict(
        "command-not-allowed",
        format!(
            "`{}` is not allowed on an application in state `{state}` for your roles",
            command.as_str()
        ),
    )
    .with("state", state.as_str())
}

/// Checks who the case belongs to, for a cell the table allows.
fn check_case(
    row: &ApplicationRow,
    content: &ApplicationContent,
    command: Command,
    role: Role,
    principal: &Principal,
    now: DateTime<Utc>,
) -> Result<(), Problem> {
    let subject = principal.subject.as_str();
    let involved = row.applicant == subject || content.involves(subject);
    let holds_claim = row.handler.as_deref() == Some(subject);
    let not_involved = || {
        if involved {
            Err(Problem::forbidden(
                "you take part in this project, so you cannot handle or decide its application",
            ))
        } else {
            Ok(())
        }
    };
    let claim_first = || {
        Problem::conflict(
            "not-claimed",
            format!(
                "`{}` needs the claim on application {}; claim it first",
                command.as_str(),
                row.id
            ),
        )
    };

    match role {
        Role::Applicant if row.applicant != subject => Err(Problem::forbidden(
            "only the applicant may issue this command",
        )),
        Role::Applicant => Ok(()),
        Role::CaseHandler => {
            not_involved()?;
            match command {
                Command::Claim => check_lease(row, subject, now),
                _ if !holds_claim => Err(claim_first()),
                _ if command.is_decision() && identifiable(content) => {
                    Err(Problem::forbidden(
                        "pseudonymous microdata needs a decision by a decider other than the case handler",
                    )
                    .with("decider_required", true))
                }
                _ => Ok(()),
            }
        }
        Role::Decider => {
            not_involved()?;
            if !command.is_decision() {
                return Ok(());
            }
            match row.handler.as_deref() {
                None => Err(Problem::conflict(
                    "not-reviewed",
                    format!(
                        "application {} has no case handler; a handler claims and reviews it before a decision",
                        row.id
                    ),
                )),
                Some(handler) if handler == subject && identifiable(content) => {
                    Err(Problem::forbidden(
                        "you handled this case; pseudonymous microdata needs another decider",
                    ))
                }
                Some(_) => Ok(()),
            }
        }
        Role::Service => {
            if command == Command::Expire && content.period_end >= now.date_naive() {
                return Err(Problem::conflict(
                    "period-not-ended",
                    format!(
                        "the project period ends on {}; an application expires only after it",
                        content.period_end
                    ),
                ));
            }
            Ok(())
        }
        Role::Steward | Role::Auditor => Err(Problem::forbidden(
            "this role issues no commands on applications",
        )),
    }
}

fn identifiable(content: &ApplicationContent) -> bool {
    content.request.disclosure_level == DisclosureLevel::Pseudonymous
}

/// Refuses a claim while another handler's lease runs.
fn check_lease(row: &ApplicationRow, subject: &str, now: DateTime<Utc>) -> Result<(), Problem> {
    let lease_held = row.claim_expires_at.is_some_and(|until| until > now);
    match &row.handler {
        Some(holder) if holder != subject && lease_held => Err(Problem::conflict(
            "already-claimed",
            format!(
                "application {} is claimed by another case handler until its lease ends",
                row.id
            ),
        )),
        _ => Ok(()),
    }
}
