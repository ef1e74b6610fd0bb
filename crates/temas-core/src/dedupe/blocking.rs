//! Candidate generation. Each record gets several blocking keys (its emails, phones, identifiers, and name keys
//! combined with an initial, a birth date, a city or a postcode), so that no single missing or mistyped field
//! hides a pair: two records become a candidate pair when they share any key. Name keys use the consonant
//! skeleton of the Latin transliteration, which a Latin spelling and the original script share.
//!
//! A pair sharing several keys is compared once, in the block of the first key they share. Blocks larger than
//! `max_block` are too unspecific to compare in full (every pair of ten thousand "Mohammad"s) and are skipped;
//! the other keys of their records still find their pairs.

use super::prepare::{Name, Prepared};
use rayon::prelude::*;
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

/// Every record's keys in one buffer: a million records hold about fifteen million keys, and one allocation each
/// would cost more than the keys.
pub struct RecordKeys {
    keys: Vec<u64>,
    /// Where each record's keys end in `keys`.
    ends: Vec<usize>,
}

impl RecordKeys {
    pub fn new(records: &[Prepared]) -> RecordKeys {
        let per_record: Vec<Vec<u64>> = records.par_iter().map(keys).collect();
        let mut flat = RecordKeys {
            keys: Vec::with_capacity(per_record.iter().map(Vec::len).sum()),
            ends: Vec::with_capacity(records.len()),
        };
        for k in per_record {
            flat.keys.extend(k);
            flat.ends.push(flat.keys.len());
        }
        flat
    }

    pub fn of(&self, record: u32) -> &[u64] {
        let i = record as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.keys[start..self.ends[i]]
    }
}

/// The records of each comparable key: blocks of one record dropped, blocks over `max_block` records counted
/// and dropped.
pub struct Blocks {
    /// The members of every block, one block after another.
    members: Vec<u32>,
    /// Each block's key and where its members end in `members`.
    spans: Vec<(u64, usize)>,
    pub skipped: FxHashMap<u64, usize>,
}

impl Blocks {
    /// Sorts every (key, record) once instead of keeping a list per key: most keys (an email, a phone) belong to
    /// one record only, and a list each would take more memory than the whole result.
    pub fn new(record_keys: &RecordKeys, max_block: usize) -> Blocks {
        let mut entries: Vec<(u64, u32)> = Vec::with_capacity(record_keys.keys.len());
        let mut start = 0;
        for (record, end) in record_keys.ends.iter().enumerate() {
            entries.extend(
                record_keys.keys[start..*end]
                    .iter()
                    .map(|k| (*k, record as u32)),
            );
            start = *end;
        }
        entries.par_sort_unstable();
        let mut blocks = Blocks {
            members: Vec::new(),
            spans: Vec::new(),
            skipped: FxHashMap::default(),
        };
        for run in entries.chunk_by(|a, b| a.0 == b.0) {
            let key = run[0].0;
            if run.len() > max_block {
                blocks.skipped.insert(key, run.len());
            } else if run.len() > 1 {
                blocks.members.extend(run.iter().map(|(_, r)| *r));
                blocks.spans.push((key, blocks.members.len()));
            }
        }
        blocks
    }

    /// Each block's key and members.
    pub fn par_iter(&self) -> impl IndexedParallelIterator<Item = (u64, &[u32])> {
        (0..self.spans.len()).into_par_iter().map(|i| {
            let start = if i == 0 { 0 } else { self.spans[i - 1].1 };
            let (key, end) = self.spans[i];
            (key, &self.members[start..end])
        })
    }
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
