use actix_web::{HttpResponse, web};
use hap_kit::db::blocking;
use hap_kit::http::ApiError;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::view::page_limit;
use crate::audit;
use crate::startup::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only the entries of this application.
    application_id: Option<Uuid>,
    /// The `next_cursor` of the previous page.
    cursor: Option<i64>,
    limit: Option<i64>,
}

/// `GET /v1/audit`: the audit trail, oldest first, for auditors. The API
/// offers no way to change or delete an entry.
#[utoipa::path(
    get,
    path = "/v1/audit",
    operation_id = "listAudit",
    tag = "audit",
    params(
        ("application_id" = Option<Uuid>, Query, description = "Only this application"),
        ("cursor" = Option<i64>, Query, description = "The next_cursor of the previous page"),
        ("limit" = Option<i64>, Query, description = "Page size, 1 to 200"),
    ),
    responses(
        (status = 200, description = "Audit entries, oldest first", body = Object),
        (status = 400, description = "A path or query parameter is invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the auditor role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = page_limit(query.limit)?;
    let (application_id, cursor) = (query.application_id, query.cursor);

    // Fetching one row more than the page shows whether a next page exists.
    let mut items = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>(audit::list(conn, application_id, cursor, limit + 1)?)
    })
    .await?;

    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    let next = more.then(|| items.last().map(|entry| entry.id)).flatten();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": next})))
}
