#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Building, verifying and encrypting a delivery package on real files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use hap_crypt4gh::{PublicKey, SecretKey};
use hap_dataset::{Column, ColumnKind, Table};
use hap_package::{
    MANIFEST_FILE, PackageError, PackageInput, Sha256Digest, VariableDoc, build_package,
    encrypt_package, verify_manifest,
};
use sha2::{Digest, Sha256};

fn table() -> Table {
    let rows = 2_000;
    let age_band = (0..rows)
        .map(|row| Some(format!("{}-{}", 20 + row % 8 * 5, 24 + row % 8 * 5)))
        .collect();
    let visits = (0..rows)
        .map(|row| {
            if row % 17 == 0 {
                None
            } else {
                Some((row % 9).to_string())
            }
        })
        .collect();
    let diagnosed = (0..rows)
        .map(|row| {
            Some(format!(
                "20{:02}-{:02}-{:02}",
                10 + row % 14,
                1 + row % 12,
                1 + row % 28
            ))
        })
        .collect();
    Table::new(vec![
        Column::new("age_band", ColumnKind::Text, age_band),
        Column::new("visits", ColumnKind::Integer, visits),
        Column::new("diagnosed", ColumnKind::Date, diagnosed),
    ])
    .unwrap()
}

fn codebook() -> Vec<VariableDoc> {
    vec![
        VariableDoc {
            name: "diagnosed".into(),
            kind: ColumnKind::Date,
            unit: None,
            description: "Date of first diagnosis".into(),
            generalisation: Some("none".into()),
            value_labels: BTreeMap::new(),
        },
        VariableDoc {
            name: "age_band".into(),
            kind: ColumnKind::Text,
            unit: Some("years".into()),
            description: "Age at diagnosis".into(),
            generalisation: Some("5-year bands".into()),
            value_labels: BTreeMap::new(),
        },
        VariableDoc {
            name: "visits".into(),
            kind: ColumnKind::Integer,
            unit: Some("visits".into()),
            description: "Outpatient visits in the first year".into(),
            generalisation: None,
            value_labels: BTreeMap::from([("0".to_string(), "No visit".to_string())]),
        },
    ]
}

fn reports() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        (
            "linkage-report.json",
            serde_json::json!({"matched": 1990, "unmatched": 10}),
        ),
        (
            "disclosure-report.json",
            serde_json::json!({"k_anonymity": 5, "suppressed_cells": 3}),
        ),
        (
            "permit.json",
            serde_json::json!({"permit": "P-2024-17", "valid_until": "2027-12-31"}),
        ),
    ]
}

/// Builds the test package into `dir` and returns its manifest.
fn build(dir: &Path) -> hap_package::Manifest {
    let (table, codebook, reports) = (table(), codebook(), reports());
    let input = PackageInput {
        title: "Outpatient follow-up after diagnosis",
        application_id: "APP-2024-0042",
        table: &table,
        codebook: &codebook,
        reports: &reports,
    };
    build_package(&input, dir).unwrap()
}

fn file_names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[test]
fn build_twice_gives_identical_bytes() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    let first_manifest = build(first.path());
    let second_manifest = build(second.path());

    assert_eq!(first_manifest, second_manifest);
    assert_eq!(file_names(first.path()), file_names(second.path()));
    for name in file_names(first.path()) {
        let left = std::fs::read(first.path().join(&name)).unwrap();
        let right = std::fs::read(second.path().join(&name)).unwrap();
        assert!(left == right, "{name} differs between builds");
    }
}

#[test]
fn rebuild_in_place_keeps_bytes() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path());
    let before = std::fs::read(dir.path().join(MANIFEST_FILE)).unwrap();
    build(dir.path());
    let after = std::fs::read(dir.path().join(MANIFEST_FILE)).unwrap();
    assert_eq!(before, after);
}

#[test]
fn manifest_lists_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = build(dir.path());

    let listed: Vec<&str> = manifest
        .files
        .iter()
        .map(|entry| entry.name.as_str())
        .collect();
    let expected = vec![
        "README.md",
        "codebook.json",
        "codebook.md",
        "data.csv",
        "data.parquet",
        "disclosure-report.json",
        "linkage-report.json",
        "permit.json",
    ];
    assert_eq!(listed, expected, "sorted by name");

    let mut on_disk = file_names(dir.path());
    assert!(on_disk.remove(MANIFEST_FILE));
    let listed: BTreeSet<String> = listed.iter().map(|name| name.to_string()).collect();
    assert_eq!(on_disk, listed, "no other files, no temporary files");
}

#[test]
fn manifest_matches_file_contents() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = build(dir.path());
    for entry in &manifest.files {
        let bytes = std::fs::read(dir.path().join(&entry.name)).unwrap();
        assert_eq!(entry.size, bytes.len() as u64, "{} size", entry.name);
        assert_eq!(
            entry.sha256.to_string(),
            sha256_hex(&bytes),
            "{} digest",
            entry.name
        );
    }
    assert_eq!(verify_manifest(dir.path()).unwrap(), manifest);
}

#[test]
fn manifest_json_has_documented_fields() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path());
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join(MANIFEST_FILE)).unwrap()).unwrap();
    assert_eq!(json["application_id"], "APP-2024-0042");
    assert_eq!(json["files"][0]["name"], "README.md");
    assert!(json["files"][0]["size"].is_u64());
    assert_eq!(json["files"][0]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn data_files_hold_the_table() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path());
    let table = table();

    let parquet = hap_dataset::read_parquet(&dir.path().join("data.parquet")).unwrap();
    assert_eq!(parquet, table);

    let mut csv = Vec::new();
    hap_dataset::write_csv(&table, &mut csv).unwrap();
    assert!(
        std::fs::read(dir.path().join("data.csv")).unwrap() == csv,
        "data.csv differs from write_csv"
    );
}

#[test]
fn reports_and_docs_written() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path());

    let permit: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("permit.json")).unwrap()).unwrap();
    assert_eq!(permit["permit"], "P-2024-17");

    let codebook: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("codebook.json")).unwrap()).unwrap();
    assert_eq!(codebook[0]["name"], "age_band", "table column order");
    assert_eq!(codebook[1]["value_labels"]["0"], "No visit");

    let readme = std::fs::read_to_string(dir.path().join("README.md")).unwrap();
    assert!(readme.starts_with("# Outpatient follow-up after diagnosis\n"));
    assert!(readme.contains("2000 rows, 3 variables"));
}

#[test]
fn flipped_byte_detected() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path());
    let path = dir.path().join("data.parquet");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[100] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();

    let error = verify_manifest(dir.path()).unwrap_err();
    assert!(matches!(&error, PackageError::HashMismatch { file, .. } if file == "data.parquet"));
    assert!(error.to_string().contains("`data.parquet`"));
}

#[test]
fn appended_line_detected() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path());
    let path = dir.path().join("data.csv");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"20-24,1,2020-01-01\n");
    std::fs::write(&path, bytes).unwrap();

    let error = verify_manifest(dir.path()).unwrap_err();
    assert!(matches!(&error, PackageError::SizeMismatch { file, .. } if file == "data.csv"));
}

#[test]
fn edited_manifest_detected() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path());
    let path = dir.path().join(MANIFEST_FILE);
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["files"][2]["sha256"] = serde_json::json!("0".repeat(64));
    std::fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();

    let error = verify_manifest(dir.path()).unwrap_err();
    assert!(matches!(&error, PackageError::HashMismatch { file, .. } if file == "codebook.md"));
}

fn decrypt_file(path: &Path, key: &SecretKey) -> Vec<u8> {
    let mut out = Vec::new();
    hap_crypt4gh::decrypt(std::fs::File::open(path).unwrap(), &mut out, key).unwrap();
    out
}

#[test]
fn encrypt_then_decrypt_gives_manifest_hashes() {
    let plain = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let manifest = build(plain.path());
    let researcher = SecretKey::generate();
    let colleague = SecretKey::generate();

    let encrypted = encrypt_package(
        plain.path(),
        out.path(),
        &[researcher.public_key(), colleague.public_key()],
    )
    .unwrap();

    assert_eq!(encrypted.len(), manifest.files.len() + 1);
    let names: BTreeSet<String> = encrypted.iter().map(|file| file.name.clone()).collect();
    assert_eq!(
        file_names(out.path()),
        names,
        "only the .c4gh files, no temporary files"
    );

    for (file, entry) in encrypted.iter().zip(&manifest.files) {
        assert_eq!(file.source, entry.name);
        assert_eq!(file.name, format!("{}.c4gh", entry.name));

        let stored = std::fs::read(out.path().join(&file.name)).unwrap();
        assert_eq!(file.size, stored.len() as u64, "{} size", file.name);
        assert_eq!(
            file.sha256,
            Sha256Digest::of(&stored),
            "{} digest",
            file.name
        );

        for key in [&researcher, &colleague] {
            let plaintext = decrypt_file(&out.path().join(&file.name), key);
            assert_eq!(
                plaintext.len() as u64,
                entry.size,
                "{} decrypted size",
                entry.name
            );
            assert_eq!(
                sha256_hex(&plaintext),
                entry.sha256.to_string(),
                "{} decrypted digest",
                entry.name
            );
        }
    }

    let manifest_file = encrypted.last().unwrap();
    assert_eq!(manifest_file.source, MANIFEST_FILE);
    let decrypted_manifest = decrypt_file(&out.path().join(&manifest_file.name), &researcher);
    assert_eq!(
        decrypted_manifest,
        std::fs::read(plain.path().join(MANIFEST_FILE)).unwrap()
    );
}

#[test]
fn tampered_package_not_encrypted() {
    let plain = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    build(plain.path());
    std::fs::write(plain.path().join("permit.json"), b"{}\n").unwrap();

    let error = encrypt_package(
        plain.path(),
        out.path(),
        &[SecretKey::generate().public_key()],
    )
    .unwrap_err();
    assert!(matches!(&error, PackageError::SizeMismatch { file, .. } if file == "permit.json"));
    assert!(file_names(out.path()).is_empty());
}

#[test]
fn failed_encryption_leaves_no_file() {
    let plain = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    build(plain.path());
    let low_order_point = PublicKey::from_bytes([0; 32]);

    let error = encrypt_package(plain.path(), out.path(), &[low_order_point]).unwrap_err();
    assert!(matches!(&error, PackageError::Encrypt { file, .. } if file == "README.md"));
    assert!(
        file_names(out.path()).is_empty(),
        "no partial or final file"
    );
}

#[test]
fn no_recipients_rejected() {
    let plain = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    build(plain.path());
    let error = encrypt_package(plain.path(), out.path(), &[]).unwrap_err();
    assert!(matches!(error, PackageError::NoRecipients));
}
