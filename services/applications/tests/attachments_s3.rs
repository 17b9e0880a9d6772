//! Attachments kept in S3-compatible object storage: moto's S3 server from
//! PyPI on 127.0.0.1 ([`MotoServer`]). Without `HAP_MOTO_SERVER` the test
//! prints why and passes without checking anything.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::files::pdf;
use common::{TestService, complete_content};
use hap_kit::auth::Role;
use hap_objects::Backend;
use hap_testkit::MotoServer;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_attachment_upload_download_delete() {
    let Some(moto) = MotoServer::start().await else {
        return;
    };
    let bucket = "attachments-test";
    moto.create_bucket(bucket).await;
    let endpoint = moto.endpoint.clone();
    let service = TestService::start_with(|settings| {
        let store = &mut settings.attachments;
        store.backend = Backend::S3;
        store.s3.bucket = bucket.into();
        store.s3.endpoint = Some(endpoint);
        store.s3.prefix = "hap".into();
        store.s3.allow_http = true;
        store.s3.access_key_id = Some("testing".into());
        store.s3.secret_access_key = Some(hap_kit::Secret::new("testing"));
    })
    .await;
    let alice = service.token("alice", &[Role::Applicant]);
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
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
    let attachment = uploaded.id();
    let key = format!("<Key>hap/applications/{id}/attachments/{attachment}</Key>");
    let listing = moto.list(bucket).await;
    assert!(listing.contains(&key), "{listing}");

    let download = service.download(id, attachment, &alice).await;
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.bytes().await.unwrap().as_ref(), pdf().as_slice());

    let delete = format!("/v1/applications/{id}/attachments/{attachment}");
    let deleted = service
        .send(reqwest::Method::DELETE, &delete, Some(&alice), None, &[])
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    let listing = moto.list(bucket).await;
    assert!(!listing.contains(&attachment.to_string()), "{listing}");
    service.stop().await;
}
