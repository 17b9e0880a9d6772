use actix_web::{HttpResponse, web};
use diesel::Connection;
use hap_contracts::criteria::Registry;
use hap_kit::auth::Principal;
use hap_kit::auth::Role::{Auditor, CaseHandler};
use hap_kit::auth::access::registry_scope;
use hap_kit::db::blocking;
use hap_kit::http::{ApiError, Problem};
use hap_kit::store::hex;
use serde::Deserialize;
use serde_json::json;

use crate::repository::access_log::{self, Action, NewAccess};
use crate::repository::history::person_history;
use crate::startup::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// The person's national identity number.
    person_id: String,
}

/// `POST /v1/registries/{registry}/consent-history` with
/// `{"person_id": "..."}`: the person's consent and opt-out events in the
/// registry, oldest first. The number travels in the body so that it never
/// appears in an HTTP request log; the response contains no identity
/// number. Each read is recorded in the service's access log with the
/// person hash.
#[utoipa::path(
    post,
    path = "/v1/registries/{registry}/consent-history",
    operation_id = "getConsentHistory",
    tag = "registries",
    params(("registry" = String, Path, description = "A registry name such as `quality`")),
    request_body(content = HistoryQuery, description = "The person's national identity number, sent in the body so that it never appears in an access log"),
    responses(
        (status = 200, description = "The person's events in the registry, oldest first, without the identity number", body = super::openapi::ConsentHistory),
        (status = 400, description = "Invalid JSON body or invalid person_id", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the case-handler or auditor role, or the steward role with the registry named in the token's registries claim", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No registry with this name", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the JSON limit", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn history(
    state: web::Data<AppState>,
    principal: Principal,
    registry: web::Path<String>,
    query: web::Json<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let name = registry.into_inner();
    let registry: Registry = name.parse().map_err(|_| {
        Problem::not_found(format!(
            "registry `{name}` does not exist; see GET /v1/registries"
        ))
    })?;
    // Case staff and auditors read any registry; a steward only its own.
    registry_scope(&principal, registry.name(), &[CaseHandler, Auditor])?;
    let id = hap_identity::parse(&query.person_id, state.identity).map_err(|rejection| {
        Problem::bad_request(
            "invalid-person-id",
            format!("invalid person_id: {rejection}"),
        )
    })?;
    let hash = hap_linkage::person_hash(&state.platform_key, &id);

    // The read and its access-log entry commit together, so no history
    // leaves the service unlogged.
    let events = blocking(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let events = person_history(conn, registry.name(), &hash)?;
            access_log::record(
                conn,
                NewAccess {
                    principal: &principal,
                    action: Action::ConsentHistory,
                    registry: Some(registry.name()),
                    person_hash: Some(hex(&hash)),
                    permit_id: None,
                    detail: json!({"events": events.len()}),
                },
            )?;
            Ok::<_, ApiError>(events)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"registry": registry, "events": events})))
}
