use diesel::PgConnection;
use hap_contracts::events;
use hap_messaging::{Envelope, HandlerError, outbox};

/// Enqueues an event caused by `cause`, in the caller's transaction, with the
/// same correlation id (the application).
pub fn emit(
    conn: &mut PgConnection,
    cause: &Envelope,
    event_type: &str,
    payload: &impl serde::Serialize,
) -> Result<(), HandlerError> {
    let envelope = Envelope::new(event_type, events::VERSION, cause.correlation_id(), payload)?
        .caused_by(cause);
    outbox::enqueue(conn, &envelope)?;
    Ok(())
}
