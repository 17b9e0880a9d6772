//! Tokens of the development issuer for tests.
//!
//! A steward's token names the registries it looks after, and the services
//! reject a steward's request for the records of any other registry. [`role_token`]
//! names every registry, for tests of what a role may do;
//! [`steward_token`] names the registries a test chooses, for tests of
//! that scope.

// A test fixture: failing at once with a message is what its callers need.
#![allow(clippy::expect_used)]

use hap_contracts::criteria::Registry;
use hap_kit::auth::{Role, issue_dev_steward_token};

/// The development issuer's name in every test configuration.
const ISSUER: &str = "hap-dev";

/// Signs a token for `subject` with one role. A steward's token names
/// every registry.
pub fn role_token(secret: &str, subject: &str, role: Role, lifetime_seconds: u64) -> String {
    let registries = Registry::ALL.map(Registry::name);
    issue_dev_steward_token(
        secret,
        ISSUER,
        subject,
        &[role],
        &registries,
        lifetime_seconds,
    )
    .expect("signing a test token")
}

/// Signs a steward token for `subject` that names only `registries`.
pub fn steward_token(
    secret: &str,
    subject: &str,
    registries: &[&str],
    lifetime_seconds: u64,
) -> String {
    issue_dev_steward_token(
        secret,
        ISSUER,
        subject,
        &[Role::Steward],
        registries,
        lifetime_seconds,
    )
    .expect("signing a test token")
}
