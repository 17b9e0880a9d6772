use actix_web::{HttpResponse, web};
use hap_kit::auth::{Principal, Role};
use hap_kit::db::blocking;
use hap_kit::http::{ApiError, Problem};
use hap_kit::store::hex;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::repository::exclusions::{PersonList, lists_of};
use crate::startup::AppState;

/// `GET /v1/permits/{permit_id}/exclusions`: per registry, the hashes of
/// the persons the permit leaves out, with their count and digest, and for
/// a consent-based registry under `consented` the persons whose data it may
/// use. Only platform services (the `service` role) may read them.
#[utoipa::path(
    get,
    path = "/v1/permits/{permit_id}/exclusions",
    operation_id = "getPermitExclusions",
    tag = "permits",
    params(("permit_id" = Uuid, Path, description = "The permit id")),
    responses(
        (status = 200, description = "Per registry, the hashes of the persons the permit leaves out, with their count and digest", body = super::openapi::PermitExclusions),
        (status = 400, description = "The permit id is not a UUID", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the service role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No permit with this id", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn exclusions(
    state: web::Data<AppState>,
    principal: Principal,
    permit_id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    if !principal.has(Role::Service) {
        return Err(Problem::forbidden("exclusion lists are for platform services only").into());
    }
    let permit_id = permit_id.into_inner();

    let registries = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>(lists_of(conn, permit_id)?)
    })
    .await?
    .ok_or_else(|| Problem::not_found(format!("permit {permit_id} does not exist")))?;

    let registries: Vec<_> = registries
        .into_iter()
        .map(|registry| {
            json!({
                "registry": registry.registry,
                "count": registry.excluded.count,
                "sha256": registry.excluded.sha256,
                "person_hashes": hashes(&registry.excluded),
                "consented": registry.consented.as_ref().map(|consented| json!({
                    "count": consented.count,
                    "sha256": consented.sha256,
                    "person_hashes": hashes(consented),
                })),
            })
        })
        .collect();
    tracing::info!(%permit_id, subject = %principal.subject, "exclusion lists served");
    Ok(HttpResponse::Ok().json(json!({"permit_id": permit_id, "registries": registries})))
}

fn hashes(list: &PersonList) -> Value {
    list.person_hashes
        .iter()
        .map(|h| Value::String(hex(h)))
        .collect()
}
