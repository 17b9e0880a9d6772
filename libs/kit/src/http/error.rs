//! The error type of every route handler. An expected rejection carries a
//! [`Problem`]. An unexpected failure is logged here, once, and the client
//! gets a generic 500 that leaks no cause.

use actix_web::{HttpResponse, ResponseError};

use super::Problem;
use crate::db::DbError;

/// The error of a route handler.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Problem(Problem),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<Problem> for ApiError {
    fn from(problem: Problem) -> Self {
        ApiError::Problem(problem)
    }
}

impl From<DbError> for ApiError {
    fn from(error: DbError) -> Self {
        ApiError::Internal(error.to_string())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        ApiError::Internal(error.to_string())
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(error: serde_json::Error) -> Self {
        ApiError::Internal(error.to_string())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> actix_web::http::StatusCode {
        match self {
            ApiError::Problem(problem) => problem.status_code(),
            ApiError::Internal(_) => actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Problem(problem) => problem.error_response(),
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "request failed");
                Problem::internal().error_response()
            }
        }
    }
}
