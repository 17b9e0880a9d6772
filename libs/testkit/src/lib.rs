//! Test fixtures backed by the real PostgreSQL and RabbitMQ servers.
//!
//! - [`TestDatabase`]: a fresh database per test, migrated, dropped on drop.
//! - [`TestBroker`]: a fresh messaging namespace per test, deleted on drop.
//! - [`EventObserver`]: an exclusive queue that collects the events a service emits.
//! - [`openapi`]: checks of a service's served OpenAPI document against its routes.
//! - [`MotoServer`]: moto's S3 server, for object storage tests.
//! - [`hostile`]: hostile requests that must get 4xx problem responses.
//! - [`Proxy`]: a TCP proxy that cuts, blackholes or slows a connection to a server.
//! - [`PrivatePostgres`]: a PostgreSQL server of the test's own, to restart.
//! - [`MockIssuer`]: an OpenID Connect issuer with a generated RSA key, and
//!   [`hostile_tokens`] that a service must reject.
//! - [`access`]: checks every cell of a service's access table against the
//!   running service.
//! - [`dev_tokens`]: development-issuer tokens, with a steward's registries.
//! - [`files`]: byte-for-byte comparison of two output folders.
//!
//! Each test gets its own database and namespace, so tests run in parallel.
//! The servers are found through `HAP_TEST_DATABASE_URL` and
//! `HAP_TEST_BROKER_URL`; when one is unreachable, creating a fixture panics
//! with the command that starts it.

pub mod access;
mod broker;
mod database;
pub mod dev_tokens;
pub mod files;
pub mod hostile;
mod issuer;
mod moto;
mod observer;
pub mod openapi;
mod postgres;
mod proxy;
mod tokens;

pub use broker::TestBroker;
pub use database::TestDatabase;
pub use issuer::{KEY_ID, MockIssuer};
pub use moto::MotoServer;
pub use observer::{EVENT_WAIT, EventObserver};
pub use postgres::PrivatePostgres;
pub use proxy::{Proxy, ProxyMode};
pub use tokens::{HostileToken, hostile_tokens};
