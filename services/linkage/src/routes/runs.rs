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

use crate::schema::linkage_runs;
use crate::startup::AppState;
use hap_kit::http::ApiError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunsQuery {
    application_id: Uuid,
}

#[derive(Queryable, Serialize)]
struct RunView {
    id: Uuid,
    application_id: Uuid,
    version: i32,
    permit_id: Uuid,
    cohort_size: i64,
    report: Value,
    duration_ms: i64,
    finished_at: DateTime<Utc>,
}

/// `GET /v1/runs?application_id=`: the linkage runs of an application with
/// their reports (counts only). A steward gets the runs whose permit draws
/// on a registry its token names.
#[utoipa::path(
    get,
    path = "/v1/runs",
    operation_id = "listLinkageRuns",
    tag = "runs",
    params(("application_id" = Uuid, Query, description = "The application whose runs to list")),
    responses(
        (status = 200, description = "The linkage runs of the application with their reports, oldest first; for a steward, only those drawing on a registry its token names", body = super::openapi::RunList),
        (status = 400, description = "application_id is missing or not a UUID", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the case-handler, auditor or steward role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<RunsQuery>,
) -> Result<HttpResponse, ApiError> {
    let application_id = query.application_id;
    let registries = readable_registries(&principal, &[CaseHandler, Auditor]);
    let runs: Vec<RunView> = blocking(&state.pool, move |conn| {
        let mut runs = linkage_runs::table
            .filter(linkage_runs::application_id.eq(application_id))
            .into_boxed();
        if let Some(registries) = registries {
            runs = runs.filter(linkage_runs::registries.overlaps_with(registries));
        }
        Ok::<_, ApiError>(
            runs.order(linkage_runs::finished_at)
                .select((
                    linkage_runs::id,
                    linkage_runs::application_id,
                    linkage_runs::version,
                    linkage_runs::permit_id,
                    linkage_runs::cohort_size,
                    linkage_runs::report,
                    linkage_runs::duration_ms,
                    linkage_runs::finished_at,
                ))
                .load(conn)?,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"items": runs})))
}
