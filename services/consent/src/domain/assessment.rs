//! The legal-basis assessment of one application, registry by registry.

use hap_contracts::application::{DisclosureLevel, LegalBasisClaims, Purpose};
use hap_contracts::criteria::CohortCriteria;
use hap_contracts::events::{RegistryAssessment, Verdict};

use super::basis::{BasisKind, RegistryBasis};

/// Article 6(1) grounds: (a) consent ... (f) legitimate interests.
const ARTICLE_6: [&str; 6] = ["a", "b", "c", "d", "e", "f"];
/// Article 9(2) grounds that can cover health data for secondary use:
/// (a) explicit consent, (g) public interest, (h) health care, (i) public
/// health, (j) research and statistics.
const ARTICLE_9_HEALTH: [&str; 5] = ["a", "g", "h", "i", "j"];

/// The parts of an application that the assessment reads.
pub struct Claims<'a> {
    pub purpose: &'a Purpose,
    pub legal_basis: &'a LegalBasisClaims,
    pub level: DisclosureLevel,
    pub criteria: &'a CohortCriteria,
}

/// Assesses one registry. `NotPermitted` outranks `NeedsReview`, which
/// outranks `Permitted`; every reason found is listed.
pub fn assess(basis: &RegistryBasis, claims: &Claims) -> RegistryAssessment {
    let mut rejections = Vec::new();
    let mut reviews = Vec::new();
    let basis_claims = claims.legal_basis;

    match basis_claims.gdpr_article_6.as_deref() {
        None => rejections.push("no GDPR article 6(1) ground is claimed".to_owned()),
        Some(ground) if !ARTICLE_6.contains(&ground) => rejections.push(format!(
            "`{ground}` is not a GDPR article 6(1) ground; use a to f"
        )),
        _ => {}
    }
    match basis_claims.gdpr_article_9.as_deref() {
        None => rejections.push("no GDPR article 9(2) ground is claimed for health data".to_owned()),
        Some(ground) if !ARTICLE_9_HEALTH.contains(&ground) => rejections.push(format!(
            "article 9(2)({ground}) does not cover secondary use of health data; use a, g, h, i or j"
        )),
        _ => {}
    }
    if basis_claims.gdpr_article_9.as_deref() == Some("a")
        && basis_claims.gdpr_article_6.as_deref() != Some("a")
    {
        reviews
            .push("explicit consent under 9(2)(a) is claimed without consent under 6(1)(a)".into());
    }
    if basis.kind == BasisKind::Statutory && basis_claims.gdpr_article_9.as_deref() == Some("a") {
        reviews.push(format!(
            "{} is a statutory registry; its data was not collected on consent, so 9(2)(a) does not fit",
            basis.registry.name()
        ));
    }
    if claims.purpose.health_research
        && basis.ethics_approval_required
        && basis_claims
            .ethics_approval
            .as_deref()
            .is_none_or(|r| r.trim().is_empty())
    {
        rejections.push("health research needs an ethics committee approval reference".into());
    }
    if claims.level == DisclosureLevel::Pseudonymous && !basis_claims.dpia_done {
        rejections.push("pseudonymous microdata needs a data protection impact assessment".into());
    }
    if claims.purpose.commercial && !basis.commercial_use {
        rejections.push(format!(
            "{} may not be used for commercial purposes",
            basis.registry.name()
        ));
    }
    if !basis.disease_codes.is_empty() {
        let outside: Vec<&str> = claims
            .criteria
            .diagnosis_codes
            .iter()
            .filter(|code| {
                !basis
                    .disease_codes
                    .iter()
                    .any(|allowed| code.starts_with(allowed.as_str()))
            })
            .map(String::as_str)
            .collect();
        if !outside.is_empty() {
            reviews.push(format!(
                "the consent to {} covers {} only; the cohort also names {}",
                basis.registry.name(),
                basis.disease_codes.join(", "),
                outside.join(", ")
            ));
        }
    }

    let verdict = if !rejections.is_empty() {
        Verdict::NotPermitted
    } else if !reviews.is_empty() {
        Verdict::NeedsReview
    } else {
        Verdict::Permitted
    };
    rejections.extend(reviews);
    RegistryAssessment {
        registry: basis.registry,
        verdict,
        reasons: rejections,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hap_contracts::criteria::Registry;

    fn quality_basis() -> RegistryBasis {
        RegistryBasis {
            registry: Registry::Quality,
            kind: BasisKind::ConsentBased,
            duo_terms: vec!["DUO:0000007".into()],
            commercial_use: false,
            ethics_approval_required: true,
            disease_codes: vec!["C18".into(), "C19".into(), "C20".into()],
        }
    }

    fn good_claims() -> LegalBasisClaims {
        LegalBasisClaims {
            gdpr_article_6: Some("e".into()),
            gdpr_article_9: Some("j".into()),
            ethics_approval: Some("REK 2026/1234".into()),
            ethics_approval_date: None,
            dpia_done: true,
        }
    }

    fn purpose(commercial: bool) -> Purpose {
        Purpose {
            description: "survival after colorectal cancer surgery".into(),
            health_research: true,
            commercial,
        }
    }

    fn criteria(codes: &[&str]) -> CohortCriteria {
        CohortCriteria {
            diagnosis_codes: codes.iter().map(|c| c.to_string()).collect(),
            diagnosed_from: None,
            diagnosed_to: None,
        }
    }

    fn run(claims: &LegalBasisClaims, purpose: &Purpose, codes: &[&str]) -> RegistryAssessment {
        let criteria = criteria(codes);
        assess(
            &quality_basis(),
            &Claims {
                purpose,
                legal_basis: claims,
                level: DisclosureLevel::Pseudonymous,
                criteria: &criteria,
            },
        )
    }

    #[test]
    fn complete_claims_permitted() {
        let result = run(&good_claims(), &purpose(false), &["C18"]);
        assert_eq!(result.verdict, Verdict::Permitted, "{:?}", result.reasons);
    }

    #[test]
    fn commercial_purpose_not_permitted() {
        let result = run(&good_claims(), &purpose(true), &["C18"]);
        assert_eq!(result.verdict, Verdict::NotPermitted);
        assert!(result.reasons[0].contains("commercial"));
    }

    #[test]
    fn missing_ethics_approval_not_permitted() {
        let mut claims = good_claims();
        claims.ethics_approval = None;
        let result = run(&claims, &purpose(false), &["C18"]);
        assert_eq!(result.verdict, Verdict::NotPermitted);
    }

    #[test]
    fn missing_dpia_not_permitted() {
        let mut claims = good_claims();
        claims.dpia_done = false;
        let result = run(&claims, &purpose(false), &["C18"]);
        assert_eq!(result.verdict, Verdict::NotPermitted);
    }

    #[test]
    fn other_disease_needs_review() {
        let result = run(&good_claims(), &purpose(false), &["C18", "C50"]);
        assert_eq!(result.verdict, Verdict::NeedsReview);
        assert!(result.reasons[0].contains("C50"));
    }

    #[test]
    fn invalid_article_9_ground_not_permitted() {
        let mut claims = good_claims();
        claims.gdpr_article_9 = Some("b".into());
        let result = run(&claims, &purpose(false), &["C18"]);
        assert_eq!(result.verdict, Verdict::NotPermitted);
    }
}
