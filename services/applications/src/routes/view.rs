use actix_web::HttpResponse;
use actix_web::http::header::{ETAG, EntityTag};
use chrono::{DateTime, NaiveDate, Utc};
use hap_kit::auth::Principal;
use hap_kit::http::Problem;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::repository::ApplicationRow;

pub use crate::commands::ensure_visible as check_can_read;

/// An application as case handlers, deciders and auditors see it.
#[derive(Serialize)]
pub struct ApplicationView {
    pub id: Uuid,
    pub project_id: Uuid,
    pub applicant: String,
    pub state: String,
    /// The last submitted version, if any.
    pub version: Option<i32>,
    pub handler: Option<String>,
    pub claim_expires_at: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub clock: ClockView,
    pub revision: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub content: Value,
}

/// An applicant's own application: the stage and the deadline, but not who
/// handles it.
#[derive(Serialize)]
pub struct ApplicantView {
    pub id: Uuid,
    pub project_id: Uuid,
    pub applicant: String,
    pub state: String,
    pub version: Option<i32>,
    #[serde(flatten)]
    pub clock: ClockView,
    pub revision: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub content: Value,
}

/// The deadline as of today.
#[derive(Serialize)]
pub struct ClockView {
    /// The statutory deadline. While the case is returned to the applicant
    /// it moves one working day per working day.
    pub deadline: Option<NaiveDate>,
    /// Whether the clock is paused because the case is returned.
    pub deadline_paused: bool,
    /// Whether the case waits for case work past its deadline.
    pub overdue: bool,
}

impl ClockView {
    fn of(row: &ApplicationRow, today: NaiveDate) -> ClockView {
        // The stored deadline is the clock's, except while the clock is
        // paused, because then the deadline moves with every working day.
        let paused = row.returned_on.is_some();
        let moving = row
            .clock()
            .filter(|_| paused)
            .map(|clock| clock.deadline(today));
        ClockView {
            deadline: moving.or(row.deadline),
            deadline_paused: paused,
            overdue: row.is_overdue(today),
        }
    }
}

impl From<ApplicationRow> for ApplicationView {
    fn from(row: ApplicationRow) -> Self {
        let clock = ClockView::of(&row, Utc::now().date_naive());
        ApplicationView {
            id: row.id,
            project_id: row.project_id,
            applicant: row.applicant,
            state: row.state,
            version: row.submitted_version,
            handler: row.handler,
            claim_expires_at: row.claim_expires_at,
            clock,
            revision: row.revision,
            created_at: row.created_at,
            updated_at: row.updated_at,
            content: row.content,
        }
    }
}

impl From<ApplicationRow> for ApplicantView {
    fn from(row: ApplicationRow) -> Self {
        let clock = ClockView::of(&row, Utc::now().date_naive());
        ApplicantView {
            id: row.id,
            project_id: row.project_id,
            applicant: row.applicant,
            state: row.state,
            version: row.submitted_version,
            clock,
            revision: row.revision,
            created_at: row.created_at,
            updated_at: row.updated_at,
            content: row.content,
        }
    }
}

/// Returns whether `principal` is the applicant of `row`. This is true even
/// for an applicant who is also a case handler.
pub fn sees_as_applicant(row: &ApplicationRow, principal: &Principal) -> bool {
    row.applicant == principal.subject
}

/// Responds with the view of the application for `principal` and its
/// revision as a strong ETag. The view is serialised straight into the
/// body, without a `serde_json::Value` in between.
pub fn respond(
    status: actix_web::http::StatusCode,
    row: ApplicationRow,
    principal: &Principal,
) -> HttpResponse {
    let etag = EntityTag::new_strong(row.revision.to_string());
    let mut response = HttpResponse::build(status);
    response.insert_header((ETAG, etag));
    if sees_as_applicant(&row, principal) {
        response.json(ApplicantView::from(row))
    } else {
        response.json(ApplicationView::from(row))
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
