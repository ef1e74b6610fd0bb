//! List queries: filters on any field (custom fields included), sort order and keyset cursors.
//!
//! A filter is written `field:op:value`, e.g. `last_name:eq:Rezaei`, `custom.tier:eq:gold`,
//! `created_at:gte:2025-01-01`, `email:eq:ali@example.com`, `tag:eq:vip`, `phone:eq:0912 345 6789`.

use crate::email::normalize_email;
use crate::errors::FieldErrors;
use crate::normalize::search_key;
use crate::phone::parse_phone;
use base64::Engine;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Contains,
    StartsWith,
    Gt,
    Gte,
    Lt,
    Lte,
    /// The field has no value.
    Empty,
    /// The field has a value.
    NotEmpty,
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "contains" => Op::Contains,
            "starts" => Op::StartsWith,
            "gt" => Op::Gt,
            "gte" => Op::Gte,
            "lt" => Op::Lt,
            "lte" => Op::Lte,
            "empty" => Op::Empty,
            "notempty" => Op::NotEmpty,
            _ => return None,
        })
    }

    fn takes_value(self) -> bool {
        !matches!(self, Op::Empty | Op::NotEmpty)
    }
}

/// How a plain column is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    /// `YYYY-MM-DD`, compared as text.
    Date,
    /// An instant, stored as microseconds.
    Instant,
    Uuid,
    /// A whole number (counts, scores, amounts in minor units).
    Integer,
    /// Whole days from an instant column (see [`days_since_column`]) to now: a whole number in the filter, read
    /// as a range of that column.
    DaysSince,
}

/// What a filter applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterField {
    Column(&'static str, ColumnKind),
    /// Any of the record's emails (normalised).
    Email,
    /// Any of the record's phones (E.164).
    Phone,
    /// Any of the record's tags (by search key).
    Tag,
    /// A linked company (contacts only).
    Company,
    /// A custom field value, by key.
    Custom(String),
    /// The record's emails or phones that cannot be used: tested with `empty`/`notempty`.
    Unreachable(PointIssue),
}

/// Why an email or phone of a record cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointIssue {
    /// A phone that is not a valid, assignable number for its country (`invalid_phone`).
    InvalidPhone,
    /// An email whose owner opted out (`opted_out_email`).
    OptedOutEmail,
    /// A phone whose owner opted out (`opted_out_phone`).
    OptedOutPhone,
}

impl PointIssue {
    pub const ALL: [PointIssue; 3] = [
        PointIssue::InvalidPhone,
        PointIssue::OptedOutEmail,
        PointIssue::OptedOutPhone,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PointIssue::InvalidPhone => "invalid_phone",
            PointIssue::OptedOutEmail => "opted_out_email",
            PointIssue::OptedOutPhone => "opted_out_phone",
        }
    }

    /// The list in the record's data, the flag on each entry, and the flag's value that makes the issue.
    pub fn test(self) -> (&'static str, &'static str, bool) {
        match self {
            PointIssue::InvalidPhone => ("phones", "valid", false),
            PointIssue::OptedOutEmail => ("emails", "opted_out", true),
            PointIssue::OptedOutPhone => ("phones", "opted_out", true),
        }
    }
}

/// A comparison value, already normalised for its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterValue {
    None,
    Text(String),
    Int(i64),
    Uuid(Uuid),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub field: FilterField,
    pub op: Op,
    pub value: FilterValue,
}

/// Sort keys that have a keyset index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// The normalised display name.
    Name,
    CreatedAt,
    UpdatedAt,
    /// A whole-number column of the record's table that a type offers to sort by (a contact's metrics).
    Column(&'static str),
}

/// A contact's metrics the store keeps current as orders and interactions change: filterable and sortable like
/// their own fields. `total_spent_minor` is the spend in the workspace's currency, in its minor units, and
/// `spent_last_12_months_minor` the part of it spent over the last 12 months (the window moves once a day);
/// `average_order_value_minor` that spend over the purchases made in that currency (rounded to the minor unit);
/// `first_order_at` and `last_order_at` are 0 for a contact who never bought, `last_contact_at` (their latest live
/// interaction) 0 for one never in touch. `total_spent_converted_minor` is the spend in every currency, each
/// purchase converted into the workspace's currency at the rate of its day (purchases in a currency without a rate
/// for that day add nothing). `favourite_category` and `favourite_brand` are the product category and brand the
/// customer's converted spend adds up to most in (null when none): filtered on as text, not sorted by.
pub const CONTACT_METRICS: &[&str] = &[
    "orders_count",
    "total_spent_minor",
    "total_spent_converted_minor",
    "spent_last_12_months_minor",
    "average_order_value_minor",
    "first_order_at",
    "last_order_at",
    "last_contact_at",
    "favourite_category",
    "favourite_brand",
];

/// The instant column a `days_since_…` field counts from.
pub fn days_since_column(field: &str) -> Option<&'static str> {
    match field {
        "days_since_last_order" => Some("last_order_at"),
        "days_since_last_contact" => Some("last_contact_at"),
        _ => None,
    }
}

/// The instants, in microseconds, whose whole days before `now` (as a card counts them: 0 within the last 24
/// hours, and for a time ahead) compare to `days` by `op`. `None` when no instant does, or `op` is not one of the
/// comparisons a `days_since_…` field takes (`eq`, `gt`, `gte`, `lt`, `lte`).
pub fn days_since_range(op: Op, days: i64, now: i64) -> Option<InstantRange> {
    const DAY: i64 = 86_400_000_000;
    let ago = |n: i64| now.saturating_sub(n.saturating_mul(DAY));
    // At least `n` whole days: up to `n` days ago (any instant when `n` is 0 or less).
    let at_least = |n: i64| (n > 0).then(|| ago(n));
    // At most `n` whole days: after `n + 1` days ago (no instant when `n` is negative).
    let at_most = |n: i64| (n >= 0).then(|| ago(n.saturating_add(1)));
    let (after, up_to) = match op {
        Op::Gte => (None, at_least(days)),
        Op::Gt => (None, at_least(days.saturating_add(1))),
        Op::Lte => (Some(at_most(days)?), None),
        Op::Lt => (Some(at_most(days.saturating_sub(1))?), None),
        Op::Eq => (Some(at_most(days)?), at_least(days)),
        _ => return None,
    };
    Some(InstantRange { after, up_to })
}

/// The instants, in microseconds, that compare to `at` by `op` (`eq`, `gt`, `gte`, `lt`, `lte`) as one range;
/// `None` for another op.
pub fn instant_range(op: Op, at: i64) -> Option<InstantRange> {
    let (after, up_to) = match op {
        Op::Gt => (Some(at), None),
        Op::Gte => (Some(at.saturating_sub(1)), None),
        Op::Lt => (None, Some(at.saturating_sub(1))),
        Op::Lte => (None, Some(at)),
        Op::Eq => (Some(at.saturating_sub(1)), Some(at)),
        _ => return None,
    };
    Some(InstantRange { after, up_to })
}

/// A range of instants in microseconds: above `after` (when set) and up to `up_to` (when set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstantRange {
    pub after: Option<i64>,
    pub up_to: Option<i64>,
}

/// What contacts sort by beyond name and times: their metrics, and the RFM scores read from them (1 to 5, 0 for
/// a contact who never bought or before the first scoring; see [`crate::rfm`]).
pub const CONTACT_SORTS: &[&str] = &[
    "orders_count",
    "total_spent_minor",
    "total_spent_converted_minor",
    "spent_last_12_months_minor",
    "average_order_value_minor",
    "first_order_at",
    "last_order_at",
    "last_contact_at",
    "rfm_recency",
    "rfm_frequency",
    "rfm_monetary",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            key: SortKey::CreatedAt,
            descending: true,
        }
    }
}

impl Sort {
    pub fn parse(s: &str) -> Result<Sort, FieldErrors> {
        Sort::parse_with(s, &[])
    }

    /// Also accepts the type's own sortable columns, `extra`.
    pub fn parse_with(s: &str, extra: &[&'static str]) -> Result<Sort, FieldErrors> {
        let (descending, name) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let key = match name {
            "name" => SortKey::Name,
            "created_at" => SortKey::CreatedAt,
            "updated_at" => SortKey::UpdatedAt,
            other => match extra.iter().find(|c| **c == other) {
                Some(column) => SortKey::Column(column),
                None => {
                    let mut all = vec!["name", "created_at", "updated_at"];
                    all.extend(extra);
                    return Err(FieldErrors::single(
                        "sort",
                        "invalid_sort",
                        format!("sort by {}, with - for descending", all.join(", ")),
                    ));
                }
            },
        };
        Ok(Sort { key, descending })
    }
}

/// Where the previous page ended: the sort value and the id of its last row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "k")]
    pub key: CursorKey,
    pub id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CursorKey {
    Int(i64),
    Text(String),
}

impl Cursor {
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    pub fn decode(s: &str) -> Result<Cursor, FieldErrors> {
        let invalid = || {
            FieldErrors::single(
                "cursor",
                "invalid_cursor",
                "not a cursor returned by this list",
            )
        };
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| invalid())?;
        serde_json::from_slice(&bytes).map_err(|_| invalid())
    }
}

/// A parsed list request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListQuery {
    pub filters: Vec<Filter>,
    pub sort: Sort,
    pub limit: u32,
    pub cursor: Option<Cursor>,
    /// List the trash instead of live records.
    pub deleted: bool,
}

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

/// The plain columns of contacts that can be filtered.
pub const CONTACT_COLUMNS: &[(&str, ColumnKind)] = &[
    ("first_name", ColumnKind::Text),
    ("middle_name", ColumnKind::Text),
    ("last_name", ColumnKind::Text),
    ("display_name", ColumnKind::Text),
    ("salutation", ColumnKind::Text),
    ("gender", ColumnKind::Text),
    ("birth_date", ColumnKind::Date),
    ("job_title", ColumnKind::Text),
    ("language", ColumnKind::Text),
    ("time_zone", ColumnKind::Text),
    ("source", ColumnKind::Text),
    ("external_id", ColumnKind::Text),
    ("owner_id", ColumnKind::Uuid),
    ("team_id", ColumnKind::Uuid),
    ("created_at", ColumnKind::Instant),
    ("updated_at", ColumnKind::Instant),
    ("orders_count", ColumnKind::Integer),
    ("total_spent_minor", ColumnKind::Integer),
    ("total_spent_converted_minor", ColumnKind::Integer),
    ("spent_last_12_months_minor", ColumnKind::Integer),
    ("average_order_value_minor", ColumnKind::Integer),
    ("first_order_at", ColumnKind::Instant),
    ("last_order_at", ColumnKind::Instant),
    ("last_contact_at", ColumnKind::Instant),
    ("days_since_last_order", ColumnKind::DaysSince),
    ("days_since_last_contact", ColumnKind::DaysSince),
    ("favourite_category", ColumnKind::Text),
    ("favourite_brand", ColumnKind::Text),
    ("rfm_recency", ColumnKind::Integer),
    ("rfm_frequency", ColumnKind::Integer),
    ("rfm_monetary", ColumnKind::Integer),
];

pub const COMPANY_COLUMNS: &[(&str, ColumnKind)] = &[
    ("name", ColumnKind::Text),
    ("domain", ColumnKind::Text),
    ("industry", ColumnKind::Text),
    ("size", ColumnKind::Text),
    ("external_id", ColumnKind::Text),
    ("owner_id", ColumnKind::Uuid),
    ("team_id", ColumnKind::Uuid),
    ("created_at", ColumnKind::Instant),
    ("updated_at", ColumnKind::Instant),
];

pub const PRODUCT_COLUMNS: &[(&str, ColumnKind)] = &[
    ("name", ColumnKind::Text),
    ("sku", ColumnKind::Text),
    ("kind", ColumnKind::Text),
    ("category", ColumnKind::Text),
    ("brand", ColumnKind::Text),
    ("external_id", ColumnKind::Text),
    ("owner_id", ColumnKind::Uuid),
    ("team_id", ColumnKind::Uuid),
    ("created_at", ColumnKind::Instant),
    ("updated_at", ColumnKind::Instant),
];

pub const ORDER_COLUMNS: &[(&str, ColumnKind)] = &[
    ("status", ColumnKind::Text),
    ("currency", ColumnKind::Text),
    ("channel", ColumnKind::Text),
    ("invoice_number", ColumnKind::Text),
    ("external_id", ColumnKind::Text),
    ("contact_id", ColumnKind::Uuid),
    ("company_id", ColumnKind::Uuid),
    ("owner_id", ColumnKind::Uuid),
    ("team_id", ColumnKind::Uuid),
    ("created_at", ColumnKind::Instant),
    ("updated_at", ColumnKind::Instant),
];

/// A record type's filterable columns: its own, then those every record has.
macro_rules! columns {
    ($name:ident: $($column:expr),* $(,)?) => {
        pub const $name: &[(&str, ColumnKind)] = &[
            $($column,)*
            ("external_id", ColumnKind::Text),
            ("owner_id", ColumnKind::Uuid),
            ("team_id", ColumnKind::Uuid),
            ("created_at", ColumnKind::Instant),
            ("updated_at", ColumnKind::Instant),
        ];
    };
}

columns!(PIPELINE_COLUMNS: ("name", ColumnKind::Text));
columns!(DEAL_COLUMNS:
    ("name", ColumnKind::Text),
    ("pipeline_id", ColumnKind::Text),
    ("stage", ColumnKind::Text),
    ("status", ColumnKind::Text),
    ("currency", ColumnKind::Text),
    ("expected_close", ColumnKind::Date),
    ("company_id", ColumnKind::Uuid),
    // The deal's first contact.
    ("contact_id", ColumnKind::Uuid),
);
columns!(LEAD_COLUMNS:
    ("display_name", ColumnKind::Text),
    ("company_name", ColumnKind::Text),
    ("email", ColumnKind::Text),
    ("phone", ColumnKind::Text),
    ("language", ColumnKind::Text),
    ("territory", ColumnKind::Text),
    ("source", ColumnKind::Text),
    ("status", ColumnKind::Text),
);
columns!(TASK_COLUMNS:
    ("title", ColumnKind::Text),
    ("kind", ColumnKind::Text),
    ("status", ColumnKind::Text),
    ("due_at", ColumnKind::Text),
);
columns!(OFFER_COLUMNS:
    ("title", ColumnKind::Text),
    ("response", ColumnKind::Text),
    ("currency", ColumnKind::Text),
    ("contact_id", ColumnKind::Uuid),
    ("company_id", ColumnKind::Uuid),
);

pub const INTERACTION_COLUMNS: &[(&str, ColumnKind)] = &[
    ("channel", ColumnKind::Text),
    ("direction", ColumnKind::Text),
    ("outcome", ColumnKind::Text),
    ("owner_id", ColumnKind::Uuid),
    ("team_id", ColumnKind::Uuid),
    ("created_at", ColumnKind::Instant),
    ("updated_at", ColumnKind::Instant),
];

/// Resolves a field as filters name it: `language`, `custom.tier`, `email`, `tag`, …
fn resolve_field(
    name: &str,
    columns: &[(&'static str, ColumnKind)],
    has_companies: bool,
) -> Option<FilterField> {
    Some(match name {
        "email" => FilterField::Email,
        "phone" => FilterField::Phone,
        "tag" => FilterField::Tag,
        "company_id" if has_companies => FilterField::Company,
        issue if PointIssue::ALL.iter().any(|i| i.name() == issue) => {
            FilterField::Unreachable(PointIssue::ALL.into_iter().find(|i| i.name() == issue)?)
        }
        _ => match name.strip_prefix("custom.") {
            Some(key) if !key.is_empty() => FilterField::Custom(key.to_owned()),
            _ => columns
                .iter()
                .find(|(c, _)| *c == name)
                .map(|(c, kind)| FilterField::Column(c, *kind))?,
        },
    })
}

/// Fields that always have an index of their own: contact points, tags and company links through the term and
/// link tables, the timestamps through the list indexes.
const ALWAYS_INDEXED: &[&str] = &[
    "email",
    "phone",
    "tag",
    "company_id",
    "created_at",
    "updated_at",
];

/// The most fields one index combines.
pub const MAX_INDEX_FIELDS: usize = 3;

/// Checks an index an administrator asks for: one field, or up to three filtered together written
/// `gender,language` (plain columns or custom fields), and returns the fields resolved. The reason names what is
/// wrong.
pub fn indexable_fields(
    entry: &str,
    columns: &[(&'static str, ColumnKind)],
) -> Result<Vec<FilterField>, String> {
    let names: Vec<&str> = entry.split(',').map(str::trim).collect();
    if names.len() > MAX_INDEX_FIELDS {
        return Err(format!(
            "{entry}: an index combines at most {MAX_INDEX_FIELDS} fields"
        ));
    }
    let mut fields = Vec::with_capacity(names.len());
    for name in names {
        if ALWAYS_INDEXED.contains(&name) {
            return Err(format!("{name} is always indexed"));
        }
        let field = match resolve_field(name, columns, false) {
            Some(FilterField::Custom(key)) if !crate::custom::is_valid_key(&key) => {
                return Err(format!("{name}: custom field keys use only a-z, 0-9 and _"));
            }
            Some(field) => field,
            None => return Err(format!("{name} is not a field that can be filtered")),
        };
        if fields.contains(&field) {
            return Err(format!("{entry}: {name} appears twice"));
        }
        fields.push(field);
    }
    Ok(fields)
}

/// Parses one `field:op:value` filter for an entity with the given columns.
pub fn parse_filter(
    text: &str,
    columns: &[(&'static str, ColumnKind)],
    has_companies: bool,
    region: Option<phonenumber::country::Id>,
) -> Result<Filter, FieldErrors> {
    let bad = |msg: String| FieldErrors::single("filter", "invalid_filter", msg);
    let mut parts = text.splitn(3, ':');
    let name = parts.next().unwrap_or_default();
    let op_text = parts
        .next()
        .ok_or_else(|| bad(format!("{text}: expected field:op:value")))?;
    let op = Op::parse(op_text).ok_or_else(|| {
        bad(format!("{text}: unknown operator {op_text}; use eq, ne, contains, starts, gt, gte, lt, lte, empty, notempty"))
    })?;
    let raw = parts.next().unwrap_or_default();
    if op.takes_value() && raw.is_empty() {
        return Err(bad(format!("{text}: operator {op_text} needs a value")));
    }
    let field = resolve_field(name, columns, has_companies)
        .ok_or_else(|| bad(format!("{name} is not a field that can be filtered")))?;
    let set_like = matches!(
        field,
        FilterField::Email | FilterField::Phone | FilterField::Tag | FilterField::Company
    );
    if set_like && !matches!(op, Op::Eq | Op::Ne | Op::Empty | Op::NotEmpty) {
        return Err(bad(format!("{name} supports eq, ne, empty and notempty")));
    }
    if matches!(field, FilterField::Column(_, ColumnKind::DaysSince))
        && matches!(op, Op::Ne | Op::Contains | Op::StartsWith)
    {
        return Err(bad(format!(
            "{name} supports eq, gt, gte, lt, lte, empty and notempty"
        )));
    }
    if matches!(field, FilterField::Unreachable(_)) && !matches!(op, Op::Empty | Op::NotEmpty) {
        return Err(bad(format!("{name} supports empty and notempty")));
    }
    let value = if !op.takes_value() {
        FilterValue::None
    } else {
        match &field {
            FilterField::Email => {
                FilterValue::Text(normalize_email(raw).map_err(|r| bad(format!("{text}: {r}")))?)
            }
            FilterField::Phone => FilterValue::Text(
                parse_phone(raw, region)
                    .ok_or_else(|| bad(format!("{text}: not a phone number")))?
                    .e164,
            ),
            FilterField::Tag => FilterValue::Text(search_key(raw)),
            FilterField::Company | FilterField::Column(_, ColumnKind::Uuid) => FilterValue::Uuid(
                Uuid::parse_str(raw).map_err(|_| bad(format!("{text}: not an id")))?,
            ),
            FilterField::Column(_, ColumnKind::Instant) => {
                FilterValue::Int(parse_instant(raw).ok_or_else(|| {
                    bad(format!(
                        "{text}: expected a date YYYY-MM-DD or an RFC 3339 date-time"
                    ))
                })?)
            }
            FilterField::Column(_, ColumnKind::Date) => {
                chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                    .map_err(|_| bad(format!("{text}: expected a date YYYY-MM-DD")))?;
                FilterValue::Text(raw.to_owned())
            }
            FilterField::Column(_, ColumnKind::Integer | ColumnKind::DaysSince) => {
                FilterValue::Int(
                    raw.trim()
                        .parse::<i64>()
                        .map_err(|_| bad(format!("{text}: expected a whole number")))?,
                )
            }
            FilterField::Column(_, ColumnKind::Text) | FilterField::Custom(_) => {
                FilterValue::Text(raw.to_owned())
            }
            // Takes no value (checked above).
            FilterField::Unreachable(_) => FilterValue::None,
        }
    };
    Ok(Filter { field, op, value })
}

fn parse_instant(raw: &str) -> Option<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Some(t.timestamp_micros());
    }
    let d = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_micros())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::parse_region;

    fn parse(s: &str) -> Result<Filter, FieldErrors> {
        parse_filter(s, CONTACT_COLUMNS, true, parse_region("IR"))
    }

    #[test]
    fn unusable_emails_and_phones_are_filtered_by_empty_and_notempty() {
        assert_eq!(
            parse("invalid_phone:notempty").map(|f| f.field),
            Ok(FilterField::Unreachable(PointIssue::InvalidPhone))
        );
        assert_eq!(parse("opted_out_email:empty").map(|f| f.op), Ok(Op::Empty));
        assert!(parse("opted_out_phone:eq:x").is_err());
    }

    #[test]
    fn indexable_fields_are_columns_and_custom_fields() {
        assert_eq!(
            indexable_fields("language", CONTACT_COLUMNS),
            Ok(vec![FilterField::Column("language", ColumnKind::Text)])
        );
        assert_eq!(
            indexable_fields("gender, custom.tier", CONTACT_COLUMNS),
            Ok(vec![
                FilterField::Column("gender", ColumnKind::Text),
                FilterField::Custom("tier".into())
            ])
        );
        for already in ["email", "tag", "created_at"] {
            assert!(
                indexable_fields(already, CONTACT_COLUMNS)
                    .unwrap_err()
                    .contains("always indexed")
            );
        }
        assert!(indexable_fields("custom.Tier-1", CONTACT_COLUMNS).is_err());
        assert!(
            indexable_fields("language,language", CONTACT_COLUMNS)
                .unwrap_err()
                .contains("twice")
        );
        assert!(
            indexable_fields("gender,language,source,job_title", CONTACT_COLUMNS)
                .unwrap_err()
                .contains("at most 3")
        );
        assert!(
            indexable_fields("shoe_size", CONTACT_COLUMNS)
                .unwrap_err()
                .contains("not a field")
        );
    }

    #[test]
    fn parses_columns_custom_fields_and_contact_points() {
        assert_eq!(
            parse("last_name:eq:Rezaei").unwrap().field,
            FilterField::Column("last_name", ColumnKind::Text)
        );
        assert_eq!(
            parse("custom.tier:eq:gold").unwrap().field,
            FilterField::Custom("tier".into())
        );
        assert_eq!(
            parse("email:eq:Ali@Example.com").unwrap().value,
            FilterValue::Text("ali@example.com".into())
        );
        assert_eq!(
            parse("phone:eq:۰۹۱۲۳۴۵۶۷۸۹").unwrap().value,
            FilterValue::Text("+989123456789".into())
        );
        assert_eq!(parse("job_title:empty").unwrap().value, FilterValue::None);
        assert!(matches!(
            parse("created_at:gte:2025-01-01").unwrap().value,
            FilterValue::Int(_)
        ));
        assert_eq!(parse("note:eq:x:y").unwrap_err().0[0].field, "filter");
    }

    #[test]
    fn values_may_contain_colons() {
        assert_eq!(
            parse("source:eq:web:form").unwrap().value,
            FilterValue::Text("web:form".into())
        );
    }

    #[test]
    fn rejects_bad_filters_with_reasons() {
        for bad in [
            "nope:eq:1",
            "last_name:like:x",
            "last_name:eq:",
            "email:contains:x",
            "created_at:gt:yesterday",
        ] {
            assert!(parse(bad).is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn instant_comparisons_are_ranges() {
        let range = |after, up_to| Some(InstantRange { after, up_to });
        for (op, expected) in [
            (Op::Gt, range(Some(100), None)),
            (Op::Gte, range(Some(99), None)),
            (Op::Lt, range(None, Some(99))),
            (Op::Lte, range(None, Some(100))),
            (Op::Eq, range(Some(99), Some(100))),
            (Op::Ne, None),
            (Op::Empty, None),
        ] {
            assert_eq!(instant_range(op, 100), expected, "{op:?}");
        }
        assert_eq!(
            instant_range(Op::Gte, i64::MIN),
            range(Some(i64::MIN), None)
        );
    }

    #[test]
    fn days_since_fields_take_whole_days_and_comparisons() {
        assert_eq!(
            parse("days_since_last_order:gt:90").map(|f| (f.field, f.value)),
            Ok((
                FilterField::Column("days_since_last_order", ColumnKind::DaysSince),
                FilterValue::Int(90)
            ))
        );
        assert_eq!(
            days_since_column("days_since_last_contact"),
            Some("last_contact_at")
        );
        assert!(parse("days_since_last_contact:empty").is_ok());
        for bad in [
            "days_since_last_order:ne:3",
            "days_since_last_order:contains:3",
            "days_since_last_order:gt:soon",
        ] {
            assert!(parse(bad).is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn days_since_reads_as_a_range_of_instants() {
        const DAY: i64 = 86_400_000_000;
        let now = 1_000 * DAY + 7;
        let range = |after: Option<i64>, up_to: Option<i64>| Some(InstantRange { after, up_to });
        let cases = [
            // 10 or more whole days ago: up to exactly 10 days back.
            (Op::Gte, 10, range(None, Some(now - 10 * DAY))),
            (Op::Gt, 10, range(None, Some(now - 11 * DAY))),
            // 10 or fewer: anything after 11 days back, a time ahead included.
            (Op::Lte, 10, range(Some(now - 11 * DAY), None)),
            (Op::Lt, 10, range(Some(now - 10 * DAY), None)),
            (
                Op::Eq,
                10,
                range(Some(now - 11 * DAY), Some(now - 10 * DAY)),
            ),
            // 0 days is the last 24 hours.
            (Op::Eq, 0, range(Some(now - DAY), None)),
            (Op::Gte, 0, range(None, None)),
            (Op::Gt, -5, range(None, None)),
            (Op::Lt, 0, None),
            (Op::Eq, -1, None),
            (Op::Ne, 3, None),
            (Op::Gte, i64::MAX, range(None, Some(now - i64::MAX))),
        ];
        for (op, days, expected) in cases {
            assert_eq!(days_since_range(op, days, now), expected, "{op:?} {days}");
        }
        // The bounds agree with how a card counts days.
        let days_of = |t: i64| (now - t).div_euclid(DAY).max(0);
        for t in [
            now - 11 * DAY,
            now - 11 * DAY + 1,
            now - 10 * DAY,
            now - 10 * DAY + 1,
            now + DAY,
        ] {
            for op in [Op::Gte, Op::Gt, Op::Lte, Op::Lt, Op::Eq] {
                let held = match op {
                    Op::Gte => days_of(t) >= 10,
                    Op::Gt => days_of(t) > 10,
                    Op::Lte => days_of(t) <= 10,
                    Op::Lt => days_of(t) < 10,
                    _ => days_of(t) == 10,
                };
                let r = days_since_range(op, 10, now);
                let inside = r.is_some_and(|r| {
                    r.after.is_none_or(|a| t > a) && r.up_to.is_none_or(|u| t <= u)
                });
                assert_eq!(inside, held, "{op:?} at {t}");
            }
        }
    }

    #[test]
    fn cursor_round_trip_and_garbage() {
        let c = Cursor {
            key: CursorKey::Text("ali".into()),
            id: Uuid::now_v7(),
        };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        assert!(Cursor::decode("garbage!").is_err());
    }

    #[test]
    fn sort_parsing() {
        assert_eq!(
            Sort::parse("-name").unwrap(),
            Sort {
                key: SortKey::Name,
                descending: true
            }
        );
        assert!(Sort::parse("email").is_err());
    }
}
