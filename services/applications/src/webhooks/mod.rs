//! Webhook subscriptions of front-ends: every `application.state_changed`
//! event is stored once per active subscription in the transaction of the
//! transition, and [`dispatcher`] posts them in order with back-off.
//!
//! A receiver must be a public host: [`target`] rejects internal addresses
//! when subscribing and again before each delivery.
//!
//! Delivery is at least once: a receiver deduplicates by the
//! `X-HAP-Delivery` header or the event's `id`.

pub mod dispatcher;
pub mod store;
pub mod target;

pub use dispatcher::{DispatcherGuard, spawn_dispatcher};
