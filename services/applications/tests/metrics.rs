//! The applications-by-state gauge on `/metrics`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{TestService, complete_content};
use hap_kit::auth::Role;

/// The gauge is read every 15 s, so the test waits a little longer.
const WAIT: Duration = Duration::from_secs(25);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_applications_by_state() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    service
        .create_draft(&alice, &complete_content("alice"))
        .await;
    service
        .create_draft(&alice, &complete_content("alice"))
        .await;
    service.submitted_application("alice", &alice).await;

    let url = format!("{}/metrics", service.base_url);
    let deadline = Instant::now() + WAIT;
    let text = loop {
        let text = reqwest::get(&url).await.unwrap().text().await.unwrap();
        let counted = text.contains("applications{state=\"draft\"} 2")
            && text.contains("applications{state=\"submitted\"} 1");
        if counted || Instant::now() > deadline {
            break text;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };

    let gauge: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with("applications{"))
        .collect();
    assert!(
        gauge.contains(&"applications{state=\"draft\"} 2"),
        "{gauge:?}"
    );
    assert!(
        gauge.contains(&"applications{state=\"submitted\"} 1"),
        "{gauge:?}"
    );
    service.stop().await;
}
