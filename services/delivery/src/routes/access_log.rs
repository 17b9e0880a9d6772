//! The access log across deliveries, for a registry's stewards and for
//! auditors: every download of a delivery drawing on a registry.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use diesel::PgArrayExpressionMethods;
use diesel::prelude::*;
use hap_contracts::criteria::Registry;
use hap_kit::auth::Principal;
use hap_kit::auth::Role::Auditor;
use hap_kit::auth::access::registry_scope;
use hap_kit::db::blocking;
use hap_kit::http::{ApiError, Problem};
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
#[utoipa::path(
    get,
    path = "/v1/downloads",
    operation_id = "listRegistryDownloads",
    tag = "deliveries",
    params(
        ("registry" = String, Query, description = "A registry name such as `cancer`"),
        ("after" = Option<i64>, Query, description = "Only downloads with a larger id: the next of the previous page"),
    ),
    responses(
        (status = 200, description = "The downloads of every delivery that drew on the registry, oldest first; next is the after of the next page", body = super::openapi::RegistryDownloads),
        (status = 400, description = "registry is missing or not a registry name, or after is not an integer", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the auditor role, or the steward role with the registry named in the token's registries claim", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn by_registry(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<RegistryQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    // Only a known name reaches the database: a NUL byte, for one, is text
    // PostgreSQL refuses. The value is not echoed, since a mistyped query
    // may hold anything, an identity number included.
    let registry = query
        .registry
        .parse::<Registry>()
        .map_err(|_| {
            Problem::bad_request(
                "invalid-query",
                "registry is not a registry name; use one of population, cancer, birth, \
                 patient, quality",
            )
        })?
        .name()
        .to_owned();
    registry_scope(&principal, &registry, &[Auditor])?;
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
