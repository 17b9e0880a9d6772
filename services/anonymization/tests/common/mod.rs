//! Starts the anonymization service in-process on 127.0.0.1 with its own
//! database, broker namespace and work store, and builds the linked
//! datasets and `linkage.completed` events it consumes.

#![allow(dead_code)]

use std::net::TcpListener;

use actix_web::dev::ServerHandle;
use chrono::{Duration, Utc};
use diesel::PgConnection;
use hap_anonymization::consumers::linked::{AlterRelease, ROUTING_KEYS, keep_release};
use hap_anonymization::settings::{DEFAULTS, Settings};
use hap_contracts::application::{DisclosureLevel, Purpose, RegistryRequest};
use hap_contracts::criteria::{CohortCriteria, Registry};
use hap_contracts::events::{self, LinkageCompleted, Permit};
use hap_dataset::Table;
use hap_kit::store::WorkStore;
use hap_messaging::topology::declare_consumer;
use hap_messaging::{BindingKey, Broker, ConsumerName, Envelope, Publisher};
use hap_testkit::{TestBroker, TestDatabase};
use serde_json::json;
use tempfile::TempDir;
use uuid::Uuid;

use hap_testkit::EventObserver;

pub const DEV_SECRET: &str = "anonymization-tests-development-secret-0123";

/// The running service and the fixtures it uses.
pub struct TestService {
    pub base_url: String,
    pub settings: Settings,
    /// The `anonymization.*` events the service emits.
    pub events: EventObserver,
    pub work: WorkStore,
    publisher: Publisher,
    server: ServerHandle,
    running: actix_web::rt::task::JoinHandle<std::io::Result<()>>,
    work_dir: TempDir,
    database: TestDatabase,
    broker: TestBroker,
}

impl TestService {
    /// Starts the service with k = 5 and a 5% suppression limit. The
    /// consumer's queue is declared first, so events published before the
    /// consumer connects wait in the queue.
    pub async fn start() -> TestService {
        Self::start_altering(keep_release).await
    }

    /// Starts the service as [`TestService::start`] does, with
    /// `alter_release` applied to each microdata release before its
    /// independent check.
    pub async fn start_altering(alter_release: AlterRelease) -> TestService {
        let database =
            TestDatabase::create(&[&hap_messaging::MIGRATIONS, &hap_anonymization::MIGRATIONS]);
        let broker = TestBroker::create();
        let work_dir = tempfile::tempdir().unwrap();
        let overrides = [
            ("http.host", "127.0.0.1".to_owned()),
            ("database.url", database.url().to_owned()),
            ("broker.url", broker.url().to_owned()),
            ("broker.namespace", broker.namespace().to_owned()),
            ("auth.dev_secret", DEV_SECRET.to_owned()),
            ("store.work_dir", work_dir.path().display().to_string()),
            ("anonymization.k", "5".to_owned()),
            ("anonymization.suppression_limit", "0.05".to_owned()),
        ];
        let settings: Settings = hap_kit::settings::load_with(DEFAULTS, &overrides).unwrap();

        let messaging = Broker::new(settings.common.broker.clone()).unwrap();
        let consumer = ConsumerName::new(format!("{}-linked", hap_anonymization::NAME)).unwrap();
        broker.track_consumer(&consumer);
        let bindings: Vec<BindingKey> = ROUTING_KEYS
            .iter()
            .map(|key| BindingKey::new(*key).unwrap())
            .collect();
        declare_consumer(&messaging, &consumer, &bindings)
            .await
            .unwrap();
        let events = EventObserver::bind(broker.url(), broker.namespace(), "anonymization.*").await;

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let running = hap_anonymization::startup::start_altering(
            settings.clone(),
            Some(listener),
            alter_release,
        )
        .await
        .unwrap();
        let base_url = format!("http://127.0.0.1:{}", running.port);
        let server = running.server_handle();
        let running = actix_web::rt::spawn(running.wait());

        TestService {
            base_url,
            work: WorkStore::new(work_dir.path()),
            settings,
            events,
            publisher: Publisher::new(messaging),
            server,
            running,
            work_dir,
            database,
            broker,
        }
    }

    /// Stops the HTTP server, the consumer and the relay, then drops the
    /// database and the broker namespace.
    pub async fn stop(self) {
        self.server.stop(true).await;
        self.running.await.unwrap().unwrap();
    }

    pub async fn publish(&self, envelope: &Envelope) {
        self.publisher.publish(envelope).await.unwrap();
    }

    pub fn conn(&self) -> PgConnection {
        self.database.conn()
    }

    /// Writes `table` to the work store and returns the `linkage.completed`
    /// event for it, under a pseudonymous permit.
    pub fn linked(&self, table: &Table) -> (Uuid, Envelope) {
        self.linked_at(table, DisclosureLevel::Pseudonymous)
    }

    /// Writes `table` to the work store and returns the `linkage.completed`
    /// event for it, under a permit for `level`.
    pub fn linked_at(&self, table: &Table, level: DisclosureLevel) -> (Uuid, Envelope) {
        let application_id = Uuid::now_v7();
        let prefix = format!("applications/{application_id}/v1/linked");
        let dataset = self
            .work
            .put_with(&format!("{prefix}/data.parquet"), |out| {
                hap_dataset::write_parquet(table, out).map_err(std::io::Error::other)
            })
            .unwrap();
        let report = self
            .work
            .put(
                &format!("{prefix}/linkage-report.json"),
                json!({"cohort": table.num_rows()}).to_string().as_bytes(),
            )
            .unwrap();
        let permit = Permit {
            permit_id: Uuid::now_v7(),
            application_id,
            application_version: 1,
            project_id: Uuid::now_v7(),
            project_title: "Anonymization test".into(),
            purpose: Purpose {
                description: "testing disclosure control".into(),
                health_research: true,
                commercial: false,
            },
            registries: vec![RegistryRequest {
                registry: Registry::Cancer,
                variables: vec!["birth_date".into(), "municipality".into()],
            }],
            criteria: CohortCriteria {
                diagnosis_codes: vec!["C18".into()],
                diagnosed_from: None,
                diagnosed_to: None,
            },
            disclosure_level: level,
            recipients: Vec::new(),
            valid_until: Utc::now().date_naive() + Duration::days(365),
            issued_at: Utc::now(),
        };
        let payload = LinkageCompleted {
            permit,
            dataset,
            report,
            cohort_size: table.num_rows() as u64,
        };
        let envelope = Envelope::new(
            events::LINKAGE_COMPLETED,
            events::VERSION,
            application_id,
            &payload,
        )
        .unwrap();
        (application_id, envelope)
    }
}
