//! Candidate generation. Each record gets several blocking keys (its emails, phones, identifiers, and name keys
//! combined with an initial, a birth date, a city or a postcode), so that no single missing or mistyped field
//! hides a pair: two records become a candidate pair when they share any key. Name keys use the consonant
//! skeleton of the Latin transliteration, which a Latin spelling and the original script share.
//!
//! A pair sharing several keys is compared once, in the block of the first key they share. Blocks larger than
//! `max_block` are too unspecific to compare in full (every pair of ten thousand "Mohammad"s) and are skipped;
//! the other keys of their records still find their pairs.

use super::prepare::{Name, Prepared};
use rustc_hash::{FxHashMap, FxHasher};
use std::hash::{Hash, Hasher};

/// The blocking keys of one record, as sorted hashes.
pub fn keys(r: &Prepared) -> Vec<u64> {
    let mut keys = Vec::with_capacity(16);
    let mut add = |rule: &str, parts: &[&str]| {
        if parts.iter().all(|p| !p.is_empty()) {
            let mut h = FxHasher::default();
            rule.hash(&mut h);
            parts.hash(&mut h);
            keys.push(h.finish());
        }
    };
    for e in &r.emails {
        add("email", &[e]);
    }
    for p in &r.phones {
        add("phone", &[p]);
    }
    for i in &r.identifiers {
        add("id", &[i]);
    }
    let initial = |n: &Name| n.initial().map(String::from).unwrap_or_default();
    let (given, family) = (&r.given.skeleton, &r.family.skeleton);
    let (gi, fi) = (initial(&r.given), initial(&r.family));
    let date = r.birth_date.as_deref().unwrap_or("");
    let year = date.get(..4).unwrap_or("");
    // The family name with the given name's initial, and the two swapped, share one rule so that a record whose
    // names were typed the wrong way round meets the original.
    add("name", &[family, &gi]);
    add("name", &[given, &fi]);
    add("given+year", &[given, year]);
    add("family+date", &[family, date]);
    add("date+initial", &[date, &gi]);
    add("family+city", &[family, &r.city.skeleton]);
    add("family+postcode", &[family, &r.postcode]);
    add("given+city", &[given, &r.city.skeleton]);
    let number = r.street_number.as_deref().unwrap_or("");
    add("postcode+number", &[&r.postcode, number]);
    add("organisation+initial", &[&r.organisation.skeleton, &gi]);
    add("organisation+family", &[&r.organisation.skeleton, family]);
    if r.given.is_empty() && r.family.is_empty() {
        // Companies: their name alone, and their web domain.
        add("organisation", &[&r.organisation.skeleton]);
    }
    add("domain", &[&r.domain]);
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Records grouped by key; blocks of one record dropped, blocks over `max_block` records counted and dropped.
pub struct Blocks {
    pub blocks: Vec<(u64, Vec<u32>)>,
    pub skipped: FxHashMap<u64, usize>,
}

pub fn group(record_keys: &[Vec<u64>], max_block: usize) -> Blocks {
    let mut by_key: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
    for (i, keys) in record_keys.iter().enumerate() {
        for k in keys {
            by_key.entry(*k).or_default().push(i as u32);
        }
    }
    let mut blocks = Vec::new();
    let mut skipped = FxHashMap::default();
    for (key, members) in by_key {
        if members.len() > max_block {
            skipped.insert(key, members.len());
        } else if members.len() > 1 {
            blocks.push((key, members));
        }
    }
    blocks.sort_unstable_by_key(|b| b.0);
    Blocks { blocks, skipped }
}

/// True when `key` is the first key the two records share outside skipped blocks, so the pair is compared in
/// that key's block and in no other.
pub fn first_shared(a: &[u64], b: &[u64], key: u64, skipped: &FxHashMap<u64, usize>) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                if !skipped.contains_key(&a[i]) {
                    return a[i] == key;
                }
                i += 1;
                j += 1;
            }
        }
    }
    false
}
