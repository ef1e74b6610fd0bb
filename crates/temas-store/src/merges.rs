//! Merges of duplicate records, journalled so that each can be undone, and the decisions users make about
//! candidate pairs (the same entity, or not duplicates), which the duplicate scan respects and learns from.

use crate::db::Pools;
use crate::types::*;
use sea_query::{Alias, Expr, ExprTrait, Order, Query};
use sqlx::types::Json;
use temas_core::time::{from_micros, to_micros};

fn a(name: &str) -> Alias {
    Alias::new(name)
}

const MERGE_COLUMNS: [&str; 10] = [
    "id",
    "entity",
    "survivor_id",
    "merged_ids",
    "steps",
    "status",
    "report",
    "created_by",
    "created_at",
    "updated_at",
];

#[derive(sqlx::FromRow)]
struct MergeRow {
    id: Uuid,
    entity: String,
    survivor_id: Uuid,
    merged_ids: Json<Vec<Uuid>>,
    steps: Json<Vec<MergeStep>>,
    status: String,
    report: Json<serde_json::Value>,
    created_by: Uuid,
    created_at: i64,
    updated_at: i64,
}

impl From<MergeRow> for MergeRecord {
    fn from(r: MergeRow) -> Self {
        MergeRecord {
            id: r.id,
            entity: r.entity,
            survivor_id: r.survivor_id,
            merged_ids: r.merged_ids.0,
            steps: r.steps.0,
            status: r.status,
            report: r.report.0,
            created_by: UserId(r.created_by),
            created_at: from_micros(r.created_at),
            updated_at: from_micros(r.updated_at),
        }
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Writes a merge's row, replacing the earlier one of the same id.
pub(crate) async fn save(
    pools: &Pools,
    ws: WorkspaceId,
    merge: &MergeRecord,
) -> Result<(), StoreError> {
    let mut tx = pools.begin().await?;
    let del = Query::delete()
        .from_table(a("merges"))
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .and_where(Expr::col(a("id")).eq(merge.id))
        .to_owned();
    tx.execute(&del).await?;
    let mut ins = Query::insert();
    ins.into_table(a("merges"))
        .columns(std::iter::once("workspace_id").chain(MERGE_COLUMNS).map(a))
        .values([
            ws.0.into(),
            merge.id.into(),
            merge.entity.clone().into(),
            merge.survivor_id.into(),
            json(&merge.merged_ids)?.into(),
            json(&merge.steps)?.into(),
            merge.status.clone().into(),
            merge.report.clone().into(),
            merge.created_by.0.into(),
            to_micros(merge.created_at).into(),
            to_micros(merge.updated_at).into(),
        ])
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.execute(&ins).await?;
    tx.commit().await
}

pub(crate) async fn get(
    pools: &Pools,
    ws: WorkspaceId,
    id: Uuid,
) -> Result<Option<MergeRecord>, StoreError> {
    let q = Query::select()
        .columns(MERGE_COLUMNS.map(a))
        .from(a("merges"))
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .and_where(Expr::col(a("id")).eq(id))
        .to_owned();
    Ok(pools
        .fetch_optional::<MergeRow, _>(&q)
        .await?
        .map(Into::into))
}

/// The merges whose survivor is `survivor`, newest first.
pub(crate) async fn of_survivor(
    pools: &Pools,
    ws: WorkspaceId,
    survivor: Uuid,
) -> Result<Vec<MergeRecord>, StoreError> {
    let q = Query::select()
        .columns(MERGE_COLUMNS.map(a))
        .from(a("merges"))
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .and_where(Expr::col(a("survivor_id")).eq(survivor))
        .order_by(a("created_at"), Order::Desc)
        .to_owned();
    let rows: Vec<MergeRow> = pools.fetch_all(&q).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

const DECISION_COLUMNS: [&str; 8] = [
    "entity",
    "record_a",
    "record_b",
    "same",
    "pattern",
    "merge_id",
    "decided_by",
    "decided_at",
];

#[derive(sqlx::FromRow)]
struct DecisionRow {
    entity: String,
    record_a: Uuid,
    record_b: Uuid,
    same: bool,
    pattern: Option<i64>,
    merge_id: Option<Uuid>,
    decided_by: Uuid,
    decided_at: i64,
}

/// Records decisions; a later decision about the same pair replaces the earlier one.
pub(crate) async fn add_decisions(
    pools: &Pools,
    ws: WorkspaceId,
    decisions: &[PairDecision],
) -> Result<(), StoreError> {
    let mut tx = pools.begin().await?;
    for d in decisions {
        let (first, second) = d.pair();
        let del = Query::delete()
            .from_table(a("dedupe_decisions"))
            .and_where(Expr::col(a("workspace_id")).eq(ws.0))
            .and_where(Expr::col(a("entity")).eq(d.entity.clone()))
            .and_where(Expr::col(a("record_a")).eq(first))
            .and_where(Expr::col(a("record_b")).eq(second))
            .to_owned();
        tx.execute(&del).await?;
        let mut ins = Query::insert();
        ins.into_table(a("dedupe_decisions"))
            .columns(
                std::iter::once("workspace_id")
                    .chain(DECISION_COLUMNS)
                    .map(a),
            )
            .values([
                ws.0.into(),
                d.entity.clone().into(),
                first.into(),
                second.into(),
                d.same.into(),
                d.pattern.into(),
                d.merge_id.into(),
                d.decided_by.0.into(),
                to_micros(d.decided_at).into(),
            ])
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        tx.execute(&ins).await?;
    }
    tx.commit().await
}

/// Every decision about pairs of `entity` records in the workspace.
pub(crate) async fn decisions(
    pools: &Pools,
    ws: WorkspaceId,
    entity: &str,
) -> Result<Vec<PairDecision>, StoreError> {
    let q = Query::select()
        .columns(DECISION_COLUMNS.map(a))
        .from(a("dedupe_decisions"))
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .and_where(Expr::col(a("entity")).eq(entity))
        .to_owned();
    let rows: Vec<DecisionRow> = pools.fetch_all(&q).await?;
    Ok(rows
        .into_iter()
        .map(|r| PairDecision {
            entity: r.entity,
            a: r.record_a,
            b: r.record_b,
            same: r.same,
            pattern: r.pattern,
            merge_id: r.merge_id,
            decided_by: UserId(r.decided_by),
            decided_at: from_micros(r.decided_at),
        })
        .collect())
}

/// Forgets the decisions a merge made (when it is undone).
pub(crate) async fn remove_decisions_of_merge(
    pools: &Pools,
    ws: WorkspaceId,
    merge: Uuid,
) -> Result<(), StoreError> {
    let del = Query::delete()
        .from_table(a("dedupe_decisions"))
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .and_where(Expr::col(a("merge_id")).eq(merge))
        .to_owned();
    pools.execute(&del).await.map(|_| ())
}
