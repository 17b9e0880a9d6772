#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]
//! Interoperability with the Python `crypt4gh` command-line tool, an independent
//! implementation of the format.
//!
//! Set `HAP_CRYPT4GH_CLI` to the `crypt4gh` executable, for example with
//! `HAP_CRYPT4GH_CLI="$(tools/install-crypt4gh-cli.sh)"`; `crypt4gh-keygen` must sit
//! in the same folder. Without the variable every test prints why it was skipped and
//! passes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use hap_crypt4gh::{
    KeyProtection, PublicKey, SEGMENT_SIZE, SecretKey, decrypt, encrypt, reencrypt_header,
};

const CLI_VARIABLE: &str = "HAP_CRYPT4GH_CLI";

/// Plaintext sizes that cover no segment, a partial one, a segment boundary, and several.
const SIZES: [usize; 5] = [0, 1, SEGMENT_SIZE, SEGMENT_SIZE + 1, 3 * SEGMENT_SIZE + 777];

/// The Python tools, or `None` after printing why the test is skipped.
struct PythonCrypt4gh {
    cli: PathBuf,
    keygen: PathBuf,
}

fn python_tools(test: &str) -> Option<PythonCrypt4gh> {
    let Some(cli) = std::env::var_os(CLI_VARIABLE) else {
        println!(
            "{test}: skipped because {CLI_VARIABLE} is not set; set it to the path printed by \
             tools/install-crypt4gh-cli.sh to run the Python interoperability tests"
        );
        return None;
    };
    let cli = PathBuf::from(cli);
    assert!(
        cli.is_file(),
        "{CLI_VARIABLE}={} is not a file",
        cli.display()
    );
    let keygen = cli.with_file_name("crypt4gh-keygen");
    assert!(
        keygen.is_file(),
        "crypt4gh-keygen not found next to {}",
        cli.display()
    );
    Some(PythonCrypt4gh { cli, keygen })
}

impl PythonCrypt4gh {
    /// Runs `crypt4gh-keygen --nocrypt` and returns the paths of the secret and public key.
    fn keygen(&self, dir: &Path, name: &str) -> (PathBuf, PathBuf) {
        let secret = dir.join(format!("{name}.sec"));
        let public = dir.join(format!("{name}.pub"));
        let output = Command::new(&self.keygen)
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
        (secret, public)
    }

    /// Runs `crypt4gh ARGS` with `input` on stdin and returns stdout, or stderr on failure.
    fn run(
        &self,
        args: &[&str],
        input: &[u8],
        passphrase: Option<&str>,
    ) -> Result<Vec<u8>, String> {
        let mut command = Command::new(&self.cli);
        command
            .args(args)
            .env_remove("C4GH_SECRET_KEY")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        match passphrase {
            Some(passphrase) => command.env("C4GH_PASSPHRASE", passphrase),
            None => command.env_remove("C4GH_PASSPHRASE"),
        };
        let mut child = command.spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let input = input.to_vec();
        // Writing from another thread keeps a full stdout pipe from blocking the input.
        let feeder = std::thread::spawn(move || stdin.write_all(&input));
        let output = child.wait_with_output().unwrap();
        feeder.join().unwrap().unwrap();
        if output.status.success() {
            Ok(output.stdout)
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }
}

/// Non-repeating test data (xorshift64), so that a slice shows where it came from.
fn plaintext(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8
        })
        .collect()
}

/// Compares byte strings by length and first difference instead of dumping them.
fn assert_same_bytes(actual: &[u8], expected: &[u8], context: &str) {
    assert_eq!(actual.len(), expected.len(), "{context}: length");
    let first_difference = actual
        .iter()
        .zip(expected)
        .position(|(left, right)| left != right);
    assert_eq!(first_difference, None, "{context}: first differing byte");
}

fn path_arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn rust_encrypt(data: &[u8], recipients: &[PublicKey], sender: Option<&SecretKey>) -> Vec<u8> {
    let mut out = Vec::new();
    encrypt(data, &mut out, recipients, sender).unwrap();
    out
}

fn rust_decrypt(encrypted: &[u8], key: &SecretKey) -> Vec<u8> {
    let mut out = Vec::new();
    decrypt(encrypted, &mut out, key).unwrap();
    out
}

#[test]
fn python_decrypts_rust_output() {
    let Some(python) = python_tools("python_decrypts_rust_output") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (secret_path, public_path) = python.keygen(dir.path(), "reader");
    let public = PublicKey::from_pem(&std::fs::read_to_string(&public_path).unwrap()).unwrap();
    let other = SecretKey::generate().public_key();

    for size in SIZES {
        let data = plaintext(size);
        let encrypted = rust_encrypt(&data, &[other, public], None);
        let decrypted = python
            .run(
                &["decrypt", "--sk", path_arg(&secret_path)],
                &encrypted,
                None,
            )
            .unwrap_or_else(|stderr| panic!("crypt4gh decrypt failed for {size} bytes: {stderr}"));
        assert_same_bytes(&decrypted, &data, &format!("{size} bytes"));
    }
}

#[test]
fn rust_decrypts_python_output() {
    let Some(python) = python_tools("rust_decrypts_python_output") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (secret_path, public_path) = python.keygen(dir.path(), "reader");
    let secret =
        SecretKey::from_pem(&std::fs::read_to_string(&secret_path).unwrap(), None).unwrap();

    for size in SIZES {
        let data = plaintext(size);
        let encrypted = python
            .run(
                &["encrypt", "--recipient_pk", path_arg(&public_path)],
                &data,
                None,
            )
            .unwrap_or_else(|stderr| panic!("crypt4gh encrypt failed for {size} bytes: {stderr}"));
        assert_same_bytes(
            &rust_decrypt(&encrypted, &secret),
            &data,
            &format!("{size} bytes"),
        );
    }
}

#[test]
fn python_reads_rust_key_files() {
    let Some(python) = python_tools("python_reads_rust_key_files") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let secret = SecretKey::generate();
    let public_path = dir.path().join("rust.pub");
    let plain_secret_path = dir.path().join("rust-plain.sec");
    let scrypt_secret_path = dir.path().join("rust-scrypt.sec");
    std::fs::write(&public_path, secret.public_key().to_pem()).unwrap();
    std::fs::write(
        &plain_secret_path,
        secret.to_pem(KeyProtection::None).unwrap(),
    )
    .unwrap();
    std::fs::write(
        &scrypt_secret_path,
        secret
            .to_pem(KeyProtection::Scrypt {
                passphrase: "interop pass",
            })
            .unwrap(),
    )
    .unwrap();

    let data = plaintext(SEGMENT_SIZE + 5);
    let encrypted = python
        .run(
            &["encrypt", "--recipient_pk", path_arg(&public_path)],
            &data,
            None,
        )
        .unwrap_or_else(|stderr| panic!("crypt4gh encrypt failed: {stderr}"));

    let with_plain_key = python
        .run(
            &["decrypt", "--sk", path_arg(&plain_secret_path)],
            &encrypted,
            None,
        )
        .unwrap_or_else(|stderr| {
            panic!("crypt4gh decrypt with the unprotected key failed: {stderr}")
        });
    assert_same_bytes(&with_plain_key, &data, "unprotected key");

    let with_scrypt_key = python
        .run(
            &["decrypt", "--sk", path_arg(&scrypt_secret_path)],
            &encrypted,
            Some("interop pass"),
        )
        .unwrap_or_else(|stderr| panic!("crypt4gh decrypt with the scrypt key failed: {stderr}"));
    assert_same_bytes(&with_scrypt_key, &data, "scrypt key");
}

#[test]
fn python_checks_rust_sender() {
    let Some(python) = python_tools("python_checks_rust_sender") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (secret_path, public_path) = python.keygen(dir.path(), "reader");
    let reader = PublicKey::from_pem(&std::fs::read_to_string(&public_path).unwrap()).unwrap();
    let sender = SecretKey::generate();
    let sender_path = dir.path().join("sender.pub");
    let stranger_path = dir.path().join("stranger.pub");
    std::fs::write(&sender_path, sender.public_key().to_pem()).unwrap();
    std::fs::write(&stranger_path, SecretKey::generate().public_key().to_pem()).unwrap();

    let data = plaintext(1000);
    let encrypted = rust_encrypt(&data, &[reader], Some(&sender));
    let secret_arg = path_arg(&secret_path);

    let decrypted = python
        .run(
            &[
                "decrypt",
                "--sk",
                secret_arg,
                "--sender_pk",
                path_arg(&sender_path),
            ],
            &encrypted,
            None,
        )
        .unwrap_or_else(|stderr| panic!("crypt4gh decrypt --sender_pk failed: {stderr}"));
    assert_same_bytes(&decrypted, &data, "expected sender");

    let wrong_sender = python.run(
        &[
            "decrypt",
            "--sk",
            secret_arg,
            "--sender_pk",
            path_arg(&stranger_path),
        ],
        &encrypted,
        None,
    );
    assert!(
        wrong_sender.is_err(),
        "crypt4gh accepted a file from another sender"
    );
}

#[test]
fn rust_applies_python_edit_list() {
    let Some(python) = python_tools("rust_applies_python_edit_list") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (secret_path, public_path) = python.keygen(dir.path(), "reader");
    let public = PublicKey::from_pem(&std::fs::read_to_string(&public_path).unwrap()).unwrap();
    let secret =
        SecretKey::from_pem(&std::fs::read_to_string(&secret_path).unwrap(), None).unwrap();

    let data = plaintext(4 * SEGMENT_SIZE);
    let encrypted = rust_encrypt(&data, &[public], None);
    let (start, end) = (SEGMENT_SIZE + 1000, 3 * SEGMENT_SIZE - 5);
    let range = format!("{start}-{end}");
    let rearranged = python
        .run(
            &[
                "rearrange",
                "--sk",
                path_arg(&secret_path),
                "--range",
                &range,
            ],
            &encrypted,
            None,
        )
        .unwrap_or_else(|stderr| panic!("crypt4gh rearrange failed: {stderr}"));

    assert!(
        rearranged.len() < encrypted.len(),
        "rearrange dropped no segment"
    );

    let python_output = python
        .run(
            &["decrypt", "--sk", path_arg(&secret_path)],
            &rearranged,
            None,
        )
        .unwrap_or_else(|stderr| {
            panic!("crypt4gh decrypt of the rearranged file failed: {stderr}")
        });
    let rust_output = rust_decrypt(&rearranged, &secret);
    assert_same_bytes(&rust_output, &python_output, "Rust against Python output");
    // crypt4gh 1.8.6 `rearrange --range start-end` keeps end - start - 1 bytes, one
    // fewer than its help text promises; its own `decrypt` returns the same bytes.
    assert!(
        (end - start - 1..=end - start).contains(&rust_output.len()),
        "{} bytes kept for the range {range}",
        rust_output.len()
    );
    assert_same_bytes(
        &rust_output,
        &data[start..start + rust_output.len()],
        "slice of the plaintext from the range start",
    );
}

#[test]
fn python_decrypts_after_rust_reencrypt() {
    let Some(python) = python_tools("python_decrypts_after_rust_reencrypt") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (secret_path, public_path) = python.keygen(dir.path(), "newcomer");
    let newcomer = PublicKey::from_pem(&std::fs::read_to_string(&public_path).unwrap()).unwrap();
    let owner = SecretKey::generate();

    let data = plaintext(2 * SEGMENT_SIZE + 3);
    let encrypted = rust_encrypt(&data, &[owner.public_key()], None);
    let mut reencrypted = Vec::new();
    reencrypt_header(
        encrypted.as_slice(),
        &mut reencrypted,
        &owner,
        &[newcomer],
        None,
    )
    .unwrap();

    let decrypted = python
        .run(
            &["decrypt", "--sk", path_arg(&secret_path)],
            &reencrypted,
            None,
        )
        .unwrap_or_else(|stderr| panic!("crypt4gh decrypt failed: {stderr}"));
    assert_same_bytes(&decrypted, &data, "added recipient");
}
