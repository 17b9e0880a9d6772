//! Attachments: upload checks, storage under generated keys, access by
//! role, freezing per submitted version, the completeness check and the
//! audit trail, against the real database and a local attachment folder.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::files::{pdf, png};
use common::service::{problem, uuid_field};
use common::{TestService, aggregate_content, complete_content};
use hap_kit::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Returns every file under `root`, relative to it, sorted.
fn stored_files(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let relative = path.strip_prefix(root).unwrap();
                files.push(relative.display().to_string());
            }
        }
    }
    files.sort();
    files
}

/// An upload the service rejects: kind, file name, content type, bytes,
/// and the expected status and problem slug.
type BadUpload = (
    &'static str,
    &'static str,
    &'static str,
    Vec<u8>,
    StatusCode,
    &'static str,
);

/// Returns the ids of the attachments listed at `path`.
async fn listed_ids(service: &TestService, path: &str, token: &str) -> Vec<Uuid> {
    let reply = service.get(path, token).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| uuid_field(item, "id"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_stores_file_under_generated_key() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let id = service
        .create_bare_draft(&alice, &complete_content("alice"))
        .await;
    let file = pdf();

    let uploaded = service
        .upload(
            id,
            &alice,
            "protocol",
            "Protokoll v2 (endelig).pdf",
            "application/pdf",
            file.clone(),
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
    let attachment = uploaded.id();
    assert_eq!(uploaded.body["kind"], "protocol");
    assert_eq!(uploaded.body["sha256"], sha256_hex(&file));
    assert_eq!(uploaded.body["size_bytes"], file.len());
    assert_eq!(uploaded.body["uploaded_by"], "alice");
    assert!(
        uploaded.body.get("object_key").is_none(),
        "{}",
        uploaded.body
    );

    // The object's key is generated, whatever the file name.
    assert_eq!(
        stored_files(service.attachment_dir.path()),
        [format!("applications/{id}/attachments/{attachment}")]
    );

    let listed = listed_ids(
        &service,
        &format!("/v1/applications/{id}/attachments"),
        &alice,
    )
    .await;
    assert_eq!(listed, [attachment]);

    let response = service.download(id, attachment, &alice).await;
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(header("content-type"), "application/pdf");
    assert_eq!(header("x-content-sha256"), sha256_hex(&file));
    let disposition = header("content-disposition");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("Protokoll v2 (endelig).pdf"),
        "{disposition}"
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), file.as_slice());
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_rejects_unsafe_or_false_files() {
    let service = TestService::start_with(|settings| settings.attachments.max_bytes = 1024).await;
    let alice = service.token("alice", &[Role::Applicant]);
    let id = service
        .create_bare_draft(&alice, &complete_content("alice"))
        .await;
    let mut large = pdf();
    large.resize(1025, b' ');

    let cases: [BadUpload; 8] = [
        (
            "protocol",
            "big.pdf",
            "application/pdf",
            large,
            StatusCode::PAYLOAD_TOO_LARGE,
            "attachment-too-large",
        ),
        (
            "protocol",
            "page.html",
            "text/html",
            b"<html></html>".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-content-type",
        ),
        (
            "protocol",
            "scan.pdf",
            "application/pdf",
            png(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content-mismatch",
        ),
        (
            "protocol",
            "fake.png",
            "image/png",
            pdf(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content-mismatch",
        ),
        (
            "protocol",
            "../../etc/passwd",
            "application/pdf",
            pdf(),
            StatusCode::BAD_REQUEST,
            "invalid-file-name",
        ),
        (
            "protocol",
            "a\\b.pdf",
            "application/pdf",
            pdf(),
            StatusCode::BAD_REQUEST,
            "invalid-file-name",
        ),
        (
            "protocols",
            "p.pdf",
            "application/pdf",
            pdf(),
            StatusCode::BAD_REQUEST,
            "invalid-kind",
        ),
        (
            "protocol",
            "empty.pdf",
            "application/pdf",
            Vec::new(),
            StatusCode::BAD_REQUEST,
            "empty-file",
        ),
    ];
    for (kind, name, content_type, bytes, status, slug) in cases {
        let reply = service
            .upload(id, &alice, kind, name, content_type, bytes)
            .await;
        assert_eq!(
            reply.status, status,
            "{name} as {content_type}: {}",
            reply.body
        );
        assert_eq!(
            reply.problem_type(),
            problem(slug),
            "{name}: {}",
            reply.body
        );
    }
    let unsafe_name = service
        .upload(
            id,
            &alice,
            "protocol",
            "../../etc/passwd",
            "application/pdf",
            pdf(),
        )
        .await;
    let detail = unsafe_name.body["detail"].as_str().unwrap();
    assert!(detail.contains("`../../etc/passwd`"), "{detail}");

    assert!(stored_files(service.attachment_dir.path()).is_empty());
    let listed = listed_ids(
        &service,
        &format!("/v1/applications/{id}/attachments"),
        &alice,
    )
    .await;
    assert!(listed.is_empty(), "{listed:?}");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_follow_roles() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let bob = service.token("bob", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let decider = service.token("decider-1", &[Role::Decider]);
    let auditor = service.token("auditor-1", &[Role::Auditor]);
    let steward = service.token("steward-1", &[Role::Steward]);
    let id = service
        .create_bare_draft(&alice, &complete_content("alice"))
        .await;
    let uploaded = service
        .upload(
            id,
            &alice,
            "protocol",
            "protocol.pdf",
            "application/pdf",
            pdf(),
        )
        .await;
    let attachment = uploaded.id();
    let list = format!("/v1/applications/{id}/attachments");

    for (who, token) in [
        ("handler", &handler),
        ("decider", &decider),
        ("auditor", &auditor),
    ] {
        let listed = listed_ids(&service, &list, token).await;
        assert_eq!(listed, [attachment], "{who}");
        let download = service.download(id, attachment, token).await;
        assert_eq!(download.status(), StatusCode::OK, "{who}");
    }
    assert_eq!(service.get(&list, &bob).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        service.download(id, attachment, &bob).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        service.get(&list, &steward).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        service.download(id, attachment, &steward).await.status(),
        StatusCode::FORBIDDEN
    );

    let by_handler = service
        .upload(id, &handler, "protocol", "p.pdf", "application/pdf", pdf())
        .await;
    assert_eq!(
        by_handler.status,
        StatusCode::FORBIDDEN,
        "{}",
        by_handler.body
    );
    let by_bob = service
        .upload(id, &bob, "protocol", "p.pdf", "application/pdf", pdf())
        .await;
    assert_eq!(by_bob.status, StatusCode::NOT_FOUND, "{}", by_bob.body);
    let delete = format!("/v1/applications/{id}/attachments/{attachment}");
    let deleted_by_handler = service
        .send(reqwest::Method::DELETE, &delete, Some(&handler), None, &[])
        .await;
    assert_eq!(deleted_by_handler.status, StatusCode::FORBIDDEN);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submission_requires_attachments_of_level() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let id = service
        .create_bare_draft(&alice, &complete_content("alice"))
        .await;

    let reply = service.command(id, "submit", &alice, &json!({})).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    let fields: Vec<&str> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "attachments.protocol",
            "attachments.ethics-approval",
            "attachments.dpia"
        ]
    );

    for kind in ["protocol", "ethics-approval"] {
        let uploaded = service
            .upload(id, &alice, kind, "f.pdf", "application/pdf", pdf())
            .await;
        assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
    }
    let reply = service.command(id, "submit", &alice, &json!({})).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(
        reply.body["errors"][0]["field"], "attachments.dpia",
        "{}",
        reply.body
    );

    // Anonymous microdata without health research needs the protocol only.
    let mut anonymous = complete_content("alice");
    anonymous["request"]["disclosure_level"] = json!("anonymous");
    anonymous["purpose"]["health_research"] = json!(false);
    let anonymous_id = service.create_bare_draft(&alice, &anonymous).await;
    let reply = service
        .command(anonymous_id, "submit", &alice, &json!({}))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(
        reply.body["errors"].as_array().unwrap().len(),
        1,
        "{}",
        reply.body
    );
    assert_eq!(reply.body["errors"][0]["field"], "attachments.protocol");

    // Aggregate tables need none.
    let aggregate = service
        .create_bare_draft(&alice, &aggregate_content("alice"))
        .await;
    let reply = service
        .command(aggregate, "submit", &alice, &json!({}))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submitted_version_keeps_its_attachments() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let id = service
        .create_draft(&alice, &complete_content("alice"))
        .await;
    let list = format!("/v1/applications/{id}/attachments");
    let first_set = listed_ids(&service, &list, &alice).await;
    assert_eq!(first_set.len(), 3);
    let submitted = service.command(id, "submit", &alice, &json!({})).await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);

    // Submitted: the applicant can neither add nor delete.
    let late = service
        .upload(
            id,
            &alice,
            "other-approval",
            "late.pdf",
            "application/pdf",
            pdf(),
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    assert_eq!(late.problem_type(), problem("attachments-frozen"));
    let protocol = first_set[0];
    let delete = format!("/v1/applications/{id}/attachments/{protocol}");
    let refused = service
        .send(reqwest::Method::DELETE, &delete, Some(&alice), None, &[])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);

    // Returned: the applicant replaces the protocol.
    service.command(id, "claim", &handler, &json!({})).await;
    let returned = service
        .command(
            id,
            "return",
            &handler,
            &json!({"questions": ["Which protocol version applies?"]}),
        )
        .await;
    assert_eq!(returned.status, StatusCode::OK, "{}", returned.body);
    let deleted = service
        .send(reqwest::Method::DELETE, &delete, Some(&alice), None, &[])
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    let replacement = service
        .upload(
            id,
            &alice,
            "protocol",
            "protocol-v2.pdf",
            "application/pdf",
            pdf(),
        )
        .await
        .id();

    // Version 1 still refers to the old protocol, whose file is kept.
    let version_one = listed_ids(&service, &format!("{list}?version=1"), &handler).await;
    assert_eq!(version_one, first_set);
    let old = service.download(id, protocol, &handler).await;
    assert_eq!(old.status(), StatusCode::OK);
    let draft: Vec<Uuid> = listed_ids(&service, &list, &alice).await;
    assert!(!draft.contains(&protocol), "{draft:?}");
    assert!(draft.contains(&replacement), "{draft:?}");

    let resubmitted = service.command(id, "submit", &alice, &json!({})).await;
    assert_eq!(resubmitted.status, StatusCode::OK, "{}", resubmitted.body);
    let version_two = listed_ids(&service, &format!("{list}?version=2"), &handler).await;
    assert_eq!(version_two, draft);
    let missing = service.get(&format!("{list}?version=3"), &handler).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_unsubmitted_attachment_removes_file() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let id = service
        .create_bare_draft(&alice, &complete_content("alice"))
        .await;
    let attachment = service
        .upload(id, &alice, "dpia", "dpia.pdf", "application/pdf", pdf())
        .await
        .id();
    assert_eq!(stored_files(service.attachment_dir.path()).len(), 1);

    let delete = format!("/v1/applications/{id}/attachments/{attachment}");
    let deleted = service
        .send(reqwest::Method::DELETE, &delete, Some(&alice), None, &[])
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    assert!(stored_files(service.attachment_dir.path()).is_empty());
    let again = service
        .send(reqwest::Method::DELETE, &delete, Some(&alice), None, &[])
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(
        service.download(id, attachment, &alice).await.status(),
        StatusCode::NOT_FOUND
    );
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_records_upload_download_delete() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let auditor = service.token("auditor-1", &[Role::Auditor]);
    let id = service
        .create_bare_draft(&alice, &complete_content("alice"))
        .await;
    let attachment = service
        .upload(
            id,
            &alice,
            "protocol",
            "protocol.pdf",
            "application/pdf",
            pdf(),
        )
        .await
        .id();
    assert_eq!(
        service.download(id, attachment, &handler).await.status(),
        StatusCode::OK
    );
    let delete = format!("/v1/applications/{id}/attachments/{attachment}");
    service
        .send(reqwest::Method::DELETE, &delete, Some(&alice), None, &[])
        .await;

    let trail = service
        .get(&format!("/v1/audit?application_id={id}"), &auditor)
        .await;
    assert_eq!(trail.status, StatusCode::OK, "{}", trail.body);
    let entries: Vec<&Value> = trail.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["action"].as_str().unwrap().starts_with("attachment-"))
        .collect();
    let summary: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|entry| {
            (
                entry["action"].as_str().unwrap(),
                entry["actor"].as_str().unwrap(),
                entry["role"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("attachment-upload", "alice", "applicant"),
            ("attachment-download", "handler-1", "case-handler"),
            ("attachment-delete", "alice", "applicant"),
        ]
    );
    for entry in entries {
        assert_eq!(
            entry["changes"]["attachment"]["id"],
            json!(attachment),
            "{entry}"
        );
        assert_eq!(
            entry["changes"]["attachment"]["sha256"],
            sha256_hex(&pdf()),
            "{entry}"
        );
    }
    service.stop().await;
}
