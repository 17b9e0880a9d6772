//! The access table of the delivery service: the roles that may call each
//! endpoint. [`super::configure`] registers every route through this table,
//! so a route cannot exist without a row.
//!
//! The handlers add the checks that depend on the delivery: only the
//! recipients named in the permit, auditors and stewards see a delivery
//! (others get 404), and only recipients get download grants (others get
//! 403).

use hap_kit::auth::Role;
use hap_kit::auth::access::{Access, Endpoint, Method};

use Role::{Applicant, Auditor, CaseHandler, Decider, Steward};

/// Roles that may look for deliveries: recipients are applicants, and case
/// staff, auditors and stewards follow them.
const READERS: &[Role] = &[Applicant, CaseHandler, Decider, Steward, Auditor];

/// Roles that read access logs and lifecycle records.
const LOG_READERS: &[Role] = &[Auditor, Steward];

pub const TABLE: &[Endpoint] = &[
    Endpoint::new(Method::Get, "/v1/downloads", Access::Roles(LOG_READERS)),
    Endpoint::new(Method::Get, "/v1/deliveries", Access::Roles(READERS)),
    Endpoint::new(Method::Get, "/v1/deliveries/{id}", Access::Roles(READERS)),
    Endpoint::new(
        Method::Get,
        "/v1/deliveries/{id}/downloads",
        Access::Roles(LOG_READERS),
    ),
    Endpoint::new(
        Method::Get,
        "/v1/deliveries/{id}/events",
        Access::Roles(LOG_READERS),
    ),
    Endpoint::new(
        Method::Post,
        "/v1/deliveries/{id}/grants",
        Access::Roles(&[Applicant]),
    ),
    Endpoint::new(
        Method::Post,
        "/v1/deliveries/{id}/recipients",
        Access::Roles(&[CaseHandler, Decider]),
    ),
    // The download grant in `?grant=` authorizes a download, so that
    // download tools need no bearer token.
    Endpoint::new(
        Method::Get,
        "/v1/deliveries/{id}/files/{name}",
        Access::Grant,
    ),
];
