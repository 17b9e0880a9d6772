#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every cell of the linkage service's access table against the running
//! service and database.

use std::net::TcpListener;

use hap_linkage_service::routes::access::TABLE;
use hap_linkage_service::settings::{DEFAULTS, Settings};
use hap_testkit::access::AccessProbe;
use hap_testkit::{TestBroker, TestDatabase};

const DEV_SECRET: &str = "linkage-access-tests-development-secret-0123";

#[actix_web::test]
async fn every_cell_matches_table() {
    let database =
        TestDatabase::create(&[&hap_messaging::MIGRATIONS, &hap_linkage_service::MIGRATIONS]);
    let broker = TestBroker::create();
    let stores = tempfile::tempdir().unwrap();
    let overrides = [
        ("http.host", "127.0.0.1".to_owned()),
        ("database.url", database.url().to_owned()),
        ("broker.url", broker.url().to_owned()),
        ("broker.namespace", broker.namespace().to_owned()),
        ("auth.dev_secret", DEV_SECRET.to_owned()),
        ("linkage.master_key", "11".repeat(32)),
        ("linkage.platform_key", "22".repeat(32)),
        ("linkage.identity.profile", "test".to_owned()),
        ("store.registry_dir", stores.path().display().to_string()),
        (
            "store.work_dir",
            stores.path().join("work").display().to_string(),
        ),
    ];
    let settings: Settings = hap_kit::settings::load_with(DEFAULTS, &overrides).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let running = hap_linkage_service::startup::start(settings, Some(listener))
        .await
        .unwrap();
    let base_url = format!("http://127.0.0.1:{}", running.port);
    let server = running.server_handle();
    let task = actix_web::rt::spawn(running.wait());
    let probe = AccessProbe {
        base_url: &base_url,
        dev_secret: DEV_SECRET,
        params: &[],
    };

    let mismatches = probe.mismatches(TABLE).await;

    assert!(mismatches.is_empty(), "{mismatches:#?}");
    server.stop(true).await;
    task.await.unwrap().unwrap();
}
