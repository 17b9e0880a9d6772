#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The delivery store on S3-compatible object storage: moto's S3 server
//! from PyPI, started on 127.0.0.1 by the test. The server comes from
//! `HAP_MOTO_SERVER` (set by `make test` through tools/install-moto-server.sh);
//! without it these tests print why and pass without checking anything.

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use hap_contracts::events::{self, DeletionReason, DeliveryDeleted, PermitRevoked};
use hap_delivery::settings::{Backend, S3Settings, StoreSettings};
use hap_delivery::store::DeliveryStore;
use hap_messaging::Envelope;

use common::release::{Person, next_year};
use common::{StoreKind, TestService};

/// A moto S3 server on a free port of 127.0.0.1, stopped on drop.
struct MotoServer {
    child: Child,
    endpoint: String,
}

impl MotoServer {
    /// Starts the server named by `HAP_MOTO_SERVER`, or returns `None` after
    /// printing why the test is skipped.
    async fn start() -> Option<MotoServer> {
        let Some(program) = std::env::var_os("HAP_MOTO_SERVER") else {
            eprintln!(
                "skipped: HAP_MOTO_SERVER is not set; install moto's S3 server with \
                 tools/install-moto-server.sh and set HAP_MOTO_SERVER to the path it prints"
            );
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("starting {program:?} failed: {error}"));
        let server = MotoServer {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while reqwest::get(&server.endpoint).await.is_err() {
            assert!(
                Instant::now() < deadline,
                "moto did not answer on {}",
                server.endpoint
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Some(server)
    }

    /// Creates a bucket; moto accepts the unsigned request.
    async fn create_bucket(&self, bucket: &str) {
        let response = reqwest::Client::new()
            .put(format!("{}/{bucket}", self.endpoint))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
    }

    /// Returns the keys in `bucket` through the S3 API, bypassing the service.
    async fn list(&self, bucket: &str) -> String {
        reqwest::get(format!("{}/{bucket}?list-type=2", self.endpoint))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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
    (DeliveryStore::from_settings(&settings).unwrap(), folder)
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
