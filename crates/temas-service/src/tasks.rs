//! Tasks as records; a user's day (open tasks due by the end of it); and the follow-up rules, which make tasks
//! for open deals nobody has been in touch about, deals stuck in a stage and birthdays ahead. Each rule's task
//! carries a key (`auto:…` in `external_id`) naming its occasion, so running the rules again makes no task twice
//! and never reopens one that was done.

use crate::records::{RecordType, decode};
use crate::{App, AppError, Session};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::HashMap;
use temas_core::FieldErrors;
use temas_core::calendar::{Calendar, next_anniversary};
use temas_core::contact::{Contact, RecordMeta, ValidationContext};
use temas_core::custom::Entity;
use temas_core::deal::{Deal, DealData};
use temas_core::filter::{ColumnKind, TASK_COLUMNS};
use temas_core::ids::{TaskId, UserId};
use temas_core::task::{Related, Task, TaskData, TaskInput};
use temas_store::{Indexed, Links, RecordKind, Uuid};

/// How many tasks a day shows at most.
const DAY_LIMIT: u32 = 200;

/// What a run of the follow-up rules made.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct FollowUpRun {
    pub no_contact: usize,
    pub deal_stuck: usize,
    pub birthday: usize,
}

impl App {
    /// The session user's open tasks due by the end of their day (in their time zone), overdue ones included,
    /// soonest first.
    pub async fn my_day(&self, session: &Session) -> Result<Vec<Task>, AppError> {
        let until = temas_core::calendar::end_of_day(
            temas_core::time::now(),
            &session.user.prefs.time_zone,
        );
        self.store
            .tasks_due(
                &session.viewer,
                session.user.id,
                until.timestamp_micros(),
                DAY_LIMIT,
            )
            .await?
            .into_iter()
            .map(decode)
            .collect()
    }

    /// Runs the workspace's follow-up rules over the records the session sees (owners, admins and managers).
    pub async fn run_follow_ups(&self, session: &Session) -> Result<FollowUpRun, AppError> {
        session.require_catalogue()?;
        let now = temas_core::time::now();
        let rules = session.workspace.settings.follow_ups.clone();
        let mut wanted: Vec<(&'static str, TaskInput)> = Vec::new();
        let mut deals: Vec<(Uuid, DealData)> = Vec::new();
        self.each_record_data::<Deal>(session, |page| {
            deals.extend(page.into_iter().filter(|(_, d)| d.status == "open"));
            Ok(())
        })
        .await?;
        if let Some(days) = rules.no_contact_days {
            wanted.extend(self.no_contact_tasks(session, &deals, days, now).await?);
        }
        wanted.extend(self.stuck_tasks(session, &deals, now).await?);
        if let Some(days) = rules.birthday_days_ahead {
            wanted.extend(self.birthday_tasks(session, days, now).await?);
        }
        let keys: Vec<String> = wanted
            .iter()
            .filter_map(|(_, t)| t.external_id.clone())
            .collect();
        let existing = self
            .store
            .records_by_external_id(RecordKind::Task, &session.viewer, &keys)
            .await?;
        let made: Vec<&str> = existing
            .iter()
            .filter_map(|(r, _)| r.data.get("external_id").and_then(|v| v.as_str()))
            .collect();
        let ctx = session.validation(self, Entity::Task).await?;
        let mut run = FollowUpRun::default();
        let mut records = Vec::new();
        for (rule, input) in wanted {
            if input
                .external_id
                .as_deref()
                .is_some_and(|k| made.contains(&k))
            {
                continue;
            }
            let data = Task::validate(input, &ctx, None)?;
            records.push(self.prepare_validated::<Task>(session, data, false).await?);
            match rule {
                "no_contact" => run.no_contact += 1,
                "deal_stuck" => run.deal_stuck += 1,
                _ => run.birthday += 1,
            }
        }
        if !records.is_empty() {
            self.store
                .insert_records(RecordKind::Task, &session.viewer, records)
                .await?;
        }
        Ok(run)
    }

    /// Open deals none of whose contacts had an interaction in the last `days` days (counting from the deal's
    /// creation when there was none).
    async fn no_contact_tasks(
        &self,
        session: &Session,
        deals: &[(Uuid, DealData)],
        days: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<(&'static str, TaskInput)>, AppError> {
        let contacts: Vec<Uuid> = deals
            .iter()
            .flat_map(|(_, d)| d.contacts.iter().map(|c| c.contact_id.0))
            .collect();
        let last: HashMap<Uuid, i64> = self
            .store
            .last_interactions(session.workspace.id, &contacts)
            .await?
            .into_iter()
            .collect();
        let cutoff = now - Duration::days(i64::from(days));
        let mut out = Vec::new();
        for (id, deal) in deals {
            let touched = deal
                .contacts
                .iter()
                .filter_map(|c| last.get(&c.contact_id.0))
                .max()
                .map(|micros| temas_core::time::from_micros(*micros));
            // A deal's id is a UUIDv7: its first 48 bits are its creation time in milliseconds.
            let since = touched.or_else(|| uuid_time(*id)).unwrap_or(now);
            if since >= cutoff {
                continue;
            }
            out.push((
                "no_contact",
                rule_task(
                    format!("No contact about {} for {days} days", deal.name),
                    "no_contact",
                    Related::new("deal", *id),
                    format!("auto:no_contact:{id}:{}", since.date_naive()),
                    now,
                    deal.owner_id,
                ),
            ));
        }
        Ok(out)
    }

    async fn stuck_tasks(
        &self,
        session: &Session,
        deals: &[(Uuid, DealData)],
        now: DateTime<Utc>,
    ) -> Result<Vec<(&'static str, TaskInput)>, AppError> {
        let pipelines = self.pipelines(session).await?;
        let mut out = Vec::new();
        for (id, deal) in deals {
            let stage = pipelines
                .iter()
                .find(|(p, _)| Some(*p) == deal.pipeline_id)
                .and_then(|(_, p)| p.stage(&deal.stage));
            let (Some(stage), Some(entered)) = (stage, deal.stage_entered_at) else {
                continue;
            };
            let Some(limit) = stage.stuck_after_days else {
                continue;
            };
            if now - entered < Duration::days(i64::from(limit)) {
                continue;
            }
            out.push((
                "deal_stuck",
                rule_task(
                    format!("{} has been in {} for {limit}+ days", deal.name, stage.name),
                    "deal_stuck",
                    Related::new("deal", *id),
                    format!(
                        "auto:deal_stuck:{id}:{}:{}",
                        deal.stage,
                        entered.date_naive()
                    ),
                    now,
                    deal.owner_id,
                ),
            ));
        }
        Ok(out)
    }

    /// Contacts whose birthday, in their owner's calendar, falls within `days` days.
    async fn birthday_tasks(
        &self,
        session: &Session,
        days: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<(&'static str, TaskInput)>, AppError> {
        let calendars: HashMap<UserId, Calendar> = self
            .store
            .users(session.workspace.id)
            .await?
            .into_iter()
            .map(|u| {
                let c = Calendar::parse(&u.prefs.calendar).unwrap_or(Calendar::Gregorian);
                (u.id, c)
            })
            .collect();
        let today = now.date_naive();
        let horizon = today + Duration::days(i64::from(days));
        let mut out = Vec::new();
        self.each_record_data::<Contact>(session, |page| {
            for (id, c) in page {
                let Some(born) = c.birth_date else { continue };
                let calendar = c
                    .owner_id
                    .and_then(|o| calendars.get(&o).copied())
                    .unwrap_or(Calendar::Gregorian);
                let Some(day) = next_anniversary(born, today, calendar) else {
                    continue;
                };
                if day > horizon {
                    continue;
                }
                out.push((
                    "birthday",
                    rule_task(
                        format!("Birthday of {} on {day}", c.display_name),
                        "birthday",
                        Related::new("contact", id),
                        format!("auto:birthday:{id}:{day}"),
                        start_of(day),
                        c.owner_id,
                    ),
                ));
            }
            Ok(())
        })
        .await?;
        Ok(out)
    }
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(9, 0, 0).unwrap_or_default().and_utc()
}

fn uuid_time(id: Uuid) -> Option<DateTime<Utc>> {
    let (secs, nanos) = id.get_timestamp()?.to_unix();
    DateTime::from_timestamp(i64::try_from(secs).ok()?, nanos)
}

fn rule_task(
    title: String,
    kind: &str,
    related: Related,
    key: String,
    due: DateTime<Utc>,
    owner: Option<UserId>,
) -> TaskInput {
    TaskInput {
        title: Some(title),
        kind: Some(kind.to_owned()),
        due_at: Some(due),
        related: Some(related),
        external_id: Some(key),
        owner_id: owner,
        ..TaskInput::default()
    }
}

impl RecordType for Task {
    type Input = TaskInput;
    type Data = TaskData;
    const KIND: RecordKind = RecordKind::Task;
    const ENTITY: Entity = Entity::Task;
    const COLUMNS: &'static [(&'static str, ColumnKind)] = TASK_COLUMNS;

    fn validate(
        input: TaskInput,
        ctx: &ValidationContext,
        previous: Option<&TaskData>,
    ) -> Result<TaskData, FieldErrors> {
        input.validate(ctx, previous, temas_core::time::now())
    }
    fn to_input(data: &TaskData) -> TaskInput {
        data.to_input()
    }
    fn owner(data: &TaskData) -> Option<UserId> {
        data.owner_id
    }
    fn set_owner(data: &mut TaskData, owner: UserId) {
        data.owner_id = Some(owner);
    }
    fn index(data: &TaskData) -> (Vec<String>, Indexed) {
        let indexed = Indexed {
            sort_name: temas_core::normalize::search_key(&data.title),
            external_id: data.external_id.clone(),
            occurred_at: data.due_at.map(|t| t.timestamp_micros()),
            ..Indexed::default()
        };
        (Vec::new(), indexed)
    }
    fn links(_: &TaskData) -> Links {
        Links::default()
    }
    fn references(data: &TaskData) -> Vec<(RecordKind, Vec<Uuid>, &'static str)> {
        data.related
            .iter()
            .filter_map(|r| Some((RecordKind::parse(&r.kind)?, vec![r.id], "related.id")))
            .collect()
    }
    fn external_id(data: &TaskData) -> Option<&str> {
        data.external_id.as_deref()
    }
    fn assemble(id: Uuid, version: i64, data: TaskData, meta: RecordMeta) -> Self {
        Task {
            id: TaskId(id),
            version,
            data,
            meta,
        }
    }
}
