//! Parsing a registry's consent events from CSV
//! (`person_id,event,event_date,source`, header row).

use chrono::NaiveDate;
use hap_identity::{Rules, parse};
use hap_messaging::redact::redact_digit_runs;
use serde::Serialize;

/// One valid row, with the identity number already replaced by its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentRow {
    pub person_hash: [u8; 32],
    pub event: &'static str,
    pub event_date: NaiveDate,
    pub source: String,
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

/// Parses the CSV body. A missing or wrong header rejects the whole file.
pub fn parse_csv(body: &[u8], rules: Rules, platform_key: &[u8]) -> Result<Parsed, String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(body);
    let header = reader
        .headers()
        .map_err(|error| format!("the CSV header could not be read: {error}"))?
        .clone();
    let expected = ["person_id", "event", "event_date", "source"];
    if header.iter().collect::<Vec<_>>() != expected {
        return Err(format!(
            "the header must be `{}`; found `{}`",
            expected.join(","),
            redact_digit_runs(&header.iter().collect::<Vec<_>>().join(","))
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
        if record.len() != 4 {
            rejected.push(reject(format!("expected 4 fields, found {}", record.len())));
            continue;
        }
        let id = match parse(&record[0], rules) {
            Ok(id) => id,
            Err(rejection) => {
                rejected.push(reject(format!("invalid person_id: {rejection}")));
                continue;
            }
        };
        let event = match &record[1] {
            "given" => "given",
            "withdrawn" => "withdrawn",
            other => {
                rejected.push(reject(format!(
                    "event `{}` is not `given` or `withdrawn`",
                    redact_digit_runs(other)
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
        rows.push((
            line,
            ConsentRow {
                person_hash: hap_linkage::person_hash(platform_key, &id),
                event,
                event_date,
                source: record[3].to_owned(),
            },
        ));
    }
    Ok(Parsed { rows, rejected })
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
        let parsed = parse_csv(body.as_bytes(), RULES, &[7; 32]).unwrap();
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
        let parsed = parse_csv(body.as_bytes(), RULES, &[7; 32]).unwrap();
        assert_eq!(parsed.rows.len(), 1);
        assert!(parsed.rejected.is_empty());
    }

    #[test]
    fn source_with_digit_run_rejected() {
        let number = synthetic_number();
        let body =
            format!("person_id,event,event_date,source\n{number},given,2020-01-01,{number}\n");
        let parsed = parse_csv(body.as_bytes(), RULES, &[7; 32]).unwrap();
        assert!(parsed.rows.is_empty());
        assert_eq!(parsed.rejected.len(), 1);
        assert!(!parsed.rejected[0].reason.contains(&number));
    }
}
