//! Leads: someone who may buy, not yet a customer — from a web form, an import, a campaign, a referral, an
//! event. A lead is worked (contacted, qualified or not) and converted into a contact, a company and a deal.

use crate::contact::{RecordMeta, ValidationContext};
use crate::email::normalize_email;
use crate::errors::{FieldErrors, clean_text, one_of};
use crate::ids::{CompanyId, ContactId, DealId, LeadId, UserId};
use crate::phone::parse_phone;
use crate::points::validate_tags;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

pub const SOURCES: &[&str] = &[
    "web_form", "import", "campaign", "referral", "event", "phone", "email", "partner", "social",
    "other",
];
pub const STATUSES: &[&str] = &["new", "contacted", "qualified", "unqualified", "converted"];
/// The statuses of a lead still being worked: what counts towards a rep's workload.
pub const OPEN: &[&str] = &["new", "contacted", "qualified"];

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadInput {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub job_title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The language to talk to them in (ISO 639-1, e.g. `fa`); assignment rules may route on it.
    pub language: Option<String>,
    /// A sales territory (region, city, country — as the workspace names them); assignment rules may route on it.
    pub territory: Option<String>,
    /// web_form, import, campaign, referral, event, phone, email, partner, social or other.
    pub source: Option<String>,
    /// Which form, campaign, event or referrer.
    pub source_detail: Option<String>,
    /// new (the default), contacted, qualified or unqualified; `converted` is set by converting.
    pub status: Option<String>,
    /// Why it was not qualified.
    pub status_reason: Option<String>,
    pub notes: Option<String>,
    pub external_id: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    /// Who works the lead; when absent, the workspace's assignment rules choose.
    pub owner_id: Option<UserId>,
}

/// What a converted lead became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Conversion {
    pub contact_id: ContactId,
    pub company_id: Option<CompanyId>,
    pub deal_id: Option<DealId>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LeadData {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// The person's name, or the company's when there is no person.
    pub display_name: String,
    pub company_name: Option<String>,
    pub job_title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub language: Option<String>,
    pub territory: Option<String>,
    pub source: Option<String>,
    pub source_detail: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub notes: Option<String>,
    pub converted: Option<Conversion>,
    pub external_id: Option<String>,
    pub tags: Vec<String>,
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    pub owner_id: Option<UserId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Lead {
    pub id: LeadId,
    pub version: i64,
    #[serde(flatten)]
    pub data: LeadData,
    #[serde(flatten)]
    pub meta: RecordMeta,
}

impl LeadData {
    pub fn is_open(&self) -> bool {
        OPEN.contains(&self.status.as_str())
    }

    pub fn to_input(&self) -> LeadInput {
        LeadInput {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            company_name: self.company_name.clone(),
            job_title: self.job_title.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            language: self.language.clone(),
            territory: self.territory.clone(),
            source: self.source.clone(),
            source_detail: self.source_detail.clone(),
            status: Some(self.status.clone()),
            status_reason: self.status_reason.clone(),
            notes: self.notes.clone(),
            external_id: self.external_id.clone(),
            tags: self.tags.clone(),
            custom: self.custom.clone(),
            owner_id: self.owner_id,
        }
    }
}

impl LeadInput {
    /// Validates a lead; `previous` keeps a conversion, which only converting sets.
    pub fn validate(
        self,
        ctx: &ValidationContext,
        previous: Option<&LeadData>,
    ) -> Result<LeadData, FieldErrors> {
        let mut errors = FieldErrors::default();
        let first_name = clean_text(&mut errors, "first_name", self.first_name, 200);
        let last_name = clean_text(&mut errors, "last_name", self.last_name, 200);
        let company_name = clean_text(&mut errors, "company_name", self.company_name, 300);
        let person = [first_name.as_deref(), last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let display_name = if person.is_empty() {
            company_name.clone().unwrap_or_default()
        } else {
            person
        };
        let email = clean_text(&mut errors, "email", self.email, 320).and_then(|address| {
            normalize_email(&address)
                .map_err(|reason| errors.add("email", "invalid_email", reason))
                .ok()
        });
        let phone = clean_text(&mut errors, "phone", self.phone, 64).and_then(|number| {
            let parsed = parse_phone(&number, ctx.region).map(|p| p.e164);
            if parsed.is_none() {
                errors.add("phone", "invalid_phone", "not a phone number");
            }
            parsed
        });
        if display_name.is_empty() && email.is_none() && phone.is_none() {
            errors.add(
                "first_name",
                "required",
                "a lead needs a name, a company, an email or a phone",
            );
        }
        let converted = previous.and_then(|p| p.converted.clone());
        let status = match one_of(&mut errors, "status", self.status, STATUSES) {
            _ if converted.is_some() => "converted".to_owned(),
            Some(s) if s == "converted" => {
                errors.add(
                    "status",
                    "convert_instead",
                    "a lead becomes converted by converting it (POST /api/v1/leads/{id}/convert)",
                );
                s
            }
            s => s.unwrap_or_else(|| "new".to_owned()),
        };
        let data = LeadData {
            display_name,
            first_name,
            last_name,
            company_name,
            job_title: clean_text(&mut errors, "job_title", self.job_title, 200),
            email,
            phone,
            language: clean_text(&mut errors, "language", self.language, 16)
                .map(|l| l.to_lowercase()),
            territory: clean_text(&mut errors, "territory", self.territory, 100),
            source: one_of(&mut errors, "source", self.source, SOURCES),
            source_detail: clean_text(&mut errors, "source_detail", self.source_detail, 300),
            status,
            status_reason: clean_text(&mut errors, "status_reason", self.status_reason, 1000),
            notes: clean_text(&mut errors, "notes", self.notes, 100_000),
            converted,
            external_id: clean_text(&mut errors, "external_id", self.external_id, 200),
            tags: validate_tags(&mut errors, self.tags),
            custom: ctx.custom_values(&mut errors, self.custom, previous.map(|p| &p.custom)),
            owner_id: self.owner_id,
        };
        errors.into_result(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lead_is_normalised_and_cannot_claim_a_conversion() {
        let ctx = ValidationContext {
            region: crate::phone::parse_region("IR"),
            ..ValidationContext::default()
        };
        let lead = LeadInput {
            first_name: Some(" Sara ".into()),
            last_name: Some("Rahimi".into()),
            email: Some("Sara@Example.COM".into()),
            phone: Some("0912 345 6789".into()),
            source: Some("Web_Form".into()),
            ..LeadInput::default()
        }
        .validate(&ctx, None)
        .unwrap_or_default();
        assert_eq!(lead.display_name, "Sara Rahimi");
        assert_eq!(lead.email.as_deref(), Some("sara@example.com"));
        assert_eq!(lead.phone.as_deref(), Some("+989123456789"));
        assert_eq!(
            (lead.status.as_str(), lead.source.as_deref()),
            ("new", Some("web_form"))
        );

        let errors = LeadInput {
            email: Some("not an email".into()),
            status: Some("converted".into()),
            source: Some("billboard".into()),
            ..LeadInput::default()
        }
        .validate(&ctx, None)
        .err()
        .unwrap_or_default();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "first_name", "status", "source"]);
    }
}
