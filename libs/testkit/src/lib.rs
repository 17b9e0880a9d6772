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
//!
//! Each test gets its own database and namespace, so tests run in parallel.
//! The servers are found through `HAP_TEST_DATABASE_URL` and
//! `HAP_TEST_BROKER_URL`; when one is unreachable, creating a fixture panics
//! with the command that starts it.

mod broker;
mod database;
pub mod hostile;
mod moto;
mod observer;
pub mod openapi;
mod postgres;
mod proxy;

pub use broker::TestBroker;
pub use database::TestDatabase;
pub use moto::MotoServer;
pub use observer::{EVENT_WAIT, EventObserver};
pub use postgres::PrivatePostgres;
pub use proxy::{Proxy, ProxyMode};
