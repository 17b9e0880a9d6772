use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use hap_kit::auth::Principal;
use hap_kit::db::blocking;
use hap_kit::http::Problem;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::reads;
use super::view::{ApplicantView, check_can_read, page_limit, respond};
use crate::repository;
use crate::startup::AppState;
use hap_kit::http::ApiError;

/// `GET /v1/applications/{id}`
#[utoipa::path(
    get,
    path = "/v1/applications/{id}",
    operation_id = "getApplication",
    tag = "applications",
    params(
        ("id" = Uuid, Path, description = "The application id"),
    ),
    responses(
        (status = 200, description = "The application as the caller may see it; applicants never see the handler", body = Object),
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
    let row = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>(repository::find(conn, id)?)
    })
    .await?
    .ok_or_else(|| Problem::not_found(format!("application {id} does not exist")))?;
    check_can_read(&row, &principal)?;
    reads::record(&state.pool, &row, &principal, "application").await?;
    Ok(respond(StatusCode::OK, row, &principal))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    cursor: Option<Uuid>,
    limit: Option<i64>,
}

/// `GET /v1/applications`: the caller's own applications, paged by cursor.
#[utoipa::path(
    get,
    path = "/v1/applications",
    operation_id = "listOwnApplications",
    tag = "applications",
    params(
        ("cursor" = Option<Uuid>, Query, description = "The next_cursor of the previous page"),
        ("limit" = Option<i64>, Query, description = "Page size, 1 to 200, 50 by default"),
    ),
    responses(
        (status = 200, description = "The caller's own applications, oldest first: items and next_cursor", body = Object),
        (status = 400, description = "Invalid cursor or limit", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the applicant role; case staff use the queue", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = page_limit(query.limit)?;
    let cursor = query.cursor;
    let subject = principal.subject.clone();
    // Fetching one row more than the page shows whether a next page exists.
    let mut rows = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>(repository::list_for_applicant(
            conn,
            &subject,
            cursor,
            limit + 1,
        )?)
    })
    .await?;

    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = more.then(|| rows.last().map(|row| row.id)).flatten();
    let items: Vec<ApplicantView> = rows.into_iter().map(ApplicantView::from).collect();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": next})))
}
