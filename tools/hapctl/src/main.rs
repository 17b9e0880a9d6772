//! `hapctl`, the command-line tool of HAP: synthetic registries, development
//! tokens, identity-number checks, Crypt4GH keys, dead letters and the demo run.

mod anonymize;
mod cases;
mod dead_letters;
mod demo;
mod id;
mod keys;
mod link;
mod synth;
mod token;

use std::io::{stdin, stdout};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "hapctl",
    version,
    about = "Command-line tool of the HAP health analysis platform"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write synthetic registries for a number of persons and a seed.
    Synth(synth::SynthArgs),
    /// Print a development token for a role (needs the development issuer's secret).
    Token(token::TokenArgs),
    /// Identity numbers.
    #[command(subcommand)]
    Id(IdCommand),
    /// Create a Crypt4GH key pair for receiving deliveries.
    Keygen(keys::KeygenArgs),
    /// Decrypt the `.c4gh` files of a delivery folder and check them against the manifest.
    Decrypt(keys::DecryptArgs),
    /// Run one application through the running services and print a summary.
    Demo(demo::DemoArgs),
    /// List or replay the messages a consumer moved to its dead-letter queue.
    DeadLetters(dead_letters::DeadLetterArgs),
    /// Generalise and suppress a delimited file to k-anonymity (and l, t) and report.
    Anonymize(anonymize::AnonymizeArgs),
    /// Case work against the applications service: queue, show, claim, decide.
    Cases(cases::CasesArgs),
    /// Link registry extracts offline from descriptor files and write Parquet and a report.
    Link(link::LinkArgs),
}

#[derive(Subcommand)]
enum IdCommand {
    /// Validate identity numbers and print one JSON object per line and number.
    Check(id::IdCheckArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Synth(args) => synth::run(args),
        Command::Token(args) => token::run(args),
        Command::Id(IdCommand::Check(args)) => match id::run(args, stdin().lock(), stdout().lock())
        {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(error) => Err(error.into()),
        },
        Command::Keygen(args) => keys::keygen(args),
        Command::Decrypt(args) => keys::decrypt(args).map(drop),
        Command::Demo(args) => demo::run(args),
        Command::DeadLetters(args) => dead_letters::run(args),
        Command::Link(args) => link::run_link(args),
        Command::Anonymize(args) => anonymize::run(args),
        Command::Cases(args) => cases::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("hapctl: {error:#}");
            ExitCode::FAILURE
        }
    }
}
