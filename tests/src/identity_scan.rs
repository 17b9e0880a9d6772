//! A search for the identity numbers of a synthetic population in any
//! bytes: as 11 digits, as `DDMMYY-NNNNN` and `DDMMYY NNNNN`, as hex of
//! the digits' ASCII bytes, and as base64 of those bytes at each of the
//! three alignments inside a longer base64 text.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use aho_corasick::AhoCorasick;
use data_encoding::{BASE64, BASE64URL, HEXLOWER};

/// How an identity number was written where it was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Encoding {
    Digits,
    Hyphenated,
    Spaced,
    Hex,
    Base64,
}

/// One identity number found in a text, in masked form.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// The first six digits followed by five asterisks.
    pub masked: String,
    pub encoding: Encoding,
    /// The byte offset of the match in the scanned bytes.
    pub offset: usize,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} as {:?} at byte {}",
            self.masked, self.encoding, self.offset
        )
    }
}

/// Returns every identity number in the CSV files of `registry_dir`: each
/// field of exactly 11 digits, and each field of 10 digits with the leading
/// zero restored (a dirty record that lost it).
pub fn registry_numbers(registry_dir: &Path) -> BTreeSet<String> {
    let mut numbers = BTreeSet::new();
    let entries = std::fs::read_dir(registry_dir)
        .unwrap_or_else(|error| panic!("reading {}: {error}", registry_dir.display()));
    for entry in entries {
        let path = entry.expect("listing the registry folder").path();
        if path.extension().is_none_or(|extension| extension != "csv") {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
        for field in text.split([',', '\n', '\r']) {
            if !field.bytes().all(|byte| byte.is_ascii_digit()) {
                continue;
            }
            match field.len() {
                11 => {
                    numbers.insert(field.to_owned());
                }
                10 => {
                    numbers.insert(format!("0{field}"));
                }
                _ => {}
            }
        }
    }
    numbers
}

/// Finds the identity numbers of one population in any bytes.
pub struct IdentityScanner {
    numbers: Vec<String>,
    /// For each pattern of `searcher`, the index in `numbers` and the encoding.
    patterns: Vec<(usize, Encoding)>,
    searcher: AhoCorasick,
}

impl IdentityScanner {
    /// Builds a scanner for `numbers`, each 11 ASCII digits.
    pub fn new(numbers: impl IntoIterator<Item = String>) -> IdentityScanner {
        let numbers: Vec<String> = numbers.into_iter().collect();
        let mut needles: Vec<Vec<u8>> = Vec::new();
        let mut patterns = Vec::new();
        for (index, number) in numbers.iter().enumerate() {
            assert!(
                number.len() == 11 && number.bytes().all(|byte| byte.is_ascii_digit()),
                "an identity number has 11 digits, not `{number}`"
            );
            let mut add = |needle: Vec<u8>, encoding: Encoding| {
                needles.push(needle);
                patterns.push((index, encoding));
            };
            add(number.clone().into_bytes(), Encoding::Digits);
            add(
                format!("{}-{}", &number[..6], &number[6..]).into_bytes(),
                Encoding::Hyphenated,
            );
            add(
                format!("{} {}", &number[..6], &number[6..]).into_bytes(),
                Encoding::Spaced,
            );
            add(
                HEXLOWER.encode(number.as_bytes()).into_bytes(),
                Encoding::Hex,
            );
            for needle in base64_needles(number.as_bytes()) {
                add(needle, Encoding::Base64);
            }
        }
        let searcher = AhoCorasick::new(&needles).expect("building the identity-number searcher");
        IdentityScanner {
            numbers,
            patterns,
            searcher,
        }
    }

    /// Returns how many identity numbers the scanner looks for.
    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty()
    }

    /// Returns every identity number in `bytes`. Hex needs no case folding:
    /// the ASCII digits 0x30 to 0x39 encode to decimal digits only.
    pub fn scan(&self, bytes: &[u8]) -> Vec<Finding> {
        self.searcher
            .find_overlapping_iter(bytes)
            .map(|hit| {
                let (index, encoding) = self.patterns[hit.pattern().as_usize()];
                Finding {
                    masked: format!("{}*****", &self.numbers[index][..6]),
                    encoding,
                    offset: hit.start(),
                }
            })
            .collect()
    }
}

/// Returns the base64 characters that depend only on `bytes` when they sit
/// at each of the three offsets modulo 3 inside a longer encoded text, in
/// the standard and the URL-safe alphabet.
fn base64_needles(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut needles = Vec::new();
    for offset in 0..3 {
        let mut padded = vec![0u8; offset];
        padded.extend_from_slice(bytes);
        let first_bit = 8 * offset;
        let end_bit = 8 * (offset + bytes.len());
        // Character i covers bits 6i to 6i+6, and only the characters
        // whose bits all lie inside the number are kept.
        let first_char = first_bit.div_ceil(6);
        let end_char = end_bit / 6;
        for encoding in [&BASE64, &BASE64URL] {
            let text = encoding.encode(&padded);
            let needle = text.as_bytes()[first_char..end_char].to_vec();
            if !needles.contains(&needle) {
                needles.push(needle);
            }
        }
    }
    needles
}

#[cfg(test)]
mod tests {
    use super::*;

    const NUMBER: &str = "14039012345";

    fn scanner() -> IdentityScanner {
        IdentityScanner::new([NUMBER.to_owned()])
    }

    fn encodings(bytes: &[u8]) -> Vec<Encoding> {
        scanner()
            .scan(bytes)
            .into_iter()
            .map(|finding| finding.encoding)
            .collect()
    }

    #[test]
    fn digits_and_separated_forms_found() {
        assert_eq!(encodings(b"person 14039012345 done"), [Encoding::Digits]);
        assert_eq!(encodings(b"x140390-12345x"), [Encoding::Hyphenated]);
        assert_eq!(encodings(b"\"140390 12345\""), [Encoding::Spaced]);
    }

    #[test]
    fn hex_of_digits_found() {
        let hex = HEXLOWER.encode(NUMBER.as_bytes());
        assert_eq!(encodings(format!("ab{hex}cd").as_bytes()), [Encoding::Hex]);
    }

    #[test]
    fn base64_found_at_every_offset() {
        for prefix in ["", "a", "ab", "abc", "abcd"] {
            let text = BASE64.encode(format!("{prefix}{NUMBER}tail").as_bytes());
            assert_eq!(
                encodings(text.as_bytes()),
                [Encoding::Base64],
                "prefix {prefix:?}"
            );
            let url_safe = BASE64URL.encode(format!("{prefix}{NUMBER}").as_bytes());
            assert_eq!(
                encodings(url_safe.as_bytes()),
                [Encoding::Base64],
                "prefix {prefix:?}"
            );
        }
    }

    #[test]
    fn other_numbers_not_found() {
        assert!(
            scanner()
                .scan(b"14039012346 140390-1234 1403901234")
                .is_empty()
        );
    }

    #[test]
    fn findings_are_masked() {
        let found = scanner().scan(b"id=14039012345");
        assert_eq!(found[0].masked, "140390*****");
        assert_eq!(found[0].offset, 3);
    }
}
