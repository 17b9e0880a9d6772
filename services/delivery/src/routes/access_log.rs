//! The access log across deliveries, for a registry's stewards and for
//! auditors: every download of a delivery drawing on a registry.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use diesel::PgArrayExpressionMethods;
use diesel::prelude::*;
use hap_kit::db::blocking;
use hap_kit::http::ApiError;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::schema::{deliveries, downloads};
use crate::startup::AppState;

/// Maximum number of rows in one response.
const MAX_ITEMS: i64 = 1_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryQuery {
    /// A registry name such as `cancer`.
    registry: String,
    /// Returns only downloads with a larger id, for paging.
    after: Option<i64>,
}

#[derive(Queryable, Serialize)]
struct RegistryDownload {
    id: i64,
    delivery_id: Uuid,
    application_id: Uuid,
    subject: String,
    file: String,
    range_start: Option<i64>,
    bytes: i64,
    at: DateTime<Utc>,
}

/// `GET /v1/downloads?registry=&after=`: the downloads of every delivery
/// that drew on `registry`, oldest first, at most 1,000 per page. The
/// response's `next` is the `after` of the next page, or null at the end.
pub async fn by_registry(
    state: web::Data<AppState>,
    query: web::Query<RegistryQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let registry = query.registry.clone();
    let after = query.after.unwrap_or(0);
    let items: Vec<RegistryDownload> = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>(
            downloads::table
                .inner_join(deliveries::table)
                .filter(deliveries::registries.contains(vec![registry]))
                .filter(downloads::id.gt(after))
                .order(downloads::id)
                .limit(MAX_ITEMS)
                .select((
                    downloads::id,
                    downloads::delivery_id,
                    deliveries::application_id,
                    downloads::subject,
                    downloads::file,
                    downloads::range_start,
                    downloads::bytes,
                    downloads::at,
                ))
                .load(conn)?,
        )
    })
    .await?;
    let next = match items.last() {
        Some(last) if items.len() as i64 == MAX_ITEMS => Some(last.id),
        _ => None,
    };
    Ok(HttpResponse::Ok().json(json!({
        "registry": query.registry,
        "items": items,
        "next": next,
    })))
}
