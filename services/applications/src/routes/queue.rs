use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, Utc};
use hap_contracts::criteria::Registry;
use hap_kit::db::blocking;
use hap_kit::http::Problem;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::view::{ApplicationView, page_limit};
use crate::domain::State;
use crate::repository::{self, QueueFilter};
use crate::startup::AppState;
use hap_kit::http::ApiError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// One of `submitted`, `appealed`, `in-review` and `returned`; all when absent.
    state: Option<String>,
    /// Only cases requesting this registry, such as `cancer`.
    registry: Option<String>,
    /// Only cases claimed by this `sub`.
    handler: Option<String>,
    /// Only cases past their deadline (`true`).
    #[serde(default)]
    overdue: bool,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    limit: Option<i64>,
}

/// `GET /v1/queue`: applications waiting for case work, earliest deadline first.
#[utoipa::path(
    get,
    path = "/v1/queue",
    operation_id = "listQueue",
    tag = "case work",
    params(
        ("state" = Option<String>, Query, description = "submitted, appealed, in-review or returned"),
        ("registry" = Option<String>, Query, description = "Only cases requesting this registry"),
        ("handler" = Option<String>, Query, description = "Only cases claimed by this subject"),
        ("overdue" = Option<bool>, Query, description = "Only cases past their deadline"),
        ("cursor" = Option<String>, Query, description = "The next_cursor of the previous page"),
        ("limit" = Option<i64>, Query, description = "Page size, 1 to 200"),
    ),
    responses(
        (status = 200, description = "Cases waiting for case work, earliest deadline first", body = Object),
        (status = 400, description = "Invalid filter", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the case-handler or decider role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = page_limit(query.limit)?;
    let query = query.into_inner();
    let filter = QueueFilter {
        states: queue_states(query.state.as_deref())?,
        registry: query.registry.as_deref().map(parse_registry).transpose()?,
        handler: query.handler,
        overdue_on: query.overdue.then(|| Utc::now().date_naive()),
    };
    let cursor = query.cursor.as_deref().map(parse_cursor).transpose()?;

    // Fetching one row more than the page shows whether a next page exists.
    let mut rows = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>(repository::list_queue(conn, &filter, cursor, limit + 1)?)
    })
    .await?;

    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = more
        .then(|| {
            rows.last()
                .and_then(|row| Some(format!("{}_{}", row.deadline?, row.id)))
        })
        .flatten();
    let items: Vec<ApplicationView> = rows.into_iter().map(ApplicationView::from).collect();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": next})))
}

fn queue_states(name: Option<&str>) -> Result<Vec<&'static str>, Problem> {
    let Some(name) = name else {
        return Ok(State::QUEUED.into_iter().map(State::as_str).collect());
    };
    match name.parse::<State>() {
        Ok(found) if State::QUEUED.contains(&found) => Ok(vec![found.as_str()]),
        _ => {
            let names: Vec<&str> = State::QUEUED.into_iter().map(State::as_str).collect();
            Err(Problem::bad_request(
                "invalid-state",
                format!(
                    "state `{name}` is not a queue state; use one of {}",
                    names.join(", ")
                ),
            ))
        }
    }
}

fn parse_registry(name: &str) -> Result<String, Problem> {
    Registry::ALL
        .into_iter()
        .find(|registry| registry.name() == name)
        .map(|registry| registry.name().to_owned())
        .ok_or_else(|| {
            let names: Vec<&str> = Registry::ALL.into_iter().map(Registry::name).collect();
            Problem::bad_request(
                "invalid-registry",
                format!(
                    "registry `{name}` is unknown; use one of {}",
                    names.join(", ")
                ),
            )
        })
}

fn parse_cursor(cursor: &str) -> Result<(NaiveDate, Uuid), Problem> {
    cursor
        .split_once('_')
        .and_then(|(date, id)| Some((date.parse().ok()?, id.parse().ok()?)))
        .ok_or_else(|| {
            Problem::bad_request(
                "invalid-cursor",
                format!(
                    "cursor `{cursor}` is not one this service returned; start from the first page"
                ),
            )
        })
}
