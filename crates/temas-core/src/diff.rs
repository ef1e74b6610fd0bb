//! Field-level differences between two versions of a record, for the change history.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// One changed field: its path (`last_name`, `custom.tier`, `emails`) and its old and new values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FieldChange {
    pub field: String,
    #[schema(value_type = Object)]
    pub old: Value,
    #[schema(value_type = Object)]
    pub new: Value,
}

/// Compares two JSON objects. Nested objects are compared key by key (so `custom.tier` is its own change); arrays
/// and scalars as a whole. Absent and `null` are the same.
pub fn diff(old: &Value, new: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let empty = Map::new();
    diff_objects(
        "",
        old.as_object().unwrap_or(&empty),
        new.as_object().unwrap_or(&empty),
        &mut out,
    );
    out
}

fn diff_objects(
    prefix: &str,
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    out: &mut Vec<FieldChange>,
) {
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let a = old.get(key).unwrap_or(&Value::Null);
        let b = new.get(key).unwrap_or(&Value::Null);
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => diff_objects(&path, x, y, out),
            _ if a == b => {}
            _ => out.push(FieldChange {
                field: path,
                old: a.clone(),
                new: b.clone(),
            }),
        }
    }
}

/// Undoes changes on a record: each changed field gets its old value back (a `null` old value removes the field).
/// Applying the changes of every update, newest first, to the current record gives the record as it was created.
pub fn undo(record: &mut Value, changes: &[FieldChange]) {
    for change in changes {
        let path: Vec<&str> = change.field.split('.').collect();
        set_path(record, &path, &change.old);
    }
}

fn set_path(target: &mut Value, path: &[&str], value: &Value) {
    let Some(map) = target.as_object_mut() else {
        return;
    };
    match path {
        [] => {}
        [last] if value.is_null() => {
            map.remove(*last);
        }
        [last] => {
            map.insert((*last).to_owned(), value.clone());
        }
        [first, rest @ ..] => {
            let child = map
                .entry((*first).to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !child.is_object() {
                *child = Value::Object(Map::new());
            }
            set_path(child, rest, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_changed_added_and_removed_fields() {
        let old = json!({"first_name": "Ali", "job_title": "CEO", "custom": {"tier": "gold", "x": 1}, "tags": ["a"]});
        let new = json!({"first_name": "Ali", "last_name": "Rezaei", "custom": {"tier": "silver", "x": 1}, "tags": ["a"]});
        let changes = diff(&old, &new);
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, vec!["custom.tier", "job_title", "last_name"]);
        assert_eq!(changes[0].old, json!("gold"));
        assert_eq!(changes[2].new, json!("Rezaei"));
    }

    #[test]
    fn undoing_every_update_gives_back_the_created_record() {
        let created = json!({"first_name": "Ali", "custom": {"tier": "gold"}, "tags": ["a"]});
        let second = json!({"first_name": "Ali", "last_name": "R", "custom": {"tier": "silver"}, "tags": []});
        let third = json!({"first_name": "Reza", "last_name": "R", "custom": {}, "tags": []});
        let (d1, d2) = (diff(&created, &second), diff(&second, &third));
        let mut state = third.clone();
        undo(&mut state, &d2);
        assert_eq!(diff(&state, &second), vec![]);
        undo(&mut state, &d1);
        assert_eq!(diff(&state, &created), vec![]);
    }

    #[test]
    fn identical_records_have_no_changes() {
        let v = json!({"a": [1, 2], "b": {"c": null}});
        assert!(diff(&v, &v).is_empty());
    }
}
