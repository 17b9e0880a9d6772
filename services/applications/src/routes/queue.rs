use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use hap_kit::auth::{Principal, Role};
use hap_kit::db::blocking;
use hap_kit::http::Problem;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::view::{ApplicationView, page_limit};
use crate::domain::State;
use crate::repository;
use crate::startup::AppState;
use hap_kit::http::ApiError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// `submitted` or `in-review`; both when absent.
    state: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    limit: Option<i64>,
}

/// `GET /v1/queue`: applications waiting for case work, earliest deadline first.
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, ApiError> {
    if !principal.has(Role::CaseHandler) {
        return Err(Problem::forbidden("the queue needs the case-handler role").into());
    }
    let limit = page_limit(query.limit)?;
    let states: Vec<&'static str> = match query.state.as_deref() {
        None => vec![State::Submitted.as_str(), State::InReview.as_str()],
        Some(name) => match name.parse::<State>() {
            Ok(found @ (State::Submitted | State::InReview)) => vec![found.as_str()],
            _ => {
                return Err(Problem::bad_request(
                    "invalid-state",
                    format!("state `{name}` is not a queue state; use submitted or in-review"),
                )
                .into());
            }
        },
    };
    let cursor = query.cursor.as_deref().map(parse_cursor).transpose()?;

    // Fetching one row more than the page shows whether a next page exists.
    let mut rows = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>(repository::list_queue(conn, &states, cursor, limit + 1)?)
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
