//! Deals: an opportunity moving through a pipeline's stages to won or lost, with an amount, an expected close
//! date, an owner and the contacts involved with their roles. Every stage change is kept with its time.

use crate::contact::{RecordMeta, ValidationContext};
use crate::errors::{FieldErrors, clean_text, one_of};
use crate::ids::{CompanyId, ContactId, DealId, LeadId, PipelineId, UserId};
use crate::money::{Currency, Money};
use crate::pipeline::PipelineData;
use crate::points::validate_tags;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

pub const STATUSES: &[&str] = &["open", "won", "lost"];

/// A contact's part in the deal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealContact {
    pub contact_id: ContactId,
    /// decision_maker, influencer, champion, user, billing, technical, gatekeeper, employee, other.
    pub role: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealInput {
    pub name: Option<String>,
    /// Defaults to the workspace's first pipeline.
    pub pipeline_id: Option<PipelineId>,
    /// A stage key of the pipeline; defaults to its first stage.
    pub stage: Option<String>,
    /// open (the default), won or lost.
    pub status: Option<String>,
    /// Why it was won or lost; required when lost.
    pub close_reason: Option<String>,
    /// When it was won or lost; defaults to the moment the status changes.
    pub closed_at: Option<DateTime<Utc>>,
    /// A decimal string in `currency`'s major unit, e.g. `"12000.00"`.
    pub amount: Option<String>,
    /// ISO 4217; required with an amount.
    pub currency: Option<String>,
    pub expected_close: Option<NaiveDate>,
    pub company_id: Option<CompanyId>,
    #[serde(default)]
    pub contacts: Vec<DealContact>,
    /// The lead it was converted from.
    pub lead_id: Option<LeadId>,
    pub external_id: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    pub owner_id: Option<UserId>,
}

/// A move from one stage (none when the deal was created) to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StageChange {
    pub from: Option<String>,
    pub to: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DealData {
    pub name: String,
    pub pipeline_id: Option<PipelineId>,
    pub stage: String,
    pub status: String,
    pub close_reason: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The chance it is won, in percent: the stage's while open, 100 when won, 0 when lost.
    pub probability: u8,
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub expected_close: Option<NaiveDate>,
    pub company_id: Option<CompanyId>,
    pub contacts: Vec<DealContact>,
    pub lead_id: Option<LeadId>,
    /// When the deal entered its current stage.
    pub stage_entered_at: Option<DateTime<Utc>>,
    pub stage_changes: Vec<StageChange>,
    pub external_id: Option<String>,
    pub tags: Vec<String>,
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    pub owner_id: Option<UserId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Deal {
    pub id: DealId,
    pub version: i64,
    #[serde(flatten)]
    pub data: DealData,
    #[serde(flatten)]
    pub meta: RecordMeta,
}

impl DealData {
    /// The amount in its currency's minor units.
    pub fn money(&self) -> Option<Money> {
        let currency = Currency::parse(self.currency.as_deref()?).ok()?;
        Money::parse(self.amount.as_deref()?, currency).ok()
    }

    pub fn to_input(&self) -> DealInput {
        DealInput {
            name: Some(self.name.clone()),
            pipeline_id: self.pipeline_id,
            stage: Some(self.stage.clone()),
            status: Some(self.status.clone()),
            close_reason: self.close_reason.clone(),
            closed_at: self.closed_at,
            amount: self.amount.clone(),
            currency: self.currency.clone(),
            expected_close: self.expected_close,
            company_id: self.company_id,
            contacts: self.contacts.clone(),
            lead_id: self.lead_id,
            external_id: self.external_id.clone(),
            tags: self.tags.clone(),
            custom: self.custom.clone(),
            owner_id: self.owner_id,
        }
    }
}

impl DealInput {
    /// Validates the deal against the workspace's pipelines; `previous` is the deal before this change, whose
    /// stage history it extends.
    pub fn validate(
        self,
        ctx: &ValidationContext,
        previous: Option<&DealData>,
        now: DateTime<Utc>,
    ) -> Result<DealData, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = clean_text(&mut errors, "name", self.name, 300).unwrap_or_default();
        if name.is_empty() {
            errors.add("name", "required", "a deal needs a name");
        }
        let pipeline = pick_pipeline(&mut errors, ctx, self.pipeline_id);
        let stage = match (pipeline, clean_text(&mut errors, "stage", self.stage, 64)) {
            (Some((_, p)), Some(key)) => {
                if p.stage(&key).is_none() {
                    let keys: Vec<&str> = p.stages.iter().map(|s| s.key.as_str()).collect();
                    errors.add(
                        "stage",
                        "unknown_stage",
                        format!("{} has the stages {}", p.name, keys.join(", ")),
                    );
                }
                key
            }
            (Some((_, p)), None) => p.stages.first().map(|s| s.key.clone()).unwrap_or_default(),
            (None, key) => key.unwrap_or_default(),
        };
        let status =
            one_of(&mut errors, "status", self.status, STATUSES).unwrap_or_else(|| "open".into());
        let close_reason = clean_text(&mut errors, "close_reason", self.close_reason, 1000);
        if status == "lost" && close_reason.is_none() {
            errors.add("close_reason", "required", "say why the deal was lost");
        }
        let (amount, currency) = check_amount(&mut errors, self.amount, self.currency);
        let contacts = check_contacts(&mut errors, self.contacts);
        let was = previous.map(|p| (p.stage.as_str(), p.status.as_str()));
        let stage_moved = was.map(|(s, _)| s) != Some(stage.as_str());
        let mut stage_changes = previous
            .map(|p| p.stage_changes.clone())
            .unwrap_or_default();
        if stage_moved {
            stage_changes.push(StageChange {
                from: was.map(|(s, _)| s.to_owned()),
                to: stage.clone(),
                at: now,
            });
        }
        let stage_entered_at = match previous {
            Some(p) if !stage_moved => p.stage_entered_at,
            _ => Some(now),
        };
        let closed_at = match status.as_str() {
            "open" => None,
            _ if was.map(|(_, s)| s) == Some(status.as_str()) => {
                self.closed_at.or(previous.and_then(|p| p.closed_at))
            }
            _ => self.closed_at.or(Some(now)),
        };
        let probability = match status.as_str() {
            "won" => 100,
            "lost" => 0,
            _ => pipeline
                .and_then(|(_, p)| p.stage(&stage))
                .map(|s| s.probability)
                .unwrap_or(0),
        };
        let custom = ctx.custom_values(&mut errors, self.custom, previous.map(|p| &p.custom));
        let data = DealData {
            name,
            pipeline_id: pipeline.map(|(id, _)| id),
            stage,
            status,
            close_reason,
            closed_at,
            probability,
            amount,
            currency,
            expected_close: self.expected_close,
            company_id: self.company_id,
            contacts,
            lead_id: self.lead_id,
            stage_entered_at,
            stage_changes,
            external_id: clean_text(&mut errors, "external_id", self.external_id, 200),
            tags: validate_tags(&mut errors, self.tags),
            custom,
            owner_id: self.owner_id,
        };
        errors.into_result(data)
    }
}

/// The pipeline named, or the workspace's first when none is.
fn pick_pipeline<'a>(
    errors: &mut FieldErrors,
    ctx: &'a ValidationContext,
    wanted: Option<PipelineId>,
) -> Option<(PipelineId, &'a PipelineData)> {
    let found = match wanted {
        Some(id) => ctx.pipelines.iter().find(|(p, _)| *p == id),
        None => ctx.pipelines.first(),
    };
    if found.is_none() {
        match wanted {
            Some(_) => errors.add("pipeline_id", "not_found", "no such pipeline"),
            None => errors.add(
                "pipeline_id",
                "required",
                "the workspace has no pipeline yet: create one first",
            ),
        }
    }
    found.map(|(id, p)| (*id, p))
}

fn check_amount(
    errors: &mut FieldErrors,
    amount: Option<String>,
    currency: Option<String>,
) -> (Option<String>, Option<String>) {
    let currency = match currency.as_deref().map(Currency::parse) {
        Some(Ok(c)) => Some(c),
        Some(Err(reason)) => {
            errors.add("currency", "invalid_currency", reason);
            None
        }
        None => None,
    };
    let amount = amount.filter(|a| !a.trim().is_empty());
    match (amount, currency) {
        (Some(a), Some(c)) => match Money::parse(&a, c) {
            Ok(m) if m.minor < 0 => {
                errors.add("amount", "negative", "must not be negative");
                (None, Some(c.code().to_owned()))
            }
            Ok(m) => (Some(m.to_decimal()), Some(c.code().to_owned())),
            Err(reason) => {
                errors.add("amount", "invalid_amount", reason);
                (None, Some(c.code().to_owned()))
            }
        },
        (Some(_), None) => {
            errors.add("currency", "required", "an amount needs its currency");
            (None, None)
        }
        (None, c) => (None, c.map(|c| c.code().to_owned())),
    }
}

fn check_contacts(errors: &mut FieldErrors, contacts: Vec<DealContact>) -> Vec<DealContact> {
    let mut out: Vec<DealContact> = Vec::with_capacity(contacts.len());
    for (i, c) in contacts.into_iter().enumerate() {
        let role = one_of(
            errors,
            &format!("contacts[{i}].role"),
            c.role,
            crate::contact::ROLES,
        );
        if out.iter().any(|o| o.contact_id == c.contact_id) {
            errors.add(
                format!("contacts[{i}].contact_id"),
                "duplicate",
                "this contact is already on the deal",
            );
            continue;
        }
        out.push(DealContact {
            contact_id: c.contact_id,
            role,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{PipelineInput, StageInput};
    use chrono::TimeZone;

    fn ctx() -> (ValidationContext, PipelineId) {
        let stage = |name: &str, probability: u8| StageInput {
            name: Some(name.into()),
            probability: Some(probability),
            ..StageInput::default()
        };
        let pipeline = PipelineInput {
            name: Some("Sales".into()),
            stages: vec![stage("Qualified", 20), stage("Proposal", 60)],
            ..PipelineInput::default()
        }
        .validate(&ValidationContext::default())
        .unwrap_or_default();
        let id = PipelineId(uuid::Uuid::nil());
        let ctx = ValidationContext {
            pipelines: vec![(id, pipeline)],
            ..ValidationContext::default()
        };
        (ctx, id)
    }

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, 9, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn deal(stage: Option<&str>, status: Option<&str>) -> DealInput {
        DealInput {
            name: Some("Fleet renewal".into()),
            stage: stage.map(Into::into),
            status: status.map(Into::into),
            amount: Some("12000.5".into()),
            currency: Some("usd".into()),
            ..DealInput::default()
        }
    }

    #[test]
    fn a_deal_moves_through_stages_to_won() {
        let (ctx, id) = ctx();
        let created = deal(None, None)
            .validate(&ctx, None, at(1))
            .unwrap_or_default();
        assert_eq!(created.pipeline_id, Some(id));
        assert_eq!(
            (created.stage.as_str(), created.probability),
            ("qualified", 20)
        );
        assert_eq!(created.amount.as_deref(), Some("12000.50"));
        assert_eq!(created.currency.as_deref(), Some("USD"));

        let moved = deal(Some("proposal"), None)
            .validate(&ctx, Some(&created), at(5))
            .unwrap_or_default();
        assert_eq!(moved.probability, 60);
        assert_eq!(moved.stage_entered_at, Some(at(5)));
        assert_eq!(moved.stage_changes.len(), 2);
        assert_eq!(moved.stage_changes[1].from.as_deref(), Some("qualified"));

        let won = deal(Some("proposal"), Some("won"))
            .validate(&ctx, Some(&moved), at(9))
            .unwrap_or_default();
        assert_eq!((won.probability, won.closed_at), (100, Some(at(9))));
        assert_eq!(won.stage_entered_at, Some(at(5)));
        let again = won
            .to_input()
            .validate(&ctx, Some(&won), at(12))
            .unwrap_or_default();
        assert_eq!(again.closed_at, Some(at(9)));
    }

    #[test]
    fn bad_deals_say_which_field_is_wrong() {
        let (ctx, _) = ctx();
        let mut input = deal(Some("nowhere"), Some("lost"));
        input.amount = Some("1.234".into());
        let errors = input.validate(&ctx, None, at(1)).err().unwrap_or_default();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["stage", "close_reason", "amount"]);
        let none = deal(None, None)
            .validate(&ValidationContext::default(), None, at(1))
            .err()
            .unwrap_or_default();
        assert_eq!(none.0[0].field, "pipeline_id");
    }
}
