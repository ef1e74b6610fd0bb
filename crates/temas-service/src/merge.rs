//! Merging duplicate contacts or companies into one record, undoing a merge, and remembering pairs that are not
//! duplicates.
//!
//! A merge is journalled before it changes anything and after every record it changes: the survivor (its values
//! chosen by `temas_core::merge`), every record whose link moves to the survivor (interactions and orders; for companies
//! also the contacts that work there) and the merged records, which go to the trash. Undo walks the journal back:
//! merged records come out of the trash, moved links move back, and the survivor's values return, except what
//! someone changed since, which is kept and reported.

use crate::dedupe::DedupeEntity;
use crate::records::{ListParams, RecordType};
use crate::{App, AppError, Session};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use temas_core::FieldErrors;
use temas_core::access::Scope;
use temas_core::contact::{Company, CompanyData, Contact, ContactData};
use temas_core::deal::Deal;
use temas_core::dedupe::{MatchInput, decision_pattern};
use temas_core::ids::{CompanyId, ContactId};
use temas_core::interaction::Interaction;
use temas_core::merge::{self, Rule, Source};
use temas_core::offer::Offer;
use temas_core::order::Order;
use temas_store::{MergeRecord, MergeStep, PairDecision, RecordKind, StoredRecord, TimelineOf};
use utoipa::ToSchema;
use uuid::Uuid;

/// The most records one merge takes (survivor included).
const MAX_RECORDS: usize = 20;
const PAGE: u32 = 200;

/// A merge as a client asks for it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The record that stays.
    #[schema(value_type = String, format = Uuid)]
    pub survivor_id: Uuid,
    /// The records merged into it; they go to the trash.
    #[schema(value_type = Vec<String>)]
    pub merged_ids: Vec<Uuid>,
    /// How single values are chosen where `choose` does not say: `most_complete` (default) or `most_recent`.
    #[serde(default)]
    pub rule: Rule,
    /// By hand, per field, the id of the record whose value to keep: a field's name, `name` for the name parts
    /// together, or `custom.KEY`.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub choose: BTreeMap<String, Uuid>,
}

/// A merge as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MergeView {
    #[schema(value_type = String, format = Uuid)]
    pub id: Uuid,
    /// `contacts` or `companies`.
    pub entity: String,
    #[schema(value_type = String, format = Uuid)]
    pub survivor_id: Uuid,
    #[schema(value_type = Vec<String>)]
    pub merged_ids: Vec<Uuid>,
    /// `applied` or `undone` (`applying` when a merge stopped part-way; it can be undone).
    pub status: String,
    /// The rule, the record each value came from (`chosen`), how many links moved, and after an undo the
    /// records and fields changed since the merge, which were kept (`undo.changed_since_merge`).
    #[schema(value_type = Object)]
    pub report: Value,
    #[schema(value_type = String, format = Uuid)]
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<MergeRecord> for MergeView {
    fn from(m: MergeRecord) -> Self {
        MergeView {
            id: m.id,
            entity: m.entity,
            survivor_id: m.survivor_id,
            merged_ids: m.merged_ids,
            status: m.status,
            report: m.report,
            created_by: m.created_by.0,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// Contacts and companies: what a merge needs beyond the generic record use cases.
pub trait Mergeable: RecordType {
    const DEDUPE: DedupeEntity;
    /// The engine's view of a record, to store the pattern of a decided pair.
    fn match_input(data: &Self::Data, company: Option<&str>) -> MatchInput;
    fn first_company(data: &Self::Data) -> Option<Uuid>;
}

impl Mergeable for Contact {
    const DEDUPE: DedupeEntity = DedupeEntity::Contacts;
    fn match_input(data: &ContactData, company: Option<&str>) -> MatchInput {
        MatchInput::from_contact(data, company)
    }
    fn first_company(data: &ContactData) -> Option<Uuid> {
        data.companies.first().map(|l| l.company_id.0)
    }
}

impl Mergeable for Company {
    const DEDUPE: DedupeEntity = DedupeEntity::Companies;
    fn match_input(data: &CompanyData, _: Option<&str>) -> MatchInput {
        MatchInput::from_company(data)
    }
    fn first_company(_: &CompanyData) -> Option<Uuid> {
        None
    }
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

fn object(v: &Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

/// The session with every record of the workspace in view: links to merged records are moved (and moved back)
/// wherever they are, also on records the user does not see, or they would point into the trash.
fn seeing_all(session: &Session) -> Session {
    let mut wide = session.clone();
    wide.viewer.scope = Scope::All;
    wide
}

/// The ids of a merge request, checked: at least one merged record, no repeats, not too many.
fn checked_ids(req: &MergeRequest) -> Result<Vec<Uuid>, FieldErrors> {
    let mut errors = FieldErrors::default();
    if req.merged_ids.is_empty() {
        errors.add(
            "merged_ids",
            "required",
            "name at least one record to merge",
        );
    }
    let mut ids = vec![req.survivor_id];
    for (n, id) in req.merged_ids.iter().enumerate() {
        if ids.contains(id) {
            errors.add(
                format!("merged_ids[{n}]"),
                "duplicate",
                "each record may appear once, and not as the survivor too",
            );
        }
        ids.push(*id);
    }
    if ids.len() > MAX_RECORDS {
        errors.add(
            "merged_ids",
            "too_many",
            format!("at most {MAX_RECORDS} records are merged at once"),
        );
    }
    errors.into_result(ids)
}

impl App {
    /// Merges `req.merged_ids` into `req.survivor_id` (see the module's description).
    pub async fn merge<R: Mergeable>(
        &self,
        session: &Session,
        req: &MergeRequest,
    ) -> Result<MergeView, AppError> {
        session.require_write()?;
        let ids = checked_ids(req)?;
        let mut records = Vec::with_capacity(ids.len());
        for id in &ids {
            let stored = self
                .store
                .get_record(R::KIND, &session.viewer, *id)
                .await?
                .filter(|r| r.meta.deleted_at.is_none())
                .ok_or(AppError::NotFound)?;
            records.push(stored);
        }
        let mut by_hand = BTreeMap::new();
        let mut errors = FieldErrors::default();
        for (field, id) in &req.choose {
            match ids.iter().position(|i| i == id) {
                Some(n) => {
                    by_hand.insert(field.clone(), n);
                }
                None => errors.add(
                    format!("choose.{field}"),
                    "unknown_record",
                    "choose one of the records being merged",
                ),
            }
        }
        errors.into_result(())?;
        let maps: Vec<Map<String, Value>> = records.iter().map(|r| object(&r.data)).collect();
        let sources: Vec<Source> = maps
            .iter()
            .zip(&records)
            .map(|(data, r)| Source {
                data,
                updated_at: r.meta.updated_at,
            })
            .collect();
        let merged = merge::merge(&sources, &req.rule, &by_hand)?;
        let patterns = self.patterns::<R>(session, &records).await?;
        let now = temas_core::time::now();
        let chosen: BTreeMap<&String, Uuid> =
            merged.chosen.iter().map(|(f, n)| (f, ids[*n])).collect();
        let mut journal = MergeRecord {
            id: Uuid::now_v7(),
            entity: R::DEDUPE.as_str().to_owned(),
            survivor_id: req.survivor_id,
            merged_ids: req.merged_ids.clone(),
            steps: Vec::new(),
            status: "applying".into(),
            report: json!({ "rule": req.rule, "chosen": chosen }),
            created_by: session.user.id,
            created_at: now,
            updated_at: now,
        };
        let ws = session.workspace.id;
        self.store.save_merge(ws, &journal).await?;

        let wide = seeing_all(session);
        let mut moved = 0usize;
        for loser in &req.merged_ids {
            moved += self
                .move_links::<R>(&wide, *loser, req.survivor_id, &mut journal)
                .await?;
        }
        let survivor = &records[0];
        let data: R::Data = serde_json::from_value(Value::Object(merged.data)).map_err(internal)?;
        let after = self
            .write_data::<R>(
                session,
                (survivor.id, survivor.version),
                &survivor.data,
                &data,
                "merge",
            )
            .await?;
        self.journal(
            session,
            &mut journal,
            MergeStep {
                kind: R::KIND,
                id: survivor.id,
                action: "update".into(),
                before: survivor.data.clone(),
                after,
            },
        )
        .await?;
        for loser in &records[1..] {
            self.set_deleted::<R>(session, loser.id, true, Some(loser.version))
                .await?;
            self.journal(
                session,
                &mut journal,
                MergeStep {
                    kind: R::KIND,
                    id: loser.id,
                    action: "trash".into(),
                    before: Value::Null,
                    after: Value::Null,
                },
            )
            .await?;
        }
        let decided: Vec<PairDecision> = records[1..]
            .iter()
            .zip(&patterns[1..])
            .map(|(loser, pattern)| PairDecision {
                entity: R::DEDUPE.as_str().to_owned(),
                a: survivor.id,
                b: loser.id,
                same: true,
                pattern: Some(decision_pattern(&patterns[0], pattern)),
                merge_id: Some(journal.id),
                decided_by: session.user.id,
                decided_at: now,
            })
            .collect();
        self.store.add_pair_decisions(ws, &decided).await?;
        journal.status = "applied".into();
        report_entry(&mut journal, "links_moved", json!(moved));
        journal.updated_at = temas_core::time::now();
        self.store.save_merge(ws, &journal).await?;
        Ok(journal.into())
    }

    /// Takes a merge back (see the module's description).
    pub async fn undo_merge(&self, session: &Session, id: Uuid) -> Result<MergeView, AppError> {
        session.require_write()?;
        let ws = session.workspace.id;
        let mut journal = self.visible_merge(session, id).await?;
        if journal.status == "undone" {
            return Err(
                FieldErrors::single("merge", "undone", "this merge was already undone").into(),
            );
        }
        let wide = seeing_all(session);
        let mut changed_since = Vec::new();
        let mut missing = Vec::new();
        for step in journal.steps.iter().rev() {
            if step.action == "trash" {
                match self.restore_kind(&wide, step.kind, step.id).await {
                    Err(AppError::NotFound) => missing.push(step.id),
                    other => other?,
                }
                continue;
            }
            let current = self
                .store
                .get_record(step.kind, &wide.viewer, step.id)
                .await?
                .filter(|r| r.meta.deleted_at.is_none());
            let Some(current) = current else {
                missing.push(step.id);
                continue;
            };
            let (data, kept) = merge::unmerge(
                &object(&step.before),
                &object(&step.after),
                &object(&current.data),
            );
            let data = Value::Object(data);
            if data != current.data {
                self.write_kind(&wide, step.kind, &current, data).await?;
            }
            if !kept.is_empty() {
                changed_since.push(json!({ "id": step.id, "fields": kept }));
            }
        }
        self.store.remove_merge_decisions(ws, id).await?;
        self.store.reopen_groups_of_merge(ws, id).await?;
        journal.status = "undone".into();
        report_entry(
            &mut journal,
            "undo",
            json!({ "changed_since_merge": changed_since, "missing": missing }),
        );
        journal.updated_at = temas_core::time::now();
        self.store.save_merge(ws, &journal).await?;
        Ok(journal.into())
    }

    pub async fn merge_view(&self, session: &Session, id: Uuid) -> Result<MergeView, AppError> {
        Ok(self.visible_merge(session, id).await?.into())
    }

    /// A merge the session may see: one whose survivor it sees, live or in the trash (as it had to see every
    /// record to merge them).
    async fn visible_merge(&self, session: &Session, id: Uuid) -> Result<MergeRecord, AppError> {
        let journal = self
            .store
            .merge_record(session.workspace.id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let entity = DedupeEntity::parse(&journal.entity)
            .ok_or_else(|| internal(format!("merge {id} of unknown entity {}", journal.entity)))?;
        self.store
            .get_record(entity.record_kind(), &session.viewer, journal.survivor_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(journal)
    }

    /// Remembers that the records are different entities, pair by pair: no scan proposes any two of them again,
    /// and the engine learns from the decision.
    pub async fn mark_not_duplicates<R: Mergeable>(
        &self,
        session: &Session,
        ids: &[Uuid],
    ) -> Result<usize, AppError> {
        session.require_write()?;
        let mut distinct = ids.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < 2 || distinct.len() > MAX_RECORDS {
            return Err(FieldErrors::single(
                "ids",
                "count",
                format!("name between 2 and {MAX_RECORDS} different records"),
            )
            .into());
        }
        let mut records = Vec::new();
        for id in &distinct {
            let stored = self
                .store
                .get_record(R::KIND, &session.viewer, *id)
                .await?
                .ok_or(AppError::NotFound)?;
            records.push(stored);
        }
        let patterns = self.patterns::<R>(session, &records).await?;
        let now = temas_core::time::now();
        let mut decided = Vec::new();
        for (i, a) in records.iter().enumerate() {
            for (j, b) in records.iter().enumerate().skip(i + 1) {
                decided.push(PairDecision {
                    entity: R::DEDUPE.as_str().to_owned(),
                    a: a.id,
                    b: b.id,
                    same: false,
                    pattern: Some(decision_pattern(&patterns[i], &patterns[j])),
                    merge_id: None,
                    decided_by: session.user.id,
                    decided_at: now,
                });
            }
        }
        self.store
            .add_pair_decisions(session.workspace.id, &decided)
            .await?;
        Ok(decided.len())
    }

    /// The engine's input for each record, with a contact's first company by name.
    async fn patterns<R: Mergeable>(
        &self,
        session: &Session,
        records: &[StoredRecord],
    ) -> Result<Vec<MatchInput>, AppError> {
        let mut inputs = Vec::with_capacity(records.len());
        for r in records {
            let data: R::Data = serde_json::from_value(r.data.clone()).map_err(internal)?;
            let company = match R::first_company(&data) {
                Some(id) => self
                    .store
                    .get_record(RecordKind::Company, &session.viewer, id)
                    .await?
                    .and_then(|c| {
                        c.data
                            .get("name")
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                    }),
                None => None,
            };
            inputs.push(R::match_input(&data, company.as_deref()));
        }
        Ok(inputs)
    }

    /// Adds a step to the journal and saves it.
    async fn journal(
        &self,
        session: &Session,
        journal: &mut MergeRecord,
        step: MergeStep,
    ) -> Result<(), AppError> {
        journal.steps.push(step);
        journal.updated_at = temas_core::time::now();
        Ok(self.store.save_merge(session.workspace.id, journal).await?)
    }

    /// Moves every link to `loser` onto `survivor`: interactions with the contact (or company), their orders, and
    /// for a company the contacts linked to it. Returns how many records changed.
    async fn move_links<R: Mergeable>(
        &self,
        wide: &Session,
        loser: Uuid,
        survivor: Uuid,
        journal: &mut MergeRecord,
    ) -> Result<usize, AppError> {
        let of = match R::KIND {
            RecordKind::Company => TimelineOf::Company(loser),
            _ => TimelineOf::Contact(loser),
        };
        let mut interactions = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .timeline(wide, of, None, cursor.as_deref(), PAGE)
                .await?;
            interactions.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let mut moved = 0;
        for interaction in interactions {
            let mut data = interaction.data.clone();
            if R::KIND == RecordKind::Company {
                data.company_id = Some(CompanyId(survivor));
            } else {
                data.contact_ids =
                    replaced(&data.contact_ids, ContactId(loser), ContactId(survivor));
            }
            self.move_link::<Interaction>(
                wide,
                journal,
                (interaction.id.0, interaction.version),
                &interaction.data,
                &data,
            )
            .await?;
            moved += 1;
        }
        // The customer's orders, offers and deals follow them.
        let company = R::KIND == RecordKind::Company;
        let link = if company { "company_id" } else { "contact_id" };
        let (from, to) = (loser, survivor);
        moved += self
            .move_records::<Order>(wide, journal, link, loser, |d| {
                bill_to(&mut d.contact_id, &mut d.company_id, company, to)
            })
            .await?;
        moved += self
            .move_records::<Offer>(wide, journal, link, loser, |d| {
                bill_to(&mut d.contact_id, &mut d.company_id, company, to)
            })
            .await?;
        moved += self
            .move_records::<Deal>(wide, journal, link, loser, |d| {
                if company {
                    d.company_id = Some(CompanyId(to));
                } else {
                    for c in &mut d.contacts {
                        if c.contact_id.0 == from {
                            c.contact_id = ContactId(to);
                        }
                    }
                    let mut seen = Vec::new();
                    d.contacts.retain(|c| {
                        let first = !seen.contains(&c.contact_id);
                        seen.push(c.contact_id);
                        first
                    });
                }
            })
            .await?;
        if R::KIND == RecordKind::Company {
            let params = ListParams {
                filters: vec![format!("company_id:eq:{loser}")],
                limit: Some(PAGE),
                ..ListParams::default()
            };
            let mut contacts = Vec::new();
            self.each_page::<Contact>(wide, &params, |page| {
                contacts.extend(page);
                Ok(())
            })
            .await?;
            for contact in contacts {
                let mut data = contact.data.clone();
                let mut links = Vec::with_capacity(data.companies.len());
                for mut link in data.companies.drain(..) {
                    if link.company_id.0 == loser {
                        link.company_id = CompanyId(survivor);
                    }
                    if !links
                        .iter()
                        .any(|l: &temas_core::contact::CompanyLink| l.company_id == link.company_id)
                    {
                        links.push(link);
                    }
                }
                data.companies = links;
                self.move_link::<Contact>(
                    wide,
                    journal,
                    (contact.id.0, contact.version),
                    &contact.data,
                    &data,
                )
                .await?;
                moved += 1;
            }
        }
        Ok(moved)
    }

    /// Moves the records of type `T` whose `link` column holds `loser`, changed by `edit`, journalling each.
    /// (A deal is found by its first contact, which its `contact_id` column holds.)
    async fn move_records<T: RecordType>(
        &self,
        wide: &Session,
        journal: &mut MergeRecord,
        link: &str,
        loser: Uuid,
        edit: impl Fn(&mut T::Data),
    ) -> Result<usize, AppError> {
        let params = ListParams {
            filters: vec![format!("{link}:eq:{loser}")],
            limit: Some(PAGE),
            ..ListParams::default()
        };
        let mut found: Vec<(Uuid, i64, T::Data)> = Vec::new();
        self.each_raw_page::<T>(wide, &params, |page| {
            found.extend(page);
            Ok(())
        })
        .await?;
        let moved = found.len();
        for (id, version, before) in found {
            let mut after = before.clone();
            edit(&mut after);
            self.move_link::<T>(wide, journal, (id, version), &before, &after)
                .await?;
        }
        Ok(moved)
    }

    /// Writes a record whose link moved (`before` → `after`, at version `at.1`) and journals it.
    async fn move_link<R: RecordType>(
        &self,
        wide: &Session,
        journal: &mut MergeRecord,
        at: (Uuid, i64),
        before: &R::Data,
        after: &R::Data,
    ) -> Result<(), AppError> {
        let before = serde_json::to_value(before).map_err(internal)?;
        let after = self
            .write_data::<R>(wide, at, &before, after, "merge")
            .await?;
        let id = at.0;
        let step = MergeStep {
            kind: R::KIND,
            id,
            action: "update".into(),
            before,
            after,
        };
        self.journal(wide, journal, step).await
    }

    /// Writes a record's whole data as one change that the history records as `action`, if the record is still
    /// at `at.1` (its version) and holds `now`; returns the stored data.
    async fn write_data<R: RecordType>(
        &self,
        session: &Session,
        at: (Uuid, i64),
        now: &Value,
        data: &R::Data,
        action: &'static str,
    ) -> Result<Value, AppError> {
        let mut patch = serde_json::to_value(R::to_input(data)).map_err(internal)?;
        // A merge patch keeps what it does not mention: custom values the data no longer has are set to null.
        if let (Some(now), Some(custom)) = (
            now.get("custom").and_then(Value::as_object),
            patch.get_mut("custom").and_then(Value::as_object_mut),
        ) {
            for key in now.keys() {
                custom.entry(key.clone()).or_insert(Value::Null);
            }
        }
        self.patch_as::<R>(session, at.0, &patch, Some(at.1), action)
            .await
    }

    /// `write_data` for a record known by its kind, from its stored JSON, as an undo.
    async fn write_kind(
        &self,
        session: &Session,
        kind: RecordKind,
        current: &StoredRecord,
        data: Value,
    ) -> Result<(), AppError> {
        let at = (current.id, current.version);
        let now = &current.data;
        match kind {
            RecordKind::Contact => {
                let d = serde_json::from_value(data).map_err(internal)?;
                self.write_data::<Contact>(session, at, now, &d, "unmerge")
                    .await?;
            }
            RecordKind::Company => {
                let d = serde_json::from_value(data).map_err(internal)?;
                self.write_data::<Company>(session, at, now, &d, "unmerge")
                    .await?;
            }
            RecordKind::Interaction => {
                let d = serde_json::from_value(data).map_err(internal)?;
                self.write_data::<Interaction>(session, at, now, &d, "unmerge")
                    .await?;
            }
            RecordKind::Order => {
                let d = serde_json::from_value(data).map_err(internal)?;
                self.write_data::<Order>(session, at, now, &d, "unmerge")
                    .await?;
            }
            RecordKind::Offer => {
                let d = serde_json::from_value(data).map_err(internal)?;
                self.write_data::<Offer>(session, at, now, &d, "unmerge")
                    .await?;
            }
            RecordKind::Deal => {
                let d = serde_json::from_value(data).map_err(internal)?;
                self.write_data::<Deal>(session, at, now, &d, "unmerge")
                    .await?;
            }
            other => {
                return Err(internal(format!(
                    "merge journal: {} {} is never changed by a merge",
                    other.entity(),
                    current.id
                )));
            }
        }
        Ok(())
    }

    async fn restore_kind(
        &self,
        session: &Session,
        kind: RecordKind,
        id: Uuid,
    ) -> Result<(), AppError> {
        match kind {
            RecordKind::Company => self
                .set_deleted::<Company>(session, id, false, None)
                .await
                .map(|_| ()),
            RecordKind::Contact => self
                .set_deleted::<Contact>(session, id, false, None)
                .await
                .map(|_| ()),
            _ => Err(internal(format!(
                "merge journal: {} {id} was never trashed by a merge",
                kind.entity()
            ))),
        }
    }
}

/// Points an order's or offer's customer at the survivor: its company when companies merge, else its contact.
fn bill_to(
    contact: &mut Option<ContactId>,
    company: &mut Option<CompanyId>,
    companies_merge: bool,
    survivor: Uuid,
) {
    if companies_merge {
        *company = Some(CompanyId(survivor));
    } else {
        *contact = Some(ContactId(survivor));
    }
}

/// Adds an entry to a merge's report (a JSON object; a stored report of another shape is replaced).
fn report_entry(journal: &mut MergeRecord, key: &str, value: Value) {
    if !journal.report.is_object() {
        journal.report = json!({});
    }
    if let Some(report) = journal.report.as_object_mut() {
        report.insert(key.to_owned(), value);
    }
}

/// `ids` with `from` replaced by `to`, each id once, in order.
fn replaced(ids: &[ContactId], from: ContactId, to: ContactId) -> Vec<ContactId> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let id = if *id == from { to } else { *id };
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}
