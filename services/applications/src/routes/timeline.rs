use actix_web::{HttpResponse, web};
use hap_kit::auth::Principal;
use hap_kit::db::blocking;
use hap_kit::http::Problem;
use serde_json::{Value, json};
use uuid::Uuid;

use super::reads;
use super::view::{check_can_read, sees_as_applicant};
use crate::repository::{self, TimelineEntry};
use crate::startup::AppState;
use hap_kit::http::ApiError;

/// Detail members that name or describe staff, removed for applicants.
const STAFF_ONLY: [&str; 4] = ["role", "handler", "decided_by", "actor"];

/// `GET /v1/applications/{id}/timeline`: every step of the case, oldest
/// first. Applicants see themselves, the pipeline services and
/// `case handling`, never a case handler's or decider's identity.
#[utoipa::path(
    get,
    path = "/v1/applications/{id}/timeline",
    operation_id = "getTimeline",
    tag = "applications",
    params(
        ("id" = Uuid, Path, description = "The application id"),
    ),
    responses(
        (status = 200, description = "Every step of the case, oldest first", body = Object),
        (status = 400, description = "A path or query parameter is invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the applicant, case-handler, decider, auditor or service role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No application with this id is visible to the caller", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn get(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (row, entries) = blocking(&state.pool, move |conn| {
        let row = repository::find(conn, id)?;
        let entries = repository::timeline_of(conn, id)?;
        Ok::<_, ApiError>((row, entries))
    })
    .await?;
    let row = row.ok_or_else(|| Problem::not_found(format!("application {id} does not exist")))?;
    check_can_read(&row, &principal)?;
    reads::record(&state.pool, &row, &principal, "timeline").await?;

    let entries: Vec<Value> = if sees_as_applicant(&row, &principal) {
        entries
            .into_iter()
            .map(|entry| for_applicant(entry, &row.applicant))
            .collect()
    } else {
        entries
            .into_iter()
            .map(|entry| serde_json::to_value(entry).unwrap_or(Value::Null))
            .collect()
    };
    Ok(HttpResponse::Ok()
        .json(json!({"application_id": id, "state": row.state, "entries": entries})))
}

fn for_applicant(mut entry: TimelineEntry, applicant: &str) -> Value {
    let actor = if entry.actor == applicant || entry.event.contains('.') {
        entry.actor.clone()
    } else {
        "case handling".to_owned()
    };
    if let Some(detail) = entry.detail.as_object_mut() {
        for key in STAFF_ONLY {
            detail.remove(key);
        }
    }
    json!({"at": entry.at, "event": entry.event, "actor": actor, "detail": entry.detail})
}
