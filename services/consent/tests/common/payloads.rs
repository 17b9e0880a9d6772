//! Payloads of the `application.submitted` and `application.approved` events
//! that the applications service publishes.

use chrono::NaiveDate;
use hap_contracts::application::{
    DataRequest, DisclosureLevel, LegalBasisClaims, Purpose, Recipient, RegistryRequest,
};
use hap_contracts::criteria::{CohortCriteria, Registry};
use hap_contracts::events::{ApplicationApproved, ApplicationSubmitted};
use uuid::Uuid;

/// Claims that pass every check: public interest, research, an ethics
/// approval and a data protection impact assessment.
pub fn complete_claims() -> LegalBasisClaims {
    LegalBasisClaims {
        gdpr_article_6: Some("e".into()),
        gdpr_article_9: Some("j".into()),
        ethics_approval: Some("REK 2026/1234".into()),
        ethics_approval_date: NaiveDate::from_ymd_opt(2026, 1, 15),
        dpia_done: true,
    }
}

pub fn research_purpose(commercial: bool) -> Purpose {
    Purpose {
        description: "survival after colorectal cancer surgery".into(),
        health_research: true,
        commercial,
    }
}

/// Builds a pseudonymous request for the first catalogue variable of each registry,
/// for the cohort diagnosed with one of `codes`.
pub fn request(registries: &[Registry], codes: &[&str]) -> DataRequest {
    DataRequest {
        registries: registries
            .iter()
            .map(|registry| RegistryRequest {
                registry: *registry,
                variables: registry
                    .variables()
                    .take(1)
                    .map(|variable| variable.name.to_owned())
                    .collect(),
            })
            .collect(),
        criteria: CohortCriteria {
            diagnosis_codes: codes.iter().map(|code| (*code).to_owned()).collect(),
            diagnosed_from: NaiveDate::from_ymd_opt(2015, 1, 1),
            diagnosed_to: NaiveDate::from_ymd_opt(2024, 12, 31),
        },
        disclosure_level: DisclosureLevel::Pseudonymous,
    }
}

pub fn submitted(application_id: Uuid, request: DataRequest) -> ApplicationSubmitted {
    ApplicationSubmitted {
        application_id,
        version: 1,
        project_id: Uuid::now_v7(),
        purpose: research_purpose(false),
        request,
        legal_basis: complete_claims(),
    }
}

pub fn approved(
    application_id: Uuid,
    request: DataRequest,
    purpose: Purpose,
) -> ApplicationApproved {
    ApplicationApproved {
        application_id,
        version: 1,
        project_id: Uuid::now_v7(),
        project_title: "Colorectal cancer surgery outcomes".into(),
        purpose,
        request,
        legal_basis: complete_claims(),
        recipients: vec![Recipient {
            subject: "researcher-1".into(),
            public_key: "-----BEGIN CRYPT4GH PUBLIC KEY-----\n\
                         AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\
                         -----END CRYPT4GH PUBLIC KEY-----\n"
                .into(),
        }],
        valid_until: NaiveDate::from_ymd_opt(2030, 12, 31).unwrap(),
        decided_by: "handler-1".into(),
    }
}
