//! Generates a registry folder and prints the time taken and the report.
//!
//! `cargo run --release -p hap-synth --example generate -- PERSONS SEED OUT_DIR`

#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use hap_synth::{SynthOptions, generate};

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let [persons, seed, out_dir] = arguments.as_slice() else {
        eprintln!("usage: generate PERSONS SEED OUT_DIR");
        return ExitCode::FAILURE;
    };
    let (Ok(persons), Ok(seed)) = (persons.parse::<usize>(), seed.parse::<u64>()) else {
        eprintln!("invalid PERSONS or SEED: expected whole numbers");
        return ExitCode::FAILURE;
    };

    let started = Instant::now();
    match generate(&SynthOptions::new(persons, seed), &PathBuf::from(out_dir)) {
        Ok(report) => {
            println!("generated in {:.2} s", started.elapsed().as_secs_f64());
            match serde_json::to_string_pretty(&report) {
                Ok(json) => println!("{json}"),
                Err(error) => eprintln!("failed to format the report: {error}"),
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("generation failed: {error}");
            ExitCode::FAILURE
        }
    }
}
