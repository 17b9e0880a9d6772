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
use crate::domain::{ApplicationContent, State};
use crate::repository::{self, ApplicationRow};
use crate::startup::AppState;
use hap_kit::http::ApiError;

const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// `POST /v1/applications`: creates a draft. A repeated request with the same
/// `Idempotency-Key` returns the application the first one created.
pub async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    request: HttpRequest,
    body: web::Json<ApplicationContent>,
) -> Result<HttpResponse, ApiError> {
    if !principal.has(Role::Applicant) {
        return Err(Problem::forbidden("creating applications needs the applicant role").into());
    }
    let key = idempotency_key(&request)?;
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
            };
            repository::insert(conn, &row)?;
            repository::record(conn, row.id, "created", &principal.subject, json!({}))?;
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
    Ok(respond(status, row))
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
