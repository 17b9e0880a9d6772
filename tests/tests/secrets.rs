#![allow(clippy::unwrap_used, clippy::expect_used)]
//! No secret of the configuration is printed. The service binaries start
//! with known secrets: a database URL and a broker URL with passwords, the
//! development secret, the master and platform keys, the client secret, the
//! custodian key and the S3 secret key. They fail against an unreachable
//! database or broker or on malformed settings, and neither their output
//! nor the errors of the libraries they use contain any of the secrets.
//! `hapctl` gets the same check for its help and its broker errors.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl};
use hap_crypt4gh::{KeyProtection, SecretKey};
use hap_e2e::{SERVICES, binary, free_port};
use hap_kit::settings::load_with;

/// One secret and the forms in which it must not appear.
struct Secret {
    name: &'static str,
    forms: Vec<String>,
}

/// The secrets a service gets, unique to this test run.
struct Secrets {
    database_password: String,
    broker_password: String,
    dev_secret: String,
    master_key: String,
    retired_master_key: String,
    platform_key: String,
    client_secret: String,
    s3_secret_access_key: String,
    custodian_key: String,
}

impl Secrets {
    fn new() -> Secrets {
        let random = || uuid::Uuid::new_v4().simple().to_string();
        let hex_key = || format!("{}{}", random(), random());
        Secrets {
            database_password: format!("Db{}", random()),
            broker_password: format!("Mq{}", random()),
            dev_secret: format!("dev-secret-{}", random()),
            master_key: hex_key(),
            retired_master_key: hex_key(),
            platform_key: hex_key(),
            client_secret: format!("client-{}", random()),
            s3_secret_access_key: format!("S3{}", random()),
            custodian_key: SecretKey::generate().to_pem(KeyProtection::None).unwrap(),
        }
    }

    /// Returns each secret with the forms to look for: the text itself, and
    /// for hex keys the uppercase hex and the base64 of the key bytes, and
    /// for the custodian key each base64 line of its PEM body.
    fn needles(&self) -> Vec<Secret> {
        let text = |name, value: &str| Secret {
            name,
            forms: vec![value.to_owned()],
        };
        let key = |name, value: &str| {
            let bytes = data_encoding::HEXLOWER.decode(value.as_bytes()).unwrap();
            Secret {
                name,
                forms: vec![
                    value.to_owned(),
                    value.to_uppercase(),
                    data_encoding::BASE64.encode(&bytes),
                ],
            }
        };
        let pem_body: Vec<String> = self
            .custodian_key
            .lines()
            .filter(|line| !line.starts_with("-----") && line.len() >= 16)
            .map(str::to_owned)
            .collect();
        assert!(!pem_body.is_empty(), "the custodian key has a PEM body");
        vec![
            text("the database password", &self.database_password),
            text("the broker password", &self.broker_password),
            text("auth.dev_secret", &self.dev_secret),
            key("linkage.master_key", &self.master_key),
            key("linkage.retired_master_keys", &self.retired_master_key),
            key("the platform key", &self.platform_key),
            text("linkage.consent.client_secret", &self.client_secret),
            text("store.s3.secret_access_key", &self.s3_secret_access_key),
            Secret {
                name: "delivery.custodian_secret_key",
                forms: pem_body,
            },
        ]
    }

    fn database_url(&self, port: u16, database: &str) -> String {
        format!(
            "postgres://postgres:{}@127.0.0.1:{port}/{database}",
            self.database_password
        )
    }

    fn broker_url(&self, port: u16) -> String {
        format!("amqp://hap:{}@127.0.0.1:{port}/%2f", self.broker_password)
    }

    /// Returns the settings of `service` as environment variables, with every
    /// secret the service reads.
    fn environment(
        &self,
        service: &str,
        database_url: &str,
        broker_url: &str,
    ) -> Vec<(String, String)> {
        let mut variables = vec![
            ("HAP__HTTP__HOST", "127.0.0.1".to_owned()),
            ("HAP__HTTP__PORT", free_port().to_string()),
            ("HAP__DATABASE__URL", database_url.to_owned()),
            ("HAP__DATABASE__CONNECT_TIMEOUT_SECONDS", "2".to_owned()),
            ("HAP__BROKER__URL", broker_url.to_owned()),
            (
                "HAP__BROKER__NAMESPACE",
                format!(
                    "secrets_{}",
                    &uuid::Uuid::new_v4().simple().to_string()[..12]
                ),
            ),
            ("HAP__AUTH__DEV_SECRET", self.dev_secret.clone()),
            ("HAP__TELEMETRY__FILTER", "debug".to_owned()),
            ("HAP__TELEMETRY__FORMAT", "json".to_owned()),
        ];
        match service {
            "consent" => {
                variables.push(("HAP__CONSENT__PLATFORM_KEY", self.platform_key.clone()));
            }
            "linkage" => {
                variables.extend([
                    ("HAP__LINKAGE__PLATFORM_KEY", self.platform_key.clone()),
                    ("HAP__LINKAGE__MASTER_KEY", self.master_key.clone()),
                    ("HAP__LINKAGE__MASTER_KEY_ID", "2".to_owned()),
                    (
                        "HAP__LINKAGE__RETIRED_MASTER_KEYS__1",
                        self.retired_master_key.clone(),
                    ),
                    ("HAP__LINKAGE__CONSENT__CLIENT_ID", "hap-linkage".to_owned()),
                    (
                        "HAP__LINKAGE__CONSENT__CLIENT_SECRET",
                        self.client_secret.clone(),
                    ),
                    (
                        "HAP__AUTH__ISSUER",
                        "http://127.0.0.1:9/realms/hap".to_owned(),
                    ),
                ]);
            }
            "delivery" => {
                variables.extend([
                    ("HAP__STORE__S3__ACCESS_KEY_ID", "hap-delivery".to_owned()),
                    (
                        "HAP__STORE__S3__SECRET_ACCESS_KEY",
                        self.s3_secret_access_key.clone(),
                    ),
                    (
                        "HAP__DELIVERY__CUSTODIAN_SECRET_KEY",
                        self.custodian_key.clone(),
                    ),
                ]);
            }
            _ => {}
        }
        variables
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect()
    }
}

/// Returns the names of the secrets that `text` contains.
fn leaked(secrets: &Secrets, text: &str) -> Vec<&'static str> {
    secrets
        .needles()
        .into_iter()
        .filter(|secret| secret.forms.iter().any(|form| text.contains(form.as_str())))
        .map(|secret| secret.name)
        .collect()
}

fn assert_no_secret(secrets: &Secrets, case: &str, text: &str) {
    let found = leaked(secrets, text);
    assert!(found.is_empty(), "{case} printed {found:?}:\n{text}");
}

fn command(program: &str, folder: &Path, environment: &[(String, String)]) -> Command {
    let mut command = Command::new(binary(program));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HAP__STORE__WORK_DIR", folder.join("work"))
        .env("HAP__STORE__DELIVERY_DIR", folder.join("deliveries"))
        .env("HAP__STORE__REGISTRY_DIR", folder.join("registries"))
        .envs(environment.iter().map(|(key, value)| (key, value)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn text_of(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs `program` until it exits, at most 60 s.
fn run(mut command: Command) -> Output {
    let mut child = command.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while matches!(child.try_wait(), Ok(None)) {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn services_print_no_secret_when_start_fails() {
    let secrets = Secrets::new();
    let folder = tempfile::tempdir().unwrap();
    let closed = free_port();
    let broker_url = secrets.broker_url(free_port());
    for service in SERVICES {
        let database_url = secrets.database_url(closed, &format!("hap_{service}"));
        let environment = secrets.environment(service, &database_url, &broker_url);

        // Start-up against an unreachable database fails.
        let output = run(command(
            &format!("hap-{service}"),
            folder.path(),
            &environment,
        ));
        let text = text_of(&output);
        assert!(!output.status.success(), "hap-{service} started:\n{text}");
        assert!(text.contains("start failed"), "hap-{service}:\n{text}");
        assert_no_secret(&secrets, &format!("hap-{service} start"), &text);

        // So does the migration command.
        let mut migrate = command(&format!("hap-{service}"), folder.path(), &environment);
        migrate.arg("migrate");
        let output = run(migrate);
        let text = text_of(&output);
        assert!(
            text.contains("migration failed"),
            "hap-{service} migrate:\n{text}"
        );
        assert_no_secret(&secrets, &format!("hap-{service} migrate"), &text);

        // An unknown argument such as --help gets the usage message only.
        let mut help = command(&format!("hap-{service}"), folder.path(), &environment);
        help.arg("--help");
        let output = run(help);
        let text = text_of(&output);
        assert!(
            text.contains("unknown command"),
            "hap-{service} --help:\n{text}"
        );
        assert_no_secret(&secrets, &format!("hap-{service} --help"), &text);
    }
}

#[test]
fn malformed_settings_rejected_without_secret() {
    let secrets = Secrets::new();
    let folder = tempfile::tempdir().unwrap();
    let port = free_port();
    let password = &secrets.database_password;
    let malformed_database_urls = [
        format!("postgres://postgres:{password}@[::1/hap"),
        format!("postgres://postgres:{password}@[::1]x/hap"),
        format!("postgres://postgres:{password}%zz@127.0.0.1:{port}/hap"),
        format!("postgres://postgres:{password}@127.0.0.1:{port}"),
        format!("postgres://postgres:{password}/x@127.0.0.1:{port}/hap"),
        format!("host=127.0.0.1 port={port} password={password}"),
    ];
    let broker_url = secrets.broker_url(free_port());
    for database_url in &malformed_database_urls {
        let environment = secrets.environment("consent", database_url, &broker_url);
        let output = run(command("hap-consent", folder.path(), &environment));
        let text = text_of(&output);
        assert_eq!(output.status.code(), Some(2), "{text}");
        assert!(text.contains("database.url"), "{text}");
        assert_no_secret(&secrets, "a malformed database URL", &text);
    }

    let database_url = secrets.database_url(port, "hap_consent");
    let malformed_broker_urls = [
        format!("amqp:hap:{}@127.0.0.1/%2f", secrets.broker_password),
        format!("http://hap:{}@127.0.0.1/", secrets.broker_password),
    ];
    for broker_url in &malformed_broker_urls {
        let environment = secrets.environment("consent", &database_url, broker_url);
        let output = run(command("hap-consent", folder.path(), &environment));
        let text = text_of(&output);
        assert_eq!(output.status.code(), Some(2), "{text}");
        assert!(text.contains("broker"), "{text}");
        assert_no_secret(&secrets, "a malformed broker URL", &text);
    }

    // Credentials written into a URL that logs and errors name.
    let password = &secrets.database_password;
    let urls_with_credentials = [
        (
            "linkage",
            "HAP__LINKAGE__CONSENT__URL",
            "linkage.consent.url",
            format!("http://hap:{password}@127.0.0.1:{port}"),
        ),
        (
            "consent",
            "HAP__TELEMETRY__OTLP_ENDPOINT",
            "telemetry.otlp_endpoint",
            format!("https://otel:{password}@collector.example.org"),
        ),
        (
            "delivery",
            "HAP__AUTH__ISSUER",
            "auth.issuer",
            format!("https://hap:{password}@login.example.org/realms/hap"),
        ),
        (
            "delivery",
            "HAP__STORE__S3__ENDPOINT",
            "store.s3.endpoint",
            format!("http://minio:{password}@127.0.0.1:{port}"),
        ),
        (
            "applications",
            "HAP__ATTACHMENTS__S3__ENDPOINT",
            "attachments.s3.endpoint",
            format!("http://minio:{password}@127.0.0.1:{port}"),
        ),
    ];
    for (service, variable, key, url) in &urls_with_credentials {
        let mut environment = secrets.environment(service, &database_url, &broker_url);
        environment.retain(|(name, _)| name != variable);
        environment.push(((*variable).to_owned(), url.clone()));
        let output = run(command(
            &format!("hap-{service}"),
            folder.path(),
            &environment,
        ));
        let text = text_of(&output);
        assert_eq!(output.status.code(), Some(2), "{text}");
        assert!(text.contains(key), "{text}");
        assert!(text.contains("user name or password"), "{text}");
        assert_no_secret(&secrets, &format!("credentials in {key}"), &text);
    }

    // A syntax error in the configuration file, on the line of a secret.
    let file = folder.path().join("linkage.toml");
    let mut toml = std::fs::File::create(&file).unwrap();
    writeln!(
        toml,
        "[linkage]\nmaster_key = \"{}\nmaster_key_id = \"3\"",
        secrets.master_key
    )
    .unwrap();
    let mut environment = secrets.environment("linkage", &database_url, &broker_url);
    environment.retain(|(key, _)| key != "HAP__LINKAGE__MASTER_KEY");
    environment.push(("HAP_CONFIG_FILE".into(), file.display().to_string()));
    let output = run(command("hap-linkage", folder.path(), &environment));
    let text = text_of(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains("line 2"), "{text}");
    assert_no_secret(&secrets, "a configuration file with a syntax error", &text);
}

#[test]
fn services_print_no_secret_when_broker_unreachable() {
    let secrets = Secrets::new();
    let folder = tempfile::tempdir().unwrap();
    let suffix = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
    let broker_url = secrets.broker_url(free_port());
    let mut children = Vec::new();
    for service in SERVICES {
        let name = format!("hap_secrets_{suffix}_{service}");
        // The server trusts local connections, so the password is not checked.
        let database_url = secrets.database_url(5432, &name);
        let environment = secrets.environment(service, &database_url, &broker_url);
        let log = folder.path().join(format!("{service}.log"));
        let mut command = command(&format!("hap-{service}"), folder.path(), &environment);
        let file = std::fs::File::create(&log).unwrap();
        command.stdout(file.try_clone().unwrap()).stderr(file);
        children.push((service, name, log, command.spawn().unwrap()));
    }

    let deadline = Instant::now() + Duration::from_secs(60);
    for (service, name, log, child) in &mut children {
        let mut text = std::fs::read_to_string(&*log).unwrap_or_default();
        while !text.contains("cannot connect to RabbitMQ") && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
            text = std::fs::read_to_string(&*log).unwrap_or_default();
        }
        let _ = child.kill();
        let _ = child.wait();
        let mut admin =
            PgConnection::establish("postgres://postgres@127.0.0.1:5432/postgres").unwrap();
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .execute(&mut admin);
        assert!(
            text.contains("cannot connect to RabbitMQ"),
            "hap-{service} logged no broker error:\n{text}"
        );
        assert_no_secret(&secrets, &format!("hap-{service} without a broker"), &text);
    }
}

/// Loads settings from `defaults` and `overrides` and returns their `Debug` text.
fn debug_of<S>(defaults: &str, overrides: &[(String, String)]) -> String
where
    S: std::fmt::Debug + serde::de::DeserializeOwned + hap_kit::settings::Validate,
{
    let overrides: Vec<(&str, String)> = overrides
        .iter()
        .map(|(key, value)| (key.as_str(), value.clone()))
        .collect();
    let settings: S = load_with(defaults, &overrides).unwrap();
    format!("{settings:?}")
}

#[test]
fn settings_debug_prints_no_secret() {
    let secrets = Secrets::new();
    let database_url = secrets.database_url(free_port(), "hap");
    let broker_url = secrets.broker_url(free_port());
    let overrides = |service: &str| -> Vec<(String, String)> {
        secrets
            .environment(service, &database_url, &broker_url)
            .into_iter()
            .map(|(key, value)| {
                let key = key
                    .trim_start_matches("HAP__")
                    .replace("__", ".")
                    .to_lowercase();
                (key, value)
            })
            .collect()
    };
    let dumps = [
        debug_of::<hap_applications::settings::Settings>(
            hap_applications::settings::DEFAULTS,
            &overrides("applications"),
        ),
        debug_of::<hap_consent::settings::Settings>(
            hap_consent::settings::DEFAULTS,
            &overrides("consent"),
        ),
        debug_of::<hap_linkage_service::settings::Settings>(
            hap_linkage_service::settings::DEFAULTS,
            &overrides("linkage"),
        ),
        debug_of::<hap_anonymization::settings::Settings>(
            hap_anonymization::settings::DEFAULTS,
            &overrides("anonymization"),
        ),
        debug_of::<hap_delivery::settings::Settings>(
            hap_delivery::settings::DEFAULTS,
            &overrides("delivery"),
        ),
    ];
    for (service, dump) in SERVICES.iter().zip(&dumps) {
        assert!(dump.contains("Settings"), "{dump}");
        assert_no_secret(&secrets, &format!("the {service} settings' Debug"), dump);
    }
}

#[tokio::test]
async fn library_errors_name_no_password() {
    let secrets = Secrets::new();
    let database = hap_kit::db::DatabaseSettings {
        url: hap_kit::Secret::new(secrets.database_url(free_port(), "hap")),
        pool_size: 1,
        migrate_on_start: false,
        connect_timeout_seconds: 1,
    };
    let pool = hap_kit::db::connect(&database);
    let error = hap_kit::db::ping(&pool).await.unwrap_err().to_string();
    assert!(error.contains("database"), "{error}");
    assert_no_secret(&secrets, "a failed database ping", &error);
    let error = hap_kit::db::ensure_database_exists(&database.url)
        .unwrap_err()
        .to_string();
    assert_no_secret(&secrets, "a failed database creation", &error);
    let without_name = hap_kit::Secret::new(format!(
        "postgres://postgres:{}@127.0.0.1:{}",
        secrets.database_password,
        free_port()
    ));
    let error = hap_kit::db::ensure_database_exists(&without_name)
        .unwrap_err()
        .to_string();
    assert!(error.contains("database.url"), "{error}");
    assert_no_secret(&secrets, "a database URL without a name", &error);

    let broker_url = secrets.broker_url(free_port());
    let broker =
        hap_messaging::Broker::new(hap_messaging::BrokerSettings::new(&broker_url)).unwrap();
    let error = broker.check().await.unwrap_err().to_string();
    assert!(error.contains("RabbitMQ"), "{error}");
    assert_no_secret(&secrets, "a failed broker connection", &error);
    assert_no_secret(&secrets, "the broker's Debug", &format!("{broker:?}"));
}

#[test]
fn hapctl_prints_no_secret() {
    let secrets = Secrets::new();
    let folder = tempfile::tempdir().unwrap();
    let environment = vec![
        (
            "HAP__BROKER__URL".to_owned(),
            secrets.broker_url(free_port()),
        ),
        (
            "HAP__AUTH__DEV_SECRET".to_owned(),
            secrets.dev_secret.clone(),
        ),
    ];
    let cases: [&[&str]; 4] = [
        &["dead-letters", "--help"],
        &["token", "--help"],
        &["demo", "--help"],
        &["dead-letters", "list", "linkage-cleared"],
    ];
    for arguments in cases {
        let mut hapctl = command("hapctl", folder.path(), &environment);
        hapctl.args(arguments);
        let output = run(hapctl);
        let text = text_of(&output);
        assert!(
            !text.trim().is_empty(),
            "hapctl {arguments:?} printed nothing"
        );
        assert_no_secret(&secrets, &format!("hapctl {}", arguments.join(" ")), &text);
    }
}
