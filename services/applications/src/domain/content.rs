//! The content an applicant writes: the project, the data request, the legal-basis
//! claims and the recipients of the delivery.

use chrono::NaiveDate;
use hap_contracts::application::{DataRequest, LegalBasisClaims, Purpose, Recipient};
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
        if self.period_end <= today {
            add(
                "period_end",
                format!("{} is not in the future", self.period_end),
            );
        }
        problems
    }
}
