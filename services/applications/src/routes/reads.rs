//! The audit record of each read of an application by someone other than
//! its applicant, written before the response is sent.

use hap_kit::auth::Principal;
use hap_kit::db::{PgPool, blocking};
use hap_kit::http::ApiError;

use super::view::sees_as_applicant;
use crate::audit;
use crate::repository::ApplicationRow;

/// Records that `principal` read `view` of `row`, unless it is the
/// applicant reading their own application. A failed insert fails the
/// request, so no read goes unrecorded.
pub async fn record(
    pool: &PgPool,
    row: &ApplicationRow,
    principal: &Principal,
    view: &'static str,
) -> Result<(), ApiError> {
    if sees_as_applicant(row, principal) {
        return Ok(());
    }
    let (id, principal) = (row.id, principal.clone());
    blocking(pool, move |conn| {
        Ok::<_, ApiError>(audit::record_read(conn, id, &principal, view)?)
    })
    .await
}
