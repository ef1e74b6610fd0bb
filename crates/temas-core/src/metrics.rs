//! A customer's numbers from their orders: how many, how much in all and on average, when first and last, how
//! long ago. Amounts are exact decimal strings beside their currency.

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

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CustomerMetrics {
    /// Invoiced and paid orders.
    pub orders_count: u64,
    /// Spend in the workspace's currency (orders in other currencies are in `spent_by_currency`).
    pub total_spent: Option<Amount>,
    /// Spend per currency.
    pub spent_by_currency: Vec<Amount>,
    /// Total spend over orders, in the workspace's currency.
    pub average_order_value: Option<Amount>,
    pub first_order_at: Option<DateTime<Utc>>,
    pub last_order_at: Option<DateTime<Utc>>,
    pub days_since_last_order: Option<i64>,
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
    pub fn of(spend: &[SpendInCurrency], workspace_currency: &str, now: DateTime<Utc>) -> Self {
        let amount = |currency: &str, minor: i64| {
            Currency::parse(currency).ok().map(|c| Amount {
                currency: c.code().to_owned(),
                amount: Money { minor, currency: c }.to_decimal(),
            })
        };
        let home = spend.iter().find(|s| s.currency == workspace_currency);
        let last_order_at = spend.iter().map(|s| s.last_at).max();
        CustomerMetrics {
            orders_count: spend.iter().map(|s| s.orders).sum(),
            total_spent: home.and_then(|s| amount(&s.currency, s.spent_minor)),
            spent_by_currency: spend
                .iter()
                .filter_map(|s| amount(&s.currency, s.spent_minor))
                .collect(),
            average_order_value: home.filter(|s| s.orders > 0).and_then(|s| {
                let orders = i64::try_from(s.orders).unwrap_or(i64::MAX);
                amount(&s.currency, rounded_division(s.spent_minor, orders))
            }),
            first_order_at: spend.iter().map(|s| s.first_at).min(),
            last_order_at,
            days_since_last_order: last_order_at.map(|t| (now - t).num_days().max(0)),
            rfm: None,
        }
    }
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
        let spend = [
            SpendInCurrency {
                currency: "USD".into(),
                orders: 3,
                spent_minor: 10_000,
                first_at: at(1),
                last_at: at(10),
            },
            SpendInCurrency {
                currency: "TRY".into(),
                orders: 1,
                spent_minor: 150_000,
                first_at: at(5),
                last_at: at(12),
            },
        ];
        let m = CustomerMetrics::of(&spend, "USD", at(22));
        assert_eq!(m.orders_count, 4);
        assert_eq!(m.total_spent.map(|a| a.amount), Some("100.00".into()));
        assert_eq!(
            m.average_order_value.map(|a| a.amount),
            Some("33.33".into())
        );
        assert_eq!(m.spent_by_currency.len(), 2);
        assert_eq!(m.first_order_at, Some(at(1)));
        assert_eq!(m.last_order_at, Some(at(12)));
        assert_eq!(m.days_since_last_order, Some(10));
        let none = CustomerMetrics::of(&[], "USD", at(22));
        assert_eq!(
            (
                none.orders_count,
                none.total_spent,
                none.days_since_last_order
            ),
            (0, None, None)
        );
    }
}
