//! The `Range` request header (RFC 9110, section 14), for one byte range.

use std::ops::Range;

/// The response to a request's `Range` and `If-Range` headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeRequest {
    /// The whole file, with 200.
    Whole,
    /// These bytes, with 206 and `Content-Range`.
    Partial(Range<u64>),
    /// 416 with `Content-Range: bytes */<size>`.
    Unsatisfiable,
}

/// Interprets `range` for a file of `size` bytes whose entity tag is `etag`.
///
/// Serves the whole file when there is no range, when the unit is not
/// `bytes`, or when the header is malformed or lists several ranges, because
/// a server may ignore a range it does not support. It also serves the whole
/// file when `If-Range` names another entity tag, since the file changed.
pub fn interpret(
    range: Option<&str>,
    if_range: Option<&str>,
    size: u64,
    etag: &str,
) -> RangeRequest {
    let Some(range) = range else {
        return RangeRequest::Whole;
    };
    if if_range.is_some_and(|tag| tag.trim() != etag) {
        return RangeRequest::Whole;
    }
    let Some(spec) = range.trim().strip_prefix("bytes=") else {
        return RangeRequest::Whole;
    };
    if spec.contains(',') {
        return RangeRequest::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeRequest::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        return match last.parse::<u64>() {
            Ok(0) => RangeRequest::Unsatisfiable,
            Ok(_) if size == 0 => RangeRequest::Unsatisfiable,
            Ok(suffix) => RangeRequest::Partial(size.saturating_sub(suffix)..size),
            Err(_) => RangeRequest::Whole,
        };
    }
    let Ok(start) = first.parse::<u64>() else {
        return RangeRequest::Whole;
    };
    let end = if last.is_empty() {
        size
    } else {
        match last.parse::<u64>() {
            Ok(last) if last >= start => last.saturating_add(1).min(size),
            _ => return RangeRequest::Whole,
        }
    };
    if start >= size {
        return RangeRequest::Unsatisfiable;
    }
    RangeRequest::Partial(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAG: &str = "\"abc\"";

    fn range(header: &str, size: u64) -> RangeRequest {
        interpret(Some(header), None, size, TAG)
    }

    #[test]
    fn absent_header_serves_whole() {
        assert_eq!(interpret(None, None, 10, TAG), RangeRequest::Whole);
    }

    #[test]
    fn closed_range() {
        assert_eq!(range("bytes=2-5", 10), RangeRequest::Partial(2..6));
    }

    #[test]
    fn open_range_to_end() {
        assert_eq!(range("bytes=4-", 10), RangeRequest::Partial(4..10));
    }

    #[test]
    fn last_beyond_size_clamped() {
        assert_eq!(range("bytes=8-100", 10), RangeRequest::Partial(8..10));
    }

    #[test]
    fn suffix_range() {
        assert_eq!(range("bytes=-3", 10), RangeRequest::Partial(7..10));
        assert_eq!(range("bytes=-30", 10), RangeRequest::Partial(0..10));
    }

    #[test]
    fn start_beyond_size_unsatisfiable() {
        assert_eq!(range("bytes=10-", 10), RangeRequest::Unsatisfiable);
        assert_eq!(range("bytes=-0", 10), RangeRequest::Unsatisfiable);
    }

    #[test]
    fn malformed_or_multiple_ignored() {
        assert_eq!(range("bytes=5-2", 10), RangeRequest::Whole);
        assert_eq!(range("bytes=a-", 10), RangeRequest::Whole);
        assert_eq!(range("items=0-1", 10), RangeRequest::Whole);
        assert_eq!(range("bytes=0-1,4-5", 10), RangeRequest::Whole);
    }

    #[test]
    fn stale_if_range_serves_whole() {
        let stale = interpret(Some("bytes=4-"), Some("\"old\""), 10, TAG);
        assert_eq!(stale, RangeRequest::Whole);
        let current = interpret(Some("bytes=4-"), Some(TAG), 10, TAG);
        assert_eq!(current, RangeRequest::Partial(4..10));
    }
}
