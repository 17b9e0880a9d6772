//! Key derivation functions that protect `c4gh-v1` secret keys with a passphrase.
//!
//! The parameters match the Python `crypt4gh` package (1.8.6, `crypt4gh/keys/kdf.py`):
//! scrypt with N = 2^14, r = 8, p = 1; bcrypt_pbkdf and PBKDF2-HMAC-SHA256 with the
//! round count stored in the key file. Each derives a 32-byte ChaCha20-Poly1305 key.

use super::KeyError;

/// Length of the derived ChaCha20-Poly1305 key in bytes.
pub(crate) const DERIVED_KEY_LEN: usize = 32;

/// Salt length that this crate writes, the same as `crypt4gh-keygen`.
pub(crate) const SALT_LEN: usize = 16;

/// log2 of the scrypt cost parameter N.
const SCRYPT_LOG_N: u8 = 14;
const SCRYPT_R: u32 = 8;
const SCRYPT_P: u32 = 1;

/// A key derivation function named in a `c4gh-v1` secret key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kdf {
    Scrypt,
    Bcrypt,
    Pbkdf2HmacSha256,
}

impl Kdf {
    /// Parses the KDF name stored in the key file. Returns `None` for the name `none`.
    pub(crate) fn from_name(name: &[u8]) -> Result<Option<Kdf>, KeyError> {
        match name {
            b"none" => Ok(None),
            b"scrypt" => Ok(Some(Kdf::Scrypt)),
            b"bcrypt" => Ok(Some(Kdf::Bcrypt)),
            b"pbkdf2_hmac_sha256" => Ok(Some(Kdf::Pbkdf2HmacSha256)),
            other => Err(KeyError::UnsupportedKdf {
                name: String::from_utf8_lossy(other).into_owned(),
            }),
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Kdf::Scrypt => "scrypt",
            Kdf::Bcrypt => "bcrypt",
            Kdf::Pbkdf2HmacSha256 => "pbkdf2_hmac_sha256",
        }
    }

    /// Derives the key that encrypts the secret key material.
    ///
    /// scrypt ignores `rounds`, which `crypt4gh-keygen` stores as 0.
    pub(crate) fn derive(
        self,
        passphrase: &str,
        salt: &[u8],
        rounds: u32,
    ) -> Result<[u8; DERIVED_KEY_LEN], KeyError> {
        let mut key = [0_u8; DERIVED_KEY_LEN];
        match self {
            Kdf::Scrypt => {
                let params = scrypt::Params::new(SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, DERIVED_KEY_LEN)
                    .map_err(|error| self.invalid(error.to_string()))?;
                scrypt::scrypt(passphrase.as_bytes(), salt, &params, &mut key)
                    .map_err(|error| self.invalid(error.to_string()))?;
            }
            Kdf::Bcrypt => {
                bcrypt_pbkdf::bcrypt_pbkdf(passphrase.as_bytes(), salt, rounds, &mut key)
                    .map_err(|error| self.invalid(format!("{error} (rounds {rounds})")))?;
            }
            Kdf::Pbkdf2HmacSha256 => {
                if rounds == 0 {
                    return Err(self.invalid("the round count is 0".to_string()));
                }
                pbkdf2::pbkdf2_hmac::<sha2::Sha256>(passphrase.as_bytes(), salt, rounds, &mut key);
            }
        }
        Ok(key)
    }

    fn invalid(self, reason: String) -> KeyError {
        KeyError::InvalidKdfParameters {
            kdf: self.name(),
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_names() {
        assert_eq!(Kdf::from_name(b"none").unwrap(), None);
        assert_eq!(Kdf::from_name(b"scrypt").unwrap(), Some(Kdf::Scrypt));
        assert_eq!(Kdf::from_name(b"bcrypt").unwrap(), Some(Kdf::Bcrypt));
        assert_eq!(
            Kdf::from_name(b"pbkdf2_hmac_sha256").unwrap(),
            Some(Kdf::Pbkdf2HmacSha256)
        );
    }

    #[test]
    fn rejects_unknown_name() {
        let error = Kdf::from_name(b"argon2").unwrap_err();
        assert!(error.to_string().contains("`argon2`"));
    }

    #[test]
    fn derivation_depends_on_passphrase_and_salt() {
        for kdf in [Kdf::Bcrypt, Kdf::Pbkdf2HmacSha256] {
            let base = kdf.derive("passphrase", &[1; SALT_LEN], 4).unwrap();
            let again = kdf.derive("passphrase", &[1; SALT_LEN], 4).unwrap();
            let other_passphrase = kdf.derive("passphrase2", &[1; SALT_LEN], 4).unwrap();
            let other_salt = kdf.derive("passphrase", &[2; SALT_LEN], 4).unwrap();
            assert_eq!(base, again, "{kdf:?} is not deterministic");
            assert_ne!(base, other_passphrase, "{kdf:?} ignores the passphrase");
            assert_ne!(base, other_salt, "{kdf:?} ignores the salt");
        }
    }

    #[test]
    fn pbkdf2_matches_rfc7914_vector() {
        // RFC 7914, section 11: PBKDF2-HMAC-SHA256, P = "passwd", S = "salt", c = 1.
        let key = Kdf::Pbkdf2HmacSha256.derive("passwd", b"salt", 1).unwrap();
        assert_eq!(
            hex(&key),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        );
    }

    #[test]
    fn scrypt_matches_rfc7914_vector() {
        // RFC 7914, section 12: P = "pleaseletmein", S = "SodiumChloride", N = 16384, r = 8, p = 1.
        let key = Kdf::Scrypt
            .derive("pleaseletmein", b"SodiumChloride", 0)
            .unwrap();
        assert_eq!(
            hex(&key),
            "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
        );
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    #[test]
    fn pbkdf2_rejects_zero_rounds() {
        let error = Kdf::Pbkdf2HmacSha256.derive("p", b"salt", 0).unwrap_err();
        assert!(matches!(error, KeyError::InvalidKdfParameters { .. }));
    }
}
