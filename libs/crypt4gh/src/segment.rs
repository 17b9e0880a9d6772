//! Data segments: each 64 KiB block of plaintext is stored as a random 12-byte nonce,
//! the ChaCha20-Poly1305 ciphertext (no associated data) and its 16-byte MAC.

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use rand::RngCore;
use rand::rngs::OsRng;

use crate::header::DataKey;

/// Plaintext bytes in every segment except the last.
pub const SEGMENT_SIZE: usize = 65536;
pub(crate) const NONCE_LEN: usize = 12;
pub(crate) const MAC_LEN: usize = 16;
/// Stored bytes of a full segment: 65564.
pub(crate) const CIPHER_SEGMENT_SIZE: usize = NONCE_LEN + SEGMENT_SIZE + MAC_LEN;

/// Error from `encrypt_segment`. chacha20poly1305 0.10 fails only on inputs of 2^32
/// ChaCha20 blocks (256 GiB) or more, far above one segment.
pub(crate) struct SegmentEncryptionFailed;

pub(crate) fn cipher_for(key: &DataKey) -> ChaCha20Poly1305 {
    ChaCha20Poly1305::new((&key.0).into())
}

/// Replaces `out` with the stored form of `plaintext`: nonce, ciphertext, MAC.
pub(crate) fn encrypt_segment(
    cipher: &ChaCha20Poly1305,
    plaintext: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), SegmentEncryptionFailed> {
    let mut nonce = [0_u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    out.clear();
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plaintext);
    let tag = cipher
        .encrypt_in_place_detached(Nonce::from_slice(&nonce), b"", &mut out[NONCE_LEN..])
        .map_err(|_| SegmentEncryptionFailed)?;
    out.extend_from_slice(&tag);
    Ok(())
}

/// Replaces `out` with the plaintext of `segment`, trying each cipher in turn.
///
/// Returns `false` when no cipher authenticates the segment; `out` is then unspecified.
/// `segment` must contain at least `NONCE_LEN + MAC_LEN` bytes.
pub(crate) fn decrypt_segment(
    ciphers: &[ChaCha20Poly1305],
    segment: &[u8],
    out: &mut Vec<u8>,
) -> bool {
    let Some((nonce, sealed)) = segment.split_first_chunk::<NONCE_LEN>() else {
        return false;
    };
    let Some((ciphertext, tag)) = sealed.split_last_chunk::<MAC_LEN>() else {
        return false;
    };
    let nonce = Nonce::from_slice(nonce);
    for cipher in ciphers {
        out.clear();
        out.extend_from_slice(ciphertext);
        if cipher
            .decrypt_in_place_detached(nonce, b"", out, tag.into())
            .is_ok()
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::DATA_KEY_LEN;

    fn encrypted(key: &DataKey, plaintext: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        assert!(encrypt_segment(&cipher_for(key), plaintext, &mut out).is_ok());
        out
    }

    #[test]
    fn segment_round_trip() {
        let key = DataKey([4; DATA_KEY_LEN]);
        let stored = encrypted(&key, b"hello segment");
        assert_eq!(stored.len(), NONCE_LEN + 13 + MAC_LEN);
        let mut plaintext = Vec::new();
        assert!(decrypt_segment(
            &[cipher_for(&key)],
            &stored,
            &mut plaintext
        ));
        assert_eq!(plaintext, b"hello segment");
    }

    #[test]
    fn second_key_is_tried() {
        let key = DataKey([4; DATA_KEY_LEN]);
        let other = DataKey([5; DATA_KEY_LEN]);
        let stored = encrypted(&key, b"data");
        let mut plaintext = Vec::new();
        assert!(decrypt_segment(
            &[cipher_for(&other), cipher_for(&key)],
            &stored,
            &mut plaintext
        ));
        assert_eq!(plaintext, b"data");
    }

    #[test]
    fn flipped_mac_byte_fails() {
        let key = DataKey([4; DATA_KEY_LEN]);
        let mut stored = encrypted(&key, b"data");
        let last = stored.len() - 1;
        stored[last] ^= 0x80;
        assert!(!decrypt_segment(
            &[cipher_for(&key)],
            &stored,
            &mut Vec::new()
        ));
    }

    #[test]
    fn full_segment_has_expected_size() {
        let key = DataKey([4; DATA_KEY_LEN]);
        let stored = encrypted(&key, &vec![0; SEGMENT_SIZE]);
        assert_eq!(stored.len(), CIPHER_SEGMENT_SIZE);
        assert_eq!(CIPHER_SEGMENT_SIZE, 65564);
    }
}
