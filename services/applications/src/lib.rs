//! The applications service: applicants create and submit applications, case
//! handlers work them from a queue and decide, and every pipeline event is
//! recorded on the application's timeline.
//!
//! - [`domain`]: content, states and the command table.
//! - [`commands`]: one transaction per command, with its outgoing events.
//! - [`routes`]: the `/v1` HTTP API.
//! - [`consumers`]: pipeline events that move the state and fill the timeline.
//! - [`repository`] and [`schema`]: database access; [`audit`] and [`notes`]
//!   keep the audit trail and the internal notes.
//! - [`expiry`]: the periodic job that expires applications whose period ended.
//! - [`attachments`]: files attached to applications, in the attachment store.
//! - [`webhooks`]: state changes posted to subscribed front-ends.
//! - [`metrics`]: the applications-by-state gauge on `/metrics`.

pub mod attachments;
pub mod audit;
pub mod commands;
pub mod consumers;
pub mod domain;
pub mod expiry;
pub mod metrics;
pub mod notes;
pub mod repository;
pub mod routes;
pub mod schema;
pub mod settings;
pub mod startup;
pub mod webhooks;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};

pub const NAME: &str = "applications";
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

impl hap_service::HasCommon for settings::Settings {
    fn common(&self) -> &hap_service::CommonSettings {
        &self.common
    }
}
