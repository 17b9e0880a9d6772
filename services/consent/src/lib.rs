//! The consent service: the legal basis of each registry, consent records of
//! consent-based registries (stored under keyed hashes, never identity
//! numbers), the assessment of each application on submission and approval,
//! the permit, and the exclusion lists the linkage applies.
//!
//! - [`domain`]: legal-basis rules, assessment and consent CSV parsing.
//! - [`consumers`]: `application.submitted` and `application.approved`.
//! - [`routes`]: the `/v1` HTTP API.
//! - [`repository`] and [`schema`]: database access.

pub mod consumers;
pub mod domain;
pub mod repository;
pub mod routes;
pub mod schema;
pub mod settings;
pub mod startup;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};

pub const NAME: &str = "consent";
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");
