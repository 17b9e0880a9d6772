use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use diesel::Connection;
use hap_kit::auth::{Principal, Role};
use hap_kit::db::blocking;
use hap_kit::http::Problem;
use serde_json::json;
use uuid::Uuid;

use super::view::respond;
use crate::audit::{self, NewAuditEntry};
use crate::commands::tracked;
use crate::domain::diff::diff;
use crate::domain::{ApplicationContent, State};
use crate::repository::{self, ApplicationRow};
use crate::startup::AppState;
use hap_kit::http::ApiError;

const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// `POST /v1/applications`: creates a draft. A repeated request with the same
/// `Idempotency-Key` returns the application the first one created.
#[utoipa::path(
    post,
    path = "/v1/applications",
    operation_id = "createApplication",
    tag = "applications",
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "Repeating a request with the same key returns the application the first one created"),
    ),
    request_body(content = Object, description = "The application content: project, data request, legal basis claims, recipients and period"),
    responses(
        (status = 200, description = "The draft an earlier request with this Idempotency-Key created", body = Object),
        (status = 201, description = "The new draft, with its revision as ETag", body = Object),
        (status = 400, description = "Invalid JSON or Idempotency-Key", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The caller lacks the applicant role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the JSON limit", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    request: HttpRequest,
    body: web::Json<ApplicationContent>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&request)?;
    let caller = principal.clone();
    let content = body.into_inner();

    let (row, created) = blocking(&state.pool, move |conn| {
        conn.transaction(|conn| {
            if let Some(key) = &key
                && let Some(id) = repository::find_idempotent(conn, &principal.subject, key)?
                && let Some(row) = repository::find(conn, id)?
            {
                return Ok::<_, ApiError>((row, false));
            }

            let now = Utc::now();
            let row = ApplicationRow {
                id: Uuid::now_v7(),
                project_id: content.project_id.unwrap_or_else(Uuid::now_v7),
                applicant: principal.subject.clone(),
                state: State::Draft.as_str().to_owned(),
                content: serde_json::to_value(&content)?,
                submitted_version: None,
                handler: None,
                claim_expires_at: None,
                deadline: None,
                revision: 1,
                created_at: now,
                updated_at: now,
                registries: content.registry_names(),
                submitted_at: None,
                clock_started_on: None,
                limit_working_days: None,
                paused_working_days: 0,
                returned_on: None,
                decided_at: None,
                approved_version: None,
            };
            repository::insert(conn, &row)?;
            repository::record(conn, row.id, "created", &principal.subject, json!({}))?;
            audit::record(
                conn,
                NewAuditEntry {
                    application_id: row.id,
                    actor: &principal.subject,
                    role: Role::Applicant.as_str(),
                    action: "create",
                    from_state: None,
                    to_state: Some(State::Draft.as_str()),
                    changes: diff(&json!({}), &tracked(&row)),
                },
            )?;
            if let Some(key) = &key {
                repository::remember_idempotent(conn, &principal.subject, key, row.id)?;
            }
            Ok((row, true))
        })
    })
    .await?;

    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(respond(status, row, &caller))
}

fn idempotency_key(request: &HttpRequest) -> Result<Option<String>, Problem> {
    let Some(value) = request.headers().get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(key) if !key.is_empty() && key.len() <= 128 => Ok(Some(key.to_owned())),
        _ => Err(Problem::bad_request(
            "invalid-idempotency-key",
            "Idempotency-Key must be 1 to 128 visible ASCII characters",
        )),
    }
}
