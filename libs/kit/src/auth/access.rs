//! Access tables: which callers may use which endpoint of a service.
//!
//! Each service lists its endpoints in one table of [`Endpoint`]s and
//! registers every route through [`register`], which looks the endpoint up
//! in that table and wraps its handler in a check of the endpoint's
//! [`Access`]. A route therefore cannot be served without a row, and the
//! tests that read the table check the rule the service enforces.
//!
//! The check runs before the handler's extractors, so a caller without the
//! role gets 403 before the body is read. Checks that depend on the data,
//! such as who owns an application, stay in the handlers.

use std::fmt;

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::ALLOW;
use actix_web::middleware::{Next, from_fn};
use actix_web::{FromRequest, Handler, HttpMessage, HttpResponse, Responder, web};

use super::{Principal, Role};
use crate::http::Problem;

/// An HTTP method of an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    fn to_http(self) -> actix_web::http::Method {
        match self {
            Method::Get => actix_web::http::Method::GET,
            Method::Post => actix_web::http::Method::POST,
            Method::Put => actix_web::http::Method::PUT,
            Method::Delete => actix_web::http::Method::DELETE,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The callers an endpoint admits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, with or without a bearer token.
    Public,
    /// Callers without a bearer token who present a download grant, which
    /// the handler checks and rejects with 403 when it is missing or
    /// invalid. A bearer token neither helps nor hurts.
    Grant,
    /// Callers with a valid bearer token that carries at least one of
    /// these roles. A missing or invalid token gets 401 and a valid token
    /// without one of the roles gets 403.
    Roles(&'static [Role]),
}

impl Access {
    /// Returns whether a caller with `roles` passes the check; `None` is a
    /// caller without a valid token.
    pub fn admits(self, roles: Option<&[Role]>) -> bool {
        match (self, roles) {
            (Access::Public | Access::Grant, _) => true,
            (Access::Roles(_), None) => false,
            (Access::Roles(allowed), Some(held)) => held.iter().any(|role| allowed.contains(role)),
        }
    }
}

/// One row of an access table: a method, the full route pattern as actix
/// matches it (such as `/v1/applications/{id}`) and who may call it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

impl Endpoint {
    pub const fn new(method: Method, path: &'static str, access: Access) -> Self {
        Endpoint {
            method,
            path,
            access,
        }
    }
}

/// Returns the endpoint of `table` with this method and path.
pub fn find(table: &'static [Endpoint], method: Method, path: &str) -> Option<&'static Endpoint> {
    table
        .iter()
        .find(|endpoint| endpoint.method == method && endpoint.path == path)
}

/// Checks a registry-specific call of a caller the access table let in.
/// A caller with one of the `unscoped` roles reaches every registry; any
/// other caller must be a steward whose token names `registry`.
pub fn registry_scope(
    principal: &Principal,
    registry: &str,
    unscoped: &[Role],
) -> Result<(), Problem> {
    if unscoped.iter().any(|role| principal.has(*role)) || principal.stewards(registry) {
        return Ok(());
    }
    let named = if principal.registries.is_empty() {
        "no registry".to_owned()
    } else {
        format!("only {}", principal.registries.join(", "))
    };
    Err(Problem::forbidden(format!(
        "the token names {named} for this steward, not `{registry}`; a steward reaches the \
         registries its token's registries claim (auth.registries_claim) lists, so ask the \
         identity provider to add `{registry}`"
    )))
}

/// Returns the registries whose records this caller may list. `None`
/// means every registry, for a caller with one of the `unscoped` roles.
/// A steward gets the registries its token names, and any other caller none.
pub fn readable_registries(principal: &Principal, unscoped: &[Role]) -> Option<Vec<String>> {
    if unscoped.iter().any(|role| principal.has(*role)) {
        None
    } else if principal.has(Role::Steward) {
        Some(principal.registries.clone())
    } else {
        Some(Vec::new())
    }
}

/// Registers `handler` for `method` and `path` behind the access rule that
/// `table` gives for them.
///
/// # Panics
///
/// Panics when `table` has no row for the method and path, so that a route
/// without a rule stops the service at start instead of being served.
pub fn register<F, Args>(
    config: &mut web::ServiceConfig,
    table: &'static [Endpoint],
    method: Method,
    path: &'static str,
    handler: F,
) where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    let Some(endpoint) = find(table, method, path) else {
        panic!(
            "the access table has no row for {method} {path}; add one before registering the route"
        );
    };
    let route = web::method(method.to_http())
        .to(handler)
        .wrap(from_fn(move |request, next| {
            enforce(endpoint, request, next)
        }));
    config.route(path, route);
}

/// Registers, for every path of `table`, a resource that responds to the
/// methods the table does not list with 405 and an `Allow` header naming
/// those it does.
///
/// Call it after registering the table's routes. The router tries
/// resources in the order they were registered, and each route of
/// [`register`] matches its own method only, so without these resources a
/// wrong method fell through to the 404 of an unknown path. The problem
/// middleware gives the empty 405 its problem body.
pub fn answer_other_methods(config: &mut web::ServiceConfig, table: &'static [Endpoint]) {
    for path in table_paths(table) {
        let allow = allowed_methods(table, path);
        config.service(web::resource(path).to(move || {
            let allow = allow.clone();
            async move {
                HttpResponse::MethodNotAllowed()
                    .insert_header((ALLOW, allow))
                    .finish()
            }
        }));
    }
}

/// Returns each path of `table` once, in table order.
pub fn table_paths(table: &[Endpoint]) -> Vec<&'static str> {
    let mut paths: Vec<&'static str> = Vec::new();
    for endpoint in table {
        if !paths.contains(&endpoint.path) {
            paths.push(endpoint.path);
        }
    }
    paths
}

/// Returns the methods `table` lists for `path`, as an `Allow` header value.
pub fn allowed_methods(table: &[Endpoint], path: &str) -> String {
    let methods: Vec<&str> = table
        .iter()
        .filter(|endpoint| endpoint.path == path)
        .map(|endpoint| endpoint.method.as_str())
        .collect();
    methods.join(", ")
}

/// Checks the caller against the endpoint's rule, then calls the handler
/// with the [`Principal`] stored in the request, so it is not verified twice.
async fn enforce(
    endpoint: &'static Endpoint,
    request: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Access::Roles(allowed) = endpoint.access else {
        return next.call(request).await;
    };
    let principal = match Principal::extract(request.request()).await {
        Ok(principal) => principal,
        Err(problem) => return Ok(request.error_response(problem)),
    };
    if !endpoint.access.admits(Some(principal.roles.as_slice())) {
        let names: Vec<&str> = allowed.iter().map(|role| role.as_str()).collect();
        tracing::info!(
            subject = %principal.subject,
            method = endpoint.method.as_str(),
            path = endpoint.path,
            "request rejected: the caller has none of the endpoint's roles"
        );
        let problem = Problem::forbidden(format!(
            "{} {} needs one of the roles {}",
            endpoint.method,
            endpoint.path,
            names.join(", ")
        ))
        .with("roles", names);
        return Ok(request.error_response(problem));
    }
    request.extensions_mut().insert(principal);
    next.call(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &[Endpoint] = &[
        Endpoint::new(Method::Get, "/open", Access::Public),
        Endpoint::new(Method::Get, "/files", Access::Grant),
        Endpoint::new(
            Method::Post,
            "/cases",
            Access::Roles(&[Role::CaseHandler, Role::Decider]),
        ),
    ];

    #[test]
    fn roles_rule_admits_listed_role() {
        let rule = TABLE[2].access;
        assert!(rule.admits(Some(&[Role::Decider])));
        assert!(rule.admits(Some(&[Role::Applicant, Role::CaseHandler])));
    }

    #[test]
    fn roles_rule_rejects_other_roles() {
        let rule = TABLE[2].access;
        assert!(!rule.admits(Some(&[Role::Applicant])));
        assert!(!rule.admits(Some(&[])));
        assert!(!rule.admits(None));
    }

    #[test]
    fn public_and_grant_rules_admit_anyone() {
        assert!(TABLE[0].access.admits(None));
        assert!(TABLE[1].access.admits(None));
        assert!(TABLE[1].access.admits(Some(&[Role::Auditor])));
    }

    #[test]
    fn find_matches_method_and_path() {
        assert_eq!(find(TABLE, Method::Post, "/cases"), Some(&TABLE[2]));
        assert_eq!(find(TABLE, Method::Get, "/cases"), None);
        assert_eq!(find(TABLE, Method::Post, "/cases/1"), None);
    }

    fn steward_of(registries: &[&str]) -> Principal {
        Principal {
            subject: "sara".into(),
            roles: vec![Role::Steward],
            registries: registries.iter().map(|name| name.to_string()).collect(),
        }
    }

    #[test]
    fn registry_scope_admits_steward_of_the_registry() {
        assert!(registry_scope(&steward_of(&["cancer"]), "cancer", &[]).is_ok());
    }

    #[test]
    fn registry_scope_rejects_steward_of_other_registry() {
        let problem = registry_scope(&steward_of(&["cancer"]), "quality", &[]).unwrap_err();
        assert_eq!(problem.status, 403);
        let detail = problem.detail;
        assert!(detail.contains("only cancer"), "{detail}");
        assert!(detail.contains("`quality`"), "{detail}");
        let problem = registry_scope(&steward_of(&[]), "quality", &[]).unwrap_err();
        assert!(problem.detail.contains("no registry"), "{}", problem.detail);
    }

    #[test]
    fn readable_registries_limit_stewards_only() {
        let steward = steward_of(&["cancer"]);
        assert_eq!(
            readable_registries(&steward, &[Role::Auditor]),
            Some(vec!["cancer".to_owned()])
        );
        let auditor = Principal {
            roles: vec![Role::Auditor, Role::Steward],
            ..steward
        };
        assert_eq!(readable_registries(&auditor, &[Role::Auditor]), None);
        let applicant = Principal {
            roles: vec![Role::Applicant],
            ..auditor
        };
        assert_eq!(
            readable_registries(&applicant, &[Role::Auditor]),
            Some(vec![])
        );
    }

    #[test]
    fn registry_scope_admits_unscoped_role() {
        let auditor = Principal {
            roles: vec![Role::Auditor],
            ..steward_of(&[])
        };
        assert!(registry_scope(&auditor, "quality", &[Role::Auditor]).is_ok());
        assert!(registry_scope(&auditor, "quality", &[Role::CaseHandler]).is_err());
    }
}
