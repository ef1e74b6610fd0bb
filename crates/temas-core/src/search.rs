//! Search keys for records, query analysis and ranking.
//!
//! Each record gets *terms* (whole normalised words, transliterations, emails, national phone numbers) that an
//! ordered index answers by prefix, and one *document* (all of those in one string) that a trigram index answers
//! for fragments inside words. Ranking happens here, over the few candidates the indexes return.

use crate::contact::{CompanyData, ContactData};
use crate::normalize::{Zwnj, has_non_latin, search_key, search_key_with, transliterate};
use crate::phone::{national_of_e164, phone_query_key};
use std::collections::BTreeSet;

/// The search terms and trigram document of one record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchKeys {
    pub terms: BTreeSet<String>,
    pub doc: String,
}

/// Adds the words of a name, their ZWNJ-split parts and their Latin transliteration.
fn add_name(keys: &mut BTreeSet<String>, text: &str) {
    let key = search_key(text);
    for word in key.split(' ').filter(|w| !w.is_empty()) {
        keys.insert(word.to_owned());
    }
    if text.contains('\u{200C}') {
        for word in search_key_with(text, Zwnj::Space)
            .split(' ')
            .filter(|w| !w.is_empty())
        {
            keys.insert(word.to_owned());
        }
    }
    if has_non_latin(&key) {
        for word in transliterate(&key).split(' ').filter(|w| w.len() > 1) {
            keys.insert(word.to_owned());
        }
    }
}

fn finish(terms: BTreeSet<String>, extra_doc: &[String]) -> SearchKeys {
    let mut doc: Vec<&str> = terms.iter().map(String::as_str).collect();
    doc.extend(extra_doc.iter().map(String::as_str));
    SearchKeys {
        doc: doc.join(" "),
        terms,
    }
}

fn add_points(
    terms: &mut BTreeSet<String>,
    extra_doc: &mut Vec<String>,
    points: &crate::points::ContactPoints,
) {
    for email in &points.emails {
        terms.insert(email.normalized.clone());
    }
    for phone in &points.phones {
        terms.insert(national_of_e164(&phone.e164).to_owned());
        // E.164 digits too, so that fragments typed with the country code match inside the document.
        extra_doc.push(phone.e164.trim_start_matches('+').to_owned());
    }
}

pub fn contact_keys(c: &ContactData) -> SearchKeys {
    let mut terms = BTreeSet::new();
    let mut extra_doc = Vec::new();
    for name in [&c.first_name, &c.middle_name, &c.last_name]
        .into_iter()
        .flatten()
    {
        add_name(&mut terms, name);
    }
    add_name(&mut terms, &c.display_name);
    add_points(&mut terms, &mut extra_doc, &c.points);
    finish(terms, &extra_doc)
}

pub fn company_keys(c: &CompanyData) -> SearchKeys {
    let mut terms = BTreeSet::new();
    let mut extra_doc = Vec::new();
    add_name(&mut terms, &c.name);
    if let Some(domain) = &c.domain {
        terms.insert(domain.clone());
    }
    add_points(&mut terms, &mut extra_doc, &c.points);
    finish(terms, &extra_doc)
}

/// A search request after normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// Normalised words of the query; every one must occur in a result.
    pub words: Vec<String>,
    /// The word looked up in the prefix index: the longest one (most selective).
    pub probe: String,
}

/// Normalises a query. `None` when nothing searchable is left.
pub fn analyze_query(q: &str, region: Option<phonenumber::country::Id>) -> Option<SearchQuery> {
    if let Some(digits) = phone_query_key(q, region) {
        return Some(SearchQuery {
            words: vec![digits.clone()],
            probe: digits,
        });
    }
    let key = search_key(q);
    let mut words: Vec<String> = key
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    words.dedup();
    let probe = words.iter().max_by_key(|w| w.chars().count())?.clone();
    Some(SearchQuery { words, probe })
}

/// How well a record's document matches a query; `None` when a query word is missing.
/// Whole-word matches beat word-prefix matches, which beat fragments inside words.
pub fn score(query: &SearchQuery, doc: &str) -> Option<u32> {
    let mut total = 0;
    for word in &query.words {
        let best = doc
            .split(' ')
            .map(|term| {
                if term == word {
                    100
                } else if term.starts_with(word.as_str()) {
                    60
                } else if term.contains(word.as_str()) {
                    20
                } else {
                    0
                }
            })
            .max()
            .unwrap_or(0);
        if best == 0 {
            return None;
        }
        total += best;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::{ContactInput, ValidationContext};
    use crate::phone::parse_region;
    use serde_json::json;

    fn contact(v: serde_json::Value) -> ContactData {
        let ctx = ValidationContext {
            region: parse_region("IR"),
            custom_fields: vec![],
            ..ValidationContext::default()
        };
        serde_json::from_value::<ContactInput>(v)
            .unwrap()
            .validate(&ctx, None)
            .unwrap()
    }

    fn finds(c: &ContactData, q: &str) -> bool {
        let keys = contact_keys(c);
        let query = analyze_query(q, parse_region("IR")).unwrap();
        score(&query, &keys.doc).is_some()
    }

    #[test]
    fn arabic_letters_find_the_persian_spelling_and_back() {
        let persian = contact(json!({"first_name": "علی", "last_name": "کریمی"}));
        assert!(finds(&persian, "علي كريمي"));
        let arabic = contact(json!({"first_name": "علي", "last_name": "كريمي"}));
        assert!(finds(&arabic, "علی کریمی"));
    }

    #[test]
    fn a_phone_in_any_format_finds_the_contact() {
        let c = contact(json!({"first_name": "Reza", "phones": [{"number": "0912 345 6789"}]}));
        for q in [
            "09123456789",
            "+98 912 345 6789",
            "۰۹۱۲۳۴۵",
            "912 345",
            "3456789",
            "0098912",
        ] {
            assert!(finds(&c, q), "{q}");
        }
    }

    #[test]
    fn latin_finds_cyrillic_by_transliteration() {
        let c = contact(json!({"first_name": "Иван", "last_name": "Петров"}));
        assert!(finds(&c, "ivan"));
        assert!(finds(&c, "Петр"));
    }

    #[test]
    fn turkish_casing_and_diacritics() {
        let c = contact(json!({"first_name": "İsmail", "last_name": "Şahin"}));
        assert!(finds(&c, "ISMAIL"));
        assert!(finds(&c, "ismail sahin"));
        assert!(finds(&c, "ŞAHİN"));
    }

    #[test]
    fn zwnj_names_match_joined_and_split() {
        let c = contact(json!({"first_name": "علی‌رضا"}));
        assert!(finds(&c, "علیرضا"));
        assert!(finds(&c, "رضا"));
    }

    #[test]
    fn email_fragments() {
        let c =
            contact(json!({"first_name": "X", "emails": [{"address": "Ali.Rezaei@Example.com"}]}));
        assert!(finds(&c, "ali.re"));
        assert!(finds(&c, "example"));
    }

    #[test]
    fn whole_words_rank_above_prefixes_above_fragments() {
        let q = analyze_query("ali", None).unwrap();
        let exact = score(&q, "ali rezaei").unwrap();
        let prefix = score(&q, "alireza karimi").unwrap();
        let inner = score(&q, "khalil karimi").unwrap();
        assert!(exact > prefix && prefix > inner);
        assert_eq!(score(&q, "reza karimi"), None);
    }
}
