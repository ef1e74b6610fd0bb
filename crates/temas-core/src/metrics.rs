//! A customer's numbers from their orders: how many, how much in all and on average, when first and last, how
//! long ago. Amounts are exact decimal strings beside their currency.

use crate::forecast::Rates;
use crate::money::{Currency, Money};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A customer's purchases in one currency: invoiced or paid orders, less what came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpendInCurrency {
    pub currency: String,
    pub orders: u64,
    pub spent_minor: i64,
    /// What of it was spent in the last 12 months.
    pub recent_minor: i64,
    /// The spend in the workspace's currency, each purchase converted at the rate of its day; `None` when one of
    /// them could not be (no rate for its day, or not converted yet).
    pub converted_minor: Option<i64>,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
}

/// An amount beside its currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Amount {
    pub currency: String,
    /// A decimal string in the currency's major unit, e.g. `"44.98"`.
    pub amount: String,
}

impl Amount {
    pub fn of(money: Money) -> Amount {
        Amount {
            currency: money.currency.code().to_owned(),
            amount: money.to_decimal(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CustomerMetrics {
    /// Invoiced and paid orders.
    pub orders_count: u64,
    /// Spend in the workspace's currency (orders in other currencies are in `spent_by_currency`).
    pub total_spent: Option<Amount>,
    /// Spend per currency.
    pub spent_by_currency: Vec<Amount>,
    /// Spend in every currency, each purchase converted into the workspace's at the rate of its day; null when a
    /// purchase has no rate for its day.
    pub total_spent_converted: Option<Amount>,
    /// Spend over the last 12 months in every currency, converted into the workspace's at the rates in force
    /// today; null when a currency the customer paid in has no rate.
    pub spent_last_12_months: Option<Amount>,
    /// Total spend over orders, in the workspace's currency.
    pub average_order_value: Option<Amount>,
    pub first_order_at: Option<DateTime<Utc>>,
    pub last_order_at: Option<DateTime<Utc>>,
    pub days_since_last_order: Option<i64>,
    /// The latest interaction (call, email, meeting …) with the customer.
    pub last_contact_at: Option<DateTime<Utc>>,
    pub days_since_last_contact: Option<i64>,
    /// The product category and brand the customer's converted spend adds up to most in, over the products in
    /// the catalogue; a tie goes to the name that sorts first.
    pub favourite_category: Option<String>,
    pub favourite_brand: Option<String>,
    /// Recency, frequency and monetary scores from 1 to 5 over the workspace; null until they are computed.
    pub rfm: Option<Rfm>,
}

/// Where a customer stands among the workspace's buying customers, in quintiles: 5 is the most recent, most
/// frequent, biggest-spending fifth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Rfm {
    pub recency: u8,
    pub frequency: u8,
    pub monetary: u8,
    /// The three as one code, e.g. `"545"`.
    pub code: String,
}

impl Rfm {
    pub fn new([recency, frequency, monetary]: [u8; 3]) -> Rfm {
        Rfm {
            recency,
            frequency,
            monetary,
            code: format!("{recency}{frequency}{monetary}"),
        }
    }
}

impl CustomerMetrics {
    /// The numbers from a customer's spend per currency, converted with `rates` into the workspace's currency.
    pub fn of(spend: &[SpendInCurrency], rates: &Rates, now: DateTime<Utc>) -> Self {
        let money = |currency: &str, minor: i64| {
            Currency::parse(currency)
                .ok()
                .map(|currency| Money { minor, currency })
        };
        let amount = |currency: &str, minor: i64| money(currency, minor).map(Amount::of);
        let home_amount = |minor: i64| {
            Amount::of(Money {
                minor,
                currency: rates.home(),
            })
        };
        // The 12-month spend of every currency in the workspace's at today's rates; `None` when one of them
        // cannot be converted.
        let recent_converted = || {
            let mut sum = 0i64;
            for s in spend {
                let each = money(&s.currency, s.recent_minor)?;
                sum = sum.checked_add(rates.convert(each, now.date_naive())?.minor)?;
            }
            Some(home_amount(sum))
        };
        let total_converted = || {
            let mut sum = 0i64;
            for s in spend {
                sum = sum.checked_add(s.converted_minor?)?;
            }
            Some(home_amount(sum))
        };
        let home = spend.iter().find(|s| s.currency == rates.home().code());
        let last_order_at = spend.iter().map(|s| s.last_at).max();
        CustomerMetrics {
            orders_count: spend.iter().map(|s| s.orders).sum(),
            total_spent: home.and_then(|s| amount(&s.currency, s.spent_minor)),
            spent_by_currency: spend
                .iter()
                .filter_map(|s| amount(&s.currency, s.spent_minor))
                .collect(),
            total_spent_converted: total_converted(),
            spent_last_12_months: recent_converted(),
            average_order_value: home.filter(|s| s.orders > 0).and_then(|s| {
                let orders = i64::try_from(s.orders).unwrap_or(i64::MAX);
                amount(&s.currency, rounded_division(s.spent_minor, orders))
            }),
            first_order_at: spend.iter().map(|s| s.first_at).min(),
            last_order_at,
            days_since_last_order: last_order_at.map(|t| days_between(t, now)),
            ..CustomerMetrics::default()
        }
    }

    /// Adds when the customer was last in touch.
    pub fn set_last_contact(&mut self, at: Option<DateTime<Utc>>, now: DateTime<Utc>) {
        self.last_contact_at = at;
        self.days_since_last_contact = at.map(|t| days_between(t, now));
    }
}

/// Whole days from `then` to `now`, never negative.
fn days_between(then: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (now - then).num_days().max(0)
}

/// `a / b` (b positive) to the nearest integer, halves away from zero.
fn rounded_division(a: i64, b: i64) -> i64 {
    let (a, b) = (i128::from(a), i128::from(b));
    let q = (2 * a.abs() + b) / (2 * b);
    i64::try_from(if a < 0 { -q } else { q }).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn metrics_add_up_per_currency() {
        let at = |d: u32| {
            Utc.with_ymd_and_hms(2026, 11, d, 12, 0, 0)
                .single()
                .unwrap_or_default()
        };
        let mut spend = [
            SpendInCurrency {
                currency: "USD".into(),
                orders: 3,
                spent_minor: 10_000,
                recent_minor: 4_000,
                converted_minor: Some(10_000),
                first_at: at(1),
                last_at: at(10),
            },
            SpendInCurrency {
                currency: "TRY".into(),
                orders: 1,
                spent_minor: 150_000,
                recent_minor: 150_000,
                converted_minor: None,
                first_at: at(5),
                last_at: at(12),
            },
        ];
        let usd = Currency::parse("USD").unwrap_or_else(|e| panic!("{e}"));
        let no_rates = Rates::new(usd, &[]);
        let m = CustomerMetrics::of(&spend, &no_rates, at(22));
        assert_eq!(m.orders_count, 4);
        assert_eq!(m.total_spent.map(|a| a.amount), Some("100.00".into()));
        assert_eq!(
            m.average_order_value.map(|a| a.amount),
            Some("33.33".into())
        );
        assert_eq!(m.spent_by_currency.len(), 2);
        assert_eq!(m.total_spent_converted, None, "a TRY purchase had no rate");
        assert_eq!(m.spent_last_12_months, None, "TRY has no rate today");
        assert_eq!(m.first_order_at, Some(at(1)));
        assert_eq!(m.last_order_at, Some(at(12)));
        assert_eq!(m.days_since_last_order, Some(10));
        let rates = Rates::new(
            usd,
            &[crate::forecast::CurrencyRate {
                currency: "TRY".into(),
                from: at(1).date_naive(),
                rate: "0.025".into(),
            }],
        );
        spend[1].converted_minor = Some(3_750);
        let m = CustomerMetrics::of(&spend, &rates, at(22));
        let amount = |a: Option<Amount>| a.map(|a| format!("{} {}", a.amount, a.currency));
        assert_eq!(amount(m.total_spent_converted), Some("137.50 USD".into()));
        assert_eq!(amount(m.spent_last_12_months), Some("77.50 USD".into()));
        let none = CustomerMetrics::of(&[], &rates, at(22));
        assert_eq!(
            (
                none.orders_count,
                none.total_spent,
                none.days_since_last_order,
                amount(none.total_spent_converted)
            ),
            (0, None, None, Some("0.00 USD".into()))
        );
    }
}
