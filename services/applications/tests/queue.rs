//! The case-handler queue: `GET /v1/queue`, its order, filter and cursor.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, NaiveDate, Utc};
use common::TestService;
use common::service::{item_ids, problem};
use hap_kit::auth::Role;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_orders_by_deadline() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let late = service.submitted_application("alice", &alice).await;
    let early = service.submitted_application("alice", &alice).await;
    let middle = service.submitted_application("alice", &alice).await;
    service.set_deadline(late, NaiveDate::from_ymd_opt(2031, 3, 1).unwrap());
    service.set_deadline(early, NaiveDate::from_ymd_opt(2031, 1, 1).unwrap());
    service.set_deadline(middle, NaiveDate::from_ymd_opt(2031, 2, 1).unwrap());

    let queue = service.get("/v1/queue", &handler).await;

    assert_eq!(queue.status, StatusCode::OK);
    assert_eq!(item_ids(&queue.body), vec![early, middle, late]);
    assert_eq!(queue.body["items"][0]["deadline"], "2031-01-01");
    assert_eq!(queue.body["next_cursor"], json!(null));
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_pages_with_cursor() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let first_id = service.submitted_application("alice", &alice).await;
    let second_id = service.submitted_application("alice", &alice).await;

    let first = service.get("/v1/queue?limit=1", &handler).await;
    let cursor = first.body["next_cursor"]
        .as_str()
        .unwrap_or_else(|| panic!("a full first page has a cursor: {}", first.body))
        .to_owned();
    let second = service
        .get(&format!("/v1/queue?limit=1&cursor={cursor}"), &handler)
        .await;

    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(item_ids(&first.body), vec![first_id]);
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(item_ids(&second.body), vec![second_id]);
    // The second page contains the last item, so there is no page after it.
    assert_eq!(second.body["next_cursor"], json!(null), "{}", second.body);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_pages_across_equal_deadlines() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let mut submitted = Vec::new();
    for _ in 0..5 {
        submitted.push(service.submitted_application("alice", &alice).await);
    }
    // Earlier than the deadline of the two others, today plus 60 days.
    let shared = Utc::now().date_naive() + Duration::days(30);
    for id in &submitted[1..4] {
        service.set_deadline(*id, shared);
    }
    let expected = vec![
        submitted[1],
        submitted[2],
        submitted[3],
        submitted[0],
        submitted[4],
    ];

    let mut seen = Vec::new();
    let mut path = "/v1/queue?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let page = service.get(&path, &handler).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        seen.extend(item_ids(&page.body));
        pages += 1;
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/queue?limit=2&cursor={cursor}"),
            None => break,
        }
        assert!(pages < 10, "the cursor does not advance: {}", page.body);
    }

    assert_eq!(seen, expected);
    assert_eq!(pages, 3);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_filters_by_state() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let waiting = service.submitted_application("alice", &alice).await;
    let claimed = service.submitted_application("alice", &alice).await;
    let reply = service
        .command(claimed, "claim", &handler, &json!({}))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    let submitted = service.get("/v1/queue?state=submitted", &handler).await;
    let in_review = service.get("/v1/queue?state=in-review", &handler).await;
    let both = service.get("/v1/queue", &handler).await;

    assert_eq!(item_ids(&submitted.body), vec![waiting]);
    assert_eq!(item_ids(&in_review.body), vec![claimed]);
    assert_eq!(in_review.body["items"][0]["handler"], "handler-1");
    assert_eq!(item_ids(&both.body), vec![waiting, claimed]);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_rejects_bad_parameters() {
    let service = TestService::start().await;
    let handler = service.token("handler-1", &[Role::CaseHandler]);

    let cursor = service.get("/v1/queue?cursor=yesterday", &handler).await;
    let state = service.get("/v1/queue?state=approved", &handler).await;
    let limit = service.get("/v1/queue?limit=0", &handler).await;
    let unknown = service.get("/v1/queue?sort=title", &handler).await;

    assert_eq!(cursor.status, StatusCode::BAD_REQUEST);
    assert_eq!(cursor.problem_type(), problem("invalid-cursor"));
    assert_eq!(state.status, StatusCode::BAD_REQUEST);
    assert_eq!(state.problem_type(), problem("invalid-state"));
    assert_eq!(limit.status, StatusCode::BAD_REQUEST);
    assert_eq!(limit.problem_type(), problem("invalid-limit"));
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.problem_type(), problem("invalid-query"));
    service.stop().await;
}
