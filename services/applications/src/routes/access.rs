//! The access table of the applications service: the roles that may call each
//! endpoint. [`super::configure`] registers every route through this table,
//! so a route cannot exist without a row.
//!
//! The handlers add the checks that depend on the case: an applicant sees
//! only their own applications (others get 404), and the command table of
//! [`crate::domain::state`] decides each command by role and state.

use hap_kit::auth::Role;
use hap_kit::auth::access::{Access, Endpoint, Method};

use Role::{Applicant, Auditor, CaseHandler, Decider, Service};

/// Roles that may read an application: its applicant, case staff,
/// auditors, and the back ends of front-ends that follow its state.
pub const READERS: &[Role] = &[Applicant, CaseHandler, Decider, Auditor, Service];

/// Roles that may read an application's attachments: its applicant and
/// case staff. Services follow states, not files.
const ATTACHMENT_READERS: &[Role] = &[Applicant, CaseHandler, Decider, Auditor];

/// Roles that may issue at least one command of the command table.
const COMMANDERS: &[Role] = &[Applicant, CaseHandler, Decider, Service];

pub const TABLE: &[Endpoint] = &[
    Endpoint::new(
        Method::Post,
        "/v1/applications",
        Access::Roles(&[Applicant]),
    ),
    Endpoint::new(Method::Get, "/v1/applications", Access::Roles(&[Applicant])),
    Endpoint::new(Method::Get, "/v1/applications/{id}", Access::Roles(READERS)),
    Endpoint::new(
        Method::Put,
        "/v1/applications/{id}",
        Access::Roles(&[Applicant]),
    ),
    Endpoint::new(
        Method::Get,
        "/v1/applications/{id}/timeline",
        Access::Roles(READERS),
    ),
    Endpoint::new(
        Method::Get,
        "/v1/applications/{id}/notes",
        Access::Roles(&[CaseHandler, Decider, Auditor]),
    ),
    Endpoint::new(
        Method::Post,
        "/v1/applications/{id}/notes",
        Access::Roles(&[CaseHandler, Decider]),
    ),
    Endpoint::new(
        Method::Get,
        "/v1/applications/{id}/versions/{version}/diff",
        Access::Roles(READERS),
    ),
    Endpoint::new(
        Method::Get,
        "/v1/applications/{id}/attachments",
        Access::Roles(ATTACHMENT_READERS),
    ),
    Endpoint::new(
        Method::Post,
        "/v1/applications/{id}/attachments",
        Access::Roles(&[Applicant]),
    ),
    Endpoint::new(
        Method::Get,
        "/v1/applications/{id}/attachments/{attachment_id}",
        Access::Roles(ATTACHMENT_READERS),
    ),
    Endpoint::new(
        Method::Delete,
        "/v1/applications/{id}/attachments/{attachment_id}",
        Access::Roles(&[Applicant]),
    ),
    Endpoint::new(
        Method::Post,
        "/v1/applications/{id}/{command}",
        Access::Roles(COMMANDERS),
    ),
    Endpoint::new(
        Method::Get,
        "/v1/queue",
        Access::Roles(&[CaseHandler, Decider]),
    ),
    Endpoint::new(
        Method::Get,
        "/v1/statistics",
        Access::Roles(&[CaseHandler, Decider, Auditor]),
    ),
    Endpoint::new(Method::Get, "/v1/audit", Access::Roles(&[Auditor])),
    Endpoint::new(Method::Get, "/v1/catalogue", Access::Public),
    Endpoint::new(Method::Get, "/v1/register", Access::Public),
    Endpoint::new(Method::Post, "/v1/webhooks", Access::Roles(&[Service])),
    Endpoint::new(Method::Get, "/v1/webhooks", Access::Roles(&[Service])),
    Endpoint::new(
        Method::Delete,
        "/v1/webhooks/{id}",
        Access::Roles(&[Service]),
    ),
];
