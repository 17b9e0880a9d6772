//! Application states and which role may issue which command in which state.

use std::fmt;
use std::str::FromStr;

use hap_kit::auth::Role;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Draft,
    Submitted,
    InReview,
    Approved,
    Rejected,
    Withdrawn,
    /// The pipeline is preparing the data after the legal basis was cleared.
    InPreparation,
    Delivered,
}

impl State {
    pub const ALL: [State; 8] = [
        State::Draft,
        State::Submitted,
        State::InReview,
        State::Approved,
        State::Rejected,
        State::Withdrawn,
        State::InPreparation,
        State::Delivered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Submitted => "submitted",
            State::InReview => "in-review",
            State::Approved => "approved",
            State::Rejected => "rejected",
            State::Withdrawn => "withdrawn",
            State::InPreparation => "in-preparation",
            State::Delivered => "delivered",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for State {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        State::ALL
            .into_iter()
            .find(|state| state.as_str() == text)
            .ok_or_else(|| format!("unknown state `{text}`"))
    }
}

/// A request a person can make on an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Edit,
    Submit,
    Withdraw,
    Claim,
    Approve,
    Reject,
}

impl Command {
    pub fn as_str(self) -> &'static str {
        match self {
            Command::Edit => "edit",
            Command::Submit => "submit",
            Command::Withdraw => "withdraw",
            Command::Claim => "claim",
            Command::Approve => "approve",
            Command::Reject => "reject",
        }
    }
}

/// Returns the state a command leads to when `role` may issue it in `state`,
/// which makes this function the command table. Ownership (the applicant's own application, the handler's own
/// claim) is checked by the caller.
pub fn transition(state: State, command: Command, role: Role) -> Option<State> {
    use Command::*;
    use State::*;
    match (role, command, state) {
        (Role::Applicant, Edit, Draft) => Some(Draft),
        (Role::Applicant, Submit, Draft) => Some(Submitted),
        (Role::Applicant, Withdraw, Draft | Submitted | InReview) => Some(Withdrawn),
        (Role::CaseHandler, Claim, Submitted | InReview) => Some(InReview),
        (Role::CaseHandler, Approve, InReview) => Some(Approved),
        (Role::CaseHandler, Reject, InReview) => Some(Rejected),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMANDS: [Command; 6] = [
        Command::Edit,
        Command::Submit,
        Command::Withdraw,
        Command::Claim,
        Command::Approve,
        Command::Reject,
    ];

    /// Every allowed (role, command, state) cell and where it leads; every
    /// other cell of the table must be refused.
    const ALLOWED: &[(Role, Command, State, State)] = &[
        (Role::Applicant, Command::Edit, State::Draft, State::Draft),
        (
            Role::Applicant,
            Command::Submit,
            State::Draft,
            State::Submitted,
        ),
        (
            Role::Applicant,
            Command::Withdraw,
            State::Draft,
            State::Withdrawn,
        ),
        (
            Role::Applicant,
            Command::Withdraw,
            State::Submitted,
            State::Withdrawn,
        ),
        (
            Role::Applicant,
            Command::Withdraw,
            State::InReview,
            State::Withdrawn,
        ),
        (
            Role::CaseHandler,
            Command::Claim,
            State::Submitted,
            State::InReview,
        ),
        (
            Role::CaseHandler,
            Command::Claim,
            State::InReview,
            State::InReview,
        ),
        (
            Role::CaseHandler,
            Command::Approve,
            State::InReview,
            State::Approved,
        ),
        (
            Role::CaseHandler,
            Command::Reject,
            State::InReview,
            State::Rejected,
        ),
    ];

    #[test]
    fn command_table_cell_by_cell() {
        for role in Role::ALL {
            for command in COMMANDS {
                for state in State::ALL {
                    let expected = ALLOWED
                        .iter()
                        .find(|(r, c, s, _)| *r == role && *c == command && *s == state)
                        .map(|(_, _, _, next)| *next);
                    assert_eq!(
                        transition(state, command, role),
                        expected,
                        "{role} {} in {state}",
                        command.as_str()
                    );
                }
            }
        }
    }

    #[test]
    fn state_names_round_trip() {
        for state in State::ALL {
            assert_eq!(state.as_str().parse::<State>(), Ok(state));
        }
    }
}
