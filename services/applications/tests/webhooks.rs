//! Webhook subscriptions: every transition reaches a local HTTP receiver in
//! order, and a failing receiver gets the same event again after a wait
//! that doubles per failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use common::TestService;
use common::service::problem;
use hap_kit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// One request the receiver got: when, the delivery header and the body.
#[derive(Clone, Debug)]
struct Received {
    at: Instant,
    delivery: String,
    event: Value,
    accepted: bool,
}

/// A local HTTP receiver that returns 503 for its first `failures` requests.
struct Receiver {
    url: String,
    log: Arc<Mutex<Vec<Received>>>,
    server: actix_web::dev::ServerHandle,
}

impl Receiver {
    fn start(failures: usize) -> Receiver {
        let log: Arc<Mutex<Vec<Received>>> = Arc::default();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = log.clone();
        let server = HttpServer::new(move || {
            let log = shared.clone();
            App::new().route(
                "/hook",
                web::post().to(move |request: HttpRequest, body: web::Json<Value>| {
                    let log = log.clone();
                    async move {
                        let mut log = log.lock().unwrap();
                        let accepted = log.len() >= failures;
                        log.push(Received {
                            at: Instant::now(),
                            delivery: request
                                .headers()
                                .get("x-hap-delivery")
                                .and_then(|value| value.to_str().ok())
                                .unwrap_or_default()
                                .to_owned(),
                            event: body.into_inner(),
                            accepted,
                        });
                        if accepted {
                            HttpResponse::Ok().finish()
                        } else {
                            HttpResponse::ServiceUnavailable().finish()
                        }
                    }
                }),
            )
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Receiver {
            url: format!("http://127.0.0.1:{port}/hook"),
            log,
            server: handle,
        }
    }

    /// Waits until `count` requests were accepted and returns the whole log.
    async fn wait_for_accepted(&self, count: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let log = self.log.lock().unwrap().clone();
            if log.iter().filter(|r| r.accepted).count() >= count {
                return log;
            }
            assert!(Instant::now() < deadline, "receiver log: {log:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transitions_delivered_in_order_with_backoff() {
    let service = TestService::start_with(|settings| {
        settings.webhooks.base_backoff_ms = 300;
        settings.webhooks.poll_interval_ms = 20;
        settings.webhooks.allow_private_hosts = true;
    })
    .await;
    let receiver = Receiver::start(2);
    let portal = service.token("portal", &[Role::Service]);
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let subscribed = service
        .post("/v1/webhooks", &portal, &json!({"url": receiver.url}))
        .await;
    assert_eq!(
        subscribed.status,
        StatusCode::CREATED,
        "{}",
        subscribed.body
    );

    let id = service
        .approved_application("alice", &alice, &handler)
        .await;
    let log = receiver.wait_for_accepted(3).await;

    // The first event failed twice; the later ones waited behind it.
    let attempts: Vec<(&str, bool)> = log
        .iter()
        .map(|r| (r.event["payload"]["cause"].as_str().unwrap(), r.accepted))
        .collect();
    assert_eq!(
        attempts,
        [
            ("submit", false),
            ("submit", false),
            ("submit", true),
            ("claim", true),
            ("approve", true),
        ]
    );
    assert_eq!(log[0].delivery, log[2].delivery);
    assert_ne!(log[2].delivery, log[3].delivery);
    let first_wait = log[1].at - log[0].at;
    let second_wait = log[2].at - log[1].at;
    assert!(first_wait >= Duration::from_millis(300), "{first_wait:?}");
    assert!(second_wait >= Duration::from_millis(600), "{second_wait:?}");
    for received in &log {
        assert_eq!(received.event["type"], "application.state_changed");
        assert_eq!(received.event["payload"]["application_id"], json!(id));
    }
    receiver.server.stop(true).await;
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_need_service_role() {
    let service =
        TestService::start_with(|settings| settings.webhooks.allow_private_hosts = true).await;
    let portal = service.token("portal", &[Role::Service]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);

    let by_handler = service
        .post(
            "/v1/webhooks",
            &handler,
            &json!({"url": "http://127.0.0.1:9/hook"}),
        )
        .await;
    let bad_url = service
        .post(
            "/v1/webhooks",
            &portal,
            &json!({"url": "ftp://example.org/hook"}),
        )
        .await;
    let created = service
        .post(
            "/v1/webhooks",
            &portal,
            &json!({"url": "http://127.0.0.1:9/hook"}),
        )
        .await;
    let listed = service.get("/v1/webhooks", &portal).await;
    let sub_id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/webhooks/{sub_id}");
    let deleted = service
        .send(Method::DELETE, &path, Some(&portal), None, &[])
        .await;
    let again = service
        .send(Method::DELETE, &path, Some(&portal), None, &[])
        .await;
    let after = service.get("/v1/webhooks", &portal).await;

    assert_eq!(by_handler.status, StatusCode::FORBIDDEN);
    assert_eq!(bad_url.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_url.problem_type(), problem("invalid-url"));
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(listed.body["items"][0]["id"], json!(sub_id));
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(after.body["items"], json!([]));
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_receivers_rejected_on_subscribe() {
    let service = TestService::start().await;
    let portal = service.token("portal", &[Role::Service]);
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "http://10.0.0.1/hook",
        "http://192.168.1.20/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:9/hook",
        "http://[fd00::1]/hook",
        "http://0.0.0.0/hook",
        "http://224.0.0.1/hook",
    ] {
        let reply = service
            .post("/v1/webhooks", &portal, &json!({"url": url}))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{url}: {}",
            reply.body
        );
        assert_eq!(reply.problem_type(), problem("invalid-url"), "{url}");
        let detail = reply.body["detail"].as_str().unwrap();
        assert!(detail.contains(&format!("`{url}`")), "{detail}");
    }
    let listed = service.get("/v1/webhooks", &portal).await;
    assert_eq!(listed.body["items"], json!([]));
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_receiver_not_posted_at_delivery() {
    let service = TestService::start_with(|settings| {
        settings.webhooks.poll_interval_ms = 20;
    })
    .await;
    let receiver = Receiver::start(0);
    // A subscription whose host passed the check but now is internal, as
    // after a DNS change: stored directly, bypassing the subscribe check.
    service.execute_sql(&format!(
        "INSERT INTO webhook_subscriptions (id, owner, url) VALUES ('{}', 'portal', '{}')",
        uuid::Uuid::now_v7(),
        receiver.url
    ));
    let alice = service.token("alice", &[Role::Applicant]);
    service.submitted_application("alice", &alice).await;

    let deadline = Instant::now() + Duration::from_secs(10);
    let last_error = loop {
        let rows: Vec<Option<String>> = {
            use diesel::prelude::*;
            use hap_applications::schema::webhook_deliveries;
            webhook_deliveries::table
                .select(webhook_deliveries::last_error)
                .load(&mut service.database.conn())
                .unwrap()
        };
        if let Some(Some(error)) = rows.into_iter().next() {
            break error;
        }
        assert!(
            Instant::now() < deadline,
            "no delivery attempt was recorded"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        last_error.contains("internal address 127.0.0.1"),
        "{last_error}"
    );
    assert!(receiver.log.lock().unwrap().is_empty());
    receiver.server.stop(true).await;
    service.stop().await;
}
