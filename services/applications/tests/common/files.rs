//! Attachment files for uploads, and the attachment kinds a content needs.

use serde_json::Value;

/// Returns a small, well-formed PDF file.
pub fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
      2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n\
      trailer << /Root 1 0 R >>\n%%EOF\n"
        .to_vec()
}

/// Returns a PNG signature followed by filler bytes.
pub fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(&[0x42; 64]);
    bytes
}

/// Returns the attachment kinds that the service requires before a
/// submission of `content`, by the same rule as the service. Aggregate
/// tables need none and microdata the protocol. Health research on
/// microdata also needs the ethics approval, and pseudonymous microdata the
/// DPIA.
pub fn required_kinds(content: &Value) -> Vec<&'static str> {
    let level = content["request"]["disclosure_level"]
        .as_str()
        .unwrap_or("");
    if level == "aggregate" {
        return Vec::new();
    }
    let mut kinds = vec!["protocol"];
    if content["purpose"]["health_research"] == true {
        kinds.push("ethics-approval");
    }
    if level == "pseudonymous" {
        kinds.push("dpia");
    }
    kinds
}
