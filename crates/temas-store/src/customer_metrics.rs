//! A contact's order metrics, kept as columns of `contacts` and brought up to date in the same transaction as
//! every write to an order of theirs: a handful of indexed aggregates over that customer's orders, never a pass
//! over the base. The RFM scores are quintiles over the workspace, recomputed by a job from those columns alone.

use crate::db::{Pools, Tx};
use crate::types::{Backend, StoreError, WorkspaceId};
use sea_query::{Alias, Expr, ExprTrait, Query};
use uuid::Uuid;

/// The orders of the contact row being updated that count as purchases (live, with a spend).
const PURCHASES: &str = "FROM orders o WHERE o.workspace_id = contacts.workspace_id AND o.contact_id = contacts.id \
     AND o.deleted_at IS NULL AND o.spent_minor IS NOT NULL";

/// Each metric column and the correlated subquery that computes it; spend counts in the workspace's currency.
fn metric_queries() -> [(&'static str, String); 3] {
    [
        ("orders_count", format!("(SELECT COUNT(*) {PURCHASES})")),
        (
            "total_spent_minor",
            format!(
                "(SELECT COALESCE(SUM(o.spent_minor), 0) {PURCHASES} AND o.currency = \
                 (SELECT w.default_currency FROM workspaces w WHERE w.id = contacts.workspace_id))"
            ),
        ),
        (
            "last_order_at",
            format!("(SELECT COALESCE(MAX(o.occurred_at), 0) {PURCHASES})"),
        ),
    ]
}

/// The `SET` list that recomputes a contact's metrics (for the migration that fills them).
pub(crate) fn refresh_set() -> String {
    metric_queries()
        .iter()
        .map(|(column, query)| format!("{column} = {query}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Recomputes the metrics of `contacts` from their orders.
pub(crate) async fn refresh(
    tx: &mut Tx,
    ws: WorkspaceId,
    contacts: &[Uuid],
) -> Result<(), StoreError> {
    let mut contacts = contacts.to_vec();
    contacts.sort_unstable();
    contacts.dedup();
    for chunk in contacts.chunks(500) {
        let mut update = Query::update();
        update.table(Alias::new("contacts"));
        for (column, query) in metric_queries() {
            update.value(Alias::new(column), Expr::cust(query));
        }
        update
            .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
            .and_where(Expr::col(Alias::new("id")).is_in(chunk.iter().copied()));
        tx.execute(&update).await?;
    }
    Ok(())
}

/// The customer of an order, read before the order changes (so that the one it leaves is refreshed too).
pub(crate) async fn customer_of_order(
    tx: &mut Tx,
    ws: WorkspaceId,
    order: Uuid,
) -> Result<Option<Uuid>, StoreError> {
    let q = Query::select()
        .column(Alias::new("contact_id"))
        .from(Alias::new("orders"))
        .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
        .and_where(Expr::col(Alias::new("id")).eq(order))
        .to_owned();
    let row: Option<(Option<Uuid>,)> = tx.fetch_optional(&q).await?;
    Ok(row.and_then(|(c,)| c))
}

/// A UUID as an SQL literal (it is typed, so it cannot carry anything else).
fn uuid_literal(backend: Backend, id: Uuid) -> String {
    match backend {
        Backend::Sqlite => format!("X'{}'", id.simple()),
        Backend::Postgres => format!("'{id}'::uuid"),
    }
}

/// Scores every buying contact of the workspace 1 to 5 on recency, frequency and spend (quintiles: 5 is the most
/// recent, most frequent, biggest-spending fifth); contacts who never bought score 0. Only scores that change are
/// written, since rewriting a (wide) contact row costs more than computing its score.
pub(crate) async fn rescore(pools: &Pools, ws: WorkspaceId) -> Result<(), StoreError> {
    let w = uuid_literal(pools.backend(), ws.0);
    let sql = format!(
        "UPDATE contacts SET rfm_recency = s.r, rfm_frequency = s.f, rfm_monetary = s.m
         FROM (SELECT id,
                 NTILE(5) OVER (ORDER BY last_order_at, id) AS r,
                 NTILE(5) OVER (ORDER BY orders_count, id) AS f,
                 NTILE(5) OVER (ORDER BY total_spent_minor, id) AS m
               FROM contacts WHERE workspace_id = {w} AND deleted_at IS NULL AND orders_count > 0) AS s
         WHERE contacts.workspace_id = {w} AND contacts.id = s.id
           AND (contacts.rfm_recency <> s.r OR contacts.rfm_frequency <> s.f OR contacts.rfm_monetary <> s.m);
         UPDATE contacts SET rfm_recency = 0, rfm_frequency = 0, rfm_monetary = 0
         WHERE workspace_id = {w} AND orders_count = 0 AND rfm_recency <> 0;"
    );
    let mut tx = pools.begin().await?;
    tx.execute_raw(&sql).await?;
    tx.commit().await
}

/// A contact's RFM scores, or `None` before the scoring job has scored them.
pub(crate) async fn scores(
    pools: &Pools,
    ws: WorkspaceId,
    contact: Uuid,
) -> Result<Option<[u8; 3]>, StoreError> {
    let q = Query::select()
        .columns(["rfm_recency", "rfm_frequency", "rfm_monetary"].map(Alias::new))
        .from(Alias::new("contacts"))
        .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
        .and_where(Expr::col(Alias::new("id")).eq(contact))
        .to_owned();
    let row: Option<(i64, i64, i64)> = pools.fetch_optional(&q).await?;
    Ok(row
        .filter(|(r, _, _)| *r > 0)
        .map(|(r, f, m)| [r, f, m].map(|v| u8::try_from(v).unwrap_or(0))))
}
