//! An OTLP/HTTP receiver that keeps what the services export, and the
//! decoding of the exported spans into text.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use prost::Message;

/// Export bodies by service, the first segment of the request path.
pub type Received = Arc<Mutex<BTreeMap<String, Vec<Vec<u8>>>>>;

/// Starts an OTLP/HTTP receiver on a thread of its own that keeps every
/// export body by service (the first path segment); returns its base URL.
/// It responds to each request and closes the connection, as HTTP/1.0 servers do.
pub fn start_receiver(received: Received) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let received = received.clone();
            std::thread::spawn(move || {
                if let Some((path, body)) = read_request(&stream) {
                    let service = path
                        .trim_start_matches('/')
                        .split('/')
                        .next()
                        .unwrap_or("")
                        .to_owned();
                    received
                        .lock()
                        .unwrap()
                        .entry(service)
                        .or_default()
                        .push(body);
                }
                let mut stream = stream;
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            });
        }
    });
    base
}

/// Reads one request: its path and its body (by `content-length`).
fn read_request(stream: &TcpStream) -> Option<(String, Vec<u8>)> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_owned();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((path, body))
}

/// Decodes one OTLP/HTTP protobuf export and returns a line of text per
/// span: its name, status message, trace state and every attribute of the
/// resource, the scope, the span, its events and its links as
/// `key=value`, with integers in decimal and bytes in hex.
pub fn span_lines(body: &[u8]) -> Result<Vec<String>, prost::DecodeError> {
    let request = ExportTraceServiceRequest::decode(body)?;
    let mut lines = Vec::new();
    for resource_spans in &request.resource_spans {
        let resource = resource_spans
            .resource
            .as_ref()
            .map(|resource| attributes_text(&resource.attributes))
            .unwrap_or_default();
        for scope_spans in &resource_spans.scope_spans {
            let scope = scope_spans
                .scope
                .as_ref()
                .map(|scope| {
                    format!(
                        "{} {} {}",
                        scope.name,
                        scope.version,
                        attributes_text(&scope.attributes)
                    )
                })
                .unwrap_or_default();
            for span in &scope_spans.spans {
                let mut line = format!(
                    "span {}: {} trace_state={} status={}",
                    span.name,
                    attributes_text(&span.attributes),
                    span.trace_state,
                    span.status
                        .as_ref()
                        .map(|status| status.message.as_str())
                        .unwrap_or_default()
                );
                for event in &span.events {
                    line.push_str(&format!(
                        " | event {}: {}",
                        event.name,
                        attributes_text(&event.attributes)
                    ));
                }
                for link in &span.links {
                    line.push_str(&format!(
                        " | link {}: {}",
                        link.trace_state,
                        attributes_text(&link.attributes)
                    ));
                }
                line.push_str(&format!(" | scope {scope} | resource {resource}"));
                lines.push(line);
            }
        }
    }
    Ok(lines)
}

fn attributes_text(attributes: &[KeyValue]) -> String {
    attributes
        .iter()
        .map(|attribute| {
            let value = attribute.value.as_ref().map(value_text).unwrap_or_default();
            format!("{}={value}", attribute.key)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn value_text(value: &AnyValue) -> String {
    match &value.value {
        None => String::new(),
        Some(any_value::Value::StringValue(text)) => text.clone(),
        Some(any_value::Value::BoolValue(flag)) => flag.to_string(),
        Some(any_value::Value::IntValue(number)) => number.to_string(),
        Some(any_value::Value::DoubleValue(number)) => number.to_string(),
        Some(any_value::Value::StringValueStrindex(index)) => index.to_string(),
        Some(any_value::Value::BytesValue(bytes)) => data_encoding::HEXLOWER.encode(bytes),
        Some(any_value::Value::ArrayValue(array)) => array
            .values
            .iter()
            .map(value_text)
            .collect::<Vec<_>>()
            .join(","),
        Some(any_value::Value::KvlistValue(list)) => attributes_text(&list.values),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};

    #[test]
    fn integer_attribute_rendered_in_decimal() {
        let request = ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                scope_spans: vec![ScopeSpans {
                    spans: vec![Span {
                        name: "import".into(),
                        attributes: vec![KeyValue {
                            key: "person".into(),
                            value: Some(AnyValue {
                                value: Some(any_value::Value::IntValue(14039012345)),
                            }),
                            ..KeyValue::default()
                        }],
                        ..Span::default()
                    }],
                    ..ScopeSpans::default()
                }],
                ..ResourceSpans::default()
            }],
        };
        let lines = span_lines(&request.encode_to_vec()).unwrap();
        assert_eq!(lines.len(), 1);
        assert!(lines[0].contains("person=14039012345"), "{}", lines[0]);
    }
}
