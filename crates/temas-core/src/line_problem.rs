//! Problems with a purchase — a damaged delivery, a missing part, the wrong item — recorded against the order
//! line they concern, with how each was settled. The service desk will build on these.

use crate::errors::{FieldErrors, clean_text, one_of};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const PROBLEM_KINDS: &[&str] = &[
    "damaged",
    "missing_part",
    "wrong_item",
    "defective",
    "late_delivery",
    "other",
];
pub const RESOLUTIONS: &[&str] = &[
    "replaced",
    "repaired",
    "part_sent",
    "refunded",
    "credited",
    "declined",
    "other",
];
/// Problems per line, at most.
pub const MAX_PROBLEMS: usize = 50;

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineProblemInput {
    /// damaged, missing_part, wrong_item, defective, late_delivery or other.
    pub kind: Option<String>,
    /// What the customer reported.
    pub description: Option<String>,
    /// When it was reported; defaults to now.
    pub reported_at: Option<DateTime<Utc>>,
    /// How it was settled — replaced, repaired, part_sent, refunded, credited, declined or other; left out while
    /// the problem is open.
    pub resolution: Option<String>,
    pub resolution_note: Option<String>,
    /// When it was settled; defaults to now once a resolution is given.
    pub resolved_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LineProblem {
    pub kind: String,
    pub description: Option<String>,
    pub reported_at: DateTime<Utc>,
    pub resolution: Option<String>,
    pub resolution_note: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// `open`, or `resolved` once it has a resolution.
    pub status: String,
}

impl LineProblem {
    pub fn is_open(&self) -> bool {
        self.resolution.is_none()
    }

    pub fn to_input(&self) -> LineProblemInput {
        LineProblemInput {
            kind: Some(self.kind.clone()),
            description: self.description.clone(),
            reported_at: Some(self.reported_at),
            resolution: self.resolution.clone(),
            resolution_note: self.resolution_note.clone(),
            resolved_at: self.resolved_at,
        }
    }
}

/// A line's problems, validated; errors are named `problems[i].<field>`.
pub(crate) fn validate_problems(
    errors: &mut FieldErrors,
    inputs: Vec<LineProblemInput>,
    now: DateTime<Utc>,
) -> Vec<LineProblem> {
    if inputs.len() > MAX_PROBLEMS {
        errors.add(
            "problems",
            "too_many",
            format!("at most {MAX_PROBLEMS} problems per line"),
        );
        return Vec::new();
    }
    let mut problems = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.into_iter().enumerate() {
        let mut own = FieldErrors::default();
        let problem = input.validate(&mut own, now);
        errors.extend_prefixed(&format!("problems[{i}]"), own);
        problems.extend(problem);
    }
    problems
}

impl LineProblemInput {
    fn validate(self, errors: &mut FieldErrors, now: DateTime<Utc>) -> Option<LineProblem> {
        if self.kind.is_none() {
            errors.add("kind", "required", "say what went wrong");
        }
        let kind = one_of(errors, "kind", self.kind, PROBLEM_KINDS);
        let resolution = one_of(errors, "resolution", self.resolution, RESOLUTIONS);
        let reported_at = self.reported_at.unwrap_or(now);
        let resolved_at = match (&resolution, self.resolved_at) {
            (None, Some(_)) => {
                errors.add(
                    "resolved_at",
                    "without_resolution",
                    "a problem is settled with a resolution",
                );
                None
            }
            (None, None) => None,
            (Some(_), at) => Some(at.unwrap_or(now)),
        };
        if resolved_at.is_some_and(|at| at < reported_at) {
            errors.add(
                "resolved_at",
                "before_reported",
                "must not be before the problem was reported",
            );
        }
        let description = clean_text(errors, "description", self.description, 10_000);
        let resolution_note = clean_text(errors, "resolution_note", self.resolution_note, 10_000);
        Some(LineProblem {
            kind: kind?,
            description,
            reported_at,
            status: if resolution.is_some() {
                "resolved"
            } else {
                "open"
            }
            .to_owned(),
            resolution,
            resolution_note,
            resolved_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, 9, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn problems(value: serde_json::Value) -> (Vec<LineProblem>, Vec<String>) {
        let inputs: Vec<LineProblemInput> =
            serde_json::from_value(value).unwrap_or_else(|e| panic!("{e}"));
        let mut errors = FieldErrors::default();
        let out = validate_problems(&mut errors, inputs, at(20));
        (out, errors.0.into_iter().map(|e| e.field).collect())
    }

    #[test]
    fn a_problem_is_open_until_it_has_a_resolution() {
        let (out, errors) = problems(json!([
            {"kind": "damaged", "description": "box crushed"},
            {"kind": "missing_part", "reported_at": at(2), "resolution": "part_sent"}
        ]));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            (out[0].status.as_str(), out[0].reported_at),
            ("open", at(20))
        );
        assert!(out[0].is_open());
        assert_eq!(
            (out[1].status.as_str(), out[1].resolved_at),
            ("resolved", Some(at(20)))
        );
        let again: Vec<LineProblemInput> = out.iter().map(LineProblem::to_input).collect();
        let mut errors = FieldErrors::default();
        assert_eq!(validate_problems(&mut errors, again, at(21)), out);
    }

    #[test]
    fn bad_problems_name_their_fields() {
        let (_, errors) = problems(json!([
            {"description": "?"},
            {"kind": "lost", "resolution": "shrug"},
            {"kind": "late_delivery", "resolved_at": at(3)},
            {"kind": "defective", "reported_at": at(5), "resolution": "repaired", "resolved_at": at(4)}
        ]));
        assert_eq!(
            errors,
            [
                "problems[0].kind",
                "problems[1].kind",
                "problems[1].resolution",
                "problems[2].resolved_at",
                "problems[3].resolved_at"
            ]
        );
    }
}
