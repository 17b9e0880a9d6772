//! The legal-basis assessment of one application, registry by registry.

use chrono::{Months, NaiveDate, Utc};
use hap_contracts::application::{DisclosureLevel, LegalBasisClaims, Purpose};
use hap_contracts::criteria::CohortCriteria;
use hap_contracts::events::{RegistryAssessment, Verdict};

use super::basis::{BasisKind, RegistryBasis};
use super::duo::DuoTerm;

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
    /// The last day of the permit period, known at approval.
    pub period_end: Option<NaiveDate>,
}

/// The reasons found, split by the verdict they lead to.
#[derive(Default)]
struct Findings {
    rejections: Vec<String>,
    reviews: Vec<String>,
}

/// Assesses one registry. `NotPermitted` outranks `NeedsReview`, which
/// outranks `Permitted`; every reason found is listed.
pub fn assess(basis: &RegistryBasis, claims: &Claims) -> RegistryAssessment {
    let mut findings = Findings::default();
    check_grounds(basis, claims, &mut findings);
    check_safeguards(basis, claims, &mut findings);
    check_data_use(basis, claims, &mut findings);

    let Findings {
        mut rejections,
        reviews,
    } = findings;
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

/// GDPR article 6(1) and 9(2) grounds: each valid, both fitting each other,
/// the registry's legal basis and the purpose.
fn check_grounds(basis: &RegistryBasis, claims: &Claims, findings: &mut Findings) {
    let article_6 = claims.legal_basis.gdpr_article_6.as_deref();
    let article_9 = claims.legal_basis.gdpr_article_9.as_deref();
    let purpose = claims.purpose;
    let name = basis.registry.name();
    let (rejections, reviews) = (&mut findings.rejections, &mut findings.reviews);

    match article_6 {
        None => rejections.push("no GDPR article 6(1) ground is claimed".to_owned()),
        Some(ground) if !ARTICLE_6.contains(&ground) => rejections.push(format!(
            "`{ground}` is not a GDPR article 6(1) ground; use a to f"
        )),
        Some(ground @ ("b" | "d")) => reviews.push(format!(
            "article 6(1)({ground}) (contract or vital interests) rarely covers \
             secondary use for research; check the ground"
        )),
        Some("e") if purpose.commercial => reviews
            .push("article 6(1)(e) (public interest) is claimed for a commercial purpose".into()),
        _ => {}
    }
    match article_9 {
        None => rejections.push("no GDPR article 9(2) ground is claimed for health data".to_owned()),
        Some(ground) if !ARTICLE_9_HEALTH.contains(&ground) => rejections.push(format!(
            "article 9(2)({ground}) does not cover secondary use of health data; use a, g, h, i or j"
        )),
        Some("h") => reviews.push(
            "article 9(2)(h) covers the provision of health care, not secondary use; \
             research usually rests on 9(2)(j)"
                .into(),
        ),
        Some("j") if !purpose.health_research => reviews.push(
            "article 9(2)(j) covers research and statistics, but the purpose is not research"
                .into(),
        ),
        _ => {}
    }
    if article_9 == Some("a") && article_6 != Some("a") {
        reviews
            .push("explicit consent under 9(2)(a) is claimed without consent under 6(1)(a)".into());
    }
    if article_6 == Some("a") && article_9.is_some_and(|ground| ground != "a") {
        reviews
            .push("consent under 6(1)(a) is claimed without explicit consent under 9(2)(a)".into());
    }
    let consent_claimed = article_6 == Some("a") || article_9 == Some("a");
    if basis.kind != BasisKind::ConsentBased && consent_claimed {
        reviews.push(format!(
            "{name} is a statutory registry; its data was not collected on consent, so consent does not fit"
        ));
    }
}

/// Ethics approval and the data protection impact assessment.
fn check_safeguards(basis: &RegistryBasis, claims: &Claims, findings: &mut Findings) {
    let legal_basis = claims.legal_basis;
    let ethics_needed = basis.has(DuoTerm::EthicsApprovalRequired)
        || (claims.purpose.health_research && basis.ethics_approval_required);
    if ethics_needed
        && legal_basis
            .ethics_approval
            .as_deref()
            .is_none_or(|reference| reference.trim().is_empty())
    {
        findings
            .rejections
            .push("health research needs an ethics committee approval reference".into());
    }
    if let Some(approved) = legal_basis.ethics_approval_date
        && approved > Utc::now().date_naive()
    {
        findings.reviews.push(format!(
            "the ethics approval is dated {approved}, in the future"
        ));
    }
    if claims.level == DisclosureLevel::Pseudonymous && !legal_basis.dpia_done {
        findings
            .rejections
            .push("pseudonymous microdata needs a data protection impact assessment".into());
    }
}

/// Checks the purpose against the registry's data-use conditions.
fn check_data_use(basis: &RegistryBasis, claims: &Claims, findings: &mut Findings) {
    let name = basis.registry.name();
    let purpose = claims.purpose;
    let (rejections, reviews) = (&mut findings.rejections, &mut findings.reviews);

    if purpose.commercial && !basis.commercial_use {
        let term = basis
            .duo_terms
            .iter()
            .find(|term| term.forbids_commercial_use());
        rejections.push(match term {
            Some(term) => format!("{name} may not be used for commercial purposes ({term})"),
            None => format!("{name} may not be used for commercial purposes"),
        });
    }
    if basis.has(DuoTerm::HealthMedicalResearch) && !purpose.health_research {
        rejections.push(format!(
            "{name} allows health or medical research only ({}), and the purpose is not",
            DuoTerm::HealthMedicalResearch
        ));
    }
    if basis.has(DuoTerm::PopulationOriginsResearch) {
        reviews.push(format!(
            "{name} allows population origins or ancestry research only ({}); check the purpose",
            DuoTerm::PopulationOriginsResearch
        ));
    }
    if basis.has(DuoTerm::DiseaseSpecificResearch) {
        check_disease_scope(basis, claims, findings);
    }
    if let (Some(months), Some(end)) = (basis.time_limit_months, claims.period_end) {
        let limit = Utc::now()
            .date_naive()
            .checked_add_months(Months::new(months));
        if limit.is_some_and(|limit| end > limit) {
            findings.reviews.push(format!(
                "{name} may be used for {months} months at most ({}); the period ends {end}",
                DuoTerm::TimeLimit
            ));
        }
    }
}

/// Checks the cohort's diagnosis codes against a disease-specific registry's
/// scope. No code inside the scope is not permitted, and some outside needs review.
fn check_disease_scope(basis: &RegistryBasis, claims: &Claims, findings: &mut Findings) {
    let name = basis.registry.name();
    let inside = |code: &String| {
        basis
            .disease_codes
            .iter()
            .any(|allowed| code.starts_with(allowed.as_str()))
    };
    let codes = &claims.criteria.diagnosis_codes;
    let outside: Vec<&str> = codes
        .iter()
        .filter(|code| !inside(code))
        .map(String::as_str)
        .collect();
    if !claims.purpose.health_research {
        findings.rejections.push(format!(
            "the consent to {name} covers research on {} only, and the purpose is not research",
            basis.disease_codes.join(", ")
        ));
    } else if !outside.is_empty() && outside.len() == codes.len() {
        findings.rejections.push(format!(
            "the consent to {name} covers {} only; the cohort names {}",
            basis.disease_codes.join(", "),
            outside.join(", ")
        ));
    } else if !outside.is_empty() {
        findings.reviews.push(format!(
            "the consent to {name} covers {} only; the cohort also names {}",
            basis.disease_codes.join(", "),
            outside.join(", ")
        ));
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
            duo_terms: vec![
                DuoTerm::DiseaseSpecificResearch,
                DuoTerm::NotForProfitNonCommercial,
                DuoTerm::EthicsApprovalRequired,
            ],
            commercial_use: false,
            ethics_approval_required: true,
            disease_codes: vec!["C18".into(), "C19".into(), "C20".into()],
            time_limit_months: None,
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
        run_on(&quality_basis(), claims, purpose, codes)
    }

    fn run_on(
        basis: &RegistryBasis,
        claims: &LegalBasisClaims,
        purpose: &Purpose,
        codes: &[&str],
    ) -> RegistryAssessment {
        let criteria = criteria(codes);
        assess(
            basis,
            &Claims {
                purpose,
                legal_basis: claims,
                level: DisclosureLevel::Pseudonymous,
                criteria: &criteria,
                period_end: None,
            },
        )
    }

    fn statutory_basis(terms: &[DuoTerm]) -> RegistryBasis {
        RegistryBasis {
            registry: Registry::Cancer,
            kind: BasisKind::Statutory,
            duo_terms: terms.to_vec(),
            commercial_use: true,
            ethics_approval_required: false,
            disease_codes: Vec::new(),
            time_limit_months: None,
        }
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

    #[test]
    fn only_other_diseases_not_permitted() {
        let result = run(&good_claims(), &purpose(false), &["C50"]);
        assert_eq!(result.verdict, Verdict::NotPermitted);
        assert!(result.reasons[0].contains("C50"), "{:?}", result.reasons);
    }

    #[test]
    fn health_only_registry_rejects_other_purpose() {
        let basis = statutory_basis(&[DuoTerm::HealthMedicalResearch]);
        let mut other = purpose(false);
        other.health_research = false;
        let mut claims = good_claims();
        claims.gdpr_article_9 = Some("g".into());
        let result = run_on(&basis, &claims, &other, &["C18"]);
        assert_eq!(result.verdict, Verdict::NotPermitted);
        assert!(
            result.reasons[0].contains("DUO:0000006"),
            "{:?}",
            result.reasons
        );
    }

    #[test]
    fn consent_ground_on_statutory_registry_needs_review() {
        let basis = statutory_basis(&[DuoTerm::GeneralResearchUse]);
        let mut claims = good_claims();
        claims.gdpr_article_6 = Some("a".into());
        claims.gdpr_article_9 = Some("a".into());
        let result = run_on(&basis, &claims, &purpose(false), &["C18"]);
        assert_eq!(result.verdict, Verdict::NeedsReview);
        assert!(
            result.reasons[0].contains("statutory"),
            "{:?}",
            result.reasons
        );
    }

    #[test]
    fn consent_without_explicit_consent_needs_review() {
        let mut claims = good_claims();
        claims.gdpr_article_6 = Some("a".into());
        let result = run(&claims, &purpose(false), &["C18"]);
        assert_eq!(result.verdict, Verdict::NeedsReview);
        assert!(
            result.reasons[0].contains("9(2)(a)"),
            "{:?}",
            result.reasons
        );
    }

    #[test]
    fn public_interest_for_commercial_purpose_needs_review() {
        let basis = statutory_basis(&[DuoTerm::GeneralResearchUse]);
        let result = run_on(&basis, &good_claims(), &purpose(true), &["C18"]);
        assert_eq!(result.verdict, Verdict::NeedsReview);
        assert!(
            result.reasons[0].contains("6(1)(e)"),
            "{:?}",
            result.reasons
        );
    }

    #[test]
    fn research_ground_without_research_needs_review() {
        let basis = statutory_basis(&[DuoTerm::GeneralResearchUse]);
        let mut other = purpose(false);
        other.health_research = false;
        let result = run_on(&basis, &good_claims(), &other, &["C18"]);
        assert_eq!(result.verdict, Verdict::NeedsReview);
        assert!(
            result.reasons[0].contains("9(2)(j)"),
            "{:?}",
            result.reasons
        );
    }

    #[test]
    fn period_beyond_time_limit_needs_review() {
        let mut basis = statutory_basis(&[DuoTerm::GeneralResearchUse, DuoTerm::TimeLimit]);
        basis.time_limit_months = Some(12);
        let criteria = criteria(&["C18"]);
        let claims = good_claims();
        let purpose = purpose(false);
        let period_end = Utc::now().date_naive().checked_add_months(Months::new(24));
        let result = assess(
            &basis,
            &Claims {
                purpose: &purpose,
                legal_basis: &claims,
                level: DisclosureLevel::Pseudonymous,
                criteria: &criteria,
                period_end,
            },
        );
        assert_eq!(result.verdict, Verdict::NeedsReview);
        assert!(
            result.reasons[0].contains("12 months"),
            "{:?}",
            result.reasons
        );
    }
}
