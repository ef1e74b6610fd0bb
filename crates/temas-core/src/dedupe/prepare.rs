//! Each input record reduced once to what the comparisons and blocking keys need: normalised, script-independent
//! forms of names, addresses and identifiers.

use super::MatchInput;
use crate::normalize::{ascii_digits, has_non_latin, search_key, transliterate};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// One name part (given or family) in the forms the comparisons use.
#[derive(Debug, Clone, Default)]
pub struct Name {
    /// The normalised key without spaces, so that "علی رضا", "علی‌رضا" and "علیرضا" agree.
    pub compact: String,
    /// `compact` without a leading article or family particle (al-, ال, آل), or empty when there is none.
    pub bare: String,
    /// The Latin transliteration, without spaces.
    pub latin: String,
    /// The consonant skeleton of `latin`, which a Latin spelling and the Arabic-script original share.
    pub skeleton: String,
    pub non_latin: bool,
}

impl Name {
    pub fn parse(text: &str, given: bool) -> Name {
        let key = search_key(text);
        let words: Vec<&str> = key
            .split(' ')
            .filter(|w| !w.is_empty())
            // A Russian patronymic beside a given name says little about the person's identity on its own.
            .filter(|w| !(given && is_patronymic(w)))
            .collect();
        let compact: String = words.concat();
        if compact.is_empty() {
            return Name::default();
        }
        let bare = strip_particle(&compact).unwrap_or_default();
        let latin: String = transliterate(&compact).replace(' ', "");
        let skeleton = skeleton(&latin);
        Name {
            non_latin: has_non_latin(&compact),
            compact,
            bare,
            latin,
            skeleton,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.compact.is_empty()
    }

    /// The first letter of the Latin form: what an initial would be.
    pub fn initial(&self) -> Option<char> {
        self.latin.chars().next()
    }
}

fn is_patronymic(word: &str) -> bool {
    ["ович", "евич", "ьич", "овна", "евна", "ична", "инична"]
        .iter()
        .any(|end| word.ends_with(end) && word.chars().count() > end.chars().count() + 2)
}

/// The name without a leading Arabic article or family particle.
fn strip_particle(compact: &str) -> Option<String> {
    ["ال", "آل", "al", "el"]
        .iter()
        .find_map(|p| compact.strip_prefix(p))
        .filter(|rest| rest.chars().count() >= 3)
        .map(str::to_owned)
}

/// The consonants of a Latin spelling, with the spellings that vary between transliterations made one: vowels
/// (mostly unwritten in Arabic script) dropped, `kh`/`gh`/`q`, `sh`, `w`/`v`, `x`/`ks` unified, doubled letters
/// and a final `h` removed. "Mohammad", "Muhammed" and "محمد" all give "mhmd".
pub fn skeleton(latin: &str) -> String {
    let unified = latin
        .replace("kh", "k")
        .replace("gh", "g")
        .replace("sh", "s")
        .replace("ch", "c")
        .replace("zh", "z")
        .replace("th", "t")
        .replace("dh", "d")
        .replace("ph", "f")
        .replace('x', "ks");
    let mut out = String::with_capacity(unified.len());
    for c in unified.chars() {
        let c = match c {
            'q' => 'g',
            'w' => 'v',
            'c' => 'k',
            'a' | 'e' | 'i' | 'o' | 'u' | 'y' => continue,
            c => c,
        };
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    if out.len() > 1 && out.ends_with('h') {
        out.pop();
    }
    out
}

/// The name forms already worked out, by the text they came from. A base repeats its given names, family names,
/// cities and employers many times over: parsing each text once, and sharing the result between the records that
/// hold it, is most of what preparing a large base costs in time and memory.
#[derive(Default)]
pub struct NameCache {
    given: FxHashMap<String, Arc<Name>>,
    other: FxHashMap<String, Arc<Name>>,
    organisation: FxHashMap<String, Arc<Name>>,
}

impl NameCache {
    fn get(
        table: &mut FxHashMap<String, Arc<Name>>,
        text: &str,
        parse: impl FnOnce(&str) -> Name,
    ) -> Arc<Name> {
        if let Some(found) = table.get(text) {
            return found.clone();
        }
        let name = Arc::new(parse(text));
        table.insert(text.to_owned(), name.clone());
        name
    }

    fn given(&mut self, text: &str) -> Arc<Name> {
        Self::get(&mut self.given, text, |t| Name::parse(t, true))
    }

    fn other(&mut self, text: &str) -> Arc<Name> {
        Self::get(&mut self.other, text, |t| Name::parse(t, false))
    }

    fn organisation(&mut self, text: &str) -> Arc<Name> {
        Self::get(&mut self.organisation, text, organisation_name)
    }
}

/// Prepares many records in parallel, each worker keeping its own name cache; the inputs are consumed as they
/// are prepared, so a large base is not held twice.
pub fn prepare_all(inputs: Vec<MatchInput>) -> Vec<Prepared> {
    inputs
        .into_par_iter()
        .map_init(NameCache::default, |names, input| {
            Prepared::with_cache(&input, names)
        })
        .collect()
}

/// A record ready for comparison.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    pub given: Arc<Name>,
    pub family: Arc<Name>,
    /// Emails as compared: lower case, and for Gmail without dots and `+tags` in the local part.
    pub emails: Vec<String>,
    /// The last nine digits of each phone: the same number written with or without its country or trunk prefix.
    pub phones: Vec<String>,
    /// `YYYYMMDD`.
    pub birth_date: Option<String>,
    pub city: Arc<Name>,
    /// Street words with common abbreviations unified, sorted.
    pub street: String,
    /// The first number in the street line (the house number).
    pub street_number: Option<String>,
    pub postcode: String,
    pub region: String,
    pub organisation: Arc<Name>,
    pub domain: String,
    pub identifiers: Vec<String>,
    pub source: u32,
}

impl Prepared {
    pub fn new(input: &MatchInput) -> Prepared {
        Prepared::with_cache(input, &mut NameCache::default())
    }

    /// Prepares a record, taking the name forms of texts seen before from `names`.
    pub fn with_cache(input: &MatchInput, names: &mut NameCache) -> Prepared {
        let street_words = street_words(&input.street);
        Prepared {
            given: names.given(&input.given_name),
            family: names.other(&input.family_name),
            emails: dedup(input.emails.iter().filter_map(|e| email_key(e))),
            phones: dedup(input.phones.iter().filter_map(|p| phone_key(p))),
            birth_date: date_key(&input.birth_date),
            city: names.other(&input.city),
            street_number: street_words
                .iter()
                .find(|w| w.chars().all(|c| c.is_ascii_digit()))
                .cloned(),
            street: {
                let mut sorted = street_words;
                sorted.sort();
                sorted.join(" ")
            },
            postcode: compact_key(&input.postcode),
            region: compact_key(&input.region),
            organisation: names.organisation(&input.organisation),
            domain: input
                .domain
                .trim()
                .to_lowercase()
                .trim_start_matches("www.")
                .to_owned(),
            identifiers: dedup(
                input
                    .identifiers
                    .iter()
                    .map(|i| compact_key(i))
                    .filter(|i| !i.is_empty()),
            ),
            source: input.source,
        }
    }
}

fn dedup(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = items.collect();
    v.sort();
    v.dedup();
    v
}

fn compact_key(text: &str) -> String {
    search_key(text).replace(' ', "")
}

pub fn email_key(text: &str) -> Option<String> {
    let lower = ascii_digits(text.trim()).to_lowercase();
    let (local, domain) = lower.rsplit_once('@')?;
    if local.is_empty() || domain.is_empty() {
        return None;
    }
    if domain == "gmail.com" || domain == "googlemail.com" {
        let local = local.split('+').next().unwrap_or(local).replace('.', "");
        return Some(format!("{local}@gmail.com"));
    }
    Some(format!("{local}@{domain}"))
}

pub fn phone_key(text: &str) -> Option<String> {
    let digits: String = ascii_digits(text)
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    if digits.len() < 7 {
        return None;
    }
    Some(digits[digits.len().saturating_sub(9)..].to_owned())
}

/// `YYYYMMDD` from `YYYY-MM-DD`, `YYYYMMDD` or `YYYY/MM/DD`, in any digits.
fn date_key(text: &str) -> Option<String> {
    let digits: String = ascii_digits(text)
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    (digits.len() == 8).then_some(digits)
}

/// Street words, lower case, with the common abbreviations of street types made one in each language.
fn street_words(text: &str) -> Vec<String> {
    search_key(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| street_abbreviation(w).unwrap_or(w).to_owned())
        .collect()
}

fn street_abbreviation(word: &str) -> Option<&'static str> {
    Some(match word {
        "street" | "str" | "st" => "st",
        "avenue" | "ave" | "av" => "ave",
        "road" | "rd" => "rd",
        "place" | "pl" => "pl",
        "drive" | "dr" => "dr",
        "lane" | "ln" => "ln",
        "court" | "ct" => "ct",
        "crescent" | "cres" | "cr" => "cres",
        "circuit" | "cct" => "cct",
        "boulevard" | "blvd" => "blvd",
        "suite" | "ste" => "ste",
        "apartment" | "apt" => "apt",
        "خیابان" | "خ" => "خ",
        "کوچه" | "ک" => "ک",
        "بلوار" | "بل" => "بلوار",
        "پلاک" | "پ" => "پلاک",
        "شارع" | "ش" => "شارع",
        "улица" | "ул" => "ул",
        "проспект" | "пр" | "просп" => "пр",
        "переулок" | "пер" => "пер",
        "дом" | "д" => "д",
        "квартира" | "кв" => "кв",
        "sokak" | "sokagi" | "sk" => "sk",
        "cadde" | "caddesi" | "cad" | "cd" => "cd",
        "mahalle" | "mahallesi" | "mah" => "mah",
        "bulvar" | "bulvari" | "blv" => "blv",
        _ => return None,
    })
}

/// A company name without its legal form ("Soto LLC", "Çorlu A.Ş.", "ООО Ромашка", "شرکت آریا").
fn organisation_name(text: &str) -> Name {
    let key = search_key(text);
    let kept: Vec<&str> = key
        .split(' ')
        .filter(|w| !w.is_empty() && !is_legal_form(w))
        .collect();
    Name::parse(&kept.join(" "), false)
}

fn is_legal_form(word: &str) -> bool {
    matches!(
        word,
        "llc"
            | "inc"
            | "ltd"
            | "limited"
            | "co"
            | "corp"
            | "corporation"
            | "company"
            | "plc"
            | "gmbh"
            | "group"
            | "as"
            | "a.s"
            | "ltd.sti"
            | "sti"
            | "ooo"
            | "ооо"
            | "оао"
            | "зао"
            | "пао"
            | "ао"
            | "ип"
            | "شرکت"
            | "شركة"
            | "مؤسسه"
            | "موسسه"
            | "مؤسسة"
            | "موسسة"
            | "سهامی"
            | "خاص"
            | "عام"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("Mohammad", "mhmd")]
    #[case("Muhammed", "mhmd")]
    #[case("محمد", "mhmd")]
    #[case("Fatemeh", "ftm")]
    #[case("فاطمه", "ftm")]
    #[case("Alexandra", "lksndr")]
    #[case("Александра", "lksndr")]
    #[case("Qasim", "gsm")]
    #[case("قاسم", "gsm")]
    fn skeletons_agree_across_scripts(#[case] name: &str, #[case] want: &str) {
        assert_eq!(Name::parse(name, true).skeleton, want);
    }

    #[rstest]
    #[case("علی‌رضا", "علیرضا")]
    #[case("علی رضا", "علیرضا")]
    #[case("Иван Петрович", "иван")]
    fn given_names_compact(#[case] name: &str, #[case] want: &str) {
        assert_eq!(Name::parse(name, true).compact, want);
    }

    #[test]
    fn articles_are_stripped_for_comparison() {
        assert_eq!(Name::parse("الحربي", false).bare, "حربی");
        assert_eq!(Name::parse("Al-Harbi", false).bare, "harbi");
    }

    #[rstest]
    #[case("+98 912 345 6789", "123456789")]
    #[case("0912 345 6789", "123456789")]
    #[case("۰۹۱۲۳۴۵۶۷۸۹", "123456789")]
    #[case("8 (902) 189-89-51", "021898951")]
    #[case("12", "")]
    fn phone_keys(#[case] phone: &str, #[case] want: &str) {
        assert_eq!(phone_key(phone).unwrap_or_default(), want);
    }

    #[test]
    fn gmail_dots_and_tags_do_not_count() {
        assert_eq!(
            email_key("J.Smith+crm@GMail.com").as_deref(),
            Some("jsmith@gmail.com")
        );
        assert_eq!(
            email_key("j.smith@example.com").as_deref(),
            Some("j.smith@example.com")
        );
    }

    #[test]
    fn legal_forms_are_left_out_of_company_names() {
        assert_eq!(organisation_name("Soto LLC").compact, "soto");
        assert_eq!(organisation_name("ООО Ромашка").compact, "ромашка");
        assert_eq!(organisation_name("Çorlu A.Ş.").compact, "corlu");
    }

    #[test]
    fn street_types_are_unified() {
        let a = Prepared::new(&MatchInput {
            street: "12 Wallaby Street".into(),
            ..MatchInput::default()
        });
        let b = Prepared::new(&MatchInput {
            street: "12 wallaby st.".into(),
            ..MatchInput::default()
        });
        assert_eq!(a.street, b.street);
        assert_eq!(a.street_number.as_deref(), Some("12"));
    }
}
