use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::{HttpResponse, web};
use prometheus::{Encoder, Registry, TextEncoder};
use serde_json::json;

use crate::db::PgPool;

type CheckFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// One dependency the readiness probe checks, such as the database or the broker.
#[derive(Clone)]
pub struct ReadinessCheck {
    pub name: &'static str,
    check: Arc<dyn Fn() -> CheckFuture + Send + Sync>,
    /// Whether a failure makes the service unready (503). A failed optional
    /// check is reported, but the service stays ready.
    required: bool,
}

impl ReadinessCheck {
    pub fn new<F, Fut>(name: &'static str, check: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        ReadinessCheck {
            name,
            check: Arc::new(move || Box::pin(check())),
            required: true,
        }
    }

    /// Makes the check optional: its failure shows in the body of
    /// `/health/ready` and turns the status to `degraded`, but the response
    /// stays 200, so Kubernetes keeps routing requests to the pod.
    pub fn optional(mut self) -> Self {
        self.required = false;
        self
    }

    /// Returns the check that the service's database responds to a query.
    pub fn database(pool: PgPool) -> Self {
        ReadinessCheck::new("database", move || {
            let pool = pool.clone();
            async move {
                crate::db::ping(&pool)
                    .await
                    .map_err(|error| error.to_string())
            }
        })
    }
}

/// The checks behind `/health/ready`.
#[derive(Clone, Default)]
pub struct Readiness(pub Vec<ReadinessCheck>);

/// `/health/live`: the process is up and serving.
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// `/health/ready`: 200 when every required dependency responds, else 503;
/// the body names each check's outcome. A failed optional check gives 200
/// with the status `degraded`.
pub async fn ready(readiness: web::Data<Readiness>) -> HttpResponse {
    let mut checks = serde_json::Map::new();
    let mut ready = true;
    let mut degraded = false;
    for check in &readiness.0 {
        let outcome =
            tokio::time::timeout(std::time::Duration::from_secs(3), (check.check)()).await;
        let status = match outcome {
            Ok(Ok(())) => "ok",
            Ok(Err(error)) => {
                tracing::warn!(check = check.name, %error, "readiness check failed");
                "failed"
            }
            Err(_) => {
                tracing::warn!(check = check.name, "readiness check timed out");
                "timed out"
            }
        };
        if status != "ok" {
            if check.required {
                ready = false;
            } else {
                degraded = true;
            }
        }
        checks.insert(check.name.to_owned(), status.into());
    }
    let status = match (ready, degraded) {
        (false, _) => "unavailable",
        (true, true) => "degraded",
        (true, false) => "ok",
    };
    let body = json!({"status": status, "checks": checks});
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// `/metrics`: the Prometheus text format.
pub async fn metrics(registry: web::Data<Registry>) -> HttpResponse {
    let mut buffer = Vec::new();
    match TextEncoder::new().encode(&registry.gather(), &mut buffer) {
        Ok(()) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4")
            .body(buffer),
        Err(error) => {
            tracing::error!(%error, "encoding metrics failed");
            HttpResponse::InternalServerError().finish()
        }
    }
}
