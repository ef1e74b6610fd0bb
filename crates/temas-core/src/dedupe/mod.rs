//! Entity resolution for contacts and companies: which records are the same person or organisation.
//!
//! The steps, each in its own module: [`prepare`] normalises every record once (names in every script to compact,
//! transliterated and skeleton forms; emails, phones, dates, addresses and company names to comparable keys);
//! [`blocking`] gives each record several keys and pairs the records that share one; [`compare`] turns each
//! candidate pair into agreement levels per field; [`model`] estimates from the data itself how much each level
//! is worth and turns a pair's levels into a probability; pairs above the link threshold are joined into groups.
//! Every score can be explained field by field ([`Scorer::explain`]).

pub mod blocking;
pub mod compare;
mod incoming;
mod input;
pub mod model;
mod nicknames;
pub mod prepare;
mod review;

pub use incoming::Incoming;
pub use review::{ExplainedPair, ProbableDuplicate, probable_duplicates};

use compare::{FIELDS, Field, compare, level_of};
use model::{Model, VectorCounts, probability};
use prepare::Prepared;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

/// One record as the engine reads it. Empty strings and lists mean "unknown".
#[derive(Debug, Clone, Default)]
pub struct MatchInput {
    pub given_name: String,
    pub family_name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    /// `YYYY-MM-DD` or `YYYYMMDD`.
    pub birth_date: String,
    pub street: String,
    pub city: String,
    pub postcode: String,
    pub region: String,
    /// A contact's company, or a company's own name.
    pub organisation: String,
    pub domain: String,
    /// Identifiers that belong to one entity (a national id, a tax number).
    pub identifiers: Vec<String>,
    /// For linking files rather than deduplicating one: records of the same source are never paired.
    pub source: u32,
}

/// The engine's settings. The defaults are what `temas dedupe` uses; none is fitted to any benchmark's answers.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Pairs at or above this probability are linked into groups.
    pub link_threshold: f64,
    /// Pairs at or above this probability are kept for review (below the link threshold they stay apart).
    pub review_threshold: f64,
    /// Blocks with more records than this are skipped.
    pub max_block: usize,
    /// Random pairs compared to start the non-match distribution.
    pub random_pairs: usize,
    pub em_iterations: usize,
    /// Only pair records of different sources.
    pub link_only: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            link_threshold: 0.5,
            review_threshold: 0.2,
            max_block: 30,
            random_pairs: 1_000_000,
            em_iterations: 60,
            link_only: false,
        }
    }
}

/// A scored candidate pair (indexes into the input).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ScoredPair {
    pub a: u32,
    pub b: u32,
    pub vector: u64,
    pub bits: f64,
    pub probability: f64,
}

/// Records found to be one entity, and how sure: the weakest link that holds the group together.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub members: Vec<u32>,
    pub confidence: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    pub records: usize,
    pub candidate_pairs: usize,
    pub skipped_blocks: usize,
    pub largest_skipped_block: usize,
}

pub struct Outcome {
    /// The records as compared, in input order.
    pub prepared: Vec<Prepared>,
    pub scorer: Scorer,
    /// Pairs at or above the review threshold, most probable first.
    pub pairs: Vec<ScoredPair>,
    pub groups: Vec<Group>,
    pub stats: Stats,
}

/// One field's part in a pair's score.
#[derive(Debug, Clone, Serialize)]
pub struct Contribution {
    pub field: &'static str,
    pub level: &'static str,
    pub bits: f64,
}

/// The model with the workspace's name frequencies: scores and explains pairs.
pub struct Scorer {
    pub model: Model,
    given_frequency: FxHashMap<String, f64>,
    family_frequency: FxHashMap<String, f64>,
}

impl Scorer {
    /// Agreeing on a rare name is stronger evidence than agreeing on a common one: the exact-name weight is
    /// adjusted by how much rarer (or commoner) this name is than an average agreeing name.
    fn frequency_bits(&self, field: Field, a: &Prepared) -> f64 {
        let (table, value) = match field {
            Field::GivenName => (&self.given_frequency, &a.given.compact),
            Field::FamilyName => (&self.family_frequency, &a.family.compact),
            _ => return 0.0,
        };
        table.get(value).copied().unwrap_or(0.0)
    }

    /// Each field's evidence for one entity against the likelier alternative (unrelated records, or different
    /// people sharing a place), in bits.
    pub fn contributions(&self, a: &Prepared, vector: u64) -> Vec<Contribution> {
        let (_, rival) = self.model.bits(vector);
        FIELDS
            .iter()
            .enumerate()
            .filter_map(|(slot, field)| {
                let level = level_of(vector, slot);
                let name = *field.levels().get(usize::from(level))?;
                let mut bits = self.model.weight(slot, level, rival);
                if level == 0 {
                    bits += self.frequency_bits(*field, a);
                }
                Some(Contribution {
                    field: field.name(),
                    level: name,
                    bits,
                })
            })
            .collect()
    }

    /// Log-odds in bits that the pair is one entity, with the name-frequency adjustment.
    pub fn bits(&self, a: &Prepared, vector: u64) -> f64 {
        self.model.bits(vector).0 + self.name_frequency_bits(a, vector)
    }

    /// The adjustment for how rare the names the pair agrees on are.
    fn name_frequency_bits(&self, a: &Prepared, vector: u64) -> f64 {
        FIELDS
            .iter()
            .enumerate()
            .filter(|(slot, _)| level_of(vector, *slot) == 0)
            .map(|(_, f)| self.frequency_bits(*f, a))
            .sum()
    }

    /// Compares and scores two prepared records, with each field's contribution.
    pub fn explain(&self, a: &Prepared, b: &Prepared) -> (f64, Vec<Contribution>) {
        let vector = compare(a, b);
        (
            probability(self.bits(a, vector)),
            self.contributions(a, vector),
        )
    }
}

/// Finds the groups of records that are one entity.
/// A stored comparison pattern carries the engine's pattern version in its top byte: when fields or levels change,
/// a newer engine ignores patterns an older one stored instead of misreading them.
const PATTERN_VERSION: u64 = 1;
const VECTOR_BITS: u64 = (1 << 56) - 1;

/// Two records' comparison pattern, as it is stored with a user's decision about them.
pub fn decision_pattern(a: &MatchInput, b: &MatchInput) -> i64 {
    let vector = compare(&Prepared::new(a), &Prepared::new(b));
    i64::from_ne_bytes((vector | (PATTERN_VERSION << 56)).to_ne_bytes())
}

/// The comparison vector in a stored pattern, when this engine version wrote it.
pub fn pattern_vector(stored: i64) -> Option<u64> {
    let bits = u64::from_ne_bytes(stored.to_ne_bytes());
    (bits >> 56 == PATTERN_VERSION).then_some(bits & VECTOR_BITS)
}

/// What users decided about pairs of the input (indexes into it): pairs that are not duplicates are never
/// proposed or grouped together, and every decided pair's comparison teaches the model.
#[derive(Debug, Clone, Default)]
pub struct Decisions {
    /// Pairs users said are different entities, smaller index first.
    pub distinct: FxHashSet<(u32, u32)>,
    /// Comparison vectors of decided pairs (also of records since merged away), and whether each was one entity.
    pub labelled: Vec<(u64, bool)>,
}

/// Resolves a base.
pub fn resolve(inputs: Vec<MatchInput>, settings: &Settings, decisions: &Decisions) -> Outcome {
    let prepared = prepare::prepare_all(inputs);
    let record_keys = blocking::RecordKeys::new(&prepared);
    let blocks = blocking::Blocks::new(&record_keys, settings.max_block);
    let candidates = candidate_pairs(&prepared, &record_keys, &blocks, |a, b| {
        !(settings.link_only && prepared[a as usize].source == prepared[b as usize].source)
    });
    drop(record_keys);
    let mut counts = VectorCounts::default();
    for (_, _, v) in &candidates {
        *counts.entry(*v).or_default() += 1;
    }
    let random = random_vectors(&prepared, settings);
    let scorer = Scorer {
        model: Model::estimate(
            &random,
            &counts,
            &decisions.labelled,
            settings.em_iterations,
        ),
        given_frequency: frequency_bits(prepared.iter().map(|p| &p.given.compact)),
        family_frequency: frequency_bits(prepared.iter().map(|p| &p.family.compact)),
    };
    // Far fewer distinct vectors than pairs: the model's part of each score is worked out once per vector.
    let model_bits: FxHashMap<u64, f64> = counts
        .keys()
        .map(|v| (*v, scorer.model.bits(*v).0))
        .collect();
    let bits: Vec<f64> = candidates
        .par_iter()
        .map(|(a, _, vector)| {
            model_bits[vector] + scorer.name_frequency_bits(&prepared[*a as usize], *vector)
        })
        .collect();
    let floor = settings.review_threshold.min(settings.link_threshold);
    let mut pairs: Vec<ScoredPair> = candidates
        .iter()
        .zip(&bits)
        .map(|((a, b, vector), bits)| ScoredPair {
            a: *a,
            b: *b,
            vector: *vector,
            bits: *bits,
            probability: probability(*bits),
        })
        .filter(|p| {
            p.probability >= floor && !decisions.distinct.contains(&(p.a.min(p.b), p.a.max(p.b)))
        })
        .collect();
    pairs.sort_by(|x, y| y.bits.total_cmp(&x.bits));
    // Every scored pair between records that have a link, for the clustering to check merges against.
    let mut linked = vec![false; prepared.len()];
    for p in pairs
        .iter()
        .filter(|p| p.probability >= settings.link_threshold)
    {
        linked[p.a as usize] = true;
        linked[p.b as usize] = true;
    }
    let between_linked: FxHashMap<(u32, u32), f64> = candidates
        .iter()
        .zip(&bits)
        .filter(|((a, b, _), _)| linked[*a as usize] && linked[*b as usize])
        .map(|((a, b, _), bits)| ((*a, *b), probability(*bits)))
        .collect();
    let groups = cluster(
        prepared.len(),
        &pairs,
        &between_linked,
        &decisions.distinct,
        settings.link_threshold,
    );
    let stats = Stats {
        records: prepared.len(),
        candidate_pairs: candidates.len(),
        skipped_blocks: blocks.skipped.len(),
        largest_skipped_block: blocks.skipped.values().copied().max().unwrap_or(0),
    };
    Outcome {
        prepared,
        scorer,
        pairs,
        groups,
        stats,
    }
}

/// Every pair of records that share a block and that `wanted` accepts, compared, each once (in the block of the
/// first key the two share). In a block, members are in input order, so `a < b`.
fn candidate_pairs(
    prepared: &[Prepared],
    record_keys: &blocking::RecordKeys,
    blocks: &blocking::Blocks,
    wanted: impl Fn(u32, u32) -> bool + Sync,
) -> Vec<(u32, u32, u64)> {
    blocks
        .par_iter()
        .flat_map_iter(|(key, members)| {
            let mut out = Vec::new();
            for (n, &a) in members.iter().enumerate() {
                for &b in &members[n + 1..] {
                    if !wanted(a, b) {
                        continue;
                    }
                    let (pa, pb) = (&prepared[a as usize], &prepared[b as usize]);
                    if blocking::first_shared(
                        record_keys.of(a),
                        record_keys.of(b),
                        key,
                        &blocks.skipped,
                    ) {
                        out.push((a, b, compare(pa, pb)));
                    }
                }
            }
            out
        })
        .collect()
}

/// Comparison vectors of random pairs (seeded, so a run is reproducible): almost all non-matches.
fn random_vectors(prepared: &[Prepared], settings: &Settings) -> VectorCounts {
    let n = prepared.len();
    if n < 2 {
        return VectorCounts::default();
    }
    let mut rng = StdRng::seed_from_u64(0x7e3a5);
    let wanted = settings.random_pairs.min(n * (n - 1) / 2);
    let mut drawn = Vec::with_capacity(wanted);
    let mut attempts = 0;
    while drawn.len() < wanted && attempts < wanted * 4 {
        attempts += 1;
        let (a, b) = (rng.random_range(0..n), rng.random_range(0..n));
        if a != b && !(settings.link_only && prepared[a].source == prepared[b].source) {
            drawn.push((a, b));
        }
    }
    drawn
        .par_iter()
        .fold(VectorCounts::default, |mut counts, (a, b)| {
            *counts
                .entry(compare(&prepared[*a], &prepared[*b]))
                .or_default() += 1;
            counts
        })
        .reduce(VectorCounts::default, |mut x, y| {
            for (v, c) in y {
                *x.entry(v).or_default() += c;
            }
            x
        })
}

/// For each value, `log2(average agreeing value's share / this value's share)`: positive for rare values.
fn frequency_bits<'a>(values: impl Iterator<Item = &'a String>) -> FxHashMap<String, f64> {
    let mut counts: FxHashMap<String, f64> = FxHashMap::default();
    for v in values.filter(|v| !v.is_empty()) {
        *counts.entry(v.clone()).or_default() += 1.0;
    }
    let total: f64 = counts.values().sum();
    if total == 0.0 {
        return counts;
    }
    // The chance that two random records agree, over the chance that one agrees given it holds this value.
    let agreeing: f64 = counts.values().map(|c| (c / total).powi(2)).sum();
    for c in counts.values_mut() {
        *c = (agreeing / (*c / total)).log2();
    }
    counts
}

/// Joins linked pairs into groups, strongest links first; a group's confidence is the weakest link it needed.
/// Two groups are joined only when the pairs scored between their members average at least the threshold, so
/// that one strong link cannot chain two people together against the evidence of every other pair, and never
/// when a user said two of their members are different.
fn cluster(
    n: usize,
    pairs: &[ScoredPair],
    scored: &FxHashMap<(u32, u32), f64>,
    distinct: &FxHashSet<(u32, u32)>,
    threshold: f64,
) -> Vec<Group> {
    let mut group_of: Vec<u32> = (0..n as u32).collect();
    let mut members: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    let mut weakest: FxHashMap<u32, f64> = FxHashMap::default();
    for p in pairs.iter().filter(|p| p.probability >= threshold) {
        let (ga, gb) = (group_of[p.a as usize], group_of[p.b as usize]);
        if ga == gb {
            continue;
        }
        let list = |g: u32, members: &FxHashMap<u32, Vec<u32>>| {
            members.get(&g).cloned().unwrap_or_else(|| vec![g])
        };
        let (left, right) = (list(ga, &members), list(gb, &members));
        let keys: Vec<(u32, u32)> = left
            .iter()
            .flat_map(|x| right.iter().map(move |y| (*x.min(y), *x.max(y))))
            .collect();
        if keys.iter().any(|k| distinct.contains(k)) {
            continue;
        }
        let between: Vec<f64> = keys
            .iter()
            .filter_map(|key| scored.get(key).copied())
            .collect();
        let mean = between.iter().sum::<f64>() / between.len().max(1) as f64;
        if mean < threshold {
            continue;
        }
        let weakest_link = weakest
            .remove(&gb)
            .unwrap_or(1.0)
            .min(weakest.get(&ga).copied().unwrap_or(1.0))
            .min(p.probability);
        for r in &right {
            group_of[*r as usize] = ga;
        }
        members.remove(&gb);
        let mut joined = left;
        joined.extend(right);
        members.insert(ga, joined);
        weakest.insert(ga, weakest_link);
    }
    let mut groups: Vec<Group> = members
        .into_iter()
        .map(|(g, mut members)| {
            members.sort_unstable();
            Group {
                members,
                confidence: weakest.get(&g).copied().unwrap_or(1.0),
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then(a.members[0].cmp(&b.members[0]))
    });
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A base of distinct people (every one with their own email, phone and birth date), then the records under
    /// test appended after it.
    fn base_with(extra: &[MatchInput]) -> Vec<MatchInput> {
        let given = [
            "Ali", "Maryam", "Olga", "Ivan", "Ayşe", "Mehmet", "John", "Sarah", "Fatima", "Omar",
            "Reza", "Zahra", "Dmitry", "Elena", "Emre", "Zeynep", "David", "Laura", "Hassan",
            "Layla",
        ];
        let family = [
            "Karimi", "Petrov", "Yilmaz", "Smith", "Haddad", "Ahmadi", "Ivanova", "Demir", "Brown",
            "Nasser", "Tehrani", "Sokolov", "Kaya", "Miller", "Saleh",
        ];
        let mut out = Vec::new();
        for (i, g) in given.iter().enumerate() {
            for (j, f) in family.iter().enumerate() {
                let n = i * family.len() + j;
                out.push(MatchInput {
                    given_name: (*g).into(),
                    family_name: (*f).into(),
                    emails: vec![format!(
                        "{}.{}{n}@example.com",
                        g.to_lowercase(),
                        f.to_lowercase()
                    )],
                    phones: vec![format!("+98 912 {:03} {:04}", n % 997, (n * 37) % 10_000)],
                    birth_date: format!("19{:02}-{:02}-{:02}", 40 + n % 60, 1 + n % 12, 1 + n % 28),
                    city: ["Tehran", "Moscow", "Istanbul", "London", "Riyadh"][n % 5].into(),
                    ..MatchInput::default()
                });
            }
        }
        out.extend_from_slice(extra);
        out
    }

    fn grouped(outcome: &Outcome, a: usize, b: usize) -> bool {
        outcome
            .groups
            .iter()
            .any(|g| g.members.contains(&(a as u32)) && g.members.contains(&(b as u32)))
    }

    #[test]
    fn finds_duplicates_across_scripts_and_typos_but_not_relatives() {
        let person =
            |given: &str, family: &str, email: &str, phone: &str, date: &str, street: &str| {
                MatchInput {
                    given_name: given.into(),
                    family_name: family.into(),
                    emails: if email.is_empty() {
                        vec![]
                    } else {
                        vec![email.into()]
                    },
                    phones: vec![phone.into()],
                    birth_date: date.into(),
                    street: street.into(),
                    city: "Tehran".into(),
                    ..MatchInput::default()
                }
            };
        let extra = [
            // 0 and 1: one person in Latin and Persian script, one phone in two formats.
            person(
                "Reza",
                "Ahmadi",
                "",
                "+98 935 111 2233",
                "1980-03-12",
                "Valiasr St 12",
            ),
            person(
                "رضا",
                "احمدی",
                "",
                "0935 111 2233",
                "1980-03-12",
                "خیابان ولیعصر ۱۲",
            ),
            // 2 and 3: a typo in the family name and the birth date's day and month swapped, one email.
            person(
                "Olga",
                "Smirnova",
                "olga.s@mail.ru",
                "+7 903 555 0101",
                "1975-04-09",
                "",
            ),
            person("Olga", "Smirnva", "olga.s@mail.ru", "", "1975-09-04", ""),
            // 4 and 5: relatives sharing an address and a landline, nothing personal.
            person(
                "Kamran",
                "Jafari",
                "kamran@jafari.ir",
                "+98 21 8888 7777",
                "1961-01-01",
                "Golestan St 4",
            ),
            person(
                "Shirin",
                "Jafari",
                "shirin@jafari.ir",
                "+98 21 8888 7777",
                "1995-06-20",
                "Golestan St 4",
            ),
        ];
        let inputs = base_with(&extra);
        let at = inputs.len() - extra.len();
        let outcome = resolve(inputs.clone(), &Settings::default(), &Decisions::default());
        assert!(grouped(&outcome, at, at + 1), "cross-script pair missed");
        assert!(grouped(&outcome, at + 2, at + 3), "typo pair missed");
        assert!(!grouped(&outcome, at + 4, at + 5), "relatives merged");
        assert_eq!(outcome.groups.len(), 2, "{:?}", outcome.groups);
        let (p, why) = outcome.scorer.explain(
            &Prepared::new(&inputs[at + 2]),
            &Prepared::new(&inputs[at + 3]),
        );
        assert!(p > 0.5);
        let email = why.iter().find(|c| c.field == "email").expect("email");
        assert!(email.level == "same" && email.bits > 0.0, "{why:?}");

        // A user said 2 and 3 are different people: never proposed again. The decision also teaches the model
        // that such a pattern is not enough, which lowers the pair's score.
        let pair = (at as u32 + 2, at as u32 + 3);
        let vector = compare(
            &Prepared::new(&inputs[at + 2]),
            &Prepared::new(&inputs[at + 3]),
        );
        let decisions = Decisions {
            distinct: [pair].into_iter().collect(),
            labelled: vec![(vector, false)],
        };
        // What a decision stores is that same vector, read back by this engine version.
        assert_eq!(
            pattern_vector(decision_pattern(&inputs[at + 2], &inputs[at + 3])),
            Some(vector)
        );
        assert_eq!(pattern_vector(vector as i64 | (9 << 56)), None);
        let after = resolve(inputs.clone(), &Settings::default(), &decisions);
        assert!(!grouped(&after, at + 2, at + 3), "a distinct pair grouped");
        assert!(!after.pairs.iter().any(|p| (p.a, p.b) == pair));
        assert!(grouped(&after, at, at + 1));
        assert!(
            after.scorer.bits(&Prepared::new(&inputs[at + 2]), vector)
                < outcome.scorer.bits(&Prepared::new(&inputs[at + 2]), vector)
        );
    }
}
