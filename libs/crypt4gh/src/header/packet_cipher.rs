//! Header packet encryption method 0, X25519_chacha20_ietf_poly1305.
//!
//! The shared key is the first 32 bytes of BLAKE2b-512(DH || reader public key ||
//! writer public key), where DH is X25519 of the writer's secret key and the reader's
//! public key (or of the reader's secret key and the writer's public key). The packet
//! stores the method, the writer's public key, a random 12-byte nonce, and the
//! ChaCha20-Poly1305 ciphertext with its 16-byte MAC.

use blake2::{Blake2b512, Digest};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use rand::rngs::OsRng;

use super::EncryptedPacket;
use crate::keys::{KEY_LEN, PublicKey, SecretKey};

pub(crate) const METHOD_X25519_CHACHA20_POLY1305: u32 = 0;
const NONCE_LEN: usize = 12;
const MAC_LEN: usize = 16;
const PREFIX_LEN: usize = 4 + KEY_LEN + NONCE_LEN;

/// Why a packet could not be sealed for a recipient.
pub(crate) enum SealError {
    /// The recipient's public key is a low-order point, so the DH output is all zeros.
    LowOrderPublicKey,
    Encryption,
}

/// Encrypts `plaintext` from `writer` to `reader`.
pub(crate) fn seal(
    plaintext: &[u8],
    writer: &SecretKey,
    reader: &PublicKey,
) -> Result<EncryptedPacket, SealError> {
    let writer_public = writer.public_key();
    let dh = writer.as_dalek().diffie_hellman(reader.as_dalek());
    if !dh.was_contributory() {
        return Err(SealError::LowOrderPublicKey);
    }
    let key = shared_key(dh.as_bytes(), reader, &writer_public);

    let mut nonce = [0_u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    let ciphertext = ChaCha20Poly1305::new(&key)
        .encrypt(Nonce::from_slice(&nonce), plaintext)
        .map_err(|_| SealError::Encryption)?;

    let mut bytes = Vec::with_capacity(PREFIX_LEN + ciphertext.len());
    bytes.extend_from_slice(&METHOD_X25519_CHACHA20_POLY1305.to_le_bytes());
    bytes.extend_from_slice(writer_public.as_bytes());
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&ciphertext);
    Ok(EncryptedPacket { bytes })
}

/// A packet that `reader` decrypted, with the public key of its writer.
pub(crate) struct OpenedPacket {
    pub(crate) plaintext: Vec<u8>,
    pub(crate) writer: PublicKey,
}

/// Decrypts `packet` with the reader's secret key.
///
/// Returns `None` when the packet uses another method, is too short, or fails
/// authentication: the format expects readers to skip packets meant for other keys.
pub(crate) fn open(packet: &EncryptedPacket, reader: &SecretKey) -> Option<OpenedPacket> {
    if packet.method() != Some(METHOD_X25519_CHACHA20_POLY1305) {
        return None;
    }
    if packet.bytes.len() < PREFIX_LEN + MAC_LEN {
        return None;
    }
    let (_method, rest) = packet.bytes.split_first_chunk::<4>()?;
    let (writer_bytes, rest) = rest.split_first_chunk::<KEY_LEN>()?;
    let (nonce, ciphertext) = rest.split_first_chunk::<NONCE_LEN>()?;

    let writer = PublicKey::from_bytes(*writer_bytes);
    let dh = reader.as_dalek().diffie_hellman(writer.as_dalek());
    if !dh.was_contributory() {
        return None;
    }
    let key = shared_key(dh.as_bytes(), &reader.public_key(), &writer);
    let plaintext = ChaCha20Poly1305::new(&key)
        .decrypt(Nonce::from_slice(nonce), ciphertext)
        .ok()?;
    Some(OpenedPacket { plaintext, writer })
}

fn shared_key(dh: &[u8; KEY_LEN], reader: &PublicKey, writer: &PublicKey) -> Key {
    let mut hasher = Blake2b512::new();
    hasher.update(dh);
    hasher.update(reader.as_bytes());
    hasher.update(writer.as_bytes());
    let digest = hasher.finalize();
    *Key::from_slice(&digest[..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_opens_sealed_packet() {
        let writer = SecretKey::generate();
        let reader = SecretKey::generate();
        let Ok(packet) = seal(b"payload", &writer, &reader.public_key()) else {
            panic!("sealing failed");
        };
        let opened = open(&packet, &reader).unwrap();
        assert_eq!(opened.plaintext, b"payload");
        assert_eq!(opened.writer, writer.public_key());
    }

    #[test]
    fn packet_layout_has_prefix_and_mac() {
        let writer = SecretKey::generate();
        let Ok(packet) = seal(b"payload", &writer, &SecretKey::generate().public_key()) else {
            panic!("sealing failed");
        };
        assert_eq!(packet.bytes.len(), PREFIX_LEN + 7 + MAC_LEN);
        assert_eq!(packet.method(), Some(METHOD_X25519_CHACHA20_POLY1305));
        assert_eq!(&packet.bytes[4..36], writer.public_key().as_bytes());
    }

    #[test]
    fn other_reader_cannot_open() {
        let writer = SecretKey::generate();
        let Ok(packet) = seal(b"payload", &writer, &SecretKey::generate().public_key()) else {
            panic!("sealing failed");
        };
        assert!(open(&packet, &SecretKey::generate()).is_none());
    }

    #[test]
    fn flipped_ciphertext_byte_fails() {
        let writer = SecretKey::generate();
        let reader = SecretKey::generate();
        let Ok(mut packet) = seal(b"payload", &writer, &reader.public_key()) else {
            panic!("sealing failed");
        };
        packet.bytes[PREFIX_LEN] ^= 1;
        assert!(open(&packet, &reader).is_none());
    }

    #[test]
    fn low_order_recipient_rejected() {
        let writer = SecretKey::generate();
        let zero_point = PublicKey::from_bytes([0; KEY_LEN]);
        let result = seal(b"payload", &writer, &zero_point);
        assert!(matches!(result, Err(SealError::LowOrderPublicKey)));
    }
}
