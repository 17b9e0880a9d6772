//! The webhook dispatcher with several replicas on one database: each
//! delivery is sent by one replica at a time, a subscription's events
//! arrive in order, and a failed one is retried before the next.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use common::TestService;
use hap_applications::settings::WebhookSettings;
use hap_applications::webhooks::{spawn_dispatcher, store};
use hap_kit::auth::Role;
use hap_kit::db::PgManager;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Events stored for the subscription.
const EVENTS: i64 = 12;

/// Requests the receiver fails with 503 before it accepts any.
const FAILURES: usize = 2;

/// What the receiver saw: each request's `seq` and whether it was
/// accepted, and the most requests it handled at the same time.
#[derive(Default)]
struct Seen {
    requests: Mutex<Vec<(i64, bool)>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// Starts a receiver that takes 40 ms per request, so that overlapping
/// requests from two replicas would be seen, and returns its URL.
fn start_receiver(seen: Arc<Seen>) -> (String, actix_web::dev::ServerHandle) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        let seen = seen.clone();
        App::new().route(
            "/hook",
            web::post().to(move |body: web::Json<Value>| {
                let seen = seen.clone();
                async move {
                    let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    seen.max_in_flight.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(40)).await;
                    let accepted = {
                        let mut requests = seen.requests.lock().unwrap();
                        let accepted = requests.len() >= FAILURES;
                        requests.push((body["seq"].as_i64().unwrap(), accepted));
                        accepted
                    };
                    seen.in_flight.fetch_sub(1, Ordering::SeqCst);
                    if accepted {
                        HttpResponse::Ok().finish()
                    } else {
                        HttpResponse::ServiceUnavailable().finish()
                    }
                }
            }),
        )
    })
    .workers(4)
    .listen(listener)
    .unwrap()
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    (format!("http://127.0.0.1:{port}/hook"), handle)
}

fn dispatcher_settings() -> WebhookSettings {
    WebhookSettings {
        base_backoff_ms: 100,
        max_backoff_ms: 200,
        poll_interval_ms: 10,
        timeout_ms: 5_000,
        allow_private_hosts: true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_send_each_event_once_in_order() {
    let service = TestService::start_with(|settings| {
        settings.webhooks = dispatcher_settings();
    })
    .await;
    let seen = Arc::new(Seen::default());
    let (url, receiver) = start_receiver(seen.clone());
    let portal = service.token("portal", &[Role::Service]);
    let subscribed = service
        .post("/v1/webhooks", &portal, &json!({"url": url}))
        .await;
    assert_eq!(
        subscribed.status,
        StatusCode::CREATED,
        "{}",
        subscribed.body
    );

    // Two more replicas' dispatchers on the service's database, besides its own.
    let replicas: Vec<_> = (0..2)
        .map(|_| {
            let pool = PgManager::new(service.database.url()).pool_unchecked(2);
            spawn_dispatcher(pool, dispatcher_settings())
        })
        .collect();
    {
        let mut conn = service.database.conn();
        for seq in 0..EVENTS {
            store::fan_out(&mut conn, &json!({"seq": seq})).unwrap();
        }
    }

    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let accepted = seen.requests.lock().unwrap().iter().filter(|r| r.1).count();
        if accepted >= EVENTS as usize {
            break;
        }
        assert!(Instant::now() < deadline, "accepted {accepted} of {EVENTS}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Time for a duplicate to arrive, were one sent.
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(replicas);

    let requests = seen.requests.lock().unwrap().clone();
    let accepted: Vec<i64> = requests.iter().filter(|r| r.1).map(|r| r.0).collect();
    assert_eq!(accepted, (0..EVENTS).collect::<Vec<_>>(), "{requests:?}");
    // The failed first event was retried before any later one.
    assert_eq!(requests[..=FAILURES], [(0, false), (0, false), (0, true)]);
    assert_eq!(seen.max_in_flight.load(Ordering::SeqCst), 1);
    receiver.stop(true).await;
    service.stop().await;
}
