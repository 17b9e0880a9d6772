use actix_web::{HttpResponse, web};
use hap_kit::db::blocking;
use hap_kit::http::ApiError;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::view::page_limit;
use crate::domain::{ApplicationContent, State};
use crate::repository::{self, ApplicationRow};
use crate::startup::AppState;

/// States of applications that were approved at some point.
const APPROVED_USES: [State; 7] = [
    State::Approved,
    State::ApprovedWithConditions,
    State::InPreparation,
    State::Delivered,
    State::Closed,
    State::Expired,
    State::Revoked,
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterQuery {
    cursor: Option<Uuid>,
    limit: Option<i64>,
}

/// `GET /v1/register`: the public register of approved uses of registry
/// data: project, institution, registries, purpose and period. It needs no
/// token and names no person.
#[utoipa::path(
    get,
    path = "/v1/register",
    operation_id = "listRegister",
    tag = "public",
    params(
        ("cursor" = Option<Uuid>, Query, description = "The next_cursor of the previous page"),
        ("limit" = Option<i64>, Query, description = "Page size, 1 to 200"),
    ),
    responses(
        (status = 200, description = "Approved uses: project, institution, registries, purpose and period", body = Object),
        (status = 400, description = "A path or query parameter is invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
)]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<RegisterQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = page_limit(query.limit)?;
    let cursor = query.cursor;
    let states: Vec<&str> = APPROVED_USES.into_iter().map(State::as_str).collect();

    let mut rows = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>(repository::list_in_states(
            conn,
            &states,
            cursor,
            limit + 1,
        )?)
    })
    .await?;

    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = more.then(|| rows.last().map(|row| row.id)).flatten();
    let items = rows
        .iter()
        .map(entry)
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": next})))
}

fn entry(row: &ApplicationRow) -> Result<Value, ApiError> {
    let content: ApplicationContent = serde_json::from_value(row.content.clone())?;
    Ok(json!({
        "application_id": row.id,
        "project_id": row.project_id,
        "title": content.title,
        "summary": content.summary,
        "institution": content.institution,
        "purpose": content.purpose.description,
        "registries": content.registry_names(),
        "disclosure_level": content.request.disclosure_level,
        "approved_on": row.decided_at.map(|at| at.date_naive()),
        "period_end": content.period_end,
        "state": row.state,
    }))
}
