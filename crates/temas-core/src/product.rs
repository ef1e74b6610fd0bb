//! Products and services a workspace sells: SKU, category, brand, a unit price per currency, active or not.

use crate::contact::{RecordMeta, ValidationContext};
use crate::errors::{FieldErrors, clean_text};
use crate::ids::{ProductId, UserId};
use crate::money::{Currency, Money};
use crate::points::validate_tags;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

pub const KINDS: &[&str] = &["product", "service"];

/// A unit price: a decimal string in the currency's major unit beside the currency, never a float.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// ISO 4217 code, e.g. `IRR`, `TRY`, `USD`.
    pub currency: String,
    /// e.g. `"44.98"`.
    pub amount: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductInput {
    pub name: Option<String>,
    /// Stock-keeping unit; unique in the workspace when given.
    pub sku: Option<String>,
    /// `product` (the default) or `service`.
    pub kind: Option<String>,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub description: Option<String>,
    /// At most one price per currency.
    #[serde(default)]
    pub prices: Vec<Price>,
    /// Whether it is sold now; defaults to true.
    pub active: Option<bool>,
    pub external_id: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    pub owner_id: Option<UserId>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProductData {
    pub name: String,
    pub sku: Option<String>,
    pub kind: String,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub description: Option<String>,
    pub prices: Vec<Price>,
    pub active: bool,
    pub external_id: Option<String>,
    pub tags: Vec<String>,
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    pub owner_id: Option<UserId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Product {
    pub id: ProductId,
    pub version: i64,
    #[serde(flatten)]
    pub data: ProductData,
    #[serde(flatten)]
    pub meta: RecordMeta,
}

impl ProductInput {
    /// Validates and normalises the input. `previous_custom` lets retired custom fields keep their stored values.
    pub fn validate(
        self,
        ctx: &ValidationContext,
        previous_custom: Option<&Map<String, Value>>,
    ) -> Result<ProductData, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = clean_text(&mut errors, "name", self.name, 300).unwrap_or_default();
        if name.is_empty() {
            errors.add("name", "required", "a product needs a name");
        }
        let kind = clean_text(&mut errors, "kind", self.kind, 16)
            .map(|k| k.to_lowercase())
            .unwrap_or_else(|| "product".to_owned());
        if !KINDS.contains(&kind.as_str()) {
            errors.add(
                "kind",
                "invalid_value",
                format!("must be one of {}", KINDS.join(", ")),
            );
        }
        let prices = validate_prices(&mut errors, self.prices);
        let custom = ctx.custom_values(&mut errors, self.custom, previous_custom);
        let data = ProductData {
            name,
            sku: clean_text(&mut errors, "sku", self.sku, 100),
            kind,
            category: clean_text(&mut errors, "category", self.category, 200),
            brand: clean_text(&mut errors, "brand", self.brand, 200),
            description: clean_text(&mut errors, "description", self.description, 100_000),
            prices,
            active: self.active.unwrap_or(true),
            external_id: clean_text(&mut errors, "external_id", self.external_id, 200),
            tags: validate_tags(&mut errors, self.tags),
            custom,
            owner_id: self.owner_id,
        };
        errors.into_result(data)
    }
}

/// Each price's currency checked and its amount written with exactly the currency's decimals.
fn validate_prices(errors: &mut FieldErrors, prices: Vec<Price>) -> Vec<Price> {
    let mut out: Vec<Price> = Vec::with_capacity(prices.len());
    for (i, p) in prices.into_iter().enumerate() {
        let currency = match Currency::parse(&p.currency) {
            Ok(c) => c,
            Err(reason) => {
                errors.add(format!("prices[{i}].currency"), "invalid_currency", reason);
                continue;
            }
        };
        match Money::parse(&p.amount, currency) {
            Ok(m) if m.minor < 0 => {
                errors.add(
                    format!("prices[{i}].amount"),
                    "negative",
                    "must not be negative",
                );
            }
            Ok(m) if out.iter().any(|o| o.currency == currency.code()) => errors.add(
                format!("prices[{i}].currency"),
                "duplicate",
                format!("a second price in {}", m.currency.code()),
            ),
            Ok(m) => out.push(Price {
                currency: currency.code().to_owned(),
                amount: m.to_decimal(),
            }),
            Err(reason) => errors.add(format!("prices[{i}].amount"), "invalid_amount", reason),
        }
    }
    out
}

impl ProductData {
    pub fn to_input(&self) -> ProductInput {
        ProductInput {
            name: Some(self.name.clone()),
            sku: self.sku.clone(),
            kind: Some(self.kind.clone()),
            category: self.category.clone(),
            brand: self.brand.clone(),
            description: self.description.clone(),
            prices: self.prices.clone(),
            active: Some(self.active),
            external_id: self.external_id.clone(),
            tags: self.tags.clone(),
            custom: self.custom.clone(),
            owner_id: self.owner_id,
        }
    }

    /// The unit price in a currency, in minor units, when the product has one.
    pub fn price_in(&self, currency: Currency) -> Option<i64> {
        self.prices
            .iter()
            .find(|p| p.currency == currency.code())
            .and_then(|p| Money::parse(&p.amount, currency).ok())
            .map(|m| m.minor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn price(currency: &str, amount: &str) -> Price {
        Price {
            currency: currency.into(),
            amount: amount.into(),
        }
    }

    #[test]
    fn prices_are_exact_per_currency() {
        let input = ProductInput {
            name: Some("Espresso machine".into()),
            prices: vec![price("usd", "449.9"), price("IRR", "189000000")],
            ..ProductInput::default()
        };
        let data = input
            .validate(&ValidationContext::default(), None)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            data.prices,
            vec![price("USD", "449.90"), price("IRR", "189000000.00")]
        );
        assert_eq!(data.kind, "product");
        assert!(data.active);
        let usd = Currency::parse("USD").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(data.price_in(usd), Some(44_990));
    }

    #[test]
    fn bad_prices_name_their_field() {
        let input = ProductInput {
            name: Some("Tea".into()),
            kind: Some("gadget".into()),
            prices: vec![
                price("USD", "4.999"),
                price("XYZ", "1"),
                price("EUR", "-1"),
                price("TRY", "10"),
                price("try", "12"),
            ],
            ..ProductInput::default()
        };
        let errors = input
            .validate(&ValidationContext::default(), None)
            .unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "kind",
                "prices[0].amount",
                "prices[1].currency",
                "prices[2].amount",
                "prices[4].currency"
            ]
        );
    }
}
