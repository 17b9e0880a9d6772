//! Types shared between the services: event payloads, the data request and
//! the permit. Serde only, no I/O.
//!
//! - [`criteria`]: cohort criteria and the registry variable catalogue.
//! - [`events`]: the payload of every event on the bus, by routing key.
//! - [`application`]: the data request and legal-basis claims of an application.

pub mod application;
pub mod criteria;
pub mod events;
