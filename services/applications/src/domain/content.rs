//! The content an applicant writes: the project, the data request, the legal-basis
//! claims and the recipients of the delivery.

use chrono::NaiveDate;
use hap_contracts::application::{
    DataRequest, DisclosureLevel, LegalBasisClaims, Purpose, Recipient,
};
use hap_contracts::criteria::validate_request;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The editable body of an application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationContent {
    /// An earlier project to continue: deliveries to one project share
    /// pseudonyms. A new project id is assigned when absent.
    #[serde(default)]
    pub project_id: Option<Uuid>,
    pub title: String,
    /// The public summary shown in the register of permits.
    pub summary: String,
    /// The institution responsible for the project.
    #[serde(default)]
    pub institution: String,
    /// The `sub` of the project lead.
    #[serde(default)]
    pub project_lead: String,
    /// The `sub` of every other project member. Members, the lead, the
    /// applicant and the recipients may not handle or decide the case.
    #[serde(default)]
    pub members: Vec<String>,
    pub purpose: Purpose,
    pub request: DataRequest,
    pub legal_basis: LegalBasisClaims,
    pub recipients: Vec<Recipient>,
    /// The last day of the project; the permit and the delivery end then.
    pub period_end: NaiveDate,
}

/// One reason an application cannot be submitted, with the field it concerns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Incomplete {
    pub field: String,
    pub reason: String,
}

impl ApplicationContent {
    /// Checks what must hold before submission; returns every problem found.
    pub fn check_complete(&self, today: NaiveDate) -> Vec<Incomplete> {
        let mut problems = Vec::new();
        let mut add = |field: &str, reason: String| {
            problems.push(Incomplete {
                field: field.to_owned(),
                reason,
            })
        };

        if self.title.trim().is_empty() {
            add("title", "the title is empty".into());
        }
        if self.institution.trim().is_empty() {
            add("institution", "name the responsible institution".into());
        }
        if self.project_lead.trim().is_empty() {
            add("project_lead", "name the project lead".into());
        }
        if self.purpose.description.trim().is_empty() {
            add("purpose.description", "describe the purpose".into());
        }
        if self.request.registries.is_empty() {
            add("request.registries", "request at least one registry".into());
        }
        let pairs: Vec<_> = self
            .request
            .registries
            .iter()
            .map(|r| (r.registry, r.variables.clone()))
            .collect();
        if let Err(error) = validate_request(&pairs) {
            add("request.registries", error.to_string());
        }
        if let Err(error) = self.request.criteria.validate() {
            add("request.criteria", error.to_string());
        }
        if self.recipients.is_empty() {
            add(
                "recipients",
                "name at least one recipient with a public key".into(),
            );
        }
        for (index, recipient) in self.recipients.iter().enumerate() {
            if let Err(error) = hap_crypt4gh::PublicKey::from_pem(&recipient.public_key) {
                add(
                    &format!("recipients[{index}].public_key"),
                    error.to_string(),
                );
            }
        }
        self.check_legal_basis(&mut add);
        if self.period_end <= today {
            add(
                "period_end",
                format!("{} is not in the future", self.period_end),
            );
        }
        problems
    }

    /// Checks the references the requested disclosure level needs: any
    /// microdata needs GDPR article 6(1) and 9(2) grounds, pseudonymous
    /// microdata also a DPIA, and health research an ethics approval.
    fn check_legal_basis(&self, add: &mut impl FnMut(&str, String)) {
        let claims = &self.legal_basis;
        let level = self.request.disclosure_level;
        if level == DisclosureLevel::Aggregate {
            return;
        }
        let blank = |value: &Option<String>| value.as_deref().is_none_or(|v| v.trim().is_empty());
        if blank(&claims.gdpr_article_6) {
            add(
                "legal_basis.gdpr_article_6",
                "microdata needs a GDPR article 6(1) ground".into(),
            );
        }
        if blank(&claims.gdpr_article_9) {
            add(
                "legal_basis.gdpr_article_9",
                "health data needs a GDPR article 9(2) ground".into(),
            );
        }
        if level == DisclosureLevel::Pseudonymous && !claims.dpia_done {
            add(
                "legal_basis.dpia_done",
                "pseudonymous microdata needs a data protection impact assessment".into(),
            );
        }
        if self.purpose.health_research {
            if blank(&claims.ethics_approval) {
                add(
                    "legal_basis.ethics_approval",
                    "health research needs the ethics committee's reference".into(),
                );
            }
            if claims.ethics_approval_date.is_none() {
                add(
                    "legal_basis.ethics_approval_date",
                    "health research needs the date of the ethics approval".into(),
                );
            }
        }
    }

    /// Returns whether `subject` takes part in the project, and so may
    /// neither handle nor decide its application.
    pub fn involves(&self, subject: &str) -> bool {
        self.project_lead == subject
            || self.members.iter().any(|member| member == subject)
            || self.recipients.iter().any(|r| r.subject == subject)
    }

    /// Returns the names of the requested registries, sorted, each once.
    pub fn registry_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .request
            .registries
            .iter()
            .map(|r| r.registry.name().to_owned())
            .collect();
        names.sort();
        names.dedup();
        names
    }
}
