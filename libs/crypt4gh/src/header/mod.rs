//! The Crypt4GH header: magic word, version, and the encrypted header packets.
//!
//! Layout (integers little-endian): `crypt4gh`, u32 version = 1, u32 packet count, then
//! each packet as a u32 length (counting the length field itself) and its bytes.

mod packet_cipher;
mod packet_content;

use std::io::{Read, Write};

use crate::Crypt4ghError;
use crate::keys::{PublicKey, SecretKey};
use crate::read_full::read_full;

pub(crate) use packet_cipher::{SealError, seal};
#[cfg(test)]
pub(crate) use packet_content::encode_edit_list;
pub(crate) use packet_content::{DATA_KEY_LEN, DataKey, encode_data_key};

use packet_content::PacketContent;

const MAGIC: &[u8; 8] = b"crypt4gh";
const VERSION: u32 = 1;
const LENGTH_FIELD_LEN: usize = 4;

/// One header packet as stored: everything after its length field.
#[derive(Debug)]
pub(crate) struct EncryptedPacket {
    pub(crate) bytes: Vec<u8>,
}

impl EncryptedPacket {
    /// The packet encryption method, or `None` for a packet shorter than 4 bytes.
    fn method(&self) -> Option<u32> {
        let method = self.bytes.first_chunk::<4>()?;
        Some(u32::from_le_bytes(*method))
    }
}

/// Content of the header packets that one secret key decrypts.
///
/// `Debug` shows packet plaintexts, which contain data keys, so it is for tests only.
#[cfg_attr(test, derive(Debug))]
pub(crate) struct OpenedHeader {
    pub(crate) data_keys: Vec<DataKey>,
    pub(crate) edit_list: Option<Vec<u64>>,
    /// Writer public keys of the decrypted packets, without duplicates.
    pub(crate) writers: Vec<PublicKey>,
    /// Plaintexts of the decrypted packets, in header order.
    pub(crate) plaintexts: Vec<Vec<u8>>,
}

/// Reads the magic word, the version and all header packets.
pub(crate) fn read_header(reader: &mut impl Read) -> Result<Vec<EncryptedPacket>, Crypt4ghError> {
    let mut preamble = [0_u8; 16];
    let count = read_full(reader, &mut preamble).map_err(Crypt4ghError::Read)?;
    if count < MAGIC.len() || &preamble[..MAGIC.len()] != MAGIC {
        return Err(Crypt4ghError::NotCrypt4gh {
            found: describe_magic(&preamble[..count.min(MAGIC.len())]),
        });
    }
    if count < preamble.len() {
        return Err(invalid(format!(
            "the file ends after {count} bytes, inside the 16-byte header preamble"
        )));
    }
    let version = le_u32(&preamble[8..12]);
    if version != VERSION {
        return Err(Crypt4ghError::UnsupportedVersion { version });
    }

    let packet_count = le_u32(&preamble[12..16]);
    let mut packets = Vec::new();
    for index in 0..packet_count {
        packets.push(read_packet(reader, index, packet_count)?);
    }
    Ok(packets)
}

fn read_packet(
    reader: &mut impl Read,
    index: u32,
    packet_count: u32,
) -> Result<EncryptedPacket, Crypt4ghError> {
    let mut length = [0_u8; LENGTH_FIELD_LEN];
    let count = read_full(reader, &mut length).map_err(Crypt4ghError::Read)?;
    if count < LENGTH_FIELD_LEN {
        return Err(invalid(format!(
            "the file ends at header packet {index} of {packet_count}"
        )));
    }
    let length = le_u32(&length);
    let Some(body_len) = usize::try_from(length)
        .ok()
        .and_then(|length| length.checked_sub(LENGTH_FIELD_LEN))
    else {
        return Err(invalid(format!(
            "header packet {index} declares a length of {length} bytes, less than its own 4-byte length field"
        )));
    };

    // `take` reads no more than the file contains, so a forged length cannot force a large
    // allocation on a short file.
    let mut bytes = Vec::new();
    reader
        .take(body_len as u64)
        .read_to_end(&mut bytes)
        .map_err(Crypt4ghError::Read)?;
    if bytes.len() < body_len {
        return Err(invalid(format!(
            "header packet {index} declares {length} bytes but the file ends after {}",
            bytes.len() + LENGTH_FIELD_LEN
        )));
    }
    Ok(EncryptedPacket { bytes })
}

/// Writes the magic word, the version and `packets`.
pub(crate) fn write_header(
    writer: &mut impl Write,
    packets: &[EncryptedPacket],
) -> Result<(), Crypt4ghError> {
    let packet_count = u32::try_from(packets.len()).map_err(|_| {
        invalid(format!(
            "{} header packets exceed the u32 count field",
            packets.len()
        ))
    })?;
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&packet_count.to_le_bytes());
    for packet in packets {
        let length = u32::try_from(packet.bytes.len() + LENGTH_FIELD_LEN).map_err(|_| {
            invalid(format!(
                "a {}-byte header packet exceeds the u32 length field",
                packet.bytes.len()
            ))
        })?;
        out.extend_from_slice(&length.to_le_bytes());
        out.extend_from_slice(&packet.bytes);
    }
    writer.write_all(&out).map_err(Crypt4ghError::Write)
}

/// Decrypts the packets meant for `secret_key` and collects their content.
///
/// Packets that do not decrypt with this key are skipped, as the format requires.
pub(crate) fn open_header(
    packets: &[EncryptedPacket],
    secret_key: &SecretKey,
) -> Result<OpenedHeader, Crypt4ghError> {
    let mut opened = OpenedHeader {
        data_keys: Vec::new(),
        edit_list: None,
        writers: Vec::new(),
        plaintexts: Vec::new(),
    };
    for packet in packets {
        let Some(packet) = packet_cipher::open(packet, secret_key) else {
            continue;
        };
        match packet_content::parse(&packet.plaintext)? {
            PacketContent::DataKey(key) => opened.data_keys.push(key),
            PacketContent::EditList(lengths) => {
                if opened.edit_list.is_some() {
                    return Err(Crypt4ghError::MultipleEditLists);
                }
                opened.edit_list = Some(lengths);
            }
        }
        if !opened.writers.contains(&packet.writer) {
            opened.writers.push(packet.writer);
        }
        opened.plaintexts.push(packet.plaintext);
    }

    if opened.plaintexts.is_empty() {
        return Err(Crypt4ghError::NoPacketForKey {
            packets: packets.len(),
        });
    }
    if opened.data_keys.is_empty() {
        return Err(Crypt4ghError::NoDataKey);
    }
    Ok(opened)
}

fn le_u32(bytes: &[u8]) -> u32 {
    let mut value = [0_u8; 4];
    value.copy_from_slice(&bytes[..4]);
    u32::from_le_bytes(value)
}

/// Shows the first bytes of a non-Crypt4GH input: printable ASCII as text, else hex.
fn describe_magic(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "nothing (the input is empty)".to_string();
    }
    if bytes
        .iter()
        .all(|byte| byte.is_ascii_graphic() || *byte == b' ')
    {
        return format!("`{}`", String::from_utf8_lossy(bytes));
    }
    let hex: Vec<String> = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("bytes {}", hex.join(" "))
}

fn invalid(reason: String) -> Crypt4ghError {
    Crypt4ghError::InvalidHeader { reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed(plaintext: &[u8], writer: &SecretKey, reader: &PublicKey) -> EncryptedPacket {
        match seal(plaintext, writer, reader) {
            Ok(packet) => packet,
            Err(_) => panic!("sealing failed"),
        }
    }

    #[test]
    fn header_round_trip() {
        let packets = vec![
            EncryptedPacket {
                bytes: vec![1, 2, 3, 4, 5],
            },
            EncryptedPacket { bytes: vec![6; 70] },
        ];
        let mut bytes = Vec::new();
        write_header(&mut bytes, &packets).unwrap();
        assert_eq!(&bytes[..12], b"crypt4gh\x01\x00\x00\x00");
        assert_eq!(&bytes[12..16], &2_u32.to_le_bytes());
        assert_eq!(&bytes[16..20], &9_u32.to_le_bytes());

        let read = read_header(&mut bytes.as_slice()).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].bytes, vec![1, 2, 3, 4, 5]);
        assert_eq!(read[1].bytes, vec![6; 70]);
    }

    #[test]
    fn other_file_rejected() {
        let error = read_header(&mut b"PAR1 not encrypted".as_slice()).unwrap_err();
        assert!(matches!(error, Crypt4ghError::NotCrypt4gh { .. }));
        assert!(error.to_string().contains("`PAR1 not`"));
    }

    #[test]
    fn empty_input_rejected() {
        let error = read_header(&mut b"".as_slice()).unwrap_err();
        assert!(error.to_string().contains("input is empty"));
    }

    #[test]
    fn version_two_rejected() {
        let error =
            read_header(&mut b"crypt4gh\x02\x00\x00\x00\x00\x00\x00\x00".as_slice()).unwrap_err();
        assert!(matches!(
            error,
            Crypt4ghError::UnsupportedVersion { version: 2 }
        ));
    }

    #[test]
    fn truncated_packet_rejected() {
        let mut bytes = b"crypt4gh\x01\x00\x00\x00\x01\x00\x00\x00".to_vec();
        bytes.extend_from_slice(&100_u32.to_le_bytes());
        bytes.extend_from_slice(&[0; 10]);
        let error = read_header(&mut bytes.as_slice()).unwrap_err();
        assert!(matches!(error, Crypt4ghError::InvalidHeader { .. }));
    }

    #[test]
    fn packet_length_below_four_rejected() {
        let mut bytes = b"crypt4gh\x01\x00\x00\x00\x01\x00\x00\x00".to_vec();
        bytes.extend_from_slice(&3_u32.to_le_bytes());
        let error = read_header(&mut bytes.as_slice()).unwrap_err();
        assert!(error.to_string().contains("length of 3 bytes"));
    }

    #[test]
    fn open_header_skips_foreign_packets() {
        let writer = SecretKey::generate();
        let reader = SecretKey::generate();
        let other = SecretKey::generate();
        let packets = vec![
            sealed(
                &encode_data_key(&DataKey([1; DATA_KEY_LEN])),
                &writer,
                &other.public_key(),
            ),
            sealed(
                &encode_data_key(&DataKey([2; DATA_KEY_LEN])),
                &writer,
                &reader.public_key(),
            ),
        ];
        let opened = open_header(&packets, &reader).unwrap();
        assert_eq!(opened.data_keys.len(), 1);
        assert_eq!(opened.data_keys[0].0, [2; DATA_KEY_LEN]);
        assert_eq!(opened.writers, vec![writer.public_key()]);
    }

    #[test]
    fn open_header_without_match_fails() {
        let writer = SecretKey::generate();
        let packets = vec![sealed(
            &encode_data_key(&DataKey([1; DATA_KEY_LEN])),
            &writer,
            &SecretKey::generate().public_key(),
        )];
        let error = open_header(&packets, &SecretKey::generate()).unwrap_err();
        assert!(matches!(
            error,
            Crypt4ghError::NoPacketForKey { packets: 1 }
        ));
    }

    #[test]
    fn edit_list_without_data_key_fails() {
        let writer = SecretKey::generate();
        let reader = SecretKey::generate();
        let packets = vec![sealed(
            &encode_edit_list(&[1, 2]),
            &writer,
            &reader.public_key(),
        )];
        let error = open_header(&packets, &reader).unwrap_err();
        assert!(matches!(error, Crypt4ghError::NoDataKey));
    }

    #[test]
    fn two_edit_lists_rejected() {
        let writer = SecretKey::generate();
        let reader = SecretKey::generate();
        let packets = vec![
            sealed(
                &encode_data_key(&DataKey([1; DATA_KEY_LEN])),
                &writer,
                &reader.public_key(),
            ),
            sealed(&encode_edit_list(&[1, 2]), &writer, &reader.public_key()),
            sealed(&encode_edit_list(&[3]), &writer, &reader.public_key()),
        ];
        let error = open_header(&packets, &reader).unwrap_err();
        assert!(matches!(error, Crypt4ghError::MultipleEditLists));
    }
}
