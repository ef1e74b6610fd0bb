//! Duplicate scans and the review queue they produce: one row per scan (its progress, figures and the model it
//! fitted) and one per proposed group (members, confidence, explained pairs, and what a person did with it).

use crate::db::Pools;
use crate::types::*;
use sea_query::{Alias, Expr, ExprTrait, Order, Query};
use sqlx::types::Json;
use temas_core::time::{from_micros, to_micros};

fn a(name: &str) -> Alias {
    Alias::new(name)
}

fn json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

const SCAN_COLUMNS: [&str; 8] = [
    "id",
    "entity",
    "status",
    "progress",
    "model",
    "created_by",
    "created_at",
    "updated_at",
];

#[derive(sqlx::FromRow)]
struct ScanRow {
    id: Uuid,
    entity: String,
    status: String,
    progress: Json<serde_json::Value>,
    model: Option<Json<serde_json::Value>>,
    created_by: Uuid,
    created_at: i64,
    updated_at: i64,
}

impl From<ScanRow> for DedupeScanRecord {
    fn from(r: ScanRow) -> Self {
        DedupeScanRecord {
            id: r.id,
            entity: r.entity,
            status: r.status,
            progress: r.progress.0,
            model: r.model.map(|m| m.0),
            created_by: UserId(r.created_by),
            created_at: from_micros(r.created_at),
            updated_at: from_micros(r.updated_at),
        }
    }
}

/// Writes a scan's row, replacing the earlier one of the same id.
pub(crate) async fn save_scan(
    pools: &Pools,
    ws: WorkspaceId,
    scan: &DedupeScanRecord,
) -> Result<(), StoreError> {
    let mut tx = pools.begin().await?;
    let del = Query::delete()
        .from_table(a("dedupe_scans"))
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .and_where(Expr::col(a("id")).eq(scan.id))
        .to_owned();
    tx.execute(&del).await?;
    let mut ins = Query::insert();
    ins.into_table(a("dedupe_scans"))
        .columns(std::iter::once("workspace_id").chain(SCAN_COLUMNS).map(a))
        .values([
            ws.0.into(),
            scan.id.into(),
            scan.entity.clone().into(),
            scan.status.clone().into(),
            scan.progress.clone().into(),
            scan.model.clone().into(),
            scan.created_by.0.into(),
            to_micros(scan.created_at).into(),
            to_micros(scan.updated_at).into(),
        ])
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.execute(&ins).await?;
    tx.commit().await
}

/// One scan, or the newest scans (of one entity, or in one status), newest first.
pub(crate) async fn scans(
    pools: &Pools,
    ws: WorkspaceId,
    filter: &ScanFilter,
) -> Result<Vec<DedupeScanRecord>, StoreError> {
    let mut q = Query::select();
    q.columns(SCAN_COLUMNS.map(a))
        .from(a("dedupe_scans"))
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .order_by(a("created_at"), Order::Desc)
        .limit(filter.limit);
    if let Some(id) = filter.id {
        q.and_where(Expr::col(a("id")).eq(id));
    }
    if let Some(entity) = &filter.entity {
        q.and_where(Expr::col(a("entity")).eq(entity.clone()));
    }
    if let Some(status) = &filter.status {
        q.and_where(Expr::col(a("status")).eq(status.clone()));
    }
    let rows: Vec<ScanRow> = pools.fetch_all(&q).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

const GROUP_COLUMNS: [&str; 7] = [
    "seq",
    "confidence",
    "members",
    "pairs",
    "status",
    "merge_id",
    "updated_at",
];

#[derive(sqlx::FromRow)]
struct GroupRow {
    seq: i64,
    confidence: f64,
    members: Json<Vec<Uuid>>,
    pairs: Json<serde_json::Value>,
    status: String,
    merge_id: Option<Uuid>,
    updated_at: i64,
}

impl From<GroupRow> for DedupeGroupRecord {
    fn from(r: GroupRow) -> Self {
        DedupeGroupRecord {
            seq: r.seq,
            confidence: r.confidence,
            members: r.members.0,
            pairs: r.pairs.0,
            status: r.status,
            merge_id: r.merge_id,
            updated_at: from_micros(r.updated_at),
        }
    }
}

/// Rows per insert statement: well under both backends' limits on bound parameters.
const GROUPS_PER_INSERT: usize = 500;

/// Replaces a scan's groups, in one transaction.
pub(crate) async fn replace_groups(
    pools: &Pools,
    ws: WorkspaceId,
    scan: Uuid,
    groups: &[DedupeGroupRecord],
) -> Result<(), StoreError> {
    let mut tx = pools.begin().await?;
    let del = Query::delete()
        .from_table(a("dedupe_groups"))
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .and_where(Expr::col(a("scan_id")).eq(scan))
        .to_owned();
    tx.execute(&del).await?;
    for chunk in groups.chunks(GROUPS_PER_INSERT) {
        let mut ins = Query::insert();
        ins.into_table(a("dedupe_groups")).columns(
            ["workspace_id", "scan_id"]
                .into_iter()
                .chain(GROUP_COLUMNS)
                .map(a),
        );
        for g in chunk {
            ins.values([
                ws.0.into(),
                scan.into(),
                g.seq.into(),
                g.confidence.into(),
                json(&g.members)?.into(),
                g.pairs.clone().into(),
                g.status.clone().into(),
                g.merge_id.into(),
                to_micros(g.updated_at).into(),
            ])
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        }
        tx.execute(&ins).await?;
    }
    tx.commit().await
}

/// A scan's groups after `after_seq` in order (most confident first), those in `status` only when given.
pub(crate) async fn groups(
    pools: &Pools,
    ws: WorkspaceId,
    scan: Uuid,
    page: &GroupPage,
) -> Result<Vec<DedupeGroupRecord>, StoreError> {
    let mut q = Query::select();
    q.columns(GROUP_COLUMNS.map(a))
        .from(a("dedupe_groups"))
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .and_where(Expr::col(a("scan_id")).eq(scan))
        .and_where(Expr::col(a("seq")).gt(page.after_seq))
        .order_by(a("seq"), Order::Asc)
        .limit(page.limit);
    if let Some(status) = &page.status {
        q.and_where(Expr::col(a("status")).eq(status.clone()));
    }
    let rows: Vec<GroupRow> = pools.fetch_all(&q).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Reopens the groups a merge closed, when the merge is undone (they keep its id, as a record of it).
pub(crate) async fn reopen_groups_of_merge(
    pools: &Pools,
    ws: WorkspaceId,
    merge: Uuid,
) -> Result<(), StoreError> {
    let q = Query::update()
        .table(a("dedupe_groups"))
        .values([
            (a("status"), "open".into()),
            (a("updated_at"), to_micros(temas_core::time::now()).into()),
        ])
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .and_where(Expr::col(a("merge_id")).eq(merge))
        .to_owned();
    pools.execute(&q).await.map(|_| ())
}

/// Records what was done with a group: `merged` (with the merge), `dismissed`, or `open` again.
pub(crate) async fn set_group_status(
    pools: &Pools,
    ws: WorkspaceId,
    scan: Uuid,
    group: &DedupeGroupRecord,
) -> Result<(), StoreError> {
    let q = Query::update()
        .table(a("dedupe_groups"))
        .values([
            (a("status"), group.status.clone().into()),
            (a("merge_id"), group.merge_id.into()),
            (a("updated_at"), to_micros(group.updated_at).into()),
        ])
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .and_where(Expr::col(a("scan_id")).eq(scan))
        .and_where(Expr::col(a("seq")).eq(group.seq))
        .to_owned();
    pools.execute(&q).await.map(|_| ())
}
