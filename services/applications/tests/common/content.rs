//! Application bodies for `POST` and `PUT /v1/applications`.

use chrono::{Duration, NaiveDate, Utc};
use serde_json::{Value, json};

/// Returns a body that passes every submission check: the shape of the demo
/// application, with a fresh Crypt4GH public key for `recipient`, who is
/// also the project lead. `member-1` is a project member.
pub fn complete_content(recipient: &str) -> Value {
    let public_key = hap_crypt4gh::SecretKey::generate().public_key().to_pem();
    json!({
        "title": "Survival after colorectal cancer surgery",
        "summary": "Survival and treatment after colorectal cancer surgery in Norway.",
        "institution": "Institute of Health and Society",
        "project_lead": recipient,
        "members": ["member-1"],
        "purpose": {
            "description": "Study survival and complications after colorectal cancer surgery",
            "health_research": true,
            "commercial": false,
        },
        "request": {
            "registries": [
                {"registry": "population", "variables": ["sex", "birth_date"]},
                {"registry": "cancer", "variables": ["icd10", "diagnosis_date", "stage"]},
            ],
            "criteria": {
                "diagnosis_codes": ["C18", "C19", "C20"],
                "diagnosed_from": "2010-01-01",
                "diagnosed_to": "2024-12-31",
            },
            "disclosure_level": "pseudonymous",
        },
        "legal_basis": {
            "gdpr_article_6": "e",
            "gdpr_article_9": "j",
            "ethics_approval": "REK 2026/4711",
            "ethics_approval_date": "2026-09-01",
            "dpia_done": true,
        },
        "recipients": [{"subject": recipient, "public_key": public_key}],
        "period_end": Utc::now().date_naive() + Duration::days(365),
    })
}

/// Returns a body that parses but fails the submission checks on the title,
/// the institution, the project lead, the purpose, the registries, the
/// criteria, the recipients and the period.
pub fn incomplete_content() -> Value {
    json!({
        "title": " ",
        "summary": "",
        "purpose": {"description": "", "health_research": false, "commercial": false},
        "request": {
            "registries": [],
            "criteria": {"diagnosis_codes": [], "diagnosed_from": null, "diagnosed_to": null},
            "disclosure_level": "aggregate",
        },
        "legal_basis": {
            "gdpr_article_6": null,
            "gdpr_article_9": null,
            "ethics_approval": null,
            "ethics_approval_date": null,
            "dpia_done": false,
        },
        "recipients": [],
        "period_end": NaiveDate::from_ymd_opt(2020, 1, 1),
    })
}

/// Returns a complete body whose request names only the population
/// registry, as aggregate tables: one source, not identifiable.
pub fn aggregate_content(recipient: &str) -> Value {
    let mut content = complete_content(recipient);
    content["request"]["registries"] = json!([
        {"registry": "population", "variables": ["sex", "birth_date"]},
    ]);
    content["request"]["disclosure_level"] = json!("aggregate");
    content
}
