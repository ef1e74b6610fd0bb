//! The sales forecast: open deals weighted by their chance of being won, by expected close month and by owner,
//! beside the revenue already won, all in the workspace's currency through the rates the workspace keeps.

use crate::deal::DealData;
use crate::errors::FieldErrors;
use crate::ids::UserId;
use crate::money::{Currency, ExchangeRate, Money, weighted};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// One unit of `currency` is worth `rate` units of the workspace's currency from `from` on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CurrencyRate {
    /// ISO 4217 code.
    pub currency: String,
    pub from: NaiveDate,
    /// A decimal string with up to ten decimals, e.g. `"0.0000238"`.
    pub rate: String,
}

/// Checks the rates a workspace keeps, normalising codes and rates; `home` is the workspace's currency.
pub fn validate_rates(
    errors: &mut FieldErrors,
    rates: Vec<CurrencyRate>,
    home: &str,
) -> Vec<CurrencyRate> {
    let mut out: Vec<CurrencyRate> = Vec::with_capacity(rates.len());
    for (i, r) in rates.into_iter().enumerate() {
        let field = |f: &str| format!("currency_rates[{i}].{f}");
        let currency = match Currency::parse(&r.currency) {
            Ok(c) if c.code() == home => {
                errors.add(
                    field("currency"),
                    "home_currency",
                    "the workspace's own currency needs no rate",
                );
                continue;
            }
            Ok(c) => c,
            Err(reason) => {
                errors.add(field("currency"), "invalid_currency", reason);
                continue;
            }
        };
        let rate = match ExchangeRate::parse(&r.rate) {
            Ok(rate) => rate,
            Err(reason) => {
                errors.add(field("rate"), "invalid_rate", reason);
                continue;
            }
        };
        if out
            .iter()
            .any(|o| o.currency == currency.code() && o.from == r.from)
        {
            errors.add(
                field("from"),
                "duplicate",
                format!("a second {} rate from {}", currency.code(), r.from),
            );
            continue;
        }
        out.push(CurrencyRate {
            currency: currency.code().to_owned(),
            from: r.from,
            rate: rate.to_decimal(),
        });
    }
    out.sort_by(|a, b| (&a.currency, a.from).cmp(&(&b.currency, b.from)));
    out
}

/// Converts amounts into the workspace's currency on a date.
pub struct Rates {
    home: Currency,
    table: Vec<(Currency, NaiveDate, ExchangeRate)>,
}

impl Rates {
    pub fn new(home: Currency, rates: &[CurrencyRate]) -> Rates {
        let mut table: Vec<(Currency, NaiveDate, ExchangeRate)> = rates
            .iter()
            .filter_map(|r| {
                Some((
                    Currency::parse(&r.currency).ok()?,
                    r.from,
                    ExchangeRate::parse(&r.rate).ok()?,
                ))
            })
            .collect();
        table.sort_by_key(|(c, from, _)| (c.code(), *from));
        Rates { home, table }
    }

    /// The workspace's currency, which everything converts into.
    pub fn home(&self) -> Currency {
        self.home
    }

    /// The amount in the workspace's currency at the rate in force on `on` (the earliest rate for a date before
    /// every rate); `None` when the workspace keeps no rate for its currency.
    pub fn convert(&self, amount: Money, on: NaiveDate) -> Option<Money> {
        if amount.currency == self.home {
            return Some(amount);
        }
        let of_currency = self.table.iter().filter(|(c, _, _)| *c == amount.currency);
        let rate = of_currency
            .clone()
            .rfind(|(_, from, _)| *from <= on)
            .or_else(|| of_currency.clone().next())?;
        rate.2.convert(amount, self.home)
    }
}

/// A group's figures: open deals, their amount and weighted amount, and what was won.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ForecastLine {
    /// `YYYY-MM` (by expected close for open deals, by close for won ones); absent on owner lines and for open
    /// deals without an expected close date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month: Option<String>,
    /// Absent on month lines; null on the owner line of unassigned deals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<Option<UserId>>,
    pub open_deals: u64,
    /// Open deals' amounts in full.
    pub pipeline: String,
    /// Open deals' amounts times their probability.
    pub weighted: String,
    pub won_deals: u64,
    pub won: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Forecast {
    /// The workspace's currency, in which every amount is.
    pub currency: String,
    pub months: Vec<ForecastLine>,
    pub owners: Vec<ForecastLine>,
    pub total: ForecastLine,
    /// Currencies of deals left out because the workspace keeps no rate for them.
    pub unconverted_currencies: Vec<String>,
}

#[derive(Default, Clone, Copy)]
struct Sums {
    open: u64,
    pipeline: i64,
    weighted: i64,
    won_deals: u64,
    won: i64,
}

impl Sums {
    fn line(self, home: Currency) -> ForecastLine {
        let show = |minor| {
            Money {
                minor,
                currency: home,
            }
            .to_decimal()
        };
        ForecastLine {
            month: None,
            owner_id: None,
            open_deals: self.open,
            pipeline: show(self.pipeline),
            weighted: show(self.weighted),
            won_deals: self.won_deals,
            won: show(self.won),
        }
    }
}

fn month_of(date: NaiveDate) -> String {
    format!("{:04}-{:02}", date.year(), date.month())
}

/// The forecast over `deals` (lost ones count nowhere); `months` keeps only deals whose month is in it.
pub fn forecast(
    deals: &[DealData],
    rates: &Rates,
    today: NaiveDate,
    months: Option<(String, String)>,
) -> Forecast {
    let mut by_month: BTreeMap<Option<String>, Sums> = BTreeMap::new();
    let mut by_owner: BTreeMap<Option<UserId>, Sums> = BTreeMap::new();
    let mut total = Sums::default();
    let mut unconverted: Vec<String> = Vec::new();
    for deal in deals {
        let won = deal.status == "won";
        if !won && deal.status != "open" {
            continue;
        }
        let Some(amount) = deal.money() else {
            continue;
        };
        let day = if won {
            deal.closed_at.map(|t| t.date_naive())
        } else {
            deal.expected_close
        };
        let month = day.map(month_of);
        if let (Some((from, to)), m) = (&months, &month)
            && !m.as_ref().is_some_and(|m| m >= from && m <= to)
        {
            continue;
        }
        let Some(home) = rates.convert(amount, day.unwrap_or(today)) else {
            if !unconverted.contains(&amount.currency.code().to_owned()) {
                unconverted.push(amount.currency.code().to_owned());
            }
            continue;
        };
        for sums in [
            by_month.entry(month.clone()).or_default(),
            by_owner.entry(deal.owner_id).or_default(),
            &mut total,
        ] {
            if won {
                sums.won_deals += 1;
                sums.won = sums.won.saturating_add(home.minor);
            } else {
                sums.open += 1;
                sums.pipeline = sums.pipeline.saturating_add(home.minor);
                sums.weighted = sums
                    .weighted
                    .saturating_add(weighted(home.minor, deal.probability));
            }
        }
    }
    unconverted.sort();
    // Dated months in order, then the open deals without a date.
    let mut month_lines: Vec<(Option<String>, Sums)> = by_month.into_iter().collect();
    month_lines.sort_by_key(|(m, _)| (m.is_none(), m.clone()));
    Forecast {
        currency: rates.home.code().to_owned(),
        months: month_lines
            .into_iter()
            .map(|(month, s)| ForecastLine {
                month,
                ..s.line(rates.home)
            })
            .collect(),
        owners: by_owner
            .into_iter()
            .map(|(owner, s)| ForecastLine {
                owner_id: Some(owner),
                ..s.line(rates.home)
            })
            .collect(),
        total: total.line(rates.home),
        unconverted_currencies: unconverted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn deal(status: &str, amount: &str, currency: &str, probability: u8, month: u32) -> DealData {
        let date = NaiveDate::from_ymd_opt(2026, month, 15).unwrap_or_default();
        DealData {
            status: status.into(),
            amount: Some(amount.into()),
            currency: Some(currency.into()),
            probability,
            expected_close: Some(date),
            closed_at: (status == "won").then(|| {
                Utc.with_ymd_and_hms(2026, month, 20, 0, 0, 0)
                    .single()
                    .unwrap_or_default()
            }),
            ..DealData::default()
        }
    }

    #[test]
    fn open_deals_are_weighted_and_won_ones_counted_in_the_home_currency() {
        let usd = Currency::parse("USD").unwrap_or_else(|e| panic!("{e}"));
        let mut errors = FieldErrors::default();
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap_or_default();
        let rates = validate_rates(
            &mut errors,
            vec![
                CurrencyRate {
                    currency: "try".into(),
                    from: day(1, 1),
                    rate: "0.025".into(),
                },
                CurrencyRate {
                    currency: "TRY".into(),
                    from: day(12, 1),
                    rate: "0.02".into(),
                },
            ],
            "USD",
        );
        assert!(errors.is_empty());
        let rates = Rates::new(usd, &rates);
        let deals = [
            deal("open", "1000.00", "USD", 50, 12),
            deal("open", "40000.00", "TRY", 25, 12),
            deal("won", "300.00", "USD", 100, 11),
            deal("lost", "999.00", "USD", 0, 11),
            deal("open", "10.00", "EUR", 50, 12),
        ];
        let f = forecast(&deals, &rates, day(11, 22), None);
        assert_eq!(f.unconverted_currencies, ["EUR"]);
        // 40,000 TRY in December at 0.02 = 800 USD, a quarter of it weighted.
        assert_eq!(
            (f.total.pipeline.as_str(), f.total.weighted.as_str()),
            ("1800.00", "700.00")
        );
        assert_eq!((f.total.won_deals, f.total.won.as_str()), (1, "300.00"));
        let months: Vec<_> = f
            .months
            .iter()
            .map(|m| m.month.clone().unwrap_or_default())
            .collect();
        assert_eq!(months, ["2026-11", "2026-12"]);
        let only_december = forecast(
            &deals,
            &rates,
            day(11, 22),
            Some(("2026-12".into(), "2026-12".into())),
        );
        assert_eq!(only_december.total.won_deals, 0);
    }
}
