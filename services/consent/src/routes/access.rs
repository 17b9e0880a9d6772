//! The access table of the consent service: the roles that may call each
//! endpoint. [`super::configure`] registers every route through this table,
//! so a route cannot exist without a row.

use hap_kit::auth::Role;
use hap_kit::auth::access::{Access, Endpoint, Method};

use Role::{Auditor, CaseHandler, Decider, Service, Steward};

pub const TABLE: &[Endpoint] = &[
    Endpoint::new(Method::Get, "/v1/registries", Access::Roles(&Role::ALL)),
    Endpoint::new(
        Method::Post,
        "/v1/registries/{registry}/consent-events",
        Access::Roles(&[Steward]),
    ),
    Endpoint::new(
        Method::Post,
        "/v1/registries/{registry}/consent-history",
        Access::Roles(&[Steward, CaseHandler, Auditor]),
    ),
    // Internal: the linkage service reads the persons a permit leaves out.
    Endpoint::new(
        Method::Get,
        "/v1/permits/{permit_id}/exclusions",
        Access::Roles(&[Service]),
    ),
    Endpoint::new(
        Method::Get,
        "/v1/applications/{id}/assessments",
        Access::Roles(&[CaseHandler, Decider, Auditor, Service]),
    ),
    Endpoint::new(
        Method::Get,
        "/v1/applications/{id}/permits",
        Access::Roles(&[CaseHandler, Decider, Auditor, Service]),
    ),
    Endpoint::new(Method::Get, "/v1/access-log", Access::Roles(&[Auditor])),
];
