#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The delivery store on S3-compatible object storage: moto's S3 server
//! from PyPI, started on 127.0.0.1 by the test ([`MotoServer`]). Without
//! `HAP_MOTO_SERVER` these tests print why and pass without checking anything.

mod common;

use chrono::Utc;
use hap_contracts::events::{self, DeletionReason, DeliveryDeleted, PermitRevoked};
use hap_delivery::settings::{Backend, S3Settings, StoreSettings};
use hap_delivery::store::DeliveryStore;
use hap_messaging::Envelope;
use hap_testkit::MotoServer;

use common::release::{Person, next_year};
use common::{StoreKind, TestService};

#[actix_web::test]
async fn s3_delivery_downloads_and_ends() {
    let Some(moto) = MotoServer::start().await else {
        return;
    };
    moto.create_bucket("deliveries-test").await;
    let mut service = TestService::start_with(StoreKind::S3 {
        endpoint: moto.endpoint.clone(),
        bucket: "deliveries-test".into(),
    })
    .await;
    let alice = Person::new("alice");
    let delivered = service.deliver(&[&alice], next_year()).await;
    let id = delivered.delivery_id;

    // The encrypted files are objects in the bucket, under the prefix.
    let listing = moto.list("deliveries-test").await;
    assert!(
        listing.contains(&format!("<Key>deliveries/{id}/data.csv.c4gh</Key>")),
        "{listing}"
    );
    assert!(!listing.contains(".tmp-"), "{listing}");

    let grant = service.grant(id, "alice").await;
    service.download_and_decrypt(id, &grant, &alice.key).await;

    let whole = service
        .download(id, "data.csv.c4gh", &grant, &[])
        .await
        .bytes;
    let half = whole.len() / 2;
    let rest = service
        .download(
            id,
            "data.csv.c4gh",
            &grant,
            &[("range", &format!("bytes={half}-"))],
        )
        .await;
    assert_eq!(rest.status, 206);
    assert_eq!([&whole[..half], rest.bytes.as_slice()].concat(), whole);

    let revoked = PermitRevoked {
        application_id: delivered.application_id,
        permit_id: delivered.permit.permit_id,
        reason: "revoked in a test".into(),
        revoked_by: "handler-1".into(),
        revoked_at: Utc::now(),
    };
    let envelope = Envelope::new(
        events::PERMIT_REVOKED,
        events::VERSION,
        delivered.application_id,
        &revoked,
    )
    .unwrap();
    service.publish(&envelope).await;
    let deleted = service
        .events
        .wait_for(events::DELIVERY_DELETED, delivered.application_id)
        .await;
    let deleted: DeliveryDeleted = deleted.payload_as().unwrap();
    assert_eq!(deleted.reason, DeletionReason::Revoked);
    let listing = moto.list("deliveries-test").await;
    assert!(!listing.contains(&id.to_string()), "{listing}");
    let reply = service.download(id, "data.csv.c4gh", &grant, &[]).await;
    assert_eq!(reply.status, 410, "{}", reply.text());
    service.stop().await;
}

/// Opens a store of `backend` on a fresh folder or bucket.
async fn store(backend: Backend, moto: Option<&MotoServer>) -> (DeliveryStore, tempfile::TempDir) {
    let folder = tempfile::tempdir().unwrap();
    let bucket = format!(
        "atomic-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    if let Some(moto) = moto {
        moto.create_bucket(&bucket).await;
    }
    let settings = StoreSettings {
        work_dir: String::new(),
        delivery_dir: folder.path().display().to_string(),
        delivery_backend: backend,
        s3: S3Settings {
            bucket,
            endpoint: moto.map(|moto| moto.endpoint.clone()),
            region: "us-east-1".into(),
            prefix: String::new(),
            allow_http: true,
            access_key_id: Some("testing".into()),
            secret_access_key: Some(hap_kit::Secret::new("testing")),
        },
    };
    (hap_delivery::store::open(&settings).unwrap(), folder)
}

/// Uploads a file that cannot be read to the end (a folder: it opens, but
/// reading fails) and checks that no object, temporary or final, is left.
async fn assert_failed_upload_leaves_nothing(store: &DeliveryStore) {
    let unreadable = tempfile::tempdir().unwrap();
    let result = store.put_file("d/data.csv.c4gh", unreadable.path()).await;
    assert!(result.is_err(), "uploading a folder succeeded");
    assert_eq!(store.keys("d").await.unwrap(), Vec::<String>::new());

    let file = unreadable.path().join("file");
    std::fs::write(&file, vec![7_u8; 300_000]).unwrap();
    assert_eq!(
        store.put_file("d/data.csv.c4gh", &file).await.unwrap(),
        300_000
    );
    assert_eq!(
        store.keys("d").await.unwrap(),
        vec!["d/data.csv.c4gh".to_owned()]
    );
}

#[actix_web::test]
async fn failed_upload_leaves_no_object_in_folder() {
    let (store, _folder) = store(Backend::Local, None).await;
    assert_failed_upload_leaves_nothing(&store).await;
}

#[actix_web::test]
async fn failed_upload_leaves_no_object_in_s3() {
    let Some(moto) = MotoServer::start().await else {
        return;
    };
    let (store, _folder) = store(Backend::S3, Some(&moto)).await;
    assert_failed_upload_leaves_nothing(&store).await;
}
