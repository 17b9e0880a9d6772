//! Reading facts about a Crypt4GH stream without a key.

use std::io::Read;

use crate::Crypt4ghError;
use crate::header;

/// Length of the preamble before the header packets: magic word, version and packet count.
const PREAMBLE_LEN: u64 = 16;

/// Returns the length in bytes of the header of the Crypt4GH stream in `reader`: the
/// preamble and every header packet with its length field. The data segments start at
/// that offset.
pub fn header_length(mut reader: impl Read) -> Result<u64, Crypt4ghError> {
    let packets = header::read_header(&mut reader)?;
    let packet_bytes: u64 = packets
        .iter()
        .map(|packet| packet.bytes.len() as u64 + 4)
        .sum();
    Ok(PREAMBLE_LEN + packet_bytes)
}
