use std::net::TcpListener;

use actix_web::web;
use diesel_migrations::EmbeddedMigrations;
use hap_kit::auth::Authenticator;
use hap_kit::db::{self, PgPool};
use hap_kit::http::{self, Readiness, ReadinessCheck, server::Common};
use hap_messaging::{
    BindingKey, Broker, ConsumerHandle, ConsumerMetrics, ConsumerName, Handler, OutboxNotifier,
    Publisher, Relay,
};

use crate::CommonSettings;

/// How long start-up waits for each consumer to declare its queues.
const CONSUMER_START_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// A failure while starting a service; `main` prints it and exits non-zero.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] db::DbError),
    #[error(transparent)]
    Settings(#[from] hap_kit::settings::SettingsError),
    #[error("broker settings are invalid: {0}")]
    Broker(String),
    #[error("metrics could not be registered: {0}")]
    Metrics(#[from] prometheus::Error),
    #[error("consumer `{name}` could not be set up: {reason}")]
    Consumer { name: String, reason: String },
    #[error("HTTP server could not start on {address}: {source}")]
    Http {
        address: String,
        source: std::io::Error,
    },
}

/// The started parts of a service before its HTTP server runs.
pub struct Base {
    pub name: &'static str,
    pub pool: PgPool,
    pub broker: Broker,
    relay: Relay,
    consumers: Vec<ConsumerHandle>,
    authenticator: web::Data<Authenticator>,
    registry: prometheus::Registry,
    consumer_metrics: ConsumerMetrics,
}

impl Base {
    /// Connects the pool, applies migrations when configured, and starts the
    /// outbox relay.
    pub async fn start(
        name: &'static str,
        settings: &CommonSettings,
        migrations: &[&'static EmbeddedMigrations],
    ) -> Result<Base, StartError> {
        if settings.database.migrate_on_start {
            let url = settings.database.url.clone();
            tokio::task::spawn_blocking(move || db::ensure_database_exists(&url))
                .await
                .map_err(|_| db::DbError::Cancelled)??;
        }
        let pool = db::connect(&settings.database);
        if settings.database.migrate_on_start {
            let pool = pool.clone();
            let migrations = migrations.to_vec();
            tokio::task::spawn_blocking(move || db::run_migrations(&pool, &migrations))
                .await
                .map_err(|_| db::DbError::Cancelled)??;
        }

        let broker = Broker::new(settings.broker.clone())
            .map_err(|error| StartError::Broker(error.to_string()))?;
        let relay = Relay::start(pool.clone(), Publisher::new(broker.clone()));
        let registry = prometheus::Registry::new();
        let consumer_metrics = ConsumerMetrics::register(&registry)?;
        Ok(Base {
            name,
            pool,
            broker,
            relay,
            consumers: Vec::new(),
            authenticator: web::Data::new(Authenticator::new(settings.auth.clone())),
            registry,
            consumer_metrics,
        })
    }

    /// Returns the registry that `/metrics` serves, for the service's own metrics.
    pub fn registry(&self) -> &prometheus::Registry {
        &self.registry
    }

    /// Wakes the relay after a transaction that enqueued events committed.
    pub fn outbox_notifier(&self) -> OutboxNotifier {
        self.relay.notifier()
    }

    /// Starts a consumer named `<service>-<name>` for the routing keys.
    pub fn consume<H: Handler>(
        &mut self,
        name: &str,
        routing_keys: &[&str],
        handler: H,
    ) -> Result<(), StartError> {
        let full_name = format!("{}-{name}", self.name);
        let invalid = |reason: String| StartError::Consumer {
            name: full_name.clone(),
            reason,
        };
        let consumer = ConsumerName::new(full_name.clone()).map_err(|e| invalid(e.to_string()))?;
        let bindings = routing_keys
            .iter()
            .map(|key| BindingKey::new(*key))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(e.to_string()))?;
        let handle = hap_messaging::spawn_consumer(
            &self.broker,
            self.pool.clone(),
            consumer,
            bindings,
            handler,
            self.consumer_metrics.clone(),
        );
        self.consumers.push(handle);
        Ok(())
    }

    /// Waits until every consumer has declared its queues and receives
    /// deliveries, then binds the HTTP listener and starts the server with
    /// the service's routes. Readiness therefore implies that events sent to
    /// this service are routed to its queues.
    pub async fn serve<F>(
        self,
        settings: &CommonSettings,
        listener: Option<TcpListener>,
        routes: F,
    ) -> Result<Running, StartError>
    where
        F: Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
    {
        for consumer in &self.consumers {
            let consuming =
                tokio::time::timeout(CONSUMER_START_TIMEOUT, consumer.wait_until_consuming()).await;
            if !matches!(consuming, Ok(true)) {
                tracing::warn!(
                    consumer = %consumer.name(),
                    seconds = CONSUMER_START_TIMEOUT.as_secs(),
                    "consumer not consuming yet; serving HTTP anyway, events may wait in the outbox"
                );
            }
        }

        let address = format!("{}:{}", settings.http.host, settings.http.port);
        let http_error = |source| StartError::Http {
            address: address.clone(),
            source,
        };
        let listener = match listener {
            Some(listener) => listener,
            None => http::bind(&settings.http).map_err(http_error)?,
        };
        let port = listener.local_addr().map_err(http_error)?.port();

        let broker = self.broker.clone();
        // The broker is optional: the outbox keeps accepting requests while
        // it is away, and an unready pod would get no requests at all.
        let readiness = Readiness(vec![
            ReadinessCheck::database(self.pool.clone()),
            ReadinessCheck::new("broker", move || {
                let broker = broker.clone();
                async move { broker.check().await.map_err(|error| error.to_string()) }
            })
            .optional(),
        ]);
        let common = Common {
            authenticator: self.authenticator.clone(),
            readiness,
            registry: self.registry.clone(),
        };
        let server = http::serve(listener, &settings.http, common, routes).map_err(http_error)?;
        tracing::info!(service = self.name, port, "service started");
        Ok(Running {
            port,
            server,
            base: self,
        })
    }
}

/// A service whose HTTP server and background tasks are running.
pub struct Running {
    pub port: u16,
    server: actix_web::dev::Server,
    base: Base,
}

impl Running {
    /// Returns a handle that stops the HTTP server, for tests.
    pub fn server_handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Runs until the server stops (SIGTERM, SIGINT or a handle), then stops
    /// the consumers after their message in hand, and the relay.
    pub async fn wait(self) -> std::io::Result<()> {
        // actix-web handles signals only under its own runtime, so the
        // service listens for them itself and stops the server gracefully.
        let handle = self.server.handle();
        let signals = tokio::spawn(async move {
            shutdown_signal().await;
            tracing::info!("shutdown signal received; finishing requests in flight");
            handle.stop(true).await;
        });
        let result = self.server.await;
        signals.abort();
        for consumer in self.base.consumers {
            consumer.stop().await;
        }
        self.base.relay.stop().await;
        self.base.broker.close().await;
        tracing::info!(service = self.base.name, "service stopped");
        result
    }
}

/// Completes on SIGTERM (as Kubernetes sends) or SIGINT (Ctrl-C).
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(error) => {
                tracing::warn!(%error, "SIGTERM handler could not be installed; stopping on SIGINT only");
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
