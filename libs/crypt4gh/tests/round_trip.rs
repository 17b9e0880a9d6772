#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Encryption and decryption through the public API of hap-crypt4gh.

use std::io::Read;

use hap_crypt4gh::{
    Crypt4ghError, KeyProtection, PublicKey, SEGMENT_SIZE, SecretKey, decrypt, encrypt,
    reencrypt_header,
};

/// Header size for one recipient: 16-byte preamble plus a 108-byte packet.
const ONE_RECIPIENT_HEADER_LEN: usize = 16 + 108;
/// Nonce and MAC added to every segment.
const SEGMENT_OVERHEAD: usize = 28;

/// Deterministic test data that is not all one byte value.
fn plaintext(len: usize) -> Vec<u8> {
    (0..len).map(|index| (index * 31 % 251) as u8).collect()
}

fn encrypt_for(data: &[u8], recipients: &[PublicKey], sender: Option<&SecretKey>) -> Vec<u8> {
    let mut out = Vec::new();
    let read = encrypt(data, &mut out, recipients, sender).unwrap();
    assert_eq!(read, data.len() as u64);
    out
}

fn decrypt_with(encrypted: &[u8], key: &SecretKey) -> Result<Vec<u8>, Crypt4ghError> {
    let mut out = Vec::new();
    let summary = decrypt(encrypted, &mut out, key)?;
    assert_eq!(summary.plaintext_bytes, out.len() as u64);
    Ok(out)
}

#[test]
fn empty_file_round_trip() {
    let reader = SecretKey::generate();
    let encrypted = encrypt_for(b"", &[reader.public_key()], None);
    assert_eq!(
        encrypted.len(),
        ONE_RECIPIENT_HEADER_LEN,
        "an empty file has no segment"
    );
    assert_eq!(decrypt_with(&encrypted, &reader).unwrap(), b"");
}

#[test]
fn exactly_one_segment_round_trip() {
    let reader = SecretKey::generate();
    let data = plaintext(SEGMENT_SIZE);
    let encrypted = encrypt_for(&data, &[reader.public_key()], None);
    assert_eq!(
        encrypted.len(),
        ONE_RECIPIENT_HEADER_LEN + SEGMENT_SIZE + SEGMENT_OVERHEAD
    );
    assert_eq!(decrypt_with(&encrypted, &reader).unwrap(), data);
}

#[test]
fn one_segment_plus_one_byte_round_trip() {
    let reader = SecretKey::generate();
    let data = plaintext(SEGMENT_SIZE + 1);
    let encrypted = encrypt_for(&data, &[reader.public_key()], None);
    assert_eq!(
        encrypted.len(),
        ONE_RECIPIENT_HEADER_LEN + SEGMENT_SIZE + 1 + 2 * SEGMENT_OVERHEAD
    );
    assert_eq!(decrypt_with(&encrypted, &reader).unwrap(), data);
}

#[test]
fn several_segments_round_trip() {
    let reader = SecretKey::generate();
    let data = plaintext(3 * SEGMENT_SIZE + 12_345);
    let encrypted = encrypt_for(&data, &[reader.public_key()], None);
    assert_eq!(decrypt_with(&encrypted, &reader).unwrap(), data);
}

#[test]
fn every_recipient_decrypts() {
    let readers: Vec<SecretKey> = (0..3).map(|_| SecretKey::generate()).collect();
    let publics: Vec<PublicKey> = readers.iter().map(SecretKey::public_key).collect();
    let data = plaintext(100_000);
    let encrypted = encrypt_for(&data, &publics, None);
    for (index, reader) in readers.iter().enumerate() {
        assert_eq!(
            decrypt_with(&encrypted, reader).unwrap(),
            data,
            "recipient {index}"
        );
    }
}

#[test]
fn wrong_key_rejected() {
    let data = plaintext(1000);
    let encrypted = encrypt_for(&data, &[SecretKey::generate().public_key()], None);
    let error = decrypt_with(&encrypted, &SecretKey::generate()).unwrap_err();
    assert!(matches!(
        error,
        Crypt4ghError::NoPacketForKey { packets: 1 }
    ));
}

#[test]
fn flipped_segment_byte_detected() {
    let reader = SecretKey::generate();
    let data = plaintext(2 * SEGMENT_SIZE + 10);
    let mut encrypted = encrypt_for(&data, &[reader.public_key()], None);
    // A byte inside the ciphertext of the second segment.
    let position = ONE_RECIPIENT_HEADER_LEN + (SEGMENT_SIZE + SEGMENT_OVERHEAD) + 100;
    encrypted[position] ^= 0x01;
    let error = decrypt_with(&encrypted, &reader).unwrap_err();
    assert!(matches!(
        error,
        Crypt4ghError::AuthenticationFailed {
            segment: 1,
            offset: 65564
        }
    ));
}

#[test]
fn flipped_header_byte_detected() {
    let reader = SecretKey::generate();
    let mut encrypted = encrypt_for(&plaintext(10), &[reader.public_key()], None);
    encrypted[ONE_RECIPIENT_HEADER_LEN - 1] ^= 0x01;
    let error = decrypt_with(&encrypted, &reader).unwrap_err();
    assert!(matches!(error, Crypt4ghError::NoPacketForKey { .. }));
}

#[test]
fn truncated_segment_detected() {
    let reader = SecretKey::generate();
    let encrypted = encrypt_for(&plaintext(10), &[reader.public_key()], None);
    let cut = &encrypted[..ONE_RECIPIENT_HEADER_LEN + 20];
    let error = decrypt_with(cut, &reader).unwrap_err();
    assert!(matches!(
        error,
        Crypt4ghError::TruncatedSegment {
            segment: 0,
            len: 20
        }
    ));
}

#[test]
fn plain_file_rejected() {
    let error = decrypt_with(b"id,age\n1,40\n", &SecretKey::generate()).unwrap_err();
    assert!(matches!(error, Crypt4ghError::NotCrypt4gh { .. }));
}

#[test]
fn no_recipients_rejected() {
    let error = encrypt(&b"data"[..], Vec::new(), &[], None).unwrap_err();
    assert!(matches!(error, Crypt4ghError::NoRecipients));
}

#[test]
fn low_order_recipient_rejected() {
    let recipients = [
        SecretKey::generate().public_key(),
        PublicKey::from_bytes([0; 32]),
    ];
    let error = encrypt(&b"data"[..], Vec::new(), &recipients, None).unwrap_err();
    assert!(matches!(
        error,
        Crypt4ghError::LowOrderPublicKey { index: 1 }
    ));
}

#[test]
fn sender_key_reported() {
    let sender = SecretKey::generate();
    let reader = SecretKey::generate();
    let encrypted = encrypt_for(b"signed-ish", &[reader.public_key()], Some(&sender));
    let summary = decrypt(encrypted.as_slice(), Vec::new(), &reader).unwrap();
    assert_eq!(summary.writers, vec![sender.public_key()]);
}

#[test]
fn anonymous_sender_differs_per_file() {
    let reader = SecretKey::generate();
    let first = encrypt_for(b"a", &[reader.public_key()], None);
    let second = encrypt_for(b"a", &[reader.public_key()], None);
    let first_writer = decrypt(first.as_slice(), Vec::new(), &reader)
        .unwrap()
        .writers;
    let second_writer = decrypt(second.as_slice(), Vec::new(), &reader)
        .unwrap()
        .writers;
    assert_ne!(first_writer, second_writer);
}

#[test]
fn reencrypt_adds_recipient_keeps_segments() {
    let owner = SecretKey::generate();
    let newcomer = SecretKey::generate();
    let data = plaintext(SEGMENT_SIZE + 500);
    let encrypted = encrypt_for(&data, &[owner.public_key()], None);

    let mut reencrypted = Vec::new();
    let copied = reencrypt_header(
        encrypted.as_slice(),
        &mut reencrypted,
        &owner,
        &[newcomer.public_key()],
        None,
    )
    .unwrap();

    let data_len = encrypted.len() - ONE_RECIPIENT_HEADER_LEN;
    assert_eq!(copied, data_len as u64);
    assert_eq!(reencrypted.len(), encrypted.len() + 108, "one packet added");
    assert_eq!(
        &reencrypted[reencrypted.len() - data_len..],
        &encrypted[ONE_RECIPIENT_HEADER_LEN..],
        "data segments are copied unchanged"
    );
    assert_eq!(decrypt_with(&reencrypted, &newcomer).unwrap(), data);
    assert_eq!(decrypt_with(&reencrypted, &owner).unwrap(), data);
}

#[test]
fn reencrypt_needs_readable_packet() {
    let encrypted = encrypt_for(b"data", &[SecretKey::generate().public_key()], None);
    let error = reencrypt_header(
        encrypted.as_slice(),
        Vec::new(),
        &SecretKey::generate(),
        &[SecretKey::generate().public_key()],
        None,
    )
    .unwrap_err();
    assert!(matches!(error, Crypt4ghError::NoPacketForKey { .. }));
}

#[test]
fn key_files_work_end_to_end() {
    let reader = SecretKey::generate();
    let public = PublicKey::from_pem(&reader.public_key().to_pem()).unwrap();
    let secret_text = reader
        .to_pem(KeyProtection::Scrypt { passphrase: "pw" })
        .unwrap();
    let secret = SecretKey::from_pem(&secret_text, Some("pw")).unwrap();

    let encrypted = encrypt_for(b"via key files", &[public], None);
    assert_eq!(decrypt_with(&encrypted, &secret).unwrap(), b"via key files");
}

/// Yields `len` bytes of `plaintext` pattern without holding them all in memory.
struct PatternReader {
    position: usize,
    len: usize,
}

impl Read for PatternReader {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        // Short reads on purpose, to exercise buffering across segment boundaries.
        let count = buffer.len().min(self.len - self.position).min(10_000);
        for (offset, byte) in buffer[..count].iter_mut().enumerate() {
            *byte = ((self.position + offset) * 31 % 251) as u8;
        }
        self.position += count;
        Ok(count)
    }
}

#[test]
fn short_reads_give_same_segments() {
    let reader = SecretKey::generate();
    let len = 5 * SEGMENT_SIZE + 3;
    let mut encrypted = Vec::new();
    let read = encrypt(
        PatternReader { position: 0, len },
        &mut encrypted,
        &[reader.public_key()],
        None,
    )
    .unwrap();
    assert_eq!(read, len as u64);
    assert_eq!(
        encrypted.len(),
        ONE_RECIPIENT_HEADER_LEN + len + 6 * SEGMENT_OVERHEAD,
        "segments are full 64 KiB blocks despite short reads"
    );
    assert_eq!(decrypt_with(&encrypted, &reader).unwrap(), plaintext(len));
}
