#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Releases of varied generated data sets, each measured by the independent
//! checker in `common::checker`: the privacy model must hold, the report
//! must state what the checker measures, and suppression must stay within
//! the limit.

mod common;

use hap_disclosure::{
    Dataset, Hierarchy, LDiversity, Metric, QuasiIdentifier, Settings, TDistance, anonymize,
};

/// Deterministic pseudo-random numbers (a 64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound
    }
}

/// Ages, sexes with some missing, counties, a diagnosis and a numeric score.
fn generated(rng: &mut Lcg, records: usize) -> Dataset {
    let mut text = String::from("id;age;sex;county;diagnosis;score\n");
    for index in 0..records {
        let age = 20 + rng.below(60);
        // About one sex in ten is missing.
        let sex = match rng.below(10) {
            0 => "",
            value => ["F", "M"][value as usize % 2],
        };
        let county = ["Agder", "Troms", "Viken", "Innlandet"][rng.below(4) as usize];
        let diagnosis = ["C18", "C50", "C61", "I21", ""][rng.below(5) as usize];
        let score = rng.below(8);
        text.push_str(&format!(
            "p{index};{age};{sex};{county};{diagnosis};{score}\n"
        ));
    }
    Dataset::from_csv_str(&text, b';').unwrap()
}

fn quasi_identifiers(data: &Dataset) -> Vec<QuasiIdentifier> {
    vec![
        QuasiIdentifier::new(
            "age",
            Hierarchy::intervals(data.distinct_values("age").unwrap(), &[5, 10, 20]).unwrap(),
        ),
        QuasiIdentifier::new("sex", Hierarchy::from_csv_str("F;*\nM;*\n").unwrap()),
        QuasiIdentifier::new(
            "county",
            Hierarchy::from_csv_str(
                "Agder;South;*\nViken;South;*\nTroms;North;*\nInnlandet;North;*\n",
            )
            .unwrap(),
        ),
    ]
}

#[test]
fn releases_pass_the_independent_checker() {
    let mut rng = Lcg(7_001);
    let mut released_any = 0;
    for case in 0..60 {
        let records = 60 + rng.below(300) as usize;
        let data = generated(&mut rng, records);
        let qis = quasi_identifiers(&data);
        let mut settings = Settings::k_anonymity(2 + rng.below(5) as usize);
        settings.suppression_limit = [0.0, 0.02, 0.1, 0.3][rng.below(4) as usize];
        settings.metric =
            [Metric::Loss, Metric::Entropy, Metric::Discernibility][rng.below(3) as usize];
        let sensitive = ["diagnosis", "score"][rng.below(2) as usize];
        match rng.below(4) {
            0 => {}
            1 => settings.l = Some(LDiversity::Distinct { l: 2 }),
            2 => settings.l = Some(LDiversity::Entropy { l: 1.5 }),
            _ => settings.t = Some(0.15 + rng.below(3) as f64 / 10.0),
        }
        settings.sensitive = vec![sensitive.to_owned()];

        let Ok(release) = anonymize(&data, &qis, &settings) else {
            continue;
        };
        released_any += 1;
        let report = &release.report;
        let measured = common::checker::measure(
            &data,
            &release.data,
            &["age", "sex", "county"],
            &[sensitive],
        );

        assert!(measured.k >= settings.k, "case {case}: k {}", measured.k);
        assert_eq!(measured.k, report.k_reached, "case {case}");
        let suppressed = measured.records - measured.released;
        assert_eq!(suppressed, report.records_suppressed, "case {case}");
        assert!(
            suppressed as f64 <= settings.suppression_limit * data.len() as f64 + 1e-9,
            "case {case}: {suppressed} suppressed"
        );
        let reached = &report.l_reached[0];
        assert_eq!(measured.distinct_l[0], reached.distinct_l, "case {case}");
        assert!(
            (measured.entropy_l[0] - reached.entropy_l).abs() < 1e-9,
            "case {case}"
        );
        assert!((measured.t[0] - reached.t).abs() < 1e-9, "case {case}");
        let expected_distance = if sensitive == "score" {
            TDistance::Ordered
        } else {
            TDistance::Equal
        };
        assert_eq!(reached.t_distance, expected_distance, "case {case}");
        match settings.l {
            Some(LDiversity::Distinct { l }) => {
                assert!(measured.distinct_l[0] >= l, "case {case}");
            }
            Some(LDiversity::Entropy { l }) => {
                assert!(measured.entropy_l[0] >= l - 1e-9, "case {case}");
            }
            None => {}
        }
        if let Some(t) = settings.t {
            assert!(
                measured.t[0] <= t + 1e-9,
                "case {case}: t {}",
                measured.t[0]
            );
        }
    }
    assert!(
        released_any >= 30,
        "only {released_any} cases had a solution"
    );
}
