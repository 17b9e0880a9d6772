//! The end-to-end harness: starts the five service binaries against the real
//! PostgreSQL and RabbitMQ, each test with its own databases, broker
//! namespace, ports and folders, so tests run in parallel.
//!
//! The binaries come from the same target folder as the test executable;
//! build them first with `cargo build --bins` (`make test` does).

// A test harness: failing at once with a message is what its callers need.
#![allow(clippy::expect_used, clippy::unwrap_used)]

pub mod capture;
pub mod dump;
pub mod identity_scan;
pub mod otlp;

use std::collections::BTreeMap;
use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl};
use hap_client::Endpoints;
use hap_client::scenario::Actors;
use hap_kit::auth::Role;
use hap_messaging::ConsumerName;
use hap_testkit::{Proxy, TestBroker};
use tempfile::TempDir;

mod outbox;

pub use outbox::OutboxRow;

/// The services in the order of their ports.
pub const SERVICES: [&str; 5] = [
    "applications",
    "consent",
    "linkage",
    "anonymization",
    "delivery",
];

/// The consumer each service declares, for cleaning up the namespace.
pub const CONSUMERS: [&str; 7] = [
    "applications-pipeline",
    "applications-withdrawals",
    "consent-applications",
    "linkage-cleared",
    "anonymization-linked",
    "delivery-released",
    "delivery-revoked",
];

/// The shared PostgreSQL server, as a URL without a database name.
const DATABASE_SERVER: &str = "postgres://postgres@127.0.0.1:5432";

/// Which services reach a server through a [`Proxy`].
#[derive(Clone, Debug, Default)]
pub enum Proxies {
    /// Every service connects to the server directly.
    #[default]
    None,
    /// Every service connects through one proxy, so one fault hits them all.
    Shared,
    /// Each service listed connects through a proxy of its own; the others
    /// connect directly.
    PerService(Vec<&'static str>),
}

/// How [`Platform::start_with`] starts the services.
#[derive(Clone, Debug, Default)]
pub struct PlatformOptions {
    /// Base URL of an OTLP/HTTP receiver; each service exports its spans to
    /// `<base>/<service>/v1/traces`.
    pub otlp_base: Option<String>,
    /// PostgreSQL server URL without a database name, such as a
    /// [`hap_testkit::PrivatePostgres`] to restart; the shared server when `None`.
    pub database_server: Option<String>,
    /// Proxies between the services and PostgreSQL.
    pub database: Proxies,
    /// Proxies between the services and RabbitMQ.
    pub broker: Proxies,
    /// Extra environment variables as (service, name, value), set after and
    /// so over the harness's own, such as `HAP_CONFIG_FILE` for settings that
    /// the environment cannot express.
    pub env: Vec<(&'static str, String, String)>,
}

/// Writes synthetic registries for `persons` persons into a new folder.
pub fn synthetic_registries(persons: usize, seed: u64) -> TempDir {
    let dir = tempfile::tempdir().expect("creating a temporary folder");
    hap_synth::generate(&hap_synth::SynthOptions::new(persons, seed), dir.path())
        .expect("generating synthetic registries");
    dir
}

/// Five running services with their own databases, namespace and folders.
pub struct Platform {
    pub endpoints: Endpoints,
    pub dev_secret: String,
    pub folder: TempDir,
    registry_dir: PathBuf,
    suffix: String,
    ports: BTreeMap<&'static str, u16>,
    children: BTreeMap<&'static str, Child>,
    broker: TestBroker,
    options: PlatformOptions,
    database_proxies: BTreeMap<&'static str, Arc<Proxy>>,
    broker_proxies: BTreeMap<&'static str, Arc<Proxy>>,
}

impl Platform {
    /// Starts every service and waits until all are ready.
    pub async fn start(registry_dir: &Path) -> Platform {
        Platform::start_with_otlp(registry_dir, None).await
    }

    /// Starts every service exporting spans to an OTLP/HTTP receiver at
    /// `otlp_base`, when given.
    pub async fn start_with_otlp(registry_dir: &Path, otlp_base: Option<String>) -> Platform {
        let options = PlatformOptions {
            otlp_base,
            ..PlatformOptions::default()
        };
        Platform::start_with(registry_dir, options).await
    }

    /// Starts every service as set in `options` and waits until all are ready.
    pub async fn start_with(registry_dir: &Path, options: PlatformOptions) -> Platform {
        let broker = TestBroker::create();
        for consumer in CONSUMERS {
            broker.track_consumer(&ConsumerName::new(consumer).expect("valid consumer name"));
        }
        let ports: BTreeMap<&'static str, u16> = SERVICES
            .iter()
            .map(|service| (*service, free_port()))
            .collect();
        let url = |service: &str| format!("http://127.0.0.1:{}", ports[service]);
        let endpoints = Endpoints {
            applications: url("applications"),
            consent: url("consent"),
            linkage: url("linkage"),
            anonymization: url("anonymization"),
            delivery: url("delivery"),
        };
        let mut platform = Platform {
            endpoints,
            dev_secret: format!("e2e-development-secret-{}", uuid::Uuid::new_v4().simple()),
            folder: tempfile::tempdir().expect("creating a temporary folder"),
            registry_dir: registry_dir.to_path_buf(),
            suffix: uuid::Uuid::new_v4().simple().to_string()[..12].to_owned(),
            ports,
            children: BTreeMap::new(),
            database_proxies: start_proxies(
                &options.database,
                &authority(database_server(&options), 5432),
            )
            .await,
            broker_proxies: start_proxies(&options.broker, &authority(broker.url(), 5672)).await,
            broker,
            options,
        };
        for service in SERVICES {
            platform.start_service(service);
        }
        platform.wait_until_ready().await;
        platform
    }

    /// Starts one service binary, appending its output to `<service>.log`.
    pub fn start_service(&mut self, service: &'static str) {
        let log = File::options()
            .create(true)
            .append(true)
            .open(self.log_path(service))
            .expect("opening the service log");
        let work = self.work_dir();
        let deliveries = self.folder.path().join("deliveries");
        let attachments = self.folder.path().join("attachments");
        let platform_key = "aa".repeat(32);
        let mut command = Command::new(binary(&format!("hap-{service}")));
        command.env_clear();
        if let Some(base) = &self.options.otlp_base {
            command.env(
                "HAP__TELEMETRY__OTLP_ENDPOINT",
                format!("{base}/{service}/v1/traces"),
            );
        }
        let broker_url = match self.broker_proxies.get(service) {
            Some(proxy) => with_authority(self.broker.url(), &proxy.address().to_string()),
            None => self.broker.url().to_owned(),
        };
        let database_url = match self.database_proxies.get(service) {
            Some(proxy) => with_authority(
                &self.direct_database_url(service),
                &proxy.address().to_string(),
            ),
            None => self.direct_database_url(service),
        };
        command
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HAP__HTTP__HOST", "127.0.0.1")
            .env("HAP__HTTP__PORT", self.ports[service].to_string())
            .env("HAP__HTTP__SHUTDOWN_TIMEOUT_SECONDS", "2")
            .env("HAP__DATABASE__URL", database_url)
            .env("HAP__DATABASE__POOL_SIZE", "4")
            .env("HAP__BROKER__URL", broker_url)
            .env("HAP__BROKER__NAMESPACE", self.broker.namespace())
            .env("HAP__AUTH__DEV_SECRET", &self.dev_secret)
            .env("HAP__TELEMETRY__FILTER", "info")
            .env("HAP__TELEMETRY__FORMAT", "json")
            .env("HAP__STORE__WORK_DIR", &work)
            .env("HAP__STORE__DELIVERY_DIR", &deliveries)
            .env("HAP__ATTACHMENTS__DIR", &attachments)
            .env("HAP__STORE__REGISTRY_DIR", &self.registry_dir)
            .env("HAP__CONSENT__PLATFORM_KEY", &platform_key)
            .env("HAP__CONSENT__IDENTITY__PROFILE", "test")
            .env("HAP__LINKAGE__PLATFORM_KEY", &platform_key)
            .env("HAP__LINKAGE__MASTER_KEY", "bb".repeat(32))
            .env("HAP__LINKAGE__IDENTITY__PROFILE", "test")
            .env("HAP__LINKAGE__CONSENT__URL", &self.endpoints.consent)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("cloning the log handle"))
            .stderr(log);
        for (_, name, value) in self.options.env.iter().filter(|(s, _, _)| *s == service) {
            command.env(name, value);
        }
        let child = command
            .spawn()
            .unwrap_or_else(|error| panic!("starting hap-{service} failed: {error}"));
        self.children.insert(service, child);
    }

    /// Kills a service with SIGKILL, as a crashed pod would end.
    pub fn kill(&mut self, service: &str) {
        if let Some(mut child) = self.children.remove(service) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Sends SIGTERM to a service, as Kubernetes does before a pod stops, and
    /// waits up to `timeout` for it to exit; returns its exit status.
    pub fn terminate(
        &mut self,
        service: &str,
        timeout: Duration,
    ) -> Option<std::process::ExitStatus> {
        let mut child = self.children.remove(service)?;
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    }

    pub fn log_path(&self, service: &str) -> PathBuf {
        self.folder.path().join(format!("{service}.log"))
    }

    /// Returns the output of one service so far.
    pub fn log(&self, service: &str) -> String {
        std::fs::read_to_string(self.log_path(service)).unwrap_or_default()
    }

    /// Returns the output of every service so far.
    pub fn logs(&self) -> String {
        SERVICES
            .iter()
            .map(|service| self.log(service))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Returns the broker namespace of this platform, for an `EventObserver`.
    pub fn broker(&self) -> &TestBroker {
        &self.broker
    }

    /// A development token with one role; a steward's names every registry.
    pub fn token(&self, subject: &str, role: Role) -> String {
        hap_testkit::dev_tokens::role_token(&self.dev_secret, subject, role, 3600)
    }

    /// An applicant, a case handler and a steward.
    pub fn actors(&self, applicant: &str) -> Actors {
        Actors {
            applicant_subject: applicant.to_owned(),
            applicant: self.token(applicant, Role::Applicant),
            case_handler: self.token("handler-1", Role::CaseHandler),
            decider: self.token("decider-1", Role::Decider),
            steward: self.token("steward-1", Role::Steward),
        }
    }

    pub async fn wait_until_ready(&self) {
        let deadline = Duration::from_secs(90);
        if let Err(error) = hap_client::scenario::wait_until_ready(&self.endpoints, deadline).await
        {
            panic!("{error}\n--- service logs ---\n{}", self.logs());
        }
    }

    /// URL of a service's database on the server itself, not through a proxy.
    pub fn direct_database_url(&self, service: &str) -> String {
        let server = database_server(&self.options);
        format!("{server}/hap_e2e_{}_{service}", self.suffix)
    }

    /// Opens a connection to a service's database, bypassing any proxy.
    pub fn connect_database(&self, service: &str) -> PgConnection {
        let url = self.direct_database_url(service);
        PgConnection::establish(&url)
            .unwrap_or_else(|error| panic!("connecting to the {service} database failed: {error}"))
    }

    /// Returns the RabbitMQ server URL, without any proxy.
    pub fn broker_url(&self) -> &str {
        self.broker.url()
    }

    /// Returns the namespace of this platform's exchange and queues.
    pub fn broker_namespace(&self) -> &str {
        self.broker.namespace()
    }

    /// Returns the work store folder that linkage, anonymization and delivery share.
    pub fn work_dir(&self) -> PathBuf {
        self.folder.path().join("work")
    }

    /// Returns the proxy between `service` and PostgreSQL.
    ///
    /// # Panics
    ///
    /// Panics when the options route that service's database directly.
    pub fn database_proxy(&self, service: &str) -> &Proxy {
        self.database_proxies
            .get(service)
            .unwrap_or_else(|| panic!("{service} does not reach PostgreSQL through a proxy"))
    }

    /// Returns the proxy between `service` and RabbitMQ.
    ///
    /// # Panics
    ///
    /// Panics when the options route that service's broker directly.
    pub fn broker_proxy(&self, service: &str) -> &Proxy {
        self.broker_proxies
            .get(service)
            .unwrap_or_else(|| panic!("{service} does not reach RabbitMQ through a proxy"))
    }
}

fn database_server(options: &PlatformOptions) -> &str {
    options
        .database_server
        .as_deref()
        .unwrap_or(DATABASE_SERVER)
}

/// Starts the proxies to `target` that `proxies` selects, keyed by service.
async fn start_proxies(proxies: &Proxies, target: &str) -> BTreeMap<&'static str, Arc<Proxy>> {
    let start = || async {
        Arc::new(
            Proxy::start(target)
                .await
                .unwrap_or_else(|error| panic!("starting a proxy to {target} failed: {error}")),
        )
    };
    let mut started = BTreeMap::new();
    match proxies {
        Proxies::None => {}
        Proxies::Shared => {
            let shared = start().await;
            for service in SERVICES {
                started.insert(service, Arc::clone(&shared));
            }
        }
        Proxies::PerService(services) => {
            for service in services {
                assert!(
                    SERVICES.contains(service),
                    "`{service}` is not a service; expected one of {SERVICES:?}"
                );
                started.insert(*service, start().await);
            }
        }
    }
    started
}

/// Returns the `host:port` of a server URL such as
/// `amqp://user:password@host:port/vhost`, with `default_port` when the URL
/// names none.
fn authority(url: &str, default_port: u16) -> String {
    let (start, end) = authority_span(url);
    let host_port = &url[start..end];
    let host_port = host_port
        .rsplit_once('@')
        .map_or(host_port, |(_, rest)| rest);
    if host_port
        .rsplit_once(':')
        .is_some_and(|(_, port)| port.parse::<u16>().is_ok())
    {
        host_port.to_owned()
    } else {
        format!("{host_port}:{default_port}")
    }
}

/// Returns `url` with its `host:port` replaced by `address`, keeping the
/// user information, path and query.
fn with_authority(url: &str, address: &str) -> String {
    let (start, end) = authority_span(url);
    let user_end = url[start..end]
        .rfind('@')
        .map_or(start, |at| start + at + 1);
    format!("{}{address}{}", &url[..user_end], &url[end..])
}

/// Byte range of the authority (user information, host and port) of `url`.
fn authority_span(url: &str) -> (usize, usize) {
    let start = url.find("://").map_or(0, |index| index + 3);
    let end = url[start..]
        .find(['/', '?'])
        .map_or(url.len(), |index| start + index);
    (start, end)
}

impl Drop for Platform {
    fn drop(&mut self) {
        let services: Vec<&'static str> = self.children.keys().copied().collect();
        for service in services {
            if let Some(child) = self.children.get(service) {
                let _ = Command::new("kill")
                    .arg("-TERM")
                    .arg(child.id().to_string())
                    .status();
            }
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        for (_, mut child) in std::mem::take(&mut self.children) {
            while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let server = database_server(&self.options);
        if let Ok(mut admin) = PgConnection::establish(&format!("{server}/postgres")) {
            for service in SERVICES {
                let name = format!("hap_e2e_{}_{service}", self.suffix);
                let _ =
                    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .execute(&mut admin);
            }
        }
    }
}

/// Returns the path of a binary built next to the test executable, such as
/// `hapctl`.
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("locating the test executable");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test executable lies in <target>/<profile>/deps");
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} does not exist; build the service binaries first with `cargo build --bins`",
        path.display()
    );
    path
}

/// Returns a port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("finding a free port")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authority_reads_host_and_port() {
        assert_eq!(
            authority("amqp://guest:guest@127.0.0.1:5672/%2f", 5672),
            "127.0.0.1:5672"
        );
        assert_eq!(
            authority("postgres://postgres@127.0.0.1:5432", 5432),
            "127.0.0.1:5432"
        );
        assert_eq!(authority("amqp://rabbit/%2f", 5672), "rabbit:5672");
    }

    #[test]
    fn with_authority_keeps_user_and_path() {
        assert_eq!(
            with_authority("amqp://guest:guest@127.0.0.1:5672/%2f", "127.0.0.1:4000"),
            "amqp://guest:guest@127.0.0.1:4000/%2f"
        );
        assert_eq!(
            with_authority(
                "postgres://postgres@127.0.0.1:5432/hap_e2e_x",
                "127.0.0.1:4001"
            ),
            "postgres://postgres@127.0.0.1:4001/hap_e2e_x"
        );
        assert_eq!(
            with_authority("postgres://db?sslmode=disable", "127.0.0.1:4002"),
            "postgres://127.0.0.1:4002?sslmode=disable"
        );
    }
}
