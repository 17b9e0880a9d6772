//! Shared fixtures of the integration tests: the applications service runs
//! in-process on a free port, with its own database and broker namespace.
//!
//! - [`service`]: [`TestService`], which starts and stops the service, signs
//!   tokens and sends HTTP requests.
//! - [`content`]: application bodies, complete and incomplete.
//! - [`files`]: attachment files and the kinds a content needs.
//! - [`events`]: reading the events the service publishes and publishing
//!   pipeline events to it.

// Each test binary uses a different part of these fixtures.
#![allow(dead_code, unused_imports)]

pub mod content;
pub mod events;
pub mod files;
pub mod service;

pub use content::{aggregate_content, complete_content, incomplete_content};
pub use events::EventProbe;
pub use service::{Reply, TestService};
