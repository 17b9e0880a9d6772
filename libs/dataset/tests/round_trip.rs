#![allow(clippy::unwrap_used, clippy::expect_used)]

use hap_dataset::{Column, ColumnKind, Table, read_parquet, write_csv, write_parquet};

fn sample() -> Table {
    Table::new(vec![
        Column::new(
            "pseudonym",
            ColumnKind::Text,
            vec![Some("abc".into()), Some("def".into()), None],
        ),
        Column::new(
            "episodes",
            ColumnKind::Integer,
            vec![Some("3".into()), None, Some("-1".into())],
        ),
        Column::new(
            "diagnosis_date",
            ColumnKind::Date,
            vec![Some("2016-02-29".into()), Some("1901-12-31".into()), None],
        ),
    ])
    .unwrap()
}

#[test]
fn parquet_round_trip_keeps_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.parquet");
    write_parquet(&sample(), std::fs::File::create(&path).unwrap()).unwrap();

    let read = read_parquet(&path).unwrap();

    assert_eq!(read, sample());
}

#[test]
fn parquet_output_is_deterministic() {
    let mut first = Vec::new();
    let mut second = Vec::new();
    write_parquet(&sample(), &mut first).unwrap();
    write_parquet(&sample(), &mut second).unwrap();
    assert_eq!(first, second);
}

#[test]
fn csv_has_header_and_empty_missing() {
    let mut out = Vec::new();
    write_csv(&sample(), &mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "pseudonym,episodes,diagnosis_date\nabc,3,2016-02-29\ndef,,1901-12-31\n,-1,\n"
    );
}
