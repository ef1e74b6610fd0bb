//! What people review: the scored pairs inside each proposed group, with each field's part in the score, and the
//! probable duplicates of one new record among a few existing ones (checked on every create).

use super::compare::compare;
use super::model::{Model, probability};
use super::prepare::Prepared;
use super::{Contribution, MatchInput, Outcome, Scorer};
use rustc_hash::FxHashMap;
use serde::Serialize;

/// A scored pair of records (indexes into the input), explained field by field.
#[derive(Debug, Clone, Serialize)]
pub struct ExplainedPair {
    pub a: u32,
    pub b: u32,
    pub probability: f64,
    pub contributions: Vec<Contribution>,
}

impl Outcome {
    /// For each group, in order, the scored pairs between its members, strongest first.
    pub fn explain_groups(&self) -> Vec<Vec<ExplainedPair>> {
        let group_of: FxHashMap<u32, usize> = self
            .groups
            .iter()
            .enumerate()
            .flat_map(|(g, group)| group.members.iter().map(move |m| (*m, g)))
            .collect();
        let mut explained = vec![Vec::new(); self.groups.len()];
        for p in &self.pairs {
            let (Some(ga), Some(gb)) = (group_of.get(&p.a), group_of.get(&p.b)) else {
                continue;
            };
            if ga == gb {
                explained[*ga].push(ExplainedPair {
                    a: p.a,
                    b: p.b,
                    probability: p.probability,
                    contributions: self
                        .scorer
                        .contributions(&self.prepared[p.a as usize], p.vector),
                });
            }
        }
        explained
    }
}

impl Scorer {
    /// A scorer from a stored model, without the workspace's name frequencies (which only a scan has).
    pub fn from_model(model: Model) -> Scorer {
        Scorer {
            model,
            given_frequency: FxHashMap::default(),
            family_frequency: FxHashMap::default(),
        }
    }
}

/// One of `others` that is probably the same entity as the record checked.
#[derive(Debug, Clone, Serialize)]
pub struct ProbableDuplicate {
    /// Its index in `others`.
    pub index: usize,
    pub probability: f64,
    pub contributions: Vec<Contribution>,
}

/// The records among `others` that are the same entity as `record` with at least `threshold` probability, most
/// probable first.
pub fn probable_duplicates(
    scorer: &Scorer,
    record: &MatchInput,
    others: &[MatchInput],
    threshold: f64,
) -> Vec<ProbableDuplicate> {
    let checked = Prepared::new(record);
    let mut found: Vec<ProbableDuplicate> = others
        .iter()
        .enumerate()
        .filter_map(|(index, other)| {
            let vector = compare(&checked, &Prepared::new(other));
            let p = probability(scorer.bits(&checked, vector));
            (p >= threshold).then(|| ProbableDuplicate {
                index,
                probability: p,
                contributions: scorer.contributions(&checked, vector),
            })
        })
        .collect();
    found.sort_by(|x, y| y.probability.total_cmp(&x.probability));
    found
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A person with one email and one phone (empty strings leave them out).
    pub(crate) fn person(given: &str, family: &str, email: &str, phone: &str) -> MatchInput {
        MatchInput {
            given_name: given.into(),
            family_name: family.into(),
            emails: vec![email.into()]
                .into_iter()
                .filter(|e: &String| !e.is_empty())
                .collect(),
            phones: vec![phone.into()]
                .into_iter()
                .filter(|p: &String| !p.is_empty())
                .collect(),
            ..MatchInput::default()
        }
    }

    #[test]
    fn a_model_whose_one_entity_class_mostly_disagrees_on_names_is_not_plausible() {
        let mut model = Model::baseline();
        assert!(model.is_plausible());
        // What a base without duplicates teaches: "one entity" pairs that share a city but not a given name.
        model.classes[0].levels[0] = vec![0.23, 0.0001, 0.03, 0.74];
        assert!(!model.is_plausible());
    }

    #[test]
    fn the_baseline_model_flags_a_shared_email_or_name_and_phone_but_not_a_stranger() {
        let scorer = Scorer::from_model(Model::baseline());
        let base = [
            person(
                "Maryam",
                "Ahmadi",
                "maryam.ahmadi@example.com",
                "+989121234567",
            ),
            person("John", "Smith", "john@example.org", "+12025550100"),
            person("Maryam", "Karimi", "", "+989351112233"),
        ];
        let by_email = probable_duplicates(
            &scorer,
            &person("Mariam", "Ahmadi", "maryam.ahmadi@example.com", ""),
            &base,
            0.5,
        );
        assert_eq!(by_email.len(), 1, "{by_email:?}");
        assert_eq!(by_email[0].index, 0);
        assert!(
            by_email[0]
                .contributions
                .iter()
                .any(|c| c.field == "email" && c.bits > 0.0)
        );
        let by_name_and_phone = probable_duplicates(
            &scorer,
            &person("John", "Smith", "", "+12025550100"),
            &base,
            0.5,
        );
        assert_eq!(by_name_and_phone.len(), 1);
        assert_eq!(by_name_and_phone[0].index, 1);
        let stranger = probable_duplicates(
            &scorer,
            &person("Olga", "Ivanova", "olga@example.ru", ""),
            &base,
            0.5,
        );
        assert!(stranger.is_empty(), "{stranger:?}");
    }
}
