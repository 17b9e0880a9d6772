//! Parses arbitrary text as an identity number under every rule set.

#![no_main]

use hap_identity::{ChecksumPolicy, Profile, Rules, analyze, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for policy in [ChecksumPolicy::Classic, ChecksumPolicy::Allow2032] {
        for profile in [Profile::Production, Profile::Test] {
            let rules = Rules { policy, profile };
            let parsed = parse(text, rules);
            let analysis = analyze(text, rules);
            // A number that parses must also be accepted by the analysis.
            assert_eq!(
                parsed.is_ok(),
                analysis.valid,
                "parse and analyze disagree on {text:?}: {analysis:?}"
            );
        }
    }
});
