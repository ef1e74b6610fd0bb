//! Tasks and reminders: something to do by a date, for someone, about a record. A recurring task that is done
//! moves to its next date and stays open. Follow-ups the workspace's rules create (no contact for N days, a
//! deal stuck in a stage, a birthday ahead) are tasks too, keyed so that a rule never creates the same one twice.

use crate::contact::{RecordMeta, ValidationContext};
use crate::errors::{FieldErrors, clean_text, one_of};
use crate::ids::{TaskId, UserId};
use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

pub const STATUSES: &[&str] = &["open", "done", "cancelled"];
pub const KINDS: &[&str] = &[
    "todo",
    "call",
    "email",
    "meeting",
    "follow_up",
    "no_contact",
    "deal_stuck",
    "birthday",
];
/// What a task can be about.
pub const RELATED: &[&str] = &["contact", "company", "deal", "lead", "order", "offer"];
pub const UNITS: &[&str] = &["day", "week", "month", "year"];

/// The record a task is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Related {
    /// contact, company, deal, lead, order or offer.
    pub kind: String,
    pub id: Uuid,
}

/// Every `every` `unit`s (day, week, month or year) from the due date.
impl Related {
    pub fn new(kind: &str, id: Uuid) -> Related {
        Related {
            kind: kind.to_owned(),
            id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Recurrence {
    pub every: u32,
    pub unit: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    pub title: Option<String>,
    /// todo (the default), call, email, meeting, follow_up; the rules create no_contact, deal_stuck, birthday.
    pub kind: Option<String>,
    pub notes: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    /// open (the default), done or cancelled.
    pub status: Option<String>,
    pub related: Option<Related>,
    pub recurrence: Option<Recurrence>,
    /// Keys a task so that pushing it again updates it (the rules use `auto:…` keys).
    pub external_id: Option<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    /// Who has to do it; defaults to whoever creates it.
    pub owner_id: Option<UserId>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TaskData {
    pub title: String,
    pub kind: String,
    pub notes: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub status: String,
    /// When it was last done (for a recurring task, the last occurrence done).
    pub done_at: Option<DateTime<Utc>>,
    pub related: Option<Related>,
    pub recurrence: Option<Recurrence>,
    pub external_id: Option<String>,
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    pub owner_id: Option<UserId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Task {
    pub id: TaskId,
    pub version: i64,
    #[serde(flatten)]
    pub data: TaskData,
    #[serde(flatten)]
    pub meta: RecordMeta,
}

impl TaskData {
    pub fn to_input(&self) -> TaskInput {
        TaskInput {
            title: Some(self.title.clone()),
            kind: Some(self.kind.clone()),
            notes: self.notes.clone(),
            due_at: self.due_at,
            status: Some(self.status.clone()),
            related: self.related.clone(),
            recurrence: self.recurrence.clone(),
            external_id: self.external_id.clone(),
            custom: self.custom.clone(),
            owner_id: self.owner_id,
        }
    }
}

impl TaskInput {
    pub fn validate(
        self,
        ctx: &ValidationContext,
        previous: Option<&TaskData>,
        now: DateTime<Utc>,
    ) -> Result<TaskData, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = clean_text(&mut errors, "title", self.title, 500).unwrap_or_default();
        if title.is_empty() {
            errors.add("title", "required", "a task needs a title");
        }
        let kind = one_of(&mut errors, "kind", self.kind, KINDS).unwrap_or_else(|| "todo".into());
        let mut status =
            one_of(&mut errors, "status", self.status, STATUSES).unwrap_or_else(|| "open".into());
        if let Some(r) = &self.related
            && !RELATED.contains(&r.kind.as_str())
        {
            errors.add(
                "related.kind",
                "invalid_value",
                format!("must be one of {}", RELATED.join(", ")),
            );
        }
        if let Some(r) = &self.recurrence {
            if !UNITS.contains(&r.unit.as_str()) {
                errors.add(
                    "recurrence.unit",
                    "invalid_value",
                    format!("must be one of {}", UNITS.join(", ")),
                );
            }
            if !(1..=366).contains(&r.every) {
                errors.add("recurrence.every", "out_of_range", "from 1 to 366");
            }
            if self.due_at.is_none() {
                errors.add("due_at", "required", "a recurring task needs a due date");
            }
        }
        let was_done = previous.is_some_and(|p| p.status == "done");
        let mut due_at = self.due_at;
        let mut done_at = previous.and_then(|p| p.done_at);
        if status == "done" && !was_done {
            done_at = Some(now);
            // Done once, a recurring task comes back on its next date.
            if let (Some(rule), Some(due)) = (&self.recurrence, due_at) {
                due_at = next_due(due, rule, now);
                status = "open".into();
            }
        }
        let data = TaskData {
            title,
            kind,
            notes: clean_text(&mut errors, "notes", self.notes, 100_000),
            due_at,
            status,
            done_at,
            related: self.related,
            recurrence: self.recurrence,
            external_id: clean_text(&mut errors, "external_id", self.external_id, 200),
            custom: ctx.custom_values(&mut errors, self.custom, previous.map(|p| &p.custom)),
            owner_id: self.owner_id,
        };
        errors.into_result(data)
    }
}

/// The first date of the rule after `due` that is later than `now` (a task done late skips what it missed).
fn next_due(due: DateTime<Utc>, rule: &Recurrence, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let step = |t: DateTime<Utc>| match rule.unit.as_str() {
        "day" => t.checked_add_signed(chrono::Duration::days(i64::from(rule.every))),
        "week" => t.checked_add_signed(chrono::Duration::weeks(i64::from(rule.every))),
        "month" => t.checked_add_months(Months::new(rule.every)),
        _ => t.checked_add_months(Months::new(rule.every.checked_mul(12)?)),
    };
    let mut next = step(due)?;
    // Bounded: at most a few thousand steps even for a daily task years overdue.
    for _ in 0..10_000 {
        if next > now {
            return Some(next);
        }
        next = step(next)?;
    }
    Some(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, m, d, 9, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn a_recurring_task_done_comes_back_on_its_next_date() {
        let ctx = ValidationContext::default();
        let input = TaskInput {
            title: Some("Monthly check-in".into()),
            due_at: Some(at(1, 31)),
            recurrence: Some(Recurrence {
                every: 1,
                unit: "month".into(),
            }),
            ..TaskInput::default()
        };
        let open = input.validate(&ctx, None, at(1, 1)).unwrap_or_default();
        let mut done = open.to_input();
        done.status = Some("done".into());
        let next = done
            .validate(&ctx, Some(&open), at(3, 5))
            .unwrap_or_default();
        assert_eq!(next.status, "open");
        assert_eq!(next.done_at, Some(at(3, 5)));
        // 31 Jan + 1 month = 28 Feb, which is past by 5 March: the next is 28 March.
        assert_eq!(next.due_at, Some(at(3, 28)));

        let plain = TaskInput {
            title: Some("Send the contract".into()),
            status: Some("done".into()),
            ..TaskInput::default()
        }
        .validate(&ctx, None, at(2, 2))
        .unwrap_or_default();
        assert_eq!(
            (plain.status.as_str(), plain.done_at),
            ("done", Some(at(2, 2)))
        );
    }

    #[test]
    fn bad_tasks_name_the_field() {
        let errors = TaskInput {
            related: Some(Related {
                kind: "planet".into(),
                id: Uuid::nil(),
            }),
            recurrence: Some(Recurrence {
                every: 0,
                unit: "fortnight".into(),
            }),
            ..TaskInput::default()
        }
        .validate(&ValidationContext::default(), None, at(1, 1))
        .err()
        .unwrap_or_default();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "title",
                "related.kind",
                "recurrence.unit",
                "recurrence.every",
                "due_at"
            ]
        );
    }
}
