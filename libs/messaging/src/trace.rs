//! W3C trace context carried in envelopes and AMQP headers.
//!
//! The context is written and read with the global OpenTelemetry text-map
//! propagator (`opentelemetry::global::set_text_map_propagator`). Until a
//! service installs one, the propagator is a no-op and envelopes carry no
//! trace context.

use opentelemetry::propagation::{Extractor, Injector};
use serde::{Deserialize, Serialize};
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::envelope::Envelope;

/// Header and envelope field that contains the W3C `traceparent` value.
pub const TRACEPARENT: &str = "traceparent";

/// Header and envelope field that contains the W3C `tracestate` value.
pub const TRACESTATE: &str = "tracestate";

/// W3C trace context of the span that created a message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceContext {
    /// `traceparent` value, e.g. `00-<trace id>-<span id>-01`.
    pub traceparent: Option<String>,
    /// `tracestate` value with vendor-specific entries.
    pub tracestate: Option<String>,
}

impl TraceContext {
    /// Captures the OpenTelemetry context of `span`.
    pub fn of_span(span: &Span) -> Self {
        let context = span.context();
        let mut trace = Self::default();
        opentelemetry::global::get_text_map_propagator(|propagator| {
            propagator.inject_context(&context, &mut trace);
        });
        trace
    }

    /// Captures the OpenTelemetry context of the current `tracing` span.
    pub fn current() -> Self {
        Self::of_span(&Span::current())
    }

    /// Returns the OpenTelemetry context that this trace context describes.
    pub fn to_context(&self) -> opentelemetry::Context {
        opentelemetry::global::get_text_map_propagator(|propagator| propagator.extract(self))
    }
}

impl Injector for TraceContext {
    fn set(&mut self, key: &str, value: String) {
        match key {
            TRACEPARENT => self.traceparent = Some(value),
            TRACESTATE => self.tracestate = Some(value),
            _ => {}
        }
    }
}

impl Extractor for TraceContext {
    fn get(&self, key: &str) -> Option<&str> {
        match key {
            TRACEPARENT => self.traceparent.as_deref(),
            TRACESTATE => self.tracestate.as_deref(),
            _ => None,
        }
    }

    fn keys(&self) -> Vec<&str> {
        let mut keys = Vec::new();
        if self.traceparent.is_some() {
            keys.push(TRACEPARENT);
        }
        if self.tracestate.is_some() {
            keys.push(TRACESTATE);
        }
        keys
    }
}

/// Makes the trace that produced `envelope` the parent of `span`.
///
/// Call it before the span is first entered. It does nothing when the
/// envelope carries no trace context, and when no `tracing-opentelemetry`
/// layer is installed.
pub fn set_parent_from_envelope(span: &Span, envelope: &Envelope) {
    if envelope.trace().traceparent.is_none() {
        return;
    }
    if let Err(error) = span.set_parent(envelope.trace().to_context()) {
        tracing::debug!(%error, message_id = %envelope.id(), "trace parent not set");
    }
}
