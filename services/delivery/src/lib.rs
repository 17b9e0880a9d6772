//! The delivery service: packages each released dataset (Parquet, CSV, a
//! codebook, the reports and a manifest with SHA-256 of every file),
//! encrypts it with Crypt4GH to the recipients named in the permit, keeps it
//! in the delivery store until the permit ends, and serves downloads to
//! those recipients only, through short-lived grants, logging every one.
//!
//! - [`consumers`]: packaging on `anonymization.completed`, deletion on
//!   `permit.revoked`.
//! - [`codebook`]: the description of every released column.
//! - [`store`]: the delivery store, a local folder or an S3 bucket.
//! - [`lifecycle`]: deletion at the end date (a periodic sweep) or on revocation.
//! - [`custodian`]: the platform key that lets recipients be added later.
//! - [`recipient_lock`]: one recipient addition at a time per delivery.
//! - [`routes`]: the `/v1` HTTP API (deliveries, grants, downloads,
//!   recipients, the access log per delivery and per registry, lifecycle
//!   events).

pub mod codebook;
pub mod consumers;
pub mod custodian;
pub mod lifecycle;
pub mod recipient_lock;
pub mod routes;
pub mod schema;
pub mod settings;
pub mod startup;
pub mod store;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};

pub const NAME: &str = "delivery";
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");
