use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use hap_kit::auth::{Principal, Role};
use hap_kit::db::blocking;
use hap_kit::http::Problem;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::schema::{deliveries, downloads};
use crate::startup::AppState;
use hap_kit::http::ApiError;

#[derive(Queryable, Selectable, Serialize)]
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
}

impl DeliveryView {
    /// Recipients named in the permit, and auditors, may see a delivery.
    pub fn visible_to(&self, principal: &Principal) -> bool {
        principal.has(Role::Auditor) || self.recipients.contains(&principal.subject)
    }
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<DeliveryView>> {
    deliveries::table
        .find(id)
        .select(DeliveryView::as_select())
        .first(conn)
        .optional()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    application_id: Uuid,
}

/// `GET /v1/deliveries?application_id=`: the deliveries of an application
/// that the caller may see.
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
pub async fn get(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let delivery = blocking(&state.pool, move |conn| Ok::<_, ApiError>(find(conn, id)?))
        .await?
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
}

/// `GET /v1/deliveries/{id}/downloads`: the access log, for auditors and
/// registry stewards.
pub async fn downloads(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    if !(principal.has(Role::Auditor) || principal.has(Role::Steward)) {
        return Err(Problem::forbidden("the access log needs the auditor or steward role").into());
    }
    let id = id.into_inner();
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
                ))
                .load(conn)?,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"delivery_id": id, "items": items})))
}
