//! How a row updates the contact it matched, and the keys rows are matched on.

use crate::AppError;
use serde_json::{Value, json};
use temas_core::contact::ContactInput;

/// The merge patch a row makes to the contact it matched: values in the row replace the contact's; emails,
/// phones, handles, tags and company links are added to the ones it has.
pub(super) fn update_patch(current: &Value, input: &ContactInput) -> Result<Value, AppError> {
    let mut patch = serde_json::Map::new();
    let fields = serde_json::to_value(input).map_err(|e| AppError::Internal(e.to_string()))?;
    if let Value::Object(fields) = fields {
        for (key, value) in fields {
            match (&value, key.as_str()) {
                (Value::Null, _) => {}
                (Value::Array(items), "emails" | "phones" | "handles" | "tags" | "companies") => {
                    if items.is_empty() {
                        continue;
                    }
                    let mut merged: Vec<Value> = current_list(current, &key);
                    for item in items {
                        let same = |v: &Value| same_entry(&key, v, item);
                        if !merged.iter().any(same) {
                            merged.push(item.clone());
                        }
                    }
                    patch.insert(key, Value::Array(merged));
                }
                (Value::Array(items), _) if items.is_empty() => {}
                (Value::Object(map), "custom") if map.is_empty() => {}
                _ => {
                    patch.insert(key, value);
                }
            }
        }
    }
    Ok(Value::Object(patch))
}

/// A key's fixed 64-bit hash (SipHash with fixed keys): two keys of one file collide with odds of about one in ten
/// million at two million keys, and a collision only reports a row as a duplicate that is not.
pub(super) fn key_hash(key: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

/// A contact's list field in its writable form (emails and phones as typed).
fn current_list(data: &Value, key: &str) -> Vec<Value> {
    let items = data
        .get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    match key {
        "emails" => items
            .into_iter()
            .map(|e| json!({"address": e["address"], "kind": e["kind"], "primary": e["primary"], "opted_out": e["opted_out"]}))
            .collect(),
        "phones" => items
            .into_iter()
            .map(|p| json!({"number": p["number"], "kind": p["kind"], "primary": p["primary"], "opted_out": p["opted_out"]}))
            .collect(),
        _ => items,
    }
}

/// Whether two entries of a list field are the same point: same email (any case), same phone digits, same tag,
/// same company.
fn same_entry(key: &str, a: &Value, b: &Value) -> bool {
    let text = |v: &Value, field: &str| {
        v.get(field)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    match key {
        "emails" => text(a, "address").eq_ignore_ascii_case(&text(b, "address")),
        "phones" => {
            let digits = |s: String| s.chars().filter(char::is_ascii_digit).collect::<String>();
            let (da, db) = (digits(text(a, "number")), digits(text(b, "number")));
            !da.is_empty() && (da.ends_with(&db) || db.ends_with(&da))
        }
        "companies" => text(a, "company_id") == text(b, "company_id"),
        "handles" => {
            text(a, "network") == text(b, "network") && text(a, "value") == text(b, "value")
        }
        _ => a == b,
    }
}
