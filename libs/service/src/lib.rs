//! The runtime every HAP service shares: settings sections, start-up and
//! shutdown of the database pool, the outbox relay, the consumers and the
//! HTTP server, and the `main` of each binary.
//!
//! A service's library builds its routes and handlers and calls
//! [`Base::start`] then [`Base::serve`]; its `main.rs` calls [`run_main`].
//! Tests call the same library functions on port 0 with their own database
//! and broker namespace.

mod base;
mod emit;
mod main_fn;
mod settings;

pub use base::{Base, Running, StartError};
pub use emit::emit;
pub use main_fn::run_main;
pub use settings::{CommonSettings, HasCommon};
