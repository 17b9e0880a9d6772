use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::http::header::ALLOW;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, HttpServer, web};
use prometheus::Registry;
use serde::Deserialize;

use super::health::{self, Readiness};
use super::limits::BodyLimit;
use super::observe::{HttpMetrics, observe};
use super::problem::Problem;
use super::rejection::problem_responses;
use crate::auth::Authenticator;
use hap_messaging::redact::redact_values;

/// `[http]` settings.
#[derive(Clone, Debug, Deserialize)]
pub struct HttpSettings {
    pub host: String,
    /// 0 picks a free port (tests).
    pub port: u16,
    /// The largest request body accepted, in bytes: every JSON body, and
    /// raw bodies unless the service registers its own [`BodyLimit`].
    pub max_body_bytes: usize,
    /// How long in-flight requests may run after SIGTERM.
    pub shutdown_timeout_seconds: u64,
}

/// Binds the listener, so the caller knows the port before the server runs.
pub fn bind(settings: &HttpSettings) -> std::io::Result<TcpListener> {
    TcpListener::bind((settings.host.as_str(), settings.port))
}

/// The state shared by every service's `App` besides its own routes.
#[derive(Clone)]
pub struct Common {
    pub authenticator: web::Data<Authenticator>,
    pub readiness: Readiness,
    pub registry: Registry,
}

/// Starts the server on `listener` with the shared endpoints and the
/// service's routes. actix-web stops it gracefully on SIGTERM and SIGINT.
pub fn serve<F>(
    listener: TcpListener,
    settings: &HttpSettings,
    common: Common,
    routes: F,
) -> std::io::Result<Server>
where
    F: Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
{
    let metrics = HttpMetrics::register(&common.registry).map_err(std::io::Error::other)?;
    let max_body = settings.max_body_bytes;

    let server = HttpServer::new(move || {
        App::new()
            .wrap(from_fn(problem_responses))
            .wrap(from_fn(observe))
            .app_data(json_config(max_body))
            .app_data(web::PayloadConfig::new(max_body))
            .app_data(BodyLimit::new(max_body, BodyLimit::JSON_SETTING))
            .app_data(path_config())
            .app_data(query_config())
            .app_data(common.authenticator.clone())
            .app_data(web::Data::new(common.readiness.clone()))
            .app_data(web::Data::new(common.registry.clone()))
            .app_data(web::Data::new(metrics.clone()))
            .service(get_only("/health/live").route(web::get().to(health::live)))
            .service(get_only("/health/ready").route(web::get().to(health::ready)))
            .service(get_only("/metrics").route(web::get().to(health::metrics)))
            .configure(routes.clone())
            .default_service(web::to(|| async {
                Err::<actix_web::HttpResponse, _>(Problem::not_found(
                    "no resource at this path; see the OpenAPI document at /openapi.json",
                ))
            }))
    })
    .listen(listener)?
    .shutdown_timeout(settings.shutdown_timeout_seconds)
    .run();
    Ok(server)
}

/// Returns a resource for GET routes that responds to every other method
/// with 405 and `Allow: GET`. The problem middleware adds the problem body.
fn get_only(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(|| async {
        HttpResponse::MethodNotAllowed()
            .insert_header((ALLOW, "GET"))
            .finish()
    }))
}

fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(move |error, _| {
            let problem = match &error {
                actix_web::error::JsonPayloadError::Overflow { .. }
                | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => {
                    BodyLimit::new(limit, BodyLimit::JSON_SETTING).problem()
                }
                actix_web::error::JsonPayloadError::ContentType => Problem::new(
                    actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported-media-type",
                    "send the body as JSON with `Content-Type: application/json`",
                ),
                // serde quotes the offending value, which may be an identity
                // number or a secret, so values are masked.
                other => Problem::bad_request(
                    "invalid-json",
                    format!("invalid JSON body: {}", redact_values(&other.to_string())),
                ),
            };
            problem.into()
        })
}

fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|error, _| {
        Problem::bad_request(
            "invalid-path",
            format!(
                "invalid path parameter: {}",
                redact_values(&error.to_string())
            ),
        )
        .into()
    })
}

fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _| {
        Problem::bad_request(
            "invalid-query",
            format!(
                "invalid query parameter: {}",
                redact_values(&error.to_string())
            ),
        )
        .into()
    })
}
