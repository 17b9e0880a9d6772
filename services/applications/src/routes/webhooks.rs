use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use hap_kit::auth::Principal;
use hap_kit::db::blocking;
use hap_kit::http::{ApiError, Problem};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::startup::AppState;
use crate::webhooks::store::{self, Subscription};
use crate::webhooks::target;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscribeInput {
    /// The receiver's `http://` or `https://` URL.
    url: String,
}

/// `POST /v1/webhooks`: subscribes a URL to every `application.state_changed`
/// event from now on.
#[utoipa::path(
    post,
    path = "/v1/webhooks",
    operation_id = "subscribeWebhook",
    tag = "webhooks",
    request_body(content = Object, description = "url: the receiver, http or https"),
    responses(
        (status = 201, description = "The subscription", body = Object),
        (status = 400, description = "The URL is not http or https, or its host is or resolves to an internal address", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the service role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the JSON limit", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn subscribe(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<SubscribeInput>,
) -> Result<HttpResponse, ApiError> {
    let url = body.into_inner().url;
    if let Err(reason) = target::resolve(&url, state.webhooks_settings.allow_private_hosts).await {
        return Err(Problem::bad_request("invalid-url", reason)
            .with("url", url)
            .into());
    }

    let subscription = Subscription {
        id: Uuid::now_v7(),
        owner: principal.subject.clone(),
        url,
        active: true,
        created_at: Utc::now(),
    };
    let stored = subscription.clone();
    blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>(store::subscribe(conn, &stored)?)
    })
    .await?;
    tracing::info!(subscription = %subscription.id, "webhook subscribed");
    Ok(HttpResponse::build(StatusCode::CREATED).json(subscription))
}

/// `GET /v1/webhooks`: the caller's active subscriptions.
#[utoipa::path(
    get,
    path = "/v1/webhooks",
    operation_id = "listWebhooks",
    tag = "webhooks",
    responses(
        (status = 200, description = "items: the caller's active subscriptions", body = Object),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the service role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let owner = principal.subject.clone();
    let items = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>(store::list(conn, &owner)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items})))
}

/// `DELETE /v1/webhooks/{id}`: ends a subscription; undelivered events of
/// it are dropped.
#[utoipa::path(
    delete,
    path = "/v1/webhooks/{id}",
    operation_id = "unsubscribeWebhook",
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The subscription id")),
    responses(
        (status = 204, description = "Unsubscribed"),
        (status = 400, description = "A path or query parameter is invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "The bearer token is missing, expired or invalid", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs the service role", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No active subscription of the caller with this id", body = super::openapi::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub async fn unsubscribe(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let owner = principal.subject.clone();
    let found = blocking(&state.pool, move |conn| {
        Ok::<_, ApiError>(store::unsubscribe(conn, &owner, id)?)
    })
    .await?;
    if !found {
        return Err(Problem::not_found(format!("webhook subscription {id} does not exist")).into());
    }
    Ok(HttpResponse::NoContent().finish())
}
