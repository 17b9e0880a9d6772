use actix_web::{HttpResponse, web};
use hap_kit::auth::Principal;
use serde_json::json;

use crate::startup::AppState;

/// `GET /v1/registries`: each registry's legal basis and data-use conditions.
pub async fn list(state: web::Data<AppState>, _principal: Principal) -> HttpResponse {
    HttpResponse::Ok().json(json!({"items": *state.registries}))
}
