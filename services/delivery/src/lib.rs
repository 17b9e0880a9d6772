//! The delivery service: packages each released dataset (Parquet, CSV, a
//! codebook, the reports and a manifest with SHA-256 of every file),
//! encrypts it with Crypt4GH to the recipients named in the permit, and
//! serves the download to those recipients only, logging every download.
//!
//! - [`consumers`]: packaging and encryption on `anonymization.completed`.
//! - [`codebook`]: the description of every released column.
//! - [`routes`]: the `/v1` HTTP API (deliveries, downloads, access log).

pub mod codebook;
pub mod consumers;
pub mod routes;
pub mod schema;
pub mod settings;
pub mod startup;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};

pub const NAME: &str = "delivery";
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");
