//! Plaintext of a header packet: a data encryption key or an edit list.
//!
//! All integers are little-endian. A data key packet is `packet_type = 0`,
//! `data_encryption_method`, then the 32-byte key; an edit list packet is
//! `packet_type = 1`, a u32 count, then that many u64 lengths. Bytes after the
//! content are padding and are ignored.

use crate::Crypt4ghError;

const PACKET_TYPE_DATA_KEY: u32 = 0;
const PACKET_TYPE_EDIT_LIST: u32 = 1;

/// `chacha20_ietf_poly1305`, the only data encryption method this crate supports.
const DATA_ENCRYPTION_CHACHA20_POLY1305: u32 = 0;

pub(crate) const DATA_KEY_LEN: usize = 32;

/// The symmetric key that encrypts the data segments. `Debug` does not print it.
pub(crate) struct DataKey(pub(crate) [u8; DATA_KEY_LEN]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("DataKey(<redacted>)")
    }
}

/// The parsed plaintext of one header packet.
#[derive(Debug)]
pub(crate) enum PacketContent {
    DataKey(DataKey),
    EditList(Vec<u64>),
}

pub(crate) fn encode_data_key(key: &DataKey) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + DATA_KEY_LEN);
    out.extend_from_slice(&PACKET_TYPE_DATA_KEY.to_le_bytes());
    out.extend_from_slice(&DATA_ENCRYPTION_CHACHA20_POLY1305.to_le_bytes());
    out.extend_from_slice(&key.0);
    out
}

#[cfg(test)]
pub(crate) fn encode_edit_list(lengths: &[u64]) -> Vec<u8> {
    let mut out = PACKET_TYPE_EDIT_LIST.to_le_bytes().to_vec();
    let count = u32::try_from(lengths.len()).unwrap();
    out.extend_from_slice(&count.to_le_bytes());
    for length in lengths {
        out.extend_from_slice(&length.to_le_bytes());
    }
    out
}

pub(crate) fn parse(plaintext: &[u8]) -> Result<PacketContent, Crypt4ghError> {
    let (packet_type, rest) = split_u32(plaintext, "packet type")?;
    match packet_type {
        PACKET_TYPE_DATA_KEY => {
            let (method, rest) = split_u32(rest, "data encryption method")?;
            if method != DATA_ENCRYPTION_CHACHA20_POLY1305 {
                return Err(Crypt4ghError::UnsupportedDataEncryption { method });
            }
            let key = rest.first_chunk::<DATA_KEY_LEN>().ok_or_else(|| {
                invalid(format!(
                    "data key packet has {} key bytes, expected 32",
                    rest.len()
                ))
            })?;
            Ok(PacketContent::DataKey(DataKey(*key)))
        }
        PACKET_TYPE_EDIT_LIST => {
            let (count, mut rest) = split_u32(rest, "edit list length")?;
            let mut lengths = Vec::new();
            for index in 0..count {
                let (length, tail) = rest.split_first_chunk::<8>().ok_or_else(|| {
                    invalid(format!(
                        "edit list declares {count} lengths but ends after {index}"
                    ))
                })?;
                lengths.push(u64::from_le_bytes(*length));
                rest = tail;
            }
            Ok(PacketContent::EditList(lengths))
        }
        packet_type => Err(Crypt4ghError::UnsupportedPacketType { packet_type }),
    }
}

fn split_u32<'a>(bytes: &'a [u8], field: &str) -> Result<(u32, &'a [u8]), Crypt4ghError> {
    let (value, rest) = bytes
        .split_first_chunk::<4>()
        .ok_or_else(|| invalid(format!("header packet ends before its {field}")))?;
    Ok((u32::from_le_bytes(*value), rest))
}

fn invalid(reason: String) -> Crypt4ghError {
    Crypt4ghError::InvalidHeader { reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_key_round_trip() {
        let encoded = encode_data_key(&DataKey([3; DATA_KEY_LEN]));
        assert_eq!(encoded.len(), 40);
        let PacketContent::DataKey(key) = parse(&encoded).unwrap() else {
            panic!("expected a data key packet");
        };
        assert_eq!(key.0, [3; DATA_KEY_LEN]);
    }

    #[test]
    fn data_key_accepts_padding() {
        let mut encoded = encode_data_key(&DataKey([3; DATA_KEY_LEN]));
        encoded.extend_from_slice(&[0; 24]);
        assert!(matches!(
            parse(&encoded).unwrap(),
            PacketContent::DataKey(_)
        ));
    }

    #[test]
    fn edit_list_round_trip() {
        let encoded = encode_edit_list(&[0, 7853, 71721]);
        let PacketContent::EditList(lengths) = parse(&encoded).unwrap() else {
            panic!("expected an edit list packet");
        };
        assert_eq!(lengths, vec![0, 7853, 71721]);
    }

    #[test]
    fn aead_method_rejected() {
        let mut encoded = encode_data_key(&DataKey([3; DATA_KEY_LEN]));
        encoded[4] = 1;
        let error = parse(&encoded).unwrap_err();
        assert!(matches!(
            error,
            Crypt4ghError::UnsupportedDataEncryption { method: 1 }
        ));
    }

    #[test]
    fn unknown_packet_type_rejected() {
        let error = parse(&7_u32.to_le_bytes()).unwrap_err();
        assert!(matches!(
            error,
            Crypt4ghError::UnsupportedPacketType { packet_type: 7 }
        ));
    }

    #[test]
    fn short_edit_list_rejected() {
        let mut encoded = encode_edit_list(&[1, 2]);
        encoded.truncate(encoded.len() - 1);
        let error = parse(&encoded).unwrap_err();
        assert!(matches!(error, Crypt4ghError::InvalidHeader { .. }));
    }

    #[test]
    fn short_data_key_rejected() {
        let encoded = encode_data_key(&DataKey([3; DATA_KEY_LEN]));
        let error = parse(&encoded[..20]).unwrap_err();
        assert!(matches!(error, Crypt4ghError::InvalidHeader { .. }));
    }
}
