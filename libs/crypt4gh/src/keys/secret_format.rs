//! The `c4gh-v1` encoding of a secret key, the body of a Crypt4GH private key file.
//!
//! Layout: the magic word `c4gh-v1`, then strings, each a 2-byte big-endian length
//! followed by that many bytes. The strings are the KDF name, the KDF options, the cipher
//! name, the key blob and an optional comment. KDF options are present only when the KDF
//! is not `none`, and contain the 4-byte big-endian round count followed by the salt.
//! A protected blob is a 12-byte nonce followed by the ChaCha20-Poly1305 ciphertext of
//! the 32-byte key.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use rand::RngCore;
use rand::rngs::OsRng;

use super::KeyError;
use super::kdf::{Kdf, SALT_LEN};

const MAGIC_WORD: &[u8] = b"c4gh-v1";
const CIPHER_NONE: &[u8] = b"none";
const CIPHER_CHACHA20_POLY1305: &[u8] = b"chacha20_poly1305";
const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 12;

/// Protection of the key material in a secret key file.
#[derive(Clone, Copy)]
pub enum KeyProtection<'a> {
    /// Stores the key in clear (KDF and cipher `none`), as `crypt4gh-keygen --nocrypt` does.
    None,
    /// Encrypts the key with ChaCha20-Poly1305 under a key derived by scrypt from the
    /// passphrase, the default of `crypt4gh-keygen`.
    Scrypt { passphrase: &'a str },
}

impl std::fmt::Debug for KeyProtection<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyProtection::None => formatter.write_str("None"),
            KeyProtection::Scrypt { .. } => {
                formatter.write_str("Scrypt { passphrase: <redacted> }")
            }
        }
    }
}

/// Decodes the key material, unlocking it with `passphrase` when the key is protected.
pub(crate) fn decode(bytes: &[u8], passphrase: Option<&str>) -> Result<[u8; KEY_LEN], KeyError> {
    let rest = bytes
        .strip_prefix(MAGIC_WORD)
        .ok_or(KeyError::NotCrypt4ghSecretKey)?;
    let mut fields = FieldReader { rest };

    let kdf_name = fields.next("KDF name")?;
    let kdf = Kdf::from_name(kdf_name)?;
    let kdf_options = match kdf {
        Some(_) => Some(fields.next("KDF options")?),
        None => None,
    };
    let cipher_name = fields.next("cipher name")?;
    let blob = fields.next("key material")?;
    // The optional comment that may follow is not used.

    let cipher_is_none = match cipher_name {
        CIPHER_NONE => true,
        CIPHER_CHACHA20_POLY1305 => false,
        other => {
            return Err(KeyError::UnsupportedCipher {
                name: String::from_utf8_lossy(other).into_owned(),
            });
        }
    };

    match (kdf, kdf_options) {
        (None, _) if cipher_is_none => key_from_slice(blob, "secret key"),
        (Some(kdf), Some(options)) if !cipher_is_none => {
            let passphrase = passphrase.ok_or(KeyError::PassphraseRequired { kdf: kdf.name() })?;
            unlock(kdf, options, blob, passphrase)
        }
        _ => Err(KeyError::KdfCipherMismatch {
            kdf: String::from_utf8_lossy(kdf_name).into_owned(),
            cipher: String::from_utf8_lossy(cipher_name).into_owned(),
        }),
    }
}

/// Encodes the key material, protected as `protection` specifies.
pub(crate) fn encode(
    key: &[u8; KEY_LEN],
    protection: KeyProtection<'_>,
) -> Result<Vec<u8>, KeyError> {
    let mut out = MAGIC_WORD.to_vec();
    match protection {
        KeyProtection::None => {
            push_field(&mut out, b"none")?;
            push_field(&mut out, CIPHER_NONE)?;
            push_field(&mut out, key)?;
        }
        KeyProtection::Scrypt { passphrase } => {
            let kdf = Kdf::Scrypt;
            let rounds: u32 = 0;
            let mut salt = [0_u8; SALT_LEN];
            OsRng.fill_bytes(&mut salt);
            let derived = kdf.derive(passphrase, &salt, rounds)?;

            let mut nonce = [0_u8; NONCE_LEN];
            OsRng.fill_bytes(&mut nonce);
            let ciphertext = ChaCha20Poly1305::new((&derived).into())
                .encrypt(Nonce::from_slice(&nonce), key.as_slice())
                .map_err(|_| KeyError::Protection {
                    reason: "ChaCha20-Poly1305 encryption of the key failed".to_string(),
                })?;

            let mut options = rounds.to_be_bytes().to_vec();
            options.extend_from_slice(&salt);
            let mut blob = nonce.to_vec();
            blob.extend_from_slice(&ciphertext);

            push_field(&mut out, kdf.name().as_bytes())?;
            push_field(&mut out, &options)?;
            push_field(&mut out, CIPHER_CHACHA20_POLY1305)?;
            push_field(&mut out, &blob)?;
        }
    }
    Ok(out)
}

fn unlock(
    kdf: Kdf,
    options: &[u8],
    blob: &[u8],
    passphrase: &str,
) -> Result<[u8; KEY_LEN], KeyError> {
    let Some((rounds, salt)) = options.split_first_chunk::<4>() else {
        return Err(KeyError::InvalidKdfParameters {
            kdf: kdf.name(),
            reason: format!(
                "the options field has {} bytes, expected at least 4",
                options.len()
            ),
        });
    };
    let rounds = u32::from_be_bytes(*rounds);
    let derived = kdf.derive(passphrase, salt, rounds)?;

    let Some((nonce, ciphertext)) = blob.split_first_chunk::<NONCE_LEN>() else {
        return Err(KeyError::WrongLength {
            key_kind: "protected secret key",
            expected: NONCE_LEN + KEY_LEN + 16,
            found: blob.len(),
        });
    };
    let plaintext = ChaCha20Poly1305::new((&derived).into())
        .decrypt(Nonce::from_slice(nonce), ciphertext)
        .map_err(|_| KeyError::WrongPassphrase)?;
    key_from_slice(&plaintext, "secret key")
}

fn key_from_slice(bytes: &[u8], key_kind: &'static str) -> Result<[u8; KEY_LEN], KeyError> {
    <[u8; KEY_LEN]>::try_from(bytes).map_err(|_| KeyError::WrongLength {
        key_kind,
        expected: KEY_LEN,
        found: bytes.len(),
    })
}

fn push_field(out: &mut Vec<u8>, value: &[u8]) -> Result<(), KeyError> {
    let len = u16::try_from(value.len()).map_err(|_| KeyError::Protection {
        reason: format!("a {}-byte field does not fit a 2-byte length", value.len()),
    })?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(value);
    Ok(())
}

/// Reads length-prefixed strings from the encoded key.
struct FieldReader<'a> {
    rest: &'a [u8],
}

impl<'a> FieldReader<'a> {
    fn next(&mut self, field: &'static str) -> Result<&'a [u8], KeyError> {
        let (len, rest) = self
            .rest
            .split_first_chunk::<2>()
            .ok_or(KeyError::Truncated { field })?;
        let len = usize::from(u16::from_be_bytes(*len));
        if rest.len() < len {
            return Err(KeyError::Truncated { field });
        }
        let (value, rest) = rest.split_at(len);
        self.rest = rest;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; KEY_LEN] = [42; KEY_LEN];

    #[test]
    fn unprotected_round_trip() {
        let bytes = encode(&KEY, KeyProtection::None).unwrap();
        assert_eq!(decode(&bytes, None).unwrap(), KEY);
    }

    #[test]
    fn unprotected_layout_matches_keygen_nocrypt() {
        let bytes = encode(&KEY, KeyProtection::None).unwrap();
        let mut expected = b"c4gh-v1\x00\x04none\x00\x04none\x00\x20".to_vec();
        expected.extend_from_slice(&KEY);
        assert_eq!(bytes, expected);
    }

    #[test]
    fn scrypt_round_trip() {
        let bytes = encode(
            &KEY,
            KeyProtection::Scrypt {
                passphrase: "correct horse",
            },
        )
        .unwrap();
        assert_eq!(decode(&bytes, Some("correct horse")).unwrap(), KEY);
    }

    #[test]
    fn scrypt_wrong_passphrase_rejected() {
        let bytes = encode(
            &KEY,
            KeyProtection::Scrypt {
                passphrase: "correct horse",
            },
        )
        .unwrap();
        let error = decode(&bytes, Some("battery staple")).unwrap_err();
        assert!(matches!(error, KeyError::WrongPassphrase));
    }

    #[test]
    fn scrypt_without_passphrase_rejected() {
        let bytes = encode(
            &KEY,
            KeyProtection::Scrypt {
                passphrase: "correct horse",
            },
        )
        .unwrap();
        let error = decode(&bytes, None).unwrap_err();
        assert!(matches!(
            error,
            KeyError::PassphraseRequired { kdf: "scrypt" }
        ));
    }

    #[test]
    fn bcrypt_protected_key_unlocks() {
        let salt = [5_u8; SALT_LEN];
        let rounds: u32 = 4;
        let derived = Kdf::Bcrypt.derive("pass", &salt, rounds).unwrap();
        let nonce = [9_u8; NONCE_LEN];
        let ciphertext = ChaCha20Poly1305::new((&derived).into())
            .encrypt(Nonce::from_slice(&nonce), KEY.as_slice())
            .unwrap();
        let mut options = rounds.to_be_bytes().to_vec();
        options.extend_from_slice(&salt);
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ciphertext);
        let mut bytes = MAGIC_WORD.to_vec();
        push_field(&mut bytes, b"bcrypt").unwrap();
        push_field(&mut bytes, &options).unwrap();
        push_field(&mut bytes, CIPHER_CHACHA20_POLY1305).unwrap();
        push_field(&mut bytes, &blob).unwrap();
        push_field(&mut bytes, b"a comment").unwrap();

        assert_eq!(decode(&bytes, Some("pass")).unwrap(), KEY);
    }

    #[test]
    fn rejects_other_magic_word() {
        let error = decode(b"openssh-key-v1\0", None).unwrap_err();
        assert!(matches!(error, KeyError::NotCrypt4ghSecretKey));
    }

    #[test]
    fn rejects_truncated_field() {
        let error = decode(b"c4gh-v1\x00\x04no", None).unwrap_err();
        assert!(matches!(error, KeyError::Truncated { field: "KDF name" }));
    }

    #[test]
    fn rejects_short_clear_key() {
        let error = decode(b"c4gh-v1\x00\x04none\x00\x04none\x00\x03abc", None).unwrap_err();
        assert!(matches!(
            error,
            KeyError::WrongLength {
                expected: 32,
                found: 3,
                ..
            }
        ));
    }

    #[test]
    fn rejects_unknown_cipher() {
        let error = decode(b"c4gh-v1\x00\x04none\x00\x07aes-gcm\x00\x00", None).unwrap_err();
        assert!(matches!(error, KeyError::UnsupportedCipher { .. }));
    }

    #[test]
    fn rejects_kdf_without_cipher() {
        let error = decode(
            b"c4gh-v1\x00\x06scrypt\x00\x04\x00\x00\x00\x00\x00\x04none\x00\x00",
            None,
        )
        .unwrap_err();
        assert!(matches!(error, KeyError::KdfCipherMismatch { .. }));
    }

    #[test]
    fn debug_redacts_passphrase() {
        let text = format!(
            "{:?}",
            KeyProtection::Scrypt {
                passphrase: "hunter2"
            }
        );
        assert!(!text.contains("hunter2"));
    }
}
