//! Contact points shared by contacts and companies: emails, phones, postal addresses and messenger handles.
//! Each keeps what the user typed beside its normalised form.

use crate::email::normalize_email;
use crate::errors::{FieldErrors, clean_text};
use crate::phone::parse_phone;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn default_kind() -> String {
    "work".to_owned()
}

/// An email address as written by a client.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EmailInput {
    pub address: String,
    #[serde(default = "default_kind")]
    pub kind: String,
    #[serde(default)]
    pub primary: bool,
    #[serde(default)]
    pub opted_out: bool,
}

/// An email address as stored and returned.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq)]
pub struct Email {
    /// As typed (trimmed).
    pub address: String,
    /// Lower-cased, domain in punycode: what search and matching use.
    pub normalized: String,
    pub kind: String,
    pub primary: bool,
    pub opted_out: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PhoneInput {
    pub number: String,
    #[serde(default = "default_mobile")]
    pub kind: String,
    #[serde(default)]
    pub primary: bool,
    #[serde(default)]
    pub opted_out: bool,
}

fn default_mobile() -> String {
    "mobile".to_owned()
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq)]
pub struct Phone {
    /// As typed.
    pub number: String,
    /// E.164 form, e.g. `+989123456789`.
    pub e164: String,
    pub kind: String,
    pub primary: bool,
    /// Whether the number is a valid, assignable number for its country.
    pub valid: bool,
    pub opted_out: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[serde(default = "default_kind")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default)]
    pub primary: bool,
}

/// A messenger or social network handle (telegram, whatsapp, instagram, linkedin, …).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Handle {
    pub network: String,
    pub value: String,
}

/// Every contact point of one record, written together.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, PartialEq)]
pub struct ContactPoints {
    #[serde(default)]
    pub emails: Vec<Email>,
    #[serde(default)]
    pub phones: Vec<Phone>,
    #[serde(default)]
    pub addresses: Vec<Address>,
    #[serde(default)]
    pub handles: Vec<Handle>,
}

impl ContactPoints {
    /// The emails in their writable form (what the user typed), for applying a patch.
    pub fn email_inputs(&self) -> Vec<EmailInput> {
        self.emails
            .iter()
            .map(|e| EmailInput {
                address: e.address.clone(),
                kind: e.kind.clone(),
                primary: e.primary,
                opted_out: e.opted_out,
            })
            .collect()
    }

    /// The phones in their writable form (what the user typed), for applying a patch.
    pub fn phone_inputs(&self) -> Vec<PhoneInput> {
        self.phones
            .iter()
            .map(|p| PhoneInput {
                number: p.number.clone(),
                kind: p.kind.clone(),
                primary: p.primary,
                opted_out: p.opted_out,
            })
            .collect()
    }
}

const KINDS: &[&str] = &[
    "work", "home", "mobile", "personal", "fax", "billing", "shipping", "other",
];

fn check_kind(errors: &mut FieldErrors, field: &str, kind: &str) -> String {
    let kind = kind.trim().to_lowercase();
    if !KINDS.contains(&kind.as_str()) {
        errors.add(
            field,
            "invalid_kind",
            format!("must be one of {}", KINDS.join(", ")),
        );
    }
    kind
}

/// Makes exactly one entry primary when there is any: the first flagged one, or the first.
fn settle_primary<T>(items: &mut [T], flag: impl Fn(&mut T) -> &mut bool) {
    let first_primary = items.iter_mut().position(|i| *flag(i));
    for (i, item) in items.iter_mut().enumerate() {
        *flag(item) = Some(i) == first_primary.or(Some(0));
    }
}

pub fn validate_emails(errors: &mut FieldErrors, inputs: Vec<EmailInput>) -> Vec<Email> {
    let mut out: Vec<Email> = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.into_iter().enumerate() {
        let field = format!("emails[{i}]");
        let kind = check_kind(errors, &format!("{field}.kind"), &input.kind);
        match normalize_email(&input.address) {
            Ok(normalized) if out.iter().any(|e| e.normalized == normalized) => {
                errors.add(
                    format!("{field}.address"),
                    "duplicate",
                    "this email address is listed twice",
                );
            }
            Ok(normalized) => out.push(Email {
                address: input.address.trim().to_owned(),
                normalized,
                kind,
                primary: input.primary,
                opted_out: input.opted_out,
            }),
            Err(reason) => errors.add(format!("{field}.address"), "invalid_email", reason),
        }
    }
    settle_primary(&mut out, |e| &mut e.primary);
    out
}

pub fn validate_phones(
    errors: &mut FieldErrors,
    inputs: Vec<PhoneInput>,
    region: Option<phonenumber::country::Id>,
) -> Vec<Phone> {
    let mut out: Vec<Phone> = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.into_iter().enumerate() {
        let field = format!("phones[{i}]");
        let kind = check_kind(errors, &format!("{field}.kind"), &input.kind);
        match parse_phone(&input.number, region) {
            Some(parsed) if out.iter().any(|p| p.e164 == parsed.e164) => {
                errors.add(
                    format!("{field}.number"),
                    "duplicate",
                    "this phone number is listed twice",
                );
            }
            Some(parsed) => out.push(Phone {
                number: input.number.trim().to_owned(),
                e164: parsed.e164,
                kind,
                primary: input.primary,
                valid: parsed.valid,
                opted_out: input.opted_out,
            }),
            None => errors.add(
                format!("{field}.number"),
                "invalid_phone",
                "not a phone number: expected 4 to 17 digits, optionally with a + and country code",
            ),
        }
    }
    settle_primary(&mut out, |p| &mut p.primary);
    out
}

pub fn validate_addresses(errors: &mut FieldErrors, inputs: Vec<Address>) -> Vec<Address> {
    let mut out = Vec::with_capacity(inputs.len());
    for (i, a) in inputs.into_iter().enumerate() {
        let field = format!("addresses[{i}]");
        let kind = check_kind(errors, &format!("{field}.kind"), &a.kind);
        let country = clean_text(errors, &format!("{field}.country"), a.country, 2)
            .map(|c| c.to_ascii_uppercase());
        if let Some(c) = &country
            && (c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_alphabetic()))
        {
            errors.add(
                format!("{field}.country"),
                "invalid_country",
                "must be a 2-letter ISO 3166 country code",
            );
        }
        let address = Address {
            kind,
            street: clean_text(errors, &format!("{field}.street"), a.street, 500),
            city: clean_text(errors, &format!("{field}.city"), a.city, 200),
            region: clean_text(errors, &format!("{field}.region"), a.region, 200),
            postal_code: clean_text(errors, &format!("{field}.postal_code"), a.postal_code, 32),
            country,
            primary: a.primary,
        };
        out.push(address);
    }
    settle_primary(&mut out, |a| &mut a.primary);
    out
}

const NETWORKS: &[&str] = &[
    "telegram",
    "whatsapp",
    "instagram",
    "linkedin",
    "facebook",
    "x",
    "bale",
    "eitaa",
    "rubika",
    "vk",
    "skype",
    "website",
    "other",
];

pub fn validate_handles(errors: &mut FieldErrors, inputs: Vec<Handle>) -> Vec<Handle> {
    let mut out = Vec::with_capacity(inputs.len());
    for (i, h) in inputs.into_iter().enumerate() {
        let network = h.network.trim().to_lowercase();
        if !NETWORKS.contains(&network.as_str()) {
            errors.add(
                format!("handles[{i}].network"),
                "invalid_network",
                format!("must be one of {}", NETWORKS.join(", ")),
            );
        }
        match clean_text(errors, &format!("handles[{i}].value"), Some(h.value), 200) {
            Some(value) => out.push(Handle { network, value }),
            None => errors.add(
                format!("handles[{i}].value"),
                "required",
                "must not be empty",
            ),
        }
    }
    out
}

/// Tags: trimmed, de-duplicated by their search key, at most 64 characters each.
pub fn validate_tags(errors: &mut FieldErrors, inputs: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(inputs.len());
    for (i, tag) in inputs.into_iter().enumerate() {
        match clean_text(errors, &format!("tags[{i}]"), Some(tag), 64) {
            Some(t)
                if out.iter().any(|o| {
                    crate::normalize::search_key(o) == crate::normalize::search_key(&t)
                }) => {}
            Some(t) => out.push(t),
            None => errors.add(format!("tags[{i}]"), "required", "a tag must not be empty"),
        }
    }
    out
}
