//! A contact's spend over the last 12 months as a column of `contacts` (`spent_last_12_months_minor`), so that lists
//! filter and sort by it on an index. It holds the spend, in the workspace's currency, of the contact's purchases
//! made after the start of the workspace's window (`spend_windows.starts_after`). A purchase written after the
//! start adds to it in the same transaction (`customer_metrics::add_orders`); the daily job moves the start up to a
//! year ago and takes off the purchases it passes: one look at the orders of each contact with spend in the window,
//! on their orders' index, never a pass over the orders.

use crate::customer_metrics::{HOME_CURRENCY, PURCHASES};
use crate::db::{Pools, Tx};
use crate::types::{StoreError, WorkspaceId};
use sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};

/// The column of `contacts` that holds the spend.
pub(crate) const COLUMN: &str = "spent_last_12_months_minor";

/// 365 days, in microseconds.
const YEAR: i64 = 365 * 86_400_000_000;

/// The start of the workspace's window: the spend counts purchases made after it. A workspace without one (no
/// purchase written yet) gets one a year before `now`. On PostgreSQL the window's row stays share-locked until
/// the transaction ends, so that the window cannot move between reading its start and writing spend against it
/// (SQLite writes one transaction at a time).
pub(crate) async fn start(tx: &mut Tx, ws: WorkspaceId, now: i64) -> Result<i64, StoreError> {
    locked_start(tx, ws, now, false).await
}

/// As [`start`], locked for update (`to_move`) or for share.
async fn locked_start(
    tx: &mut Tx,
    ws: WorkspaceId,
    now: i64,
    to_move: bool,
) -> Result<i64, StoreError> {
    let create = Query::insert()
        .into_table(Alias::new("spend_windows"))
        .columns([Alias::new("workspace_id"), Alias::new("starts_after")])
        .values_panic([ws.0.into(), (now - YEAR).into()])
        .on_conflict(
            OnConflict::column(Alias::new("workspace_id"))
                .do_nothing()
                .to_owned(),
        )
        .to_owned();
    tx.execute(&create).await?;
    let mut read = Query::select();
    read.column(Alias::new("starts_after"))
        .from(Alias::new("spend_windows"))
        .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0));
    if to_move {
        read.lock_exclusive();
    } else {
        read.lock_shared();
    }
    let (start,): (i64,) = tx
        .fetch_optional(&read)
        .await?
        .ok_or_else(|| StoreError::Corrupt("the spend window was not kept".into()))?;
    Ok(start)
}

/// The workspace-currency spend of the purchases, made in `(after, up_to]`, of the contact row being updated.
fn spend_between(after: &str, up_to: Option<i64>) -> String {
    let up_to = up_to.map_or(String::new(), |t| format!(" AND o.occurred_at <= {t}"));
    format!(
        "(SELECT COALESCE(SUM(o.spent_minor), 0) {PURCHASES} AND o.currency = {HOME_CURRENCY} \
         AND o.occurred_at > {after}{up_to})"
    )
}

/// The correlated subquery that recomputes the column for the contact row being updated, from the purchases made
/// after the start of its workspace's window.
pub(crate) fn recompute_query() -> String {
    spend_between(
        "(SELECT s.starts_after FROM spend_windows s WHERE s.workspace_id = contacts.workspace_id)",
        None,
    )
}

/// The migration that adds the column: its index, the windows of the workspaces there are, starting a year
/// before `now`, and the column filled for the contacts who bought.
pub(crate) fn migration(now: i64) -> String {
    format!(
        "ALTER TABLE contacts ADD COLUMN {COLUMN} BIGINT NOT NULL DEFAULT 0;
CREATE INDEX contacts_by_{COLUMN} ON contacts (workspace_id, {COLUMN}, id) WHERE deleted_at IS NULL;
CREATE TABLE spend_windows (
    workspace_id {{uuid}} NOT NULL PRIMARY KEY,
    starts_after BIGINT NOT NULL);
INSERT INTO spend_windows (workspace_id, starts_after) SELECT id, {start} FROM workspaces;
UPDATE contacts SET {COLUMN} = {query} WHERE orders_count > 0;
",
        start = now - YEAR,
        query = recompute_query(),
    )
}

/// Moves the workspace's window to start a year before `now`, if it starts earlier, and takes the purchases it
/// passes off their contacts' spend, in one transaction. Only contacts with spend in the window can have such
/// purchases; of those, only the ones that do are written.
pub(crate) async fn advance(pools: &Pools, ws: WorkspaceId, now: i64) -> Result<(), StoreError> {
    let mut tx = pools.begin().await?;
    // Locked first: writes that read the old start finish before, and later ones wait to read the new one.
    let from = locked_start(&mut tx, ws, now, true).await?;
    let to = now - YEAR;
    if to <= from {
        return tx.commit().await;
    }
    let passed = spend_between(&from.to_string(), Some(to));
    // Live contacts are found on the column's index; trashed ones (few) on the trash's.
    for live in [true, false] {
        let mut update = Query::update();
        update
            .table(Alias::new("contacts"))
            .value(
                Alias::new(COLUMN),
                Expr::col(Alias::new(COLUMN)).sub(Expr::cust(passed.clone())),
            )
            .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
            .and_where(if live {
                Expr::col(Alias::new("deleted_at")).is_null()
            } else {
                Expr::col(Alias::new("deleted_at")).is_not_null()
            })
            .and_where(Expr::col(Alias::new(COLUMN)).gt(0))
            .and_where(Expr::cust(format!(
                "EXISTS (SELECT 1 {PURCHASES} AND o.occurred_at > {from} AND o.occurred_at <= {to})"
            )));
        tx.execute(&update).await?;
    }
    let moved = Query::update()
        .table(Alias::new("spend_windows"))
        .value(Alias::new("starts_after"), to)
        .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
        .to_owned();
    tx.execute(&moved).await?;
    tx.commit().await
}
