use actix_web::http::StatusCode;
use actix_web::http::header::IF_MATCH;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use diesel::Connection;
use hap_kit::auth::Principal;
use hap_kit::db::blocking;
use hap_kit::http::Problem;
use serde_json::json;
use uuid::Uuid;

use super::view::respond;
use crate::audit::{self, NewAuditEntry};
use crate::commands::{authorize, ensure_visible, tracked};
use crate::domain::diff::diff;
use crate::domain::{ApplicationContent, Command, State};
use crate::repository;
use crate::startup::AppState;
use hap_kit::http::ApiError;

/// `PUT /v1/applications/{id}`: replaces the content of a draft or of an
/// application returned to the applicant (the `edit` command). Needs
/// `If-Match` with the current ETag, so two editors cannot overwrite each other.
#[utoipa::path(
    put,
    path = "/v1/applications/{id}",
    operation_id = "editApplication",
    tag = "applications",
    params(
        ("id" = Uuid, Path, description = "The application id"),
        ("If-Match" = String, Header, description = "The ETag of the last read"),
    ),
    request_body(content = Object, description = "The complete new content"),
    responses(
        (status = 200, description = "The edited application", body = Object),
        (status = 400, description = "A path or query parameter is invalid or the body is not valid JSON of the expected shape", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the applicant role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No application with this id is visible to the caller", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The application is neither a draft nor returned", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 412, description = "The application changed since the ETag", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the JSON limit", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn update(
    state: web::Data<AppState>,
    principal: Principal,
    request: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<ApplicationContent>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let expected = if_match(&request)?;
    let content = body.into_inner();
    let caller = principal.clone();

    let row = blocking(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let mut row = repository::lock(conn, id)?
                .ok_or_else(|| Problem::not_found(format!("application {id} does not exist")))?;
            ensure_visible(&row, &principal)?;
            let current: State = row.state.parse().map_err(ApiError::Internal)?;
            let stored: ApplicationContent = serde_json::from_value(row.content.clone())?;
            let (role, _) =
                authorize(&row, &stored, current, Command::Edit, &principal, Utc::now())?;
            if row.revision != expected {
                return Err(Problem::new(
                    StatusCode::PRECONDITION_FAILED,
                    "stale-revision",
                    format!(
                        "the application changed since revision {expected}; fetch it again and reapply your edit"
                    ),
                )
                .with("revision", row.revision)
                .into());
            }

            let before = tracked(&row);
            row.content = serde_json::to_value(&content)?;
            row.registries = content.registry_names();
            row.revision = repository::save(conn, &row)?;
            let changes = diff(&before, &tracked(&row));
            repository::record(conn, id, "edited", &principal.subject, json!({}))?;
            audit::record(
                conn,
                NewAuditEntry {
                    application_id: id,
                    actor: &principal.subject,
                    role: role.as_str(),
                    action: Command::Edit.as_str(),
                    from_state: Some(current.as_str()),
                    to_state: Some(current.as_str()),
                    changes,
                },
            )?;
            Ok::<_, ApiError>(row)
        })
    })
    .await?;
    Ok(respond(StatusCode::OK, row, &caller))
}

fn if_match(request: &HttpRequest) -> Result<i32, Problem> {
    let missing = || {
        Problem::new(
            StatusCode::PRECONDITION_REQUIRED,
            "if-match-required",
            "send `If-Match` with the ETag from the last GET of this application",
        )
    };
    let value = request.headers().get(IF_MATCH).ok_or_else(missing)?;
    value
        .to_str()
        .ok()
        .map(|text| text.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| {
            Problem::bad_request("invalid-if-match", "If-Match must be an ETag such as \"3\"")
        })
}
