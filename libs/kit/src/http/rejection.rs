//! Turns every error response into an RFC 9457 problem response.
//!
//! Route handlers and the kit's extractor configs already return
//! [`Problem`]s. Errors from actix-web itself do not: the `Bytes` and
//! `String` extractors (body over the limit, body not UTF-8), method
//! mismatches (an empty 405) and panics in a handler. This middleware
//! replaces those responses, so a client always gets
//! `application/problem+json` with a detail that states what to change.

use std::panic::AssertUnwindSafe;

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, ResponseError};
use futures::FutureExt;

use super::limits::BodyLimit;
use super::{ApiError, Problem};

/// Replaces error responses that are not problem responses, and returns a
/// 500 problem response for a panic in a handler instead of dropping the
/// connection. Error responses with a body of their own, such as the 503
/// of `/health/ready`, are kept.
pub async fn problem_responses(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if let Some(problem) = invalid_uri_encoding(&request) {
        return Ok(request.into_response(problem.error_response()));
    }
    let path = request.path().to_owned();
    // A response without a request cannot be built here, because cloning
    // the request beforehand would stop the router from matching it. So
    // errors and panics return `Err`, which actix-web turns into a response
    // with `ResponseError::error_response`, the problem's own body.
    let response = match AssertUnwindSafe(next.call(request)).catch_unwind().await {
        Ok(Ok(response)) => response.map_into_boxed_body(),
        Ok(Err(error)) => {
            let status = error.as_response_error().status_code();
            if error.as_error::<Problem>().is_some() || error.as_error::<ApiError>().is_some() {
                return Err(error);
            }
            if status.is_server_error() {
                tracing::error!(%error, %path, "request failed");
            }
            return Err(problem_for_status(status, Some(&error)).into());
        }
        Err(panic) => {
            let message = panic_message(panic.as_ref());
            tracing::error!(panic = %message, %path, "request handler panicked");
            return Err(Problem::internal().into());
        }
    };

    let status = response.status();
    if let Some(error) = response.response().error() {
        if error.as_error::<Problem>().is_some() || error.as_error::<ApiError>().is_some() {
            return Ok(response.map_into_boxed_body());
        }
        let problem = problem_for_error(error, status, response.request());
        return Ok(response.into_response(problem.error_response()));
    }

    let empty = matches!(
        response.response().body().size(),
        BodySize::None | BodySize::Sized(0)
    );
    if (status.is_client_error() || status.is_server_error()) && empty {
        // The status and headers stay, such as the `Content-Range` of a
        // 416, and the empty body becomes the problem.
        let problem = problem_for_status(status, None);
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        return Ok(response.map_body(|head, _| {
            head.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/problem+json"),
            );
            BoxBody::new(body)
        }));
    }
    Ok(response.map_into_boxed_body())
}

fn problem_for_error(error: &Error, status: StatusCode, request: &HttpRequest) -> Problem {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return match request.app_data::<BodyLimit>() {
            Some(limit) => limit.problem(),
            None => Problem::new(
                status,
                "body-too-large",
                "the request body is larger than the route accepts; send a smaller body",
            ),
        };
    }
    if status.is_server_error() {
        tracing::error!(%error, path = %request.path(), "request failed");
        return Problem::internal();
    }
    problem_for_status(status, Some(error))
}

fn problem_for_status(status: StatusCode, error: Option<&Error>) -> Problem {
    match status {
        StatusCode::NOT_FOUND => Problem::not_found(
            "no resource at this path; see the OpenAPI document at /openapi.json",
        ),
        StatusCode::METHOD_NOT_ALLOWED => Problem::new(
            status,
            "method-not-allowed",
            "this path does not accept the request method; see the OpenAPI document at \
             /openapi.json",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Problem::new(
            status,
            "unsupported-media-type",
            "the Content-Type of the body is not accepted here; see the OpenAPI document at \
             /openapi.json",
        ),
        StatusCode::RANGE_NOT_SATISFIABLE => Problem::new(
            status,
            "range-not-satisfiable",
            "the Range header lies outside the file; the Content-Range header gives its size",
        ),
        status if status.is_server_error() => Problem::internal(),
        status => {
            let detail = match error {
                Some(error) => format!(
                    "the request is invalid: {error}; a text body must be UTF-8, and the \
                     OpenAPI document at /openapi.json describes the expected request"
                ),
                None => "the request is invalid; the OpenAPI document at /openapi.json \
                         describes the expected request"
                    .to_owned(),
            };
            Problem::new(status, "invalid-request", detail)
        }
    }
}

/// Returns a 400 problem when the path or the query string does not
/// percent-decode to UTF-8. Without this check the query extractor would
/// decode such bytes to U+FFFD and pass a changed value to the handler.
fn invalid_uri_encoding(request: &ServiceRequest) -> Option<Problem> {
    let uri = request.uri();
    let part = if !percent_decodes_to_utf8(uri.path()) {
        "path"
    } else if !percent_decodes_to_utf8(uri.query().unwrap_or_default()) {
        "query string"
    } else {
        return None;
    };
    Some(Problem::bad_request(
        "invalid-encoding",
        format!(
            "the {part} does not percent-decode to UTF-8; encode text as UTF-8 before percent-encoding it"
        ),
    ))
}

/// Returns whether `text` decodes to UTF-8 after replacing each `%XX`
/// escape by its byte. A `%` without two hex digits stays as it is.
fn percent_decodes_to_utf8(text: &str) -> bool {
    if !text.contains('%') {
        return true;
    }
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escape = bytes
            .get(index + 1..index + 3)
            .filter(|_| bytes[index] == b'%')
            .and_then(|digits| std::str::from_utf8(digits).ok())
            .and_then(|digits| u8::from_str_radix(digits, 16).ok());
        match escape {
            Some(byte) => {
                decoded.push(byte);
                index += 3;
            }
            None => {
                decoded.push(bytes[index]);
                index += 1;
            }
        }
    }
    std::str::from_utf8(&decoded).is_ok()
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::percent_decodes_to_utf8;

    #[test]
    fn percent_decoding_checks_utf8() {
        for text in [
            "",
            "plain",
            "%C3%A6%C3%B8",
            "50%",
            "%zz",
            "a%2Fb",
            "%E2%82%AC",
        ] {
            assert!(percent_decodes_to_utf8(text), "{text}");
        }
        for text in ["%FF", "a%C3", "%C3%28", "%ED%A0%80"] {
            assert!(!percent_decodes_to_utf8(text), "{text}");
        }
    }
}
