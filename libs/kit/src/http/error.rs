//! The error type of every route handler. An expected rejection carries a
//! [`Problem`]. An unexpected failure is logged here, once, and the client
//! gets a generic 500 that leaks no cause. A database that cannot be
//! reached gets 503 with `Retry-After`, since the same request may succeed
//! once the pool has a working connection again.

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::Problem;
use crate::db::DbError;

/// Seconds a client is asked to wait before retrying after a 503.
pub(crate) const RETRY_AFTER_SECONDS: &str = "1";

/// The error of a route handler.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Problem(Problem),
    #[error("internal error: {0}")]
    Internal(String),
    /// The database could not be reached or closed the connection.
    #[error("database unavailable: {0}")]
    Unavailable(String),
}

impl From<Problem> for ApiError {
    fn from(problem: Problem) -> Self {
        ApiError::Problem(problem)
    }
}

impl From<DbError> for ApiError {
    fn from(error: DbError) -> Self {
        match error {
            DbError::Query(error) => error.into(),
            DbError::Pool(_) | DbError::Connection(_) => ApiError::Unavailable(error.to_string()),
            DbError::Migration(_) | DbError::Cancelled => ApiError::Internal(error.to_string()),
        }
    }
}

impl From<DieselError> for ApiError {
    fn from(error: DieselError) -> Self {
        if is_connection_lost(&error) {
            ApiError::Unavailable(error.to_string())
        } else {
            ApiError::Internal(error.to_string())
        }
    }
}

/// Returns whether `error` means the connection to the server failed, not
/// the query. That is the case when the server closed the connection, the
/// command could not be sent, or a failed rollback left the connection's
/// transaction state broken.
fn is_connection_lost(error: &DieselError) -> bool {
    matches!(
        error,
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _
        ) | DieselError::BrokenTransactionManager
    )
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
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Problem(problem) => problem.error_response(),
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "request failed");
                Problem::internal().error_response()
            }
            ApiError::Unavailable(cause) => {
                tracing::error!(%cause, "request failed: the database is unavailable");
                let mut response = Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "database-unavailable",
                    "the database is unavailable; retry the request in a moment",
                )
                .error_response();
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
                response
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closed_connection() -> DieselError {
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection,
            Box::new("server closed the connection unexpectedly".to_owned()),
        )
    }

    #[test]
    fn closed_connection_answers_503() {
        let error = ApiError::from(DbError::Query(closed_connection()));
        let response = error.error_response();

        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response
                .headers()
                .get(RETRY_AFTER)
                .map(HeaderValue::as_bytes),
            Some(RETRY_AFTER_SECONDS.as_bytes())
        );
    }

    #[test]
    fn failed_query_answers_500() {
        let error = ApiError::from(DieselError::NotFound);
        assert_eq!(error.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        let violation = DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            Box::new("duplicate key".to_owned()),
        );
        assert_eq!(
            ApiError::from(violation).status_code(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn cancelled_task_answers_500() {
        let error = ApiError::from(DbError::Cancelled);
        assert_eq!(error.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
