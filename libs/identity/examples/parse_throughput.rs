//! Measures `parse` throughput on generated inputs.
//!
//! Run with `cargo run -p hap-identity --release --example parse_throughput`.
//! Prints the fastest of several runs in nanoseconds per call, for valid
//! numbers, numbers with a separator, and numbers rejected for their checksum.

#![allow(clippy::print_stdout)]

use std::hint::black_box;
use std::time::Instant;

use hap_identity::{Rules, classic_check_digits, parse};

const COUNT: usize = 1_000_000;
/// Runs per input set; the fastest run is reported, because other processes
/// on the machine only ever add time.
const RUNS: usize = 5;

/// Valid ordinary numbers spread over dates from 1900 to 1999.
fn valid_inputs() -> Vec<String> {
    let mut inputs = Vec::with_capacity(COUNT);
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    while inputs.len() < COUNT {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let day = 1 + seed % 28;
        let month = 1 + (seed >> 8) % 12;
        let year = (seed >> 16) % 100;
        let individual = (seed >> 24) % 500;
        let nine_text = format!("{day:02}{month:02}{year:02}{individual:03}");
        let nine: [u8; 9] = std::array::from_fn(|i| nine_text.as_bytes()[i] - b'0');
        if let Some([first, second]) = classic_check_digits(&nine) {
            inputs.push(format!("{nine_text}{first}{second}"));
        }
    }
    inputs
}

/// Runs `parse` over `inputs` and returns nanoseconds per call and the number
/// of accepted inputs.
fn measure(inputs: &[String]) -> (f64, usize) {
    let rules = Rules::default();
    let start = Instant::now();
    let mut accepted = 0;
    for input in inputs {
        if black_box(parse(black_box(input), rules)).is_ok() {
            accepted += 1;
        }
    }
    let elapsed = start.elapsed();
    (elapsed.as_nanos() as f64 / inputs.len() as f64, accepted)
}

fn main() {
    let valid = valid_inputs();
    let separated: Vec<String> = valid
        .iter()
        .map(|input| format!("{}-{}", &input[..6], &input[6..]))
        .collect();
    let broken: Vec<String> = valid
        .iter()
        .map(|input| {
            let last = input.as_bytes()[10] - b'0';
            format!("{}{}", &input[..10], (last + 1) % 10)
        })
        .collect();

    // The first 1,000 inputs repeated fit in the CPU cache, so that row
    // shows the cost of parsing alone, without memory latency.
    let cached: Vec<String> = valid
        .iter()
        .take(1_000)
        .cycle()
        .take(COUNT)
        .cloned()
        .collect();

    for (label, inputs) in [
        ("valid", &valid),
        ("valid, cache-warm", &cached),
        ("valid with hyphen", &separated),
        ("checksum rejected", &broken),
    ] {
        let (nanoseconds, accepted) = (0..RUNS)
            .map(|_| measure(inputs))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .unwrap_or_default();
        println!(
            "{label:>18}: {nanoseconds:6.1} ns per parse, {accepted} of {} accepted",
            inputs.len()
        );
    }
}
