//! Contacts (people) and companies: what a client writes, what is validated, what is stored and read back.

use crate::custom::{CustomFieldDef, validate_custom};
use crate::errors::{FieldErrors, clean_text};
use crate::ids::{CompanyId, ContactId, TeamId, UserId};
use crate::points::{
    Address, ContactPoints, EmailInput, Handle, PhoneInput, validate_addresses, validate_emails,
    validate_handles, validate_phones, validate_tags,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// What a workspace contributes to validation: its default phone region and its custom field definitions.
#[derive(Debug, Clone, Default)]
pub struct ValidationContext {
    pub region: Option<phonenumber::country::Id>,
    pub custom_fields: Vec<CustomFieldDef>,
    /// The workspace's pipelines, oldest first (loaded for deals only).
    pub pipelines: Vec<(crate::ids::PipelineId, crate::pipeline::PipelineData)>,
}

impl ValidationContext {
    /// A record's custom field values checked against the workspace's definitions; the errors go to `errors`
    /// (and the values are dropped) when any is wrong.
    pub fn custom_values(
        &self,
        errors: &mut FieldErrors,
        values: Map<String, Value>,
        previous: Option<&Map<String, Value>>,
    ) -> Map<String, Value> {
        validate_custom(&self.custom_fields, values, previous, self.region).unwrap_or_else(|e| {
            errors.0.extend(e.0);
            Map::new()
        })
    }
}

/// A person's role in a company's buying decisions.
pub const ROLES: &[&str] = &[
    "decision_maker",
    "influencer",
    "champion",
    "user",
    "billing",
    "technical",
    "gatekeeper",
    "employee",
    "other",
];

/// A contact↔company link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyLink {
    pub company_id: CompanyId,
    #[serde(default = "default_role")]
    pub role: String,
}

fn default_role() -> String {
    "employee".to_owned()
}

/// A contact as a client writes it (POST, PUT-like bulk upsert, and PATCH after merge-patching).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    /// Defaults to the first, middle and last names joined, else the primary email or phone.
    pub display_name: Option<String>,
    pub salutation: Option<String>,
    /// `female`, `male`, `other` or `unknown`.
    pub gender: Option<String>,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    pub job_title: Option<String>,
    /// Preferred language, an ISO 639-1 code such as `fa`.
    pub language: Option<String>,
    /// IANA time zone such as `Asia/Tehran`.
    pub time_zone: Option<String>,
    pub notes: Option<String>,
    pub source: Option<String>,
    /// The record's id in another system; unique within the workspace.
    pub external_id: Option<String>,
    #[serde(default)]
    pub emails: Vec<EmailInput>,
    #[serde(default)]
    pub phones: Vec<PhoneInput>,
    #[serde(default)]
    pub addresses: Vec<Address>,
    #[serde(default)]
    pub handles: Vec<Handle>,
    #[serde(default)]
    pub companies: Vec<CompanyLink>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    pub owner_id: Option<UserId>,
}

/// The validated data of a contact: everything a client controls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ContactData {
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: String,
    pub salutation: Option<String>,
    pub gender: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub job_title: Option<String>,
    pub language: Option<String>,
    pub time_zone: Option<String>,
    pub notes: Option<String>,
    pub source: Option<String>,
    pub external_id: Option<String>,
    #[serde(flatten)]
    pub points: ContactPoints,
    pub companies: Vec<CompanyLink>,
    pub tags: Vec<String>,
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    pub owner_id: Option<UserId>,
}

/// Who owns a record and when it was made and changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RecordMeta {
    pub team_id: Option<TeamId>,
    pub created_by: Option<UserId>,
    pub updated_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set while the record is in the trash.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A stored contact as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Contact {
    pub id: ContactId,
    /// Increases by one on every change; send it back in `If-Match` to avoid overwriting someone else's edit.
    pub version: i64,
    #[serde(flatten)]
    pub data: ContactData,
    #[serde(flatten)]
    pub meta: RecordMeta,
    /// The customer's numbers from their orders, on a contact read by itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<crate::metrics::CustomerMetrics>,
}

/// The genders a contact may have.
pub const GENDERS: &[&str] = &["female", "male", "other", "unknown"];

/// Checks a two-letter ISO 639-1 language code.
fn check_language(errors: &mut FieldErrors, field: &str, value: Option<String>) -> Option<String> {
    let value = clean_text(errors, field, value, 8)?.to_lowercase();
    if value.len() != 2 || !value.chars().all(|c| c.is_ascii_lowercase()) {
        errors.add(
            field,
            "invalid_language",
            "must be a 2-letter ISO 639-1 code such as fa, ar, ru, tr or en",
        );
    }
    Some(value)
}

/// Checks an IANA time zone name.
pub fn check_time_zone(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<String>,
) -> Option<String> {
    let value = clean_text(errors, field, value, 64)?;
    if value.parse::<chrono_tz::Tz>().is_err() {
        errors.add(
            field,
            "invalid_time_zone",
            "must be an IANA time zone such as Asia/Tehran",
        );
    }
    Some(value)
}

fn check_external_id(errors: &mut FieldErrors, value: Option<String>) -> Option<String> {
    clean_text(errors, "external_id", value, 200)
}

impl ContactInput {
    /// Validates and normalises the input. `previous_custom` lets retired custom fields keep their stored values.
    pub fn validate(
        self,
        ctx: &ValidationContext,
        previous_custom: Option<&Map<String, Value>>,
    ) -> Result<ContactData, FieldErrors> {
        let mut errors = FieldErrors::default();
        let first_name = clean_text(&mut errors, "first_name", self.first_name, 200);
        let middle_name = clean_text(&mut errors, "middle_name", self.middle_name, 200);
        let last_name = clean_text(&mut errors, "last_name", self.last_name, 200);
        let gender = clean_text(&mut errors, "gender", self.gender, 16).map(|g| g.to_lowercase());
        if let Some(g) = &gender
            && !GENDERS.contains(&g.as_str())
        {
            errors.add(
                "gender",
                "invalid_gender",
                format!("must be one of {}", GENDERS.join(", ")),
            );
        }
        let birth_date = match clean_text(&mut errors, "birth_date", self.birth_date, 10) {
            Some(s) => match NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
                Ok(d) if d > Utc::now().date_naive() => {
                    errors.add(
                        "birth_date",
                        "in_future",
                        "a birth date cannot be in the future",
                    );
                    None
                }
                Ok(d) => Some(d),
                Err(_) => {
                    errors.add("birth_date", "invalid_date", "must be a date YYYY-MM-DD");
                    None
                }
            },
            None => None,
        };
        let points = ContactPoints {
            emails: validate_emails(&mut errors, self.emails),
            phones: validate_phones(&mut errors, self.phones, ctx.region),
            addresses: validate_addresses(&mut errors, self.addresses),
            handles: validate_handles(&mut errors, self.handles),
        };
        let mut companies: Vec<CompanyLink> = Vec::with_capacity(self.companies.len());
        for (i, link) in self.companies.into_iter().enumerate() {
            let role = link.role.trim().to_lowercase();
            if !ROLES.contains(&role.as_str()) {
                errors.add(
                    format!("companies[{i}].role"),
                    "invalid_role",
                    format!("must be one of {}", ROLES.join(", ")),
                );
            }
            if companies.iter().any(|c| c.company_id == link.company_id) {
                errors.add(
                    format!("companies[{i}].company_id"),
                    "duplicate",
                    "this company is linked twice",
                );
                continue;
            }
            companies.push(CompanyLink {
                company_id: link.company_id,
                role,
            });
        }
        let display_name = clean_text(&mut errors, "display_name", self.display_name, 300)
            .or_else(|| {
                let parts: Vec<&str> = [&first_name, &middle_name, &last_name]
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                (!parts.is_empty()).then(|| parts.join(" "))
            })
            .or_else(|| points.emails.first().map(|e| e.address.clone()))
            .or_else(|| points.phones.first().map(|p| p.e164.clone()))
            .unwrap_or_default();
        if display_name.is_empty() {
            errors.add(
                "display_name",
                "required",
                "a contact needs a name, an email address or a phone number",
            );
        }
        let custom = ctx.custom_values(&mut errors, self.custom, previous_custom);
        let data = ContactData {
            first_name,
            middle_name,
            last_name,
            display_name,
            salutation: clean_text(&mut errors, "salutation", self.salutation, 50),
            gender,
            birth_date,
            job_title: clean_text(&mut errors, "job_title", self.job_title, 200),
            language: check_language(&mut errors, "language", self.language),
            time_zone: check_time_zone(&mut errors, "time_zone", self.time_zone),
            notes: clean_text(&mut errors, "notes", self.notes, 100_000),
            source: clean_text(&mut errors, "source", self.source, 100),
            external_id: check_external_id(&mut errors, self.external_id),
            tags: validate_tags(&mut errors, self.tags),
            points,
            companies,
            custom,
            owner_id: self.owner_id,
        };
        errors.into_result(data)
    }
}

impl ContactData {
    /// The writable form of this data, for applying a merge patch.
    pub fn to_input(&self) -> ContactInput {
        ContactInput {
            first_name: self.first_name.clone(),
            middle_name: self.middle_name.clone(),
            last_name: self.last_name.clone(),
            display_name: Some(self.display_name.clone()),
            salutation: self.salutation.clone(),
            gender: self.gender.clone(),
            birth_date: self.birth_date.map(|d| d.format("%Y-%m-%d").to_string()),
            job_title: self.job_title.clone(),
            language: self.language.clone(),
            time_zone: self.time_zone.clone(),
            notes: self.notes.clone(),
            source: self.source.clone(),
            external_id: self.external_id.clone(),
            emails: self.points.email_inputs(),
            phones: self.points.phone_inputs(),
            addresses: self.points.addresses.clone(),
            handles: self.points.handles.clone(),
            companies: self.companies.clone(),
            tags: self.tags.clone(),
            custom: self.custom.clone(),
            owner_id: self.owner_id,
        }
    }
}

/// A company as a client writes it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyInput {
    pub name: Option<String>,
    /// Web domain such as `example.com`.
    pub domain: Option<String>,
    pub industry: Option<String>,
    /// Head-count band: `1-10`, `11-50`, `51-200`, `201-1000`, `1001-5000` or `5000+`.
    pub size: Option<String>,
    pub notes: Option<String>,
    pub external_id: Option<String>,
    #[serde(default)]
    pub emails: Vec<EmailInput>,
    #[serde(default)]
    pub phones: Vec<PhoneInput>,
    #[serde(default)]
    pub addresses: Vec<Address>,
    #[serde(default)]
    pub handles: Vec<Handle>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    pub owner_id: Option<UserId>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CompanyData {
    pub name: String,
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub size: Option<String>,
    pub notes: Option<String>,
    pub external_id: Option<String>,
    #[serde(flatten)]
    pub points: ContactPoints,
    pub tags: Vec<String>,
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    pub owner_id: Option<UserId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Company {
    pub id: CompanyId,
    pub version: i64,
    #[serde(flatten)]
    pub data: CompanyData,
    #[serde(flatten)]
    pub meta: RecordMeta,
}

/// The head-count bands a company may have.
pub const SIZES: &[&str] = &["1-10", "11-50", "51-200", "201-1000", "1001-5000", "5000+"];

/// Normalises a web domain: lower case, no scheme, no `www.`, no path, punycode.
pub fn normalize_domain(text: &str) -> Result<String, &'static str> {
    let t = text.trim().to_lowercase();
    let t = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .unwrap_or(&t);
    let t = t.split('/').next().unwrap_or_default();
    let t = t.strip_prefix("www.").unwrap_or(t);
    if !t.contains('.') || t.starts_with('.') || t.ends_with('.') || t.contains(' ') {
        return Err("must be a domain such as example.com");
    }
    idna::domain_to_ascii(t).map_err(|_| "must be a domain such as example.com")
}

impl CompanyInput {
    pub fn validate(
        self,
        ctx: &ValidationContext,
        previous_custom: Option<&Map<String, Value>>,
    ) -> Result<CompanyData, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = clean_text(&mut errors, "name", self.name, 300).unwrap_or_default();
        if name.is_empty() {
            errors.add("name", "required", "a company needs a name");
        }
        let domain =
            clean_text(&mut errors, "domain", self.domain, 253).and_then(
                |d| match normalize_domain(&d) {
                    Ok(d) => Some(d),
                    Err(reason) => {
                        errors.add("domain", "invalid_domain", reason);
                        None
                    }
                },
            );
        let size = clean_text(&mut errors, "size", self.size, 16);
        if let Some(s) = &size
            && !SIZES.contains(&s.as_str())
        {
            errors.add(
                "size",
                "invalid_size",
                format!("must be one of {}", SIZES.join(", ")),
            );
        }
        let points = ContactPoints {
            emails: validate_emails(&mut errors, self.emails),
            phones: validate_phones(&mut errors, self.phones, ctx.region),
            addresses: validate_addresses(&mut errors, self.addresses),
            handles: validate_handles(&mut errors, self.handles),
        };
        let custom = ctx.custom_values(&mut errors, self.custom, previous_custom);
        let data = CompanyData {
            name,
            domain,
            industry: clean_text(&mut errors, "industry", self.industry, 100),
            size,
            notes: clean_text(&mut errors, "notes", self.notes, 100_000),
            external_id: check_external_id(&mut errors, self.external_id),
            tags: validate_tags(&mut errors, self.tags),
            points,
            custom,
            owner_id: self.owner_id,
        };
        errors.into_result(data)
    }
}

impl CompanyData {
    pub fn to_input(&self) -> CompanyInput {
        CompanyInput {
            name: Some(self.name.clone()),
            domain: self.domain.clone(),
            industry: self.industry.clone(),
            size: self.size.clone(),
            notes: self.notes.clone(),
            external_id: self.external_id.clone(),
            emails: self.points.email_inputs(),
            phones: self.points.phone_inputs(),
            addresses: self.points.addresses.clone(),
            handles: self.points.handles.clone(),
            tags: self.tags.clone(),
            custom: self.custom.clone(),
            owner_id: self.owner_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::parse_region;
    use serde_json::json;

    fn ctx() -> ValidationContext {
        ValidationContext {
            region: parse_region("IR"),
            custom_fields: vec![],
            ..ValidationContext::default()
        }
    }

    fn input(v: Value) -> ContactInput {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn display_name_defaults_to_the_name_parts() {
        let data = input(json!({"first_name": " Ali ", "last_name": "Rezaei"}))
            .validate(&ctx(), None)
            .unwrap();
        assert_eq!(data.display_name, "Ali Rezaei");
        assert_eq!(data.first_name.as_deref(), Some("Ali"));
    }

    #[test]
    fn phones_keep_what_was_typed_beside_e164() {
        let data = input(json!({"phones": [{"number": "۰۹۱۲ ۳۴۵ ۶۷۸۹"}]}))
            .validate(&ctx(), None)
            .unwrap();
        assert_eq!(data.points.phones[0].number, "۰۹۱۲ ۳۴۵ ۶۷۸۹");
        assert_eq!(data.points.phones[0].e164, "+989123456789");
        assert!(data.points.phones[0].primary);
        assert_eq!(data.display_name, "+989123456789");
    }

    #[test]
    fn every_bad_field_is_named() {
        let err = input(json!({
            "emails": [{"address": "nope"}], "phones": [{"number": "x"}], "birth_date": "1990-13-01",
            "gender": "robot", "language": "persian", "time_zone": "Mars/Base"
        }))
        .validate(&ctx(), None)
        .unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "emails[0].address",
            "phones[0].number",
            "birth_date",
            "gender",
            "language",
            "time_zone",
            "display_name",
        ] {
            assert!(fields.contains(&f), "{f} missing in {fields:?}");
        }
    }

    #[test]
    fn only_one_primary_email() {
        let data = input(json!({"first_name": "A", "emails": [
            {"address": "a@x.com"}, {"address": "b@x.com", "primary": true}, {"address": "c@x.com", "primary": true}]}))
        .validate(&ctx(), None)
        .unwrap();
        let primaries: Vec<bool> = data.points.emails.iter().map(|e| e.primary).collect();
        assert_eq!(primaries, vec![false, true, false]);
    }

    #[test]
    fn round_trips_through_input() {
        let data = input(json!({"first_name": "Zeynep", "emails": [{"address": "Z@Example.com"}], "tags": ["vip"],
            "phones": [{"number": "0532 123 45 67", "kind": "work"}], "birth_date": "1990-02-03"}))
        .validate(&ValidationContext { region: parse_region("TR"), ..ValidationContext::default() }, None)
        .unwrap();
        let again = data
            .to_input()
            .validate(
                &ValidationContext {
                    region: parse_region("TR"),
                    custom_fields: vec![],
                    ..ValidationContext::default()
                },
                None,
            )
            .unwrap();
        assert_eq!(data, again);
    }

    #[test]
    fn company_domain_is_normalised() {
        assert_eq!(
            normalize_domain("https://www.Example.com/about").unwrap(),
            "example.com"
        );
        assert!(normalize_domain("not a domain").is_err());
    }
}
