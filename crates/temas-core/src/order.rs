//! Orders and invoices: a customer, lines of products at a price, a currency, totals computed exactly in minor
//! units, a status from quote to paid (or cancelled, returned, refunded), and returns per line with the reason.

use crate::attachment::Attachment;
use crate::contact::{RecordMeta, ValidationContext};
use crate::errors::{FieldErrors, clean_text, one_of};
use crate::forecast::Rates;
use crate::ids::{CompanyId, ContactId, OrderId, ProductId, UserId};
use crate::line_problem::{LineProblem, LineProblemInput, validate_problems};
use crate::money::{Currency, Line, Money, Quantity, Rate, Totals, order_totals};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub const STATUSES: &[&str] = &[
    "quote",
    "proforma",
    "invoiced",
    "paid",
    "cancelled",
    "returned",
    "refunded",
];
pub const CHANNELS: &[&str] = &[
    "shop", "pos", "phone", "partner", "web", "email", "field", "other",
];
/// The statuses in which an order is a purchase: what the customer's spend counts.
pub const PURCHASED: &[&str] = &["invoiced", "paid"];
/// Lines this many at most.
pub const MAX_LINES: usize = 500;

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLineInput {
    pub product_id: Option<ProductId>,
    /// What the line is, when there is no product or it should read differently.
    pub description: Option<String>,
    /// A number or a decimal string, up to three decimals; defaults to 1.
    #[schema(value_type = Option<String>, example = "2")]
    pub quantity: Option<Value>,
    /// A decimal string in the order's currency, e.g. `"22.49"`.
    pub unit_price: Option<String>,
    /// Taken off the whole line before tax, a decimal string in the order's currency.
    pub discount: Option<String>,
    /// A percentage, e.g. `"9"`.
    pub tax_rate: Option<String>,
    /// How many of the line came back (a number or a decimal string); the line's spend shrinks in proportion.
    #[schema(value_type = Option<String>)]
    pub returned_quantity: Option<Value>,
    /// Why it came back.
    pub return_reason: Option<String>,
    /// What went wrong with it (a damaged delivery, a missing part …) and how each was settled.
    #[serde(default)]
    pub problems: Vec<LineProblemInput>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    pub contact_id: Option<ContactId>,
    pub company_id: Option<CompanyId>,
    /// ISO 4217 code; every amount of the order is in it.
    pub currency: Option<String>,
    /// quote (the default), proforma, invoiced, paid, cancelled, returned or refunded.
    pub status: Option<String>,
    /// Why it was cancelled, returned or refunded.
    pub status_reason: Option<String>,
    /// The shop's or POS's own id: pushing the same order again updates it.
    pub external_id: Option<String>,
    /// The invoice number in the accounting system.
    pub invoice_number: Option<String>,
    /// Where it came from: shop, pos, phone, partner, web, email, field or other.
    pub channel: Option<String>,
    /// When it was ordered; defaults to now.
    pub ordered_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub lines: Vec<OrderLineInput>,
    pub notes: Option<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    pub owner_id: Option<UserId>,
}

/// A line as stored: what was typed, normalised, with its amounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OrderLine {
    pub product_id: Option<ProductId>,
    pub description: Option<String>,
    pub quantity: String,
    pub unit_price: String,
    pub discount: String,
    pub tax_rate: String,
    pub subtotal: String,
    pub net: String,
    pub tax: String,
    pub total: String,
    pub returned_quantity: Option<String>,
    pub return_reason: Option<String>,
    #[serde(default)]
    pub problems: Vec<LineProblem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OrderData {
    pub contact_id: Option<ContactId>,
    pub company_id: Option<CompanyId>,
    pub currency: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub external_id: Option<String>,
    pub invoice_number: Option<String>,
    pub channel: Option<String>,
    pub ordered_at: DateTime<Utc>,
    pub lines: Vec<OrderLine>,
    pub subtotal: String,
    pub discount: String,
    pub tax: String,
    pub total: String,
    /// What the customer's spend counts of this order: the total less what came back, while it is invoiced or
    /// paid; nothing otherwise.
    pub spent: Option<String>,
    /// How many problems reported on its lines are not settled yet.
    #[serde(default)]
    pub open_problems: usize,
    /// Files kept with the order (the invoice, photos …), added and removed through its `attachments` path.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    pub notes: Option<String>,
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    pub owner_id: Option<UserId>,
}

impl OrderLine {
    pub fn to_input(&self) -> OrderLineInput {
        OrderLineInput {
            product_id: self.product_id,
            description: self.description.clone(),
            quantity: Some(Value::String(self.quantity.clone())),
            unit_price: Some(self.unit_price.clone()),
            discount: Some(self.discount.clone()),
            tax_rate: Some(self.tax_rate.clone()),
            returned_quantity: self.returned_quantity.clone().map(Value::String),
            return_reason: self.return_reason.clone(),
            problems: self.problems.iter().map(LineProblem::to_input).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Order {
    pub id: OrderId,
    pub version: i64,
    #[serde(flatten)]
    pub data: OrderData,
    #[serde(flatten)]
    pub meta: RecordMeta,
}

/// A quantity as JSON gives it: a number or a decimal string.
fn quantity_of(value: &Value) -> Result<Quantity, String> {
    match value {
        Value::Number(n) => Quantity::parse(&n.to_string()),
        Value::String(s) => Quantity::parse(s),
        _ => Err("must be a number or a decimal string such as \"2\"".to_owned()),
    }
}

impl OrderInput {
    pub fn validate(
        self,
        ctx: &ValidationContext,
        previous_custom: Option<&Map<String, Value>>,
        now: DateTime<Utc>,
    ) -> Result<OrderData, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.contact_id.is_none() && self.company_id.is_none() {
            errors.add(
                "contact_id",
                "required",
                "an order needs a contact or a company",
            );
        }
        let currency =
            crate::money::required_currency(&mut errors, self.currency.as_deref(), "an order");
        let status = one_of(&mut errors, "status", self.status, STATUSES)
            .unwrap_or_else(|| "quote".to_owned());
        let channel = one_of(&mut errors, "channel", self.channel, CHANNELS);
        if self.lines.is_empty() {
            errors.add("lines", "required", "an order needs at least one line");
        }
        if self.lines.len() > MAX_LINES {
            errors.add("lines", "too_many", format!("at most {MAX_LINES} lines"));
        }
        let custom = ctx.custom_values(&mut errors, self.custom, previous_custom);
        let (lines, totals, spent) = match currency {
            Some(c) => price_lines(
                &mut errors,
                c,
                self.lines,
                PURCHASED.contains(&status.as_str()),
                now,
            ),
            None => (Vec::new(), Totals::default(), None),
        };
        let show = |minor: i64| currency.map(|c| Money { minor, currency: c }.to_decimal());
        let open_problems = lines
            .iter()
            .flat_map(|l| &l.problems)
            .filter(|p| p.is_open())
            .count();
        let data = OrderData {
            contact_id: self.contact_id,
            company_id: self.company_id,
            currency: currency.map(|c| c.code().to_owned()).unwrap_or_default(),
            status,
            status_reason: clean_text(&mut errors, "status_reason", self.status_reason, 1000),
            external_id: clean_text(&mut errors, "external_id", self.external_id, 200),
            invoice_number: clean_text(&mut errors, "invoice_number", self.invoice_number, 100),
            channel,
            ordered_at: self
                .ordered_at
                .map(|t| crate::time::from_micros(t.timestamp_micros()))
                .unwrap_or(now),
            lines,
            subtotal: show(totals.subtotal).unwrap_or_default(),
            discount: show(totals.discount).unwrap_or_default(),
            tax: show(totals.tax).unwrap_or_default(),
            total: show(totals.total).unwrap_or_default(),
            spent: spent.and_then(show),
            open_problems,
            attachments: Vec::new(),
            notes: clean_text(&mut errors, "notes", self.notes, 100_000),
            custom,
            owner_id: self.owner_id,
        };
        errors.into_result(data)
    }
}

/// Prices every line, and what the order counts as spend when it is a purchase: each line's total less the share
/// of it that came back.
pub(crate) fn price_lines(
    errors: &mut FieldErrors,
    currency: Currency,
    inputs: Vec<OrderLineInput>,
    purchased: bool,
    now: DateTime<Utc>,
) -> (Vec<OrderLine>, Totals, Option<i64>) {
    let mut lines = Vec::with_capacity(inputs.len());
    let mut priced = Vec::with_capacity(inputs.len());
    let mut returned = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.into_iter().enumerate() {
        let mut line_errors = FieldErrors::default();
        let amount = |errors: &mut FieldErrors, field: &str, text: Option<&str>| match Money::parse(
            text.unwrap_or("0"),
            currency,
        ) {
            Ok(m) => m.minor,
            Err(reason) => {
                errors.add(field, "invalid_amount", reason);
                0
            }
        };
        let quantity = match input.quantity.as_ref().map(quantity_of) {
            None => Quantity(1000),
            Some(Ok(q)) => q,
            Some(Err(reason)) => {
                line_errors.add("quantity", "invalid_quantity", reason);
                Quantity(1000)
            }
        };
        if input.unit_price.is_none() {
            line_errors.add("unit_price", "required", "a line needs its unit price");
        }
        let unit_price = amount(&mut line_errors, "unit_price", input.unit_price.as_deref());
        let discount = amount(&mut line_errors, "discount", input.discount.as_deref());
        let tax_rate = match input.tax_rate.as_deref().map(Rate::parse) {
            None => Rate::default(),
            Some(Ok(r)) => r,
            Some(Err(reason)) => {
                line_errors.add("tax_rate", "invalid_rate", reason);
                Rate::default()
            }
        };
        let back = match input.returned_quantity.as_ref().map(quantity_of) {
            None => None,
            Some(Ok(q)) if q <= quantity => Some(q),
            Some(Ok(_)) => {
                line_errors.add(
                    "returned_quantity",
                    "out_of_range",
                    "must not be more than the quantity",
                );
                None
            }
            Some(Err(reason)) => {
                line_errors.add("returned_quantity", "invalid_quantity", reason);
                None
            }
        };
        let description = clean_text(&mut line_errors, "description", input.description, 1000);
        let return_reason =
            clean_text(&mut line_errors, "return_reason", input.return_reason, 1000);
        let problems = validate_problems(&mut line_errors, input.problems, now);
        if input.product_id.is_none() && description.is_none() {
            line_errors.add(
                "product_id",
                "required",
                "a line needs a product or a description",
            );
        }
        let line = Line {
            quantity,
            unit_price,
            discount,
            tax_rate,
        };
        if line_errors.is_empty()
            && let Err(e) = line.totals()
        {
            line_errors.0.extend(e.0);
        }
        if !line_errors.is_empty() {
            errors.extend_prefixed(&format!("lines[{i}]"), line_errors);
            continue;
        }
        priced.push(line);
        returned.push(back);
        lines.push((input.product_id, description, return_reason, problems));
    }
    let Ok((each, totals)) = order_totals(&priced) else {
        errors.add("lines", "too_large", "the order's total is too large");
        return (Vec::new(), Totals::default(), None);
    };
    let show = |minor: i64| Money { minor, currency }.to_decimal();
    let spent: i64 = each
        .iter()
        .zip(&priced)
        .zip(&returned)
        .map(|((t, line), back)| t.total - returned_share(t.total, line.quantity, *back))
        .sum();
    let stored = lines
        .into_iter()
        .zip(priced.iter().zip(each.iter().zip(&returned)))
        .map(
            |((product_id, description, return_reason, problems), (line, (t, back)))| OrderLine {
                product_id,
                description,
                quantity: line.quantity.to_decimal(),
                unit_price: show(line.unit_price),
                discount: show(line.discount),
                tax_rate: line.tax_rate.to_decimal(),
                subtotal: show(t.subtotal),
                net: show(t.net),
                tax: show(t.tax),
                total: show(t.total),
                returned_quantity: back.map(Quantity::to_decimal),
                return_reason,
                problems,
            },
        )
        .collect();
    (stored, totals, purchased.then_some(spent))
}

/// The part of a line's total that came back: in proportion to the quantity returned, rounded half to even.
fn returned_share(total: i64, quantity: Quantity, back: Option<Quantity>) -> i64 {
    let Some(back) = back else { return 0 };
    if quantity.0 == 0 {
        return 0;
    }
    let share = i128::from(total) * i128::from(back.0);
    let q = i128::from(quantity.0);
    let (whole, rest) = (share.div_euclid(q), share.rem_euclid(q));
    let rounded = match (2 * rest).cmp(&q) {
        std::cmp::Ordering::Less => whole,
        std::cmp::Ordering::Greater => whole + 1,
        std::cmp::Ordering::Equal => whole + (whole & 1),
    };
    i64::try_from(rounded).unwrap_or(total)
}

impl OrderData {
    pub fn to_input(&self) -> OrderInput {
        OrderInput {
            contact_id: self.contact_id,
            company_id: self.company_id,
            currency: Some(self.currency.clone()),
            status: Some(self.status.clone()),
            status_reason: self.status_reason.clone(),
            external_id: self.external_id.clone(),
            invoice_number: self.invoice_number.clone(),
            channel: self.channel.clone(),
            ordered_at: Some(self.ordered_at),
            lines: self.lines.iter().map(OrderLine::to_input).collect(),
            notes: self.notes.clone(),
            custom: self.custom.clone(),
            owner_id: self.owner_id,
        }
    }

    /// What each line of a purchase counts as spend (its total less the share that came back), in the order's
    /// currency; nothing for an order that is not a purchase.
    pub fn line_spend(&self) -> Vec<(Option<ProductId>, Money)> {
        let Ok(currency) = Currency::parse(&self.currency) else {
            return Vec::new();
        };
        if self.spent.is_none() {
            return Vec::new();
        }
        self.lines
            .iter()
            .filter_map(|line| {
                let total = Money::parse(&line.total, currency).ok()?.minor;
                let quantity = Quantity::parse(&line.quantity).ok()?;
                let back = match &line.returned_quantity {
                    Some(q) => Some(Quantity::parse(q).ok()?),
                    None => None,
                };
                let minor = total - returned_share(total, quantity, back);
                Some((line.product_id, Money { minor, currency }))
            })
            .collect()
    }

    /// The spend this order counts, in minor units of its currency.
    pub fn spent_minor(&self) -> Option<i64> {
        let currency = Currency::parse(&self.currency).ok()?;
        Money::parse(self.spent.as_deref()?, currency)
            .ok()
            .map(|m| m.minor)
    }

    /// The spend in the workspace's currency at the rate of the order's day; `None` when it is not a purchase or
    /// its currency has no rate.
    pub fn spent_converted(&self, rates: &Rates) -> Option<i64> {
        let currency = Currency::parse(&self.currency).ok()?;
        let minor = self.spent_minor()?;
        let on = self.ordered_at.date_naive();
        Some(rates.convert(Money { minor, currency }, on)?.minor)
    }

    /// The spend of the lines that name a product, per product, in the workspace's currency at the rate of the
    /// order's day (each line converted on its own); empty when it is not a purchase or its currency has no rate.
    pub fn product_spend_converted(&self, rates: &Rates) -> Vec<(ProductId, i64)> {
        let on = self.ordered_at.date_naive();
        let mut per_product: BTreeMap<ProductId, i64> = BTreeMap::new();
        for (product, money) in self.line_spend() {
            let (Some(product), Some(home)) = (product, rates.convert(money, on)) else {
                continue;
            };
            let sum = per_product.entry(product).or_default();
            *sum = sum.saturating_add(home.minor);
        }
        per_product.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order(value: Value) -> Result<OrderData, FieldErrors> {
        let input: OrderInput = serde_json::from_value(value).unwrap_or_else(|e| panic!("{e}"));
        input.validate(&ValidationContext::default(), None, Utc::now())
    }

    #[test]
    fn totals_are_exact_and_written_in_the_currency() {
        let data = order(json!({
            "contact_id": ContactId::new(), "currency": "USD", "status": "paid",
            "lines": [
                {"product_id": ProductId::new(), "quantity": 2, "unit_price": "22.49"},
                {"description": "Delivery", "unit_price": "5", "tax_rate": "9"},
                {"product_id": ProductId::new(), "quantity": "3", "unit_price": "10.00", "discount": "1.50"}
            ]}))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (
                data.subtotal.as_str(),
                data.discount.as_str(),
                data.tax.as_str(),
                data.total.as_str()
            ),
            ("79.98", "1.50", "0.45", "78.93")
        );
        assert_eq!(data.lines[0].total, "44.98");
        assert_eq!(data.spent.as_deref(), Some("78.93"));
        assert_eq!(data.spent_minor(), Some(7893));
    }

    #[test]
    fn a_return_takes_its_share_off_the_spend() {
        let data = order(json!({
            "contact_id": ContactId::new(), "currency": "TRY", "status": "paid",
            "lines": [{"product_id": ProductId::new(), "quantity": 3, "unit_price": "100",
                       "returned_quantity": 1, "return_reason": "damaged in delivery"}]}))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(data.total, "300.00");
        assert_eq!(data.spent.as_deref(), Some("200.00"));
        let quote = order(json!({"company_id": CompanyId::new(), "currency": "EUR",
            "lines": [{"description": "Consulting", "unit_price": "900"}]}))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((quote.status.as_str(), quote.spent), ("quote", None));
    }

    #[test]
    fn spend_converts_at_the_rate_of_the_order_day_per_product() {
        let (tea, cups) = (ProductId::new(), ProductId::new());
        let data = order(json!({
            "contact_id": ContactId::new(), "currency": "TRY", "status": "paid",
            "ordered_at": "2026-03-10T12:00:00Z",
            "lines": [{"product_id": tea, "quantity": 2, "unit_price": "100"},
                      {"product_id": cups, "quantity": 1, "unit_price": "50"},
                      {"product_id": tea, "quantity": 1, "unit_price": "40"},
                      {"description": "Delivery", "unit_price": "10"}]}))
        .unwrap_or_else(|e| panic!("{e}"));
        let usd = Currency::parse("USD").unwrap_or_else(|e| panic!("{e}"));
        let rate = |from: &str, rate: &str| crate::forecast::CurrencyRate {
            currency: "TRY".into(),
            from: from.parse().unwrap_or_else(|e| panic!("{e}")),
            rate: rate.into(),
        };
        assert_eq!(data.spent_converted(&Rates::new(usd, &[])), None);
        assert_eq!(
            data.product_spend_converted(&Rates::new(usd, &[])),
            Vec::new()
        );
        // The rate in force on the order's day, not the latest one.
        let rates = Rates::new(
            usd,
            &[rate("2026-01-01", "0.03"), rate("2026-06-01", "0.02")],
        );
        assert_eq!(data.spent_converted(&rates), Some(900));
        let mut expected = vec![(tea, 720), (cups, 150)];
        expected.sort();
        assert_eq!(data.product_spend_converted(&rates), expected);
        let try_ = Currency::parse("TRY").unwrap_or_else(|e| panic!("{e}"));
        let at_home = Rates::new(try_, &[]);
        assert_eq!(data.spent_converted(&at_home), Some(30_000));
    }

    #[test]
    fn bad_orders_name_every_field() {
        let errors = order(json!({
            "currency": "ZZZ", "status": "shipped",
            "lines": [{"quantity": 0}]}))
        .unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["contact_id", "currency", "status"]);
        let errors = order(json!({
            "contact_id": ContactId::new(), "currency": "USD",
            "lines": [{"quantity": 0, "unit_price": "1"},
                      {"description": "x", "unit_price": "1.001"},
                      {"description": "y", "unit_price": "1", "discount": "2"},
                      {"description": "z", "quantity": 1, "unit_price": "1", "returned_quantity": 2}]}))
        .unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "lines[0].quantity",
                "lines[0].product_id",
                "lines[1].unit_price",
                "lines[2].discount",
                "lines[3].returned_quantity"
            ]
        );
    }
}
