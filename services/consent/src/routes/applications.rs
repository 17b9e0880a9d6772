use actix_web::{HttpResponse, web};
use hap_kit::db::blocking;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::repository;
use crate::startup::AppState;
use hap_kit::http::ApiError;

/// `GET /v1/applications/{id}/assessments`: every legal-basis assessment, oldest first.
#[utoipa::path(
    get,
    path = "/v1/applications/{id}/assessments",
    operation_id = "listAssessments",
    tag = "applications",
    params(("id" = Uuid, Path, description = "The application id")),
    responses(
        (status = 200, description = "Every legal-basis assessment of the application, oldest first", body = super::openapi::ApplicationRecords),
        (status = 400, description = "The application id is not a UUID", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the case-handler, decider, auditor or service role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn assessments(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let items = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>(repository::assessments_of(conn, id)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"application_id": id, "items": items})))
}

/// `GET /v1/applications/{id}/permits`: the permits issued, one per
/// approved version, each with its conditions and, per registry, the count
/// and SHA-256 digest of the persons it leaves out.
#[utoipa::path(
    get,
    path = "/v1/applications/{id}/permits",
    operation_id = "listPermits",
    tag = "applications",
    params(("id" = Uuid, Path, description = "The application id")),
    responses(
        (status = 200, description = "The permits issued, one per approved version, each with its conditions and exclusion counts per registry", body = super::openapi::ApplicationRecords),
        (status = 400, description = "The application id is not a UUID", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the case-handler, decider, auditor or service role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn permits(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let rows = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>(repository::permits_of(conn, id)?)
    })
    .await?;
    let items: Vec<Value> = rows
        .into_iter()
        .map(|(mut permit, exclusions)| {
            if let Value::Object(fields) = &mut permit {
                fields.insert("exclusions".into(), exclusions);
            }
            permit
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({"application_id": id, "items": items})))
}
