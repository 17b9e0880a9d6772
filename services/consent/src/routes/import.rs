use actix_web::{HttpResponse, web};
use diesel::Connection;
use hap_contracts::criteria::Registry;
use hap_kit::auth::Principal;
use hap_kit::auth::access::registry_scope;
use hap_kit::db::blocking;
use hap_kit::http::Problem;
use serde_json::json;
use uuid::Uuid;

use crate::domain::basis::BasisKind;
use crate::domain::import::parse_csv;
use crate::repository;
use crate::repository::exclusions::AffectedPermit;
use crate::startup::AppState;
use hap_contracts::events::{self, ConsentWithdrawn};
use hap_kit::http::ApiError;
use hap_messaging::{Envelope, outbox};

/// `POST /v1/registries/{registry}/consent-events` with a CSV body
/// (`person_id,event,event_date,source[,scope]`). Valid rows are stored in
/// one transaction, together with a `consent.withdrawn` event for every
/// permit that did not leave out a person withdrawing now, so a failure
/// leaves nothing half-applied. The response counts accepted, duplicate
/// and rejected rows and gives each rejection's line and reason.
#[utoipa::path(
    post,
    path = "/v1/registries/{registry}/consent-events",
    operation_id = "importConsentEvents",
    tag = "registries",
    params(("registry" = String, Path, description = "A registry name such as `quality`")),
    request_body(content = String, content_type = "text/csv", description = "Header `person_id,event,event_date,source[,scope]`, then one event per row"),
    responses(
        (status = 200, description = "Accepted, duplicate and rejected rows, each rejection with its line and reason", body = super::openapi::ImportSummary),
        (status = 400, description = "The body is not a CSV file with the expected header", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the steward role, with the registry named in the token's registries claim", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No registry with this name", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The registry is statutory and keeps no consent or opt-out records", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the import limit", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn import(
    state: web::Data<AppState>,
    principal: Principal,
    registry: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let name = registry.into_inner();
    let registry: Registry = name.parse().map_err(|_| {
        Problem::not_found(format!(
            "registry `{name}` does not exist; see GET /v1/registries"
        ))
    })?;
    registry_scope(&principal, registry.name(), &[])?;
    let kind = state
        .registries
        .iter()
        .find(|b| b.registry == registry)
        .map_or(BasisKind::Statutory, |b| b.kind);
    if kind == BasisKind::Statutory {
        return Err(Problem::conflict(
            "not-consent-based",
            format!("registry `{name}` is statutory and keeps no consent or opt-out records"),
        )
        .into());
    }
    let rules = state.identity;
    let key = state.platform_key.clone();
    let parsed = tokio::task::spawn_blocking(move || parse_csv(&body, kind, rules, &key))
        .await
        .map_err(|error| ApiError::Internal(error.to_string()))?
        .map_err(|reason| Problem::bad_request("invalid-csv", reason))?;

    let import_id = Uuid::now_v7();
    let steward = principal.subject.clone();
    let rejected = parsed.rejected;
    let rejected_count = rejected.len() as i32;
    let rows: Vec<_> = parsed.rows.into_iter().map(|(_, row)| row).collect();
    let total = rows.len();
    let (accepted, affected) = blocking(&state.pool, move |conn| {
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
            let affected = repository::exclusions::permits_affected_by(conn, import_id)?;
            for permit in &affected {
                outbox::enqueue(conn, &withdrawn_event(permit, registry, import_id)?)?;
            }
            Ok::<_, ApiError>((accepted, affected.len()))
        })
    })
    .await?;

    tracing::info!(%import_id, registry = registry.name(), accepted, rejected = rejected_count, permits_affected = affected, "consent events imported");
    Ok(HttpResponse::Ok().json(json!({
        "import_id": import_id,
        "registry": registry,
        "accepted": accepted,
        "duplicates": total - accepted,
        "rejected": rejected,
    })))
}

/// Builds the `consent.withdrawn` event for one affected permit, correlated
/// with its application.
fn withdrawn_event(
    permit: &AffectedPermit,
    registry: Registry,
    import_id: Uuid,
) -> Result<Envelope, ApiError> {
    let payload = ConsentWithdrawn {
        application_id: permit.application_id,
        application_version: permit.version,
        permit_id: permit.permit_id,
        project_id: permit.project_id,
        registry,
        persons: permit.persons as u64,
        earliest: permit.earliest,
        latest: permit.latest,
        import_id,
    };
    Envelope::new(
        events::CONSENT_WITHDRAWN,
        events::VERSION,
        permit.application_id,
        &payload,
    )
    .map_err(|error| ApiError::Internal(error.to_string()))
}
