//! The HTTP skeleton every service shares.
//!
//! - [`problem`]: RFC 9457 `application/problem+json` errors.
//! - [`error`]: [`ApiError`], the error type of route handlers.
//! - [`observe`]: request ids, one span per request with the caller's trace
//!   context as parent, and request metrics.
//! - [`health`]: `/health/live`, `/health/ready` and `/metrics`.
//! - [`server`]: binds the listener and builds the `App` around a service's
//!   routes, with body limits and problem responses for malformed input.

pub mod error;
pub mod health;
pub mod observe;
pub mod problem;
pub mod server;

pub use error::ApiError;
pub use health::{Readiness, ReadinessCheck};
pub use observe::RequestId;
pub use problem::Problem;
pub use server::{Common, HttpSettings, bind, serve};
