//! The probable duplicates of records about to be added (an import's dry run): among themselves, and in the
//! existing base, scored by a model already fitted (the workspace's last scan, or the baseline). The base is
//! offered page by page and only the records that share a blocking key with an incoming one are kept, so it is
//! never held whole and the comparisons are only those that involve an incoming record.

use super::blocking::{self, Blocks, RecordKeys};
use super::model::probability;
use super::prepare::{Prepared, prepare_all};
use super::{MatchInput, ScoredPair, Scorer, Settings, candidate_pairs};
use rayon::prelude::*;
use rustc_hash::FxHashSet;

pub struct Incoming {
    scorer: Scorer,
    /// The incoming records, then the existing ones kept.
    prepared: Vec<Prepared>,
    incoming: usize,
    keys: FxHashSet<u64>,
}

impl Incoming {
    pub fn new(scorer: Scorer, inputs: Vec<MatchInput>) -> Incoming {
        let prepared = prepare_all(inputs);
        let keys = prepared.par_iter().flat_map_iter(blocking::keys).collect();
        Incoming {
            scorer,
            incoming: prepared.len(),
            prepared,
            keys,
        }
    }

    /// Offers existing records; keeps those that share a blocking key with an incoming one. Says which were kept.
    pub fn offer(&mut self, existing: Vec<MatchInput>) -> Vec<bool> {
        let prepared = prepare_all(existing);
        let kept: Vec<bool> = prepared
            .par_iter()
            .map(|p| blocking::keys(p).iter().any(|k| self.keys.contains(k)))
            .collect();
        self.prepared.extend(
            prepared
                .into_iter()
                .zip(&kept)
                .filter(|(_, keep)| **keep)
                .map(|(p, _)| p),
        );
        kept
    }

    /// The pairs at or above the link threshold that involve an incoming record, most probable first. `a` is an
    /// incoming record (an index into the inputs); `b` is another incoming record when it is below the number of
    /// inputs, otherwise the existing record kept `b - inputs` (in the order they were kept).
    pub fn probable_pairs(&self, settings: &Settings) -> Vec<ScoredPair> {
        let record_keys = RecordKeys::new(&self.prepared);
        let blocks = Blocks::new(&record_keys, settings.max_block);
        let incoming = self.incoming as u32;
        let candidates =
            candidate_pairs(&self.prepared, &record_keys, &blocks, |a, _| a < incoming);
        let mut pairs: Vec<ScoredPair> = candidates
            .into_par_iter()
            .map(|(a, b, vector)| {
                let bits = self.scorer.bits(&self.prepared[a as usize], vector);
                ScoredPair {
                    a,
                    b,
                    vector,
                    bits,
                    probability: probability(bits),
                }
            })
            .filter(|p| p.probability >= settings.link_threshold)
            .collect();
        pairs.sort_by(|x, y| y.bits.total_cmp(&x.bits));
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedupe::model::Model;
    use crate::dedupe::review::tests::person;

    #[test]
    fn finds_incoming_duplicates_inside_and_in_the_base_but_not_within_the_base() {
        let incoming = vec![
            person("Reza", "Ahmadi", "reza@example.ir", "+98 912 111 2233"),
            person("رضا", "احمدی", "reza@example.ir", "0912 111 2233"),
            person("Olga", "Smirnova", "olga@mail.ru", "+7 903 555 0101"),
            person("Emre", "Kaya", "emre@kaya.tr", "+90 532 000 1111"),
        ];
        let mut linker = Incoming::new(Scorer::from_model(Model::baseline()), incoming);
        let kept = linker.offer(vec![
            person("Olga", "Smirnova", "olga.s@mail.ru", "+7 903 555 0101"),
            person("John", "Smith", "john@example.com", "+44 20 7946 0000"),
            // Two existing records that duplicate each other but nothing incoming: not this check's business.
            person("Laura", "Miller", "laura@example.com", "+1 202 555 0100"),
            person("Laura", "Miller", "laura@example.com", "+1 202 555 0100"),
        ]);
        assert_eq!(kept, vec![true, false, false, false]);
        let pairs: Vec<(u32, u32)> = linker
            .probable_pairs(&Settings::default())
            .iter()
            .map(|p| (p.a, p.b))
            .collect();
        assert!(pairs.contains(&(0, 1)), "{pairs:?}");
        assert!(pairs.contains(&(2, 4)), "{pairs:?}");
        assert_eq!(pairs.len(), 2, "{pairs:?}");
    }
}
