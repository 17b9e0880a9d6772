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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessLogQuery {
    /// Returns only entries with a larger id, for paging.
    after: Option<i64>,
    limit: Option<i64>,
}

/// `GET /v1/access-log?after=&limit=`: every read of a consent history or
/// an exclusion list, oldest first, for auditors. The response's `next` is
/// the `after` of the next page, or null at the end.
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
