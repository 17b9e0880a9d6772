//! `hapctl synth`

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use hap_synth::{SynthOptions, generate};

#[derive(clap::Args)]
pub struct SynthArgs {
    /// Number of persons in the population register.
    #[arg(long, default_value_t = 100_000)]
    persons: usize,
    /// Seed of the generator; the same seed and size give the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Share (0 to 0.05) of records outside the population register made dirty.
    #[arg(long, default_value_t = 0.005)]
    dirty_share: f64,
    /// Folder to write the registry files to.
    #[arg(long, default_value = "var/registries")]
    out: PathBuf,
}

#[allow(clippy::print_stdout)]
pub fn run(args: SynthArgs) -> anyhow::Result<()> {
    let mut options = SynthOptions::new(args.persons, args.seed);
    options.dirty_share = args.dirty_share;
    let started = Instant::now();
    let report = generate(&options, &args.out)
        .with_context(|| format!("writing synthetic registries to {}", args.out.display()))?;
    println!(
        "wrote synthetic registries for {} persons to {} in {:.1} s",
        args.persons,
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
