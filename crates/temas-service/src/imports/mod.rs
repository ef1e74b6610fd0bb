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
use temas_core::contact::{Company, CompanyInput, CompanyLink, Contact};
use temas_core::custom::Entity;
use temas_core::ids::CompanyId;
use temas_core::import::{DateOrder, RowContext, RowInteraction, Target};
use temas_core::interaction::{Interaction, InteractionInput};
use temas_core::normalize::search_key;
pub use temas_store::RowProblem;
use temas_store::{ImportAction, ImportItem, ImportRun, NewRecord, RecordKind, Uuid};

mod merge;
mod prepare;
mod probable;
mod rollback;
mod run;

use prepare::RowRules;
use run::Run;

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
    /// A custom field of contacts holding text (a customer number from another system, a national id, …).
    Custom(String),
}

impl MatchOn {
    /// `none`, `external_id`, `email`, `phone` or `custom:KEY` (also `custom.KEY`).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "" | "none" => MatchOn::Nothing,
            "external_id" => MatchOn::ExternalId,
            "email" => MatchOn::Email,
            "phone" => MatchOn::Phone,
            other => {
                let key = other
                    .strip_prefix("custom:")
                    .or_else(|| other.strip_prefix("custom."))?;
                if !temas_core::custom::is_valid_key(key) {
                    return None;
                }
                MatchOn::Custom(key.to_owned())
            }
        })
    }

    /// How messages about duplicates name the key.
    pub fn name(&self) -> String {
        match self {
            MatchOn::Nothing => "nothing".into(),
            MatchOn::ExternalId => "external id".into(),
            MatchOn::Email => "email".into(),
            MatchOn::Phone => "phone".into(),
            MatchOn::Custom(key) => key.clone(),
        }
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
    /// For an import run as a job: set when another worker has taken the job over, to stop before the next batch.
    pub taken_over: Option<crate::jobs::TakenOver>,
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
    /// Rows that would create a contact although one probably exists already: the same email (when rows are not
    /// matched on it), or, in a dry run, a probable duplicate by the duplicate engine.
    pub likely_duplicates: u64,
    /// In a dry run, rows that probably duplicate an earlier row of the file (beyond the exact repeats of the
    /// match key, which are skipped).
    pub probable_duplicates_in_file: u64,
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

    /// A custom field to match on must be a field of contacts that holds text; it gets an index, so that each batch
    /// finds its matches without reading the whole base.
    pub(crate) async fn check_match_key(
        &self,
        session: &Session,
        match_on: &MatchOn,
    ) -> Result<(), AppError> {
        use temas_core::custom::FieldKind;
        let MatchOn::Custom(key) = match_on else {
            return Ok(());
        };
        let def = self
            .store
            .custom_fields(session.workspace.id)
            .await?
            .into_iter()
            .find(|d| d.entity == Entity::Contact && d.key == *key);
        let fail = |why: String| -> AppError {
            temas_core::FieldErrors::single("match_on", "unusable_key", why).into()
        };
        match def.map(|d| d.kind) {
            None => Err(fail(format!("contacts have no custom field {key}"))),
            Some(
                FieldKind::Text
                | FieldKind::Email
                | FieldKind::Phone
                | FieldKind::Url
                | FieldKind::SingleSelect,
            ) => {
                let field = temas_core::filter::FilterField::Custom(key.clone());
                self.store
                    .ensure_field_index(RecordKind::Contact, &[field])
                    .await?;
                Ok(())
            }
            Some(_) => Err(fail(format!(
                "{key} does not hold text; match on a text field"
            ))),
        }
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
        self.check_match_key(session, &req.match_on).await?;
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
        let rules = RowRules {
            targets: req.targets.clone(),
            headers: req.headers.clone(),
            row_context: row_context(session),
            contact: session.validation(self, Entity::Contact).await?,
            match_on: req.match_on.clone(),
        };
        let mut run = Run {
            app: self,
            session,
            req,
            rules: std::sync::Arc::new(rules),
            summary: resume.clone().unwrap_or(fresh),
            seen: HashMap::new(),
            incoming: Vec::new(),
            likely_rows: std::collections::HashSet::new(),
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
        let mut batch: Vec<SourceRow> = Vec::with_capacity(BATCH_ROWS);
        let mut rows = rows.peekable();
        while let Some(row) = rows.next() {
            if replayed < skip {
                // Rows imported before the interruption: only their keys are needed, to find duplicates of them.
                replayed += 1;
                run.remember(row);
                continue;
            }
            batch.push(row);
            if batch.len() < BATCH_ROWS && rows.peek().is_some() {
                continue;
            }
            let rows = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
            run.write_batch(rows, progress).await?;
        }
        if req.dry_run {
            run.flag_probable_duplicates().await?;
        } else {
            run.summary.id = Some(req.id);
        }
        let status = if req.dry_run { "checked" } else { "committed" };
        run.save(status).await?;
        Ok(run.summary)
    }
}
