//! Duplicate scans as background jobs: every record the user sees through the engine, the groups it proposes saved
//! as a review queue (`review_queue.rs`), and the fitted model kept to check new records until the next scan. A
//! scan started with `merge` merges the groups at or above the workspace's auto-merge confidence itself, so that
//! only the rest wait for a person.

use crate::dedupe::{DedupeEntity, DuplicateGroup, DuplicateScan, for_entity};
use crate::merge::Mergeable;
use crate::review_queue::GroupMerge;
use crate::{App, AppError, Session};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use temas_core::FieldErrors;
use temas_store::{DedupeGroupRecord, DedupeScanRecord, Job, ScanFilter};
use utoipa::ToSchema;
use uuid::Uuid;

pub const JOB_DEDUPE: &str = "dedupe_scan";
/// How often a running scan saves how far it got.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);
/// The scans a list shows.
const RECENT_SCANS: u64 = 20;

/// A scan as a client starts it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ScanRequest {
    /// `contacts` (the default) or `companies`.
    pub entity: Option<String>,
    /// Merge the groups at or above the workspace's auto-merge confidence when the scan ends (each into its oldest
    /// record, values by the most-complete rule); the rest wait for review.
    pub merge: bool,
}

/// A scan as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScanView {
    #[schema(value_type = String, format = Uuid)]
    pub id: Uuid,
    /// `contacts` or `companies`.
    pub entity: String,
    /// `queued`, `reading`, `matching`, `saving`, `merging`, `done` or `failed`.
    pub status: String,
    /// `records_read` while reading; when done `records`, `candidate_pairs`, `groups`, `grouped_records`,
    /// `seconds`, and with `merge` also `merged`, `merge_failed` and `left_for_review`; `error` when it failed.
    #[schema(value_type = Object)]
    pub progress: Value,
    #[schema(value_type = String, format = Uuid)]
    pub created_by: Uuid,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<DedupeScanRecord> for ScanView {
    fn from(s: DedupeScanRecord) -> Self {
        ScanView {
            id: s.id,
            entity: s.entity,
            status: s.status,
            progress: s.progress,
            created_by: s.created_by.0,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

pub(crate) fn scan_entity(scan: &DedupeScanRecord) -> Result<DedupeEntity, AppError> {
    DedupeEntity::parse(&scan.entity)
        .ok_or_else(|| AppError::Internal(format!("scan {} of unknown {}", scan.id, scan.entity)))
}

impl App {
    /// Queues a scan of every record of the kind the session sees.
    pub async fn start_dedupe_scan(
        &self,
        session: &Session,
        req: &ScanRequest,
    ) -> Result<ScanView, AppError> {
        let scan = self.new_dedupe_scan(session, req)?;
        self.store
            .save_dedupe_scan(session.workspace.id, &scan)
            .await?;
        self.store
            .enqueue_job(session.workspace.id, JOB_DEDUPE, scan.id)
            .await?;
        Ok(scan.into())
    }

    /// A scan not yet saved, its request checked.
    pub fn new_dedupe_scan(
        &self,
        session: &Session,
        req: &ScanRequest,
    ) -> Result<DedupeScanRecord, AppError> {
        session.require_write()?;
        let text = req.entity.as_deref().unwrap_or("contacts");
        let mut errors = FieldErrors::default();
        let entity = DedupeEntity::parse(text);
        if entity.is_none() {
            errors.add("entity", "invalid", "choose contacts or companies");
        }
        if req.merge && session.workspace.settings.auto_merge_confidence.is_none() {
            errors.add(
                "merge",
                "no_confidence",
                "the workspace has no auto-merge confidence; set auto_merge_confidence first",
            );
        }
        errors.into_result(())?;
        let now = temas_core::time::now();
        Ok(DedupeScanRecord {
            id: Uuid::now_v7(),
            entity: text.to_owned(),
            status: "queued".into(),
            progress: json!({ "merge": req.merge }),
            model: None,
            created_by: session.user.id,
            created_at: now,
            updated_at: now,
        })
    }

    /// The scans the session may follow (its own; an admin's, all), newest first.
    pub async fn dedupe_scans(&self, session: &Session) -> Result<Vec<ScanView>, AppError> {
        let filter = ScanFilter {
            limit: RECENT_SCANS,
            ..ScanFilter::default()
        };
        let scans = self
            .store
            .dedupe_scans(session.workspace.id, &filter)
            .await?;
        Ok(scans
            .into_iter()
            .filter(|s| session.user.role.is_admin() || s.created_by == session.user.id)
            .map(Into::into)
            .collect())
    }

    pub async fn dedupe_scan(&self, session: &Session, id: Uuid) -> Result<ScanView, AppError> {
        Ok(self.own_scan(session, id).await?.into())
    }

    pub(crate) async fn own_scan(
        &self,
        session: &Session,
        id: Uuid,
    ) -> Result<DedupeScanRecord, AppError> {
        self.store
            .dedupe_scans(session.workspace.id, &ScanFilter::id(id))
            .await?
            .into_iter()
            .find(|s| session.user.role.is_admin() || s.created_by == session.user.id)
            .ok_or(AppError::NotFound)
    }

    /// Runs a claimed scan job as the user who started it. A scan cut short by a crash starts over.
    pub(crate) async fn run_dedupe_job(&self, job: &Job) -> Result<(), AppError> {
        let ws = job.workspace_id;
        let filter = ScanFilter::id(job.subject_id);
        let Some(scan) = self.store.dedupe_scans(ws, &filter).await?.pop() else {
            return Err(AppError::Internal(format!(
                "job {}: scan {} is gone",
                job.id, job.subject_id
            )));
        };
        if matches!(scan.status.as_str(), "done" | "failed") {
            return Ok(());
        }
        let user = self
            .store
            .user(ws, scan.created_by)
            .await?
            .ok_or_else(|| AppError::Internal(format!("scan {}: its user is gone", scan.id)))?;
        let session = self.session_of(user).await?;
        let mut failed = scan.clone();
        match self.run_dedupe_scan(&session, scan).await {
            Ok(_) => Ok(()),
            Err(e) => {
                failed.status = "failed".into();
                failed.progress["error"] = Value::String(e.to_string());
                failed.updated_at = temas_core::time::now();
                self.store.save_dedupe_scan(ws, &failed).await?;
                Err(e)
            }
        }
    }

    /// Scans, saves the review queue and the fitted model, and with `merge` merges the confident groups; the scan's
    /// row follows each step. Returns what the engine found, and the scan as it ended.
    pub async fn run_dedupe_scan(
        &self,
        session: &Session,
        mut scan: DedupeScanRecord,
    ) -> Result<(DuplicateScan, ScanView), AppError> {
        let started = Instant::now();
        let ws = session.workspace.id;
        let entity = scan_entity(&scan)?;
        let merge = scan.progress["merge"].as_bool().unwrap_or(false);
        self.scan_step(ws, &mut scan, "reading").await?;
        let read = AtomicUsize::new(0);
        let reading = self.scan_inputs(session, entity, &read);
        tokio::pin!(reading);
        let mut tick = tokio::time::interval(PROGRESS_EVERY);
        let (members, inputs) = loop {
            tokio::select! {
                done = &mut reading => break done?,
                _ = tick.tick() => {
                    scan.progress["records_read"] = json!(read.load(Ordering::Relaxed));
                    self.store.save_dedupe_scan(ws, &scan).await?;
                }
            }
        };
        scan.progress["records_read"] = json!(members.len());
        self.scan_step(ws, &mut scan, "matching").await?;
        let found = self
            .resolve_duplicates(session, entity, members, inputs)
            .await?;
        self.scan_step(ws, &mut scan, "saving").await?;
        let now = temas_core::time::now();
        let groups: Vec<DedupeGroupRecord> = found
            .groups
            .iter()
            .zip(1..)
            .map(|(g, seq)| DedupeGroupRecord {
                seq,
                confidence: g.confidence,
                members: g.members.iter().map(|m| m.id).collect(),
                pairs: json!(g.pairs),
                status: "open".into(),
                merge_id: None,
                updated_at: now,
            })
            .collect();
        self.store
            .replace_dedupe_groups(ws, scan.id, &groups)
            .await?;
        scan.model = Some(json!(found.model));
        let stats = &found.stats;
        for (key, value) in [
            ("records", stats.records),
            ("candidate_pairs", stats.candidate_pairs),
            ("groups", found.groups.len()),
            (
                "grouped_records",
                found.groups.iter().map(|g| g.members.len()).sum(),
            ),
        ] {
            scan.progress[key] = json!(value);
        }
        if let (true, Some(threshold)) = (merge, session.workspace.settings.auto_merge_confidence) {
            self.scan_step(ws, &mut scan, "merging").await?;
            let (merged, failed) = for_entity!(
                entity,
                self.merge_confident(session, scan.id, &found.groups, &groups, threshold)
            )?;
            scan.progress["merged"] = json!(merged);
            scan.progress["merge_failed"] = json!(failed);
            scan.progress["left_for_review"] = json!(found.groups.len() - merged);
        }
        scan.progress["seconds"] = json!((started.elapsed().as_secs_f64() * 10.0).round() / 10.0);
        self.scan_step(ws, &mut scan, "done").await?;
        Ok((found, scan.into()))
    }

    async fn scan_step(
        &self,
        ws: temas_core::ids::WorkspaceId,
        scan: &mut DedupeScanRecord,
        status: &str,
    ) -> Result<(), AppError> {
        scan.status = status.into();
        scan.updated_at = temas_core::time::now();
        Ok(self.store.save_dedupe_scan(ws, scan).await?)
    }

    /// Merges each group at or above `threshold` into its oldest member; a group that cannot be merged (changed
    /// since the scan) is logged and left for review. Returns how many were merged and how many failed.
    async fn merge_confident<R: Mergeable>(
        &self,
        session: &Session,
        scan: Uuid,
        found: &[DuplicateGroup],
        saved: &[DedupeGroupRecord],
        threshold: f64,
    ) -> Result<(usize, usize), AppError> {
        let (mut merged, mut failed) = (0, 0);
        for (group, record) in found.iter().zip(saved) {
            if group.confidence < threshold {
                continue;
            }
            match self
                .merge_members::<R>(session, &record.members, &GroupMerge::default())
                .await
            {
                Ok(view) => {
                    merged += 1;
                    self.mark_group(session, scan, record.clone(), "merged", Some(view.id))
                        .await?;
                }
                Err(e) => {
                    failed += 1;
                    tracing::warn!(scan = %scan, group = record.seq, error = %e, "group not merged");
                }
            }
        }
        Ok((merged, failed))
    }
}
