//! A client of the HAP public APIs, and the main scenario run through them:
//! an applicant applies, a case handler approves, and the applicant
//! downloads the encrypted delivery. `hapctl demo` and the end-to-end tests
//! use it, so both exercise exactly what a portal would call.

mod api;
pub mod scenario;

pub use api::{ApiError, Endpoints, ServiceClient};
