//! Checks every cell of a service's access table, role by endpoint, against
//! the running service.
//!
//! Each endpoint is called once without a token, once with a token whose
//! signature is invalid, and once per [`Role`] with a development token
//! holding only that role. Path parameters get the values the caller names,
//! or a fresh UUID. POST and PUT requests send the JSON body `{}`, so an
//! allowed call usually fails later with 400 or 404, which is enough: the
//! check is that the access rule let it through.
//!
//! Each path also gets one method the table does not list for it, and the
//! response must be 405 with a problem body and an `Allow` header naming
//! the methods the table lists.

// A test fixture: failing at once with a message is what its callers need.
#![allow(clippy::expect_used)]

use hap_contracts::criteria::Registry;
use hap_kit::auth::access::{Access, Endpoint, Method, allowed_methods, table_paths};
use hap_kit::auth::{Role, issue_dev_steward_token};
use serde_json::Value;
use uuid::Uuid;

/// The caller of one cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    NoToken,
    /// A token signed with another secret than the service's.
    BadSignature,
    Role(Role),
}

/// The expected outcome of one cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// Any status but 401 and 403.
    Admitted,
    /// 401 with a problem body.
    Unauthorized,
    /// 403 with a problem body.
    Forbidden,
}

/// The service under test and how to call it.
pub struct AccessProbe<'a> {
    pub base_url: &'a str,
    /// The development issuer's secret the service trusts.
    pub dev_secret: &'a str,
    /// Values of path parameters by name, such as `("registry", "cancer")`.
    pub params: &'a [(&'a str, &'a str)],
}

/// Returns the expected outcome of `caller` on an endpoint with `access`.
pub fn expected(access: Access, caller: Caller) -> Expected {
    match (access, caller) {
        (Access::Public, _) => Expected::Admitted,
        // Without a grant every caller is rejected by the grant check.
        (Access::Grant, _) => Expected::Forbidden,
        (Access::Roles(_), Caller::NoToken | Caller::BadSignature) => Expected::Unauthorized,
        (Access::Roles(_), Caller::Role(role)) if access.admits(Some(&[role])) => {
            Expected::Admitted
        }
        (Access::Roles(_), Caller::Role(_)) => Expected::Forbidden,
    }
}

/// Returns the callers of each endpoint: no token, a bad signature, then
/// each role.
pub fn callers() -> Vec<Caller> {
    let mut callers = vec![Caller::NoToken, Caller::BadSignature];
    callers.extend(Role::ALL.into_iter().map(Caller::Role));
    callers
}

impl AccessProbe<'_> {
    /// Calls every cell of `table` and returns a line per cell whose
    /// response does not match the table; empty when all match.
    pub async fn mismatches(&self, table: &[Endpoint]) -> Vec<String> {
        let client = reqwest::Client::new();
        let mut mismatches = Vec::new();
        for endpoint in table {
            let path = self.concrete_path(endpoint.path);
            for caller in callers() {
                let expectation = expected(endpoint.access, caller);
                let (status, content_type, body) =
                    self.call(&client, endpoint, &path, caller).await;
                if let Some(reason) = mismatch(expectation, status, &content_type, &body) {
                    mismatches.push(format!(
                        "{} {} as {caller:?}: expected {expectation:?}, got {status} ({reason}): {body}",
                        endpoint.method, endpoint.path
                    ));
                }
            }
        }
        mismatches.extend(self.method_mismatches(&client, table).await);
        mismatches
    }

    /// Sends each path of `table` one method the table does not list for
    /// it, and returns a line per path whose response is not a 405 problem
    /// with the listed methods in `Allow`.
    async fn method_mismatches(&self, client: &reqwest::Client, table: &[Endpoint]) -> Vec<String> {
        let mut mismatches = Vec::new();
        for pattern in table_paths(table) {
            let listed: Vec<Method> = table
                .iter()
                .filter(|endpoint| endpoint.path == pattern)
                .map(|endpoint| endpoint.method)
                .collect();
            let Some(other) = [Method::Delete, Method::Put, Method::Post, Method::Get]
                .into_iter()
                .find(|method| !listed.contains(method))
            else {
                continue;
            };
            let url = format!("{}{}", self.base_url, self.concrete_path(pattern));
            let method = reqwest::Method::from_bytes(other.as_str().as_bytes())
                .expect("an HTTP method name");
            let response = client
                .request(method, &url)
                .send()
                .await
                .expect("the service returns a response");
            let status = response.status().as_u16();
            let header = |name| {
                response
                    .headers()
                    .get(name)
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or_default()
                    .to_owned()
            };
            let (allow, content_type) = (
                header(reqwest::header::ALLOW),
                header(reqwest::header::CONTENT_TYPE),
            );
            let expected_allow = allowed_methods(table, pattern);
            if status != 405
                || allow != expected_allow
                || content_type != "application/problem+json"
            {
                mismatches.push(format!(
                    "{other} {pattern}: expected 405 with Allow `{expected_allow}` and a problem \
                     body, got {status} with Allow `{allow}` and Content-Type `{content_type}`"
                ));
            }
        }
        mismatches
    }

    /// Sends one request and returns its status, `Content-Type` and body.
    pub async fn call(
        &self,
        client: &reqwest::Client,
        endpoint: &Endpoint,
        path: &str,
        caller: Caller,
    ) -> (u16, String, Value) {
        let url = format!("{}{path}", self.base_url);
        let mut request = match endpoint.method {
            Method::Get => client.get(&url),
            Method::Post => client.post(&url).json(&serde_json::json!({})),
            Method::Put => client.put(&url).json(&serde_json::json!({})),
            Method::Delete => client.delete(&url),
        };
        match caller {
            Caller::NoToken => {}
            Caller::BadSignature => {
                let token = self.token("probe-bad-signature", &Role::ALL, "not-the-service-secret");
                request = request.bearer_auth(token);
            }
            Caller::Role(role) => {
                let subject = format!("probe-{role}");
                request = request.bearer_auth(self.token(&subject, &[role], self.dev_secret));
            }
        }
        let response = request
            .send()
            .await
            .expect("the service returns a response");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = response.bytes().await.expect("the response body is read");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, content_type, body)
    }

    /// Fills in the path parameters of a route pattern.
    pub fn concrete_path(&self, pattern: &str) -> String {
        pattern
            .split('/')
            .map(|segment| {
                let Some(name) = segment
                    .strip_prefix('{')
                    .and_then(|rest| rest.strip_suffix('}'))
                else {
                    return segment.to_owned();
                };
                self.params
                    .iter()
                    .find(|(param, _)| *param == name)
                    .map_or_else(
                        || Uuid::new_v4().to_string(),
                        |(_, value)| (*value).to_owned(),
                    )
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Signs a probe token. A steward's token names every registry, so a
    /// steward cell tests the role rule of the table. The services test the
    /// registry scope of stewards in tests of their own.
    fn token(&self, subject: &str, roles: &[Role], secret: &str) -> String {
        let registries = Registry::ALL.map(Registry::name);
        issue_dev_steward_token(secret, "hap-dev", subject, roles, &registries, 600)
            .expect("signing a test token")
    }
}

/// Returns why a response does not match `expected`, or `None`.
fn mismatch(expected: Expected, status: u16, content_type: &str, body: &Value) -> Option<String> {
    let problem = |slug: &str| {
        if content_type != "application/problem+json" {
            return Some(format!("Content-Type is `{content_type}`"));
        }
        let kind = format!("urn:hap:problem:{slug}");
        if body["type"].as_str() != Some(kind.as_str()) {
            return Some(format!("problem type is not `{kind}`"));
        }
        None
    };
    match expected {
        Expected::Admitted if status == 401 || status == 403 => Some("rejected".into()),
        Expected::Admitted => None,
        Expected::Unauthorized if status != 401 => Some("not 401".into()),
        Expected::Unauthorized => problem("unauthorized"),
        Expected::Forbidden if status != 403 => Some("not 403".into()),
        Expected::Forbidden => problem("forbidden"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAFF: Access = Access::Roles(&[Role::CaseHandler, Role::Auditor]);

    #[test]
    fn roles_cells_expected() {
        assert_eq!(expected(STAFF, Caller::NoToken), Expected::Unauthorized);
        assert_eq!(
            expected(STAFF, Caller::BadSignature),
            Expected::Unauthorized
        );
        assert_eq!(
            expected(STAFF, Caller::Role(Role::Auditor)),
            Expected::Admitted
        );
        assert_eq!(
            expected(STAFF, Caller::Role(Role::Applicant)),
            Expected::Forbidden
        );
    }

    #[test]
    fn public_and_grant_cells_expected() {
        assert_eq!(
            expected(Access::Public, Caller::NoToken),
            Expected::Admitted
        );
        assert_eq!(
            expected(Access::Grant, Caller::NoToken),
            Expected::Forbidden
        );
        assert_eq!(
            expected(Access::Grant, Caller::Role(Role::Applicant)),
            Expected::Forbidden
        );
    }

    #[test]
    fn mismatch_needs_problem_body() {
        let body = serde_json::json!({"type": "urn:hap:problem:forbidden"});
        assert_eq!(
            mismatch(Expected::Forbidden, 403, "application/problem+json", &body),
            None
        );
        assert!(mismatch(Expected::Forbidden, 403, "application/json", &body).is_some());
        assert!(mismatch(Expected::Forbidden, 404, "application/problem+json", &body).is_some());
        assert!(mismatch(Expected::Admitted, 401, "application/problem+json", &body).is_some());
        assert_eq!(mismatch(Expected::Admitted, 404, "", &Value::Null), None);
    }

    #[test]
    fn path_parameters_filled() {
        let probe = AccessProbe {
            base_url: "http://127.0.0.1:1",
            dev_secret: "secret",
            params: &[("registry", "cancer")],
        };
        let path = probe.concrete_path("/v1/registries/{registry}/items/{id}");
        let id = path.rsplit('/').next().unwrap_or_default();
        assert!(path.starts_with("/v1/registries/cancer/items/"), "{path}");
        assert!(id.parse::<Uuid>().is_ok(), "{path}");
    }
}
