//! Case work beyond the command table: who may decide, the deadline clock,
//! claim leases, reassignment, queue filters and appeals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, NaiveDate, Utc};
use common::service::{item_ids, problem};
use common::{TestService, aggregate_content, complete_content};
use hap_applications::domain::calendar::{add_working_days, working_days_between};
use hap_kit::auth::Role;
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

fn deadline_of(body: &serde_json::Value) -> NaiveDate {
    body["deadline"]
        .as_str()
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(|| panic!("no deadline in {body}"))
}

/// Returns the working day ten working days before `today`.
fn ten_working_days_before(today: NaiveDate) -> NaiveDate {
    let mut day = today;
    while working_days_between(day, today) < 10 {
        day -= Duration::days(1);
    }
    day
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn return_for_ten_working_days_moves_deadline() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let today = Utc::now().date_naive();
    let plain = service.submitted_application("alice", &alice).await;
    let returned = service.submitted_application("alice", &alice).await;
    let claimed = service
        .command(returned, "claim", &handler, &json!({}))
        .await;
    assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.body);

    let sent_back = service
        .command(
            returned,
            "return",
            &handler,
            &json!({"questions": ["Which ethics approval covers the cancer registry?"]}),
        )
        .await;
    // The case waited ten working days for the applicant's resubmission.
    let changed = service.execute_sql(&format!(
        "UPDATE applications SET returned_on = '{}' WHERE id = '{returned}'",
        ten_working_days_before(today)
    ));
    assert_eq!(changed, 1);
    let while_returned = service
        .get(&format!("/v1/applications/{returned}"), &alice)
        .await;
    let answered = service
        .command(returned, "submit", &alice, &json!({}))
        .await;
    let plain_read = service
        .get(&format!("/v1/applications/{plain}"), &alice)
        .await;

    assert_eq!(sent_back.status, StatusCode::OK, "{}", sent_back.body);
    assert_eq!(sent_back.body["state"], "returned");
    assert_eq!(while_returned.body["deadline_paused"], true);
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
    assert_eq!(answered.body["state"], "in-review");
    assert_eq!(answered.body["deadline_paused"], false);
    assert_eq!(answered.body["version"], 2);
    let plain_deadline = deadline_of(&plain_read.body);
    let returned_deadline = deadline_of(&answered.body);
    assert_eq!(plain_deadline, add_working_days(today, 60));
    assert_eq!(
        working_days_between(plain_deadline, returned_deadline),
        10,
        "{plain_deadline} and {returned_deadline}"
    );
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_source_gets_thirty_working_days() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let id = service
        .create_draft(&alice, &aggregate_content("alice"))
        .await;

    let submitted = service.command(id, "submit", &alice, &json!({})).await;

    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    let today = Utc::now().date_naive();
    assert_eq!(deadline_of(&submitted.body), add_working_days(today, 30));
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pseudonymous_decision_needs_other_decider() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let both = service.token("lead-1", &[Role::CaseHandler, Role::Decider]);
    let decider = service.token("decider-1", &[Role::Decider]);
    let by_handler = service.submitted_application("alice", &alice).await;
    let by_both = service.submitted_application("alice", &alice).await;
    for (id, token) in [(by_handler, &handler), (by_both, &both)] {
        let claimed = service.command(id, "claim", token, &json!({})).await;
        assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.body);
    }

    let handler_approves = service
        .command(by_handler, "approve", &handler, &json!({}))
        .await;
    let same_person = service.command(by_both, "approve", &both, &json!({})).await;
    let other_decider = service
        .command(by_both, "approve", &decider, &json!({}))
        .await;

    assert_eq!(handler_approves.status, StatusCode::FORBIDDEN);
    assert_eq!(handler_approves.body["decider_required"], true);
    assert_eq!(
        same_person.status,
        StatusCode::FORBIDDEN,
        "{}",
        same_person.body
    );
    assert_eq!(
        other_decider.status,
        StatusCode::OK,
        "{}",
        other_decider.body
    );
    assert_eq!(other_decider.body["state"], "approved");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aggregate_decision_by_handler() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let id = service
        .create_draft(&alice, &aggregate_content("alice"))
        .await;
    service.command(id, "submit", &alice, &json!({})).await;
    service.command(id, "claim", &handler, &json!({})).await;

    let approved = service
        .command(
            id,
            "approve-with-conditions",
            &handler,
            &json!({"conditions": ["Publish no cell below five"]}),
        )
        .await;

    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["state"], "approved-with-conditions");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_members_cannot_handle() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let member = service.token("member-1", &[Role::CaseHandler, Role::Decider]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let id = service.submitted_application("alice", &alice).await;

    let claim = service.command(id, "claim", &member, &json!({})).await;
    service.command(id, "claim", &handler, &json!({})).await;
    let reassign = service
        .command(id, "reassign", &handler, &json!({"handler": "member-1"}))
        .await;
    let decide = service.command(id, "approve", &member, &json!({})).await;

    assert_eq!(claim.status, StatusCode::FORBIDDEN, "{}", claim.body);
    assert_eq!(claim.problem_type(), problem("forbidden"));
    assert_eq!(reassign.status, StatusCode::FORBIDDEN, "{}", reassign.body);
    assert_eq!(decide.status, StatusCode::FORBIDDEN, "{}", decide.body);
    let read = service
        .get(&format!("/v1/applications/{id}"), &handler)
        .await;
    assert_eq!(read.body["handler"], "handler-1");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_lease_lets_other_claim() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let first = service.token("handler-1", &[Role::CaseHandler]);
    let second = service.token("handler-2", &[Role::CaseHandler]);
    let id = service.submitted_application("alice", &alice).await;
    let claimed = service.command(id, "claim", &first, &json!({})).await;
    let lease_end: chrono::DateTime<Utc> = claimed.body["claim_expires_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    let while_held = service.command(id, "claim", &second, &json!({})).await;
    service.execute_sql(&format!(
        "UPDATE applications SET claim_expires_at = now() - interval '1 second' WHERE id = '{id}'"
    ));
    let after_expiry = service.command(id, "claim", &second, &json!({})).await;
    let old_holder = service
        .command(id, "return", &first, &json!({"questions": ["?"]}))
        .await;

    let lease = lease_end - Utc::now();
    assert!(
        lease > Duration::minutes(239) && lease <= Duration::minutes(240),
        "{lease}"
    );
    assert_eq!(while_held.status, StatusCode::CONFLICT);
    assert_eq!(while_held.problem_type(), problem("already-claimed"));
    assert_eq!(after_expiry.status, StatusCode::OK, "{}", after_expiry.body);
    assert_eq!(after_expiry.body["handler"], "handler-2");
    assert_eq!(old_holder.status, StatusCode::CONFLICT);
    assert_eq!(old_holder.problem_type(), problem("not-claimed"));
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reassign_hands_case_over() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let first = service.token("handler-1", &[Role::CaseHandler]);
    let second = service.token("handler-2", &[Role::CaseHandler]);
    let id = service.submitted_application("alice", &alice).await;
    service.command(id, "claim", &first, &json!({})).await;

    let without_target = service.command(id, "reassign", &first, &json!({})).await;
    let reassigned = service
        .command(id, "reassign", &first, &json!({"handler": "handler-2"}))
        .await;
    let by_old = service
        .command(id, "return", &first, &json!({"questions": ["?"]}))
        .await;
    let by_new = service
        .command(
            id,
            "return",
            &second,
            &json!({"questions": ["Which cohort?"]}),
        )
        .await;

    assert_eq!(without_target.status, StatusCode::BAD_REQUEST);
    assert_eq!(without_target.problem_type(), problem("handler-required"));
    assert_eq!(reassigned.status, StatusCode::OK, "{}", reassigned.body);
    assert_eq!(reassigned.body["handler"], "handler-2");
    assert_eq!(by_old.status, StatusCode::CONFLICT);
    assert_eq!(by_new.status, StatusCode::OK, "{}", by_new.body);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_filters() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let linked = service.submitted_application("alice", &alice).await;
    let single = service
        .create_draft(&alice, &aggregate_content("alice"))
        .await;
    service.command(single, "submit", &alice, &json!({})).await;
    let claimed = service.submitted_application("alice", &alice).await;
    service
        .command(claimed, "claim", &handler, &json!({}))
        .await;
    service.set_deadline(linked, Utc::now().date_naive() - Duration::days(3));

    let cancer = service.get("/v1/queue?registry=cancer", &handler).await;
    let population = service.get("/v1/queue?registry=population", &handler).await;
    let mine = service.get("/v1/queue?handler=handler-1", &handler).await;
    let overdue = service.get("/v1/queue?overdue=true", &handler).await;
    let submitted = service.get("/v1/queue?state=submitted", &handler).await;
    let unknown = service.get("/v1/queue?registry=tax", &handler).await;
    let returned = service.get("/v1/queue?state=returned", &handler).await;

    let mut with_cancer = vec![linked, claimed];
    with_cancer.sort();
    let mut found = item_ids(&cancer.body);
    found.sort();
    assert_eq!(found, with_cancer);
    assert_eq!(item_ids(&population.body).len(), 3);
    assert_eq!(item_ids(&mine.body), vec![claimed]);
    assert_eq!(item_ids(&overdue.body), vec![linked]);
    assert_eq!(overdue.body["items"][0]["overdue"], true);
    assert!(item_ids(&submitted.body).contains(&single));
    assert!(!item_ids(&submitted.body).contains(&claimed));
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.problem_type(), problem("invalid-registry"));
    assert_eq!(returned.status, StatusCode::OK);
    assert!(item_ids(&returned.body).is_empty());
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appeal_within_three_weeks() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let decider = service.token("decider-1", &[Role::Decider]);
    let reject = |id: Uuid| {
        let service = &service;
        let handler = &handler;
        let decider = &decider;
        async move {
            service.command(id, "claim", handler, &json!({})).await;
            let reply = service
                .command(id, "reject", decider, &json!({"reason": "no legal basis"}))
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        }
    };
    let recent = service.submitted_application("alice", &alice).await;
    let late = service.submitted_application("alice", &alice).await;
    reject(recent).await;
    reject(late).await;
    service.execute_sql(&format!(
        "UPDATE applications SET decided_at = now() - interval '22 days' WHERE id = '{late}'"
    ));

    let without_grounds = service.command(recent, "appeal", &alice, &json!({})).await;
    let appealed = service
        .command(
            recent,
            "appeal",
            &alice,
            &json!({"reason": "REK approval attached"}),
        )
        .await;
    let too_late = service
        .command(
            late,
            "appeal",
            &alice,
            &json!({"reason": "REK approval attached"}),
        )
        .await;
    let queue = service.get("/v1/queue?state=appealed", &handler).await;

    assert_eq!(without_grounds.status, StatusCode::BAD_REQUEST);
    assert_eq!(appealed.status, StatusCode::OK, "{}", appealed.body);
    assert_eq!(appealed.body["state"], "appealed");
    assert_eq!(too_late.status, StatusCode::CONFLICT);
    assert_eq!(too_late.problem_type(), problem("appeal-period-ended"));
    assert_eq!(item_ids(&queue.body), vec![recent]);
    let today = Utc::now().date_naive();
    assert_eq!(deadline_of(&appealed.body), add_working_days(today, 60));
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returned_application_is_editable() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let id = service.submitted_application("alice", &alice).await;
    service.command(id, "claim", &handler, &json!({})).await;
    let question = "Which ethics approval covers the cancer registry?";
    let returned = service
        .command(id, "return", &handler, &json!({"questions": [question]}))
        .await;
    let mut content = complete_content("alice");
    content["title"] = json!("Survival after surgery, revised");

    let etag = returned.etag.clone().unwrap();
    let edited = service
        .send(
            reqwest::Method::PUT,
            &format!("/v1/applications/{id}"),
            Some(&alice),
            Some(&content),
            &[("if-match", &etag)],
        )
        .await;
    let timeline = service
        .get(&format!("/v1/applications/{id}/timeline"), &alice)
        .await;

    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(
        edited.body["content"]["title"],
        "Survival after surgery, revised"
    );
    let entry = common::service::timeline_entry(&timeline.body, "return");
    assert_eq!(entry["detail"]["questions"], json!([question]));
    assert_eq!(entry["actor"], "case handling");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amendment_reviewed_against_approved_version() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let id = service
        .approved_application("alice", &alice, &handler)
        .await;

    let amended = service.command(id, "amend", &alice, &json!({})).await;
    let mut content = complete_content("alice");
    content["title"] = json!("Survival after surgery, extended to 2025");
    content["request"]["criteria"]["diagnosed_to"] = json!("2025-12-31");
    let etag = amended.etag.clone().unwrap();
    let edited = service
        .send(
            reqwest::Method::PUT,
            &format!("/v1/applications/{id}"),
            Some(&alice),
            Some(&content),
            &[("if-match", &etag)],
        )
        .await;
    let submitted = service.command(id, "submit", &alice, &json!({})).await;
    let queue = service.get("/v1/queue?state=submitted", &handler).await;
    let diff = service
        .get(&format!("/v1/applications/{id}/versions/2/diff"), &handler)
        .await;

    assert_eq!(amended.status, StatusCode::OK, "{}", amended.body);
    assert_eq!(amended.body["state"], "draft");
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    assert_eq!(submitted.body["version"], 2);
    assert_eq!(item_ids(&queue.body), vec![id]);
    assert_eq!(diff.status, StatusCode::OK, "{}", diff.body);
    assert_eq!(diff.body["against"], 1);
    assert_eq!(diff.body["approved_version"], 1);
    let changes = diff.body["changes"].as_object().unwrap();
    assert_eq!(
        changes["title"],
        json!({"from": "Survival after colorectal cancer surgery", "to": "Survival after surgery, extended to 2025"})
    );
    assert_eq!(
        changes["request.criteria.diagnosed_to"],
        json!({"from": "2024-12-31", "to": "2025-12-31"})
    );
    // The recipient key is new in every fixture body, so it differs as well.
    assert!(changes.contains_key("recipients"), "{changes:?}");
    assert_eq!(changes.len(), 3, "{changes:?}");
    service.stop().await;
}
