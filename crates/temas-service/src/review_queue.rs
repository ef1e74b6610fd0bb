//! The review queue a duplicate scan leaves: its groups, most confident first, each with its members as the reader
//! may see them now and the pairs that hold it together explained field by field; and what a person does with a
//! group — merge it (survivor and values chosen, or by the rule) or say its members are different.

use crate::dedupe::for_entity;
use crate::dedupe_scans::scan_entity;
use crate::merge::{MergeRequest, MergeView, Mergeable};
use crate::{App, AppError, Session};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use temas_core::FieldErrors;
use temas_core::merge::Rule;
use temas_store::{DedupeGroupRecord, DedupeScanRecord, GroupPage};
use utoipa::ToSchema;
use uuid::Uuid;

const MAX_QUEUE_PAGE: u32 = 100;

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

impl App {
    pub(crate) async fn mark_group(
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
    pub(crate) async fn merge_members<R: Mergeable>(
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
        let page = GroupPage {
            after_seq,
            status: status.map(str::to_owned),
            limit: u64::from(limit),
        };
        let rows = self
            .store
            .dedupe_groups(session.workspace.id, scan.id, &page)
            .await?;
        let next_cursor = (rows.len() == limit as usize)
            .then(|| rows.last().map(|r| r.seq.to_string()))
            .flatten();
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            items.push(self.group_view(session, &scan, row).await?);
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
        let mut members = Vec::with_capacity(row.members.len());
        for id in &row.members {
            members.push(for_entity!(
                scan_entity(scan)?,
                self.group_member(session, *id)
            )?);
        }
        Ok(GroupView {
            seq: row.seq,
            confidence: row.confidence,
            status: row.status,
            merge_id: row.merge_id,
            members,
            pairs: row.pairs,
        })
    }

    async fn group_member<R: Mergeable>(
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
        let view = for_entity!(
            scan_entity(&scan)?,
            self.merge_members(session, &row.members, how)
        )?;
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
        for_entity!(
            scan_entity(&scan)?,
            self.mark_not_duplicates(session, &row.members)
        )?;
        let row = self
            .mark_group(session, scan.id, row, "dismissed", None)
            .await?;
        self.group_view(session, &scan, row).await
    }
}
