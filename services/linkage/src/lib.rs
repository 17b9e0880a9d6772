//! The linkage service: on `legal_basis.cleared` it selects the cohort,
//! links the registries on the identity number, replaces the number with the
//! project's pseudonym and writes the dataset to the work store.
//!
//! - [`consumers`]: the linkage run.
//! - [`exclusions`]: the persons each permit leaves out, from the consent service.
//! - [`keys`]: per-project pseudonym keys from the master key.
//! - [`routes`]: the `/v1` HTTP API (linkage reports).

pub mod consumers;
pub mod exclusions;
pub mod keys;
pub mod routes;
pub mod schema;
pub mod settings;
pub mod startup;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};

pub const NAME: &str = "linkage";
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");
