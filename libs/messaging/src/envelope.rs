//! The envelope that wraps every message.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::EnvelopeError;
use crate::names::MessageType;
use crate::redact::redact_values;
use crate::trace::TraceContext;

/// Identifier of one message, a UUID v7 so that ids sort by creation time.
///
/// Consumers deduplicate on it: a message published twice with the same id
/// has one effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MessageId(Uuid);

impl MessageId {
    /// Creates a new time-ordered id.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    /// Returns the underlying UUID.
    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl Default for MessageId {
    fn default() -> Self {
        Self::new()
    }
}

impl From<Uuid> for MessageId {
    fn from(value: Uuid) -> Self {
        Self(value)
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One message as it travels between services, serialized as the JSON body.
///
/// ```json
/// {"id": "…", "type": "application.submitted", "version": 1,
///  "occurred_at": "2025-03-01T12:00:00Z", "correlation_id": "…",
///  "causation_id": null, "trace": {"traceparent": "…", "tracestate": null},
///  "payload": {…}}
/// ```
///
/// Unknown fields are ignored when decoding, so producers can add fields
/// before every consumer reads them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    id: MessageId,
    #[serde(rename = "type")]
    message_type: MessageType,
    version: u16,
    occurred_at: DateTime<Utc>,
    correlation_id: Uuid,
    causation_id: Option<MessageId>,
    trace: TraceContext,
    payload: serde_json::Value,
}

impl Envelope {
    /// Creates an envelope with a new id, the current time and the trace
    /// context of the current `tracing` span.
    ///
    /// `message_type` is the routing key, `version` the schema version of the
    /// payload and `correlation_id` the id of the application the message
    /// belongs to.
    pub fn new(
        message_type: &str,
        version: u16,
        correlation_id: Uuid,
        payload: &impl Serialize,
    ) -> Result<Self, EnvelopeError> {
        let message_type = MessageType::new(message_type)?;
        let payload =
            serde_json::to_value(payload).map_err(|error| EnvelopeError::EncodePayload {
                message_type: message_type.clone(),
                detail: redact_values(&error.to_string()),
            })?;

        Ok(Self {
            id: MessageId::new(),
            message_type,
            version,
            occurred_at: Utc::now(),
            correlation_id,
            causation_id: None,
            trace: TraceContext::current(),
            payload,
        })
    }

    /// Marks this message as caused by `cause`, setting `causation_id` to the
    /// cause's id.
    #[must_use]
    pub fn caused_by(mut self, cause: &Envelope) -> Self {
        self.causation_id = Some(cause.id);
        self
    }

    /// Deserializes the payload into `T`.
    ///
    /// The error names `T`, the message id and type, and the serde error with
    /// payload values masked.
    pub fn payload_as<T: DeserializeOwned>(&self) -> Result<T, EnvelopeError> {
        T::deserialize(&self.payload).map_err(|error| EnvelopeError::Payload {
            type_name: std::any::type_name::<T>(),
            message_id: self.id,
            message_type: self.message_type.clone(),
            detail: redact_values(&error.to_string()),
        })
    }

    /// Encodes the envelope as the JSON message body.
    pub fn to_json(&self) -> Result<Vec<u8>, EnvelopeError> {
        serde_json::to_vec(self).map_err(|error| EnvelopeError::Encode {
            message_id: self.id,
            detail: redact_values(&error.to_string()),
        })
    }

    /// Decodes a JSON message body.
    pub fn from_json(body: &[u8]) -> Result<Self, EnvelopeError> {
        serde_json::from_slice(body).map_err(|error| EnvelopeError::Decode {
            detail: redact_values(&error.to_string()),
        })
    }

    /// Message id.
    pub fn id(&self) -> MessageId {
        self.id
    }

    /// Message type, which is also the routing key.
    pub fn message_type(&self) -> &MessageType {
        &self.message_type
    }

    /// Schema version of the payload.
    pub fn version(&self) -> u16 {
        self.version
    }

    /// Time the producer created the message.
    pub fn occurred_at(&self) -> DateTime<Utc> {
        self.occurred_at
    }

    /// Id of the application the message belongs to.
    pub fn correlation_id(&self) -> Uuid {
        self.correlation_id
    }

    /// Id of the message whose handling produced this one, if any.
    pub fn causation_id(&self) -> Option<MessageId> {
        self.causation_id
    }

    /// Trace context of the span that created the message.
    pub fn trace(&self) -> &TraceContext {
        &self.trace
    }

    /// Payload as JSON.
    pub fn payload(&self) -> &serde_json::Value {
        &self.payload
    }
}
