//! Parsing a registry's consent events from CSV
//! (`person_id,event,event_date,source[,scope]`, header row).

use chrono::NaiveDate;
use hap_identity::{Rules, parse};
use hap_messaging::redact::redact_digit_runs;
use serde::Serialize;

use super::basis::BasisKind;
use super::consent::{EventKind, Scope};

/// One valid row, with the identity number already replaced by its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentRow {
    pub person_hash: [u8; 32],
    pub event: EventKind,
    pub event_date: NaiveDate,
    pub source: String,
    /// The consent's scope in DUO shorthand; `GRU` where the file gives none.
    pub scope: String,
}

/// A row that was not imported, with the reason. It never contains the identity number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    /// The line number in the file, the header being line 1.
    pub line: u64,
    pub reason: String,
}

/// The rows of a file, split into valid and rejected ones.
pub struct Parsed {
    pub rows: Vec<(u64, ConsentRow)>,
    pub rejected: Vec<RejectedRow>,
}

/// The maximum number of rows in one import.
pub const MAX_ROWS: usize = 1_000_000;

/// The maximum length of a row, in bytes of its fields. A valid row holds an
/// 11-digit number, an event name, a date, a channel name and a DUO scope,
/// which is well under this limit.
pub const MAX_ROW_BYTES: usize = 1024;

/// Parses the CSV body for a registry of `kind`. A missing or wrong header
/// rejects the whole file. The `scope` column is optional.
pub fn parse_csv(
    body: &[u8],
    kind: BasisKind,
    rules: Rules,
    platform_key: &[u8],
) -> Result<Parsed, String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(body);
    let header = reader
        .headers()
        .map_err(|error| format!("the CSV header could not be read: {error}"))?
        .clone();
    let expected = ["person_id", "event", "event_date", "source", "scope"];
    let names: Vec<&str> = header.iter().collect();
    let columns = names.len();
    if !(4..=5).contains(&columns) || names[..] != expected[..columns] {
        return Err(format!(
            "the header must be `{}` or `{}`; found `{}`",
            expected[..4].join(","),
            expected.join(","),
            redact_digit_runs(&names.join(","))
        ));
    }

    let mut rows = Vec::new();
    let mut rejected = Vec::new();
    for (index, record) in reader.records().enumerate() {
        // The reader skips blank lines and a quoted field may span lines, so
        // the line comes from the record's position, not from its index.
        let position = match &record {
            Ok(record) => record.position(),
            Err(error) => error.position(),
        };
        let line = position.map_or(index as u64 + 2, |position| first_line(body, position));
        if rows.len() + rejected.len() >= MAX_ROWS {
            return Err(format!("the file has more than {MAX_ROWS} rows; split it"));
        }
        let reject = |reason: String| RejectedRow { line, reason };
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                rejected.push(reject(format!("unreadable row: {error}")));
                continue;
            }
        };
        let row_bytes = record.as_byte_record().as_slice().len();
        if row_bytes > MAX_ROW_BYTES {
            rejected.push(reject(format!(
                "the row has {row_bytes} bytes of fields, more than the limit of {MAX_ROW_BYTES}; \
                 check for a missing closing quote"
            )));
            continue;
        }
        if record.len() != columns {
            rejected.push(reject(format!(
                "expected {columns} fields, found {}",
                record.len()
            )));
            continue;
        }
        let id = match parse(&record[0], rules) {
            Ok(id) => id,
            Err(rejection) => {
                rejected.push(reject(format!("invalid person_id: {rejection}")));
                continue;
            }
        };
        let event = match record[1].parse::<EventKind>() {
            Ok(event) if event.recorded_by(kind) => event,
            Ok(event) => {
                rejected.push(reject(format!(
                    "event `{event}` is not recorded by a registry of kind `{}`",
                    kind_name(kind)
                )));
                continue;
            }
            Err(expected) => {
                rejected.push(reject(format!(
                    "event `{}` is unknown; {expected}",
                    redact_digit_runs(&record[1])
                )));
                continue;
            }
        };
        let Ok(event_date) = NaiveDate::parse_from_str(&record[2], "%Y-%m-%d") else {
            rejected.push(reject(format!(
                "event_date `{}` is not a YYYY-MM-DD date",
                redact_digit_runs(&record[2])
            )));
            continue;
        };
        // The source names a channel such as `helsenorge`; a long run of
        // digits there could be an identity number, which must not be stored.
        if redact_digit_runs(&record[3]) != record[3] {
            rejected.push(reject(
                "source contains a run of digits; give the channel name only".into(),
            ));
            continue;
        }
        let scope = match scope_of(event, record.get(4).unwrap_or("")) {
            Ok(scope) => scope,
            Err(reason) => {
                rejected.push(reject(reason));
                continue;
            }
        };
        rows.push((
            line,
            ConsentRow {
                person_hash: hap_linkage::person_hash(platform_key, &id),
                event,
                event_date,
                source: record[3].to_owned(),
                scope,
            },
        ));
    }
    Ok(Parsed { rows, rejected })
}

/// Returns the stored scope of a row: given for `given` (default `GRU`) and
/// required for `changed`. Withdrawals and opt-outs apply whatever the
/// scope, so they store `GRU` and may give no other.
fn scope_of(event: EventKind, text: &str) -> Result<String, String> {
    let text = text.trim();
    match event {
        EventKind::Given | EventKind::Changed => {
            if text.is_empty() {
                return if event == EventKind::Changed {
                    Err("a `changed` event needs the new scope".into())
                } else {
                    Ok(Scope::GeneralResearch.to_string())
                };
            }
            text.parse::<Scope>()
                .map(|scope| scope.to_string())
                .map_err(|expected| {
                    format!("scope `{}` is invalid; {expected}", redact_digit_runs(text))
                })
        }
        _ if text.is_empty() || text == "GRU" => Ok(Scope::GeneralResearch.to_string()),
        _ => Err(format!(
            "a `{event}` event applies to every scope; leave the scope empty"
        )),
    }
}

fn kind_name(kind: BasisKind) -> &'static str {
    match kind {
        BasisKind::Statutory => "statutory",
        BasisKind::OptOut => "opt-out",
        BasisKind::ConsentBased => "consent-based",
    }
}

/// Returns the line where the record read from `position` starts. The
/// reader's position is where it began reading, which is before the blank
/// lines it skipped.
fn first_line(body: &[u8], position: &csv::Position) -> u64 {
    let start = usize::try_from(position.byte())
        .unwrap_or(usize::MAX)
        .min(body.len());
    let skipped = body[start..]
        .iter()
        .take_while(|byte| matches!(byte, b'\n' | b'\r'))
        .filter(|byte| **byte == b'\n')
        .count();
    position.line() + skipped as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use hap_identity::{ChecksumPolicy, Profile};

    const RULES: Rules = Rules {
        policy: ChecksumPolicy::Allow2032,
        profile: Profile::Test,
    };

    fn rejected_lines(body: &str) -> Vec<u64> {
        let parsed = parse_csv(body.as_bytes(), BasisKind::ConsentBased, RULES, &[7; 32]).unwrap();
        parsed.rejected.iter().map(|row| row.line).collect()
    }

    #[test]
    fn line_numbers_count_blank_lines() {
        let body =
            "person_id,event,event_date,source\n\nx,given,2020-01-01,a\n\n\ny,given,2020-01-01,b\n";
        assert_eq!(rejected_lines(body), [3, 6]);
    }

    #[test]
    fn line_numbers_count_crlf_blank_lines() {
        let body = "person_id,event,event_date,source\r\n\r\nx,given,2020-01-01,a\r\ny,given,2020-01-01,b\r\n";
        assert_eq!(rejected_lines(body), [3, 4]);
    }

    #[test]
    fn line_number_of_multiline_field_is_first_line() {
        let body = "person_id,event,event_date,source\nx,given,2020-01-01,\"two\nlines\"\ny,given,2020-01-01,b\n";
        assert_eq!(rejected_lines(body), [2, 4]);
    }

    /// Returns a synthetic number (month plus 80) with valid check digits.
    fn synthetic_number() -> String {
        let first_nine = [1, 4, 8, 3, 9, 0, 1, 2, 3];
        let [k1, k2] = hap_identity::classic_check_digits(&first_nine).unwrap();
        first_nine
            .iter()
            .chain([k1, k2].iter())
            .map(|d| char::from(b'0' + d))
            .collect()
    }

    #[test]
    fn valid_row_accepted() {
        let body = format!(
            "person_id,event,event_date,source\n{},given,2020-01-01,helsenorge\n",
            synthetic_number()
        );
        let parsed = parse_csv(body.as_bytes(), BasisKind::ConsentBased, RULES, &[7; 32]).unwrap();
        assert_eq!(parsed.rows.len(), 1);
        assert!(parsed.rejected.is_empty());
    }

    #[test]
    fn source_with_digit_run_rejected() {
        let number = synthetic_number();
        let body =
            format!("person_id,event,event_date,source\n{number},given,2020-01-01,{number}\n");
        let parsed = parse_csv(body.as_bytes(), BasisKind::ConsentBased, RULES, &[7; 32]).unwrap();
        assert!(parsed.rows.is_empty());
        assert_eq!(parsed.rejected.len(), 1);
        assert!(!parsed.rejected[0].reason.contains(&number));
    }

    #[test]
    fn scope_column_read() {
        let number = synthetic_number();
        let body = format!(
            "person_id,event,event_date,source,scope\n\
             {number},given,2020-01-01,helsenorge,DS:C18\n\
             {number},changed,2021-01-01,helsenorge,\n\
             {number},withdrawn,2022-01-01,helsenorge,\n"
        );
        let parsed = parse_csv(body.as_bytes(), BasisKind::ConsentBased, RULES, &[7; 32]).unwrap();
        assert_eq!(parsed.rows.len(), 2);
        assert_eq!(parsed.rows[0].1.scope, "DS:C18");
        assert_eq!(parsed.rows[1].1.scope, "GRU");
        assert_eq!(parsed.rejected.len(), 1);
        assert_eq!(parsed.rejected[0].line, 3);
        assert!(parsed.rejected[0].reason.contains("new scope"));
    }

    #[test]
    fn consent_event_rejected_by_opt_out_registry() {
        let number = synthetic_number();
        let body = format!(
            "person_id,event,event_date,source\n\
             {number},given,2020-01-01,helsenorge\n\
             {number},opted-out,2021-01-01,helsenorge\n"
        );
        let parsed = parse_csv(body.as_bytes(), BasisKind::OptOut, RULES, &[7; 32]).unwrap();
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(parsed.rows[0].1.event, EventKind::OptedOut);
        assert!(parsed.rejected[0].reason.contains("opt-out"));
    }

    #[test]
    fn row_over_byte_limit_rejected() {
        let number = synthetic_number();
        let source = "s".repeat(MAX_ROW_BYTES);
        let body = format!(
            "person_id,event,event_date,source\n\
             {number},given,2020-01-01,{source}\n\
             {number},given,2021-01-01,helsenorge\n"
        );
        let parsed = parse_csv(body.as_bytes(), BasisKind::ConsentBased, RULES, &[7; 32]).unwrap();
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(parsed.rejected.len(), 1);
        assert_eq!(parsed.rejected[0].line, 2);
        assert!(parsed.rejected[0].reason.contains("limit of 1024"));
    }

    #[test]
    fn unclosed_quote_rejected_by_row_limit() {
        let number = synthetic_number();
        let mut body =
            format!("person_id,event,event_date,source\n{number},given,2020-01-01,\"open\n");
        for _ in 0..100 {
            body.push_str(&format!("{number},given,2020-01-01,helsenorge\n"));
        }
        let parsed = parse_csv(body.as_bytes(), BasisKind::ConsentBased, RULES, &[7; 32]).unwrap();
        assert!(parsed.rows.is_empty());
        assert_eq!(parsed.rejected.len(), 1);
        assert!(parsed.rejected[0].reason.contains("closing quote"));
    }
}
