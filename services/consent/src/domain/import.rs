//! Parsing a registry's consent events from CSV
//! (`person_id,event,event_date,source`, header row).

use chrono::NaiveDate;
use hap_identity::{Rules, parse};
use serde::Serialize;

/// One valid row, with the identity number already replaced by its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentRow {
    pub person_hash: [u8; 32],
    pub event: &'static str,
    pub event_date: NaiveDate,
    pub source: String,
}

/// A row that was not imported, and why. Never holds the identity number.
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

/// The most rows one import may hold.
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
            header.iter().collect::<Vec<_>>().join(",")
        ));
    }

    let mut rows = Vec::new();
    let mut rejected = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 2;
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
                    "event `{other}` is not `given` or `withdrawn`"
                )));
                continue;
            }
        };
        let Ok(event_date) = NaiveDate::parse_from_str(&record[2], "%Y-%m-%d") else {
            rejected.push(reject(format!(
                "event_date `{}` is not a YYYY-MM-DD date",
                &record[2]
            )));
            continue;
        };
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
