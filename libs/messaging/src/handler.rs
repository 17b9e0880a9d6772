//! The trait that a service implements for each consumer, and the context a
//! handler receives.

use diesel::{Connection, PgConnection};

use crate::envelope::Envelope;
use crate::error::EnvelopeError;
use crate::inbox;
use crate::names::ConsumerName;

/// Processes one message. Runs on a blocking thread, inside a span with the
/// message id, type and correlation id.
///
/// Do slow work (reads, HTTP calls, computation) first, through
/// [`Context::conn`] outside any transaction, then write the state change and
/// the outgoing events in [`Context::complete`].
pub trait Handler: Send + Sync + 'static {
    /// Handles `envelope`. An `Ok` without a call to `complete` also marks
    /// the message as processed.
    fn handle(&self, ctx: &mut Context<'_>, envelope: &Envelope) -> Result<(), HandlerError>;
}

/// Failure of a handler, which decides what happens to the message.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// A failure that may pass, such as a lost connection or a timeout: the
    /// message is retried after the next retry delay, then dead-lettered.
    #[error("transient failure: {0:#}")]
    Transient(anyhow::Error),
    /// A failure that a retry cannot fix, such as a payload that breaks a
    /// business rule: the message goes to the dead-letter queue at once.
    #[error("permanent failure: {0}")]
    Permanent(String),
}

impl HandlerError {
    /// Wraps an error as a transient failure.
    pub fn transient(error: impl Into<anyhow::Error>) -> Self {
        Self::Transient(error.into())
    }

    /// Creates a permanent failure with `reason`.
    pub fn permanent(reason: impl Into<String>) -> Self {
        Self::Permanent(reason.into())
    }
}

/// Database errors count as transient; map the ones a retry cannot fix
/// (such as a constraint violation) to [`HandlerError::Permanent`] yourself.
impl From<diesel::result::Error> for HandlerError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Transient(error.into())
    }
}

/// A payload that does not match its type fails the same way on every
/// attempt, so it is permanent.
impl From<EnvelopeError> for HandlerError {
    fn from(error: EnvelopeError) -> Self {
        Self::Permanent(error.to_string())
    }
}

/// Result of [`Context::complete`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    /// The inbox row and the effect committed together.
    Committed,
    /// Another delivery of the same message committed first; the effect was
    /// not run.
    AlreadyProcessed,
}

/// Handler context besides the envelope: a database connection and the
/// transaction that records the message as processed.
pub struct Context<'a> {
    /// Pooled connection with no transaction open.
    conn: &'a mut PgConnection,
    consumer: &'a ConsumerName,
    envelope: &'a Envelope,
    /// 1 on the first delivery, 2 on the first retry, and so on.
    attempt: u32,
    /// Set once `complete` has run.
    completion: Option<Completion>,
}

impl<'a> Context<'a> {
    pub(crate) fn new(
        conn: &'a mut PgConnection,
        consumer: &'a ConsumerName,
        envelope: &'a Envelope,
        attempt: u32,
    ) -> Self {
        Self {
            conn,
            consumer,
            envelope,
            attempt,
            completion: None,
        }
    }

    /// Database connection with no transaction open, for reads and slow work
    /// before [`complete`](Self::complete).
    pub fn conn(&mut self) -> &mut PgConnection {
        self.conn
    }

    /// Attempt number: 1 on the first delivery, 2 on the first retry, and so
    /// on. A replay from the dead-letter queue starts again at 1.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Consumer that runs the handler.
    pub fn consumer(&self) -> &ConsumerName {
        self.consumer
    }

    /// Runs `effect` in one transaction with the inbox row that marks the
    /// message as processed.
    ///
    /// Write the state change and enqueue outgoing events
    /// ([`outbox::enqueue`](crate::outbox::enqueue)) in `effect`. When
    /// another delivery of the same message has committed first, the
    /// transaction rolls back without running `effect` and the result is
    /// [`Completion::AlreadyProcessed`]. An error from `effect` rolls back
    /// the inbox row too, so a retry runs the handler again.
    pub fn complete<F>(&mut self, effect: F) -> Result<Completion, HandlerError>
    where
        F: FnOnce(&mut PgConnection) -> Result<(), HandlerError>,
    {
        if self.completion.is_some() {
            return Err(HandlerError::permanent(format!(
                "complete was called twice for message {}; call it once per message",
                self.envelope.id()
            )));
        }

        let consumer = self.consumer;
        let envelope = self.envelope;
        let span = tracing::info_span!("db.transaction", db.system = "postgresql");
        let result = span.in_scope(|| {
            self.conn.transaction::<(), Failure, _>(|tx| {
                if !inbox::try_record(tx, consumer, envelope)? {
                    return Err(Failure::AlreadyProcessed);
                }
                effect(tx).map_err(Failure::Effect)
            })
        });

        match result {
            Ok(()) => {
                self.completion = Some(Completion::Committed);
                Ok(Completion::Committed)
            }
            Err(Failure::AlreadyProcessed) => {
                self.completion = Some(Completion::AlreadyProcessed);
                Ok(Completion::AlreadyProcessed)
            }
            Err(Failure::Effect(error)) => Err(error),
            Err(Failure::Database(error)) => Err(error.into()),
        }
    }

    pub(crate) fn completion(&self) -> Option<Completion> {
        self.completion
    }
}

/// Reason the `complete` transaction rolled back.
enum Failure {
    AlreadyProcessed,
    Effect(HandlerError),
    Database(diesel::result::Error),
}

impl From<diesel::result::Error> for Failure {
    fn from(error: diesel::result::Error) -> Self {
        Self::Database(error)
    }
}
