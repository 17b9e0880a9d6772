//! The access table of the linkage service: the roles that may call each
//! endpoint. [`super::configure`] registers every route through this table,
//! so a route cannot exist without a row.

use hap_kit::auth::Role;
use hap_kit::auth::access::{Access, Endpoint, Method};

use Role::{Applicant, Auditor, CaseHandler, Steward};

pub const TABLE: &[Endpoint] = &[
    Endpoint::new(
        Method::Get,
        "/v1/runs",
        Access::Roles(&[CaseHandler, Auditor, Steward]),
    ),
    Endpoint::new(Method::Post, "/v1/feasibility", Access::Roles(&[Applicant])),
];
