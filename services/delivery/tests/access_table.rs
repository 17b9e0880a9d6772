#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every cell of the delivery service's access table against the running
//! service and database, who may see a delivery, and the audit record of
//! every download grant.

mod common;

use hap_delivery::routes::access::TABLE;
use hap_kit::auth::Role;
use hap_testkit::access::AccessProbe;

use common::TestService;
use common::release::{Person, next_year};

#[actix_web::test]
async fn every_cell_matches_table() {
    let service = TestService::start().await;
    let probe = AccessProbe {
        base_url: &service.base_url,
        dev_secret: common::DEV_SECRET,
        params: &[("name", "data.parquet.c4gh")],
    };

    let mismatches = probe.mismatches(TABLE).await;

    assert!(mismatches.is_empty(), "{mismatches:#?}");
    service.stop().await;
}

#[actix_web::test]
async fn non_recipients_see_no_delivery() {
    let mut service = TestService::start().await;
    let alice = Person::new("alice");
    let delivered = service.deliver(&[&alice], next_year()).await;
    let path = format!("/v1/deliveries/{}", delivered.delivery_id);
    let list = format!("/v1/deliveries?application_id={}", delivered.application_id);

    for (subject, role) in [
        ("bob", Role::Applicant),
        ("handler-1", Role::CaseHandler),
        ("decider-1", Role::Decider),
    ] {
        let token = service.token(subject, role);
        let reply = service.get(&path, Some(&token), &[]).await;
        assert_eq!(reply.status, 404, "{role}: {}", reply.text());
        let listed = service.get(&list, Some(&token), &[]).await;
        assert_eq!(listed.status, 200, "{role}: {}", listed.text());
        assert_eq!(listed.json()["items"], serde_json::json!([]), "{role}");
    }
    let bob_grant = service.request_grant(delivered.delivery_id, "bob").await;
    assert_eq!(bob_grant.status, 403, "{}", bob_grant.text());

    let recipient = service.token("alice", Role::Applicant);
    let reply = service.get(&path, Some(&recipient), &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    service.stop().await;
}

#[actix_web::test]
async fn grant_issue_audited() {
    let mut service = TestService::start().await;
    let alice = Person::new("alice");
    let delivered = service.deliver(&[&alice], next_year()).await;

    let grant = service.request_grant(delivered.delivery_id, "alice").await;
    assert_eq!(grant.status, 201, "{}", grant.text());
    let grant_id = grant.json()["grant_id"].clone();

    let auditor = service.token("auditor-1", Role::Auditor);
    let path = format!("/v1/deliveries/{}/events", delivered.delivery_id);
    let reply = service.get(&path, Some(&auditor), &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let events = reply.json()["items"].as_array().unwrap().clone();
    let issued: Vec<_> = events
        .iter()
        .filter(|event| event["event"] == "grant-issued")
        .collect();
    assert_eq!(issued.len(), 1, "{events:?}");
    assert_eq!(issued[0]["actor"], "alice");
    assert_eq!(issued[0]["detail"]["grant_id"], grant_id);
    assert!(issued[0]["at"].is_string(), "{}", issued[0]);
    service.stop().await;
}
