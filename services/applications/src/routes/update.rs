use actix_web::http::StatusCode;
use actix_web::http::header::IF_MATCH;
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::Connection;
use hap_kit::auth::Principal;
use hap_kit::db::blocking;
use hap_kit::http::Problem;
use serde_json::json;
use uuid::Uuid;

use super::view::respond;
use crate::domain::state::transition;
use crate::domain::{ApplicationContent, Command, State};
use crate::repository;
use crate::startup::AppState;
use hap_kit::http::ApiError;

/// `PUT /v1/applications/{id}`: replaces the content of a draft. Needs
/// `If-Match` with the current ETag, so two editors cannot overwrite each other.
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

    let row = blocking(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let mut row = repository::lock(conn, id)?
                .filter(|row| row.applicant == principal.subject)
                .ok_or_else(|| Problem::not_found(format!("application {id} does not exist")))?;
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
            let current: State = row.state.parse().map_err(ApiError::Internal)?;
            let allowed = principal
                .roles
                .iter()
                .any(|role| transition(current, Command::Edit, *role).is_some());
            if !allowed {
                return Err(Problem::conflict(
                    "command-not-allowed",
                    format!("only drafts can be edited; this application is `{current}`"),
                )
                .into());
            }

            row.content = serde_json::to_value(&content)?;
            row.revision = repository::save(conn, &row)?;
            repository::record(conn, id, "edited", &principal.subject, json!({}))?;
            Ok::<_, ApiError>(row)
        })
    })
    .await?;
    Ok(respond(StatusCode::OK, row))
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
