#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]
//! A whole encrypted package decrypts with the Python `crypt4gh` command-line
//! tool, an independent implementation of the format, and matches its manifest.
//!
//! Set `HAP_CRYPT4GH_CLI` to the `crypt4gh` executable, for example with
//! `HAP_CRYPT4GH_CLI="$(tools/install-crypt4gh-cli.sh)"`; `crypt4gh-keygen` must sit
//! in the same folder. Without the variable each test prints why it was skipped and
//! passes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use hap_crypt4gh::{PublicKey, SecretKey};
use hap_dataset::{Column, ColumnKind, Table};
use hap_package::{
    EncryptedFile, MANIFEST_FILE, PackageInput, VariableDoc, build_package, encrypt_package,
    verify_manifest,
};

const CLI_VARIABLE: &str = "HAP_CRYPT4GH_CLI";

/// Returns the `crypt4gh` executable, or `None` after printing why the test is skipped.
fn cli(test: &str) -> Option<PathBuf> {
    let Some(cli) = std::env::var_os(CLI_VARIABLE) else {
        println!(
            "{test}: skipped because {CLI_VARIABLE} is not set; set it to the path printed by \
             tools/install-crypt4gh-cli.sh to decrypt packages with the Python tool"
        );
        return None;
    };
    Some(PathBuf::from(cli))
}

/// Runs `crypt4gh-keygen --nocrypt` into `dir` and returns the secret key
/// file and the public key it wrote.
fn python_keygen(cli: &Path, dir: &Path, name: &str) -> (PathBuf, PublicKey) {
    let secret = dir.join(format!("{name}.sec"));
    let public = dir.join(format!("{name}.pub"));
    let output = Command::new(cli.with_file_name("crypt4gh-keygen"))
        .arg("--nocrypt")
        .arg("--sk")
        .arg(&secret)
        .arg("--pk")
        .arg(&public)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "crypt4gh-keygen failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let public = PublicKey::from_pem(&std::fs::read_to_string(&public).unwrap()).unwrap();
    (secret, public)
}

/// Decrypts `encrypted` with `crypt4gh decrypt --sk secret` into `plain`.
fn python_decrypt(cli: &Path, secret: &Path, encrypted: &Path, plain: &Path) {
    let output = Command::new(cli)
        .arg("decrypt")
        .arg("--sk")
        .arg(secret)
        .env_remove("C4GH_PASSPHRASE")
        .env_remove("C4GH_SECRET_KEY")
        .stdin(std::fs::File::open(encrypted).unwrap())
        .stdout(std::fs::File::create(plain).unwrap())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "crypt4gh decrypt {} failed: {}",
        encrypted.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Builds a package with several 64 KiB segments of data and encrypts it.
fn encrypted_package(dir: &Path, recipients: &[PublicKey]) -> Vec<EncryptedFile> {
    let rows = 8_000;
    let table = Table::new(vec![
        Column::new(
            "pseudonym",
            ColumnKind::Text,
            (0..rows).map(|row| Some(format!("P{row:025}"))).collect(),
        ),
        Column::new(
            "birth_year",
            ColumnKind::Integer,
            (0..rows)
                .map(|row| Some((1940 + row % 60).to_string()))
                .collect(),
        ),
    ])
    .unwrap();
    let codebook = vec![
        VariableDoc {
            name: "pseudonym".into(),
            kind: ColumnKind::Text,
            unit: None,
            description: "The person's pseudonym in this project".into(),
            generalisation: None,
            value_labels: Default::default(),
        },
        VariableDoc {
            name: "birth_year".into(),
            kind: ColumnKind::Integer,
            unit: Some("year".into()),
            description: "Year of birth".into(),
            generalisation: Some("5-year bands".into()),
            value_labels: Default::default(),
        },
    ];
    let reports = [("permit.json", serde_json::json!({"permit": "P-1"}))];
    let input = PackageInput {
        title: "Python check",
        application_id: "APP-1",
        table: &table,
        codebook: &codebook,
        reports: &reports,
    };
    build_package(&input, &dir.join("plain")).unwrap();
    encrypt_package(&dir.join("plain"), &dir.join("encrypted"), recipients).unwrap()
}

/// Decrypts every file with the Python tool into a new folder and checks
/// the result against the manifest.
fn assert_python_decrypts(
    cli: &Path,
    secret: &Path,
    encrypted_dir: &Path,
    files: &[EncryptedFile],
) {
    let out = tempfile::tempdir().unwrap();
    for file in files {
        python_decrypt(
            cli,
            secret,
            &encrypted_dir.join(&file.name),
            &out.path().join(&file.source),
        );
    }
    assert!(out.path().join(MANIFEST_FILE).exists());
    let manifest = verify_manifest(out.path()).expect("the decrypted package matches its manifest");
    assert_eq!(manifest.files.len() + 1, files.len());
}

#[test]
fn python_decrypts_whole_package() {
    let Some(cli) = cli("python_decrypts_whole_package") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (secret, public) = python_keygen(&cli, dir.path(), "researcher");
    let other = SecretKey::generate().public_key();
    let files = encrypted_package(dir.path(), &[other, public]);
    assert_python_decrypts(&cli, &secret, &dir.path().join("encrypted"), &files);
}

#[test]
fn python_decrypts_after_recipient_added() {
    let Some(cli) = cli("python_decrypts_after_recipient_added") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let custodian = SecretKey::generate();
    let files = encrypted_package(dir.path(), &[custodian.public_key()]);
    let (secret, public) = python_keygen(&cli, dir.path(), "added");

    // Add the recipient the way the delivery service does: headers only.
    let rewritten = dir.path().join("rewritten");
    std::fs::create_dir_all(&rewritten).unwrap();
    for file in &files {
        let source = std::fs::File::open(dir.path().join("encrypted").join(&file.name)).unwrap();
        let target = std::fs::File::create(rewritten.join(&file.name)).unwrap();
        hap_crypt4gh::reencrypt_header(source, target, &custodian, &[public], None).unwrap();
    }
    assert_python_decrypts(&cli, &secret, &rewritten, &files);
}
