//! Imports and their journals: what each committed import created or changed, with the state before, so that a
//! rollback can put the base back. Also the statements imports need beyond the record ones: matching rows to
//! records by email or phone, and removing created records for good.

use crate::db::Pools;
use crate::records::{RecordRow, delete_links, select_records, table, terms_table};
use crate::types::*;
use sea_query::{Alias, Condition, Expr, ExprTrait, Order, Query};
use sqlx::types::Json;
use temas_core::time::{from_micros, to_micros};

fn a(name: &str) -> Alias {
    Alias::new(name)
}

const RUN_COLUMNS: [&str; 9] = [
    "id",
    "entity",
    "file_name",
    "status",
    "summary",
    "job",
    "created_by",
    "created_at",
    "updated_at",
];

#[derive(sqlx::FromRow)]
struct RunRow {
    id: Uuid,
    entity: String,
    file_name: String,
    status: String,
    summary: Json<serde_json::Value>,
    job: Option<Json<serde_json::Value>>,
    created_by: Uuid,
    created_at: i64,
    updated_at: i64,
}

impl From<RunRow> for ImportRun {
    fn from(r: RunRow) -> Self {
        ImportRun {
            id: r.id,
            entity: r.entity,
            file_name: r.file_name,
            status: r.status,
            summary: r.summary.0,
            job: r.job.map_or(serde_json::Value::Null, |j| j.0),
            created_by: UserId(r.created_by),
            created_at: from_micros(r.created_at),
            updated_at: from_micros(r.updated_at),
        }
    }
}

pub(crate) async fn save_run(
    pools: &Pools,
    ws: WorkspaceId,
    run: &ImportRun,
) -> Result<(), StoreError> {
    let mut tx = pools.begin().await?;
    let del = Query::delete()
        .from_table(a("imports"))
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .and_where(Expr::col(a("id")).eq(run.id))
        .to_owned();
    tx.execute(&del).await?;
    let mut ins = Query::insert();
    ins.into_table(a("imports"))
        .columns(std::iter::once("workspace_id").chain(RUN_COLUMNS).map(a))
        .values([
            ws.0.into(),
            run.id.into(),
            run.entity.clone().into(),
            run.file_name.clone().into(),
            run.status.clone().into(),
            run.summary.clone().into(),
            Some(run.job.clone()).filter(|j| !j.is_null()).into(),
            run.created_by.0.into(),
            to_micros(run.created_at).into(),
            to_micros(run.updated_at).into(),
        ])
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.execute(&ins).await?;
    tx.commit().await
}

pub(crate) async fn run(
    pools: &Pools,
    ws: WorkspaceId,
    id: Uuid,
) -> Result<Option<ImportRun>, StoreError> {
    let q = Query::select()
        .columns(RUN_COLUMNS.map(a))
        .from(a("imports"))
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .and_where(Expr::col(a("id")).eq(id))
        .to_owned();
    Ok(pools.fetch_optional::<RunRow, _>(&q).await?.map(Into::into))
}

/// A workspace's imports, newest first.
pub(crate) async fn runs(
    pools: &Pools,
    ws: WorkspaceId,
    limit: u32,
) -> Result<Vec<ImportRun>, StoreError> {
    let q = Query::select()
        .columns(RUN_COLUMNS.map(a))
        .from(a("imports"))
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .order_by(a("created_at"), Order::Desc)
        .order_by(a("id"), Order::Desc)
        .limit(u64::from(limit))
        .to_owned();
    Ok(pools
        .fetch_all::<RunRow, _>(&q)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Drops an import's rows of `table` (its journal, `import_items`, or its error report, `import_errors`) numbered
/// after `after_seq`: what a resumed import undid of the batch it was cut short in (all of them with 0).
pub(crate) async fn remove_after(
    pools: &Pools,
    table: &'static str,
    ws: WorkspaceId,
    import_id: Uuid,
    after_seq: i64,
) -> Result<(), StoreError> {
    let del = Query::delete()
        .from_table(a(table))
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .and_where(Expr::col(a("import_id")).eq(import_id))
        .and_where(Expr::col(a("seq")).gt(after_seq))
        .to_owned();
    pools.execute(&del).await?;
    Ok(())
}

/// Appends failed rows to an import's error report, numbered on from `first_seq`.
pub(crate) async fn add_errors(
    pools: &Pools,
    ws: WorkspaceId,
    import_id: Uuid,
    first_seq: i64,
    problems: &[RowProblem],
) -> Result<(), StoreError> {
    let mut tx = pools.begin().await?;
    for (n, chunk) in problems.chunks(500).enumerate() {
        let mut ins = Query::insert();
        ins.into_table(a("import_errors")).columns(
            [
                "workspace_id",
                "import_id",
                "seq",
                "row_number",
                "field",
                "reason",
            ]
            .map(a),
        );
        for (i, p) in chunk.iter().enumerate() {
            let seq = first_seq + (n * 500 + i) as i64;
            ins.values([
                ws.0.into(),
                import_id.into(),
                seq.into(),
                (p.row as i64).into(),
                p.field.clone().into(),
                p.reason.clone().into(),
            ])
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        }
        tx.execute(&ins).await?;
    }
    tx.commit().await
}

/// An import's failed rows after `after_seq` (each with its seq), in order.
pub(crate) async fn errors(
    pools: &Pools,
    ws: WorkspaceId,
    import_id: Uuid,
    after_seq: i64,
    limit: u32,
) -> Result<Vec<(i64, RowProblem)>, StoreError> {
    let q = Query::select()
        .columns(["seq", "row_number", "field", "reason"].map(a))
        .from(a("import_errors"))
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .and_where(Expr::col(a("import_id")).eq(import_id))
        .and_where(Expr::col(a("seq")).gt(after_seq))
        .order_by(a("seq"), Order::Asc)
        .limit(u64::from(limit))
        .to_owned();
    let rows: Vec<(i64, i64, String, String)> = pools.fetch_all(&q).await?;
    Ok(rows
        .into_iter()
        .map(|(seq, row, field, reason)| {
            (
                seq,
                RowProblem {
                    row: row as u64,
                    field,
                    reason,
                },
            )
        })
        .collect())
}

pub(crate) async fn add_file_part(
    pools: &Pools,
    ws: WorkspaceId,
    import_id: Uuid,
    part: i64,
    bytes: &[u8],
) -> Result<(), StoreError> {
    let mut ins = Query::insert();
    ins.into_table(a("import_files"))
        .columns(["workspace_id", "import_id", "part", "bytes"].map(a))
        .values([
            ws.0.into(),
            import_id.into(),
            part.into(),
            bytes.to_vec().into(),
        ])
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    pools.execute(&ins).await?;
    Ok(())
}

pub(crate) async fn file_part(
    pools: &Pools,
    ws: WorkspaceId,
    import_id: Uuid,
    part: i64,
) -> Result<Option<Vec<u8>>, StoreError> {
    let q = Query::select()
        .column(a("bytes"))
        .from(a("import_files"))
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .and_where(Expr::col(a("import_id")).eq(import_id))
        .and_where(Expr::col(a("part")).eq(part))
        .to_owned();
    let row: Option<(Vec<u8>,)> = pools.fetch_optional(&q).await?;
    Ok(row.map(|(bytes,)| bytes))
}

pub(crate) async fn delete_file(
    pools: &Pools,
    ws: WorkspaceId,
    import_id: Uuid,
) -> Result<(), StoreError> {
    let del = Query::delete()
        .from_table(a("import_files"))
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .and_where(Expr::col(a("import_id")).eq(import_id))
        .to_owned();
    pools.execute(&del).await?;
    Ok(())
}

const ITEM_COLUMNS: [&str; 7] = [
    "seq",
    "record_kind",
    "record_id",
    "action",
    "before_version",
    "before_data",
    "after_version",
];

#[derive(sqlx::FromRow)]
struct ItemRow {
    seq: i64,
    record_kind: String,
    record_id: Uuid,
    action: String,
    before_version: Option<i64>,
    before_data: Option<Json<serde_json::Value>>,
    after_version: i64,
}

fn kind_of(name: &str) -> Result<RecordKind, StoreError> {
    RecordKind::parse(name)
        .ok_or_else(|| StoreError::Corrupt(format!("import item of kind {name}")))
}

pub(crate) async fn add_items(
    pools: &Pools,
    ws: WorkspaceId,
    import_id: Uuid,
    items: &[ImportItem],
) -> Result<(), StoreError> {
    let mut tx = pools.begin().await?;
    for chunk in items.chunks(500) {
        let mut ins = Query::insert();
        ins.into_table(a("import_items")).columns(
            ["workspace_id", "import_id"]
                .into_iter()
                .chain(ITEM_COLUMNS)
                .map(a),
        );
        for item in chunk {
            let (before_version, before_data) = match &item.before {
                Some((v, d)) => (Some(*v), Some(d.clone())),
                None => (None, None),
            };
            ins.values([
                ws.0.into(),
                import_id.into(),
                item.seq.into(),
                item.kind.entity().into(),
                item.record_id.into(),
                item.action.as_str().into(),
                before_version.into(),
                before_data.into(),
                item.after_version.into(),
            ])
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        }
        tx.execute(&ins).await?;
    }
    tx.commit().await
}

pub(crate) async fn items(
    pools: &Pools,
    ws: WorkspaceId,
    import_id: Uuid,
    after_seq: i64,
    limit: u32,
) -> Result<Vec<ImportItem>, StoreError> {
    let q = Query::select()
        .columns(ITEM_COLUMNS.map(a))
        .from(a("import_items"))
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .and_where(Expr::col(a("import_id")).eq(import_id))
        .and_where(Expr::col(a("seq")).gt(after_seq))
        .order_by(a("seq"), Order::Asc)
        .limit(u64::from(limit))
        .to_owned();
    pools
        .fetch_all::<ItemRow, _>(&q)
        .await?
        .into_iter()
        .map(|r| {
            Ok(ImportItem {
                seq: r.seq,
                kind: kind_of(&r.record_kind)?,
                record_id: r.record_id,
                action: ImportAction::parse(&r.action)
                    .ok_or_else(|| StoreError::Corrupt(format!("import action {}", r.action)))?,
                before: match (r.before_version, r.before_data) {
                    (Some(v), Some(d)) => Some((v, d.0)),
                    _ => None,
                },
                after_version: r.after_version,
            })
        })
        .collect()
}

/// Live records that have any of `terms` (normalised emails, national phone digits, `#tags`), with the term that
/// matched and whether the viewer may see the record.
pub(crate) async fn records_by_terms(
    pools: &Pools,
    kind: RecordKind,
    viewer: &Viewer,
    terms: &[String],
) -> Result<Vec<(String, StoredRecord, bool)>, StoreError> {
    let (t, Some(tt)) = (table(kind), terms_table(kind)) else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for chunk in terms.chunks(500) {
        let mut q = select_records(kind);
        q.expr_as(Expr::col((a(tt), a("term"))), a("matched_term"))
            .inner_join(
                a(tt),
                Condition::all()
                    .add(Expr::col((a(tt), a("workspace_id"))).equals((a(t), a("workspace_id"))))
                    .add(Expr::col((a(tt), a("record_id"))).equals((a(t), a("id")))),
            )
            .and_where(Expr::col((a(tt), a("workspace_id"))).eq(viewer.workspace_id.0))
            .and_where(Expr::col((a(tt), a("term"))).is_in(chunk.iter().cloned()))
            .and_where(Expr::col((a(t), a("deleted_at"))).is_null());
        let rows: Vec<TermMatchRow> = pools.fetch_all(&q).await?;
        for r in rows {
            let visible = viewer.can_see(r.record.owner(), r.record.team());
            found.push((r.matched_term, r.record.into_record(), visible));
        }
    }
    Ok(found)
}

/// Live records whose custom field `key` holds (as text) any of `values`, with the value that matched and whether
/// the viewer may see the record. Served by the field's expression index (`ensure_field_index`).
pub(crate) async fn records_by_custom(
    pools: &Pools,
    kind: RecordKind,
    viewer: &Viewer,
    key: &str,
    values: &[String],
) -> Result<Vec<(String, StoredRecord, bool)>, StoreError> {
    let t = table(kind);
    let field = crate::dialect::json_text(pools.backend(), t, key, true);
    let mut found = Vec::new();
    for chunk in values.chunks(500) {
        let mut q = select_records(kind);
        q.expr_as(field.clone(), a("matched_term"))
            .and_where(Expr::col((a(t), a("workspace_id"))).eq(viewer.workspace_id.0))
            .and_where(field.clone().is_in(chunk.iter().cloned()))
            .and_where(Expr::col((a(t), a("deleted_at"))).is_null());
        let rows: Vec<TermMatchRow> = pools.fetch_all(&q).await?;
        for r in rows {
            let visible = viewer.can_see(r.record.owner(), r.record.team());
            found.push((r.matched_term, r.record.into_record(), visible));
        }
    }
    Ok(found)
}

#[derive(sqlx::FromRow)]
struct TermMatchRow {
    #[sqlx(flatten)]
    record: RecordRow,
    matched_term: String,
}

/// Removes records for good, with their terms, links and history: what a rollback does to records an import
/// created.
pub(crate) async fn purge(
    pools: &Pools,
    kind: RecordKind,
    ws: WorkspaceId,
    ids: &[Uuid],
) -> Result<(), StoreError> {
    let mut tx = pools.begin().await?;
    // The contacts whose metrics these records count in, refreshed once they are gone.
    let mut customers = Vec::new();
    let mut touched = Vec::new();
    for id in ids {
        match kind {
            RecordKind::Order => {
                let customer = crate::customer_metrics::customer_of_order(&mut tx, ws, *id).await?;
                crate::product_spend::delete_rows(&mut tx, ws, *id, customer).await?;
                customers.extend(customer);
            }
            RecordKind::Interaction => touched
                .extend(crate::customer_metrics::contacts_of_interaction(&mut tx, ws, *id).await?),
            _ => {}
        }
        delete_links(&mut tx, kind, ws, *id).await?;
    }
    for chunk in ids.chunks(500) {
        let mut dependents = vec![("changes", "record_id")];
        if let Some(tt) = terms_table(kind) {
            dependents.push((tt, "record_id"));
        }
        if kind == RecordKind::Company {
            dependents.push(("contact_companies", "company_id"));
        }
        dependents.push((table(kind), "id"));
        for (from, column) in dependents {
            let del = Query::delete()
                .from_table(a(from))
                .and_where(Expr::col(a("workspace_id")).eq(ws.0))
                .and_where(Expr::col(a(column)).is_in(chunk.iter().copied()))
                .to_owned();
            tx.execute(&del).await?;
        }
    }
    crate::customer_metrics::refresh(&mut tx, ws, &customers).await?;
    crate::customer_metrics::refresh_last_contact(&mut tx, ws, &touched).await?;
    tx.commit().await
}
