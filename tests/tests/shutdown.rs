#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A service stops gracefully on SIGTERM: it finishes what it has in hand,
//! stops its consumers and relay, and exits with status 0.

use std::time::Duration;

use hap_e2e::{Platform, SERVICES, synthetic_registries};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_every_service_cleanly() {
    let registries = synthetic_registries(500, 5);
    let mut platform = Platform::start(registries.path()).await;

    for service in SERVICES {
        let status = platform.terminate(service, Duration::from_secs(20));
        let log = platform.log(service);
        assert!(
            status.is_some(),
            "{service} did not exit within 20 s of SIGTERM:\n{log}"
        );
        assert!(
            status.unwrap().success(),
            "{service} exited with {status:?}:\n{log}"
        );
        assert!(
            log.contains("shutdown signal received"),
            "{service}:\n{log}"
        );
        assert!(log.contains("service stopped"), "{service}:\n{log}");
    }
}
