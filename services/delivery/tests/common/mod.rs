//! Starts the delivery service in-process on 127.0.0.1 with its own
//! database, broker namespace, work store and delivery store (a folder, or
//! a bucket on a local S3-compatible server), and builds released datasets
//! to deliver.

#![allow(dead_code)]

pub mod release;

use std::net::TcpListener;

use actix_web::dev::ServerHandle;
use diesel::PgConnection;
use hap_delivery::settings::{DEFAULTS, Settings};
use hap_delivery::store::DeliveryStore;
use hap_kit::auth::Role;
use hap_kit::store::WorkStore;
use hap_messaging::topology::declare_consumer;
use hap_messaging::{BindingKey, Broker, ConsumerName, Envelope, Publisher};
use hap_testkit::{TestBroker, TestDatabase};
use serde_json::Value;
use tempfile::TempDir;

use hap_testkit::EventObserver;

pub const DEV_SECRET: &str = "delivery-tests-development-secret-0123456789";

/// Where the service keeps encrypted packages in a test.
pub enum StoreKind {
    Folder,
    /// A bucket on an S3-compatible server at `endpoint`.
    S3 {
        endpoint: String,
        bucket: String,
    },
}

/// An HTTP response: status, headers and body bytes.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|error| panic!("body is not JSON ({error}): {:?}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// The running service and the fixtures it uses.
/// The test service's `http.max_body_bytes`, small so that an oversize
/// body is small too.
pub const MAX_BODY_BYTES: usize = 65_536;

pub struct TestService {
    pub base_url: String,
    pub settings: Settings,
    /// The `delivery.*` events the service emits.
    pub events: EventObserver,
    pub store: DeliveryStore,
    client: reqwest::Client,
    publisher: Publisher,
    server: ServerHandle,
    running: actix_web::rt::task::JoinHandle<std::io::Result<()>>,
    work_dir: TempDir,
    delivery_dir: TempDir,
    database: TestDatabase,
    broker: TestBroker,
}

impl TestService {
    /// Starts the service with packages in a folder, sweeping every second.
    pub async fn start() -> TestService {
        TestService::start_with(StoreKind::Folder).await
    }

    /// Starts the service and waits until it responds to HTTP requests.
    /// The consumers' queues are declared first, so events published before
    /// the consumers connect wait in their queues.
    pub async fn start_with(kind: StoreKind) -> TestService {
        let database =
            TestDatabase::create(&[&hap_messaging::MIGRATIONS, &hap_delivery::MIGRATIONS]);
        let broker = TestBroker::create();
        let work_dir = tempfile::tempdir().unwrap();
        let delivery_dir = tempfile::tempdir().unwrap();
        let mut overrides = vec![
            ("http.host", "127.0.0.1".to_owned()),
            ("database.url", database.url().to_owned()),
            ("broker.url", broker.url().to_owned()),
            ("broker.namespace", broker.namespace().to_owned()),
            ("auth.dev_secret", DEV_SECRET.to_owned()),
            ("store.work_dir", work_dir.path().display().to_string()),
            (
                "store.delivery_dir",
                delivery_dir.path().display().to_string(),
            ),
            ("delivery.sweep_seconds", "1".to_owned()),
            ("http.max_body_bytes", MAX_BODY_BYTES.to_string()),
        ];
        if let StoreKind::S3 { endpoint, bucket } = &kind {
            overrides.extend([
                ("store.delivery_backend", "s3".to_owned()),
                ("store.s3.endpoint", endpoint.clone()),
                ("store.s3.bucket", bucket.clone()),
                ("store.s3.prefix", "deliveries".to_owned()),
                ("store.s3.allow_http", "true".to_owned()),
                ("store.s3.access_key_id", "testing".to_owned()),
                ("store.s3.secret_access_key", "testing".to_owned()),
            ]);
        }
        let settings: Settings = hap_kit::settings::load_with(DEFAULTS, &overrides).unwrap();

        let messaging = Broker::new(settings.common.broker.clone()).unwrap();
        for (name, keys) in [
            ("released", hap_delivery::consumers::released::ROUTING_KEYS),
            ("revoked", hap_delivery::consumers::revoked::ROUTING_KEYS),
        ] {
            let consumer = ConsumerName::new(format!("{}-{name}", hap_delivery::NAME)).unwrap();
            broker.track_consumer(&consumer);
            let bindings: Vec<BindingKey> = keys
                .iter()
                .map(|key| BindingKey::new(*key).unwrap())
                .collect();
            declare_consumer(&messaging, &consumer, &bindings)
                .await
                .unwrap();
        }
        let events = EventObserver::bind(broker.url(), broker.namespace(), "delivery.*").await;

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let running = hap_delivery::startup::start(settings.clone(), Some(listener))
            .await
            .unwrap();
        let base_url = format!("http://127.0.0.1:{}", running.port);
        let server = running.server_handle();
        let running = actix_web::rt::spawn(running.wait());

        let service = TestService {
            base_url,
            store: hap_delivery::store::open(&settings.store).unwrap(),
            settings,
            events,
            client: reqwest::Client::new(),
            publisher: Publisher::new(messaging),
            server,
            running,
            work_dir,
            delivery_dir,
            database,
            broker,
        };
        let live = service.client.get(service.url("/health/live")).send().await;
        assert_eq!(live.unwrap().status(), 200, "the service is not live");
        service
    }

    /// Stops the HTTP server, the consumers and the relay.
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

    /// Sends `GET path` with optional bearer token and extra headers.
    pub async fn get(&self, path: &str, token: Option<&str>, headers: &[(&str, &str)]) -> Reply {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Reply::read(request.send().await.unwrap()).await
    }

    /// Sends `POST path` with a bearer token and a JSON body.
    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Reply {
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

    /// Publishes `envelope` to `{namespace}.events` and waits for the broker's confirm.
    pub async fn publish(&self, envelope: &Envelope) {
        self.publisher.publish(envelope).await.unwrap();
    }

    /// Returns a connection to the service's database.
    pub fn conn(&self) -> PgConnection {
        self.database.conn()
    }

    /// Returns the work store the released datasets are read from.
    pub fn work_store(&self) -> WorkStore {
        WorkStore::new(self.work_dir.path())
    }
}

impl Reply {
    async fn read(response: reqwest::Response) -> Reply {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap().to_vec();
        Reply {
            status,
            headers,
            bytes,
        }
    }
}

/// A delivery that the service reported ready.
pub struct Delivered {
    pub application_id: uuid::Uuid,
    pub delivery_id: uuid::Uuid,
    pub permit: hap_contracts::events::Permit,
}

impl TestService {
    /// Publishes a release for `recipients` and waits for `delivery.ready`.
    pub async fn deliver(
        &mut self,
        recipients: &[&release::Person],
        valid_until: chrono::NaiveDate,
    ) -> Delivered {
        let envelope = release::released(&self.work_store(), recipients, valid_until);
        let application_id = envelope.correlation_id();
        self.publish(&envelope).await;
        let ready = self
            .events
            .wait_for(hap_contracts::events::DELIVERY_READY, application_id)
            .await;
        let ready: hap_contracts::events::DeliveryReady = ready.payload_as().unwrap();
        Delivered {
            application_id,
            delivery_id: ready.delivery_id,
            permit: release::permit_of(&envelope),
        }
    }

    /// Requests a download grant as `subject` and returns the reply.
    pub async fn request_grant(&self, delivery_id: uuid::Uuid, subject: &str) -> Reply {
        let token = self.token(subject, Role::Applicant);
        self.post(
            &format!("/v1/deliveries/{delivery_id}/grants"),
            &token,
            &serde_json::json!({}),
        )
        .await
    }

    /// Requests a grant as `subject`, which must succeed, and returns its token.
    pub async fn grant(&self, delivery_id: uuid::Uuid, subject: &str) -> String {
        let reply = self.request_grant(delivery_id, subject).await;
        assert_eq!(reply.status, 201, "{}", reply.text());
        reply.json()["token"].as_str().unwrap().to_owned()
    }

    /// Downloads one file with a grant token and optional headers.
    pub async fn download(
        &self,
        delivery_id: uuid::Uuid,
        name: &str,
        grant: &str,
        headers: &[(&str, &str)],
    ) -> Reply {
        self.get(
            &format!("/v1/deliveries/{delivery_id}/files/{name}?grant={grant}"),
            None,
            headers,
        )
        .await
    }

    /// Returns the names of the delivery's files, as an auditor reads them.
    pub async fn file_names(&self, delivery_id: uuid::Uuid) -> Vec<String> {
        let auditor = self.token("auditor-1", Role::Auditor);
        let reply = self
            .get(
                &format!("/v1/deliveries/{delivery_id}"),
                Some(&auditor),
                &[],
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|file| file["name"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Downloads every file with `grant`, decrypts it with `key` into a new
    /// folder, checks every file against the manifest and returns the folder.
    pub async fn download_and_decrypt(
        &self,
        delivery_id: uuid::Uuid,
        grant: &str,
        key: &hap_crypt4gh::SecretKey,
    ) -> TempDir {
        let dir = tempfile::tempdir().unwrap();
        for name in self.file_names(delivery_id).await {
            let reply = self.download(delivery_id, &name, grant, &[]).await;
            assert_eq!(reply.status, 200, "{name}: {}", reply.text());
            let mut plain = Vec::new();
            hap_crypt4gh::decrypt(reply.bytes.as_slice(), &mut plain, key)
                .unwrap_or_else(|error| panic!("decrypting {name}: {error}"));
            let plain_name = name.strip_suffix(".c4gh").unwrap();
            std::fs::write(dir.path().join(plain_name), plain).unwrap();
        }
        hap_package::verify_manifest(dir.path()).expect("every file matches the manifest");
        dir
    }

    /// Returns the access log of a delivery as an auditor reads it.
    pub async fn access_log(&self, delivery_id: uuid::Uuid) -> Vec<Value> {
        let auditor = self.token("auditor-1", Role::Auditor);
        let reply = self
            .get(
                &format!("/v1/deliveries/{delivery_id}/downloads"),
                Some(&auditor),
                &[],
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()["items"].as_array().unwrap().clone()
    }

    /// Returns the keys the delivery store holds for a delivery.
    pub async fn stored_keys(&self, delivery_id: uuid::Uuid) -> Vec<String> {
        self.store.keys(&delivery_id.to_string()).await.unwrap()
    }
}
