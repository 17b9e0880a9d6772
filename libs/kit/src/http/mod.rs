//! The HTTP skeleton every service shares.
//!
//! - [`problem`]: RFC 9457 `application/problem+json` errors.
//! - [`error`]: [`ApiError`], the error type of route handlers.
//! - [`observe`]: request ids, one span per request with the caller's trace
//!   context as parent, and request metrics.
//! - [`health`]: `/health/live`, `/health/ready` and `/metrics`.
//! - [`limits`]: request body limits and the settings that raise them.
//! - [`names`]: checks on names that become file names or object keys.
//! - [`rejection`]: problem responses for the errors of actix-web itself
//!   and for panics in handlers.
//! - [`server`]: binds the listener and builds the `App` around a service's
//!   routes, with body limits and problem responses for malformed input.

pub mod error;
pub mod health;
pub mod limits;
pub mod names;
pub mod observe;
pub mod problem;
pub mod rejection;
pub mod server;

pub use error::ApiError;
pub use health::{Readiness, ReadinessCheck};
pub use limits::BodyLimit;
pub use names::check_name;
pub use observe::RequestId;
pub use problem::Problem;
pub use server::{Common, HttpSettings, bind, serve};
