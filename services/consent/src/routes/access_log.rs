use actix_web::{HttpResponse, web};
use hap_kit::db::blocking;
use hap_kit::http::{ApiError, Problem};
use serde::Deserialize;
use serde_json::json;

use crate::repository::access_log;
use crate::startup::AppState;

/// The page size when the request names none.
const DEFAULT_LIMIT: i64 = 100;

/// The largest page size.
const MAX_LIMIT: i64 = 1_000;

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccessLogQuery {
    /// Returns only entries with a larger id, for paging.
    after: Option<i64>,
    /// Entries per page, 1 to 1,000; 100 when absent.
    limit: Option<i64>,
}

/// `GET /v1/access-log?after=&limit=`: every read of a consent history or
/// an exclusion list, oldest first, for auditors. The response's `next` is
/// the `after` of the next page, or null at the end.
#[utoipa::path(
    get,
    path = "/v1/access-log",
    operation_id = "listAccessLog",
    tag = "audit",
    params(AccessLogQuery),
    responses(
        (status = 200, description = "Reads of consent histories and exclusion lists, oldest first; next is the after of the next page", body = super::openapi::AccessLogPage),
        (status = 400, description = "after or limit is not an integer, limit is out of range, or the query has an unknown parameter", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the auditor role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<AccessLogQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(Problem::bad_request(
            "invalid-limit",
            format!("limit {limit} is out of range; use 1 to {MAX_LIMIT}"),
        )
        .into());
    }
    let after = query.after.unwrap_or(0);
    let items = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>(access_log::list(conn, after, limit)?)
    })
    .await?;
    let next = match items.last() {
        Some(last) if items.len() as i64 == limit => Some(last.id),
        _ => None,
    };
    Ok(HttpResponse::Ok().json(json!({"items": items, "next": next})))
}
