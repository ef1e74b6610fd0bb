//! RFM scoring by cut points. The scoring job does not write a score into every contact: it finds, for each of
//! recency (the last order's time), frequency (the number of orders) and monetary (the spend), the four values
//! that part the workspace's buying customers into fifths. A customer's score is then read off their current
//! metrics: 1 plus the number of cuts their value is above. Equal values therefore always score the same (a
//! thousand customers with one order are all in the same frequency fifth), scores follow new orders at once, and
//! a filter on a score is a range of the metric it scores, which the metric's index answers.

use crate::filter::Op;
use crate::metrics::Rfm;
use serde::{Deserialize, Serialize};

/// The three inputs a contact is scored on, as the store keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RfmInputs {
    pub last_order_at: i64,
    pub orders_count: i64,
    pub total_spent_minor: i64,
}

/// The cut points of each input: `cuts[k]` is the largest value of the lowest `k + 1` fifths of the buyers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RfmCuts {
    pub recency: [i64; 4],
    pub frequency: [i64; 4],
    pub monetary: [i64; 4],
}

/// The score filters and sorts name, and the metric column each one scores.
pub const SCORED_COLUMNS: [(&str, &str); 3] = [
    ("rfm_recency", "last_order_at"),
    ("rfm_frequency", "orders_count"),
    ("rfm_monetary", "total_spent_minor"),
];

/// The metric column a score is read from, when `column` is a score.
pub fn scored_column(column: &str) -> Option<&'static str> {
    SCORED_COLUMNS
        .iter()
        .find(|(score, _)| *score == column)
        .map(|(_, metric)| *metric)
}

/// Where, in the buyers sorted by one input, the four cuts are (0-based): the last buyer of each of the lowest
/// four fifths. `None` when there are no buyers.
pub fn cut_positions(buyers: u64) -> Option<[u64; 4]> {
    (buyers > 0).then(|| [1, 2, 3, 4].map(|k: u64| (k * buyers).div_ceil(5) - 1))
}

fn score_of(cuts: &[i64; 4], value: i64) -> u8 {
    1 + cuts.iter().filter(|cut| value > **cut).count() as u8
}

impl RfmCuts {
    /// The cuts of the metric column a score reads.
    pub fn of_metric(&self, metric: &str) -> Option<&[i64; 4]> {
        match metric {
            "last_order_at" => Some(&self.recency),
            "orders_count" => Some(&self.frequency),
            "total_spent_minor" => Some(&self.monetary),
            _ => None,
        }
    }

    /// A buyer's scores; `None` for a contact who never bought.
    pub fn score(&self, inputs: RfmInputs) -> Option<Rfm> {
        (inputs.orders_count > 0).then(|| {
            Rfm::new([
                score_of(&self.recency, inputs.last_order_at),
                score_of(&self.frequency, inputs.orders_count),
                score_of(&self.monetary, inputs.total_spent_minor),
            ])
        })
    }
}

/// Which contacts a filter on a score selects, told in the metric it scores: non-buyers (who score 0), and
/// buyers whose metric lies in one of `ranges`, each an exclusive lower and an inclusive upper bound (`None`:
/// unbounded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreSelection {
    pub non_buyers: bool,
    pub ranges: Vec<(Option<i64>, Option<i64>)>,
}

/// Reads `score <op> value` as a selection over the metric; with no cuts yet (never scored), every contact
/// counts as scoring 0.
pub fn select(cuts: Option<&[i64; 4]>, op: Op, value: i64) -> ScoreSelection {
    let matches = |score: i64| match op {
        Op::Eq => score == value,
        Op::Ne => score != value,
        Op::Gt => score > value,
        Op::Gte => score >= value,
        Op::Lt => score < value,
        Op::Lte => score <= value,
        Op::NotEmpty => true,
        Op::Empty | Op::Contains | Op::StartsWith => false,
    };
    let non_buyers = matches(0);
    let Some(cuts) = cuts else {
        let everyone = if non_buyers {
            vec![(None, None)]
        } else {
            vec![]
        };
        return ScoreSelection {
            non_buyers,
            ranges: everyone,
        };
    };
    // Runs of consecutive matching scores, each a range of the metric: a score s starts above cut s-1 and ends
    // at cut s.
    let mut ranges = Vec::new();
    let mut run: Option<i64> = None;
    for score in 1..=6 {
        match (score <= 5 && matches(score), run) {
            (true, None) => run = Some(score),
            (false, Some(first)) => {
                let low = (first > 1).then(|| cuts[(first - 2) as usize]);
                let last = score - 1;
                let high = (last < 5).then(|| cuts[(last - 1) as usize]);
                ranges.push((low, high));
                run = None;
            }
            _ => {}
        }
    }
    ScoreSelection { non_buyers, ranges }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_sit_at_the_end_of_each_fifth() {
        assert_eq!(cut_positions(0), None);
        assert_eq!(cut_positions(1), Some([0, 0, 0, 0]));
        assert_eq!(cut_positions(5), Some([0, 1, 2, 3]));
        assert_eq!(cut_positions(10), Some([1, 3, 5, 7]));
        assert_eq!(
            cut_positions(1_000_000),
            Some([199_999, 399_999, 599_999, 799_999])
        );
    }

    #[test]
    fn equal_values_score_the_same_and_the_top_scores_five() {
        let cuts = RfmCuts {
            recency: [10, 20, 30, 40],
            // Most buyers bought once: the lowest three fifths end at 1.
            frequency: [1, 1, 1, 2],
            monetary: [100, 100, 200, 300],
        };
        let at = |last_order_at, orders_count, total_spent_minor| RfmInputs {
            last_order_at,
            orders_count,
            total_spent_minor,
        };
        assert_eq!(cuts.score(at(0, 0, 0)), None);
        assert_eq!(cuts.score(at(10, 1, 100)).unwrap().code, "111");
        assert_eq!(cuts.score(at(11, 2, 101)).unwrap().code, "243");
        assert_eq!(cuts.score(at(41, 3, 301)).unwrap().code, "555");
    }

    #[test]
    fn score_filters_read_as_ranges_of_the_metric() {
        let cuts = [10, 20, 30, 40];
        let sel = |op, v| select(Some(&cuts), op, v);
        assert_eq!(
            sel(Op::Eq, 5),
            ScoreSelection {
                non_buyers: false,
                ranges: vec![(Some(40), None)]
            }
        );
        assert_eq!(sel(Op::Gte, 4).ranges, vec![(Some(30), None)]);
        assert_eq!(sel(Op::Lt, 2).ranges, vec![(None, Some(10))]);
        assert!(sel(Op::Lt, 2).non_buyers);
        assert_eq!(sel(Op::Eq, 3).ranges, vec![(Some(20), Some(30))]);
        assert_eq!(
            sel(Op::Ne, 3).ranges,
            vec![(None, Some(20)), (Some(30), None)]
        );
        assert_eq!(
            sel(Op::Eq, 0),
            ScoreSelection {
                non_buyers: true,
                ranges: vec![]
            }
        );
        assert!(sel(Op::Eq, 9).ranges.is_empty());
        // Never scored: everyone is 0.
        assert_eq!(select(None, Op::Gte, 4).ranges, vec![]);
        assert_eq!(select(None, Op::Eq, 0).ranges, vec![(None, None)]);
    }
}
