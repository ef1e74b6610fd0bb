//! Sales pipelines: a workspace has several, each an ordered list of stages with the probability that a deal in
//! the stage is won. Won and lost are not stages but a deal's outcome.

use crate::contact::{RecordMeta, ValidationContext};
use crate::errors::{FieldErrors, clean_text};
use crate::ids::{PipelineId, UserId};
use crate::normalize::search_key;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const MAX_STAGES: usize = 30;

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageInput {
    /// A stable key deals refer to (`qualified`); made from the name when absent.
    pub key: Option<String>,
    pub name: Option<String>,
    /// Percent chance that a deal in this stage is won, 0 to 100.
    pub probability: Option<u8>,
    /// A deal still in this stage after this many days is stuck: its owner gets a follow-up task.
    pub stuck_after_days: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelineInput {
    pub name: Option<String>,
    /// In the order deals move through them.
    #[serde(default)]
    pub stages: Vec<StageInput>,
    pub external_id: Option<String>,
    pub owner_id: Option<UserId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Stage {
    pub key: String,
    pub name: String,
    pub probability: u8,
    pub stuck_after_days: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PipelineData {
    pub name: String,
    pub stages: Vec<Stage>,
    pub external_id: Option<String>,
    pub owner_id: Option<UserId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Pipeline {
    pub id: PipelineId,
    pub version: i64,
    #[serde(flatten)]
    pub data: PipelineData,
    #[serde(flatten)]
    pub meta: RecordMeta,
}

impl PipelineData {
    pub fn stage(&self, key: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.key == key)
    }

    pub fn to_input(&self) -> PipelineInput {
        PipelineInput {
            name: Some(self.name.clone()),
            stages: self
                .stages
                .iter()
                .map(|s| StageInput {
                    key: Some(s.key.clone()),
                    name: Some(s.name.clone()),
                    probability: Some(s.probability),
                    stuck_after_days: s.stuck_after_days,
                })
                .collect(),
            external_id: self.external_id.clone(),
            owner_id: self.owner_id,
        }
    }
}

impl PipelineInput {
    pub fn validate(self, _: &ValidationContext) -> Result<PipelineData, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = clean_text(&mut errors, "name", self.name, 200).unwrap_or_default();
        if name.is_empty() {
            errors.add("name", "required", "a pipeline needs a name");
        }
        if self.stages.is_empty() {
            errors.add("stages", "required", "a pipeline needs at least one stage");
        }
        if self.stages.len() > MAX_STAGES {
            errors.add("stages", "too_many", format!("at most {MAX_STAGES} stages"));
        }
        let mut stages: Vec<Stage> = Vec::with_capacity(self.stages.len());
        for (i, s) in self.stages.into_iter().enumerate() {
            let field = |f: &str| format!("stages[{i}].{f}");
            let name = clean_text(&mut errors, &field("name"), s.name, 100).unwrap_or_default();
            if name.is_empty() {
                errors.add(field("name"), "required", "a stage needs a name");
            }
            let key = clean_text(&mut errors, &field("key"), s.key, 64)
                .map(|k| stage_key(&k))
                .unwrap_or_else(|| stage_key(&name));
            if key.is_empty() && !name.is_empty() {
                errors.add(field("key"), "required", "give the stage a key");
            }
            if stages.iter().any(|o| o.key == key) {
                errors.add(
                    field("key"),
                    "duplicate",
                    format!("a second stage keyed {key}"),
                );
            }
            let probability = s.probability.unwrap_or(0);
            if probability > 100 {
                errors.add(
                    field("probability"),
                    "out_of_range",
                    "a percentage from 0 to 100",
                );
            }
            if s.stuck_after_days == Some(0) {
                errors.add(
                    field("stuck_after_days"),
                    "out_of_range",
                    "at least one day, or leave it out",
                );
            }
            stages.push(Stage {
                key,
                name,
                probability,
                stuck_after_days: s.stuck_after_days,
            });
        }
        let data = PipelineData {
            name,
            stages,
            external_id: clean_text(&mut errors, "external_id", self.external_id, 200),
            owner_id: self.owner_id,
        };
        errors.into_result(data)
    }
}

/// A stage key from a name in any script: lower-cased words joined by `_`.
fn stage_key(text: &str) -> String {
    search_key(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(name: &str, probability: u8) -> StageInput {
        StageInput {
            name: Some(name.into()),
            probability: Some(probability),
            ..StageInput::default()
        }
    }

    #[test]
    fn stages_get_keys_and_are_checked() {
        let p = PipelineInput {
            name: Some("New business".into()),
            stages: vec![stage("Qualified", 10), stage("Proposal sent", 50)],
            ..PipelineInput::default()
        }
        .validate(&ValidationContext::default())
        .unwrap_or_default();
        let keys: Vec<&str> = p.stages.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(keys, ["qualified", "proposal_sent"]);
        assert_eq!(p.stage("proposal_sent").map(|s| s.probability), Some(50));

        let errors = PipelineInput {
            name: Some("x".into()),
            stages: vec![stage("A", 101), stage("a", 5)],
            ..PipelineInput::default()
        }
        .validate(&ValidationContext::default())
        .err()
        .unwrap_or_default();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["stages[0].probability", "stages[1].key"]);
    }

    #[test]
    fn persian_stage_names_make_keys() {
        assert_eq!(stage_key("پیشنهاد ارسال شد"), "پیشنهاد_ارسال_شد");
    }
}
