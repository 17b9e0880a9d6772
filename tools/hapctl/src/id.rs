//! `hapctl id check`: validates Norwegian identity numbers and prints one
//! JSON object per line and number.
//!
//! This is the only command that prints identity numbers, because they are
//! the user's own input.

use std::io::{self, BufRead, BufWriter, Write};

use hap_identity::{ChecksumPolicy, Profile, Rules, analyze};

/// Validate Norwegian identity numbers and print one JSON object per line and number.
#[derive(Debug, Clone, clap::Args)]
pub struct IdCheckArgs {
    /// Check-digit rules to accept: `classic`, or `allow-2032` to also accept
    /// numbers issued from 2032.
    #[arg(long, value_name = "POLICY", default_value_t = ChecksumPolicy::Allow2032)]
    pub policy: ChecksumPolicy,

    /// Kinds to accept: `production` rejects synthetic and test numbers,
    /// `test` accepts them.
    #[arg(long, value_name = "PROFILE", default_value_t = Profile::Production)]
    pub profile: Profile,

    /// Numbers to check. Without any, reads standard input, one number per line.
    #[arg(value_name = "NUMBER")]
    pub numbers: Vec<String>,
}

/// Checks every number in `args`, or every line of `input` when `args` contains
/// none, and writes one JSON object per line and number to `out`.
///
/// Returns whether all numbers were valid. A blank input line is reported as
/// an invalid number, so output line N always belongs to input line N. Bytes
/// that are not UTF-8 are replaced by U+FFFD, which makes that line invalid.
pub fn run(args: IdCheckArgs, mut input: impl BufRead, out: impl Write) -> io::Result<bool> {
    let rules = Rules::new(args.policy, args.profile);
    let mut out = BufWriter::new(out);
    let mut all_valid = true;

    if args.numbers.is_empty() {
        let mut line = Vec::new();
        loop {
            line.clear();
            if input.read_until(b'\n', &mut line)? == 0 {
                break;
            }
            let number = String::from_utf8_lossy(strip_line_ending(&line));
            all_valid &= check_one(&number, rules, &mut out)?;
        }
    } else {
        for number in &args.numbers {
            all_valid &= check_one(number, rules, &mut out)?;
        }
    }

    out.flush()?;
    Ok(all_valid)
}

/// Writes the analysis of `number` as one JSON line and returns its validity.
fn check_one(number: &str, rules: Rules, out: &mut impl Write) -> io::Result<bool> {
    let analysis = analyze(number, rules);
    serde_json::to_writer(&mut *out, &analysis)?;
    out.write_all(b"\n")?;
    Ok(analysis.valid)
}

fn strip_line_ending(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use serde_json::Value;

    use super::{IdCheckArgs, run};

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: IdCheckArgs,
    }

    fn args(argv: &[&str]) -> IdCheckArgs {
        let argv = std::iter::once("check").chain(argv.iter().copied());
        Cli::try_parse_from(argv).unwrap().args
    }

    /// Runs the command and returns its result and the parsed output lines.
    fn check(argv: &[&str], stdin: &[u8]) -> (bool, Vec<Value>) {
        let mut out = Vec::new();
        let all_valid = run(args(argv), stdin, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        (all_valid, lines)
    }

    #[test]
    fn one_line_per_argument() {
        let (all_valid, lines) = check(&["14039012368", "54129034508"], b"");
        assert!(all_valid);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["input"], "14039012368");
        assert_eq!(lines[1]["kind"], "dnumber");
    }

    #[test]
    fn exact_fields() {
        let (_, lines) = check(&["140390-12368"], b"");
        let expected = serde_json::json!({
            "input": "140390-12368",
            "normalized": "14039012368",
            "kind": "fnr",
            "valid": true,
            "reason": null,
            "birth_date": "1990-03-14",
            "warnings": [],
        });
        assert_eq!(lines[0], expected);
    }

    #[test]
    fn invalid_number_makes_result_false() {
        let (all_valid, lines) = check(&["14039012368", "14039012369"], b"");
        assert!(!all_valid);
        assert_eq!(lines[1]["valid"], false);
        assert_eq!(lines[1]["reason"], "checksum");
    }

    #[test]
    fn reads_stdin_without_arguments() {
        let (all_valid, lines) = check(&[], b"14039012368\r\n5068720003\n54129034508");
        assert!(!all_valid);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["input"], "14039012368");
        assert_eq!(lines[0]["valid"], true);
        assert_eq!(lines[1]["reason"], "leading-zero-lost");
        assert_eq!(lines[2]["valid"], true);
    }

    #[test]
    fn blank_stdin_line_is_reported() {
        let (all_valid, lines) = check(&[], b"14039012368\n\n54129034508\n");
        assert!(!all_valid);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1]["input"], "");
        assert_eq!(lines[1]["reason"], "format");
    }

    #[test]
    fn non_utf8_line_is_format() {
        let (all_valid, lines) = check(&[], b"1403901236\xff\n");
        assert!(!all_valid);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["reason"], "format");
    }

    #[test]
    fn arguments_take_precedence_over_stdin() {
        let (_, lines) = check(&["14039012368"], b"54129034508\n");
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["input"], "14039012368");
    }

    #[test]
    fn empty_stdin_prints_nothing() {
        let (all_valid, lines) = check(&[], b"");
        assert!(all_valid);
        assert!(lines.is_empty());
    }

    #[test]
    fn classic_policy_flag() {
        let (allowed, _) = check(&["30108299939"], b"");
        let (classic, lines) = check(&["--policy", "classic", "30108299939"], b"");
        assert!(allowed);
        assert!(!classic);
        assert_eq!(lines[0]["reason"], "checksum");
    }

    #[test]
    fn test_profile_flag() {
        let (production, _) = check(&["15897612361"], b"");
        let (test, lines) = check(&["--profile", "test", "15897612361"], b"");
        assert!(!production);
        assert!(test);
        assert_eq!(lines[0]["kind"], "synthetic");
        assert_eq!(lines[0]["birth_date"], "1976-09-15");
    }

    #[test]
    fn unknown_policy_rejected() {
        let error = Cli::try_parse_from(["check", "--policy", "allow2032", "1"])
            .err()
            .unwrap();
        assert!(error.to_string().contains("allow-2032"), "{error}");
    }

    #[test]
    fn defaults_are_allow_2032_and_production() {
        let parsed = args(&[]);
        assert_eq!(parsed.policy, hap_identity::ChecksumPolicy::Allow2032);
        assert_eq!(parsed.profile, hap_identity::Profile::Production);
    }
}
