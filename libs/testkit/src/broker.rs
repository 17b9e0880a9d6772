//! A fresh messaging namespace per test.

use std::future::Future;
use std::time::Duration;

use hap_messaging::BrokerSettings;
use hap_messaging::redact::redact_url;
use hap_messaging::topology::declared_in;
use lapin::options::{ExchangeDeleteOptions, QueueDeleteOptions};
use lapin::{Connection, ConnectionProperties};

/// Server URL used when `HAP_TEST_BROKER_URL` is not set.
const DEFAULT_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A unique namespace on the RabbitMQ server.
///
/// On drop, every exchange and queue that this process declared in the
/// namespace is deleted. Names declared by other processes (a service binary
/// started by an end-to-end test) are not known and stay.
pub struct TestBroker {
    url: String,
    namespace: String,
    /// Names declared by other processes, such as service binaries started by
    /// an end-to-end test, to delete on drop as well.
    tracked: std::sync::Mutex<hap_messaging::topology::DeclaredNames>,
}

impl TestBroker {
    /// Picks a new namespace on `HAP_TEST_BROKER_URL` (default
    /// `amqp://guest:guest@127.0.0.1:5672/%2f`) and checks that the server
    /// accepts a connection.
    ///
    /// Works inside and outside a Tokio runtime: the check runs on a thread
    /// of its own.
    ///
    /// # Panics
    ///
    /// Panics when the server is unreachable, naming the URL and the command
    /// that starts it.
    pub fn create() -> Self {
        let url = std::env::var("HAP_TEST_BROKER_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned());
        let namespace = format!("test_{}", &uuid::Uuid::new_v4().simple().to_string()[..16]);

        let check_url = url.clone();
        let result = run_on_own_runtime(async move {
            let connection = connect(&check_url).await?;
            connection
                .close(200, "checked".into())
                .await
                .map_err(|error| error.to_string())
        });
        if let Err(error) = result {
            panic!(
                "RabbitMQ is unreachable at {}: {error}\n\
                 Start it with `rabbitmq-server -detached`, or point HAP_TEST_BROKER_URL at a running server.",
                redact_url(&url)
            );
        }

        Self {
            url,
            namespace,
            tracked: std::sync::Mutex::default(),
        }
    }

    /// Server URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Namespace of this test, `test_<16 hex digits>`.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Broker settings for this namespace with default prefetch and retry
    /// delays; tests shorten the delays as needed.
    pub fn settings(&self) -> BrokerSettings {
        let mut settings = BrokerSettings::new(&self.url);
        settings.namespace = self.namespace.clone();
        settings
    }
}

impl TestBroker {
    /// Adds the queues of a consumer that another process declares in this
    /// namespace, and the events exchange, to what is deleted on drop.
    pub fn track_consumer(&self, consumer: &hap_messaging::ConsumerName) {
        let retries = self.settings().retry_delays.len();
        let queues =
            hap_messaging::topology::ConsumerQueues::new(&self.namespace, consumer, retries);
        let mut tracked = self
            .tracked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        tracked
            .exchanges
            .insert(hap_messaging::topology::exchange_name(&self.namespace));
        tracked.queues.insert(queues.queue);
        tracked.queues.extend(queues.retries);
        tracked.queues.insert(queues.dead);
    }
}

impl Drop for TestBroker {
    fn drop(&mut self) {
        let mut names = declared_in(&self.namespace);
        let tracked = self
            .tracked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        names.exchanges.extend(tracked.exchanges);
        names.queues.extend(tracked.queues);
        if names.exchanges.is_empty() && names.queues.is_empty() {
            return;
        }

        let url = self.url.clone();
        let result = run_on_own_runtime(async move {
            let connection = connect(&url).await?;
            let channel = connection
                .create_channel()
                .await
                .map_err(|error| error.to_string())?;
            for queue in &names.queues {
                channel
                    .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
                    .await
                    .map_err(|error| format!("deleting queue {queue} failed: {error}"))?;
            }
            for exchange in &names.exchanges {
                channel
                    .exchange_delete(exchange.as_str().into(), ExchangeDeleteOptions::default())
                    .await
                    .map_err(|error| format!("deleting exchange {exchange} failed: {error}"))?;
            }
            connection
                .close(200, "cleaned up".into())
                .await
                .map_err(|error| error.to_string())
        });
        if let Err(error) = result {
            eprintln!("cleaning up namespace {} failed: {error}", self.namespace);
        }
    }
}

async fn connect(url: &str) -> Result<Connection, String> {
    let connecting = Connection::connect(url, ConnectionProperties::default());
    match tokio::time::timeout(CONNECT_TIMEOUT, connecting).await {
        Ok(Ok(connection)) => Ok(connection),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err(format!("no answer within {CONNECT_TIMEOUT:?}")),
    }
}

/// Runs `future` to completion on a new single-threaded runtime in a new
/// thread, so that it works from synchronous code, from `Drop`, and from
/// inside another runtime.
fn run_on_own_runtime<F>(future: F) -> Result<(), String>
where
    F: Future<Output = Result<(), String>> + Send + 'static,
{
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| format!("starting a Tokio runtime failed: {error}"))?;
        runtime.block_on(future)
    });
    thread
        .join()
        .unwrap_or_else(|_| Err("the broker thread panicked".to_owned()))
}
