//! Logging and tracing: `tracing` with readable or JSON output, and
//! OpenTelemetry export over OTLP/HTTP when an endpoint is configured.
//!
//! W3C trace context (`traceparent`) is the propagation format across HTTP
//! and AMQP; [`init`] installs it as the global propagator.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use serde::Deserialize;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// `[telemetry]` settings.
#[derive(Clone, Debug, Deserialize)]
pub struct TelemetrySettings {
    /// `text` for people, `json` for log collectors in a cluster.
    pub format: LogFormat,
    /// An `EnvFilter` directive such as `info` or `info,hap_linkage=debug`.
    pub filter: String,
    /// OTLP/HTTP endpoint, e.g. `http://otel-collector:4318/v1/traces`. No
    /// export happens when it is unset.
    pub otlp_endpoint: Option<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// Flushes and stops the OpenTelemetry exporter when dropped.
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(error) = provider.shutdown()
        {
            eprintln!("OpenTelemetry exporter did not shut down cleanly: {error}");
        }
    }
}

/// An error while installing the subscriber or the exporter.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("telemetry.filter `{filter}` is invalid: {source}")]
    Filter {
        filter: String,
        source: tracing_subscriber::filter::ParseError,
    },
    #[error("telemetry.otlp_endpoint could not be used: {0}")]
    Exporter(#[from] opentelemetry_otlp::ExporterBuildError),
    #[error("a global tracing subscriber is already installed")]
    AlreadyInstalled,
}

/// Installs the global subscriber and propagator for a service process.
pub fn init(
    service_name: &'static str,
    settings: &TelemetrySettings,
) -> Result<TelemetryGuard, TelemetryError> {
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());

    let filter = EnvFilter::try_new(&settings.filter).map_err(|source| TelemetryError::Filter {
        filter: settings.filter.clone(),
        source,
    })?;
    let output = match settings.format {
        LogFormat::Text => tracing_subscriber::fmt::layer()
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .with_writer(std::io::stderr)
            .boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_writer(std::io::stderr)
            .flatten_event(true)
            .with_current_span(true)
            .boxed(),
    };

    // The provider exists even without an exporter, so spans get W3C ids and
    // incoming trace context still flows on to outgoing calls and messages.
    let mut builder = SdkTracerProvider::builder()
        .with_resource(Resource::builder().with_service_name(service_name).build());
    if let Some(endpoint) = &settings.otlp_endpoint {
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_endpoint(endpoint)
            .build()?;
        builder = builder.with_batch_exporter(exporter);
    }
    let provider = builder.build();
    opentelemetry::global::set_tracer_provider(provider.clone());
    let otel_layer = tracing_opentelemetry::layer().with_tracer(provider.tracer(service_name));

    tracing_subscriber::registry()
        .with(filter)
        .with(output)
        .with(otel_layer)
        .try_init()
        .map_err(|_| TelemetryError::AlreadyInstalled)?;
    Ok(TelemetryGuard {
        provider: Some(provider),
    })
}
