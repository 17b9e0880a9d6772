#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The HTTP skeleton: health, metrics, request ids, authentication and the
//! problem responses for malformed input, on a real server on 127.0.0.1.

use actix_web::{HttpResponse, web};
use hap_kit::auth::{AuthSettings, Authenticator, Principal, Role, issue_dev_token};
use hap_kit::http::server::Common;
use hap_kit::http::{BodyLimit, HttpSettings, Readiness, ReadinessCheck, bind, serve};
use serde_json::{Value, json};

const SECRET: &str = "a-development-secret-for-http-tests";

async fn echo(principal: Principal, body: web::Json<Value>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"subject": principal.subject, "body": body.into_inner()}))
}

async fn text_length(body: String) -> HttpResponse {
    HttpResponse::Ok().json(json!({"length": body.len()}))
}

async fn bytes_length(body: web::Bytes) -> HttpResponse {
    HttpResponse::Ok().json(json!({"length": body.len()}))
}

async fn item(id: web::Path<uuid::Uuid>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"id": id.into_inner()}))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    limit: Option<u32>,
}

async fn page(query: web::Query<PageQuery>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"limit": query.limit}))
}

async fn panics() -> HttpResponse {
    panic!("a handler bug")
}

/// The upload limit of the `/v1/upload` scope, in bytes.
const UPLOAD_LIMIT: usize = 128;

/// Starts a server whose readiness has a passing check, a failing
/// required check and a failing optional one.
fn start() -> String {
    start_with(Readiness(vec![
        ReadinessCheck::new("database", || async { Ok(()) }),
        ReadinessCheck::new("store", || async { Err("disk full".to_owned()) }),
        ReadinessCheck::new("broker", || async { Err("connection refused".to_owned()) }).optional(),
    ]))
}

/// Starts a server with the given readiness checks.
fn start_with(readiness: Readiness) -> String {
    let settings = HttpSettings {
        host: "127.0.0.1".into(),
        port: 0,
        max_body_bytes: 64,
        shutdown_timeout_seconds: 1,
    };
    let listener = bind(&settings).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let common = Common {
        authenticator: web::Data::new(Authenticator::new(AuthSettings::development(SECRET))),
        readiness,
        registry: prometheus::Registry::new(),
    };
    let server = serve(listener, &settings, common, |config| {
        config
            .route("/v1/echo", web::post().to(echo))
            .route("/v1/text", web::post().to(text_length))
            .route("/v1/items/{id}", web::get().to(item))
            .route("/v1/page", web::get().to(page))
            .route("/v1/panic", web::get().to(panics))
            .service(web::resource("/v1/resource").route(web::post().to(text_length)))
            .service(
                web::scope("/v1/upload")
                    .configure(|scope| {
                        BodyLimit::new(UPLOAD_LIMIT, "test.max_upload_bytes").register(scope);
                    })
                    .route("", web::post().to(bytes_length)),
            );
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
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["checks"]["database"], "ok");
    assert_eq!(body["checks"]["store"], "failed");
    assert_eq!(body["checks"]["broker"], "failed");
}

#[actix_web::test]
async fn failed_optional_check_stays_ready() {
    let base = start_with(Readiness(vec![
        ReadinessCheck::new("database", || async { Ok(()) }),
        ReadinessCheck::new("broker", || async { Err("connection refused".to_owned()) }).optional(),
    ]));
    let response = reqwest::get(format!("{base}/health/ready")).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["checks"]["broker"], "failed");
}

/// Returns the Prometheus text the server at `base` serves.
async fn metrics(base: &str) -> String {
    reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[actix_web::test]
async fn metrics_count_requests_by_route() {
    let base = start();
    reqwest::get(format!("{base}/health/live")).await.unwrap();
    let text = metrics(&base).await;
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
    assert_eq!(body["setting"], "http.max_body_bytes");
}

async fn post(base: &str, path: &str, content_type: &str, body: Vec<u8>) -> (u16, String, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    problem(response).await
}

#[actix_web::test]
async fn oversize_text_body_names_setting() {
    let base = start();
    let (status, content_type, body) = post(&base, "/v1/text", "text/plain", vec![b'x'; 65]).await;
    assert_eq!(status, 413);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["type"], "urn:hap:problem:body-too-large");
    assert_eq!(body["limit"], 64);
    assert_eq!(body["setting"], "http.max_body_bytes");
}

#[actix_web::test]
async fn text_body_at_limit_accepted() {
    let base = start();
    let response = reqwest::Client::new()
        .post(format!("{base}/v1/text"))
        .body(vec![b'x'; 64])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[actix_web::test]
async fn upload_limit_replaces_default() {
    let base = start();
    let response = reqwest::Client::new()
        .post(format!("{base}/v1/upload"))
        .body(vec![b'x'; UPLOAD_LIMIT])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let (status, content_type, body) = post(
        &base,
        "/v1/upload",
        "text/csv",
        vec![b'x'; UPLOAD_LIMIT + 1],
    )
    .await;
    assert_eq!(status, 413);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["limit"], UPLOAD_LIMIT);
    assert_eq!(body["setting"], "test.max_upload_bytes");
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("test.max_upload_bytes"), "{detail}");
}

#[actix_web::test]
async fn chunked_oversize_upload_is_problem() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let base = start();
    let address = base.trim_start_matches("http://");
    // A chunked body has no Content-Length, so the limit applies while reading.
    let chunk = "x".repeat(100);
    let request = format!(
        "POST /v1/upload HTTP/1.1\r\nHost: {address}\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n64\r\n{chunk}\r\n64\r\n{chunk}\r\n0\r\n\r\n"
    );
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8(response).unwrap();
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(
        response.contains("content-type: application/problem+json"),
        "{response}"
    );
    assert!(response.contains("test.max_upload_bytes"), "{response}");
}

#[actix_web::test]
async fn invalid_utf8_text_body_is_problem() {
    let base = start();
    let (status, content_type, body) =
        post(&base, "/v1/text", "text/plain", vec![b'a', 0xff, 0xfe]).await;
    assert_eq!(status, 400);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["type"], "urn:hap:problem:invalid-request");
}

#[actix_web::test]
async fn invalid_utf8_json_body_is_problem() {
    let base = start();
    let response = reqwest::Client::new()
        .post(format!("{base}/v1/echo"))
        .bearer_auth(token())
        .header("content-type", "application/json")
        .body(b"{\"a\": \"\xff\"}".to_vec())
        .send()
        .await
        .unwrap();
    let (status, content_type, body) = problem(response).await;
    assert_eq!(status, 400);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["type"], "urn:hap:problem:invalid-json");
}

#[actix_web::test]
async fn invalid_utf8_path_is_problem() {
    let base = start();
    let response = reqwest::get(format!("{base}/v1/items/%FF%FE"))
        .await
        .unwrap();
    let (status, content_type, body) = problem(response).await;
    assert_eq!(status, 400);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["type"], "urn:hap:problem:invalid-encoding");
    assert!(body["detail"].as_str().unwrap().contains("path"));
}

#[actix_web::test]
async fn invalid_utf8_query_is_problem() {
    let base = start();
    let response = reqwest::get(format!("{base}/v1/page?limit=%FF"))
        .await
        .unwrap();
    let (status, content_type, body) = problem(response).await;
    assert_eq!(status, 400);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["type"], "urn:hap:problem:invalid-encoding");
    assert!(body["detail"].as_str().unwrap().contains("query string"));
}

#[actix_web::test]
async fn non_uuid_path_is_problem() {
    let base = start();
    let response = reqwest::get(format!("{base}/v1/items/..%2F..%2Fetc%2Fpasswd"))
        .await
        .unwrap();
    let (status, content_type, body) = problem(response).await;
    assert_eq!(status, 400);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["type"], "urn:hap:problem:invalid-path");
}

#[actix_web::test]
async fn oversize_query_number_is_problem() {
    let base = start();
    let response = reqwest::get(format!("{base}/v1/page?limit=99999999999999999999"))
        .await
        .unwrap();
    let (status, content_type, body) = problem(response).await;
    assert_eq!(status, 400);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["type"], "urn:hap:problem:invalid-query");
}

#[actix_web::test]
async fn unknown_query_parameter_is_problem() {
    let base = start();
    let response = reqwest::get(format!("{base}/v1/page?limti=5"))
        .await
        .unwrap();
    let (status, _, body) = problem(response).await;
    assert_eq!(status, 400);
    assert_eq!(body["type"], "urn:hap:problem:invalid-query");
    assert!(body["detail"].as_str().unwrap().contains("limti"));
}

#[actix_web::test]
async fn wrong_method_is_problem() {
    let base = start();
    // A resource returns an empty 405 for a method it has no route for.
    let response = reqwest::get(format!("{base}/v1/resource")).await.unwrap();
    let (status, content_type, body) = problem(response).await;
    assert_eq!(status, 405);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["type"], "urn:hap:problem:method-not-allowed");

    // The health and metrics routes name the one method they accept.
    for path in ["/health/live", "/health/ready", "/metrics"] {
        let response = reqwest::Client::new()
            .post(format!("{base}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["allow"], "GET", "{path}");
        let (status, content_type, _) = problem(response).await;
        assert_eq!(status, 405, "{path}");
        assert_eq!(content_type, "application/problem+json", "{path}");
    }
}

#[actix_web::test]
async fn handler_panic_is_500_problem() {
    let base = start();
    let response = reqwest::get(format!("{base}/v1/panic")).await.unwrap();
    let (status, content_type, body) = problem(response).await;
    assert_eq!(status, 500);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["type"], "urn:hap:problem:internal");
    assert!(!body["detail"].as_str().unwrap().contains("handler bug"));

    // The worker that ran the handler keeps serving.
    let after = reqwest::get(format!("{base}/health/live")).await.unwrap();
    assert_eq!(after.status(), 200);

    // The metrics count the 500.
    let text = metrics(&base).await;
    assert!(
        text.contains("http_requests_total{method=\"GET\",route=\"/v1/panic\",status=\"500\"} 1"),
        "{text}"
    );
}

#[actix_web::test]
async fn readiness_body_kept_on_503() {
    let base = start();
    let response = reqwest::get(format!("{base}/health/ready")).await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["content-type"], "application/json");
}
