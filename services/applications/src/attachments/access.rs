//! Who may read and who may change the attachments of an application.

use hap_kit::auth::{Principal, Role};
use hap_kit::http::Problem;

use crate::domain::state::transition;
use crate::domain::{Command, State};
use crate::repository::ApplicationRow;

/// The staff roles that read every application's attachments.
const READING_STAFF: [Role; 3] = [Role::CaseHandler, Role::Decider, Role::Auditor];

/// Returns the role under which `principal` lists and downloads the
/// attachments of `row`: the applicant who owns it, or a case handler,
/// decider or auditor. Another applicant gets 404, as for the application.
pub fn read_role(row: &ApplicationRow, principal: &Principal) -> Result<Role, Problem> {
    if row.applicant == principal.subject && principal.has(Role::Applicant) {
        return Ok(Role::Applicant);
    }
    if let Some(role) = READING_STAFF.into_iter().find(|role| principal.has(*role)) {
        return Ok(role);
    }
    crate::commands::ensure_visible(row, principal)?;
    Err(Problem::forbidden(
        "attachments are read by the applicant who owns the application, case handlers, deciders and auditors",
    ))
}

/// Checks that `principal` may upload or delete attachments of `row` now:
/// the applicant who owns it, while the applicant may edit it (in draft or
/// while returned), as the command table's `edit` cell says.
pub fn check_can_change(row: &ApplicationRow, principal: &Principal) -> Result<(), Problem> {
    crate::commands::ensure_visible(row, principal)?;
    if row.applicant != principal.subject || !principal.has(Role::Applicant) {
        return Err(Problem::forbidden(
            "only the applicant who owns the application changes its attachments",
        ));
    }
    let state: State = row.state.parse().map_err(|_| Problem::internal())?;
    if transition(state, Command::Edit, Role::Applicant).is_none() {
        return Err(Problem::conflict(
            "attachments-frozen",
            format!(
                "application {} is `{state}`; attachments change only in draft or while returned",
                row.id
            ),
        )
        .with("state", state.as_str()));
    }
    Ok(())
}
