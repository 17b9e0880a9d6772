//! The applications service started in-process for one test.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use chrono::NaiveDate;
use diesel::prelude::*;
use hap_applications::schema::applications;
use hap_applications::settings::{DEFAULTS, Settings};
use hap_kit::auth::{Role, issue_dev_token};
use hap_testkit::{TestBroker, TestDatabase};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::task::JoinHandle;
use uuid::Uuid;

/// The HS256 secret of the development issuer that the test service trusts.
pub const DEV_SECRET: &str = "applications-integration-tests-dev-secret";

/// How long a test waits for an effect of an asynchronous message.
pub const MESSAGE_TIMEOUT: Duration = Duration::from_secs(15);

/// How long [`TestService::stop`] waits for the service task to end.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// Lifetime of the test tokens, in seconds.
const TOKEN_LIFETIME: u64 = 600;

/// A running applications service with its own database and namespace.
///
/// Call [`TestService::stop`] at the end of a test. The database and the
/// namespace are removed when the value drops.
pub struct TestService {
    pub base_url: String,
    http: reqwest::Client,
    server: ServerHandle,
    task: JoinHandle<std::io::Result<()>>,
    // Dropped after the service stops, in this order: namespace, database.
    pub broker: TestBroker,
    pub database: TestDatabase,
    /// The attachment store's folder.
    pub attachment_dir: tempfile::TempDir,
}

/// One HTTP response: status, `ETag` header and JSON body (`Null` when the
/// body is empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub etag: Option<String>,
    pub body: Value,
}

impl Reply {
    /// Returns the `type` member of a problem body, `""` when absent.
    pub fn problem_type(&self) -> &str {
        self.body["type"].as_str().unwrap_or("")
    }

    /// Returns the `id` member of an application body.
    pub fn id(&self) -> Uuid {
        uuid_field(&self.body, "id")
    }
}

/// Reads a UUID member of a JSON object.
///
/// # Panics
///
/// Panics when the member is missing or not a UUID.
pub fn uuid_field(value: &Value, field: &str) -> Uuid {
    value[field]
        .as_str()
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(|| panic!("`{field}` is not a UUID in {value}"))
}

/// Returns the `problem` type URN of a slug, as the service writes it.
pub fn problem(slug: &str) -> String {
    format!("urn:hap:problem:{slug}")
}

impl TestService {
    /// Creates a database and a namespace, starts the service on a free port
    /// of 127.0.0.1 and returns once it serves HTTP.
    ///
    /// The service applies its migrations to the new, empty database.
    pub async fn start() -> TestService {
        TestService::start_with(|_| {}).await
    }

    /// Starts the service with settings changed by `adjust`, such as a
    /// shorter `cases.limit_linked_sources_days`.
    pub async fn start_with(adjust: impl FnOnce(&mut Settings)) -> TestService {
        init_logging();
        let database = TestDatabase::create(&[]);
        let broker = TestBroker::create();
        let attachment_dir = tempfile::tempdir().expect("creating the attachment folder");
        let overrides = [
            (
                "attachments.dir",
                attachment_dir.path().display().to_string(),
            ),
            ("http.host", "127.0.0.1".to_owned()),
            ("database.url", database.url().to_owned()),
            ("broker.url", broker.url().to_owned()),
            ("broker.namespace", broker.namespace().to_owned()),
            ("auth.dev_secret", DEV_SECRET.to_owned()),
        ];
        let mut settings: Settings = hap_kit::settings::load_with(DEFAULTS, &overrides)
            .expect("the test settings are valid");
        // Few connections, so that parallel tests stay below the server's limit.
        settings.common.database.pool_size = 4;
        adjust(&mut settings);

        let listener = TcpListener::bind("127.0.0.1:0").expect("binding a free port");
        let port = listener.local_addr().expect("the bound address").port();
        let running = hap_applications::startup::start(settings, Some(listener))
            .await
            .expect("the applications service starts");
        let server = running.server_handle();
        let task = tokio::spawn(running.wait());

        TestService {
            base_url: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
            server,
            task,
            broker,
            database,
            attachment_dir,
        }
    }

    /// Stops the HTTP server, then waits for the consumer, the relay and the
    /// broker connection to stop.
    pub async fn stop(self) {
        self.server.stop(true).await;
        tokio::time::timeout(SHUTDOWN_TIMEOUT, self.task)
            .await
            .expect("the service stopped within the shutdown timeout")
            .expect("the service task did not panic")
            .expect("the HTTP server ran without an I/O error");
    }

    /// Signs a development token for `subject` with `roles`.
    pub fn token(&self, subject: &str, roles: &[Role]) -> String {
        issue_dev_token(DEV_SECRET, "hap-dev", subject, roles, TOKEN_LIFETIME)
            .expect("signing a development token")
    }

    /// Sends a request and reads the response. `token` may be `None` to send
    /// no `Authorization` header.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base_url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|error| panic!("{method} {path} failed: {error}"));

        let status = response.status();
        let etag = response
            .headers()
            .get(reqwest::header::ETAG)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let bytes = response.bytes().await.expect("reading the response body");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply { status, etag, body }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.send(Method::GET, path, Some(token), None, &[]).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.send(Method::POST, path, Some(token), Some(body), &[])
            .await
    }

    /// Sends `POST /v1/applications/{id}/{command}` with `body`.
    pub async fn command(&self, id: Uuid, command: &str, token: &str, body: &Value) -> Reply {
        self.post(&format!("/v1/applications/{id}/{command}"), token, body)
            .await
    }

    /// Creates a draft with the attachments its content needs for
    /// submission (a PDF of each required kind) and returns its id.
    ///
    /// # Panics
    ///
    /// Panics unless the service returns 201 to each request.
    pub async fn create_draft(&self, token: &str, content: &Value) -> Uuid {
        let id = self.create_bare_draft(token, content).await;
        for kind in super::files::required_kinds(content) {
            let reply = self
                .upload(
                    id,
                    token,
                    kind,
                    &format!("{kind}.pdf"),
                    "application/pdf",
                    super::files::pdf(),
                )
                .await;
            assert_eq!(reply.status, StatusCode::CREATED, "{kind}: {}", reply.body);
        }
        id
    }

    /// Creates a draft without attachments and returns its id.
    ///
    /// # Panics
    ///
    /// Panics unless the service returns 201.
    pub async fn create_bare_draft(&self, token: &str, content: &Value) -> Uuid {
        let reply = self.post("/v1/applications", token, content).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.id()
    }

    /// Uploads `bytes` as an attachment of `kind` to application `id`.
    pub async fn upload(
        &self,
        id: Uuid,
        token: &str,
        kind: &str,
        file_name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Reply {
        let path = format!("/v1/applications/{id}/attachments");
        let response = self
            .http
            .post(format!("{}{path}", self.base_url))
            .query(&[("kind", kind), ("file_name", file_name)])
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(bytes)
            .send()
            .await
            .unwrap_or_else(|error| panic!("POST {path} failed: {error}"));
        let status = response.status();
        let bytes = response.bytes().await.expect("reading the response body");
        Reply {
            status,
            etag: None,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    /// Downloads attachment `attachment` of application `id`.
    pub async fn download(&self, id: Uuid, attachment: Uuid, token: &str) -> reqwest::Response {
        self.http
            .get(format!(
                "{}/v1/applications/{id}/attachments/{attachment}",
                self.base_url
            ))
            .bearer_auth(token)
            .send()
            .await
            .expect("downloading an attachment")
    }

    /// Creates a complete draft for `subject` and submits it.
    pub async fn submitted_application(&self, subject: &str, token: &str) -> Uuid {
        let id = self
            .create_draft(token, &super::complete_content(subject))
            .await;
        let reply = self.command(id, "submit", token, &json!({})).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        id
    }

    /// Creates and submits an application, lets `handler` claim it and
    /// `decider-1` approve it (the content is pseudonymous, so the decider
    /// must differ from the handler); returns its id.
    pub async fn approved_application(
        &self,
        subject: &str,
        applicant: &str,
        handler: &str,
    ) -> Uuid {
        let id = self.submitted_application(subject, applicant).await;
        let decider = self.token("decider-1", &[Role::Decider]);
        let claimed = self.command(id, "claim", handler, &json!({})).await;
        assert_eq!(claimed.status, StatusCode::OK, "claim: {}", claimed.body);
        let approved = self.command(id, "approve", &decider, &json!({})).await;
        assert_eq!(
            approved.status,
            StatusCode::OK,
            "approve: {}",
            approved.body
        );
        id
    }

    /// Runs one SQL statement on the service's database, for arranging a
    /// case as if time had passed; returns the number of rows changed.
    pub fn execute_sql(&self, sql: &str) -> usize {
        diesel::sql_query(sql)
            .execute(&mut self.database.conn())
            .unwrap_or_else(|error| panic!("{sql} failed: {error}"))
    }

    /// Polls the timeline until the application is in `state` and returns
    /// the timeline.
    ///
    /// # Panics
    ///
    /// Panics with the last timeline after [`MESSAGE_TIMEOUT`].
    pub async fn wait_for_state(&self, id: Uuid, token: &str, state: &str) -> Value {
        self.wait_for_timeline(id, token, |timeline| timeline["state"] == state)
            .await
    }

    /// Polls the timeline until `done` returns true for it, and returns it.
    ///
    /// # Panics
    ///
    /// Panics with the last timeline after [`MESSAGE_TIMEOUT`].
    pub async fn wait_for_timeline(
        &self,
        id: Uuid,
        token: &str,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + MESSAGE_TIMEOUT;
        loop {
            let reply = self
                .get(&format!("/v1/applications/{id}/timeline"), token)
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            if done(&reply.body) {
                return reply.body;
            }
            assert!(
                Instant::now() < deadline,
                "the timeline of {id} did not reach the expected point within {MESSAGE_TIMEOUT:?}: {}",
                reply.body
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sets the decision deadline of an application in the database, as if
    /// it had been submitted on another day.
    pub fn set_deadline(&self, id: Uuid, deadline: NaiveDate) {
        let changed = diesel::update(applications::table.find(id))
            .set(applications::deadline.eq(deadline))
            .execute(&mut self.database.conn())
            .expect("updating the deadline");
        assert_eq!(changed, 1, "application {id} is not in the database");
    }
}

/// Sends the service's log lines to the test output, filtered by `RUST_LOG`
/// (errors only when it is unset). The first call in a test binary wins.
fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

/// Returns the ids of the items of a page of `GET /v1/queue` or
/// `GET /v1/applications`.
pub fn item_ids(page: &Value) -> Vec<Uuid> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("the page has no `items`: {page}"))
        .iter()
        .map(|item| uuid_field(item, "id"))
        .collect()
}

/// Returns the `event` names of a timeline, oldest first.
pub fn timeline_events(timeline: &Value) -> Vec<String> {
    timeline["entries"]
        .as_array()
        .unwrap_or_else(|| panic!("the timeline has no `entries`: {timeline}"))
        .iter()
        .map(|entry| entry["event"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Returns the first timeline entry with `event`.
pub fn timeline_entry<'a>(timeline: &'a Value, event: &str) -> &'a Value {
    timeline["entries"]
        .as_array()
        .and_then(|entries| entries.iter().find(|entry| entry["event"] == event))
        .unwrap_or_else(|| panic!("the timeline has no `{event}` entry: {timeline}"))
}
