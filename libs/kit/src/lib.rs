//! The service kit: what every HAP service does the same way.
//!
//! - [`settings`]: layered configuration (defaults, optional file, `HAP__*`
//!   environment variables), validated at start, with redacted [`Secret`]s.
//! - [`telemetry`]: `tracing` output as text or JSON, OpenTelemetry export over
//!   OTLP when an endpoint is set, W3C trace context propagation.
//! - [`database_url`]: checks of `database.url` that keep its password out
//!   of libpq's parse errors.
//! - [`db`]: one PostgreSQL database per service through a diesel r2d2 pool,
//!   with embedded migrations.
//! - [`auth`]: OIDC bearer tokens checked against the issuer's JWKS, roles from a
//!   claim, and an opt-in development issuer.
//! - [`http`]: the actix-web skeleton: request ids, request spans and metrics,
//!   `application/problem+json` errors, health and metrics endpoints.
//! - [`store`]: the work store, a folder of objects passed by reference.
//! - [`openapi`]: the problem schema, the bearer scheme and the serving of a
//!   service's OpenAPI document with Swagger UI.

pub mod auth;
pub mod database_url;
pub mod db;
pub mod endpoint_url;
pub mod http;
pub mod openapi;
pub mod settings;
pub mod store;
pub mod telemetry;

pub use settings::Secret;
