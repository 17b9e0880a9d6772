//! Starts the consent service in-process on 127.0.0.1 with its own database
//! and broker namespace, so the tests run in parallel against the real
//! PostgreSQL and RabbitMQ servers.

#![allow(dead_code)]

pub mod numbers;
pub mod payloads;

use std::net::TcpListener;

use actix_web::dev::ServerHandle;
use diesel::PgConnection;
use hap_consent::consumers::applications::ROUTING_KEYS;
use hap_consent::settings::{DEFAULTS, Settings};
use hap_kit::auth::Role;
use hap_kit::settings::decode_hex_key;
use hap_messaging::topology::{ConsumerQueues, declare_consumer};
use hap_messaging::{BindingKey, Broker, ConsumerName, Envelope, Publisher};
use hap_testkit::{TestBroker, TestDatabase};
use lapin::options::QueueDeclareOptions;
use lapin::types::FieldTable;
use lapin::{Connection, ConnectionProperties};
use serde_json::Value;

use hap_testkit::EventObserver;

pub const DEV_SECRET: &str = "consent-tests-development-secret-0123456789";

/// The platform key the service hashes identity numbers with (32 bytes).
pub const PLATFORM_KEY_HEX: &str =
    "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0";

/// An HTTP response: status, `Content-Type` and JSON body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
}

impl Reply {
    async fn read(response: reqwest::Response) -> Reply {
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = response.json().await.unwrap();
        Reply {
            status,
            content_type,
            body,
        }
    }
}

/// The running service and the fixtures it uses.
pub struct TestService {
    pub base_url: String,
    pub settings: Settings,
    pub platform_key: Vec<u8>,
    /// The `legal_basis.*` events the service emits.
    pub events: EventObserver,
    client: reqwest::Client,
    publisher: Publisher,
    server: ServerHandle,
    running: actix_web::rt::task::JoinHandle<std::io::Result<()>>,
    database: TestDatabase,
    broker: TestBroker,
}

impl TestService {
    /// Starts the service and waits until it responds to HTTP requests.
    ///
    /// The consumer's queue is declared before the service starts, so events
    /// published before its consumer connects wait in the queue.
    pub async fn start() -> TestService {
        TestService::start_with(&[]).await
    }

    /// Starts the service with `extra` settings overrides, such as a small
    /// `consent.max_import_bytes`.
    pub async fn start_with(extra: &[(&str, String)]) -> TestService {
        let database =
            TestDatabase::create(&[&hap_messaging::MIGRATIONS, &hap_consent::MIGRATIONS]);
        let broker = TestBroker::create();
        let overrides = [
            ("http.host", "127.0.0.1".to_owned()),
            ("database.url", database.url().to_owned()),
            ("broker.url", broker.url().to_owned()),
            ("broker.namespace", broker.namespace().to_owned()),
            ("auth.dev_secret", DEV_SECRET.to_owned()),
            ("consent.platform_key", PLATFORM_KEY_HEX.to_owned()),
            ("consent.identity.profile", "test".to_owned()),
        ];
        let overrides: Vec<(&str, String)> =
            overrides.into_iter().chain(extra.iter().cloned()).collect();
        let settings: Settings = hap_kit::settings::load_with(DEFAULTS, &overrides).unwrap();

        let messaging = Broker::new(settings.common.broker.clone()).unwrap();
        let consumer = ConsumerName::new(consumer_name()).unwrap();
        let bindings: Vec<BindingKey> = ROUTING_KEYS
            .iter()
            .map(|key| BindingKey::new(*key).unwrap())
            .collect();
        declare_consumer(&messaging, &consumer, &bindings)
            .await
            .unwrap();
        let events = EventObserver::bind(broker.url(), broker.namespace(), "legal_basis.*").await;

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let running = hap_consent::startup::start(settings.clone(), Some(listener))
            .await
            .unwrap();
        let base_url = format!("http://127.0.0.1:{}", running.port);
        let server = running.server_handle();
        let running = actix_web::rt::spawn(running.wait());

        let service = TestService {
            base_url,
            platform_key: decode_hex_key("consent.platform_key", &settings.consent.platform_key)
                .unwrap(),
            settings,
            events,
            client: reqwest::Client::new(),
            publisher: Publisher::new(messaging),
            server,
            running,
            database,
            broker,
        };
        let live = service.client.get(service.url("/health/live")).send().await;
        assert_eq!(live.unwrap().status(), 200, "the service is not live");
        service
    }

    /// Stops the HTTP server, the consumer and the relay, then drops the
    /// database and the broker namespace.
    pub async fn stop(self) {
        self.server.stop(true).await;
        self.running.await.unwrap().unwrap();
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Returns a development token of `subject` with `role`, valid for a minute.
    pub fn token(&self, subject: &str, role: Role) -> String {
        hap_testkit::dev_tokens::role_token(DEV_SECRET, subject, role, 60)
    }

    /// Signs a steward token that names only `registries`.
    pub fn steward_token(&self, subject: &str, registries: &[&str]) -> String {
        hap_testkit::dev_tokens::steward_token(DEV_SECRET, subject, registries, 60)
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        let response = self
            .client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        Reply::read(response).await
    }

    /// Returns every entry of the access log, read by an auditor.
    pub async fn access_log(&self) -> Vec<Value> {
        let auditor = self.token("auditor-1", Role::Auditor);
        let reply = self.get("/v1/access-log", &auditor).await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        reply.body["items"].as_array().unwrap().clone()
    }

    /// Posts a consent CSV to `POST /v1/registries/{registry}/consent-events`.
    pub async fn import(&self, registry: &str, token: &str, csv: &str) -> Reply {
        let response = self
            .client
            .post(self.url(&format!("/v1/registries/{registry}/consent-events")))
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "text/csv")
            .body(csv.to_owned())
            .send()
            .await
            .unwrap();
        Reply::read(response).await
    }

    /// Imports `csv` into the quality registry as a steward and checks it was accepted.
    pub async fn import_quality(&self, csv: &str) -> Reply {
        let steward = self.token("steward-1", Role::Steward);
        let reply = self.import("quality", &steward, csv).await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        reply
    }

    /// Publishes `envelope` to `{namespace}.events` and waits for the broker's confirm.
    pub async fn publish(&self, envelope: &Envelope) {
        self.publisher.publish(envelope).await.unwrap();
    }

    /// Returns how many messages of the service's consumer wait for a retry
    /// or were dead-lettered.
    pub async fn failed_messages(&self) -> u32 {
        let consumer = ConsumerName::new(consumer_name()).unwrap();
        let retries = self.settings.common.broker.retry_delays.len();
        let queues = ConsumerQueues::new(self.broker.namespace(), &consumer, retries);
        let connection = Connection::connect(self.broker.url(), ConnectionProperties::default())
            .await
            .unwrap();
        let channel = connection.create_channel().await.unwrap();
        let passive = QueueDeclareOptions {
            passive: true,
            ..QueueDeclareOptions::default()
        };
        let mut count = 0;
        for queue in queues.retries.iter().chain([&queues.dead]) {
            count += channel
                .queue_declare(queue.as_str().into(), passive, FieldTable::default())
                .await
                .unwrap()
                .message_count();
        }
        connection.close(200, "counted".into()).await.unwrap();
        count
    }

    /// Returns a connection to the service's database.
    pub fn conn(&self) -> PgConnection {
        self.database.conn()
    }

    /// Binds a new observer of the events matching `binding_key`.
    pub async fn observe(&self, binding_key: &str) -> EventObserver {
        EventObserver::bind(self.broker.url(), self.broker.namespace(), binding_key).await
    }

    /// Posts `body` as JSON to `path`.
    pub async fn post_json(&self, path: &str, token: &str, body: &Value) -> Reply {
        let response = self
            .client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        Reply::read(response).await
    }

    /// Returns `GET /v1/permits/{permit_id}/exclusions` read with a service token.
    pub async fn exclusions(&self, permit_id: uuid::Uuid) -> Reply {
        let token = self.token("hap-linkage", Role::Service);
        self.get(&format!("/v1/permits/{permit_id}/exclusions"), &token)
            .await
    }
}

/// Returns the name of the consumer that the service starts, `consent-applications`.
fn consumer_name() -> String {
    format!("{}-applications", hap_consent::NAME)
}

/// Builds a consent CSV: the header row, then one line per row.
pub fn consent_csv(rows: &[String]) -> String {
    let mut text = String::from("person_id,event,event_date,source\n");
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text
}

/// Builds a consent CSV with the optional `scope` column.
pub fn scoped_consent_csv(rows: &[String]) -> String {
    let mut text = String::from("person_id,event,event_date,source,scope\n");
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text
}
