use actix_web::{HttpResponse, web};
use hap_kit::auth::Principal;
use hap_kit::db::blocking;
use hap_kit::http::{ApiError, Problem};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::reads;
use super::view::check_can_read;
use crate::domain::diff::diff;
use crate::repository;
use crate::startup::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    /// The version to compare with; the approved version by default, or the
    /// previous one when none was approved.
    against: Option<i32>,
}

/// `GET /v1/applications/{id}/versions/{version}/diff`: what a submitted
/// version changed, such as an amendment against the approved version.
#[utoipa::path(
    get,
    path = "/v1/applications/{id}/versions/{version}/diff",
    operation_id = "diffVersions",
    tag = "applications",
    params(
        ("id" = Uuid, Path, description = "The application id"),
        ("version" = i32, Path, description = "A submitted version"),
        ("against" = Option<i32>, Query, description = "The version to compare with; the approved one by default"),
    ),
    responses(
        (status = 200, description = "version, against and changes: {path: {from, to}}", body = Object),
        (status = 400, description = "A path or query parameter is invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the applicant, case-handler, decider, auditor or service role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such application or version", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn diff_versions(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, i32)>,
    query: web::Query<DiffQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, version) = path.into_inner();
    let row = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>(repository::find(conn, id)?)
    })
    .await?
    .ok_or_else(|| Problem::not_found(format!("application {id} does not exist")))?;
    check_can_read(&row, &principal)?;
    let against = query
        .against
        .or(row.approved_version.filter(|approved| *approved != version))
        .unwrap_or(version - 1);

    let (new, old) = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>((
            repository::find_version(conn, id, version)?,
            repository::find_version(conn, id, against)?,
        ))
    })
    .await?;
    let missing = |number: i32| {
        Problem::not_found(format!(
            "application {id} has no submitted version {number}"
        ))
    };
    let new = new.ok_or_else(|| missing(version))?;
    let old = old.ok_or_else(|| missing(against))?;
    reads::record(&state.pool, &row, &principal, "diff").await?;
    Ok(HttpResponse::Ok().json(json!({
        "version": version,
        "against": against,
        "approved_version": row.approved_version,
        "changes": diff(&old, &new),
    })))
}
