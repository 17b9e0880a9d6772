use actix_web::{HttpResponse, web};
use hap_kit::auth::Principal;
use hap_kit::db::blocking;
use hap_kit::http::Problem;
use serde_json::json;
use uuid::Uuid;

use super::view::check_can_read;
use crate::repository;
use crate::startup::AppState;
use hap_kit::http::ApiError;

/// `GET /v1/applications/{id}/timeline`: every step of the case, oldest first.
pub async fn get(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (row, entries) = blocking(&state.pool, move |conn| {
        let row = repository::find(conn, id)?;
        let entries = repository::timeline_of(conn, id)?;
        Ok::<_, ApiError>((row, entries))
    })
    .await?;
    let row = row.ok_or_else(|| Problem::not_found(format!("application {id} does not exist")))?;
    check_can_read(&row, &principal)?;
    Ok(HttpResponse::Ok()
        .json(json!({"application_id": id, "state": row.state, "entries": entries})))
}
