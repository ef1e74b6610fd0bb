//! Merging duplicate records into one, and taking a merge back.
//!
//! Both work on the stored JSON form of a contact's or company's data, so one set of rules serves both. A merge
//! keeps everything: every email, phone, address, handle, tag and company link of every record, the notes of all
//! of them, and for each single-valued field the value a rule (or the user) picks. Undoing is a three-way merge
//! between the survivor before the merge, right after it, and now: what the merge put in is taken out and what it
//! replaced comes back, while anything changed since the merge is kept as it is now and reported.

use crate::errors::FieldErrors;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// How the surviving value of each single-valued field is chosen when the user does not choose it by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// From the record filled in most completely, then the next.
    #[default]
    MostComplete,
    /// From the record changed most recently, then the next.
    MostRecent,
}

/// One of the records being merged.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    pub data: &'a Map<String, Value>,
    pub updated_at: DateTime<Utc>,
}

/// Fields that hold lists: every item of every record is kept, each once (by its key). An interaction's
/// contacts are a list too, for taking back the links a merge moved.
const LIST_FIELDS: &[&str] = &[
    "emails",
    "phones",
    "addresses",
    "handles",
    "tags",
    "companies",
    "contact_ids",
];

/// Fields chosen as one: a person's name parts belong together.
const NAME_PARTS: &[&str] = &["first_name", "middle_name", "last_name", "display_name"];

/// Fields a merge never takes from another record: the external id is unique in the workspace and stays with the
/// record that has it (a merged record keeps its own in the trash, where undo finds it).
const OWN_FIELDS: &[&str] = &["external_id"];

/// The identity of a list item: two items with the same key are the same point.
fn item_key(field: &str, item: &Value) -> String {
    let text = |k: &str| item.get(k).and_then(Value::as_str).unwrap_or_default();
    match field {
        "emails" => text("normalized").to_owned(),
        "phones" => match text("e164") {
            "" => text("number").to_owned(),
            e164 => e164.to_owned(),
        },
        "handles" => format!("{}:{}", text("network"), text("value").to_lowercase()),
        "companies" => text("company_id").to_owned(),
        "tags" => item.as_str().unwrap_or_default().to_lowercase(),
        "contact_ids" => item.as_str().unwrap_or_default().to_owned(),
        // Addresses: the same address whatever its primary flag.
        _ => {
            let mut plain = item.clone();
            if let Some(o) = plain.as_object_mut() {
                o.remove("primary");
            }
            plain.to_string()
        }
    }
}

fn is_empty(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        _ => false,
    }
}

/// How many fields (and custom fields, and list items) a record has filled in.
fn completeness(data: &Map<String, Value>) -> usize {
    data.iter()
        .map(|(k, v)| match (k.as_str(), v) {
            ("custom", Value::Object(o)) => o.values().filter(|v| !is_empty(Some(v))).count(),
            (_, Value::Array(a)) => a.len(),
            _ => usize::from(!is_empty(Some(v))),
        })
        .sum()
}

/// The records in the order the rule prefers them (stable: ties keep the caller's order, survivor first).
fn preference(sources: &[Source], rule: &Rule) -> Vec<usize> {
    let mut order: Vec<usize> = (0..sources.len()).collect();
    match rule {
        Rule::MostComplete => {
            order.sort_by_key(|&i| std::cmp::Reverse(completeness(sources[i].data)));
        }
        Rule::MostRecent => order.sort_by_key(|&i| std::cmp::Reverse(sources[i].updated_at)),
    }
    order
}

/// What a merge produces: the survivor's new data, and for each single-valued field the index of the record its
/// value came from (what the merge screen shows as the pre-selected choice).
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub data: Map<String, Value>,
    pub chosen: BTreeMap<String, usize>,
}

/// Merges `sources` (the survivor first) under `rule`, with `by_hand` naming, for any field, the index of the
/// record whose value to keep (`name` for the name parts together, `custom.KEY` for a custom field). A choice
/// of a record that does not exist is an error naming the field.
pub fn merge(
    sources: &[Source],
    rule: &Rule,
    by_hand: &BTreeMap<String, usize>,
) -> Result<Merged, FieldErrors> {
    let mut errors = FieldErrors::default();
    for (field, &index) in by_hand {
        if index >= sources.len() {
            errors.add(
                format!("choose.{field}"),
                "unknown_record",
                "choose one of the records being merged",
            );
        }
    }
    errors.into_result(())?;
    let Some(survivor) = sources.first() else {
        return Ok(Merged {
            data: Map::new(),
            chosen: BTreeMap::new(),
        });
    };
    let order = preference(sources, rule);
    let mut data = survivor.data.clone();
    let mut chosen = BTreeMap::new();
    let mut fields: Vec<&String> = sources.iter().flat_map(|s| s.data.keys()).collect();
    fields.sort();
    fields.dedup();
    for field in fields {
        let f = field.as_str();
        if OWN_FIELDS.contains(&f) || NAME_PARTS.contains(&f) {
            continue;
        }
        if LIST_FIELDS.contains(&f) {
            data.insert(field.clone(), union(f, sources));
        } else if f == "custom" {
            let (custom, picks) = merge_custom(sources, &order, by_hand);
            data.insert(field.clone(), Value::Object(custom));
            chosen.extend(picks);
        } else if f == "notes" && !by_hand.contains_key(f) {
            data.insert(field.clone(), joined_notes(sources));
        } else {
            let from = pick(sources, &order, by_hand.get(f), |d| d.get(f));
            data.insert(field.clone(), value_at(sources, from, f));
            chosen.insert(field.clone(), from);
        }
    }
    if sources.iter().any(|s| s.data.contains_key("display_name")) {
        let from = pick(sources, &order, by_hand.get("name"), |d| {
            d.get("first_name").or(d.get("last_name"))
        });
        for part in NAME_PARTS {
            data.insert((*part).to_owned(), value_at(sources, from, part));
        }
        chosen.insert("name".into(), from);
    }
    Ok(Merged { data, chosen })
}

fn value_at(sources: &[Source], index: usize, field: &str) -> Value {
    sources[index]
        .data
        .get(field)
        .cloned()
        .unwrap_or(Value::Null)
}

/// The record to take a field from: the one chosen by hand, else the first in preference order that has it.
fn pick<'a>(
    sources: &'a [Source],
    order: &[usize],
    by_hand: Option<&usize>,
    get: impl Fn(&'a Map<String, Value>) -> Option<&'a Value>,
) -> usize {
    if let Some(&i) = by_hand {
        return i;
    }
    order
        .iter()
        .copied()
        .find(|&i| !is_empty(get(sources[i].data)))
        .unwrap_or(0)
}

fn merge_custom(
    sources: &[Source],
    order: &[usize],
    by_hand: &BTreeMap<String, usize>,
) -> (Map<String, Value>, BTreeMap<String, usize>) {
    let custom = |i: usize| sources[i].data.get("custom").and_then(Value::as_object);
    let mut keys: Vec<&String> = (0..sources.len())
        .filter_map(custom)
        .flat_map(|c| c.keys())
        .collect();
    keys.sort();
    keys.dedup();
    let mut out = Map::new();
    let mut picks = BTreeMap::new();
    for key in keys {
        let name = format!("custom.{key}");
        let from = pick(sources, order, by_hand.get(&name), |d| {
            d.get("custom").and_then(|c| c.get(key))
        });
        if let Some(v) = custom(from).and_then(|c| c.get(key))
            && !v.is_null()
        {
            out.insert(key.clone(), v.clone());
        }
        picks.insert(name, from);
    }
    (out, picks)
}

/// Every record's notes, each distinct text once, survivor's first.
fn joined_notes(sources: &[Source]) -> Value {
    let mut parts: Vec<&str> = Vec::new();
    for s in sources {
        if let Some(text) = s.data.get("notes").and_then(Value::as_str).map(str::trim)
            && !text.is_empty()
            && !parts.contains(&text)
        {
            parts.push(text);
        }
    }
    if parts.is_empty() {
        Value::Null
    } else {
        Value::String(parts.join("\n\n"))
    }
}

/// Every item of a list field across the records, each once. An item seen on several records is opted out if
/// any of them says so (consent is never widened by a merge), and only the first record's primary item of the
/// list stays primary.
fn union(field: &str, sources: &[Source]) -> Value {
    let mut items: Vec<Value> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut has_primary = false;
    for (n, s) in sources.iter().enumerate() {
        let Some(list) = s.data.get(field).and_then(Value::as_array) else {
            continue;
        };
        let mut primary_here = false;
        for item in list {
            let key = item_key(field, item);
            if let Some(at) = keys.iter().position(|k| *k == key) {
                if item.get("opted_out") == Some(&Value::Bool(true))
                    && let Some(o) = items[at].as_object_mut()
                {
                    o.insert("opted_out".into(), Value::Bool(true));
                }
                continue;
            }
            let mut item = item.clone();
            if let Some(o) = item.as_object_mut()
                && o.get("primary") == Some(&Value::Bool(true))
            {
                if has_primary && n > 0 {
                    o.insert("primary".into(), Value::Bool(false));
                } else {
                    primary_here = true;
                }
            }
            keys.push(key);
            items.push(item);
        }
        has_primary |= primary_here;
    }
    Value::Array(items)
}

/// The survivor's data with a merge taken back: `before` and `after` are its data either side of the merge,
/// `now` what it holds today. Returns the data to write and the fields changed since the merge (kept as they are
/// now, apart from what the merge itself added to a list).
pub fn unmerge(
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    now: &Map<String, Value>,
) -> (Map<String, Value>, Vec<String>) {
    let mut out = now.clone();
    let mut changed_since = Vec::new();
    let mut fields: Vec<&String> = before.keys().chain(after.keys()).collect();
    fields.sort();
    fields.dedup();
    for field in fields {
        let f = field.as_str();
        let (b, a, n) = (before.get(f), after.get(f), now.get(f));
        if LIST_FIELDS.contains(&f) {
            let (list, kept) = unmerge_list(f, b, a, n);
            out.insert(field.clone(), list);
            if kept {
                changed_since.push(field.clone());
            }
        } else if f == "custom" {
            let obj = |v: Option<&Value>| v.and_then(Value::as_object).cloned().unwrap_or_default();
            let mut custom = obj(n);
            let (b, a) = (obj(b), obj(a));
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                if unmerge_value(&mut custom, key, b.get(key), a.get(key)) {
                    changed_since.push(format!("custom.{key}"));
                }
            }
            out.insert(field.clone(), Value::Object(custom));
        } else if unmerge_value(&mut out, field, b, a) {
            changed_since.push(field.clone());
        }
    }
    (out, changed_since)
}

/// One single value with the merge taken back, in `out` (which holds the value now). True when the value was
/// changed since the merge, and is kept.
fn unmerge_value(
    out: &mut Map<String, Value>,
    key: &str,
    before: Option<&Value>,
    after: Option<&Value>,
) -> bool {
    let now = out.get(key);
    if now == after || (is_empty(now) && is_empty(after)) {
        match before {
            Some(v) => out.insert(key.to_owned(), v.clone()),
            None => out.remove(key),
        };
        false
    } else {
        after != before
    }
}

/// A list field with the merge taken back: the items the merge added are removed, the items it changed or
/// removed come back, unless the item was changed again since; items added since stay.
fn unmerge_list(
    field: &str,
    before: Option<&Value>,
    after: Option<&Value>,
    now: Option<&Value>,
) -> (Value, bool) {
    let items = |v: Option<&Value>| -> Vec<(String, Value)> {
        v.and_then(Value::as_array)
            .map(|a| a.iter().map(|i| (item_key(field, i), i.clone())).collect())
            .unwrap_or_default()
    };
    let (before, after, now) = (items(before), items(after), items(now));
    let find = |list: &[(String, Value)], key: &str| {
        list.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    };
    let changed_since = now.iter().map(|(_, v)| v).ne(after.iter().map(|(_, v)| v));
    let mut out = Vec::new();
    for (key, item) in &now {
        match (find(&before, key), find(&after, key)) {
            // Brought in by the merge and untouched since: taken out.
            (None, Some(merged)) if merged == *item => {}
            // Changed by the merge (a flag) and untouched since: as it was.
            (Some(was), Some(merged)) if merged == *item => out.push(was),
            _ => out.push(item.clone()),
        }
    }
    // What the merge replaced and nobody re-added since.
    for (key, was) in &before {
        if find(&after, key).is_none() && find(&now, key).is_none() {
            out.push(was.clone());
        }
    }
    // In the order they had before the merge; items added since come last.
    let position = |item: &Value| {
        let key = item_key(field, item);
        before
            .iter()
            .position(|(k, _)| *k == key)
            .unwrap_or(usize::MAX)
    };
    out.sort_by_key(position);
    (Value::Array(out), changed_since)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    fn at(day: u32) -> DateTime<Utc> {
        chrono::NaiveDate::from_ymd_opt(2026, 1, day)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc())
            .unwrap_or_default()
    }

    /// Two records changed on the given days of January.
    fn two<'a>(
        a: &'a Map<String, Value>,
        a_day: u32,
        b: &'a Map<String, Value>,
        b_day: u32,
    ) -> [Source<'a>; 2] {
        [
            Source {
                data: a,
                updated_at: at(a_day),
            },
            Source {
                data: b,
                updated_at: at(b_day),
            },
        ]
    }

    fn ali() -> Map<String, Value> {
        obj(json!({
            "first_name": "Ali", "last_name": "Rezaei", "display_name": "Ali Rezaei",
            "job_title": null, "notes": "Met at the fair", "external_id": "crm-1",
            "emails": [{"address": "ali@x.ir", "normalized": "ali@x.ir", "kind": "work", "primary": true, "opted_out": false}],
            "phones": [],
            "tags": ["vip"],
            "custom": {"tier": "gold"}
        }))
    }

    fn ali_again() -> Map<String, Value> {
        obj(json!({
            "first_name": "Alireza", "last_name": "Rezaei", "display_name": "Alireza Rezaei",
            "job_title": "Buyer", "notes": "Prefers Telegram", "external_id": "shop-9",
            "emails": [
                {"address": "ALI@x.ir", "normalized": "ali@x.ir", "kind": "home", "primary": true, "opted_out": true},
                {"address": "a.rezaei@y.com", "normalized": "a.rezaei@y.com", "kind": "home", "primary": true, "opted_out": false}
            ],
            "phones": [{"number": "0912 345 6789", "e164": "+989123456789", "kind": "mobile", "primary": true, "valid": true, "opted_out": false}],
            "tags": ["VIP", "fair-2026"],
            "custom": {"tier": "silver", "region": "north"}
        }))
    }

    #[test]
    fn a_merge_keeps_every_point_and_note_and_picks_single_values_by_rule() {
        let (a, b) = (ali(), ali_again());
        let sources = two(&a, 1, &b, 2);
        let m = merge(&sources, &Rule::MostComplete, &BTreeMap::new()).unwrap();
        let d = Value::Object(m.data.clone());
        // The second record is more complete, so its name and job title win; the external id stays the survivor's.
        assert_eq!(d["first_name"], "Alireza");
        assert_eq!(d["display_name"], "Alireza Rezaei");
        assert_eq!(d["job_title"], "Buyer");
        assert_eq!(d["external_id"], "crm-1");
        assert_eq!(d["notes"], "Met at the fair\n\nPrefers Telegram");
        assert_eq!(d["tags"], json!(["vip", "fair-2026"]));
        assert_eq!(d["custom"], json!({"tier": "silver", "region": "north"}));
        let emails = d["emails"].as_array().unwrap();
        assert_eq!(emails.len(), 2);
        // One opt-out anywhere is kept; only the survivor's primary stays primary.
        assert_eq!(emails[0]["opted_out"], true);
        assert_eq!(emails[0]["primary"], true);
        assert_eq!(emails[1]["primary"], false);
        assert_eq!(d["phones"].as_array().unwrap().len(), 1);
        assert_eq!(m.chosen["name"], 1);

        let by_hand = BTreeMap::from([("name".to_owned(), 0), ("custom.tier".to_owned(), 0)]);
        let m = merge(&sources, &Rule::MostComplete, &by_hand).unwrap();
        assert_eq!(m.data["first_name"], "Ali");
        assert_eq!(m.data["custom"]["tier"], "gold");
        assert_eq!(m.data["job_title"], "Buyer");
    }

    #[test]
    fn the_most_recent_rule_and_a_bad_choice() {
        let (a, b) = (ali(), ali_again());
        let sources = two(&a, 5, &b, 2);
        let m = merge(&sources, &Rule::MostRecent, &BTreeMap::new()).unwrap();
        assert_eq!(m.data["first_name"], "Ali");
        // Empty on the newer record: taken from the older one.
        assert_eq!(m.data["job_title"], "Buyer");
        let bad = BTreeMap::from([("job_title".to_owned(), 7)]);
        let err = merge(&sources, &Rule::MostRecent, &bad).unwrap_err();
        assert_eq!(err.0[0].field, "choose.job_title");
    }

    #[test]
    fn undo_restores_the_survivor_and_keeps_what_changed_since() {
        let (a, b) = (ali(), ali_again());
        let sources = two(&a, 1, &b, 2);
        let after = merge(&sources, &Rule::MostComplete, &BTreeMap::new())
            .unwrap()
            .data;
        let (back, changed) = unmerge(&a, &after, &after);
        assert_eq!(back, a);
        assert!(changed.is_empty());

        // Since the merge: a new phone, a new job title and a new custom value.
        let mut now = after.clone();
        now["phones"]
            .as_array_mut()
            .unwrap()
            .push(json!({"number": "+7 495 123 45 67", "e164": "+74951234567", "kind": "work", "primary": false, "valid": true, "opted_out": false}));
        now.insert("job_title".into(), json!("Head of purchasing"));
        now["custom"]
            .as_object_mut()
            .unwrap()
            .insert("region".into(), json!("south"));
        let (back, changed) = unmerge(&a, &after, &now);
        assert_eq!(back["first_name"], "Ali");
        assert_eq!(back["notes"], "Met at the fair");
        assert_eq!(back["job_title"], "Head of purchasing");
        assert_eq!(back["phones"].as_array().unwrap().len(), 1);
        assert_eq!(back["phones"][0]["e164"], "+74951234567");
        assert_eq!(back["emails"], a["emails"]);
        assert_eq!(back["custom"], json!({"tier": "gold", "region": "south"}));
        assert_eq!(changed, ["custom.region", "job_title", "phones"]);
    }

    #[test]
    fn undo_puts_back_a_link_the_merge_replaced() {
        let before = obj(json!({"contact_ids": ["b", "x"], "company_id": "c1"}));
        let after = obj(json!({"contact_ids": ["a", "x"], "company_id": "c1"}));
        let (back, changed) = unmerge(&before, &after, &after);
        assert_eq!(back, before);
        assert!(changed.is_empty());
    }
}
