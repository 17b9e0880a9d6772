//! Attachments of an application: their kinds, and which kinds a request
//! needs before it can be submitted.

use std::fmt;
use std::str::FromStr;

use hap_contracts::application::DisclosureLevel;
use serde::Serialize;

use super::ApplicationContent;
use super::content::Incomplete;

/// What an attached document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttachmentKind {
    /// The research protocol: aims, methods and the analysis plan.
    Protocol,
    /// The ethics committee's approval of the project.
    EthicsApproval,
    /// Any other approval, such as an institution's or a data owner's.
    OtherApproval,
    /// The data protection impact assessment (GDPR article 35).
    Dpia,
}

impl AttachmentKind {
    pub const ALL: [AttachmentKind; 4] = [
        AttachmentKind::Protocol,
        AttachmentKind::EthicsApproval,
        AttachmentKind::OtherApproval,
        AttachmentKind::Dpia,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentKind::Protocol => "protocol",
            AttachmentKind::EthicsApproval => "ethics-approval",
            AttachmentKind::OtherApproval => "other-approval",
            AttachmentKind::Dpia => "dpia",
        }
    }

    /// Returns the names of all kinds, for error messages.
    pub fn names() -> String {
        AttachmentKind::ALL.map(AttachmentKind::as_str).join(", ")
    }
}

impl fmt::Display for AttachmentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AttachmentKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        AttachmentKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| {
                format!(
                    "unknown attachment kind `{text}`; use one of {}",
                    AttachmentKind::names()
                )
            })
    }
}

/// Returns the kinds of attachment an application must carry before it is
/// submitted. Aggregate tables need none. Any microdata needs the protocol,
/// pseudonymous microdata also the DPIA, and health research on microdata
/// the ethics approval: the documents behind the legal-basis references
/// that [`ApplicationContent::check_complete`] asks for.
pub fn required_kinds(content: &ApplicationContent) -> Vec<AttachmentKind> {
    let level = content.request.disclosure_level;
    if level == DisclosureLevel::Aggregate {
        return Vec::new();
    }
    let mut kinds = vec![AttachmentKind::Protocol];
    if content.purpose.health_research {
        kinds.push(AttachmentKind::EthicsApproval);
    }
    if level == DisclosureLevel::Pseudonymous {
        kinds.push(AttachmentKind::Dpia);
    }
    kinds
}

/// Returns one problem per required kind that `attached` lacks.
pub fn check_attachments(
    content: &ApplicationContent,
    attached: &[AttachmentKind],
) -> Vec<Incomplete> {
    required_kinds(content)
        .into_iter()
        .filter(|kind| !attached.contains(kind))
        .map(|kind| Incomplete {
            field: format!("attachments.{kind}"),
            reason: format!(
                "{} microdata needs an attachment of kind `{kind}`; upload it to \
                 /v1/applications/{{id}}/attachments?kind={kind}",
                level_name(content.request.disclosure_level)
            ),
        })
        .collect()
}

fn level_name(level: DisclosureLevel) -> &'static str {
    match level {
        DisclosureLevel::Aggregate => "aggregate",
        DisclosureLevel::Anonymous => "anonymous",
        DisclosureLevel::Pseudonymous => "pseudonymous",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_round_trip() {
        for kind in AttachmentKind::ALL {
            assert_eq!(kind.as_str().parse::<AttachmentKind>(), Ok(kind));
        }
        let error = "protocols".parse::<AttachmentKind>().unwrap_err();
        assert!(error.contains("`protocols`"), "{error}");
    }
}
