//! Duplicate scans as background jobs, and the review queue they leave: groups ranked by confidence, each with its
//! members and the pairs that hold it together explained field by field, to merge or dismiss one by one. A scan
//! started with `merge` merges the groups at or above the workspace's auto-merge confidence itself, so that only the
//! rest wait for a person. The model a scan fits is kept: it checks new records until the next scan.

use crate::dedupe::{DedupeEntity, DuplicateGroup, DuplicateScan};
use crate::merge::{MergeRequest, MergeView, Mergeable};
use crate::{App, AppError, Session};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use temas_core::FieldErrors;
use temas_core::contact::{Company, Contact};
use temas_core::merge::Rule;
use temas_store::{DedupeGroupRecord, DedupeScanRecord, GroupPage, Job, ScanFilter};
use utoipa::ToSchema;
use uuid::Uuid;

pub const JOB_DEDUPE: &str = "dedupe_scan";
/// How often a running scan saves how far it got.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);
/// The scans a list shows.
const RECENT_SCANS: u64 = 20;
const MAX_QUEUE_PAGE: u32 = 100;

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

/// A member of a proposed group, as the reader may see it now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupMember {
    #[schema(value_type = String, format = Uuid)]
    pub id: Uuid,
    /// `live`, `trashed` (merged or deleted since the scan) or `hidden` (out of the reader's view).
    pub state: String,
    /// The record as `GET /api/v1/{contacts,companies}/{id}` shows it, unless hidden.
    #[schema(value_type = Option<Object>)]
    pub record: Option<Value>,
}

/// A group in the review queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupView {
    /// Its place in the queue, 1 being the most confident; it names the group in the scan's paths.
    pub seq: i64,
    pub confidence: f64,
    /// `open`, `merged` or `dismissed` (an undone merge makes its group `open` again).
    pub status: String,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub merge_id: Option<Uuid>,
    /// Oldest first.
    pub members: Vec<GroupMember>,
    /// The scored pairs between members, strongest first: `a`, `b`, `probability` and `contributions`, each field's
    /// `bits` of evidence for (positive) or against (negative) one entity at its agreement `level`.
    #[schema(value_type = Vec<Object>)]
    pub pairs: Value,
}

/// A page of the review queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueuePage {
    pub items: Vec<GroupView>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

/// How a group is merged: by default into its oldest live member, every other live member merged into it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct GroupMerge {
    #[schema(value_type = Option<String>, format = Uuid)]
    pub survivor_id: Option<Uuid>,
    /// Members to leave out of the merge.
    #[schema(value_type = Vec<String>)]
    pub exclude: Vec<Uuid>,
    pub rule: Rule,
    /// As in `POST /api/v1/contacts/merge`: per field, the member whose value to keep.
    #[schema(value_type = Object)]
    pub choose: std::collections::BTreeMap<String, Uuid>,
}

fn scan_entity(scan: &DedupeScanRecord) -> Result<DedupeEntity, AppError> {
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

    async fn own_scan(&self, session: &Session, id: Uuid) -> Result<DedupeScanRecord, AppError> {
        let filter = ScanFilter {
            id: Some(id),
            limit: 1,
            ..ScanFilter::default()
        };
        self.store
            .dedupe_scans(session.workspace.id, &filter)
            .await?
            .into_iter()
            .find(|s| session.user.role.is_admin() || s.created_by == session.user.id)
            .ok_or(AppError::NotFound)
    }

    /// Runs a claimed scan job as the user who started it. A scan cut short by a crash starts over.
    pub(crate) async fn run_dedupe_job(&self, job: &Job) -> Result<(), AppError> {
        let ws = job.workspace_id;
        let filter = ScanFilter {
            id: Some(job.subject_id),
            limit: 1,
            ..ScanFilter::default()
        };
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
            let (merged, failed) = match entity {
                DedupeEntity::Contacts => {
                    self.merge_confident::<Contact>(
                        session,
                        scan.id,
                        &found.groups,
                        &groups,
                        threshold,
                    )
                    .await?
                }
                DedupeEntity::Companies => {
                    self.merge_confident::<Company>(
                        session,
                        scan.id,
                        &found.groups,
                        &groups,
                        threshold,
                    )
                    .await?
                }
            };
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

    async fn mark_group(
        &self,
        session: &Session,
        scan: Uuid,
        mut group: DedupeGroupRecord,
        status: &str,
        merge_id: Option<Uuid>,
    ) -> Result<DedupeGroupRecord, AppError> {
        group.status = status.into();
        group.merge_id = merge_id;
        group.updated_at = temas_core::time::now();
        self.store
            .set_dedupe_group_status(session.workspace.id, scan, &group)
            .await?;
        Ok(group)
    }

    /// Merges the live members of a group (those not excluded) as `how` says.
    async fn merge_members<R: Mergeable>(
        &self,
        session: &Session,
        members: &[Uuid],
        how: &GroupMerge,
    ) -> Result<MergeView, AppError> {
        let mut live = Vec::new();
        for id in members.iter().filter(|id| !how.exclude.contains(id)) {
            match self.get::<R>(session, *id).await {
                Ok(_) => live.push(*id),
                Err(AppError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        let survivor = how.survivor_id.or_else(|| live.first().copied());
        let mut errors = FieldErrors::default();
        let survivor = match survivor {
            Some(s) if live.contains(&s) => s,
            Some(_) => {
                errors.add(
                    "survivor_id",
                    "not_in_group",
                    "choose a live member of the group",
                );
                Uuid::nil()
            }
            None => Uuid::nil(),
        };
        if live.len() < 2 {
            errors.add(
                "members",
                "too_few",
                "fewer than two members of this group are left to merge",
            );
        }
        errors.into_result(())?;
        let req = MergeRequest {
            survivor_id: survivor,
            merged_ids: live.into_iter().filter(|id| *id != survivor).collect(),
            rule: how.rule.clone(),
            choose: how.choose.clone(),
        };
        self.merge::<R>(session, &req).await
    }

    /// One page of a scan's review queue, groups of `status` only when given.
    pub async fn review_queue(
        &self,
        session: &Session,
        scan_id: Uuid,
        status: Option<&str>,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<QueuePage, AppError> {
        let scan = self.own_scan(session, scan_id).await?;
        let after_seq = match cursor {
            None => 0,
            Some(c) => c.parse::<i64>().map_err(|_| {
                FieldErrors::single(
                    "cursor",
                    "invalid",
                    "pass the next_cursor of the page before",
                )
            })?,
        };
        if let Some(s) = status
            && !matches!(s, "open" | "merged" | "dismissed")
        {
            return Err(
                FieldErrors::single("status", "invalid", "open, merged or dismissed").into(),
            );
        }
        let limit = limit.unwrap_or(20).clamp(1, MAX_QUEUE_PAGE);
        // Undone merges are told apart when read, so the stored status filter is applied afterwards.
        let mut items = Vec::new();
        let mut after = after_seq;
        let mut next_cursor = None;
        loop {
            let page = GroupPage {
                after_seq: after,
                status: None,
                limit: u64::from(limit),
            };
            let rows = self
                .store
                .dedupe_groups(session.workspace.id, scan.id, &page)
                .await?;
            let last = rows.len() < limit as usize;
            for row in rows {
                after = row.seq;
                let view = self.group_view(session, &scan, row).await?;
                if status.is_none_or(|s| s == view.status) {
                    items.push(view);
                }
                if items.len() == limit as usize {
                    next_cursor = Some(after.to_string());
                    break;
                }
            }
            if next_cursor.is_some() || last {
                break;
            }
        }
        Ok(QueuePage { items, next_cursor })
    }

    /// One group of a scan.
    pub async fn review_group(
        &self,
        session: &Session,
        scan_id: Uuid,
        seq: i64,
    ) -> Result<GroupView, AppError> {
        let scan = self.own_scan(session, scan_id).await?;
        let row = self.group_row(session, &scan, seq).await?;
        self.group_view(session, &scan, row).await
    }

    async fn group_row(
        &self,
        session: &Session,
        scan: &DedupeScanRecord,
        seq: i64,
    ) -> Result<DedupeGroupRecord, AppError> {
        let page = GroupPage {
            after_seq: seq - 1,
            status: None,
            limit: 1,
        };
        self.store
            .dedupe_groups(session.workspace.id, scan.id, &page)
            .await?
            .into_iter()
            .find(|g| g.seq == seq)
            .ok_or(AppError::NotFound)
    }

    async fn group_view(
        &self,
        session: &Session,
        scan: &DedupeScanRecord,
        row: DedupeGroupRecord,
    ) -> Result<GroupView, AppError> {
        let mut status = row.status.clone();
        if let Some(merge) = row.merge_id
            && self
                .store
                .merge_record(session.workspace.id, merge)
                .await?
                .is_some_and(|m| m.status == "undone")
        {
            status = "open".into();
        }
        let mut members = Vec::with_capacity(row.members.len());
        for id in &row.members {
            members.push(match scan_entity(scan)? {
                DedupeEntity::Contacts => self.group_member::<Contact>(session, *id).await?,
                DedupeEntity::Companies => self.group_member::<Company>(session, *id).await?,
            });
        }
        Ok(GroupView {
            seq: row.seq,
            confidence: row.confidence,
            status,
            merge_id: row.merge_id,
            members,
            pairs: row.pairs,
        })
    }

    async fn group_member<R: Mergeable + Serialize>(
        &self,
        session: &Session,
        id: Uuid,
    ) -> Result<GroupMember, AppError> {
        let (state, record) = match self.get_with::<R>(session, id, true).await {
            Ok(r) => {
                let record = json!(r);
                let trashed = record.get("deleted_at").is_some_and(|d| !d.is_null());
                (if trashed { "trashed" } else { "live" }, Some(record))
            }
            Err(AppError::NotFound) => ("hidden", None),
            Err(e) => return Err(e),
        };
        Ok(GroupMember {
            id,
            state: state.into(),
            record,
        })
    }

    /// Merges a group of the queue (see [`GroupMerge`]) and marks it merged.
    pub async fn merge_group(
        &self,
        session: &Session,
        scan_id: Uuid,
        seq: i64,
        how: &GroupMerge,
    ) -> Result<MergeView, AppError> {
        let scan = self.own_scan(session, scan_id).await?;
        let row = self.group_row(session, &scan, seq).await?;
        for id in how.survivor_id.iter().chain(how.choose.values()) {
            if !row.members.contains(id) {
                return Err(FieldErrors::single(
                    "survivor_id",
                    "not_in_group",
                    format!("{id} is not a member of this group"),
                )
                .into());
            }
        }
        let view = match scan_entity(&scan)? {
            DedupeEntity::Contacts => {
                self.merge_members::<Contact>(session, &row.members, how)
                    .await?
            }
            DedupeEntity::Companies => {
                self.merge_members::<Company>(session, &row.members, how)
                    .await?
            }
        };
        self.mark_group(session, scan.id, row, "merged", Some(view.id))
            .await?;
        Ok(view)
    }

    /// Says the members of a group are different entities: remembered for every pair among its live members, so
    /// no scan proposes them again, and the group leaves the queue.
    pub async fn dismiss_group(
        &self,
        session: &Session,
        scan_id: Uuid,
        seq: i64,
    ) -> Result<GroupView, AppError> {
        let scan = self.own_scan(session, scan_id).await?;
        let row = self.group_row(session, &scan, seq).await?;
        match scan_entity(&scan)? {
            DedupeEntity::Contacts => {
                self.mark_not_duplicates::<Contact>(session, &row.members)
                    .await?
            }
            DedupeEntity::Companies => {
                self.mark_not_duplicates::<Company>(session, &row.members)
                    .await?
            }
        };
        let row = self
            .mark_group(session, scan.id, row, "dismissed", None)
            .await?;
        self.group_view(session, &scan, row).await
    }
}
