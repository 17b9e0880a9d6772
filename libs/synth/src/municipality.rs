//! Norwegian municipalities that persons of the spine live in.

/// A municipality with its 4-digit number (the numbering in force from
/// 2024-01-01) and an approximate population.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Municipality {
    pub(crate) number: &'static str,
    pub(crate) name: &'static str,
    /// Residents, rounded to the nearest 500. NOTE: these are approximate
    /// figures for 2024, used only as sampling weights.
    pub(crate) population: u32,
}

const fn municipality(number: &'static str, name: &'static str, population: u32) -> Municipality {
    Municipality {
        number,
        name,
        population,
    }
}

/// The larger municipalities of every county. The first two digits of the
/// number are the county number. The counties are 03 Oslo, 11 Rogaland,
/// 15 Møre og Romsdal, 18 Nordland, 31 Østfold, 32 Akershus, 33 Buskerud,
/// 34 Innlandet, 39 Vestfold, 40 Telemark, 42 Agder, 46 Vestland,
/// 50 Trøndelag, 55 Troms and 56 Finnmark.
pub(crate) const MUNICIPALITIES: &[Municipality] = &[
    municipality("0301", "Oslo", 717_500),
    municipality("1103", "Stavanger", 148_000),
    municipality("1106", "Haugesund", 38_000),
    municipality("1108", "Sandnes", 83_000),
    municipality("1119", "Hå", 19_500),
    municipality("1120", "Klepp", 20_000),
    municipality("1121", "Time", 19_000),
    municipality("1124", "Sola", 28_000),
    municipality("1505", "Kristiansund", 24_500),
    municipality("1506", "Molde", 32_500),
    municipality("1508", "Ålesund", 60_000),
    municipality("1804", "Bodø", 53_000),
    municipality("1806", "Narvik", 21_500),
    municipality("1824", "Vefsn", 13_500),
    municipality("1833", "Rana", 26_500),
    municipality("3101", "Halden", 31_500),
    municipality("3103", "Moss", 51_000),
    municipality("3105", "Sarpsborg", 58_500),
    municipality("3107", "Fredrikstad", 85_000),
    municipality("3201", "Bærum", 131_000),
    municipality("3203", "Asker", 98_000),
    municipality("3205", "Lillestrøm", 92_000),
    municipality("3207", "Nordre Follo", 62_000),
    municipality("3209", "Ullensaker", 43_000),
    municipality("3222", "Lørenskog", 48_000),
    municipality("3301", "Drammen", 104_000),
    municipality("3303", "Kongsberg", 28_000),
    municipality("3305", "Ringerike", 31_500),
    municipality("3401", "Kongsvinger", 18_000),
    municipality("3403", "Hamar", 32_500),
    municipality("3405", "Lillehammer", 29_000),
    municipality("3407", "Gjøvik", 31_000),
    municipality("3411", "Ringsaker", 35_000),
    municipality("3901", "Horten", 28_000),
    municipality("3905", "Tønsberg", 58_000),
    municipality("3907", "Sandefjord", 65_500),
    municipality("3909", "Larvik", 48_000),
    municipality("4001", "Porsgrunn", 37_000),
    municipality("4003", "Skien", 56_000),
    municipality("4005", "Notodden", 13_000),
    municipality("4202", "Grimstad", 24_500),
    municipality("4203", "Arendal", 46_000),
    municipality("4204", "Kristiansand", 116_000),
    municipality("4601", "Bergen", 291_000),
    municipality("4614", "Stord", 19_000),
    municipality("4626", "Øygarden", 39_500),
    municipality("4627", "Askøy", 30_500),
    municipality("4631", "Alver", 30_000),
    municipality("5001", "Trondheim", 214_000),
    municipality("5006", "Steinkjer", 24_500),
    municipality("5028", "Melhus", 17_000),
    municipality("5035", "Stjørdal", 25_000),
    municipality("5501", "Tromsø", 78_500),
    municipality("5503", "Harstad", 25_000),
    municipality("5601", "Alta", 21_500),
    municipality("5603", "Hammerfest", 11_500),
    municipality("5605", "Sør-Varanger", 10_000),
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn numbers_are_four_digits_and_unique() {
        let mut seen = HashSet::new();
        for municipality in MUNICIPALITIES {
            assert_eq!(municipality.number.len(), 4, "{}", municipality.name);
            assert!(
                municipality.number.bytes().all(|b| b.is_ascii_digit()),
                "{}",
                municipality.name
            );
            assert!(seen.insert(municipality.number), "{}", municipality.name);
        }
    }

    #[test]
    fn every_county_is_present() {
        let counties: HashSet<&str> = MUNICIPALITIES.iter().map(|m| &m.number[..2]).collect();
        for county in [
            "03", "11", "15", "18", "31", "32", "33", "34", "39", "40", "42", "46", "50", "55",
            "56",
        ] {
            assert!(counties.contains(county), "county {county} missing");
        }
    }
}
