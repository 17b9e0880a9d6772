//! Checks of the settings and column roles before any work starts.

use std::collections::HashMap;

use crate::dataset::Dataset;
use crate::error::DisclosureError;
use crate::settings::{LDiversity, QuasiIdentifier, Settings};

/// Rejects settings that cannot be applied to `data`: an empty data set, no
/// quasi-identifiers, k below 1, a suppression limit outside 0 to 1, an
/// invalid l, a t outside 0 to 1, l or t without sensitive columns, unknown
/// columns, and a column named in two roles.
pub(crate) fn validate(
    data: &Dataset,
    qis: &[QuasiIdentifier],
    settings: &Settings,
) -> Result<(), DisclosureError> {
    if data.is_empty() {
        return Err(DisclosureError::EmptyDataset);
    }
    if qis.is_empty() {
        return Err(DisclosureError::NoQuasiIdentifiers);
    }
    if settings.k == 0 {
        return Err(DisclosureError::InvalidK { k: settings.k });
    }
    let limit = settings.suppression_limit;
    if !(0.0..=1.0).contains(&limit) {
        return Err(DisclosureError::InvalidSuppressionLimit { limit });
    }
    match settings.l {
        Some(LDiversity::Distinct { l }) if l == 0 => {
            return Err(DisclosureError::InvalidL { l: l as f64 });
        }
        Some(LDiversity::Entropy { l }) if !l.is_finite() || l < 1.0 => {
            return Err(DisclosureError::InvalidL { l });
        }
        _ => {}
    }
    if let Some(t) = settings.t
        && !(0.0..=1.0).contains(&t)
    {
        return Err(DisclosureError::InvalidT { t });
    }
    if (settings.l.is_some() || settings.t.is_some()) && settings.sensitive.is_empty() {
        return Err(DisclosureError::MissingSensitive);
    }

    let mut roles: HashMap<&str, &'static str> = HashMap::new();
    let named = qis
        .iter()
        .map(|qi| (qi.column.as_str(), "quasi-identifier"))
        .chain(settings.sensitive.iter().map(|c| (c.as_str(), "sensitive")))
        .chain(
            settings
                .identifying
                .iter()
                .map(|c| (c.as_str(), "identifying")),
        );
    for (column, role) in named {
        data.column_index(column)?;
        if let Some(first) = roles.insert(column, role) {
            return Err(DisclosureError::ConflictingRoles {
                column: column.to_owned(),
                first,
                second: role,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hierarchy::Hierarchy;

    fn data() -> Dataset {
        Dataset::from_csv_str("a;b;c\n1;x;p\n2;y;q\n", b';').unwrap()
    }

    fn qi_a() -> Vec<QuasiIdentifier> {
        vec![QuasiIdentifier::new(
            "a",
            Hierarchy::from_csv_str("1;*\n2;*\n").unwrap(),
        )]
    }

    #[test]
    fn valid_settings_pass() {
        let mut settings = Settings::k_anonymity(2);
        settings.l = Some(LDiversity::Distinct { l: 2 });
        settings.sensitive = vec!["b".to_owned()];
        settings.identifying = vec!["c".to_owned()];
        assert_eq!(validate(&data(), &qi_a(), &settings), Ok(()));
    }

    #[test]
    fn zero_k_is_rejected() {
        let settings = Settings::k_anonymity(0);
        assert_eq!(
            validate(&data(), &qi_a(), &settings),
            Err(DisclosureError::InvalidK { k: 0 })
        );
    }

    #[test]
    fn limit_outside_unit_interval_is_rejected() {
        for limit in [-0.1, 1.5, f64::NAN] {
            let mut settings = Settings::k_anonymity(2);
            settings.suppression_limit = limit;
            let result = validate(&data(), &qi_a(), &settings);
            assert!(
                matches!(result, Err(DisclosureError::InvalidSuppressionLimit { .. })),
                "{limit}"
            );
        }
    }

    #[test]
    fn invalid_l_is_rejected() {
        let mut settings = Settings::k_anonymity(2);
        settings.sensitive = vec!["b".to_owned()];
        settings.l = Some(LDiversity::Entropy { l: 0.5 });
        assert!(matches!(
            validate(&data(), &qi_a(), &settings),
            Err(DisclosureError::InvalidL { .. })
        ));
        settings.l = Some(LDiversity::Distinct { l: 0 });
        assert!(matches!(
            validate(&data(), &qi_a(), &settings),
            Err(DisclosureError::InvalidL { .. })
        ));
    }

    #[test]
    fn t_outside_unit_interval_is_rejected() {
        for t in [-0.1, 1.5, f64::NAN] {
            let mut settings = Settings::k_anonymity(2);
            settings.sensitive = vec!["b".to_owned()];
            settings.t = Some(t);
            let result = validate(&data(), &qi_a(), &settings);
            assert!(
                matches!(result, Err(DisclosureError::InvalidT { .. })),
                "{t}"
            );
        }
    }

    #[test]
    fn t_without_sensitive_is_rejected() {
        let mut settings = Settings::k_anonymity(2);
        settings.t = Some(0.2);
        assert_eq!(
            validate(&data(), &qi_a(), &settings),
            Err(DisclosureError::MissingSensitive)
        );
    }

    #[test]
    fn l_without_sensitive_is_rejected() {
        let mut settings = Settings::k_anonymity(2);
        settings.l = Some(LDiversity::Distinct { l: 2 });
        assert_eq!(
            validate(&data(), &qi_a(), &settings),
            Err(DisclosureError::MissingSensitive)
        );
    }

    #[test]
    fn column_in_two_roles_is_rejected() {
        let mut settings = Settings::k_anonymity(2);
        settings.sensitive = vec!["a".to_owned()];
        assert_eq!(
            validate(&data(), &qi_a(), &settings),
            Err(DisclosureError::ConflictingRoles {
                column: "a".to_owned(),
                first: "quasi-identifier",
                second: "sensitive",
            })
        );
    }

    #[test]
    fn unknown_sensitive_column_is_rejected() {
        let mut settings = Settings::k_anonymity(2);
        settings.sensitive = vec!["z".to_owned()];
        assert!(matches!(
            validate(&data(), &qi_a(), &settings),
            Err(DisclosureError::UnknownColumn { .. })
        ));
    }

    #[test]
    fn empty_data_is_rejected() {
        let empty = Dataset::from_csv_str("a;b;c\n", b';').unwrap();
        assert_eq!(
            validate(&empty, &qi_a(), &Settings::k_anonymity(2)),
            Err(DisclosureError::EmptyDataset)
        );
    }
}
