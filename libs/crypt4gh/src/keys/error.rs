//! Errors raised while reading, writing or deriving Crypt4GH keys.

/// A key file or key material that cannot be used.
///
/// No variant carries key material or a passphrase, so the Display text is safe to log.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "invalid key file armour: expected the first line `{expected}`, found {found}; \
         pass a Crypt4GH key file as written by `crypt4gh-keygen`"
    )]
    MissingBeginLine {
        expected: &'static str,
        found: String,
    },

    #[error(
        "invalid key file armour: the last line is not `{expected}`; \
         the file is truncated or is not a Crypt4GH key file"
    )]
    MissingEndLine { expected: &'static str },

    #[error(
        "invalid base64 in the key file body: {source}; \
         the file is damaged, copy it again from its source"
    )]
    InvalidBase64 {
        #[source]
        source: base64::DecodeError,
    },

    #[error(
        "wrong {key_kind} length: expected {expected} bytes, found {found}; \
         X25519 keys are 32 bytes, check that the file contains a Crypt4GH key"
    )]
    WrongLength {
        key_kind: &'static str,
        expected: usize,
        found: usize,
    },

    #[error(
        "secret key does not start with the magic word `c4gh-v1`; \
         only Crypt4GH secret keys are supported (OpenSSH keys are not), \
         generate one with `crypt4gh-keygen` or `SecretKey::generate`"
    )]
    NotCrypt4ghSecretKey,

    #[error("secret key is truncated while reading its {field}; the file is damaged")]
    Truncated { field: &'static str },

    #[error(
        "secret key uses the key derivation function `{name}`, which is not supported; \
         supported: none, scrypt, bcrypt, pbkdf2_hmac_sha256"
    )]
    UnsupportedKdf { name: String },

    #[error(
        "secret key uses the cipher `{name}`, which is not supported; \
         supported: none, chacha20_poly1305"
    )]
    UnsupportedCipher { name: String },

    #[error(
        "secret key is inconsistent: KDF `{kdf}` with cipher `{cipher}`; \
         `none` must appear in both fields or in neither"
    )]
    KdfCipherMismatch { kdf: String, cipher: String },

    #[error("invalid {kdf} parameters in the secret key: {reason}")]
    InvalidKdfParameters { kdf: &'static str, reason: String },

    #[error(
        "secret key is protected with {kdf} and needs a passphrase; \
         pass the passphrase that was set when the key was generated"
    )]
    PassphraseRequired { kdf: &'static str },

    #[error("unlocking the secret key failed: the passphrase is wrong or the key file is damaged")]
    WrongPassphrase,

    #[error(
        "the public key is a low-order X25519 point, which gives every sender the same \
         predictable shared key; generate a new key pair with `crypt4gh-keygen` or \
         `hapctl keygen` and register its public key"
    )]
    LowOrderPublicKey,

    #[error("protecting the secret key failed: {reason}")]
    Protection { reason: String },
}
