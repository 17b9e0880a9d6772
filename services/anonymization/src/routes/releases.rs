use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use diesel::PgArrayExpressionMethods;
use diesel::prelude::*;
use hap_kit::auth::Principal;
use hap_kit::auth::Role::{Auditor, CaseHandler};
use hap_kit::auth::access::readable_registries;
use hap_kit::db::blocking;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::schema::releases;
use crate::startup::AppState;
use hap_kit::http::ApiError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleasesQuery {
    application_id: Uuid,
}

#[derive(Queryable, Serialize)]
struct ReleaseView {
    id: Uuid,
    application_id: Uuid,
    version: i32,
    permit_id: Uuid,
    k: i32,
    records_suppressed: i64,
    rows_released: i64,
    report: Value,
    created_at: DateTime<Utc>,
}

/// `GET /v1/releases?application_id=`: the releases of an application with
/// their disclosure-control reports. A steward gets the releases whose
/// permit draws on a registry its token names.
#[utoipa::path(
    get,
    path = "/v1/releases",
    operation_id = "listReleases",
    tag = "releases",
    params(("application_id" = Uuid, Query, description = "The application whose releases to list")),
    responses(
        (status = 200, description = "The releases of the application with their disclosure-control reports, oldest first; for a steward, only those drawing on a registry its token names", body = super::openapi::ReleaseList),
        (status = 400, description = "application_id is missing or not a UUID", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the case-handler, auditor or steward role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<ReleasesQuery>,
) -> Result<HttpResponse, ApiError> {
    let application_id = query.application_id;
    let registries = readable_registries(&principal, &[CaseHandler, Auditor]);
    let items: Vec<ReleaseView> = blocking(&state.pool, move |conn| {
        let mut releases = releases::table
            .filter(releases::application_id.eq(application_id))
            .into_boxed();
        if let Some(registries) = registries {
            releases = releases.filter(releases::registries.overlaps_with(registries));
        }
        Ok::<_, ApiError>(
            releases
                .order(releases::created_at)
                .select((
                    releases::id,
                    releases::application_id,
                    releases::version,
                    releases::permit_id,
                    releases::k,
                    releases::records_suppressed,
                    releases::rows_released,
                    releases::report,
                    releases::created_at,
                ))
                .load(conn)?,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items})))
}
