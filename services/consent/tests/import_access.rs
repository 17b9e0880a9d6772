#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Consent imports that are rejected as a whole: wrong role, a registry that
//! keeps no consent records, and a file with the wrong header.

mod common;

use diesel::prelude::*;
use hap_consent::schema::{consent_events, consent_imports};
use hap_kit::auth::Role;

use common::numbers::Numbers;
use common::{TestService, consent_csv};

const PROBLEM_JSON: &str = "application/problem+json";

#[actix_web::test]
async fn import_without_steward_role_forbidden() {
    let service = TestService::start().await;
    let mut numbers = Numbers::new();
    let csv = consent_csv(&[format!("{},given,2020-01-01,paper-form", numbers.issue())]);

    for role in [
        Role::Applicant,
        Role::CaseHandler,
        Role::Decider,
        Role::Auditor,
        Role::Service,
    ] {
        let token = service.token("someone", role);
        let reply = service.import("quality", &token, &csv).await;

        assert_eq!(reply.status, 403, "role {role}");
        assert_eq!(reply.content_type, PROBLEM_JSON, "role {role}");
        assert_eq!(
            reply.body["type"], "urn:hap:problem:forbidden",
            "role {role}"
        );
    }
    let stored: i64 = consent_events::table
        .count()
        .get_result(&mut service.conn())
        .unwrap();
    assert_eq!(stored, 0);
    service.stop().await;
}

#[actix_web::test]
async fn import_into_statutory_registry_conflict() {
    let service = TestService::start().await;
    let steward = service.token("steward-1", Role::Steward);
    let mut numbers = Numbers::new();
    let csv = consent_csv(&[format!("{},given,2020-01-01,paper-form", numbers.issue())]);

    for registry in ["population", "cancer", "birth", "patient"] {
        let reply = service.import(registry, &steward, &csv).await;

        assert_eq!(reply.status, 409, "registry {registry}");
        assert_eq!(reply.content_type, PROBLEM_JSON, "registry {registry}");
        assert_eq!(
            reply.body["type"], "urn:hap:problem:not-consent-based",
            "registry {registry}"
        );
        assert!(
            reply.body["detail"].as_str().unwrap().contains(registry),
            "{:?}",
            reply.body
        );
    }
    service.stop().await;
}

#[actix_web::test]
async fn import_into_unknown_registry_not_found() {
    let service = TestService::start().await;
    let steward = service.token("steward-1", Role::Steward);
    let mut numbers = Numbers::new();
    let csv = consent_csv(&[format!("{},given,2020-01-01,paper-form", numbers.issue())]);

    let reply = service.import("dental", &steward, &csv).await;

    assert_eq!(reply.status, 404);
    assert_eq!(reply.body["type"], "urn:hap:problem:not-found");
    service.stop().await;
}

#[actix_web::test]
async fn import_with_wrong_header_bad_request() {
    let service = TestService::start().await;
    let steward = service.token("steward-1", Role::Steward);
    let mut numbers = Numbers::new();
    let csv = format!(
        "fnr,event,event_date,source\n{},given,2020-01-01,paper-form\n",
        numbers.issue()
    );

    let reply = service.import("quality", &steward, &csv).await;

    assert_eq!(reply.status, 400);
    assert_eq!(reply.content_type, PROBLEM_JSON);
    assert_eq!(reply.body["type"], "urn:hap:problem:invalid-csv");
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("person_id,event,event_date,source"),
        "{detail}"
    );
    let mut conn = service.conn();
    let events: i64 = consent_events::table.count().get_result(&mut conn).unwrap();
    assert_eq!(events, 0);
    let imports: i64 = consent_imports::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(imports, 0);
    drop(conn);
    service.stop().await;
}

#[actix_web::test]
async fn import_without_header_never_echoes_identity_number() {
    let service = TestService::start().await;
    let steward = service.token("steward-1", Role::Steward);
    let mut numbers = Numbers::new();
    let number = numbers.issue();
    let csv = format!("{number},given,2020-01-01,paper-form\n");

    let reply = service.import("quality", &steward, &csv).await;

    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["type"], "urn:hap:problem:invalid-csv");
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(detail.contains("<11 digits>,given"), "{detail}");
    assert!(
        !reply.body.to_string().contains(number.as_str()),
        "the response contains the identity number"
    );
    service.stop().await;
}
