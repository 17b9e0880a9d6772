use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use hap_kit::auth::{Principal, Role};
use hap_kit::db::blocking;
use hap_kit::http::{ApiError, Problem};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::lifecycle::{self, AVAILABLE};
use crate::schema::{deliveries, delivery_events, downloads};
use crate::startup::AppState;

#[derive(Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = deliveries)]
pub struct DeliveryView {
    pub id: Uuid,
    pub application_id: Uuid,
    pub permit_id: Uuid,
    pub project_id: Uuid,
    pub recipients: Vec<String>,
    pub files: Value,
    pub expires_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub registries: Vec<String>,
    /// `available`, `expired` or `revoked`.
    pub state: String,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl DeliveryView {
    /// Recipients named in the permit, auditors and the stewards of a
    /// registry the delivery draws on may see a delivery.
    pub fn visible_to(&self, principal: &Principal) -> bool {
        self.log_visible_to(principal) || self.recipients.contains(&principal.subject)
    }

    /// Auditors, and the stewards of a registry the delivery draws on, read
    /// its access log and lifecycle records.
    pub fn log_visible_to(&self, principal: &Principal) -> bool {
        principal.has(Role::Auditor)
            || self
                .registries
                .iter()
                .any(|registry| principal.stewards(registry))
    }

    /// Returns the listed file called `name`, with its size and SHA-256.
    pub fn file(&self, name: &str) -> Option<&Value> {
        self.files
            .as_array()?
            .iter()
            .find(|file| file.get("name").and_then(Value::as_str) == Some(name))
    }

    /// The problem to return when the files can no longer be downloaded.
    pub fn gone(&self) -> Option<Problem> {
        let today = Utc::now().date_naive();
        if self.state == AVAILABLE && !lifecycle::is_past_end(self.expires_on, today) {
            return None;
        }
        Some(Problem::new(
            actix_web::http::StatusCode::GONE,
            "delivery-ended",
            format!(
                "delivery {} ended ({}; the permit's end date was {}) and its files were deleted",
                self.id,
                if self.state == AVAILABLE {
                    "expired"
                } else {
                    &self.state
                },
                self.expires_on
            ),
        ))
    }
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<DeliveryView>> {
    deliveries::table
        .find(id)
        .select(DeliveryView::as_select())
        .first(conn)
        .optional()
}

/// Loads a delivery, or returns 404 when it does not exist.
pub async fn load(state: &AppState, id: Uuid) -> Result<DeliveryView, ApiError> {
    blocking(&state.pool, move |conn| Ok::<_, ApiError>(find(conn, id)?))
        .await?
        .ok_or_else(|| Problem::not_found(format!("delivery {id} does not exist")).into())
}

/// Loads a delivery whose log the caller may read. A steward of other
/// registries gets the 404 of a missing delivery, so the response does not
/// reveal that the delivery exists.
async fn load_log(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
) -> Result<DeliveryView, ApiError> {
    Some(load(state, id).await?)
        .filter(|delivery| delivery.log_visible_to(principal))
        .ok_or_else(|| Problem::not_found(format!("delivery {id} does not exist")).into())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    application_id: Uuid,
}

/// `GET /v1/deliveries?application_id=`: the deliveries of an application
/// that the caller may see.
#[utoipa::path(
    get,
    path = "/v1/deliveries",
    operation_id = "listDeliveries",
    tag = "deliveries",
    params(("application_id" = Uuid, Query, description = "The application whose deliveries to list")),
    responses(
        (status = 200, description = "The deliveries of the application that the caller may see, oldest first", body = super::openapi::DeliveryList),
        (status = 400, description = "application_id is missing or not a UUID", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the applicant, case-handler, decider, steward or auditor role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let application_id = query.application_id;
    let rows: Vec<DeliveryView> = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>(
            deliveries::table
                .filter(deliveries::application_id.eq(application_id))
                .order(deliveries::created_at)
                .select(DeliveryView::as_select())
                .load(conn)?,
        )
    })
    .await?;
    let items: Vec<DeliveryView> = rows
        .into_iter()
        .filter(|d| d.visible_to(&principal))
        .collect();
    Ok(HttpResponse::Ok().json(json!({"items": items})))
}

/// `GET /v1/deliveries/{id}`
#[utoipa::path(
    get,
    path = "/v1/deliveries/{id}",
    operation_id = "getDelivery",
    tag = "deliveries",
    params(("id" = Uuid, Path, description = "The delivery id")),
    responses(
        (status = 200, description = "The delivery, for its recipients, auditors and stewards", body = super::openapi::DeliveryBody),
        (status = 400, description = "The delivery id is not a UUID", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the applicant, case-handler, decider, steward or auditor role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No delivery with this id is visible to the caller", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn get(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let delivery = Some(load(&state, id).await?)
        .filter(|delivery| delivery.visible_to(&principal))
        .ok_or_else(|| Problem::not_found(format!("delivery {id} does not exist")))?;
    Ok(HttpResponse::Ok().json(delivery))
}

#[derive(Queryable, Serialize)]
struct DownloadView {
    subject: String,
    file: String,
    range_start: Option<i64>,
    bytes: i64,
    at: DateTime<Utc>,
    grant_id: Option<Uuid>,
}

/// `GET /v1/deliveries/{id}/downloads`: the access log (who, when, which
/// file, how many bytes), for auditors and the stewards of the registries
/// the delivery draws on.
#[utoipa::path(
    get,
    path = "/v1/deliveries/{id}/downloads",
    operation_id = "listDeliveryDownloads",
    tag = "deliveries",
    params(("id" = Uuid, Path, description = "The delivery id")),
    responses(
        (status = 200, description = "The access log of the delivery: who, when, which file and how many bytes", body = super::openapi::DeliveryDownloads),
        (status = 400, description = "The delivery id is not a UUID", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the auditor or steward role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No delivery with this id, or, for a steward, none that draws on a registry its token names", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn downloads(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let delivery = load_log(&state, &principal, id.into_inner()).await?;
    let id = delivery.id;
    let items: Vec<DownloadView> = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>(
            downloads::table
                .filter(downloads::delivery_id.eq(id))
                .order(downloads::id)
                .select((
                    downloads::subject,
                    downloads::file,
                    downloads::range_start,
                    downloads::bytes,
                    downloads::at,
                    downloads::grant_id,
                ))
                .load(conn)?,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({
        "delivery_id": id,
        "registries": delivery.registries,
        "items": items,
    })))
}

#[derive(Queryable, Serialize)]
struct EventView {
    event: String,
    actor: String,
    detail: Value,
    at: DateTime<Utc>,
}

/// `GET /v1/deliveries/{id}/events`: recipients added, download grants
/// issued, and the deletion on expiry or revocation, for auditors and
/// registry stewards.
#[utoipa::path(
    get,
    path = "/v1/deliveries/{id}/events",
    operation_id = "listDeliveryEvents",
    tag = "deliveries",
    params(("id" = Uuid, Path, description = "The delivery id")),
    responses(
        (status = 200, description = "Recipients added, and the deletion on expiry or revocation", body = super::openapi::DeliveryEvents),
        (status = 400, description = "The delivery id is not a UUID", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the auditor or steward role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No delivery with this id, or, for a steward, none that draws on a registry its token names", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn events(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let delivery = load_log(&state, &principal, id.into_inner()).await?;
    let id = delivery.id;
    let items: Vec<EventView> = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>(
            delivery_events::table
                .filter(delivery_events::delivery_id.eq(id))
                .order(delivery_events::id)
                .select((
                    delivery_events::event,
                    delivery_events::actor,
                    delivery_events::detail,
                    delivery_events::at,
                ))
                .load(conn)?,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({
        "delivery_id": id,
        "state": delivery.state,
        "deleted_at": delivery.deleted_at,
        "items": items,
    })))
}
