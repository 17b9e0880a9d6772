//! Every cell of the applications service's access table (role by
//! endpoint, plus no token and a bad signature) against the running
//! service and database; who owns an application; internal endpoints; and
//! the audit record of every read of applicant data by staff.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestService, aggregate_content};
use hap_applications::routes::access::TABLE;
use hap_kit::auth::Role;
use hap_testkit::access::AccessProbe;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

#[actix_web::test]
async fn every_cell_matches_table() {
    let service = TestService::start().await;
    let probe = AccessProbe {
        base_url: &service.base_url,
        dev_secret: common::service::DEV_SECRET,
        params: &[("command", "submit"), ("version", "1")],
    };

    let mismatches = probe.mismatches(TABLE).await;

    assert!(mismatches.is_empty(), "{mismatches:#?}");
    service.stop().await;
}

/// The endpoints for the back ends of front-ends, written out here apart
/// from the service's table.
const SERVICE_ONLY: [(&str, &str); 3] = [
    ("POST", "/v1/webhooks"),
    ("GET", "/v1/webhooks"),
    (
        "DELETE",
        "/v1/webhooks/0190c2a0-0000-7000-8000-000000000000",
    ),
];

#[actix_web::test]
async fn internal_endpoints_reject_user_roles() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let id = service
        .create_draft(&alice, &aggregate_content("alice"))
        .await;
    let user_roles = Role::ALL.into_iter().filter(|role| *role != Role::Service);

    for role in user_roles {
        // The subject applied for the application, so only the role decides.
        let token = service.token("alice", &[role]);
        for (method, path) in SERVICE_ONLY {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let body = json!({"url": "https://front-end.example/hook"});
            let reply = service
                .send(method.clone(), path, Some(token.as_str()), Some(&body), &[])
                .await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{role} {method} {path}"
            );
            assert_eq!(reply.problem_type(), "urn:hap:problem:forbidden");
        }
        let expire = service.command(id, "expire", &token, &json!({})).await;
        assert_eq!(expire.status, StatusCode::FORBIDDEN, "{role} expire");
    }
    service.stop().await;
}

#[actix_web::test]
async fn other_applicants_get_not_found() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let id = service
        .create_draft(&alice, &aggregate_content("alice"))
        .await;
    let bob = service.token("bob", &[Role::Applicant]);
    // A steward who also applies sees only their own applications.
    let steward_applicant = service.token("carol", &[Role::Applicant, Role::Steward]);

    for token in [&bob, &steward_applicant] {
        for path in [
            format!("/v1/applications/{id}"),
            format!("/v1/applications/{id}/timeline"),
            format!("/v1/applications/{id}/versions/1/diff"),
        ] {
            let reply = service.get(&path, token).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(reply.problem_type(), "urn:hap:problem:not-found");
        }
        let edit = service
            .send(
                Method::PUT,
                &format!("/v1/applications/{id}"),
                Some(token.as_str()),
                Some(&aggregate_content("bob")),
                &[("If-Match", "\"1\"")],
            )
            .await;
        assert_eq!(edit.status, StatusCode::NOT_FOUND, "edit");
        let withdraw = service.command(id, "withdraw", token, &json!({})).await;
        assert_eq!(withdraw.status, StatusCode::NOT_FOUND, "withdraw");
        let list = service.get("/v1/applications", token).await;
        assert_eq!(list.status, StatusCode::OK);
        assert_eq!(list.body["items"], json!([]));
    }
    let own = service.get(&format!("/v1/applications/{id}"), &alice).await;
    assert_eq!(own.status, StatusCode::OK);
    service.stop().await;
}

/// Returns the `read` entries of the audit trail of `id`.
async fn read_entries(service: &TestService, id: Uuid) -> Vec<Value> {
    let auditor = service.token("auditor-1", &[Role::Auditor]);
    let reply = service
        .get(&format!("/v1/audit?application_id={id}"), &auditor)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["action"] == "read")
        .cloned()
        .collect()
}

#[actix_web::test]
async fn staff_reads_audited() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let id = service.submitted_application("alice", &alice).await;
    let handler = service.token("handler-1", &[Role::CaseHandler]);

    let reads = [
        (format!("/v1/applications/{id}"), "application"),
        (format!("/v1/applications/{id}/timeline"), "timeline"),
        (format!("/v1/applications/{id}/notes"), "notes"),
        (format!("/v1/applications/{id}/versions/1/diff"), "diff"),
    ];
    for (path, _) in &reads {
        let own = service.get(path, &alice).await;
        assert_ne!(own.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
    }
    assert_eq!(
        read_entries(&service, id).await,
        Vec::<Value>::new(),
        "the applicant's own reads are not audited"
    );
    for (path, _) in &reads {
        let reply = service.get(path, &handler).await;
        assert_ne!(reply.status, StatusCode::FORBIDDEN, "{path}");
        assert_ne!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
    }

    let entries = read_entries(&service, id).await;
    let what: Vec<&str> = entries
        .iter()
        .map(|entry| entry["changes"]["read"].as_str().unwrap_or_default())
        .collect();
    // Version 1 has no earlier version to compare with, so the diff returns
    // 404 and reads nothing.
    let expected: Vec<&str> = reads
        .iter()
        .filter(|(path, _)| !path.ends_with("/diff"))
        .map(|(_, what)| *what)
        .collect();
    assert_eq!(what, expected);
    for entry in &entries {
        assert_eq!(entry["actor"], "handler-1");
        assert_eq!(entry["role"], "case-handler");
        assert!(entry["at"].is_string(), "{entry}");
    }
    service.stop().await;
}
