use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A role of a person or service, which decides what it may do on the platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Researchers and analysts who apply for data and download deliveries.
    Applicant,
    /// Staff who work the queue of applications.
    CaseHandler,
    /// Staff who may decide on applications for identifiable data.
    Decider,
    /// Registry staff who describe registries and push consent events.
    Steward,
    /// Reviewers who read audit and access logs.
    Auditor,
    /// Platform services calling each other's internal endpoints.
    Service,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Applicant,
        Role::CaseHandler,
        Role::Decider,
        Role::Steward,
        Role::Auditor,
        Role::Service,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Applicant => "applicant",
            Role::CaseHandler => "case-handler",
            Role::Decider => "decider",
            Role::Steward => "steward",
            Role::Auditor => "auditor",
            Role::Service => "service",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| {
                let names: Vec<_> = Role::ALL.iter().map(|role| role.as_str()).collect();
                format!(
                    "unknown role `{text}`; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// The authenticated caller of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// The token's `sub` claim: a stable id for the person or service.
    pub subject: String,
    pub roles: Vec<Role>,
    /// The registries whose steward the caller is, by name (`cancer`),
    /// from the claim `auth.registries_claim` names. The steward role
    /// reaches only these registries' consent records and access logs.
    pub registries: Vec<String>,
}

impl Principal {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// True when the caller has the steward role and its token names
    /// `registry`.
    pub fn stewards(&self, registry: &str) -> bool {
        self.has(Role::Steward) && self.registries.iter().any(|name| name == registry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(roles: &[Role], registries: &[&str]) -> Principal {
        Principal {
            subject: "s".into(),
            roles: roles.to_vec(),
            registries: registries.iter().map(|name| name.to_string()).collect(),
        }
    }

    #[test]
    fn steward_reaches_only_named_registries() {
        let steward = principal(&[Role::Steward], &["cancer"]);
        assert!(steward.stewards("cancer"));
        assert!(!steward.stewards("birth"));
    }

    #[test]
    fn registry_claim_without_steward_role_reaches_nothing() {
        assert!(!principal(&[Role::CaseHandler], &["cancer"]).stewards("cancer"));
    }
}
