//! Email addresses: trimmed, checked, lower-cased, international domains converted to punycode.

/// Returns the normalised form of an email address, or the reason it is not one.
pub fn normalize_email(text: &str) -> Result<String, &'static str> {
    let trimmed = text.trim();
    if trimmed.chars().any(char::is_whitespace) {
        return Err("an email address cannot contain spaces");
    }
    let (local, domain) = trimmed
        .rsplit_once('@')
        .ok_or("an email address needs an @")?;
    if local.is_empty() || local.len() > 64 || local.contains('@') {
        return Err("the part before @ is missing or invalid");
    }
    if domain.is_empty()
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
    {
        return Err("the domain after @ is missing or invalid");
    }
    let ascii_domain = idna::domain_to_ascii(domain)
        .map_err(|_| "the domain after @ is not a valid domain name")?;
    Ok(format!("{}@{}", local.to_lowercase(), ascii_domain))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("  Ali.Rezaei@Example.COM ", "ali.rezaei@example.com")]
    #[case("user@münchen.de", "user@xn--mnchen-3ya.de")]
    #[case("ivan@пример.рф", "ivan@xn--e1afmkfd.xn--p1ai")]
    fn normalises(#[case] typed: &str, #[case] expected: &str) {
        assert_eq!(normalize_email(typed).unwrap(), expected);
    }

    #[rstest]
    #[case("no-at-sign")]
    #[case("@example.com")]
    #[case("user@")]
    #[case("user@localhost")]
    #[case("two words@example.com")]
    fn rejects(#[case] typed: &str) {
        assert!(normalize_email(typed).is_err());
    }
}
