//! The main job end to end: apply, approve from the queue, wait for the
//! pipeline, download the encrypted files.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use hap_contracts::application::{
    DataRequest, DisclosureLevel, LegalBasisClaims, Purpose, Recipient, RegistryRequest,
};
use hap_contracts::criteria::{CohortCriteria, Registry};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::api::{ApiError, Endpoints, ServiceClient};

/// Bearer tokens of the people in the scenario.
#[derive(Clone, Debug)]
pub struct Actors {
    pub applicant_subject: String,
    pub applicant: String,
    pub case_handler: String,
    /// A person with the decider role other than the case handler, who
    /// approves requests for pseudonymous microdata.
    pub decider: String,
    pub steward: String,
}

/// The documents the scenario attaches: those a pseudonymous request for
/// health research needs before submission.
const ATTACHMENT_KINDS: [&str; 3] = ["protocol", "ethics-approval", "dpia"];

/// A minimal PDF file, sent as each attachment.
const SAMPLE_PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
    2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// The application content the scenario submits.
#[derive(Clone, Debug)]
pub struct ApplicationSpec {
    /// An earlier project to continue; deliveries to one project share pseudonyms.
    pub project_id: Option<Uuid>,
    pub title: String,
    pub request: DataRequest,
    /// The applicant's Crypt4GH public key file content.
    pub public_key: String,
    /// A W3C `traceparent` sent with every request of the run, so the run
    /// and the pipeline it starts form one trace.
    pub traceparent: Option<String>,
}

/// A downloaded, still encrypted file.
#[derive(Clone, Debug)]
pub struct DownloadedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The result of one application.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub application_id: Uuid,
    pub project_id: Uuid,
    pub delivery_id: Uuid,
    pub files: Vec<DownloadedFile>,
    /// From the approval to a downloadable delivery.
    pub pipeline_time: Duration,
    pub timeline: Value,
}

/// Returns the request of the demo: colorectal cancer patients diagnosed 2010-2024,
/// with variables from every registry, as pseudonymous microdata.
pub fn colorectal_request() -> DataRequest {
    let vars = |names: &[&str]| names.iter().map(|n| n.to_string()).collect();
    DataRequest {
        registries: vec![
            RegistryRequest {
                registry: Registry::Population,
                variables: vars(&["sex", "birth_date", "municipality"]),
            },
            RegistryRequest {
                registry: Registry::Cancer,
                variables: vars(&["icd10", "diagnosis_date", "stage"]),
            },
            RegistryRequest {
                registry: Registry::Patient,
                variables: vars(&["episodes"]),
            },
            RegistryRequest {
                registry: Registry::Quality,
                variables: vars(&["procedure", "asa_score"]),
            },
        ],
        criteria: CohortCriteria {
            diagnosis_codes: vec!["C18".into(), "C19".into(), "C20".into()],
            diagnosed_from: NaiveDate::from_ymd_opt(2010, 1, 1),
            diagnosed_to: NaiveDate::from_ymd_opt(2024, 12, 31),
        },
        disclosure_level: DisclosureLevel::Pseudonymous,
    }
}

/// Returns the content of a new application by `applicant_subject` as
/// `POST /v1/applications` takes it: the project lead and the only recipient
/// are the applicant.
pub fn application_content(applicant_subject: &str, spec: &ApplicationSpec) -> Value {
    json!({
        "project_id": spec.project_id,
        "title": spec.title,
        "summary": "Survival and treatment after colorectal cancer surgery in Norway.",
        "institution": "Institute of Health and Society",
        "project_lead": applicant_subject,
        "members": [],
        "purpose": Purpose {
            description: "Study survival and complications after colorectal cancer surgery".into(),
            health_research: true,
            commercial: false,
        },
        "request": spec.request,
        "legal_basis": LegalBasisClaims {
            gdpr_article_6: Some("e".into()),
            gdpr_article_9: Some("j".into()),
            ethics_approval: Some("REK 2026/4711".into()),
            ethics_approval_date: NaiveDate::from_ymd_opt(2026, 9, 1),
            dpia_done: true,
        },
        "recipients": [Recipient {
            subject: applicant_subject.to_owned(),
            public_key: spec.public_key.clone(),
        }],
        "period_end": Utc::now().date_naive() + chrono::Duration::days(365),
    })
}

/// Waits until every service returns 200 on `/health/ready`.
pub async fn wait_until_ready(endpoints: &Endpoints, timeout: Duration) -> Result<(), ApiError> {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + timeout;
    for (name, base) in endpoints.all() {
        loop {
            let url = format!("{base}/health/ready");
            let ok = http
                .get(&url)
                .send()
                .await
                .is_ok_and(|response| response.status().is_success());
            if ok {
                break;
            }
            if Instant::now() > deadline {
                return Err(ApiError::Scenario(format!(
                    "the {name} service at {base} was not ready within {timeout:?}"
                )));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    Ok(())
}

/// Imports a consent-event CSV into the consent-based quality registry.
pub async fn import_consents(
    endpoints: &Endpoints,
    steward: &str,
    csv: Vec<u8>,
) -> Result<Value, ApiError> {
    ServiceClient::new(&endpoints.consent, steward)
        .post_bytes("/v1/registries/quality/consent-events", "text/csv", csv)
        .await
}

/// Runs one application from creation to downloaded files, with the
/// actors' decider approving it.
pub async fn run(
    endpoints: &Endpoints,
    actors: &Actors,
    spec: &ApplicationSpec,
    timeout: Duration,
) -> Result<Outcome, ApiError> {
    run_with_decider(endpoints, actors, Some(&actors.decider), spec, timeout).await
}

/// Runs one application from creation to downloaded files. The case handler
/// claims it and `decider` approves it: a bearer token of a person with the
/// decider role other than the case handler. Without one, the case handler
/// approves.
pub async fn run_with_decider(
    endpoints: &Endpoints,
    actors: &Actors,
    decider: Option<&str>,
    spec: &ApplicationSpec,
    timeout: Duration,
) -> Result<Outcome, ApiError> {
    let approved = approve(endpoints, actors, decider, spec).await?;
    collect_delivery(endpoints, actors, spec, &approved, timeout).await
}

/// An application that was created, submitted, claimed and approved.
#[derive(Clone, Debug)]
pub struct Approved {
    pub application_id: Uuid,
    pub project_id: Uuid,
    /// When the approval returned; the pipeline time counts from here.
    pub approved_at: Instant,
}

/// Creates, submits, claims and approves one application through the
/// applications service's HTTP API; every request must succeed. The
/// pipeline runs on from the approval by events.
pub async fn approve(
    endpoints: &Endpoints,
    actors: &Actors,
    decider: Option<&str>,
    spec: &ApplicationSpec,
) -> Result<Approved, ApiError> {
    let applicant = traced(
        spec,
        ServiceClient::new(&endpoints.applications, &actors.applicant),
    );
    let handler = traced(
        spec,
        ServiceClient::new(&endpoints.applications, &actors.case_handler),
    );
    let content = application_content(&actors.applicant_subject, spec);
    let idempotency_key = Uuid::new_v4().to_string();
    let created: Value = applicant
        .send(
            Method::POST,
            "/v1/applications",
            Some(&content),
            &[("idempotency-key", &idempotency_key)],
        )
        .await?;
    let id = field_uuid(&created, "id")?;
    let project_id = field_uuid(&created, "project_id")?;
    for kind in ATTACHMENT_KINDS {
        let path = format!("/v1/applications/{id}/attachments?kind={kind}&file_name={kind}.pdf");
        applicant
            .post_bytes(&path, "application/pdf", SAMPLE_PDF.to_vec())
            .await?;
    }
    let _: Value = applicant
        .post(&format!("/v1/applications/{id}/submit"), &json!({}))
        .await?;

    let queue: Value = handler.get("/v1/queue?state=submitted&limit=200").await?;
    let queued = queue["items"]
        .as_array()
        .is_some_and(|items| items.iter().any(|item| item["id"] == json!(id)));
    if !queued {
        return Err(ApiError::Scenario(format!(
            "application {id} is not in the case handler's queue after submission"
        )));
    }
    let _: Value = handler
        .post(&format!("/v1/applications/{id}/claim"), &json!({}))
        .await?;
    let approver = match decider {
        Some(token) => traced(spec, ServiceClient::new(&endpoints.applications, token)),
        None => handler.clone(),
    };
    let _: Value = approver
        .post(&format!("/v1/applications/{id}/approve"), &json!({}))
        .await?;
    Ok(Approved {
        application_id: id,
        project_id,
        approved_at: Instant::now(),
    })
}

/// Waits until an approved application is delivered, at most `timeout`
/// after its approval, and downloads its encrypted files.
pub async fn collect_delivery(
    endpoints: &Endpoints,
    actors: &Actors,
    spec: &ApplicationSpec,
    approved: &Approved,
    timeout: Duration,
) -> Result<Outcome, ApiError> {
    let id = approved.application_id;
    let applicant = traced(
        spec,
        ServiceClient::new(&endpoints.applications, &actors.applicant),
    );
    let timeline = wait_for_delivery(&applicant, id, approved.approved_at + timeout).await?;
    let pipeline_time = approved.approved_at.elapsed();
    let delivery_id = timeline["entries"]
        .as_array()
        .and_then(|entries| entries.iter().find(|e| e["event"] == "delivery.ready"))
        .and_then(|entry| entry["detail"]["delivery_id"].as_str())
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| {
            ApiError::Scenario(format!(
                "application {id} has no delivery id on its timeline"
            ))
        })?;

    let delivery = traced(
        spec,
        ServiceClient::new(&endpoints.delivery, &actors.applicant),
    );
    // A short-lived download grant lists every file with its download URL.
    let grant: Value = delivery
        .post(&format!("/v1/deliveries/{delivery_id}/grants"), &json!({}))
        .await?;
    let mut files = Vec::new();
    for file in grant["files"].as_array().into_iter().flatten() {
        let name = file["name"].as_str().unwrap_or_default().to_owned();
        let url = file["url"].as_str().unwrap_or_default();
        let (status, bytes) = delivery.download(url, None).await?;
        if !status.is_success() {
            return Err(ApiError::Scenario(format!(
                "downloading {name} returned {status}"
            )));
        }
        files.push(DownloadedFile { name, bytes });
    }

    Ok(Outcome {
        application_id: id,
        project_id: approved.project_id,
        delivery_id,
        files,
        pipeline_time,
        timeline,
    })
}

/// Adds the spec's `traceparent`, if any, to every request of `client`.
fn traced(spec: &ApplicationSpec, client: ServiceClient) -> ServiceClient {
    match &spec.traceparent {
        Some(traceparent) => client.with_header("traceparent", traceparent),
        None => client,
    }
}

/// Polls the timeline until the application is delivered, or fails with the
/// reason when a pipeline step returned it to the case handlers.
async fn wait_for_delivery(
    applicant: &ServiceClient,
    id: Uuid,
    deadline: Instant,
) -> Result<Value, ApiError> {
    loop {
        let timeline: Value = applicant
            .get(&format!("/v1/applications/{id}/timeline"))
            .await?;
        match timeline["state"].as_str() {
            Some("delivered") => return Ok(timeline),
            Some("in-review") => {
                let reason = timeline["entries"]
                    .as_array()
                    .and_then(|entries| {
                        entries
                            .iter()
                            .rev()
                            .find(|e| e["detail"]["reason"].is_string())
                    })
                    .map(|entry| entry["detail"]["reason"].to_string())
                    .unwrap_or_else(|| "no reason recorded".into());
                return Err(ApiError::Scenario(format!(
                    "application {id} was returned to the case handlers: {reason}"
                )));
            }
            _ => {}
        }
        if Instant::now() > deadline {
            return Err(ApiError::Scenario(format!(
                "application {id} was not delivered in time; last state {}",
                timeline["state"]
            )));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn field_uuid(value: &Value, field: &str) -> Result<Uuid, ApiError> {
    value[field]
        .as_str()
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| ApiError::Scenario(format!("the response has no `{field}`: {value}")))
}
