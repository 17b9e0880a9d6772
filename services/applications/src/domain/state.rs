//! Application states, which role may issue which command in which state,
//! and which pipeline event moves a case from which state.

use std::fmt;
use std::str::FromStr;

use hap_kit::auth::Role;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Draft,
    Submitted,
    /// Returned to the applicant with questions. The deadline clock is paused.
    Returned,
    InReview,
    /// The applicant appealed a rejection; the case waits for a handler.
    Appealed,
    Approved,
    ApprovedWithConditions,
    Rejected,
    Withdrawn,
    /// The pipeline is preparing the data after the legal basis was cleared.
    InPreparation,
    Delivered,
    Closed,
    Revoked,
    /// The project period ended.
    Expired,
}

impl State {
    pub const ALL: [State; 14] = [
        State::Draft,
        State::Submitted,
        State::Returned,
        State::InReview,
        State::Appealed,
        State::Approved,
        State::ApprovedWithConditions,
        State::Rejected,
        State::Withdrawn,
        State::InPreparation,
        State::Delivered,
        State::Closed,
        State::Revoked,
        State::Expired,
    ];

    /// States of cases that wait for case work, in the queue.
    pub const QUEUED: [State; 4] = [
        State::Submitted,
        State::Appealed,
        State::InReview,
        State::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Submitted => "submitted",
            State::Returned => "returned",
            State::InReview => "in-review",
            State::Appealed => "appealed",
            State::Approved => "approved",
            State::ApprovedWithConditions => "approved-with-conditions",
            State::Rejected => "rejected",
            State::Withdrawn => "withdrawn",
            State::InPreparation => "in-preparation",
            State::Delivered => "delivered",
            State::Closed => "closed",
            State::Revoked => "revoked",
            State::Expired => "expired",
        }
    }

    /// Returns whether the deadline clock runs in this state.
    pub fn clock_runs(self) -> bool {
        matches!(self, State::Submitted | State::Appealed | State::InReview)
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

/// A request a person or a service can make on an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Edit,
    Submit,
    Withdraw,
    Claim,
    /// Hands the case to another case handler.
    Reassign,
    /// Returns the case to the applicant with questions.
    Return,
    Approve,
    ApproveWithConditions,
    Reject,
    Appeal,
    Revoke,
    Close,
    Expire,
    /// Reopens an approved application as a draft of a new version, which
    /// is reviewed against the approved one.
    Amend,
}

impl Command {
    pub const ALL: [Command; 14] = [
        Command::Edit,
        Command::Submit,
        Command::Withdraw,
        Command::Claim,
        Command::Reassign,
        Command::Return,
        Command::Approve,
        Command::ApproveWithConditions,
        Command::Reject,
        Command::Appeal,
        Command::Revoke,
        Command::Close,
        Command::Expire,
        Command::Amend,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Command::Edit => "edit",
            Command::Submit => "submit",
            Command::Withdraw => "withdraw",
            Command::Claim => "claim",
            Command::Reassign => "reassign",
            Command::Return => "return",
            Command::Approve => "approve",
            Command::ApproveWithConditions => "approve-with-conditions",
            Command::Reject => "reject",
            Command::Appeal => "appeal",
            Command::Revoke => "revoke",
            Command::Close => "close",
            Command::Expire => "expire",
            Command::Amend => "amend",
        }
    }

    /// Returns whether the command decides the case.
    pub fn is_decision(self) -> bool {
        matches!(
            self,
            Command::Approve | Command::ApproveWithConditions | Command::Reject
        )
    }
}

impl FromStr for Command {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Command::ALL
            .into_iter()
            .find(|command| command.as_str() == text)
            .ok_or_else(|| format!("unknown command `{text}`"))
    }
}

/// Returns the state a command leads to when `role` may issue it in `state`,
/// which makes this function the command table.
///
/// The table does not cover whose case it is. The caller checks that an
/// applicant owns the application, that a case handler holds the claim, that
/// a decider is not the handler, and that nobody acts on a project they are
/// a member of.
pub fn transition(state: State, command: Command, role: Role) -> Option<State> {
    use Command::*;
    use State::*;
    let next = match (role, command, state) {
        (Role::Applicant, Edit, Draft | Returned) => state,
        (Role::Applicant, Submit, Draft) => Submitted,
        // The applicant's resubmission sends the case back to its handler.
        (Role::Applicant, Submit, Returned) => InReview,
        (Role::Applicant, Withdraw, Draft | Submitted | Returned | InReview | Appealed) => {
            Withdrawn
        }
        (Role::Applicant, Appeal, Rejected) => Appealed,
        (Role::Applicant, Close, Delivered) => Closed,
        (Role::Applicant, Amend, Approved | ApprovedWithConditions | Delivered) => Draft,

        (Role::CaseHandler, Claim, Submitted | Appealed | InReview) => InReview,
        (Role::CaseHandler, Reassign, InReview) => InReview,
        (Role::CaseHandler, Return, InReview) => Returned,
        (Role::CaseHandler, Approve, InReview) => Approved,
        (Role::CaseHandler, ApproveWithConditions, InReview) => ApprovedWithConditions,
        (Role::CaseHandler, Reject, InReview) => Rejected,
        (Role::CaseHandler, Close, Delivered) => Closed,

        (Role::Decider, Reassign, InReview) => InReview,
        (Role::Decider, Approve, InReview) => Approved,
        (Role::Decider, ApproveWithConditions, InReview) => ApprovedWithConditions,
        (Role::Decider, Reject, InReview) => Rejected,
        (Role::Decider, Revoke, Approved | ApprovedWithConditions | InPreparation | Delivered) => {
            Revoked
        }

        (Role::Service, Expire, Approved | ApprovedWithConditions | InPreparation | Delivered) => {
            Expired
        }
        _ => return None,
    };
    Some(next)
}

/// Returns whether `role` may issue `command` in some state.
pub fn role_may_issue(role: Role, command: Command) -> bool {
    State::ALL
        .into_iter()
        .any(|state| transition(state, command, role).is_some())
}

/// The effect of a pipeline event on a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PipelineEffect {
    /// The event is recorded on the timeline and leaves the state alone.
    Record,
    /// The event moves a case from one of `from` to `to`; in any other state
    /// it is recorded and ignored.
    Move { from: &'static [State], to: State },
}

const DECIDED: &[State] = &[State::Approved, State::ApprovedWithConditions];
const IN_PIPELINE: &[State] = &[
    State::Approved,
    State::ApprovedWithConditions,
    State::InPreparation,
];

/// Returns the effect of a pipeline event type, which makes this function the
/// pipeline's table.
pub fn pipeline_effect(event: &str) -> PipelineEffect {
    use hap_contracts::events as e;
    match event {
        e::LEGAL_BASIS_CLEARED => PipelineEffect::Move {
            from: DECIDED,
            to: State::InPreparation,
        },
        e::DELIVERY_READY => PipelineEffect::Move {
            from: &[State::InPreparation],
            to: State::Delivered,
        },
        // A failed step returns the case to the queue for a handler.
        e::LEGAL_BASIS_REJECTED
        | e::LINKAGE_FAILED
        | e::ANONYMIZATION_REJECTED
        | e::DELIVERY_FAILED => PipelineEffect::Move {
            from: IN_PIPELINE,
            to: State::InReview,
        },
        _ => PipelineEffect::Record,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hap_contracts::events;

    #[test]
    fn state_names_round_trip() {
        for state in State::ALL {
            assert_eq!(state.as_str().parse::<State>(), Ok(state));
        }
    }

    #[test]
    fn command_names_round_trip() {
        for command in Command::ALL {
            assert_eq!(command.as_str().parse::<Command>(), Ok(command));
        }
    }

    #[test]
    fn steward_and_auditor_issue_nothing() {
        for command in Command::ALL {
            assert!(!role_may_issue(Role::Steward, command));
            assert!(!role_may_issue(Role::Auditor, command));
        }
    }

    #[test]
    fn terminal_states_accept_no_command() {
        for state in [
            State::Withdrawn,
            State::Closed,
            State::Revoked,
            State::Expired,
        ] {
            for role in Role::ALL {
                for command in Command::ALL {
                    assert_eq!(transition(state, command, role), None, "{role} {command:?}");
                }
            }
        }
    }

    #[test]
    fn delivery_moves_only_cases_in_preparation() {
        let PipelineEffect::Move { from, to } = pipeline_effect(events::DELIVERY_READY) else {
            panic!("delivery.ready must move the case");
        };
        assert_eq!(from, &[State::InPreparation]);
        assert_eq!(to, State::Delivered);
        assert_eq!(
            pipeline_effect(events::LEGAL_BASIS_ASSESSED),
            PipelineEffect::Record
        );
    }
}
