//! Custom fields: definitions per workspace and entity, and validation of values against them on every write.

use crate::email::normalize_email;
use crate::errors::FieldErrors;
use crate::ids::CustomFieldId;
use crate::phone::parse_phone;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    LongText,
    Number,
    /// A decimal string in the currency's major unit, e.g. `"44.98"`.
    Money,
    Date,
    DateTime,
    Boolean,
    SingleSelect,
    MultiSelect,
    Url,
    Email,
    Phone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Contact,
    Company,
    Interaction,
    Product,
    Order,
    Pipeline,
    Deal,
    Lead,
    Task,
    Offer,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Contact => "contact",
            Entity::Company => "company",
            Entity::Interaction => "interaction",
            Entity::Product => "product",
            Entity::Order => "order",
            Entity::Pipeline => "pipeline",
            Entity::Deal => "deal",
            Entity::Lead => "lead",
            Entity::Task => "task",
            Entity::Offer => "offer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "contact" => Some(Entity::Contact),
            "company" => Some(Entity::Company),
            "interaction" => Some(Entity::Interaction),
            "product" => Some(Entity::Product),
            "order" => Some(Entity::Order),
            "pipeline" => Some(Entity::Pipeline),
            "deal" => Some(Entity::Deal),
            "lead" => Some(Entity::Lead),
            "task" => Some(Entity::Task),
            "offer" => Some(Entity::Offer),
            _ => None,
        }
    }
}

/// A custom field as defined by an administrator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CustomFieldDef {
    pub id: CustomFieldId,
    pub entity: Entity,
    /// The key under `custom` in records: lower-case letters, digits and underscores.
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// Allowed values for single and multi select.
    #[serde(default)]
    pub options: Vec<String>,
    pub position: i32,
    /// A retired field keeps its stored values but accepts no new ones.
    pub retired: bool,
}

/// Input for a new custom field definition.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCustomField {
    pub entity: Entity,
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub default: Option<Value>,
    #[serde(default)]
    pub options: Vec<String>,
}

/// A custom field key: starts with a-z, then a-z, 0-9 and `_`, at most 64 characters. Keys are spliced into JSON
/// paths and index names, so nothing else may pass.
pub fn is_valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 64
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl NewCustomField {
    /// Validates the definition itself and returns the stored form.
    pub fn validate(self, position: i32) -> Result<CustomFieldDef, FieldErrors> {
        let mut errors = FieldErrors::default();
        if !is_valid_key(&self.key) {
            errors.add(
                "key",
                "invalid_key",
                "must start with a-z and use only a-z, 0-9 and _ (at most 64)",
            );
        }
        if self.label.trim().is_empty() {
            errors.add("label", "required", "must not be empty");
        }
        let is_select = matches!(self.kind, FieldKind::SingleSelect | FieldKind::MultiSelect);
        if is_select && self.options.is_empty() {
            errors.add(
                "options",
                "required",
                "a select field needs at least one option",
            );
        }
        let def = CustomFieldDef {
            id: CustomFieldId::new(),
            entity: self.entity,
            key: self.key,
            label: self.label.trim().to_owned(),
            kind: self.kind,
            required: self.required,
            default: None,
            options: self.options,
            position,
            retired: false,
        };
        let default = match self.default {
            Some(v) if !v.is_null() => match check_value(&def, v) {
                Ok(v) => Some(v),
                Err(reason) => {
                    errors.add("default", "invalid_default", reason);
                    None
                }
            },
            _ => None,
        };
        errors.into_result(CustomFieldDef { default, ..def })
    }
}

/// Validates the `custom` object of a record against the definitions of its entity, fills defaults and reports
/// unknown keys, wrong types and missing required values. Values of retired fields already stored are kept.
pub fn validate_custom(
    defs: &[CustomFieldDef],
    values: Map<String, Value>,
    previous: Option<&Map<String, Value>>,
    region: Option<phonenumber::country::Id>,
) -> Result<Map<String, Value>, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut out = Map::new();
    for (key, value) in values {
        let field = format!("custom.{key}");
        let Some(def) = defs.iter().find(|d| d.key == key) else {
            errors.add(field, "unknown_field", "no custom field has this key");
            continue;
        };
        if value.is_null() {
            continue;
        }
        if def.retired {
            let unchanged = previous.and_then(|p| p.get(&key)) == Some(&value);
            if !unchanged {
                errors.add(
                    field,
                    "retired_field",
                    "this field is retired and accepts no new values",
                );
            }
            out.insert(key, value);
            continue;
        }
        match check_value_in_region(def, value, region) {
            Ok(v) => {
                out.insert(key, v);
            }
            Err(reason) => errors.add(field, "invalid_value", reason),
        }
    }
    for def in defs.iter().filter(|d| !d.retired) {
        if out.contains_key(&def.key) {
            continue;
        }
        if let Some(default) = &def.default {
            out.insert(def.key.clone(), default.clone());
        } else if def.required {
            errors.add(
                format!("custom.{}", def.key),
                "required",
                format!("{} is required", def.label),
            );
        }
    }
    errors.into_result(out)
}

fn check_value(def: &CustomFieldDef, value: Value) -> Result<Value, String> {
    check_value_in_region(def, value, None)
}

fn check_value_in_region(
    def: &CustomFieldDef,
    value: Value,
    region: Option<phonenumber::country::Id>,
) -> Result<Value, String> {
    let as_str = |v: &Value| v.as_str().map(str::trim).map(str::to_owned);
    match def.kind {
        FieldKind::Text | FieldKind::LongText => {
            let max = if def.kind == FieldKind::Text {
                1_000
            } else {
                100_000
            };
            let s = as_str(&value).ok_or("must be a string")?;
            if s.chars().count() > max {
                return Err(format!("must be at most {max} characters"));
            }
            Ok(Value::String(s))
        }
        FieldKind::Number => match &value {
            Value::Number(_) => Ok(value),
            Value::String(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| "must be a number".to_owned()),
            _ => Err("must be a number".to_owned()),
        },
        FieldKind::Money => {
            let s = match &value {
                Value::String(s) => s.trim().to_owned(),
                _ => return Err("must be a decimal string such as \"44.98\"".to_owned()),
            };
            let valid = !s.is_empty()
                && s.trim_start_matches('-').split('.').count() <= 2
                && s.trim_start_matches('-')
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.')
                && s.split('.')
                    .nth(1)
                    .is_none_or(|frac| frac.len() <= 4 && !frac.is_empty());
            if valid {
                Ok(Value::String(s))
            } else {
                Err("must be a decimal string such as \"44.98\"".to_owned())
            }
        }
        FieldKind::Date => {
            let s = as_str(&value).ok_or("must be a date YYYY-MM-DD")?;
            chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                .map_err(|_| "must be a date YYYY-MM-DD".to_owned())?;
            Ok(Value::String(s))
        }
        FieldKind::DateTime => {
            let s = as_str(&value).ok_or("must be an RFC 3339 date-time")?;
            let t = chrono::DateTime::parse_from_rfc3339(&s)
                .map_err(|_| "must be an RFC 3339 date-time".to_owned())?;
            Ok(Value::String(
                t.with_timezone(&chrono::Utc)
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ))
        }
        FieldKind::Boolean => match value {
            Value::Bool(_) => Ok(value),
            _ => Err("must be true or false".to_owned()),
        },
        FieldKind::SingleSelect => {
            let s = as_str(&value).ok_or("must be one of the options")?;
            if def.options.contains(&s) {
                Ok(Value::String(s))
            } else {
                Err(format!("must be one of: {}", def.options.join(", ")))
            }
        }
        FieldKind::MultiSelect => {
            let items = value.as_array().ok_or("must be a list of options")?;
            let mut out = Vec::new();
            for item in items {
                let s = as_str(item).ok_or("must be a list of options")?;
                if !def.options.contains(&s) {
                    return Err(format!("{s} is not one of: {}", def.options.join(", ")));
                }
                out.push(Value::String(s));
            }
            Ok(Value::Array(out))
        }
        FieldKind::Url => {
            let s = as_str(&value).ok_or("must be a URL")?;
            let ok = (s.starts_with("https://") || s.starts_with("http://"))
                && s.len() > 8
                && !s.contains(' ');
            if ok {
                Ok(Value::String(s))
            } else {
                Err("must be an http(s) URL".to_owned())
            }
        }
        FieldKind::Email => {
            let s = as_str(&value).ok_or("must be an email address")?;
            normalize_email(&s).map_err(str::to_owned)?;
            Ok(Value::String(s))
        }
        FieldKind::Phone => {
            let s = as_str(&value).ok_or("must be a phone number")?;
            let parsed = parse_phone(&s, region).ok_or("must be a phone number")?;
            Ok(Value::String(parsed.e164))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn def(key: &str, kind: FieldKind, required: bool, options: &[&str]) -> CustomFieldDef {
        CustomFieldDef {
            id: CustomFieldId::new(),
            entity: Entity::Contact,
            key: key.to_owned(),
            label: key.to_owned(),
            kind,
            required,
            default: None,
            options: options.iter().map(|s| s.to_string()).collect(),
            position: 0,
            retired: false,
        }
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn accepts_valid_values_of_every_kind() {
        let defs = vec![
            def("tier", FieldKind::SingleSelect, false, &["gold", "silver"]),
            def("score", FieldKind::Number, false, &[]),
            def("budget", FieldKind::Money, false, &[]),
            def("since", FieldKind::Date, false, &[]),
            def("vip", FieldKind::Boolean, false, &[]),
            def("site", FieldKind::Url, false, &[]),
            def("topics", FieldKind::MultiSelect, false, &["a", "b"]),
        ];
        let input = json!({"tier": "gold", "score": 4.5, "budget": "1200.50", "since": "2024-03-01",
            "vip": true, "site": "https://example.com", "topics": ["a"]});
        let out = validate_custom(&defs, obj(input.clone()), None, None).unwrap();
        assert_eq!(Value::Object(out), input);
    }

    #[test]
    fn reports_each_bad_field_by_name() {
        let defs = vec![
            def("tier", FieldKind::SingleSelect, false, &["gold"]),
            def("since", FieldKind::Date, true, &[]),
        ];
        let err = validate_custom(&defs, obj(json!({"tier": "bronze", "nope": 1})), None, None)
            .unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["custom.nope", "custom.tier", "custom.since"]);
    }

    #[test]
    fn money_is_a_decimal_string_never_a_float() {
        let defs = vec![def("budget", FieldKind::Money, false, &[])];
        assert!(validate_custom(&defs, obj(json!({"budget": 12.5})), None, None).is_err());
        assert!(validate_custom(&defs, obj(json!({"budget": "12.5.1"})), None, None).is_err());
        assert!(validate_custom(&defs, obj(json!({"budget": "-3.25"})), None, None).is_ok());
    }

    #[test]
    fn retired_fields_keep_their_values_but_take_no_new_ones() {
        let mut d = def("old", FieldKind::Text, false, &[]);
        d.retired = true;
        let previous = obj(json!({"old": "kept"}));
        assert!(
            validate_custom(
                &[d.clone()],
                obj(json!({"old": "kept"})),
                Some(&previous),
                None
            )
            .is_ok()
        );
        assert!(
            validate_custom(&[d], obj(json!({"old": "changed"})), Some(&previous), None).is_err()
        );
    }
}
