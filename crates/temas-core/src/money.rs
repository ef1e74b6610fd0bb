//! Money, exactly. An amount is an integer number of the currency's minor units beside its ISO 4217 code, never a
//! float; it travels as a decimal string in the major unit (`"44.98"` with `"USD"`). Order lines are computed in
//! integers: quantity × unit price, less the line's discount, plus tax, each rounded once to the minor unit.

use crate::FieldErrors;
use crate::normalize::ascii_digits;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An ISO 4217 currency with minor units (funds, metals and other codes without them are refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    pub fn parse(code: &str) -> Result<Currency, String> {
        let upper = code.trim().to_ascii_uppercase();
        iso_currency::Currency::from_code(&upper)
            .filter(|c| c.exponent().is_some())
            .map(Currency)
            .ok_or_else(|| {
                format!("must be an ISO 4217 currency code such as IRR, TRY or USD, not \"{code}\"")
            })
    }

    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// How many decimals the major unit has: 2 for USD, 0 for JPY, 3 for KWD.
    pub fn decimals(self) -> u32 {
        u32::from(self.0.exponent().unwrap_or(0))
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

/// The `currency` field of a record that needs one: an error names it when it is missing (`what` says which record
/// needs it) or not an ISO 4217 code.
pub fn required_currency(
    errors: &mut FieldErrors,
    value: Option<&str>,
    what: &str,
) -> Option<Currency> {
    match value.map(Currency::parse) {
        Some(Ok(c)) => Some(c),
        Some(Err(reason)) => {
            errors.add("currency", "invalid_currency", reason);
            None
        }
        None => {
            errors.add("currency", "required", format!("{what} needs its currency"));
            None
        }
    }
}

/// An amount in a currency's minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    /// A decimal string in the major unit: `"44.98"`, `"-3"`, `"۱۲۵۰۰۰۰"`. No more decimals than the currency
    /// has, no exponent, no thousands separators: whatever is not exactly an amount is refused, not guessed.
    pub fn parse(text: &str, currency: Currency) -> Result<Money, String> {
        let minor = parse_scaled(text, currency.decimals()).map_err(|e| match e {
            ScaledError::TooPrecise => format!(
                "has more decimals than {} allows ({})",
                currency.code(),
                currency.decimals()
            ),
            other => other.message(),
        })?;
        Ok(Money { minor, currency })
    }

    /// The amount as a decimal string in the major unit, with exactly the currency's decimals.
    pub fn to_decimal(self) -> String {
        format_scaled(self.minor, self.currency.decimals())
    }
}

/// How much of a product a line holds, with up to three decimals (2, 1.5 kg, 0.125 m), in thousandths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity(pub i64);

impl Quantity {
    const DECIMALS: u32 = 3;

    pub fn parse(text: &str) -> Result<Quantity, String> {
        let thousandths = parse_scaled(text, Self::DECIMALS).map_err(|e| match e {
            ScaledError::TooPrecise => "has more than three decimals".to_owned(),
            other => other.message(),
        })?;
        if thousandths <= 0 {
            return Err("must be more than zero".to_owned());
        }
        Ok(Quantity(thousandths))
    }

    pub fn to_decimal(self) -> String {
        trim_zeros(format_scaled(self.0, Self::DECIMALS))
    }
}

/// A percentage with up to four decimals (9, 18, 7.5), in ten-thousandths of a percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Rate(pub i64);

impl Rate {
    const DECIMALS: u32 = 4;

    pub fn parse(text: &str) -> Result<Rate, String> {
        let value = parse_scaled(text, Self::DECIMALS).map_err(|e| match e {
            ScaledError::TooPrecise => "has more than four decimals".to_owned(),
            other => other.message(),
        })?;
        if !(0..=100 * 10_000).contains(&value) {
            return Err("must be a percentage from 0 to 100".to_owned());
        }
        Ok(Rate(value))
    }

    pub fn to_decimal(self) -> String {
        trim_zeros(format_scaled(self.0, Self::DECIMALS))
    }
}

/// How many units of the workspace's currency one unit of another currency buys, with up to ten decimals
/// (`"0.0000238"` for one rial in dollars), in units of 10^-10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExchangeRate(pub i64);

impl ExchangeRate {
    const DECIMALS: u32 = 10;

    pub fn parse(text: &str) -> Result<ExchangeRate, String> {
        let value = parse_scaled(text, Self::DECIMALS).map_err(|e| match e {
            ScaledError::TooPrecise => "has more than ten decimals".to_owned(),
            other => other.message(),
        })?;
        if value <= 0 {
            return Err("must be more than zero".to_owned());
        }
        Ok(ExchangeRate(value))
    }

    pub fn to_decimal(self) -> String {
        trim_zeros(format_scaled(self.0, Self::DECIMALS))
    }

    /// `amount` in `to`, rounded half to even to `to`'s minor unit; `None` when it does not fit.
    pub fn convert(self, amount: Money, to: Currency) -> Option<Money> {
        // minor_to = minor_from * rate / 10^DECIMALS * 10^(decimals_to - decimals_from)
        let shift = i64::from(to.decimals()) - i64::from(amount.currency.decimals());
        let mut numerator = i128::from(amount.minor).checked_mul(i128::from(self.0))?;
        let mut denominator = 10_i128.pow(Self::DECIMALS);
        if shift >= 0 {
            numerator = numerator.checked_mul(10_i128.pow(u32::try_from(shift).ok()?))?;
        } else {
            denominator *= 10_i128.pow(u32::try_from(-shift).ok()?);
        }
        let minor = i64::try_from(round_half_even(numerator, denominator)).ok()?;
        Some(Money {
            minor,
            currency: to,
        })
    }
}

/// `minor * percent / 100`, rounded half to even: a deal's amount weighted by its chance of being won.
pub fn weighted(minor: i64, percent: u8) -> i64 {
    i64::try_from(round_half_even(
        i128::from(minor) * i128::from(percent),
        100,
    ))
    .unwrap_or(i64::MAX)
}

/// One order line as it is priced: all amounts in the order's currency's minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    pub quantity: Quantity,
    pub unit_price: i64,
    /// Taken off the whole line, before tax.
    pub discount: i64,
    pub tax_rate: Rate,
}

/// A line's amounts, each rounded once to the minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct LineTotals {
    /// Quantity × unit price.
    pub subtotal: i64,
    pub discount: i64,
    /// Subtotal less discount: what tax is charged on.
    pub net: i64,
    pub tax: i64,
    /// Net plus tax.
    pub total: i64,
}

/// An order's amounts: the sums of its lines'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    pub subtotal: i64,
    pub discount: i64,
    pub net: i64,
    pub tax: i64,
    pub total: i64,
}

impl Line {
    /// The line's amounts. Fractions of a minor unit are rounded half to even (so that over many lines the
    /// rounding does not lean one way); a discount larger than the line, a negative price, or amounts too large
    /// to hold are refused with the field at fault.
    pub fn totals(&self) -> Result<LineTotals, FieldErrors> {
        if self.unit_price < 0 {
            return Err(FieldErrors::single(
                "unit_price",
                "negative",
                "must not be negative",
            ));
        }
        let subtotal = round_half_even(
            i128::from(self.quantity.0) * i128::from(self.unit_price),
            10_i128.pow(Quantity::DECIMALS),
        );
        if self.discount < 0 || i128::from(self.discount) > subtotal {
            return Err(FieldErrors::single(
                "discount",
                "out_of_range",
                "must be between zero and the line's amount (quantity × unit price)",
            ));
        }
        let net = subtotal - i128::from(self.discount);
        // A rate in ten-thousandths of a percent is a fraction of 1,000,000.
        let tax = round_half_even(net * i128::from(self.tax_rate.0), 1_000_000);
        let fits = |v: i128| {
            i64::try_from(v).map_err(|_| {
                FieldErrors::single("unit_price", "too_large", "the line's amount is too large")
            })
        };
        Ok(LineTotals {
            subtotal: fits(subtotal)?,
            discount: self.discount,
            net: fits(net)?,
            tax: fits(tax)?,
            total: fits(net + tax)?,
        })
    }
}

/// Every line's amounts and the order's; a line's errors are named by its place (`lines[2].discount`).
pub fn order_totals(lines: &[Line]) -> Result<(Vec<LineTotals>, Totals), FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut each = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        match line.totals() {
            Ok(t) => each.push(t),
            Err(e) => errors.extend_prefixed(&format!("lines[{i}]"), e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let sum = |part: fn(&LineTotals) -> i64| {
        each.iter()
            .try_fold(0_i64, |acc, t| acc.checked_add(part(t)))
            .ok_or_else(|| {
                FieldErrors::single("lines", "too_large", "the order's total is too large")
            })
    };
    let totals = Totals {
        subtotal: sum(|t| t.subtotal)?,
        discount: sum(|t| t.discount)?,
        net: sum(|t| t.net)?,
        tax: sum(|t| t.tax)?,
        total: sum(|t| t.total)?,
    };
    Ok((each, totals))
}

/// `numerator / denominator` (denominator positive) rounded to the nearest integer, halves to the even one.
fn round_half_even(numerator: i128, denominator: i128) -> i128 {
    let quotient = numerator.div_euclid(denominator);
    let twice_remainder = 2 * numerator.rem_euclid(denominator);
    match twice_remainder.cmp(&denominator) {
        std::cmp::Ordering::Less => quotient,
        std::cmp::Ordering::Greater => quotient + 1,
        std::cmp::Ordering::Equal => quotient + (quotient & 1),
    }
}

enum ScaledError {
    NotANumber,
    TooPrecise,
    TooLarge,
}

impl ScaledError {
    fn message(self) -> String {
        match self {
            ScaledError::NotANumber => "must be a decimal number such as \"44.98\"".to_owned(),
            ScaledError::TooPrecise => "has too many decimals".to_owned(),
            ScaledError::TooLarge => "is too large".to_owned(),
        }
    }
}

/// A decimal string as an integer scaled by `10^decimals`: the one parser behind amounts, quantities and rates.
fn parse_scaled(text: &str, decimals: u32) -> Result<i64, ScaledError> {
    let text = ascii_digits(text.trim()).replace('٫', ".");
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(&text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let is_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty()
        || !is_digits(whole)
        || !is_digits(fraction)
        || digits.ends_with('.')
    {
        return Err(ScaledError::NotANumber);
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > decimals as usize {
        return Err(ScaledError::TooPrecise);
    }
    let padded = format!("{whole}{fraction:0<width$}", width = decimals as usize);
    let value: i64 = padded
        .trim_start_matches('0')
        .parse::<i64>()
        .or_else(|e| match e.kind() {
            std::num::IntErrorKind::Empty => Ok(0),
            _ => Err(ScaledError::TooLarge),
        })?;
    Ok(if negative { -value } else { value })
}

fn format_scaled(value: i64, decimals: u32) -> String {
    let scale = 10_u128.pow(decimals);
    let magnitude = u128::from(value.unsigned_abs());
    let sign = if value < 0 { "-" } else { "" };
    let whole = magnitude / scale;
    if decimals == 0 {
        return format!("{sign}{whole}");
    }
    let fraction = magnitude % scale;
    format!(
        "{sign}{whole}.{fraction:0width$}",
        width = decimals as usize
    )
}

/// `1.500` → `1.5`, `2.000` → `2`.
fn trim_zeros(text: String) -> String {
    if !text.contains('.') {
        return text;
    }
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usd() -> Currency {
        Currency::parse("usd").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn exchange_rates_convert_exactly() {
        let usd = Currency::parse("USD").unwrap_or_else(|e| panic!("{e}"));
        let irr = Currency::parse("IRR").unwrap_or_else(|e| panic!("{e}"));
        let kwd = Currency::parse("KWD").unwrap_or_else(|e| panic!("{e}"));
        let rate = ExchangeRate::parse("0.0000238").unwrap_or_else(|e| panic!("{e}"));
        let rials = Money {
            minor: 1_250_000_000,
            currency: irr,
        };
        assert_eq!(
            rate.convert(rials, usd).map(Money::to_decimal),
            Some("297.50".into())
        );
        let to_kwd = ExchangeRate::parse("0.3075").unwrap_or_else(|e| panic!("{e}"));
        let dollars = Money {
            minor: 1_00,
            currency: usd,
        };
        assert_eq!(
            to_kwd.convert(dollars, kwd).map(Money::to_decimal),
            Some("0.308".into())
        );
        assert!(ExchangeRate::parse("0").is_err());
        assert!(ExchangeRate::parse("1.00000000001").is_err());
        assert_eq!(weighted(1_001, 50), 500);
        assert_eq!(weighted(1_003, 50), 502);
    }

    #[test]
    fn amounts_parse_in_the_currencys_decimals() {
        let kwd = Currency::parse("KWD").unwrap_or_else(|e| panic!("{e}"));
        let jpy = Currency::parse("JPY").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Money::parse("44.98", usd()).map(|m| m.minor), Ok(4498));
        assert_eq!(Money::parse("-0.5", usd()).map(|m| m.minor), Ok(-50));
        assert_eq!(Money::parse("۱۲۵۰", usd()).map(|m| m.minor), Ok(125_000));
        assert_eq!(Money::parse("1.250", kwd).map(|m| m.minor), Ok(1250));
        assert_eq!(
            Money::parse("300", jpy).map(|m| m.to_decimal()),
            Ok("300".into())
        );
        assert!(
            Money::parse("44.985", usd())
                .unwrap_err()
                .contains("USD allows (2)")
        );
        for bad in ["", ".", "1.", "1,000", "1e3", "4 4", "--1", "abc"] {
            assert!(Money::parse(bad, usd()).is_err(), "{bad}");
        }
        assert!(
            Currency::parse("XAU").is_err(),
            "a metal has no minor units"
        );
        assert!(Currency::parse("ABC").is_err());
    }

    #[test]
    fn a_line_is_priced_and_rounded_half_to_even() {
        let line = |quantity: &str, price: i64, discount: i64, tax: &str| Line {
            quantity: Quantity::parse(quantity).unwrap_or_else(|e| panic!("{e}")),
            unit_price: price,
            discount,
            tax_rate: Rate::parse(tax).unwrap_or_else(|e| panic!("{e}")),
        };
        let t = line("2", 2249, 0, "9")
            .totals()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((t.subtotal, t.net, t.tax, t.total), (4498, 4498, 405, 4903));
        // 1.5 × 25 cents = 37.5 cents, rounded to the even 38; 0.125 × 50 cents = 6.25 cents, rounded to 6.
        assert_eq!(
            line("1.5", 25, 0, "0").totals().map(|t| t.subtotal).ok(),
            Some(38)
        );
        assert_eq!(
            line("0.125", 50, 0, "0").totals().map(|t| t.subtotal).ok(),
            Some(6)
        );
        let too_much = line("1", 100, 101, "0").totals().unwrap_err();
        assert_eq!(too_much.0[0].field, "discount");
        let (_, order) = order_totals(&[line("1", 1000, 100, "20"), line("3", 333, 0, "0")])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((order.net, order.tax, order.total), (1899, 180, 2079));
        let errors = order_totals(&[line("1", 10, 0, "0"), line("1", 10, 11, "0")]).unwrap_err();
        assert_eq!(errors.0[0].field, "lines[1].discount");
    }

    proptest! {
        #[test]
        fn decimals_round_trip(minor in any::<i64>(), decimals in 0_u32..=3) {
            let text = format_scaled(minor, decimals);
            prop_assert_eq!(parse_scaled(&text, decimals).ok(), Some(minor));
        }

        #[test]
        fn line_amounts_add_up_exactly(
            thousandths in 1_i64..10_000_000,
            price in 0_i64..1_000_000_000,
            discount_share in 0_u32..=100,
            rate in 0_i64..=1_000_000,
        ) {
            let subtotal = round_half_even(i128::from(thousandths) * i128::from(price), 1000);
            let discount = i64::try_from(subtotal * i128::from(discount_share) / 100).unwrap_or(0);
            let line = Line { quantity: Quantity(thousandths), unit_price: price, discount, tax_rate: Rate(rate) };
            let t = line.totals().unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(i128::from(t.subtotal), subtotal);
            prop_assert_eq!(t.net, t.subtotal - t.discount);
            prop_assert_eq!(t.total, t.net + t.tax);
            prop_assert!(t.net >= 0 && t.tax >= 0);
            // The tax is within half a minor unit of the exact product.
            let exact_twice = 2 * i128::from(t.net) * i128::from(rate);
            prop_assert!((2 * i128::from(t.tax) * 1_000_000 - exact_twice).abs() <= 1_000_000);
        }

        #[test]
        fn an_order_is_the_sum_of_its_lines(prices in proptest::collection::vec((1_i64..5_000, 0_i64..100_000), 1..20)) {
            let lines: Vec<Line> = prices
                .iter()
                .map(|(q, p)| Line { quantity: Quantity(*q), unit_price: *p, discount: 0, tax_rate: Rate(90_000) })
                .collect();
            let (each, order) = order_totals(&lines).unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(order.total, each.iter().map(|t| t.total).sum::<i64>());
            prop_assert_eq!(order.total, order.net + order.tax);
        }

        #[test]
        fn rounding_half_to_even_never_drifts_by_more_than_half(n in -1_000_000_i128..1_000_000, d in 1_i128..1000) {
            let r = round_half_even(n, d);
            prop_assert!((2 * (r * d - n)).abs() <= d);
        }
    }
}
