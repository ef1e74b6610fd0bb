//! A Fellegi–Sunter model with more than one kind of non-match. Candidate pairs are one entity, or different
//! entities that share a place (relatives with one address and landline, colleagues at one company), or different
//! entities with the same name (namesakes), or unrelated. For each class and
//! each field, the model knows how often each agreement level occurs; fields are independent within a class.
//! The shared-place class is what keeps a household from looking like one person: without it, phone, street and
//! city agreeing would count as three independent pieces of evidence, and relatives would be merged.
//!
//! Nothing is labelled. The unrelated class starts from random pairs (almost all unrelated); expectation
//! maximisation over the candidate pairs then estimates every class's levels and share, so the shares describe
//! the pairs actually scored.

use super::compare::{FIELDS, Field, MISSING, level_of};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Comparison vectors and how many pairs had each.
pub type VectorCounts = FxHashMap<u64, u64>;

/// The latent classes a candidate pair belongs to: one entity, or one of three kinds of different entities.
pub const SAME: usize = 0;
/// Different people who share where they live or work: relatives with one address and landline, colleagues.
pub const SHARED_PLACE: usize = 1;
/// Different people with the same or a similar name (namesakes), which name blocking brings together.
pub const SHARED_NAME: usize = 2;
pub const UNRELATED: usize = 3;
const CLASSES: usize = 4;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Class {
    /// The share of candidate pairs in this class.
    pub share: f64,
    /// Per field, per level: P(level | class).
    pub levels: Vec<Vec<f64>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    pub classes: Vec<Class>,
}

const FLOOR: f64 = 1e-6;

impl Model {
    fn class_bits(&self, class: usize, vector: u64) -> f64 {
        let c = &self.classes[class];
        c.share.log2()
            + (0..FIELDS.len())
                .map(|slot| {
                    let level = level_of(vector, slot);
                    c.levels[slot]
                        .get(usize::from(level))
                        .map_or(0.0, |p| p.log2())
                })
                .sum::<f64>()
    }

    /// Log-odds in bits that a pair with this vector is one entity, and the likeliest of the other classes.
    pub fn bits(&self, vector: u64) -> (f64, usize) {
        let same = self.class_bits(SAME, vector);
        let others: Vec<(usize, f64)> = (1..CLASSES)
            .map(|k| (k, self.class_bits(k, vector)))
            .collect();
        let (rival, top) = others
            .iter()
            .copied()
            .fold((UNRELATED, f64::MIN), |a, b| if b.1 > a.1 { b } else { a });
        let sum = top
            + others
                .iter()
                .map(|(_, b)| (b - top).exp2())
                .sum::<f64>()
                .log2();
        (same - sum, rival)
    }

    /// Evidence in bits that this level of this field points to one entity rather than to `rival`.
    pub fn weight(&self, slot: usize, level: u8, rival: usize) -> f64 {
        if level == MISSING {
            return 0.0;
        }
        let l = usize::from(level);
        (self.classes[SAME].levels[slot][l] / self.classes[rival].levels[slot][l]).log2()
    }

    /// Estimates the model from level counts over random pairs and over candidate pairs, and from the pairs
    /// users decided (`labelled`: a pair's vector and whether it was one entity). A decided pair stays in its
    /// side (same entity, or one of the three kinds of different) through every iteration and counts as
    /// `LABEL_WEIGHT` undecided pairs, since a person looked at it; the classes' shares come from the undecided
    /// pairs alone, so that the few decisions do not tilt the prior.
    pub fn estimate(
        random: &VectorCounts,
        candidates: &VectorCounts,
        labelled: &[(u64, bool)],
        iterations: usize,
    ) -> Model {
        let unrelated = level_shares(random.iter().map(|(v, c)| (*v, *c as f64)));
        let mut model = Model::start(&unrelated);
        let vectors: Vec<(u64, f64)> = candidates.iter().map(|(v, c)| (*v, *c as f64)).collect();
        let total: f64 = vectors.iter().map(|v| v.1).sum::<f64>().max(1.0);
        for _ in 0..iterations {
            // Each vector's count split between the classes by how likely each makes it.
            let split: Vec<(u64, [f64; CLASSES])> = vectors
                .iter()
                .map(|(v, count)| (*v, model.split(*v, *count, [true; CLASSES])))
                .collect();
            let decided: Vec<(u64, [f64; CLASSES])> = labelled
                .iter()
                .map(|(v, same)| {
                    let allowed = [*same, !*same, !*same, !*same];
                    (*v, model.split(*v, LABEL_WEIGHT, allowed))
                })
                .collect();
            let next = Model {
                classes: (0..CLASSES)
                    .map(|k| Class {
                        share: (split.iter().map(|s| s.1[k]).sum::<f64>() / total)
                            .clamp(FLOOR, 1.0 - FLOOR),
                        levels: level_shares(split.iter().chain(&decided).map(|s| (s.0, s.1[k])))
                            .into_iter()
                            .enumerate()
                            .map(|(slot, estimated)| {
                                if SHAPES[k](FIELDS[slot]) {
                                    estimated
                                } else {
                                    unrelated[slot].clone()
                                }
                            })
                            .collect(),
                    })
                    .collect(),
            };
            let moved = (next.classes[SAME].share - model.classes[SAME].share).abs();
            model = next;
            if moved < 1e-9 {
                break;
            }
        }
        model
    }

    /// Whether the one-entity class looks like duplicates: on given and family names it agrees exactly more often
    /// than it disagrees. A base without real duplicates gives expectation maximisation nothing to find, and the
    /// class then settles on some other likeness (namesakes in one city, say), which would judge new records by
    /// it; such a model is not used to check them.
    pub fn is_plausible(&self) -> bool {
        let same = &self.classes[SAME].levels;
        [Field::GivenName, Field::FamilyName].iter().all(|field| {
            FIELDS
                .iter()
                .position(|f| f == field)
                .and_then(|slot| same.get(slot))
                .is_some_and(|levels| levels.first() > levels.last())
        })
    }

    /// The model a workspace has before its first scan: the estimate's starting point, with unrelated pairs
    /// assumed to agree exactly on a field one time in a thousand and at each intermediate level one time in a
    /// hundred. Good enough to flag a new record that shares an email, a phone or a full name with an existing
    /// one; a scan replaces it with a model fitted to the workspace's data.
    pub fn baseline() -> Model {
        let unrelated: Vec<Vec<f64>> = FIELDS
            .iter()
            .map(|f| {
                let n = f.levels().len();
                (0..n)
                    .map(|l| match l {
                        0 => 0.001,
                        l if l + 1 == n => 1.0 - 0.001 - 0.01 * (n - 2) as f64,
                        _ => 0.01,
                    })
                    .collect()
            })
            .collect();
        Model::start(&unrelated)
    }

    /// Where estimation starts: one entity mostly agrees everywhere; people who share a place agree on where they
    /// live and work (and often the family name) but on nothing personal; unrelated pairs look like `unrelated`.
    fn start(unrelated: &[Vec<f64>]) -> Model {
        let agreeing = |slot: usize, strength: f64| -> Vec<f64> {
            let n = FIELDS[slot].levels().len();
            let rest = (1.0 - strength) / (n - 1) as f64;
            (0..n)
                .map(|l| if l == 0 { strength } else { rest })
                .collect()
        };
        let same: Vec<Vec<f64>> = (0..FIELDS.len()).map(|s| agreeing(s, 0.9)).collect();
        let partly = |agrees: fn(Field) -> bool| -> Vec<Vec<f64>> {
            FIELDS
                .iter()
                .enumerate()
                .map(|(s, f)| {
                    if agrees(*f) {
                        agreeing(s, 0.8)
                    } else {
                        unrelated[s].clone()
                    }
                })
                .collect()
        };
        Model {
            classes: vec![
                Class {
                    share: 0.1,
                    levels: same,
                },
                Class {
                    share: 0.02,
                    levels: partly(SHAPES[SHARED_PLACE]),
                },
                Class {
                    share: 0.1,
                    levels: partly(SHAPES[SHARED_NAME]),
                },
                Class {
                    share: 0.78,
                    levels: unrelated.to_vec(),
                },
            ],
        }
    }
}

// Which fields each class describes; on the others a class looks like random pairs, always. This keeps the two
// kinds of different-but-alike pairs what they are meant to be, however rare they are.
const SHAPES: [fn(Field) -> bool; CLASSES] = [
    |_| true,
    Field::is_shared_place,
    |f| matches!(f, Field::GivenName | Field::FamilyName),
    |_| true,
];

/// How many undecided candidate pairs one user decision counts as.
const LABEL_WEIGHT: f64 = 20.0;

impl Model {
    /// `count` split between the allowed classes by how likely each makes `vector`.
    fn split(&self, vector: u64, count: f64, allowed: [bool; CLASSES]) -> [f64; CLASSES] {
        let bits = [0, 1, 2, 3].map(|k| self.class_bits(k, vector));
        let top = (0..CLASSES)
            .filter(|k| allowed[*k])
            .map(|k| bits[k])
            .fold(f64::MIN, f64::max);
        let odds = [0, 1, 2, 3].map(|k| {
            if allowed[k] {
                (bits[k] - top).exp2()
            } else {
                0.0
            }
        });
        let sum: f64 = odds.iter().sum::<f64>().max(f64::MIN_POSITIVE);
        odds.map(|o| count * o / sum)
    }
}

/// The logistic function of evidence in bits.
pub fn probability(bits: f64) -> f64 {
    1.0 / (1.0 + (-bits).exp2())
}

/// Per field, the share of each level among weighted vectors that have the field; each level is smoothed so
/// that no share is zero.
fn level_shares(weighted: impl Iterator<Item = (u64, f64)>) -> Vec<Vec<f64>> {
    let mut sums: Vec<Vec<f64>> = FIELDS.iter().map(|f| vec![0.0; f.levels().len()]).collect();
    for (vector, weight) in weighted {
        for (slot, levels) in sums.iter_mut().enumerate() {
            let level = level_of(vector, slot);
            if let Some(sum) = levels.get_mut(usize::from(level)) {
                *sum += weight;
            }
        }
    }
    sums.into_iter()
        .map(|levels| {
            let total: f64 = levels.iter().sum::<f64>() + 0.5 * levels.len() as f64;
            levels
                .iter()
                .map(|s| ((s + 0.5) / total).clamp(FLOOR, 1.0 - FLOOR))
                .collect()
        })
        .collect()
}
