#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The HTTP skeleton: health, metrics, request ids, authentication and the
//! problem responses for malformed input, on a real server on 127.0.0.1.

use actix_web::{HttpResponse, web};
use hap_kit::Secret;
use hap_kit::auth::{AuthSettings, Authenticator, Principal, Role, issue_dev_token};
use hap_kit::http::server::Common;
use hap_kit::http::{HttpSettings, Readiness, ReadinessCheck, bind, serve};
use serde_json::{Value, json};

const SECRET: &str = "a-development-secret-for-http-tests";

async fn echo(principal: Principal, body: web::Json<Value>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"subject": principal.subject, "body": body.into_inner()}))
}

/// Starts a server whose readiness has one passing and one failing check.
fn start() -> String {
    let settings = HttpSettings {
        host: "127.0.0.1".into(),
        port: 0,
        max_body_bytes: 64,
        shutdown_timeout_seconds: 1,
    };
    let listener = bind(&settings).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let common = Common {
        authenticator: web::Data::new(Authenticator::new(AuthSettings {
            issuer: None,
            audience: None,
            roles_claim: "roles".into(),
            dev_secret: Some(Secret::new(SECRET)),
            dev_issuer: "hap-dev".into(),
        })),
        readiness: Readiness(vec![
            ReadinessCheck::new("database", || async { Ok(()) }),
            ReadinessCheck::new("broker", || async { Err("connection refused".to_owned()) }),
        ]),
        registry: prometheus::Registry::new(),
    };
    let server = serve(listener, &settings, common, |config| {
        config.route("/v1/echo", web::post().to(echo));
    })
    .unwrap();
    actix_web::rt::spawn(server);
    base
}

fn token() -> String {
    issue_dev_token(SECRET, "hap-dev", "alice", &[Role::Applicant], 60).unwrap()
}

async fn problem(response: reqwest::Response) -> (u16, String, Value) {
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (status, content_type, response.json().await.unwrap())
}

#[actix_web::test]
async fn live_returns_ok() {
    let base = start();
    let response = reqwest::get(format!("{base}/health/live")).await.unwrap();
    assert_eq!(response.status(), 200);
}

#[actix_web::test]
async fn ready_names_failed_check() {
    let base = start();
    let response = reqwest::get(format!("{base}/health/ready")).await.unwrap();
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["checks"]["database"], "ok");
    assert_eq!(body["checks"]["broker"], "failed");
}

#[actix_web::test]
async fn metrics_count_requests_by_route() {
    let base = start();
    reqwest::get(format!("{base}/health/live")).await.unwrap();
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(
            "http_requests_total{method=\"GET\",route=\"/health/live\",status=\"200\"} 1"
        ),
        "{text}"
    );
}

#[actix_web::test]
async fn request_id_echoed_or_created() {
    let base = start();
    let client = reqwest::Client::new();
    let given = client
        .get(format!("{base}/health/live"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(given.headers()["x-request-id"], "abc-123");

    let created = client
        .get(format!("{base}/health/live"))
        .send()
        .await
        .unwrap();
    let id = created.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
}

#[actix_web::test]
async fn unknown_path_is_problem() {
    let base = start();
    let (status, content_type, body) =
        problem(reqwest::get(format!("{base}/v1/nothing")).await.unwrap()).await;
    assert_eq!(status, 404);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["type"], "urn:hap:problem:not-found");
    assert_eq!(body["status"], 404);
}

#[actix_web::test]
async fn missing_token_is_401() {
    let base = start();
    let response = reqwest::Client::new()
        .post(format!("{base}/v1/echo"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let (status, content_type, body) = problem(response).await;
    assert_eq!(status, 401);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["type"], "urn:hap:problem:unauthorized");
    assert_eq!(
        body["detail"],
        "the request has no bearer token; send `Authorization: Bearer <token>`"
    );
}

#[actix_web::test]
async fn valid_token_reaches_handler() {
    let base = start();
    let response = reqwest::Client::new()
        .post(format!("{base}/v1/echo"))
        .bearer_auth(token())
        .json(&json!({"a": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["subject"], "alice");
}

#[actix_web::test]
async fn malformed_json_is_problem() {
    let base = start();
    let response = reqwest::Client::new()
        .post(format!("{base}/v1/echo"))
        .bearer_auth(token())
        .header("content-type", "application/json")
        .body("{\"a\": ")
        .send()
        .await
        .unwrap();
    let (status, _, body) = problem(response).await;
    assert_eq!(status, 400);
    assert_eq!(body["type"], "urn:hap:problem:invalid-json");
}

#[actix_web::test]
async fn oversize_body_names_limit() {
    let base = start();
    let response = reqwest::Client::new()
        .post(format!("{base}/v1/echo"))
        .bearer_auth(token())
        .json(&json!({"text": "x".repeat(200)}))
        .send()
        .await
        .unwrap();
    let (status, _, body) = problem(response).await;
    assert_eq!(status, 413);
    assert_eq!(body["type"], "urn:hap:problem:body-too-large");
    assert_eq!(body["limit"], 64);
}
