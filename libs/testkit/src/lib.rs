//! Test fixtures backed by the real PostgreSQL and RabbitMQ servers.
//!
//! - [`TestDatabase`]: a fresh database per test, migrated, dropped on drop.
//! - [`TestBroker`]: a fresh messaging namespace per test, deleted on drop.
//! - [`EventObserver`]: an exclusive queue that collects the events a service emits.
//! - [`MockIssuer`]: an OpenID Connect issuer with a generated RSA key, and
//!   [`hostile_tokens`] that a service must reject.
//! - [`access`]: checks every cell of a service's access table against the
//!   running service.
//!
//! Each test gets its own database and namespace, so tests run in parallel.
//! The servers are found through `HAP_TEST_DATABASE_URL` and
//! `HAP_TEST_BROKER_URL`; when one is unreachable, creating a fixture panics
//! with the command that starts it.

pub mod access;
mod broker;
mod database;
mod hostile;
mod issuer;
mod observer;

pub use broker::TestBroker;
pub use database::TestDatabase;
pub use hostile::{HostileToken, hostile_tokens};
pub use issuer::{KEY_ID, MockIssuer};
pub use observer::{EVENT_WAIT, EventObserver};
