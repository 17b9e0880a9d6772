//! SHA-256 digests of package files, computed while writing or by reading a file.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

const DIGEST_LEN: usize = 32;
const READ_BUFFER_LEN: usize = 64 * 1024;

/// A SHA-256 digest, written as 64 lowercase hex digits in JSON and in `Display`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sha256Digest([u8; DIGEST_LEN]);

impl Sha256Digest {
    pub fn as_bytes(&self) -> &[u8; DIGEST_LEN] {
        &self.0
    }

    /// Parses 64 hex digits, in either case.
    pub fn from_hex(text: &str) -> Option<Sha256Digest> {
        if text.len() != 2 * DIGEST_LEN || !text.is_ascii() {
            return None;
        }
        let mut bytes = [0_u8; DIGEST_LEN];
        for (index, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * index..2 * index + 2], 16).ok()?;
        }
        Some(Sha256Digest(bytes))
    }

    /// Computes the digest of `data`.
    pub fn of(data: &[u8]) -> Sha256Digest {
        Sha256Digest(Sha256::digest(data).into())
    }
}

impl std::fmt::Display for Sha256Digest {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for byte in self.0 {
            write!(formatter, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for Sha256Digest {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "Sha256Digest({self})")
    }
}

impl Serialize for Sha256Digest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Sha256Digest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Sha256Digest::from_hex(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "invalid SHA-256 digest `{text}`: expected 64 hex digits"
            ))
        })
    }
}

/// Passes writes to `inner` while counting the bytes and hashing them.
pub(crate) struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    len: u64,
}

impl<W: Write> HashingWriter<W> {
    pub(crate) fn new(inner: W) -> HashingWriter<W> {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            len: 0,
        }
    }

    /// Returns the inner writer, the byte count and the digest of everything written.
    pub(crate) fn finish(self) -> (W, u64, Sha256Digest) {
        (
            self.inner,
            self.len,
            Sha256Digest(self.hasher.finalize().into()),
        )
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        let count = self.inner.write(buffer)?;
        self.hasher.update(&buffer[..count]);
        self.len += count as u64;
        Ok(count)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Reads the file at `path` and returns its size in bytes and its digest.
pub(crate) fn hash_file(path: &Path) -> std::io::Result<(u64, Sha256Digest)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0_u8; READ_BUFFER_LEN];
    let mut len: u64 = 0;
    loop {
        let count = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(count) => count,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        hasher.update(&buffer[..count]);
        len += count as u64;
    }
    Ok((len, Sha256Digest(hasher.finalize().into())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SHA-256 of "abc" (FIPS 180-2, appendix B.1).
    const ABC_DIGEST: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn digest_of_abc() {
        assert_eq!(Sha256Digest::of(b"abc").to_string(), ABC_DIGEST);
    }

    #[test]
    fn hex_round_trip() {
        let digest = Sha256Digest::from_hex(ABC_DIGEST).unwrap();
        assert_eq!(digest, Sha256Digest::of(b"abc"));
    }

    #[test]
    fn from_hex_rejects_bad_text() {
        assert!(Sha256Digest::from_hex("abc").is_none());
        assert!(Sha256Digest::from_hex(&"zz".repeat(32)).is_none());
    }

    #[test]
    fn json_is_hex_string() {
        let json = serde_json::to_string(&Sha256Digest::of(b"abc")).unwrap();
        assert_eq!(json, format!("\"{ABC_DIGEST}\""));
        let parsed: Sha256Digest = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed, Sha256Digest::of(b"abc"));
    }

    #[test]
    fn hashing_writer_counts_and_hashes() {
        let mut writer = HashingWriter::new(Vec::new());
        writer.write_all(b"a").unwrap();
        writer.write_all(b"bc").unwrap();
        let (inner, len, digest) = writer.finish();
        assert_eq!(inner, b"abc");
        assert_eq!(len, 3);
        assert_eq!(digest, Sha256Digest::of(b"abc"));
    }

    #[test]
    fn hash_file_matches_digest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("file");
        std::fs::write(&path, b"abc").unwrap();
        let (len, digest) = hash_file(&path).unwrap();
        assert_eq!(len, 3);
        assert_eq!(digest, Sha256Digest::of(b"abc"));
    }
}
