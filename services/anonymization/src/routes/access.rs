//! The access table of the anonymization service: the roles that may call
//! each endpoint. [`super::configure`] registers every route through this
//! table, so a route cannot exist without a row.

use hap_kit::auth::Role;
use hap_kit::auth::access::{Access, Endpoint, Method};

use Role::{Auditor, CaseHandler, Steward};

pub const TABLE: &[Endpoint] = &[Endpoint::new(
    Method::Get,
    "/v1/releases",
    Access::Roles(&[CaseHandler, Auditor, Steward]),
)];
