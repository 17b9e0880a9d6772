//! Every cell of the role x command x state table, through the HTTP API
//! against the real database. An allowed command succeeds and leads to the
//! expected state. Every other command gets 403 or 409 with a problem body
//! and changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestService, aggregate_content};
use hap_applications::domain::{Command, State};
use hap_kit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use Command as C;
use State as S;

/// The allowed cells and the state each leads to, written out independently
/// of the service's table.
const ALLOWED: &[(Role, Command, State, State)] = &[
    (Role::Applicant, C::Edit, S::Draft, S::Draft),
    (Role::Applicant, C::Edit, S::Returned, S::Returned),
    (Role::Applicant, C::Submit, S::Draft, S::Submitted),
    (Role::Applicant, C::Submit, S::Returned, S::InReview),
    (Role::Applicant, C::Withdraw, S::Draft, S::Withdrawn),
    (Role::Applicant, C::Withdraw, S::Submitted, S::Withdrawn),
    (Role::Applicant, C::Withdraw, S::Returned, S::Withdrawn),
    (Role::Applicant, C::Withdraw, S::InReview, S::Withdrawn),
    (Role::Applicant, C::Withdraw, S::Appealed, S::Withdrawn),
    (Role::Applicant, C::Appeal, S::Rejected, S::Appealed),
    (Role::Applicant, C::Close, S::Delivered, S::Closed),
    (Role::Applicant, C::Amend, S::Approved, S::Draft),
    (
        Role::Applicant,
        C::Amend,
        S::ApprovedWithConditions,
        S::Draft,
    ),
    (Role::Applicant, C::Amend, S::Delivered, S::Draft),
    (Role::CaseHandler, C::Claim, S::Submitted, S::InReview),
    (Role::CaseHandler, C::Claim, S::Appealed, S::InReview),
    (Role::CaseHandler, C::Claim, S::InReview, S::InReview),
    (Role::CaseHandler, C::Reassign, S::InReview, S::InReview),
    (Role::CaseHandler, C::Return, S::InReview, S::Returned),
    (Role::CaseHandler, C::Approve, S::InReview, S::Approved),
    (
        Role::CaseHandler,
        C::ApproveWithConditions,
        S::InReview,
        S::ApprovedWithConditions,
    ),
    (Role::CaseHandler, C::Reject, S::InReview, S::Rejected),
    (Role::CaseHandler, C::Close, S::Delivered, S::Closed),
    (Role::Decider, C::Reassign, S::InReview, S::InReview),
    (Role::Decider, C::Approve, S::InReview, S::Approved),
    (
        Role::Decider,
        C::ApproveWithConditions,
        S::InReview,
        S::ApprovedWithConditions,
    ),
    (Role::Decider, C::Reject, S::InReview, S::Rejected),
    (Role::Decider, C::Revoke, S::Approved, S::Revoked),
    (
        Role::Decider,
        C::Revoke,
        S::ApprovedWithConditions,
        S::Revoked,
    ),
    (Role::Decider, C::Revoke, S::InPreparation, S::Revoked),
    (Role::Decider, C::Revoke, S::Delivered, S::Revoked),
    (Role::Service, C::Expire, S::Approved, S::Expired),
    (
        Role::Service,
        C::Expire,
        S::ApprovedWithConditions,
        S::Expired,
    ),
    (Role::Service, C::Expire, S::InPreparation, S::Expired),
    (Role::Service, C::Expire, S::Delivered, S::Expired),
];

/// Returns a body with every member a command may read.
fn full_input() -> Value {
    json!({
        "reason": "the stated reason",
        "questions": ["Which ethics approval covers the birth registry?"],
        "conditions": ["Publish only aggregate results"],
        "handler": "handler-2",
    })
}

/// Returns the subject that acts under `role`: the owner for the applicant role and
/// the claim holder for the case-handler role, so that only the table can
/// refuse the command.
fn subject_of(role: Role) -> &'static str {
    match role {
        Role::Applicant => "alice",
        Role::CaseHandler => "handler-1",
        Role::Decider => "decider-1",
        Role::Steward => "steward-1",
        Role::Auditor => "auditor-1",
        Role::Service => "service-1",
    }
}

/// Creates an application of alice in `state`: drafts through the API,
/// every other state by submitting it and then setting the case fields in
/// the database as the commands leading there would.
async fn application_in(service: &TestService, state: State) -> Uuid {
    let alice = service.token("alice", &[Role::Applicant]);
    if state == State::Draft {
        return service
            .create_draft(&alice, &aggregate_content("alice"))
            .await;
    }
    let id = service
        .create_draft(&alice, &aggregate_content("alice"))
        .await;
    let submitted = service.command(id, "submit", &alice, &json!({})).await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);

    let handler = match state {
        S::Draft | S::Submitted | S::Appealed => "NULL",
        _ => "'handler-1'",
    };
    let returned_on = if state == S::Returned {
        "current_date"
    } else {
        "NULL"
    };
    let decided = matches!(
        state,
        S::Approved
            | S::ApprovedWithConditions
            | S::Rejected
            | S::InPreparation
            | S::Delivered
            | S::Closed
            | S::Revoked
            | S::Expired
    );
    let decided_at = if decided { "now()" } else { "NULL" };
    // Approved cases get a past period, so that the service may expire them.
    let content = if matches!(
        state,
        S::Approved | S::ApprovedWithConditions | S::InPreparation | S::Delivered
    ) {
        "jsonb_set(content, '{period_end}', '\"2020-01-01\"')"
    } else {
        "content"
    };
    let changed = service.execute_sql(&format!(
        "UPDATE applications SET state = '{state}', handler = {handler}, \
         claim_expires_at = now() + interval '1 hour', returned_on = {returned_on}, \
         decided_at = {decided_at}, content = {content} WHERE id = '{id}'"
    ));
    assert_eq!(changed, 1);
    id
}

/// Issues `command` on `id` as `role`; `edit` is a `PUT` with the current ETag.
async fn issue(service: &TestService, id: Uuid, command: Command, role: Role) -> common::Reply {
    let token = service.token(subject_of(role), &[role]);
    if command != Command::Edit {
        return service
            .command(id, command.as_str(), &token, &full_input())
            .await;
    }
    let path = format!("/v1/applications/{id}");
    let revision = read_as_staff(service, id).await["revision"].clone();
    let etag = format!("\"{revision}\"");
    let mut content = aggregate_content("alice");
    content["title"] = json!("An edited title");
    service
        .send(
            Method::PUT,
            &path,
            Some(&token),
            Some(&content),
            &[("if-match", &etag)],
        )
        .await
}

async fn read_as_staff(service: &TestService, id: Uuid) -> Value {
    let auditor = service.token("auditor-1", &[Role::Auditor]);
    let reply = service
        .get(&format!("/v1/applications/{id}"), &auditor)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_cell_against_database() {
    let service = TestService::start().await;
    let mut refused = 0;
    let mut allowed = 0;

    for state in State::ALL {
        let shared = application_in(&service, state).await;
        let before = read_as_staff(&service, shared).await;

        for role in Role::ALL {
            for command in Command::ALL {
                let cell = format!("{role} {} in {state}", command.as_str());
                let expected = ALLOWED
                    .iter()
                    .find(|(r, c, s, _)| *r == role && *c == command && *s == state)
                    .map(|(_, _, _, next)| *next);

                let Some(next) = expected else {
                    let reply = issue(&service, shared, command, role).await;
                    assert!(
                        reply.status == StatusCode::FORBIDDEN
                            || reply.status == StatusCode::CONFLICT,
                        "{cell}: {} {}",
                        reply.status,
                        reply.body
                    );
                    assert!(
                        reply.problem_type().starts_with("urn:hap:problem:"),
                        "{cell}: {}",
                        reply.body
                    );
                    assert_eq!(reply.body["status"], reply.status.as_u16(), "{cell}");
                    assert!(
                        reply.body["detail"].as_str().is_some_and(|d| !d.is_empty()),
                        "{cell}: {}",
                        reply.body
                    );
                    refused += 1;
                    continue;
                };

                let fresh = application_in(&service, state).await;
                let reply = issue(&service, fresh, command, role).await;
                assert_eq!(reply.status, StatusCode::OK, "{cell}: {}", reply.body);
                assert_eq!(reply.body["state"], next.as_str(), "{cell}");
                let stored = read_as_staff(&service, fresh).await;
                assert_eq!(stored["state"], next.as_str(), "{cell}");
                allowed += 1;
            }
        }

        let after = read_as_staff(&service, shared).await;
        assert_eq!(after["state"], before["state"], "refusals moved {state}");
        assert_eq!(
            after["revision"], before["revision"],
            "refusals changed {state}"
        );
    }

    let cells = State::ALL.len() * Role::ALL.len() * Command::ALL.len();
    assert_eq!(allowed, ALLOWED.len());
    assert_eq!(allowed + refused, cells);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_without_command_get_403() {
    let service = TestService::start().await;
    let id = application_in(&service, State::InReview).await;

    let steward = issue(&service, id, Command::Approve, Role::Steward).await;
    let applicant = issue(&service, id, Command::Claim, Role::Applicant).await;
    let handler = issue(&service, id, Command::Revoke, Role::CaseHandler).await;
    let in_wrong_state = issue(&service, id, Command::Submit, Role::Applicant).await;

    assert_eq!(steward.status, StatusCode::FORBIDDEN);
    assert_eq!(applicant.status, StatusCode::FORBIDDEN);
    assert_eq!(handler.status, StatusCode::FORBIDDEN);
    assert_eq!(in_wrong_state.status, StatusCode::CONFLICT);
    assert_eq!(
        in_wrong_state.problem_type(),
        "urn:hap:problem:command-not-allowed"
    );
    assert_eq!(in_wrong_state.body["state"], "in-review");
    service.stop().await;
}
