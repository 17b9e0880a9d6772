//! Checks of an uploaded file: its declared content type against the
//! types the service can recognise, its leading bytes against that type,
//! and its file name.

/// A content type the service recognises by the file's leading bytes.
struct KnownType {
    name: &'static str,
    matches: fn(&[u8]) -> bool,
}

const ZIP_LOCAL_HEADER: &[u8] = b"PK\x03\x04";

/// The OpenDocument text type, which an ODF package stores uncompressed as
/// its first entry `mimetype`, at byte 38 of the file (ISO/IEC 26300-3, 3.3).
const ODT: &str = "application/vnd.oasis.opendocument.text";

/// Offset of the first entry's name in a ZIP file: the local file header
/// is 30 bytes before it (APPNOTE 4.3.7).
const ZIP_FIRST_NAME_AT: usize = 30;

const KNOWN_TYPES: [KnownType; 5] = [
    KnownType {
        name: "application/pdf",
        matches: |bytes| bytes.starts_with(b"%PDF-"),
    },
    // A DOCX file is a ZIP package that is not an OpenDocument package.
    KnownType {
        name: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        matches: |bytes| bytes.starts_with(ZIP_LOCAL_HEADER) && !is_odf_package(bytes),
    },
    KnownType {
        name: ODT,
        matches: |bytes| odf_mimetype(bytes) == Some(ODT.as_bytes()),
    },
    // Scanned, signed approval letters.
    KnownType {
        name: "image/png",
        matches: |bytes| bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
    },
    KnownType {
        name: "image/jpeg",
        matches: |bytes| bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
    },
];

fn is_odf_package(bytes: &[u8]) -> bool {
    odf_mimetype(bytes).is_some()
}

/// Returns the content of the `mimetype` entry that opens an ODF package,
/// read through the ZIP local file header: the stored size at byte 18, the
/// name length at 26 and the extra field length at 28 (APPNOTE 4.3.7).
fn odf_mimetype(bytes: &[u8]) -> Option<&[u8]> {
    const NAME: &[u8] = b"mimetype";
    if !bytes.starts_with(ZIP_LOCAL_HEADER) {
        return None;
    }
    let u16_at = |at: usize| {
        Some(usize::from(u16::from_le_bytes([
            *bytes.get(at)?,
            *bytes.get(at + 1)?,
        ])))
    };
    let size = u32::from_le_bytes(bytes.get(18..22)?.try_into().ok()?);
    let name_length = u16_at(26)?;
    let extra_length = u16_at(28)?;
    let name_end = ZIP_FIRST_NAME_AT + name_length;
    if bytes.get(ZIP_FIRST_NAME_AT..name_end)? != NAME {
        return None;
    }
    let start = name_end + extra_length;
    bytes.get(start..start + usize::try_from(size).ok()?)
}

/// Returns the content types whose leading bytes the service can check.
pub fn supported_content_types() -> Vec<&'static str> {
    KNOWN_TYPES.iter().map(|known| known.name).collect()
}

/// Returns whether the service can check files of `content_type`.
pub fn is_supported(content_type: &str) -> bool {
    KNOWN_TYPES.iter().any(|known| known.name == content_type)
}

/// Returns whether `bytes` start as a file of `content_type` does. An
/// unsupported content type matches nothing.
pub fn matches_signature(content_type: &str, bytes: &[u8]) -> bool {
    KNOWN_TYPES
        .iter()
        .find(|known| known.name == content_type)
        .is_some_and(|known| (known.matches)(bytes))
}

/// Maximum length of a file name in bytes, the limit of most file systems.
pub const MAX_FILE_NAME_BYTES: usize = 255;

/// Checks a file name given by the uploader and returns it trimmed. The
/// name is only shown and sent back on download, as the object is stored
/// under a generated key, but it must still be a plain name: no folder
/// separators, no `.` or `..`, no control characters and no leading dot.
pub fn check_file_name(name: &str) -> Result<&str, String> {
    let name = name.trim();
    let problem = if name.is_empty() {
        Some("is empty")
    } else if name.len() > MAX_FILE_NAME_BYTES {
        Some("is longer than 255 bytes")
    } else if name.contains(['/', '\\']) {
        Some("contains a folder separator")
    } else if name.chars().any(char::is_control) {
        Some("contains a control character")
    } else if name.starts_with('.') {
        Some("starts with a dot")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(format!(
            "file name `{}` {problem}; send a plain name such as `protocol.pdf`",
            name.escape_debug()
        )),
        None => Ok(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    /// Builds the start of a ZIP file whose first entry is `name` with the
    /// stored content `content`, followed by the next entry's header.
    fn zip_start(name: &[u8], content: &[u8]) -> Vec<u8> {
        let mut bytes = ZIP_LOCAL_HEADER.to_vec();
        bytes.resize(ZIP_FIRST_NAME_AT, 0);
        let size = u32::try_from(content.len()).unwrap().to_le_bytes();
        bytes[18..22].copy_from_slice(&size);
        bytes[22..26].copy_from_slice(&size);
        let name_length = u16::try_from(name.len()).unwrap().to_le_bytes();
        bytes[26..28].copy_from_slice(&name_length);
        bytes.extend_from_slice(name);
        bytes.extend_from_slice(content);
        bytes.extend_from_slice(b"PK\x03\x04more");
        bytes
    }

    #[test]
    fn signatures_match_their_type_only() {
        let odt = zip_start(b"mimetype", ODT.as_bytes());
        let docx = zip_start(b"[Content_Types].xml", b"<?xml");
        let samples: [(&str, &[u8]); 5] = [
            ("application/pdf", b"%PDF-1.7\n%\xe2\xe3"),
            (DOCX, &docx),
            (ODT, &odt),
            ("image/png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            ("image/jpeg", b"\xFF\xD8\xFF\xE0\0\x10JFIF"),
        ];
        for (declared, _) in samples {
            for (actual, bytes) in samples {
                assert_eq!(
                    matches_signature(declared, bytes),
                    declared == actual,
                    "{actual} file declared as {declared}"
                );
            }
        }
    }

    #[test]
    fn signature_rejects_other_files() {
        assert!(!matches_signature("application/pdf", b"<html>%PDF-"));
        assert!(!matches_signature("application/pdf", b""));
        assert!(!matches_signature("text/html", b"<html>"));
        let other_odf = zip_start(
            b"mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        );
        assert!(!matches_signature(ODT, &other_odf));
        assert!(!matches_signature(DOCX, &other_odf));
    }

    #[test]
    fn supported_types_are_the_known_ones() {
        assert!(is_supported("application/pdf"));
        assert!(!is_supported("text/html"));
        assert_eq!(supported_content_types().len(), KNOWN_TYPES.len());
    }

    #[test]
    fn file_names_without_paths_pass() {
        assert_eq!(check_file_name(" protocol v2.pdf "), Ok("protocol v2.pdf"));
        assert_eq!(
            check_file_name("etikk-godkjenning.pdf"),
            Ok("etikk-godkjenning.pdf")
        );
    }

    #[test]
    fn file_names_with_paths_fail() {
        let long = "a".repeat(256);
        for name in [
            "",
            "../../etc/passwd",
            "..",
            ".",
            "reports/protocol.pdf",
            "C:\\protocol.pdf",
            "protocol\0.pdf",
            "protocol\n.pdf",
            ".hidden",
            long.as_str(),
        ] {
            assert!(check_file_name(name).is_err(), "{name:?} passed");
        }
        let message = check_file_name("../x.pdf").unwrap_err();
        assert!(message.contains("`../x.pdf`"), "{message}");
    }
}
