//! Offers: what was proposed to whom, when and at what price, the customer's response, and the order it became.
//! An offer's lines are priced exactly as an order's.

use crate::contact::{RecordMeta, ValidationContext};
use crate::errors::{FieldErrors, clean_text, one_of};
use crate::ids::{CompanyId, ContactId, DealId, OfferId, OrderId, UserId};
use crate::money::Money;
use crate::order::{MAX_LINES, OrderLine, OrderLineInput, price_lines};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

pub const RESPONSES: &[&str] = &["pending", "accepted", "declined", "no_answer"];

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferInput {
    pub title: Option<String>,
    pub contact_id: Option<ContactId>,
    pub company_id: Option<CompanyId>,
    pub deal_id: Option<DealId>,
    /// ISO 4217 code; every amount of the offer is in it.
    pub currency: Option<String>,
    #[serde(default)]
    pub lines: Vec<OrderLineInput>,
    /// When it was proposed; defaults to now.
    pub offered_at: Option<DateTime<Utc>>,
    pub valid_until: Option<NaiveDate>,
    /// pending (the default), accepted, declined or no_answer.
    pub response: Option<String>,
    /// What the customer said, or why they declined.
    pub response_note: Option<String>,
    /// The order it became.
    pub order_id: Option<OrderId>,
    pub external_id: Option<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    pub owner_id: Option<UserId>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OfferData {
    pub title: String,
    pub contact_id: Option<ContactId>,
    pub company_id: Option<CompanyId>,
    pub deal_id: Option<DealId>,
    pub currency: String,
    pub lines: Vec<OrderLine>,
    pub total: String,
    pub offered_at: DateTime<Utc>,
    pub valid_until: Option<NaiveDate>,
    pub response: String,
    /// When the response was recorded.
    pub responded_at: Option<DateTime<Utc>>,
    pub response_note: Option<String>,
    pub order_id: Option<OrderId>,
    pub external_id: Option<String>,
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    pub owner_id: Option<UserId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Offer {
    pub id: OfferId,
    pub version: i64,
    #[serde(flatten)]
    pub data: OfferData,
    #[serde(flatten)]
    pub meta: RecordMeta,
}

impl OfferData {
    pub fn to_input(&self) -> OfferInput {
        OfferInput {
            title: Some(self.title.clone()),
            contact_id: self.contact_id,
            company_id: self.company_id,
            deal_id: self.deal_id,
            currency: Some(self.currency.clone()),
            lines: self.lines.iter().map(OrderLine::to_input).collect(),
            offered_at: Some(self.offered_at),
            valid_until: self.valid_until,
            response: Some(self.response.clone()),
            response_note: self.response_note.clone(),
            order_id: self.order_id,
            external_id: self.external_id.clone(),
            custom: self.custom.clone(),
            owner_id: self.owner_id,
        }
    }
}

impl OfferInput {
    pub fn validate(
        self,
        ctx: &ValidationContext,
        previous: Option<&OfferData>,
        now: DateTime<Utc>,
    ) -> Result<OfferData, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.contact_id.is_none() && self.company_id.is_none() {
            errors.add(
                "contact_id",
                "required",
                "an offer is made to a contact or a company",
            );
        }
        let currency =
            crate::money::required_currency(&mut errors, self.currency.as_deref(), "an offer");
        if self.lines.is_empty() {
            errors.add("lines", "required", "an offer needs at least one line");
        }
        if self.lines.len() > MAX_LINES {
            errors.add("lines", "too_many", format!("at most {MAX_LINES} lines"));
        }
        let (lines, total) = match currency {
            Some(c) => {
                let (lines, totals, _) = price_lines(&mut errors, c, self.lines, false, now);
                let total = Money {
                    minor: totals.total,
                    currency: c,
                };
                (lines, total.to_decimal())
            }
            None => (Vec::new(), String::new()),
        };
        let response = one_of(&mut errors, "response", self.response, RESPONSES)
            .unwrap_or_else(|| "pending".into());
        let responded_at = match previous {
            Some(p) if p.response == response => p.responded_at,
            _ if response == "pending" => None,
            _ => Some(now),
        };
        let title = clean_text(&mut errors, "title", self.title, 300).unwrap_or_default();
        let data = OfferData {
            title,
            contact_id: self.contact_id,
            company_id: self.company_id,
            deal_id: self.deal_id,
            currency: currency.map(|c| c.code().to_owned()).unwrap_or_default(),
            lines,
            total,
            offered_at: self
                .offered_at
                .map(|t| crate::time::from_micros(t.timestamp_micros()))
                .unwrap_or(now),
            valid_until: self.valid_until,
            response,
            responded_at,
            response_note: clean_text(&mut errors, "response_note", self.response_note, 2000),
            order_id: self.order_id,
            external_id: clean_text(&mut errors, "external_id", self.external_id, 200),
            custom: ctx.custom_values(&mut errors, self.custom, previous.map(|p| &p.custom)),
            owner_id: self.owner_id,
        };
        errors.into_result(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_offer_is_priced_and_its_response_dated() {
        let at = |d: u32| {
            Utc.with_ymd_and_hms(2026, 11, d, 9, 0, 0)
                .single()
                .unwrap_or_default()
        };
        let line = OrderLineInput {
            description: Some("Filter cartridge".into()),
            quantity: Some(Value::from(2)),
            unit_price: Some("22.49".into()),
            discount: Some("1.00".into()),
            ..OrderLineInput::default()
        };
        let input = OfferInput {
            title: Some("Spring prices".into()),
            contact_id: Some(ContactId(uuid::Uuid::nil())),
            currency: Some("EUR".into()),
            lines: vec![line],
            ..OfferInput::default()
        };
        let ctx = ValidationContext::default();
        let offer = input
            .validate(&ctx, None, at(1))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (offer.total.as_str(), offer.response.as_str()),
            ("43.98", "pending")
        );
        assert_eq!(offer.responded_at, None);
        let mut accepted = offer.to_input();
        accepted.response = Some("accepted".into());
        let accepted = accepted
            .validate(&ctx, Some(&offer), at(3))
            .unwrap_or_default();
        assert_eq!(accepted.responded_at, Some(at(3)));
        let errors = OfferInput::default()
            .validate(&ctx, None, at(1))
            .err()
            .unwrap_or_default();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["contact_id", "currency", "lines"]);
    }
}
