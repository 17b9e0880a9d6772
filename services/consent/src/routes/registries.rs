use actix_web::{HttpResponse, web};
use hap_kit::auth::Principal;
use serde_json::json;

use crate::startup::AppState;

/// `GET /v1/registries`: each registry's legal basis and data-use conditions.
#[utoipa::path(
    get,
    path = "/v1/registries",
    operation_id = "listRegistries",
    tag = "registries",
    responses(
        (status = 200, description = "Every registry with its legal basis", body = super::openapi::RegistryList),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The token carries none of the platform's roles", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn list(state: web::Data<AppState>, _principal: Principal) -> HttpResponse {
    HttpResponse::Ok().json(json!({"items": *state.registries}))
}
