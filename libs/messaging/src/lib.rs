//! Messaging between HAP services over RabbitMQ, with a transactional outbox
//! and an inbox in each service's PostgreSQL database.
//!
//! Delivery is at least once. A service writes its state change and the
//! events it emits in one transaction ([`outbox::enqueue`]); the [`Relay`]
//! publishes them with publisher confirms. A consumer records each message id
//! in the same transaction as its effect ([`Context::complete`]), so a
//! redelivered message has no second effect.
//!
//! Module map:
//!
//! - [`settings`]: [`BrokerSettings`], read from configuration.
//! - [`names`]: validated consumer names, message types and binding keys.
//! - [`envelope`]: [`Envelope`], the JSON body of every message.
//! - [`trace`]: W3C trace context in envelopes and headers.
//! - [`broker`]: [`Broker`], the shared connection and readiness check.
//! - [`topology`]: exchange and queue names and their declaration.
//! - [`publisher`]: [`Publisher`], publishing with confirms.
//! - [`outbox`] and [`relay`]: the outbox table and the task that publishes it.
//! - [`inbox`]: processed message ids per consumer.
//! - [`handler`]: the [`Handler`] trait, [`Context`] and [`HandlerError`].
//! - [`consumer`]: [`spawn_consumer`], retries and dead-lettering.
//! - [`metrics`]: [`ConsumerMetrics`], the consumers' Prometheus metrics.
//! - [`dead_letters`]: listing and replaying dead-lettered messages.
//! - [`error`]: error types at the crate boundary.
//! - [`schema`]: diesel tables for [`MIGRATIONS`].

mod backoff;
pub mod broker;
pub mod consumer;
pub mod dead_letters;
mod delivery;
pub mod envelope;
pub mod error;
mod forward;
pub mod handler;
mod headers;
pub mod inbox;
pub mod metrics;
pub mod names;
pub mod outbox;
pub mod pool;
pub mod publisher;
pub mod redact;
pub mod relay;
pub mod schema;
pub mod settings;
pub mod topology;
pub mod trace;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};

pub use broker::Broker;
pub use consumer::{ConsumerHandle, ConsumerState, spawn_consumer};
pub use dead_letters::{DeadLetter, DeadReason};
pub use envelope::{Envelope, MessageId};
pub use error::{BrokerError, EnvelopeError, NameError, PublishError, SettingsError};
pub use handler::{Completion, Context, Handler, HandlerError};
pub use metrics::ConsumerMetrics;
pub use names::{BindingKey, ConsumerName, MessageType};
pub use pool::{PgManager, PgPool, PgPooled};
pub use publisher::Publisher;
pub use relay::{OutboxNotifier, Relay, RelaySettings};
pub use settings::BrokerSettings;
pub use trace::TraceContext;

/// Migrations that create the `outbox` and `inbox` tables.
///
/// Their version `00000000000001` sorts before any timestamped service
/// migration. Run them with the service's own migrations at start.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");
