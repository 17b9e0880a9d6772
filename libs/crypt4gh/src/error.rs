//! Errors raised while encrypting, decrypting or re-encrypting a Crypt4GH stream.

/// A Crypt4GH stream that cannot be processed.
///
/// No variant carries key material or plaintext, so the Display text is safe to log.
#[derive(Debug, thiserror::Error)]
pub enum Crypt4ghError {
    #[error(
        "input is not a Crypt4GH file: it starts with {found} instead of the magic word `crypt4gh`; \
         pass the encrypted `.c4gh` file"
    )]
    NotCrypt4gh { found: String },

    #[error(
        "Crypt4GH format version {version} is not supported: this library reads version 1 only; \
         re-encrypt the file with a version 1 writer"
    )]
    UnsupportedVersion { version: u32 },

    #[error("invalid Crypt4GH header: {reason}; the file is damaged or truncated")]
    InvalidHeader { reason: String },

    #[error(
        "none of the {packets} header packets decrypts with this secret key: the file was \
         encrypted for other recipients; use the secret key of a recipient, or ask the sender \
         to add your public key to the header"
    )]
    NoPacketForKey { packets: usize },

    #[error(
        "the header packets for this secret key contain no data encryption key; the file is \
         damaged or was written by a faulty encoder"
    )]
    NoDataKey,

    #[error(
        "data encryption method {method} is not supported: this library reads method 0 \
         (chacha20_ietf_poly1305) only; re-encrypt the file without AEAD mode"
    )]
    UnsupportedDataEncryption { method: u32 },

    #[error(
        "header packet type {packet_type} is not supported: known types are 0 (data key) and 1 (edit list)"
    )]
    UnsupportedPacketType { packet_type: u32 },

    #[error("the header contains more than one edit list, which the Crypt4GH format forbids")]
    MultipleEditLists,

    #[error(
        "segment {segment} (encrypted bytes from offset {offset} after the header) failed \
         authentication: the file was modified or damaged; discard everything decrypted so \
         far and obtain a fresh copy"
    )]
    AuthenticationFailed { segment: u64, offset: u64 },

    #[error(
        "segment {segment} is {len} bytes long, shorter than the 28 bytes of nonce and MAC; \
         the file is truncated"
    )]
    TruncatedSegment { segment: u64, len: usize },

    #[error("no recipients given: pass at least one public key to encrypt for")]
    NoRecipients,

    #[error(
        "recipient public key {index} is a low-order X25519 point, which yields a predictable \
         shared key; check that the key file contains the recipient's real public key"
    )]
    LowOrderPublicKey { index: usize },

    #[error("ChaCha20-Poly1305 encryption of a {len}-byte block failed")]
    Encryption { len: usize },

    #[error("reading the Crypt4GH input failed: {0}")]
    Read(#[source] std::io::Error),

    #[error("writing the output failed: {0}")]
    Write(#[source] std::io::Error),
}
