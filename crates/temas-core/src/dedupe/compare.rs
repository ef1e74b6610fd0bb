//! Field comparisons: each field of a pair of records gets an agreement level (0 is the strongest agreement, the
//! last level is disagreement), or `MISSING` when either record lacks the field. The comparison vector of a pair
//! packs the levels four bits per field into a `u64`, so the model can count identical vectors instead of pairs.

use super::nicknames::familiar_forms;
use super::prepare::{Name, Prepared};
use rapidfuzz::distance::jaro_winkler as jw;

/// Jaro–Winkler similarity of two strings, by character (by byte when both are ASCII, which is the same and
/// quicker).
fn jaro_winkler(a: &str, b: &str) -> f64 {
    if a.is_ascii() && b.is_ascii() {
        jw::similarity(a.bytes(), b.bytes())
    } else {
        jw::similarity(a.chars(), b.chars())
    }
}

/// True when at most one character substituted, inserted or deleted turns `a` into `b` (an edit distance of at
/// most one, without computing the distance): what is left after the longest common prefix and then the longest
/// common suffix is at most one character on each side.
fn within_one_edit(a: &str, b: &str) -> bool {
    let common = |x: &mut dyn Iterator<Item = (char, char)>| -> usize {
        x.take_while(|(p, q)| p == q)
            .map(|(p, _)| p.len_utf8())
            .sum()
    };
    let prefix = common(&mut a.chars().zip(b.chars()));
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = common(&mut a.chars().rev().zip(b.chars().rev()));
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    a.chars().nth(1).is_none() && b.chars().nth(1).is_none()
}

/// A level meaning "one of the records has no value here": no evidence either way.
pub const MISSING: u8 = 15;

/// The compared fields, in the order of their four-bit slots in a comparison vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    GivenName,
    FamilyName,
    Email,
    Phone,
    BirthDate,
    City,
    Street,
    Postcode,
    Region,
    Organisation,
    Domain,
    Identifier,
}

pub const FIELDS: [Field; 12] = [
    Field::GivenName,
    Field::FamilyName,
    Field::Email,
    Field::Phone,
    Field::BirthDate,
    Field::City,
    Field::Street,
    Field::Postcode,
    Field::Region,
    Field::Organisation,
    Field::Domain,
    Field::Identifier,
];

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::GivenName => "given_name",
            Field::FamilyName => "family_name",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::BirthDate => "birth_date",
            Field::City => "city",
            Field::Street => "street",
            Field::Postcode => "postcode",
            Field::Region => "region",
            Field::Organisation => "organisation",
            Field::Domain => "domain",
            Field::Identifier => "identifier",
        }
    }

    /// Fields that different people living or working in one place often share: a household's family name,
    /// address and landline, colleagues' employer.
    pub fn is_shared_place(self) -> bool {
        matches!(
            self,
            Field::FamilyName
                | Field::Phone
                | Field::Street
                | Field::City
                | Field::Postcode
                | Field::Region
                | Field::Organisation
                | Field::Domain
        )
    }

    /// What each level means, strongest first; the last is disagreement.
    pub fn levels(self) -> &'static [&'static str] {
        match self {
            Field::GivenName | Field::FamilyName => {
                &["same", "nearly same", "similar", "different"]
            }
            Field::Email => &["same", "same user name", "different"],
            Field::Phone => &["same", "one digit apart", "different"],
            Field::BirthDate => &["same", "one part or digit apart", "different"],
            Field::City | Field::Organisation => &["same", "similar", "different"],
            Field::Street => &["same", "nearly same", "similar", "different"],
            Field::Postcode | Field::Identifier => &["same", "one character apart", "different"],
            Field::Region | Field::Domain => &["same", "different"],
        }
    }
}

/// The level of `field` in a packed comparison vector.
pub fn level_of(vector: u64, slot: usize) -> u8 {
    ((vector >> (slot * 4)) & 0xF) as u8
}

/// Compares two records field by field.
pub fn compare(a: &Prepared, b: &Prepared) -> u64 {
    let (given, family) = names(a, b);
    let levels = [
        given,
        family,
        emails(&a.emails, &b.emails),
        any_pair(&a.phones, &b.phones, |x, y| {
            if x == y {
                0
            } else if x.len() == y.len() && within_one_edit(x, y) {
                1
            } else {
                2
            }
        }),
        match (&a.birth_date, &b.birth_date) {
            (Some(x), Some(y)) => dates(x, y),
            _ => MISSING,
        },
        place(&a.city, &b.city),
        street(&a.street, &b.street),
        one_edit(&a.postcode, &b.postcode),
        exact(&a.region, &b.region),
        place(&a.organisation, &b.organisation),
        exact(&a.domain, &b.domain),
        any_pair(&a.identifiers, &b.identifiers, one_edit),
    ];
    levels.iter().enumerate().fold(0u64, |v, (slot, level)| {
        v | (u64::from(*level) << (slot * 4))
    })
}

/// Given and family name levels, also trying the two swapped (a first name typed as the last): the assignment
/// that agrees better wins.
fn names(a: &Prepared, b: &Prepared) -> (u8, u8) {
    let straight = (
        name(&a.given, &b.given, true),
        name(&a.family, &b.family, false),
    );
    let swapped = (
        name(&a.given, &b.family, false),
        name(&a.family, &b.given, false),
    );
    let total = |(g, f): (u8, u8)| {
        let level = |l: u8| if l == MISSING { 3 } else { l };
        level(g) + level(f)
    };
    if total(swapped) < total(straight) && swapped.0 <= 1 && swapped.1 <= 1 {
        swapped
    } else {
        straight
    }
}

/// The level of two name parts: exact, nearly the same (a typo, a transliteration, a nickname), similar (an
/// initial, one name inside the other, a looser spelling), or different.
pub fn name(a: &Name, b: &Name, given: bool) -> u8 {
    if a.is_empty() || b.is_empty() {
        return MISSING;
    }
    if a.compact == b.compact
        || (!a.bare.is_empty() && (a.bare == b.bare || a.bare == b.compact))
        || (!b.bare.is_empty() && b.bare == a.compact)
    {
        return 0;
    }
    if a.non_latin != b.non_latin {
        // Across scripts only the transliterations can be compared.
        if a.latin == b.latin {
            return 0;
        }
        if a.skeleton == b.skeleton && !a.skeleton.is_empty()
            || jaro_winkler(&a.latin, &b.latin) >= 0.9
        {
            return 1;
        }
        if jaro_winkler(&a.skeleton, &b.skeleton) >= 0.85 {
            return 2;
        }
        return 3;
    }
    let similarity = jaro_winkler(&a.compact, &b.compact);
    if similarity >= 0.92 || (given && familiar_forms(&a.compact, &b.compact)) {
        return 1;
    }
    let initial = |x: &Name, y: &Name| {
        x.compact.chars().nth(1).is_none() && y.compact.starts_with(&x.compact)
    };
    let inside =
        |x: &Name, y: &Name| x.compact.chars().nth(2).is_some() && y.compact.contains(&x.compact);
    if similarity >= 0.8 || initial(a, b) || initial(b, a) || inside(a, b) || inside(b, a) {
        return 2;
    }
    3
}

fn emails(a: &[String], b: &[String]) -> u8 {
    any_pair(a, b, |x, y| {
        if x == y {
            return 0;
        }
        let (lx, ly) = (local_part(x), local_part(y));
        if lx == ly || jaro_winkler(lx, ly) >= 0.92 {
            1
        } else {
            2
        }
    })
}

fn local_part(email: &str) -> &str {
    email.split('@').next().unwrap_or("")
}

/// The best level over every pair of values (records may have several emails, phones, identifiers).
fn any_pair(a: &[String], b: &[String], level: impl Fn(&str, &str) -> u8) -> u8 {
    if a.is_empty() || b.is_empty() {
        return MISSING;
    }
    let mut best = u8::MAX;
    for x in a {
        for y in b {
            best = best.min(level(x, y));
            if best == 0 {
                return 0;
            }
        }
    }
    best
}

/// Birth dates as `YYYYMMDD`: the same, one digit or one part wrong or day and month swapped, or different.
fn dates(a: &str, b: &str) -> u8 {
    if a == b {
        return 0;
    }
    let swapped = a.len() == 8
        && b.len() == 8
        && a[..4] == b[..4]
        && a[4..6] == b[6..8]
        && a[6..8] == b[4..6];
    let parts_differing = [0..4, 4..6, 6..8]
        .into_iter()
        .filter(|r| a.get(r.clone()) != b.get(r.clone()))
        .count();
    if swapped || within_one_edit(a, b) || parts_differing == 1 {
        1
    } else {
        2
    }
}

fn place(a: &Name, b: &Name) -> u8 {
    if a.is_empty() || b.is_empty() {
        return MISSING;
    }
    if a.compact == b.compact || a.latin == b.latin {
        0
    } else if jaro_winkler(&a.latin, &b.latin) >= 0.88 {
        1
    } else {
        2
    }
}

fn street(a: &str, b: &str) -> u8 {
    if a.is_empty() || b.is_empty() {
        return MISSING;
    }
    if a == b {
        return 0;
    }
    let similarity = jaro_winkler(a, b);
    if similarity >= 0.9 {
        1
    } else if similarity >= 0.75 {
        2
    } else {
        3
    }
}

fn one_edit(a: &str, b: &str) -> u8 {
    if a.is_empty() || b.is_empty() {
        MISSING
    } else if a == b {
        0
    } else if within_one_edit(a, b) {
        1
    } else {
        2
    }
}

fn exact(a: &str, b: &str) -> u8 {
    if a.is_empty() || b.is_empty() {
        MISSING
    } else if a == b {
        0
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedupe::MatchInput;

    fn person(given: &str, family: &str) -> Prepared {
        Prepared::new(&MatchInput {
            given_name: given.into(),
            family_name: family.into(),
            ..MatchInput::default()
        })
    }

    fn name_levels(a: (&str, &str), b: (&str, &str)) -> (u8, u8) {
        let v = compare(&person(a.0, a.1), &person(b.0, b.1));
        (level_of(v, 0), level_of(v, 1))
    }

    #[test]
    fn names_compare_across_scripts_and_spellings() {
        assert_eq!(name_levels(("Reza", "Ahmadi"), ("رضا", "احمدی")), (1, 1));
        // "Иванов" transliterates to exactly "ivanov".
        assert_eq!(
            name_levels(("Sergey", "Ivanov"), ("Сергей", "Иванов")),
            (1, 0)
        );
        assert_eq!(name_levels(("علي", "كريمي"), ("علی", "کریمی")), (0, 0));
        assert_eq!(name_levels(("Bob", "Smith"), ("Robert", "Smith")), (1, 0));
        assert_eq!(name_levels(("J", "Smith"), ("John", "Smith")), (2, 0));
        assert_eq!(name_levels(("Smith", "John"), ("John", "Smith")), (0, 0));
        assert_eq!(
            name_levels(("Şükrü", "Öztürk"), ("Sukru", "Ozturk")),
            (0, 0)
        );
        assert_eq!(
            name_levels(("Fahad", "Al-Harbi"), ("Fahad", "Harbi")),
            (0, 0)
        );
        assert_eq!(name_levels(("Mary", "Jones"), ("Olga", "Jones")), (3, 0));
    }

    #[test]
    fn dates_one_part_apart_are_close() {
        assert_eq!(dates("19840312", "19840312"), 0);
        assert_eq!(dates("19840312", "19841203"), 1);
        assert_eq!(dates("19840312", "19840313"), 1);
        assert_eq!(dates("19840312", "19910527"), 2);
    }

    #[test]
    fn one_edit_is_an_edit_distance_of_at_most_one() {
        for (a, b, want) in [
            ("", "", true),
            ("", "a", true),
            ("", "ab", false),
            ("abc", "abc", true),
            ("abc", "abd", true),
            ("abc", "ab", true),
            ("abc", "bc", true),
            ("aab", "ab", true),
            ("abba", "aba", true),
            ("abc", "acb", false),
            ("abcd", "abdc", false),
            ("kitten", "sitting", false),
            ("علی", "على", true),
            ("Şükrü", "Sükrü", true),
            ("Şükrü", "Sukru", false),
        ] {
            assert_eq!(within_one_edit(a, b), want, "{a} / {b}");
            assert_eq!(within_one_edit(b, a), want, "{b} / {a}");
        }
    }

    #[test]
    fn missing_fields_are_no_evidence() {
        let v = compare(&person("A", ""), &person("A", "B"));
        assert_eq!(level_of(v, 1), MISSING);
        assert_eq!(level_of(v, 2), MISSING);
    }
}
