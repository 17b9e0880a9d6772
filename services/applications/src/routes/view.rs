use actix_web::HttpResponse;
use actix_web::http::header::{ETAG, EntityTag};
use chrono::{DateTime, NaiveDate, Utc};
use hap_kit::auth::{Principal, Role};
use hap_kit::http::Problem;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::repository::ApplicationRow;

/// An application as the API shows it.
#[derive(Serialize)]
pub struct ApplicationView {
    pub id: Uuid,
    pub project_id: Uuid,
    pub applicant: String,
    pub state: String,
    /// The last submitted version, if any.
    pub version: Option<i32>,
    pub handler: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub revision: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub content: Value,
}

impl From<ApplicationRow> for ApplicationView {
    fn from(row: ApplicationRow) -> Self {
        ApplicationView {
            id: row.id,
            project_id: row.project_id,
            applicant: row.applicant,
            state: row.state,
            version: row.submitted_version,
            handler: row.handler,
            deadline: row.deadline,
            revision: row.revision,
            created_at: row.created_at,
            updated_at: row.updated_at,
            content: row.content,
        }
    }
}

/// Responds with the application and its revision as a strong ETag.
pub fn respond(status: actix_web::http::StatusCode, row: ApplicationRow) -> HttpResponse {
    let etag = EntityTag::new_strong(row.revision.to_string());
    HttpResponse::build(status)
        .insert_header((ETAG, etag))
        .json(ApplicationView::from(row))
}

/// Applicants see their own applications; case handlers and deciders see all.
/// Others get 404, so the existence of an id is not disclosed.
pub fn check_can_read(row: &ApplicationRow, principal: &Principal) -> Result<(), Problem> {
    let staff = principal.has(Role::CaseHandler) || principal.has(Role::Decider);
    if staff || row.applicant == principal.subject {
        Ok(())
    } else {
        Err(Problem::not_found(format!(
            "application {} does not exist",
            row.id
        )))
    }
}

/// Parses a page size, 50 by default and at most 200.
pub fn page_limit(limit: Option<i64>) -> Result<i64, Problem> {
    match limit {
        None => Ok(50),
        Some(limit) if (1..=200).contains(&limit) => Ok(limit),
        Some(limit) => Err(Problem::bad_request(
            "invalid-limit",
            format!("limit {limit} is out of range; use 1 to 200"),
        )
        .with("limit", 200)),
    }
}
