use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use diesel::Connection;
use hap_contracts::criteria::Registry;
use hap_kit::auth::{Principal, Role};
use hap_kit::db::blocking;
use hap_kit::http::Problem;
use serde_json::json;
use uuid::Uuid;

use crate::domain::basis::BasisKind;
use crate::domain::import::parse_csv;
use crate::repository;
use crate::startup::AppState;
use hap_kit::http::ApiError;

/// `POST /v1/registries/{registry}/consent-events` with a CSV body
/// (`person_id,event,event_date,source`). Valid rows are stored in one
/// transaction, so a failure leaves nothing half-applied. The response
/// counts accepted, duplicate and rejected rows and gives each rejection's
/// line and reason.
pub async fn import(
    state: web::Data<AppState>,
    principal: Principal,
    registry: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    if !principal.has(Role::Steward) {
        return Err(Problem::forbidden("consent imports need the steward role").into());
    }
    let name = registry.into_inner();
    let registry: Registry = name.parse().map_err(|_| {
        Problem::not_found(format!(
            "registry `{name}` does not exist; see GET /v1/registries"
        ))
    })?;
    let consent_based = state
        .registries
        .iter()
        .any(|b| b.registry == registry && b.kind == BasisKind::ConsentBased);
    if !consent_based {
        return Err(Problem::conflict(
            "not-consent-based",
            format!("registry `{name}` is statutory and keeps no consent records"),
        )
        .into());
    }
    if body.len() > state.max_import_bytes {
        return Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            format!(
                "the import is larger than the limit of {} bytes; split it",
                state.max_import_bytes
            ),
        )
        .with("limit", state.max_import_bytes)
        .into());
    }

    let rules = state.identity;
    let key = state.platform_key.clone();
    let parsed = tokio::task::spawn_blocking(move || parse_csv(&body, rules, &key))
        .await
        .map_err(|error| ApiError::Internal(error.to_string()))?
        .map_err(|reason| Problem::bad_request("invalid-csv", reason))?;

    let import_id = Uuid::now_v7();
    let steward = principal.subject.clone();
    let rejected = parsed.rejected;
    let rejected_count = rejected.len() as i32;
    let rows: Vec<_> = parsed.rows.into_iter().map(|(_, row)| row).collect();
    let total = rows.len();
    let accepted = blocking(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let accepted = repository::insert_events(conn, registry.name(), import_id, &rows)?;
            let duplicates = (total - accepted) as i32;
            repository::insert_import(
                conn,
                import_id,
                registry.name(),
                &steward,
                (accepted as i32, duplicates, rejected_count),
            )?;
            Ok::<_, ApiError>(accepted)
        })
    })
    .await?;

    tracing::info!(%import_id, registry = registry.name(), accepted, rejected = rejected_count, "consent events imported");
    Ok(HttpResponse::Ok().json(json!({
        "import_id": import_id,
        "registry": registry,
        "accepted": accepted,
        "duplicates": total - accepted,
        "rejected": rejected,
    })))
}
