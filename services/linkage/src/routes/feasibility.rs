use actix_web::{HttpResponse, web};
use hap_contracts::criteria::Criterion;
use hap_kit::http::{ApiError, Problem};
use hap_linkage::columnar::{FeasibilityCount, RunError, RunPlan, cohort_size, registry_folder};
use serde::Deserialize;
use serde_json::json;

use crate::startup::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeasibilityRequest {
    /// A cohort criterion, as `hap_contracts::criteria::Criterion` parses it.
    criteria: serde_json::Value,
}

/// `POST /v1/feasibility`: the size of the cohort the criteria select, for
/// applicants before they apply: `"<5"` below 5, else rounded to 5.
#[utoipa::path(
    post,
    path = "/v1/feasibility",
    operation_id = "countFeasibility",
    tag = "feasibility",
    request_body(content = FeasibilityRequest, description = "The cohort criteria of a planned application"),
    responses(
        (status = 200, description = "The size of the cohort the criteria select", body = super::openapi::FeasibilityBody),
        (status = 400, description = "Invalid JSON body or invalid criteria; `pointer` names the offending member", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the applicant role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the JSON limit", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn count(
    state: web::Data<AppState>,
    body: web::Json<FeasibilityRequest>,
) -> Result<HttpResponse, ApiError> {
    let criterion = Criterion::parse(&body.criteria).map_err(|error| {
        Problem::bad_request("invalid-criteria", error.to_string())
            .with("pointer", format!("/criteria{}", error.pointer))
    })?;

    // Reading the registries takes seconds, so it runs off the HTTP workers.
    let registry_dir = state.registry_dir.clone();
    let rules = state.rules;
    let result = web::block(move || {
        let (spine, registries) = registry_folder(&registry_dir);
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let plan = RunPlan {
            spine: &spine,
            registries: &registries,
            criterion: &criterion,
            rules,
            project_key: b"feasibility counts write no pseudonyms",
            lists: None,
            threads,
        };
        cohort_size(&plan)
    })
    .await
    .map_err(|error| ApiError::Internal(error.to_string()))?;

    match result {
        Ok(size) => Ok(HttpResponse::Ok().json(json!({"cohort_size": FeasibilityCount(size)}))),
        Err(RunError::Criterion(error)) => {
            Err(Problem::bad_request("invalid-criteria", error.to_string())
                .with("pointer", format!("/criteria{}", error.pointer))
                .into())
        }
        Err(error) => Err(ApiError::Internal(error.to_string())),
    }
}
