//! Importing contacts from a spreadsheet: each row mapped, validated and matched against the base (and against
//! the rows before it), then — unless it is a dry run — written in batches with a journal of what was created and
//! what each update replaced, so that a rollback can put the base back as it was.
//!
//! Every run is kept (dry runs too), with its failed rows (the error report). After each batch the run's summary
//! is saved as a checkpoint; the journal of a batch is written before the batch's records, so an import cut short
//! can be resumed (what the unfinished batch wrote is undone first) or rolled back.

use crate::records::RecordType;
use crate::{App, AppError, Session};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use temas_core::calendar::Calendar;
use temas_core::contact::{Company, CompanyInput, CompanyLink, Contact, ContactData, ContactInput};
use temas_core::custom::Entity;
use temas_core::ids::CompanyId;
use temas_core::import::{DateOrder, MappedRow, RowContext, RowInteraction, Target, map_row};
use temas_core::interaction::{Interaction, InteractionInput};
use temas_core::normalize::search_key;
use temas_core::phone::national_of_e164;
pub use temas_store::RowProblem;
use temas_store::{ImportAction, ImportItem, ImportRun, NewRecord, RecordKind, Uuid};

/// Rows validated and written together.
const BATCH_ROWS: usize = 1000;
/// How many examples of created and updated rows the summary keeps.
const SAMPLES: usize = 5;
/// How many skipped, duplicate and failed rows the summary lists (all are counted; every failed row is in the
/// error report).
const PROBLEM_SAMPLES: usize = 100;

/// What identifies an existing contact to update instead of creating a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchOn {
    Nothing,
    ExternalId,
    Email,
    Phone,
}

impl MatchOn {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "" | "none" => MatchOn::Nothing,
            "external_id" => MatchOn::ExternalId,
            "email" => MatchOn::Email,
            "phone" => MatchOn::Phone,
            _ => return None,
        })
    }
}

/// One spreadsheet row as the importer sees it: its number in the file and its cells, or why it could not be read.
pub type SourceRow = Result<(u64, Vec<String>), (u64, String)>;

pub struct ImportRequest {
    /// The import's id: new for a fresh run, the job's for one run in the background.
    pub id: Uuid,
    pub file_name: String,
    pub format: String,
    pub headers: Vec<String>,
    pub targets: Vec<Target>,
    pub match_on: MatchOn,
    pub dry_run: bool,
    /// What is kept with the run for an import run as a job (its upload, mapping and options).
    pub job: Value,
    /// The checkpoint to go on from, for a committing import cut short.
    pub resume: Option<ImportSummary>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ImportSummary {
    /// Set once the import is committed.
    pub id: Option<Uuid>,
    pub dry_run: bool,
    pub format: String,
    /// Each column and the field it feeds.
    pub mapping: Vec<(String, String)>,
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub skipped: u64,
    pub failed: u64,
    pub companies_created: u64,
    /// Interactions logged from columns mapped to `interaction:CHANNEL`.
    pub interactions_created: u64,
    /// Rows whose email or phone already belongs to a contact, when they are not matched on it.
    pub likely_duplicates: u64,
    pub created_samples: Vec<u64>,
    pub updated_samples: Vec<u64>,
    pub skipped_rows: Vec<RowProblem>,
    pub duplicate_rows: Vec<RowProblem>,
    /// The first rows that failed, with the reason (all of them are in the error report).
    pub failed_rows: Vec<RowProblem>,
    /// Why the run stopped, when it failed as a whole.
    pub error: Option<String>,
    /// Journal entries written so far (the checkpoint a resumed import goes on from).
    pub journal_seq: i64,
    /// Lines of the error report written so far.
    pub error_seq: i64,
}

impl ImportSummary {
    fn skip(&mut self, row: u64, reason: &str) {
        self.skipped += 1;
        if self.skipped_rows.len() < PROBLEM_SAMPLES {
            self.skipped_rows.push(RowProblem {
                row,
                field: String::new(),
                reason: reason.to_owned(),
            });
        }
    }

    fn duplicate(&mut self, row: u64, field: &str, reason: String) {
        if self.duplicate_rows.len() < PROBLEM_SAMPLES {
            self.duplicate_rows.push(RowProblem {
                row,
                field: field.to_owned(),
                reason,
            });
        }
    }
}

/// A validated row on its way into the base.
struct Ready {
    row: u64,
    input: ContactInput,
    data: ContactData,
    company: Option<String>,
    /// The company's name as companies are matched: normalised.
    company_key: Option<String>,
    keys: Vec<String>,
    interactions: Vec<RowInteraction>,
}

/// A row's interactions, with the row and the contact they go on.
type ContactLogs = (u64, Uuid, Vec<RowInteraction>);

/// State carried across batches.
struct Run<'a> {
    app: &'a App,
    session: &'a Session,
    req: &'a ImportRequest,
    ctx: RowContext,
    summary: ImportSummary,
    /// Match keys seen in earlier rows (as 64-bit hashes, to keep a million-row file's keys small), with the
    /// row that had them first.
    seen: HashMap<u64, u64>,
    /// Companies by normalised name, read from the workspace or created during this import.
    companies: HashMap<String, CompanyId>,
    companies_loaded: bool,
    /// External ids brought by earlier rows, with the row that brought each.
    external_ids: HashMap<u64, u64>,
    journal: Vec<ImportItem>,
    /// Failed rows of the batch under way, written to the error report with it.
    failures: Vec<RowProblem>,
    started: chrono::DateTime<chrono::Utc>,
}

fn row_context(session: &Session) -> RowContext {
    let region = session.region();
    let calendar = match session.workspace.default_region.as_str() {
        "IR" | "AF" => Calendar::Persian,
        "SA" => Calendar::Hijri,
        _ => Calendar::Gregorian,
    };
    let date_order = match session.workspace.default_region.as_str() {
        "US" | "PH" => DateOrder::MonthFirst,
        _ => DateOrder::DayFirst,
    };
    RowContext {
        region,
        date_order,
        calendar,
    }
}

impl App {
    /// Guesses the field each column feeds from its header and sample values, knowing the workspace's custom
    /// fields and default region.
    pub async fn suggest_mapping(
        &self,
        session: &Session,
        headers: &[String],
        samples: &[Vec<String>],
    ) -> Result<Vec<Target>, AppError> {
        let custom: Vec<(String, String)> = self
            .store
            .custom_fields(session.workspace.id)
            .await?
            .into_iter()
            .filter(|d| d.entity == Entity::Contact && !d.retired)
            .map(|d| (d.key, d.label))
            .collect();
        Ok(temas_core::import::suggest(
            headers,
            samples,
            &custom,
            session.region(),
        ))
    }

    /// Turns columns mapped to nothing into text custom fields of contacts, named after their headers (a field
    /// with that key already defined is reused). Returns the labels of the columns that now feed a custom field.
    /// Columns without a header (`column 3`) stay unmapped. Defining fields needs an owner or admin.
    pub async fn add_fields_for_unmapped(
        &self,
        session: &Session,
        headers: &[String],
        targets: &mut [Target],
    ) -> Result<Vec<String>, AppError> {
        let defined: Vec<String> = self
            .store
            .custom_fields(session.workspace.id)
            .await?
            .into_iter()
            .filter(|d| d.entity == Entity::Contact)
            .map(|d| d.key)
            .collect();
        let mut added = Vec::new();
        for (header, target) in headers.iter().zip(targets.iter_mut()) {
            let unnamed = header.starts_with("column ")
                && header["column ".len()..]
                    .chars()
                    .all(|c| c.is_ascii_digit());
            if *target != Target::Ignore || unnamed {
                continue;
            }
            let Some(key) = temas_core::import::field_key_for_header(header) else {
                continue;
            };
            if !defined.contains(&key) {
                let field = temas_core::custom::NewCustomField {
                    entity: Entity::Contact,
                    key: key.clone(),
                    label: header.trim().to_owned(),
                    kind: temas_core::custom::FieldKind::Text,
                    required: false,
                    default: None,
                    options: Vec::new(),
                };
                self.create_custom_field(session, field).await?;
            }
            *target = Target::Custom(key);
            added.push(header.trim().to_owned());
        }
        Ok(added)
    }

    /// Imports contacts row by row from `rows`. `progress` hears the number of rows read so far.
    pub async fn import_contacts(
        &self,
        session: &Session,
        req: &ImportRequest,
        rows: &mut (dyn Iterator<Item = SourceRow> + Send),
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<ImportSummary, AppError> {
        session.require_write()?;
        let fresh = ImportSummary {
            dry_run: req.dry_run,
            format: req.format.clone(),
            mapping: req
                .headers
                .iter()
                .cloned()
                .zip(req.targets.iter().cloned().map(String::from))
                .collect(),
            ..ImportSummary::default()
        };
        // A dry run writes nothing but its error report, so one cut short simply starts again.
        let resume = req.resume.clone().filter(|_| !req.dry_run);
        let mut run = Run {
            app: self,
            session,
            req,
            ctx: row_context(session),
            summary: resume.clone().unwrap_or(fresh),
            seen: HashMap::new(),
            companies: HashMap::new(),
            companies_loaded: false,
            external_ids: HashMap::new(),
            journal: Vec::new(),
            failures: Vec::new(),
            started: temas_core::time::now(),
        };
        let ws = session.workspace.id;
        match &resume {
            Some(checkpoint) => {
                let tail = self
                    .journal_after(ws, req.id, checkpoint.journal_seq)
                    .await?;
                self.undo(session, &tail).await?;
                self.store
                    .remove_import_items(ws, req.id, checkpoint.journal_seq)
                    .await?;
                self.store
                    .remove_import_errors(ws, req.id, checkpoint.error_seq)
                    .await?;
            }
            None => self.store.remove_import_errors(ws, req.id, 0).await?,
        }
        // Saved before any write, so that an import cut short can still be rolled back.
        run.save(run.active_status()).await?;
        let skip = resume.as_ref().map_or(0, |c| c.rows);
        let mut replayed = 0u64;
        let contact_rules = session.validation(self, Entity::Contact).await?;
        let mut batch: Vec<SourceRow> = Vec::with_capacity(BATCH_ROWS);
        for row in rows {
            if replayed < skip {
                // Rows imported before the interruption: only their keys are needed, to find duplicates of them.
                replayed += 1;
                run.remember(row, &contact_rules);
                continue;
            }
            batch.push(row);
            if batch.len() == BATCH_ROWS {
                run.batch(std::mem::take(&mut batch)).await?;
                run.save(run.active_status()).await?;
                progress(run.summary.rows);
            }
        }
        run.batch(batch).await?;
        progress(run.summary.rows);
        if !req.dry_run {
            run.summary.id = Some(req.id);
        }
        let status = if req.dry_run { "checked" } else { "committed" };
        run.save(status).await?;
        Ok(run.summary)
    }

    /// An import's journal after `after_seq`, read in pages.
    async fn journal_after(
        &self,
        ws: temas_core::ids::WorkspaceId,
        id: Uuid,
        mut after: i64,
    ) -> Result<Vec<ImportItem>, AppError> {
        let mut items = Vec::new();
        loop {
            let page = self.store.import_items(ws, id, after, 5000).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            items.extend(page);
        }
        Ok(items)
    }

    /// Undoes a committed import: records it updated get their earlier values back, records it created are
    /// removed. Records changed by someone since the import are restored all the same; their ids are reported.
    pub async fn rollback_import(&self, session: &Session, id: Uuid) -> Result<Value, AppError> {
        session.require_write()?;
        let ws = session.workspace.id;
        let mut run = self
            .store
            .import_run(ws, id)
            .await?
            .ok_or(AppError::NotFound)?;
        // `running` and `failed`: an import cut short (from the command line, or a job that failed part-way);
        // `rolling_back`: the rollback job.
        if !matches!(
            run.status.as_str(),
            "committed" | "running" | "failed" | "rolling_back"
        ) {
            return Err(temas_core::FieldErrors::single(
                "import",
                "not_committed",
                format!("this import is {}, not committed", run.status),
            )
            .into());
        }
        let items = self.journal_after(ws, id, 0).await?;
        let report = self.undo(session, &items).await?;
        run.status = "rolled_back".into();
        if let Some(summary) = run.summary.as_object_mut() {
            summary.insert("rollback".into(), report.clone());
        }
        run.updated_at = temas_core::time::now();
        self.store.save_import(ws, &run).await?;
        Ok(report)
    }

    /// Undoes journal entries, newest first: created records are removed, updated ones get their earlier data
    /// back. An update journalled but never made (the record is still at its earlier version) is left alone.
    async fn undo(&self, session: &Session, items: &[ImportItem]) -> Result<Value, AppError> {
        let ws = session.workspace.id;
        let mut changed_since: Vec<Uuid> = Vec::new();
        let mut removed: HashMap<RecordKind, Vec<Uuid>> = HashMap::new();
        let mut restored = 0u64;
        for item in items.iter().rev() {
            let current = self
                .store
                .get_record(item.kind, &session.viewer, item.record_id)
                .await?;
            let Some(current) = current else {
                // Never written (the batch was cut short) or already gone.
                continue;
            };
            let untouched = item
                .before
                .as_ref()
                .is_some_and(|(version, _)| *version == current.version);
            if current.version != item.after_version && !untouched {
                changed_since.push(item.record_id);
            }
            match (&item.action, &item.before) {
                (ImportAction::Created, _) => {
                    removed.entry(item.kind).or_default().push(item.record_id);
                }
                (ImportAction::Updated, Some((_, before))) if !untouched => {
                    self.restore_contact(session, item.record_id, before)
                        .await?;
                    restored += 1;
                }
                (ImportAction::Updated, _) => {}
            }
        }
        for kind in [
            RecordKind::Interaction,
            RecordKind::Contact,
            RecordKind::Company,
        ] {
            if let Some(ids) = removed.get(&kind) {
                self.store.purge_records(kind, ws, ids).await?;
            }
        }
        Ok(json!({
            "restored": restored,
            "removed": removed.values().map(Vec::len).sum::<usize>(),
            "changed_since_import": changed_since,
        }))
    }

    /// Puts a contact's data back as it was, as one more change in its history.
    async fn restore_contact(
        &self,
        session: &Session,
        id: Uuid,
        before: &Value,
    ) -> Result<(), AppError> {
        let data: temas_core::contact::ContactData = serde_json::from_value(before.clone())
            .map_err(|e| AppError::Internal(format!("journal of contact {id}: {e}")))?;
        let mut patch = serde_json::to_value(Contact::to_input(&data))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        // Custom values the import added are removed: a merge patch removes what it sets to null.
        let now: Contact = self.get(session, id).await?;
        if let Some(custom) = patch.get_mut("custom").and_then(Value::as_object_mut) {
            for key in now.data.custom.keys() {
                custom.entry(key.clone()).or_insert(Value::Null);
            }
        }
        self.patch::<Contact>(session, id, &patch, None).await?;
        Ok(())
    }
}

impl Run<'_> {
    fn active_status(&self) -> &'static str {
        if self.req.dry_run {
            "checking"
        } else {
            "running"
        }
    }

    fn fail(&mut self, row: u64, field: &str, reason: String) {
        self.summary.failed += 1;
        let problem = RowProblem {
            row,
            field: field.to_owned(),
            reason,
        };
        if self.summary.failed_rows.len() < PROBLEM_SAMPLES {
            self.summary.failed_rows.push(problem.clone());
        }
        self.failures.push(problem);
    }

    /// Notes the match keys of a row imported before an interruption, so later rows with the same keys are still
    /// reported as duplicates inside the file.
    fn remember(&mut self, row: SourceRow, ctx: &temas_core::contact::ValidationContext) {
        let Ok((number, cells)) = row else { return };
        let Ok(mapped) = map_row(&self.req.targets, &self.req.headers, &cells, &self.ctx) else {
            return;
        };
        if let Ok(data) = Contact::validate(mapped.input.clone(), ctx, None) {
            for k in self.keys(&mapped.input, &data) {
                self.seen.entry(key_hash(&k)).or_insert(number);
            }
        }
    }

    async fn save(&self, status: &str) -> Result<(), AppError> {
        let run = ImportRun {
            id: self.req.id,
            entity: "contacts".into(),
            file_name: self.req.file_name.clone(),
            status: status.into(),
            summary: serde_json::to_value(&self.summary)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            job: self.req.job.clone(),
            created_by: self.session.user.id,
            created_at: self.started,
            updated_at: temas_core::time::now(),
        };
        self.app
            .store
            .save_import(self.session.workspace.id, &run)
            .await?;
        Ok(())
    }

    /// The keys a row is matched on (and checked for duplicates inside the file).
    fn keys(&self, input: &ContactInput, data: &temas_core::contact::ContactData) -> Vec<String> {
        match self.req.match_on {
            MatchOn::Nothing => Vec::new(),
            MatchOn::ExternalId => input
                .external_id
                .iter()
                .map(|e| e.trim().to_owned())
                .collect(),
            MatchOn::Email => data
                .points
                .emails
                .iter()
                .map(|e| e.normalized.clone())
                .collect(),
            MatchOn::Phone => data
                .points
                .phones
                .iter()
                .map(|p| national_of_e164(&p.e164).to_owned())
                .collect(),
        }
    }

    async fn batch(&mut self, rows: Vec<SourceRow>) -> Result<(), AppError> {
        if rows.is_empty() {
            return Ok(());
        }
        let ctx = self.session.validation(self.app, Entity::Contact).await?;
        let mut ready: Vec<Ready> = Vec::with_capacity(rows.len());
        for row in rows {
            self.summary.rows += 1;
            let (number, cells) = match row {
                Ok(r) => r,
                Err((number, reason)) => {
                    self.fail(number, "", reason);
                    continue;
                }
            };
            let mapped: MappedRow =
                match map_row(&self.req.targets, &self.req.headers, &cells, &self.ctx) {
                    Ok(m) => m,
                    Err(errors) => {
                        for e in errors.0 {
                            self.fail(number, &e.field, e.message);
                        }
                        continue;
                    }
                };
            if mapped.is_empty() {
                self.summary
                    .skip(number, "no name, email, phone or company");
                continue;
            }
            let data = match Contact::validate(mapped.input.clone(), &ctx, None) {
                Ok(d) => d,
                Err(errors) => {
                    for e in errors.0 {
                        self.fail(number, &e.field, e.message);
                    }
                    continue;
                }
            };
            let keys = self.keys(&mapped.input, &data);
            if let Some(first) = keys.iter().find_map(|k| self.seen.get(&key_hash(k))) {
                self.summary.skipped += 1;
                let reason =
                    format!("the same {:?} as row {first}", self.req.match_on).to_lowercase();
                self.summary.duplicate(number, "", reason);
                continue;
            }
            for k in &keys {
                self.seen.insert(key_hash(k), number);
            }
            ready.push(Ready {
                row: number,
                input: mapped.input,
                data,
                company_key: mapped.company.as_deref().map(search_key),
                company: mapped.company,
                keys,
                interactions: mapped.interactions,
            });
        }
        let ready = self.without_taken_external_ids(ready).await?;
        let existing = self.existing(&ready).await?;
        self.count_likely_duplicates(&ready).await?;
        self.add_companies(&ready).await?;
        let mut creates: Vec<(u64, NewRecord)> = Vec::new();
        let mut updates: Vec<(u64, temas_store::StoredRecord, Value)> = Vec::new();
        let mut logs: Vec<ContactLogs> = Vec::new();
        for mut r in ready {
            let company = r
                .company_key
                .take()
                .and_then(|key| self.companies.get(&key).copied())
                .filter(|id| !id.0.is_nil());
            if let Some(id) = company {
                let link = CompanyLink {
                    company_id: id,
                    role: "employee".into(),
                };
                r.input.companies.push(link.clone());
                r.data.companies.push(link);
            }
            match r.keys.iter().find_map(|k| existing.get(k)) {
                Some((_, false)) => self.fail(r.row, "", "matches a contact you cannot see".into()),
                Some((record, true)) => {
                    let patch = update_patch(&record.data, &r.input)?;
                    logs.push((r.row, record.id, r.interactions));
                    updates.push((r.row, record.clone(), patch));
                }
                None => {
                    let record = self
                        .app
                        .prepare_validated::<Contact>(self.session, r.data, false)
                        .await?;
                    logs.push((r.row, record.id, r.interactions));
                    creates.push((r.row, record));
                }
            }
        }
        self.create(creates).await?;
        let failed = self.update(updates).await?;
        logs.retain(|(row, _, items)| !items.is_empty() && !failed.contains(row));
        self.log_interactions(logs).await?;
        if !self.failures.is_empty() {
            let failures = std::mem::take(&mut self.failures);
            self.app
                .store
                .add_import_errors(
                    self.session.workspace.id,
                    self.req.id,
                    self.summary.error_seq + 1,
                    &failures,
                )
                .await?;
            self.summary.error_seq += failures.len() as i64;
        }
        Ok(())
    }

    /// Writes the journal entries noted so far: before the records they describe, so that whatever an
    /// interrupted batch wrote is known and can be undone.
    async fn write_journal(&mut self) -> Result<(), AppError> {
        if self.journal.is_empty() {
            return Ok(());
        }
        let journal = std::mem::take(&mut self.journal);
        self.app
            .store
            .add_import_items(self.session.workspace.id, self.req.id, &journal)
            .await?;
        Ok(())
    }

    /// Unless rows are matched on it, an external id must be new: one that a contact already has, or that an
    /// earlier row brought, fails the row (it would collide when written).
    async fn without_taken_external_ids(
        &mut self,
        ready: Vec<Ready>,
    ) -> Result<Vec<Ready>, AppError> {
        if self.req.match_on == MatchOn::ExternalId {
            return Ok(ready);
        }
        let ids: Vec<String> = ready
            .iter()
            .filter_map(|r| r.data.external_id.clone())
            .collect();
        if ids.is_empty() {
            return Ok(ready);
        }
        let taken: std::collections::HashSet<String> = self
            .app
            .store
            .records_by_external_id(RecordKind::Contact, &self.session.viewer, &ids)
            .await?
            .into_iter()
            .filter_map(|(r, _)| Some(r.data.get("external_id")?.as_str()?.to_owned()))
            .collect();
        let mut kept = Vec::with_capacity(ready.len());
        for r in ready {
            match &r.data.external_id {
                Some(id) if taken.contains(id) => self.fail(
                    r.row,
                    "external_id",
                    "already used by another contact; match on external_id to update it".into(),
                ),
                Some(id) => match self.external_ids.entry(key_hash(id)) {
                    Entry::Occupied(first) => {
                        let first = *first.get();
                        self.fail(r.row, "external_id", format!("the same as row {first}"));
                    }
                    Entry::Vacant(slot) => {
                        slot.insert(r.row);
                        kept.push(r);
                    }
                },
                None => kept.push(r),
            }
        }
        Ok(kept)
    }

    /// Existing contacts the rows match, by key, with whether the user may see each.
    async fn existing(
        &self,
        ready: &[Ready],
    ) -> Result<HashMap<String, (temas_store::StoredRecord, bool)>, AppError> {
        let keys: Vec<String> = ready.iter().flat_map(|r| r.keys.iter().cloned()).collect();
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let viewer = &self.session.viewer;
        let store = &self.app.store;
        Ok(match self.req.match_on {
            MatchOn::Nothing => HashMap::new(),
            MatchOn::ExternalId => store
                .records_by_external_id(RecordKind::Contact, viewer, &keys)
                .await?
                .into_iter()
                .filter_map(|(r, visible)| {
                    let key = r.data.get("external_id")?.as_str()?.to_owned();
                    Some((key, (r, visible)))
                })
                .collect(),
            MatchOn::Email | MatchOn::Phone => store
                .records_by_terms(RecordKind::Contact, viewer, &keys)
                .await?
                .into_iter()
                .map(|(term, r, visible)| (term, (r, visible)))
                .collect(),
        })
    }

    /// Counts rows that will become new contacts although their email already belongs to one.
    async fn count_likely_duplicates(&mut self, ready: &[Ready]) -> Result<(), AppError> {
        if matches!(self.req.match_on, MatchOn::Email) {
            return Ok(());
        }
        let emails: Vec<String> = ready
            .iter()
            .flat_map(|r| r.data.points.emails.iter().map(|e| e.normalized.clone()))
            .collect();
        if emails.is_empty() {
            return Ok(());
        }
        let found = self
            .app
            .store
            .records_by_terms(RecordKind::Contact, &self.session.viewer, &emails)
            .await?;
        let known: std::collections::HashSet<String> =
            found.into_iter().map(|(t, _, _)| t).collect();
        for r in ready {
            if r.data
                .points
                .emails
                .iter()
                .any(|e| known.contains(&e.normalized))
            {
                self.summary.likely_duplicates += 1;
                let reason = "a contact with this email already exists".to_owned();
                self.summary.duplicate(r.row, "email", reason);
            }
        }
        Ok(())
    }

    /// Makes sure every company the rows name is known: the workspace's companies are read once (by normalised
    /// name), and those still missing are created together (in a dry run only counted, under the nil id).
    async fn add_companies(&mut self, ready: &[Ready]) -> Result<(), AppError> {
        if ready.iter().all(|r| r.company.is_none()) {
            return Ok(());
        }
        if !self.companies_loaded {
            self.companies_loaded = true;
            let mut params = crate::records::ListParams {
                limit: Some(500),
                ..Default::default()
            };
            loop {
                let page = self.app.list::<Company>(self.session, &params).await?;
                for c in page.items {
                    self.companies
                        .entry(search_key(&c.data.name))
                        .or_insert(c.id);
                }
                match page.next_cursor {
                    Some(next) => params.cursor = Some(next),
                    None => break,
                }
            }
        }
        let mut missing: HashMap<String, &str> = HashMap::new();
        for r in ready {
            if let (Some(name), Some(key)) = (r.company.as_deref(), r.company_key.as_ref())
                && !self.companies.contains_key(key)
            {
                missing.entry(key.clone()).or_insert(name);
            }
        }
        self.summary.companies_created += missing.len() as u64;
        if self.req.dry_run {
            for key in missing.into_keys() {
                self.companies.insert(key, CompanyId(Uuid::nil()));
            }
            return Ok(());
        }
        let ctx = self.session.validation(self.app, Entity::Company).await?;
        let mut records = Vec::with_capacity(missing.len());
        for (key, name) in missing {
            let input = CompanyInput {
                name: Some(name.to_owned()),
                ..CompanyInput::default()
            };
            let record = self
                .app
                .prepare_new::<Company>(self.session, &ctx, input, false)
                .await?;
            self.companies.insert(key, CompanyId(record.id));
            self.record(
                RecordKind::Company,
                record.id,
                ImportAction::Created,
                None,
                1,
            );
            records.push(record);
        }
        if !records.is_empty() {
            self.write_journal().await?;
            self.app
                .store
                .insert_records(RecordKind::Company, &self.session.viewer, records)
                .await?;
        }
        Ok(())
    }

    fn record(
        &mut self,
        kind: RecordKind,
        id: Uuid,
        action: ImportAction,
        before: Option<(i64, Value)>,
        after: i64,
    ) {
        self.summary.journal_seq += 1;
        self.journal.push(ImportItem {
            seq: self.summary.journal_seq,
            kind,
            record_id: id,
            action,
            before,
            after_version: after,
        });
    }

    async fn create(&mut self, creates: Vec<(u64, NewRecord)>) -> Result<(), AppError> {
        if creates.is_empty() {
            return Ok(());
        }
        for (row, _) in &creates {
            if self.summary.created_samples.len() < SAMPLES {
                self.summary.created_samples.push(*row);
            }
        }
        self.summary.created += creates.len() as u64;
        if self.req.dry_run {
            return Ok(());
        }
        let records: Vec<NewRecord> = creates.into_iter().map(|(_, r)| r).collect();
        for r in &records {
            self.record(RecordKind::Contact, r.id, ImportAction::Created, None, 1);
        }
        self.write_journal().await?;
        self.app
            .store
            .insert_records(RecordKind::Contact, &self.session.viewer, records)
            .await?;
        Ok(())
    }

    /// Applies rows to the contacts they matched, each update journalled (with the data it replaces) before it is
    /// made. An update that fails stays in the journal; a rollback sees the contact unchanged and leaves it.
    /// Returns the rows whose update failed.
    async fn update(
        &mut self,
        updates: Vec<(u64, temas_store::StoredRecord, Value)>,
    ) -> Result<Vec<u64>, AppError> {
        for (row, _, _) in &updates {
            if self.summary.updated_samples.len() < SAMPLES {
                self.summary.updated_samples.push(*row);
            }
        }
        self.summary.updated += updates.len() as u64;
        let mut failed = Vec::new();
        if self.req.dry_run || updates.is_empty() {
            return Ok(failed);
        }
        for (_, record, _) in &updates {
            let before = Some((record.version, record.data.clone()));
            let after = record.version + 1;
            self.record(
                RecordKind::Contact,
                record.id,
                ImportAction::Updated,
                before,
                after,
            );
        }
        self.write_journal().await?;
        for (row, record, patch) in updates {
            let outcome: Result<Contact, AppError> = self
                .app
                .patch(self.session, record.id, &patch, Some(record.version))
                .await;
            match outcome {
                Ok(_) => {}
                Err(AppError::Invalid(errors)) => {
                    self.summary.updated -= 1;
                    failed.push(row);
                    for e in errors.0 {
                        self.fail(row, &e.field, e.message);
                    }
                }
                Err(AppError::VersionMismatch { .. }) => {
                    self.summary.updated -= 1;
                    failed.push(row);
                    self.fail(
                        row,
                        "",
                        "the contact was changed by someone else during the import; import the row again".into(),
                    );
                }
                Err(e) => return Err(e),
            }
        }
        Ok(failed)
    }

    /// Logs the interactions the rows bring on their contacts' timelines (journalled first, like contacts).
    async fn log_interactions(&mut self, logs: Vec<ContactLogs>) -> Result<(), AppError> {
        let count: usize = logs.iter().map(|(_, _, items)| items.len()).sum();
        self.summary.interactions_created += count as u64;
        if self.req.dry_run || count == 0 {
            return Ok(());
        }
        let ctx = self
            .session
            .validation(self.app, Entity::Interaction)
            .await?;
        let mut records = Vec::with_capacity(count);
        for (row, contact, items) in logs {
            for item in items {
                let input = InteractionInput {
                    channel: Some(item.channel.to_owned()),
                    subject: Some(item.subject),
                    body: Some(item.body),
                    contact_ids: vec![temas_core::ids::ContactId(contact)],
                    ..InteractionInput::default()
                };
                match self
                    .app
                    .prepare_new::<Interaction>(self.session, &ctx, input, false)
                    .await
                {
                    Ok(record) => {
                        self.record(
                            RecordKind::Interaction,
                            record.id,
                            ImportAction::Created,
                            None,
                            1,
                        );
                        records.push(record);
                    }
                    Err(AppError::Invalid(errors)) => {
                        self.summary.interactions_created -= 1;
                        for e in errors.0 {
                            self.fail(row, &e.field, e.message);
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        if records.is_empty() {
            return Ok(());
        }
        self.write_journal().await?;
        self.app
            .store
            .insert_records(RecordKind::Interaction, &self.session.viewer, records)
            .await?;
        Ok(())
    }
}

/// The merge patch a row makes to the contact it matched: values in the row replace the contact's; emails,
/// phones, handles, tags and company links are added to the ones it has.
fn update_patch(current: &Value, input: &ContactInput) -> Result<Value, AppError> {
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
fn key_hash(key: &str) -> u64 {
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
