//! Authentication with OpenID Connect bearer tokens.
//!
//! A request carries `Authorization: Bearer <JWT>`. Tokens from the configured
//! issuer are checked against the keys in its JWKS (fetched through the
//! issuer's discovery document and cached). Tokens from the development
//! issuer are HS256 tokens signed with `auth.dev_secret`. That issuer is off
//! unless the secret is set, and must never be enabled in production.
//!
//! Roles come from a claim (`auth.roles_claim`, a dot path such as `roles` or
//! `realm_access.roles`); names that are not a [`Role`] are ignored. The
//! registries a steward looks after come from another claim
//! (`auth.registries_claim`, `registries` by default), and the services
//! check them where a steward reaches one registry's records.
//!
//! [`access`] contains each service's table of endpoints and the roles that may
//! call them, and enforces it on every route.

pub mod access;
mod dev;
mod extract;
mod jwks;
mod principal;
mod verify;

pub use dev::{issue_dev_steward_token, issue_dev_token};
pub use principal::{Principal, Role};
pub use verify::{AuthError, AuthSettings, Authenticator};
