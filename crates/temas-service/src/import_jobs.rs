//! Imports through the API and the web app. The file is uploaded and kept in the database in parts (so that any
//! node can read it), previewed with a guessed mapping, then checked (dry run) or committed by a background job.
//! The job saves a checkpoint after every batch; a job whose worker died is claimed again and goes on from there.
//! Rollbacks run as jobs too. The worker that runs jobs is in `jobs.rs`.

use crate::imports::{ImportRequest, ImportSummary, MatchOn, SourceRow};
use crate::{App, AppError, Session};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::path::Path;
use temas_core::FieldErrors;
use temas_core::ids::{UserId, WorkspaceId};
use temas_core::import::Target;
use temas_store::{ImportRun, Job, RowProblem, Uuid};

/// The size of the parts an upload is stored in.
pub const FILE_PART_BYTES: usize = 1 << 20;
/// How many rows the mapping guess looks at, and how many the preview shows.
const SAMPLE_ROWS: usize = 50;
const PREVIEW_ROWS: usize = 5;
pub const JOB_IMPORT: &str = "import";
pub const JOB_ROLLBACK: &str = "import_rollback";
/// Claims of one job beyond which it is given up (a file that kills the worker every time).
const MAX_ATTEMPTS: i64 = 5;

/// What an uploaded import is: how its file reads, and how it is to be imported.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ImportJob {
    /// The workbook sheet read (the first when none was chosen).
    pub sheet: Option<String>,
    /// A workbook's sheets; empty for CSV and TSV.
    pub sheets: Vec<String>,
    /// How the file was read: encoding and delimiter, or workbook and sheet.
    pub format: String,
    pub size: u64,
    pub headers: Vec<String>,
    /// The first rows, as read.
    pub preview: Vec<Vec<String>>,
    /// The field each column feeds, one per header (`ignore` for none): guessed at upload, then as chosen.
    pub mapping: Vec<String>,
    /// `none`, `external_id`, `email`, `phone` or `custom:KEY`.
    pub match_on: String,
    pub dry_run: bool,
    /// The earlier import of a file with the same columns whose mapping and key this one starts from, if any.
    pub mapping_from: Option<Uuid>,
}

/// An import as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportView {
    pub id: Uuid,
    pub file_name: String,
    /// `uploaded`, `checking`, `checked`, `running`, `committed`, `rolling_back`, `rolled_back` or `failed`.
    pub status: String,
    #[serde(flatten)]
    pub job: ImportJob,
    /// Counts, samples and the first failed rows; for a run under way, as of its last batch.
    pub summary: ImportSummary,
    /// What a rollback did: records restored and removed, and those changed since the import.
    pub rollback: Option<Value>,
    #[schema(value_type = String, format = Uuid)]
    pub created_by: UserId,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl ImportView {
    fn of(run: ImportRun) -> Self {
        ImportView {
            id: run.id,
            file_name: run.file_name,
            status: run.status,
            job: serde_json::from_value(run.job).unwrap_or_default(),
            rollback: run.summary.get("rollback").cloned(),
            summary: serde_json::from_value(run.summary).unwrap_or_default(),
            created_by: run.created_by,
            created_at: run.created_at,
            updated_at: run.updated_at,
        }
    }

    /// Whether it wrote to the base (a commit, finished or cut short).
    pub fn wrote(&self) -> bool {
        self.summary.journal_seq > 0 && !self.summary.dry_run
    }

    /// Whether it may be checked or committed (again): uploaded, checked, or failed before writing anything.
    pub fn can_run(&self) -> bool {
        matches!(self.status.as_str(), "uploaded" | "checked")
            || (self.status == "failed" && !self.wrote())
    }

    /// Whether it may be rolled back: committed, or failed after writing.
    pub fn can_roll_back(&self) -> bool {
        self.status == "committed" || (self.status == "failed" && self.wrote())
    }

    /// Whether a background job is working on it.
    pub fn is_active(&self) -> bool {
        matches!(
            self.status.as_str(),
            "checking" | "running" | "rolling_back"
        )
    }
}

/// How to run an uploaded import.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StartImport {
    /// Columns whose field differs from the guess: `{"Header": "field"}` (see the import docs for fields).
    pub mapping: BTreeMap<String, String>,
    /// `none` (default), `external_id`, `email`, `phone` or `custom:KEY` (a custom field holding text).
    pub match_on: Option<String>,
    pub dry_run: bool,
}

fn invalid(field: &str, code: &str, message: String) -> AppError {
    FieldErrors::single(field, code, message).into()
}

fn unreadable(file_name: &str, e: temas_import::ReadError) -> AppError {
    let place = match (e.row, e.column) {
        (0, _) => String::new(),
        (r, None) => format!("row {r}: "),
        (r, Some(c)) => format!("row {r}, column {c}: "),
    };
    invalid(
        "file",
        "unreadable",
        format!("{file_name}: {place}{}", e.reason),
    )
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

impl App {
    /// Keeps an uploaded file (at `path`) as a new import, reads its header and first rows and guesses the
    /// mapping. Nothing is imported yet.
    pub async fn upload_import(
        &self,
        session: &Session,
        file_name: &str,
        sheet: Option<&str>,
        path: &Path,
    ) -> Result<ImportView, AppError> {
        session.require_write()?;
        let file_name = Path::new(file_name)
            .file_name()
            .map_or_else(|| "upload".to_owned(), |n| n.to_string_lossy().into_owned());
        let sheets = temas_import::sheets(path).map_err(|e| unreadable(&file_name, e))?;
        let table = temas_import::open(path, sheet).map_err(|e| unreadable(&file_name, e))?;
        let headers = table.headers.clone();
        let format = table.format.to_string();
        let samples: Vec<Vec<String>> = table
            .take(SAMPLE_ROWS)
            .filter_map(Result::ok)
            .map(|r| r.cells)
            .collect();
        let ws = session.workspace.id;
        // A file with the same columns as one imported before is mapped as that one was.
        let earlier = self
            .store
            .import_runs(ws, 100)
            .await?
            .into_iter()
            .filter(|r| matches!(r.status.as_str(), "checked" | "committed" | "rolled_back"))
            .filter_map(|r| Some((r.id, serde_json::from_value::<ImportJob>(r.job).ok()?)))
            .find(|(_, j)| j.headers == headers && j.mapping.len() == headers.len());
        let (mapping, match_on, mapping_from) = match earlier {
            Some((id, j)) => (j.mapping, j.match_on, Some(id)),
            None => {
                let guess = self.suggest_mapping(session, &headers, &samples).await?;
                (
                    guess.into_iter().map(String::from).collect(),
                    "none".into(),
                    None,
                )
            }
        };
        let id = Uuid::now_v7();
        let mut file = std::fs::File::open(path).map_err(internal)?;
        let mut size = 0u64;
        let mut buf = vec![0u8; FILE_PART_BYTES];
        for part in 0.. {
            let n = read_full(&mut file, &mut buf).map_err(internal)?;
            if n == 0 {
                break;
            }
            size += n as u64;
            self.store
                .add_import_file_part(ws, id, part, &buf[..n])
                .await?;
        }
        let job = ImportJob {
            sheet: sheet.map(str::to_owned),
            sheets,
            format,
            size,
            headers,
            preview: samples.into_iter().take(PREVIEW_ROWS).collect(),
            mapping,
            match_on,
            dry_run: true,
            mapping_from,
        };
        let now = temas_core::time::now();
        let run = ImportRun {
            id,
            entity: "contacts".into(),
            file_name,
            status: "uploaded".into(),
            summary: Value::Object(Default::default()),
            job: serde_json::to_value(&job).map_err(internal)?,
            created_by: session.user.id,
            created_at: now,
            updated_at: now,
        };
        self.store.save_import(ws, &run).await?;
        Ok(ImportView::of(run))
    }

    /// The workspace's latest imports (a user who is not an admin sees their own).
    pub async fn imports(&self, session: &Session) -> Result<Vec<ImportView>, AppError> {
        let runs = self.store.import_runs(session.workspace.id, 100).await?;
        Ok(runs
            .into_iter()
            .filter(|r| session.user.role.is_admin() || r.created_by == session.user.id)
            .map(ImportView::of)
            .collect())
    }

    pub async fn import(&self, session: &Session, id: Uuid) -> Result<ImportView, AppError> {
        Ok(ImportView::of(self.own_import(session, id).await?))
    }

    async fn own_import(&self, session: &Session, id: Uuid) -> Result<ImportRun, AppError> {
        let run = self
            .store
            .import_run(session.workspace.id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if session.user.role.is_admin() || run.created_by == session.user.id {
            Ok(run)
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Checks (dry run) or commits an uploaded import in the background, with the mapping as chosen.
    pub async fn start_import(
        &self,
        session: &Session,
        id: Uuid,
        start: StartImport,
    ) -> Result<ImportView, AppError> {
        session.require_write()?;
        let mut run = self.own_import(session, id).await?;
        let view = ImportView::of(run.clone());
        if !view.can_run() {
            return Err(if view.status == "failed" {
                invalid(
                    "status",
                    "roll_back_first",
                    "this import stopped part-way; roll it back before running it again".into(),
                )
            } else {
                invalid(
                    "status",
                    "not_allowed",
                    format!("this import is {}; it cannot be run again", view.status),
                )
            });
        }
        let mut job: ImportJob = serde_json::from_value(run.job.clone()).unwrap_or_default();
        let mut errors = FieldErrors::default();
        for header in start.mapping.keys() {
            if !job.headers.contains(header) {
                errors.add(
                    format!("mapping.{header}"),
                    "unknown_column",
                    format!("the file has no column {header:?}"),
                );
            }
        }
        for (i, header) in job.headers.iter().enumerate() {
            if let Some(field) = start.mapping.get(header) {
                match Target::try_from(field.clone()) {
                    Ok(t) => job.mapping[i] = String::from(t),
                    Err(e) => errors.add(format!("mapping.{header}"), "unknown_field", e),
                }
            }
        }
        let match_on = start.match_on.unwrap_or_else(|| "none".into());
        let key = MatchOn::parse(&match_on);
        if key.is_none() {
            errors.add(
                "match_on",
                "unknown_key",
                format!("{match_on}: use none, external_id, email, phone or custom:KEY"),
            );
        }
        errors.into_result(())?;
        if let Some(key) = &key {
            self.check_match_key(session, key).await?;
        }
        job.match_on = match_on;
        job.dry_run = start.dry_run;
        run.status = if start.dry_run { "checking" } else { "running" }.into();
        run.summary = Value::Object(Default::default());
        run.job = serde_json::to_value(&job).map_err(internal)?;
        run.updated_at = temas_core::time::now();
        self.store.save_import(session.workspace.id, &run).await?;
        self.store
            .enqueue_job(session.workspace.id, JOB_IMPORT, id)
            .await?;
        Ok(ImportView::of(run))
    }

    /// Rolls a committed import back in the background.
    pub async fn request_rollback(
        &self,
        session: &Session,
        id: Uuid,
    ) -> Result<ImportView, AppError> {
        session.require_write()?;
        let mut run = self.own_import(session, id).await?;
        if !ImportView::of(run.clone()).can_roll_back() {
            return Err(invalid(
                "status",
                "not_committed",
                format!("this import is {}, not committed", run.status),
            ));
        }
        run.status = "rolling_back".into();
        run.updated_at = temas_core::time::now();
        self.store.save_import(session.workspace.id, &run).await?;
        self.store
            .enqueue_job(session.workspace.id, JOB_ROLLBACK, id)
            .await?;
        Ok(ImportView::of(run))
    }

    /// Every failed row of an import, in file order, with its reasons joined.
    pub async fn import_failures(
        &self,
        session: &Session,
        id: Uuid,
    ) -> Result<HashMap<u64, Vec<String>>, AppError> {
        self.own_import(session, id).await?;
        let mut reasons: HashMap<u64, Vec<String>> = HashMap::new();
        let mut after = 0;
        loop {
            let page = self
                .store
                .import_errors(session.workspace.id, id, after, 5000)
                .await?;
            let Some((last, _)) = page.last() else { break };
            after = *last;
            for (_, p) in page {
                reasons.entry(p.row).or_default().push(describe(&p));
            }
        }
        Ok(reasons)
    }

    /// Writes the error report of an uploaded import: its failed rows as they were in the file, each with the
    /// reason in a last column (UTF-8 CSV with a BOM, for Excel).
    pub async fn write_import_errors(
        &self,
        session: &Session,
        id: Uuid,
        out: &mut (dyn Write + Send),
    ) -> Result<(), AppError> {
        let run = self.own_import(session, id).await?;
        let job: ImportJob = serde_json::from_value(run.job).unwrap_or_default();
        let reasons = self.import_failures(session, id).await?;
        let file = self.fetch_upload(session.workspace.id, id).await?;
        let table = temas_import::open(file.path(), job.sheet.as_deref())
            .map_err(|e| unreadable(&run.file_name, e))?;
        write_error_report(table, &reasons, out).map_err(internal)
    }

    /// Copies an upload out of the database into a temporary file.
    async fn fetch_upload(
        &self,
        ws: WorkspaceId,
        id: Uuid,
    ) -> Result<tempfile::NamedTempFile, AppError> {
        let mut file = tempfile::NamedTempFile::new().map_err(internal)?;
        let mut part = 0;
        while let Some(bytes) = self.store.import_file_part(ws, id, part).await? {
            file.write_all(&bytes).map_err(internal)?;
            part += 1;
        }
        if part == 0 {
            return Err(AppError::Internal(format!(
                "import {id}: its file is not kept"
            )));
        }
        file.flush().map_err(internal)?;
        Ok(file)
    }

    /// Runs a claimed import or rollback job.
    pub(crate) async fn run_import_job(
        &self,
        job: &Job,
        taken_over: &crate::jobs::TakenOver,
    ) -> Result<(), AppError> {
        let ws = job.workspace_id;
        let Some(run) = self.store.import_run(ws, job.subject_id).await? else {
            return Err(AppError::Internal(format!(
                "job {}: import {} is gone",
                job.id, job.subject_id
            )));
        };
        let user =
            self.store.user(ws, run.created_by).await?.ok_or_else(|| {
                AppError::Internal(format!("import {}: its user is gone", run.id))
            })?;
        let session = self.session_of(user).await?;
        let given_up = job.attempts > MAX_ATTEMPTS;
        let outcome = match job.kind.as_str() {
            _ if given_up => Err(AppError::Internal(format!(
                "stopped after {MAX_ATTEMPTS} attempts"
            ))),
            JOB_IMPORT if matches!(run.status.as_str(), "checking" | "running") => {
                self.run_import(&session, run.clone(), taken_over).await
            }
            JOB_ROLLBACK if run.status == "rolling_back" => {
                self.rollback_import(&session, run.id).await.map(|_| ())
            }
            // Already finished: nothing to do.
            _ => Ok(()),
        };
        // A job another worker took over is that worker's to finish.
        if let Err(e) = &outcome
            && !taken_over.is_set()
        {
            self.mark_failed(&session, run.id, job.kind == JOB_ROLLBACK, e)
                .await?;
        }
        outcome
    }

    /// Records why a job stopped on its import: a failed rollback leaves the import committed.
    async fn mark_failed(
        &self,
        session: &Session,
        id: Uuid,
        rollback: bool,
        e: &AppError,
    ) -> Result<(), AppError> {
        let ws = session.workspace.id;
        let Some(mut run) = self.store.import_run(ws, id).await? else {
            return Ok(());
        };
        run.status = if rollback { "committed" } else { "failed" }.into();
        if let Some(summary) = run.summary.as_object_mut() {
            summary.insert("error".into(), Value::String(e.to_string()));
        }
        run.updated_at = temas_core::time::now();
        self.store.save_import(ws, &run).await?;
        Ok(())
    }

    /// Checks or commits an import from its checkpoint, reading its file on a blocking thread.
    async fn run_import(
        &self,
        session: &Session,
        run: ImportRun,
        taken_over: &crate::jobs::TakenOver,
    ) -> Result<(), AppError> {
        let job: ImportJob = serde_json::from_value(run.job.clone()).map_err(internal)?;
        let checkpoint: ImportSummary =
            serde_json::from_value(run.summary.clone()).unwrap_or_default();
        let targets = job
            .mapping
            .iter()
            .map(|t| Target::try_from(t.clone()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(AppError::Internal)?;
        let match_on = MatchOn::parse(&job.match_on)
            .ok_or_else(|| AppError::Internal(format!("match on {}", job.match_on)))?;
        let file = self.fetch_upload(session.workspace.id, run.id).await?;
        let req = ImportRequest {
            id: run.id,
            file_name: run.file_name.clone(),
            format: job.format.clone(),
            headers: job.headers.clone(),
            targets,
            match_on,
            dry_run: job.dry_run,
            job: run.job.clone(),
            resume: Some(checkpoint).filter(|c| c.rows > 0),
            taken_over: Some(taken_over.clone()),
        };
        let app = self.clone();
        let session = session.clone();
        let handle = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            let table = temas_import::open(file.path(), job.sheet.as_deref())
                .map_err(|e| unreadable(&req.file_name, e))?;
            let mut rows = table.map(|r| -> SourceRow {
                r.map(|row| (row.number, row.cells))
                    .map_err(|e| (e.row, e.to_string()))
            });
            handle.block_on(app.import_contacts(&session, &req, &mut rows, &|_| {}))
        })
        .await
        .map_err(internal)??;
        Ok(())
    }
}

/// One line of an error report's reason column.
pub fn describe(p: &RowProblem) -> String {
    if p.field.is_empty() {
        p.reason.clone()
    } else {
        format!("{}: {}", p.field, p.reason)
    }
}

/// Writes the rows of `table` that failed, as they were, with their reasons in a last column `error`, as UTF-8
/// CSV with a BOM. Rows that could not be read at all come out empty but for the reason.
pub fn write_error_report(
    table: temas_import::Table,
    reasons: &HashMap<u64, Vec<String>>,
    out: &mut (dyn Write + Send),
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    out.write_all("\u{FEFF}".as_bytes())?;
    let mut writer = csv::Writer::from_writer(out);
    let mut header = table.headers.clone();
    header.push("error".into());
    writer.write_record(&header)?;
    for row in table {
        match row {
            Ok(row) => {
                if let Some(why) = reasons.get(&row.number) {
                    let mut cells = row.cells;
                    cells.push(why.join("; "));
                    writer.write_record(&cells)?;
                }
            }
            Err(e) => {
                let mut cells = vec![String::new(); header.len() - 1];
                cells.push(e.to_string());
                writer.write_record(&cells)?;
            }
        }
    }
    writer.flush()?;
    Ok(())
}

/// Fills `buf` from `file` as far as the file goes; returns how much was read.
fn read_full(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}
