//! Interactions: calls, emails, meetings, messages, SMS, visits and notes on a customer's timeline.

use crate::contact::RecordMeta;
use crate::errors::{FieldErrors, clean_text};
use crate::ids::{CompanyId, ContactId, InteractionId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const CHANNELS: &[&str] = &[
    "call", "email", "meeting", "message", "sms", "visit", "note", "other",
];
pub const DIRECTIONS: &[&str] = &["inbound", "outbound", "internal"];

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InteractionInput {
    /// call, email, meeting, message, sms, visit, note or other.
    pub channel: Option<String>,
    /// inbound, outbound or internal.
    pub direction: Option<String>,
    /// When it happened; defaults to now.
    pub occurred_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<i64>,
    /// The user who made the call or held the meeting; defaults to the author.
    pub performed_by: Option<UserId>,
    pub subject: Option<String>,
    pub body: Option<String>,
    /// e.g. reached, no_answer, left_voicemail, interested, not_interested, follow_up.
    pub outcome: Option<String>,
    #[serde(default)]
    pub contact_ids: Vec<ContactId>,
    pub company_id: Option<CompanyId>,
    pub owner_id: Option<UserId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InteractionData {
    pub channel: String,
    pub direction: String,
    pub occurred_at: DateTime<Utc>,
    pub duration_seconds: Option<i64>,
    pub performed_by: Option<UserId>,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub outcome: Option<String>,
    pub contact_ids: Vec<ContactId>,
    pub company_id: Option<CompanyId>,
    pub owner_id: Option<UserId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Interaction {
    pub id: InteractionId,
    pub version: i64,
    #[serde(flatten)]
    pub data: InteractionData,
    #[serde(flatten)]
    pub meta: RecordMeta,
}

/// A choice with a default when absent.
fn one_of_or(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<String>,
    allowed: &[&str],
    default: &str,
) -> String {
    crate::errors::one_of(errors, field, value, allowed).unwrap_or_else(|| default.to_owned())
}

impl InteractionInput {
    pub fn validate(self, now: DateTime<Utc>) -> Result<InteractionData, FieldErrors> {
        let mut errors = FieldErrors::default();
        let channel = match &self.channel {
            None => {
                errors.add(
                    "channel",
                    "required",
                    format!("must be one of {}", CHANNELS.join(", ")),
                );
                String::new()
            }
            Some(_) => one_of_or(&mut errors, "channel", self.channel, CHANNELS, "note"),
        };
        let direction = one_of_or(
            &mut errors,
            "direction",
            self.direction,
            DIRECTIONS,
            "outbound",
        );
        if let Some(d) = self.duration_seconds
            && !(0..=7 * 24 * 3600).contains(&d)
        {
            errors.add(
                "duration_seconds",
                "out_of_range",
                "must be between 0 and 604800 (one week)",
            );
        }
        if self.contact_ids.is_empty() && self.company_id.is_none() {
            errors.add(
                "contact_ids",
                "required",
                "an interaction needs at least one contact or a company",
            );
        }
        let mut contact_ids = self.contact_ids;
        contact_ids.sort();
        contact_ids.dedup();
        let data = InteractionData {
            channel,
            direction,
            occurred_at: self
                .occurred_at
                .map(|t| crate::time::from_micros(t.timestamp_micros()))
                .unwrap_or(now),
            duration_seconds: self.duration_seconds,
            performed_by: self.performed_by,
            subject: clean_text(&mut errors, "subject", self.subject, 500),
            body: clean_text(&mut errors, "body", self.body, 100_000),
            outcome: clean_text(&mut errors, "outcome", self.outcome, 64),
            contact_ids,
            company_id: self.company_id,
            owner_id: self.owner_id,
        };
        errors.into_result(data)
    }
}

impl InteractionData {
    pub fn to_input(&self) -> InteractionInput {
        InteractionInput {
            channel: Some(self.channel.clone()),
            direction: Some(self.direction.clone()),
            occurred_at: Some(self.occurred_at),
            duration_seconds: self.duration_seconds,
            performed_by: self.performed_by,
            subject: self.subject.clone(),
            body: self.body.clone(),
            outcome: self.outcome.clone(),
            contact_ids: self.contact_ids.clone(),
            company_id: self.company_id,
            owner_id: self.owner_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_is_required_and_checked() {
        let err = InteractionInput::default()
            .validate(Utc::now())
            .unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["channel", "contact_ids"]);
        let bad = InteractionInput {
            channel: Some("fax".into()),
            contact_ids: vec![ContactId::new()],
            ..Default::default()
        };
        assert_eq!(bad.validate(Utc::now()).unwrap_err().0[0].field, "channel");
    }
}
