//! Phone numbers: parsed to E.164 with the workspace's default region, in any digits and any common format,
//! so that `0912 345 6789`, `+98 912 345 6789` and `۰۹۱۲۳۴۵۶۷۸۹` are one number.

use crate::normalize::ascii_digits;
use phonenumber::{Mode, country};

/// A parsed phone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedPhone {
    /// `+` followed by country code and national number.
    pub e164: String,
    /// The national significant number (no trunk prefix, no country code): the search key.
    pub national: String,
    /// Whether the number is a valid, assignable number for its region.
    pub valid: bool,
}

/// Parses a 2-letter region code such as `IR` or `tr`.
pub fn parse_region(code: &str) -> Option<country::Id> {
    code.trim().to_ascii_uppercase().parse().ok()
}

/// Parses a phone number typed by a user. `None` when it is not a phone number at all.
pub fn parse_phone(text: &str, default_region: Option<country::Id>) -> Option<ParsedPhone> {
    let ascii = ascii_digits(text.trim());
    let digit_count = ascii.chars().filter(char::is_ascii_digit).count();
    if !(4..=17).contains(&digit_count) {
        return None;
    }
    let cleaned = match ascii.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => ascii,
    };
    let number = phonenumber::parse(default_region, &cleaned).ok()?;
    let e164 = number.format().mode(Mode::E164).to_string();
    let national = number.national().value().to_string();
    let valid = phonenumber::is_valid(&number);
    Some(ParsedPhone {
        e164,
        national,
        valid,
    })
}

/// The search key of a phone-like query fragment: ASCII digits of the national number as a user would type its
/// start. `+98912…` and `0098912…` lose the country code, `0912…` loses the trunk prefix. `None` when the fragment
/// is not made of digits and phone punctuation.
pub fn phone_query_key(fragment: &str, default_region: Option<country::Id>) -> Option<String> {
    let ascii = ascii_digits(fragment.trim());
    if ascii.is_empty()
        || !ascii
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
    {
        return None;
    }
    let digits: String = ascii.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 3 {
        return None;
    }
    let international = ascii.starts_with('+') || digits.starts_with("00");
    if international {
        let rest = digits.trim_start_matches("00");
        if let Some(parsed) = parse_phone(&format!("+{rest}"), None) {
            return Some(parsed.national);
        }
        return Some(strip_country_code(rest).to_owned());
    }
    if let Some(parsed) = parse_phone(&digits, default_region).filter(|p| p.valid) {
        return Some(parsed.national);
    }
    Some(digits.trim_start_matches('0').to_owned()).filter(|d| !d.is_empty())
}

/// The national significant number of an E.164 number, without parsing it again: country calling codes are
/// prefix-free, so the first 1–3 digits that name a known code are the code.
pub fn national_of_e164(e164: &str) -> &str {
    strip_country_code(e164.trim_start_matches('+'))
}

/// Removes the country calling code from the digits of an international number (complete or partial).
fn strip_country_code(digits: &str) -> &str {
    for len in 1..=3 {
        if digits.len() > len
            && let Ok(code) = digits[..len].parse::<u16>()
            && phonenumber::metadata::DATABASE.by_code(&code).is_some()
        {
            return &digits[len..];
        }
    }
    digits
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn iran() -> Option<country::Id> {
        parse_region("IR")
    }

    #[rstest]
    #[case("0912 345 6789")]
    #[case("+98 912 345 6789")]
    #[case("۰۹۱۲۳۴۵۶۷۸۹")]
    #[case("٠٩١٢٣٤٥٦٧٨٩")]
    #[case("0098-912-345-6789")]
    #[case("(0912) 345-67-89")]
    fn iranian_mobile_in_any_format_is_one_number(#[case] typed: &str) {
        let parsed = parse_phone(typed, iran()).unwrap();
        assert_eq!(parsed.e164, "+989123456789");
        assert_eq!(parsed.national, "9123456789");
        assert!(parsed.valid);
    }

    #[rstest]
    #[case("TR", "0532 123 45 67", "+905321234567")]
    #[case("RU", "8 (916) 123-45-67", "+79161234567")]
    #[case("SA", "050 123 4567", "+966501234567")]
    #[case("AE", "050 123 4567", "+971501234567")]
    #[case("US", "(201) 555-0123", "+12015550123")]
    #[case("IR", "+44 20 7946 0958", "+442079460958")]
    fn local_formats_of_each_region(#[case] region: &str, #[case] typed: &str, #[case] e164: &str) {
        let parsed = parse_phone(typed, parse_region(region)).unwrap();
        assert_eq!(parsed.e164, e164);
    }

    #[rstest]
    #[case("abc")]
    #[case("12")]
    #[case("")]
    fn not_a_phone(#[case] typed: &str) {
        assert!(parse_phone(typed, iran()).is_none());
    }

    #[rstest]
    #[case("0912", "912")]
    #[case("+98912", "912")]
    #[case("0098 912 345", "912345")]
    #[case("۰۹۱۲۳", "9123")]
    #[case("345 67", "34567")]
    #[case("09123456789", "9123456789")]
    fn query_fragments(#[case] typed: &str, #[case] key: &str) {
        assert_eq!(phone_query_key(typed, iran()).as_deref(), Some(key));
    }

    #[test]
    fn national_number_of_e164_without_reparsing() {
        for (e164, national) in [
            ("+989123456789", "9123456789"),
            ("+12015550123", "2015550123"),
            ("+79161234567", "9161234567"),
            ("+905321234567", "5321234567"),
            ("+971501234567", "501234567"),
        ] {
            assert_eq!(national_of_e164(e164), national);
            assert_eq!(parse_phone(e164, None).unwrap().national, national);
        }
    }

    #[test]
    fn words_are_not_phone_queries() {
        assert_eq!(phone_query_key("ali", iran()), None);
        assert_eq!(phone_query_key("12", iran()), None);
    }
}
