//! The anonymization service: on `linkage.completed` it generalises the
//! quasi-identifiers and suppresses records until every group holds at least
//! k records, or for the aggregate level builds frequency tables with cell
//! suppression, verifies the result independently, and releases it to the
//! work store with a disclosure report.
//!
//! - [`profile`]: which columns are quasi-identifiers and how they generalise.
//! - [`tables`]: the frequency tables of the aggregate level.
//! - [`consumers`]: the release step.
//! - [`routes`]: the `/v1` HTTP API (disclosure reports).

pub mod consumers;
pub mod profile;
pub mod routes;
pub mod schema;
pub mod settings;
pub mod startup;
pub mod tables;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};

pub const NAME: &str = "anonymization";
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");
