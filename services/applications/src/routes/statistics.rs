use actix_web::{HttpResponse, web};
use chrono::Utc;
use hap_kit::db::blocking;
use hap_kit::http::ApiError;
use serde_json::json;

use crate::domain::State;
use crate::domain::statistics::{Decision, summarize};
use crate::repository;
use crate::startup::AppState;

/// `GET /v1/statistics`: the backlog, the overdue cases, the median working
/// days to a decision and the share of decisions within the limit.
#[utoipa::path(
    get,
    path = "/v1/statistics",
    operation_id = "getStatistics",
    tag = "case work",
    responses(
        (status = 200, description = "backlog, overdue, decided, median_working_days_to_decision, share_within_limit", body = Object),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the case-handler, decider or auditor role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn get(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let today = Utc::now().date_naive();

    let (backlog, overdue, decided) = blocking(&state.pool, move |conn| {
        let queued: Vec<&str> = State::QUEUED.into_iter().map(State::as_str).collect();
        Ok::<_, ApiError>((
            repository::count_in(conn, &queued)?,
            repository::count_overdue(conn, today)?,
            repository::decided(conn)?,
        ))
    })
    .await?;

    let decisions: Vec<Decision> = decided
        .iter()
        .filter_map(|row| {
            let clock = row.clock()?;
            let decided_on = row.decided_at?.date_naive();
            Some(Decision {
                started_on: clock.started_on,
                decided_on,
                deadline: clock.deadline(decided_on),
            })
        })
        .collect();
    let summary = summarize(&decisions);
    Ok(HttpResponse::Ok().json(json!({
        "backlog": backlog,
        "overdue": overdue,
        "decided": summary.decided,
        "median_working_days_to_decision": summary.median_working_days_to_decision,
        "share_within_limit": summary.share_within_limit,
    })))
}
