//! The shared RabbitMQ connection.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use lapin::{Channel, Connection, ConnectionProperties};
use tokio::sync::Mutex;

use crate::error::{BrokerError, SettingsError};
use crate::redact::redact_url;
use crate::settings::BrokerSettings;

/// How long shutdown waits for the broker to confirm the connection close.
const CLOSE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
/// Time allowed for the TCP connect and the AMQP handshake.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Handle to one RabbitMQ connection, shared by the publisher, the relay and
/// the consumers of a service. Cloning it is cheap.
///
/// The connection opens on first use. When it drops, the next operation
/// opens a new one; the relay and the consumers retry with back-off until
/// that succeeds.
#[derive(Clone)]
pub struct Broker {
    inner: Arc<Inner>,
}

struct Inner {
    settings: BrokerSettings,
    /// Current connection, replaced when it is found closed.
    connection: Mutex<Option<Arc<Connection>>>,
}

impl Broker {
    /// Validates `settings` and creates a broker handle without connecting.
    pub fn new(settings: BrokerSettings) -> Result<Self, SettingsError> {
        settings.validate()?;
        Ok(Self {
            inner: Arc::new(Inner {
                settings,
                connection: Mutex::new(None),
            }),
        })
    }

    /// Settings this broker was created with.
    pub fn settings(&self) -> &BrokerSettings {
        &self.inner.settings
    }

    /// Prefix of every exchange and queue name.
    pub fn namespace(&self) -> &str {
        &self.inner.settings.namespace
    }

    /// Checks that a connection to the broker is open, opening one if
    /// needed. Meant for readiness probes.
    pub async fn check(&self) -> Result<(), BrokerError> {
        self.connection().await.map(drop)
    }

    /// Closes the connection, if one is open. Channels on it close too.
    pub async fn close(&self) {
        let connection = self.inner.connection.lock().await.take();
        let Some(connection) = connection.filter(|c| c.status().connected()) else {
            return;
        };
        // lapin's close can wait forever when a channel is closing at the
        // same moment, so shutdown does not wait for it beyond a bound.
        match tokio::time::timeout(CLOSE_TIMEOUT, connection.close(200, "closing".into())).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::debug!(%error, "closing the broker connection failed"),
            Err(_) => tracing::warn!(
                seconds = CLOSE_TIMEOUT.as_secs(),
                "closing the broker connection timed out; the process exits without waiting"
            ),
        }
    }

    /// Returns the open connection, connecting if there is none or the
    /// current one has closed.
    pub(crate) async fn connection(&self) -> Result<Arc<Connection>, BrokerError> {
        let mut current = self.inner.connection.lock().await;
        if let Some(connection) = current.as_ref()
            && connection.status().connected()
        {
            return Ok(Arc::clone(connection));
        }

        *current = None;
        let connection = Arc::new(self.connect().await?);
        *current = Some(Arc::clone(&connection));
        tracing::info!(url = %redact_url(&self.inner.settings.url), "connected to RabbitMQ");
        Ok(connection)
    }

    /// Opens a channel on the current connection.
    pub(crate) async fn open_channel(&self) -> Result<Channel, BrokerError> {
        let connection = self.connection().await?;
        connection
            .create_channel()
            .await
            .map_err(BrokerError::amqp("channel.open"))
    }

    async fn connect(&self) -> Result<Connection, BrokerError> {
        let settings = &self.inner.settings;
        let url = redact_url(&settings.url);
        let properties = ConnectionProperties::default()
            .with_connection_name(format!("hap:{}", settings.namespace).into());

        match tokio::time::timeout(
            CONNECT_TIMEOUT,
            Connection::connect(&settings.url, properties),
        )
        .await
        {
            Ok(Ok(connection)) => Ok(connection),
            Ok(Err(source)) => Err(BrokerError::Connect { url, source }),
            Err(_) => Err(BrokerError::ConnectTimeout {
                url,
                timeout: CONNECT_TIMEOUT,
            }),
        }
    }
}

impl fmt::Debug for Broker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Broker")
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}
