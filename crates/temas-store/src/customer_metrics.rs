//! A contact's order metrics, kept as columns of `contacts` and brought up to date in the same transaction as
//! every write to an order of theirs, never by a pass over the base: new orders add to them, and a changed,
//! trashed or moved order has its customer recomputed from their orders (a handful of indexed aggregates). When
//! the contact was last in touch is kept the same way from their interactions. The
//! RFM scores are read off those columns against the workspace's cut points, which a job finds on the columns'
//! indexes.

use crate::db::{Pools, Tx};
use crate::records::{RecordRow, col, select_records, visible};
use crate::spend_window;
use crate::types::{
    ContactFigures, Indexed, RecordKind, StoreError, StoredRecord, Viewer, WorkspaceId,
};
use sea_query::{Alias, Expr, ExprTrait, IntoIden, Query, SimpleExpr, TableRef, ValueTuple};
use sqlx::types::Json;
use std::collections::BTreeMap;
use temas_core::time::{now, to_micros};
use uuid::Uuid;

/// The orders of the contact row being updated that count as purchases (live, with a spend).
pub(crate) const PURCHASES: &str = "FROM orders o WHERE o.workspace_id = contacts.workspace_id AND o.contact_id = contacts.id \
     AND o.deleted_at IS NULL AND o.spent_minor IS NOT NULL";

/// The currency of the workspace of the contact row being updated: spend counts in it.
pub(crate) const HOME_CURRENCY: &str =
    "(SELECT w.default_currency FROM workspaces w WHERE w.id = contacts.workspace_id)";

/// Each metric column and the correlated subquery that computes it; spend counts in the workspace's currency.
fn metric_queries() -> [(&'static str, String); 3] {
    [
        ("orders_count", format!("(SELECT COUNT(*) {PURCHASES})")),
        (
            "total_spent_minor",
            format!(
                "(SELECT COALESCE(SUM(o.spent_minor), 0) {PURCHASES} AND o.currency = {HOME_CURRENCY})"
            ),
        ),
        (
            "last_order_at",
            format!("(SELECT COALESCE(MAX(o.occurred_at), 0) {PURCHASES})"),
        ),
    ]
}

/// The metrics added after the first three: the first purchase, and the purchases in the workspace's currency
/// (`home_orders_count`, the divisor of the average order value; not a list field).
fn order_value_queries() -> [(&'static str, String); 2] {
    [
        (
            "first_order_at",
            format!("(SELECT COALESCE(MIN(o.occurred_at), 0) {PURCHASES})"),
        ),
        ("home_orders_count", home_orders_query()),
    ]
}

/// The contact's purchases in the workspace's currency.
fn home_orders_query() -> String {
    format!("(SELECT COUNT(*) {PURCHASES} AND o.currency = {HOME_CURRENCY})")
}

/// The average order value in the workspace's currency from a spend and a number of purchases (SQL expressions),
/// rounded to the nearest minor unit with halves away from zero, as the card rounds it; 0 without purchases.
fn average_of(spent: &str, orders: &str) -> String {
    format!(
        "CASE WHEN {orders} > 0 THEN (CASE WHEN {spent} >= 0 THEN (2 * {spent} + {orders}) / (2 * {orders}) \
         ELSE -((2 * -{spent} + {orders}) / (2 * {orders})) END) ELSE 0 END"
    )
}

/// The `SET` that fills the metrics added after the first three (for the migration that adds them, which runs
/// after the spend and the count it divides are in place).
pub(crate) fn order_value_set() -> String {
    let mut set: Vec<String> = order_value_queries()
        .iter()
        .map(|(column, query)| format!("{column} = {query}"))
        .collect();
    set.push(format!(
        "average_order_value_minor = {}",
        average_of("contacts.total_spent_minor", &home_orders_query())
    ));
    set.join(", ")
}

/// The `SET` list that recomputes a contact's metrics but the 12-month spend (for the migration that fills them,
/// which came before that column).
pub(crate) fn refresh_set() -> String {
    metric_queries()
        .iter()
        .map(|(column, query)| format!("{column} = {query}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The latest live interaction with the contact row being updated, 0 for none.
const LAST_CONTACT: &str = "(SELECT COALESCE(MAX(ic.occurred_at), 0) FROM interaction_contacts ic \
     JOIN interactions i ON i.workspace_id = ic.workspace_id AND i.id = ic.interaction_id \
     WHERE ic.workspace_id = contacts.workspace_id AND ic.contact_id = contacts.id AND i.deleted_at IS NULL)";

/// The `SET` that recomputes a contact's `last_contact_at` (for the migration that fills it).
pub(crate) fn last_contact_set() -> String {
    format!("last_contact_at = {LAST_CONTACT}")
}

/// Recomputes the order metrics of `contacts` from their orders.
pub(crate) async fn refresh(
    tx: &mut Tx,
    ws: WorkspaceId,
    contacts: &[Uuid],
) -> Result<(), StoreError> {
    // Made if missing, and held on PostgreSQL, for the recompute to read the window's start.
    spend_window::start(tx, ws, to_micros(now())).await?;
    let mut columns = metric_queries().to_vec();
    columns.push((spend_window::COLUMN, spend_window::recompute_query()));
    columns.extend(order_value_queries());
    columns.push(crate::product_spend::converted_column());
    columns.extend(crate::product_spend::favourite_columns());
    recompute(tx, ws, contacts, &columns).await?;
    // The average divides two of the columns just recomputed, so it reads them once they are written.
    let average = average_of("contacts.total_spent_minor", "contacts.home_orders_count");
    recompute(tx, ws, contacts, &[("average_order_value_minor", average)]).await
}

/// Recomputes when `contacts` were last in touch, from their live interactions.
pub(crate) async fn refresh_last_contact(
    tx: &mut Tx,
    ws: WorkspaceId,
    contacts: &[Uuid],
) -> Result<(), StoreError> {
    recompute(
        tx,
        ws,
        contacts,
        &[("last_contact_at", LAST_CONTACT.to_owned())],
    )
    .await
}

/// Sets each of `columns` of `contacts` to its correlated subquery.
pub(crate) async fn recompute(
    tx: &mut Tx,
    ws: WorkspaceId,
    contacts: &[Uuid],
    columns: &[(&'static str, String)],
) -> Result<(), StoreError> {
    let mut contacts = contacts.to_vec();
    contacts.sort_unstable();
    contacts.dedup();
    for chunk in contacts.chunks(500) {
        let mut update = Query::update();
        update.table(Alias::new("contacts"));
        for (column, query) in columns {
            update.value(Alias::new(*column), Expr::cust(query.clone()));
        }
        update
            .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
            .and_where(Expr::col(Alias::new("id")).is_in(chunk.iter().copied()));
        tx.execute(&update).await?;
    }
    Ok(())
}

/// Adds newly recorded orders to their customers' metrics. An order only adds to them, so the batch's sums per
/// customer are joined onto the contacts in one statement per 500 customers, instead of recomputing each customer
/// from every order they ever placed (one read per order, which grows with the customer's history).
pub(crate) async fn add_orders(
    tx: &mut Tx,
    ws: WorkspaceId,
    orders: &[(Uuid, &Indexed)],
    now: i64,
) -> Result<(), StoreError> {
    let home = Query::select()
        .column(Alias::new("default_currency"))
        .from(Alias::new("workspaces"))
        .and_where(Expr::col(Alias::new("id")).eq(ws.0))
        .to_owned();
    let Some((home,)): Option<(String,)> = tx.fetch_optional(&home).await? else {
        return Ok(());
    };
    let window_start = spend_window::start(tx, ws, now).await?;
    let mut sums: BTreeMap<Uuid, Purchases> = BTreeMap::new();
    for (_, order) in orders {
        let (Some(contact), Some((currency, spent))) = (order.contact_id, &order.spent) else {
            continue;
        };
        let at = order.occurred_at.unwrap_or(now);
        let sum = sums.entry(contact).or_insert(Purchases {
            first: i64::MAX,
            last: i64::MIN,
            ..Purchases::default()
        });
        sum.count += 1;
        sum.converted += order.spent_converted.unwrap_or(0);
        if *currency == home {
            sum.home_count += 1;
            sum.spent += spent;
            if at > window_start {
                sum.recent += spent;
            }
        }
        sum.first = Ord::min(sum.first, at);
        sum.last = Ord::max(sum.last, at);
    }
    let firsts: Vec<ValueTuple> = sums
        .iter()
        .map(|(contact, p)| ValueTuple::Two((*contact).into(), p.first.into()))
        .collect();
    let rows = sums
        .into_iter()
        .map(|(contact, p)| {
            ValueTuple::Many(vec![
                contact.into(),
                p.count.into(),
                p.spent.into(),
                p.last.into(),
                p.recent.into(),
                p.home_count.into(),
                p.converted.into(),
            ])
        })
        .collect();
    // Each SET reads the contact's values from before the update, so the average divides old plus new.
    let average = average_of(
        "(contacts.total_spent_minor + batch.column3)",
        "(contacts.home_orders_count + batch.column6)",
    );
    let set = [
        ("orders_count", mine("orders_count").add(batch(2))),
        ("total_spent_minor", mine("total_spent_minor").add(batch(3))),
        ("last_order_at", later("last_order_at", 4)),
        (
            spend_window::COLUMN,
            mine(spend_window::COLUMN).add(batch(5)),
        ),
        ("home_orders_count", mine("home_orders_count").add(batch(6))),
        ("average_order_value_minor", Expr::cust(average)),
        (
            "total_spent_converted_minor",
            mine("total_spent_converted_minor").add(batch(7)),
        ),
    ];
    update_from_batches(tx, ws, rows, &set, None).await?;
    add_product_spend(tx, ws, orders).await?;
    // SQLite rewrites the index entry of every column an UPDATE assigns, changed or not, and a customer's first
    // purchase changes once: it is set apart, on the rows it moves.
    let first = mine("first_order_at");
    let moves = first.clone().eq(0).or(batch(2).lt(first));
    update_from_batches(tx, ws, firsts, &[("first_order_at", batch(2))], Some(moves)).await
}

/// Keeps the spend per product of new orders and moves their customers' favourites, regrouped from all of their
/// spend rows (one range of the table's key per customer, which grows with their purchases).
async fn add_product_spend(
    tx: &mut Tx,
    ws: WorkspaceId,
    orders: &[(Uuid, &Indexed)],
) -> Result<(), StoreError> {
    let bought: Vec<crate::product_spend::OrderSpend<'_>> = orders
        .iter()
        .filter(|(_, o)| o.spent.is_some() && !o.product_spend.is_empty())
        .map(|(id, o)| (*id, o.contact_id, o.product_spend.as_slice()))
        .collect();
    crate::product_spend::insert_rows(tx, ws, &bought, true).await?;
    let customers: Vec<Uuid> = bought.iter().filter_map(|(_, c, _)| *c).collect();
    recompute(
        tx,
        ws,
        &customers,
        &crate::product_spend::favourite_columns(),
    )
    .await
}

/// One customer's purchases in a batch of new orders.
#[derive(Default)]
struct Purchases {
    count: i64,
    /// Spent in every currency, converted into the workspace's.
    converted: i64,
    /// Purchases in the workspace's currency; the next two count in it too.
    home_count: i64,
    spent: i64,
    /// Spent in the 12-month window.
    recent: i64,
    first: i64,
    last: i64,
}

/// Moves the `last_contact_at` of each contact in `touches` (contact, when) forward to when, if later: new
/// interactions only add to it, in one statement per 500 contacts.
pub(crate) async fn add_touches(
    tx: &mut Tx,
    ws: WorkspaceId,
    touches: &[(Uuid, i64)],
) -> Result<(), StoreError> {
    let mut latest: BTreeMap<Uuid, i64> = BTreeMap::new();
    for &(contact, at) in touches {
        let last = latest.entry(contact).or_insert(at);
        *last = Ord::max(*last, at);
    }
    let rows = latest
        .into_iter()
        .map(|(contact, at)| ValueTuple::Two(contact.into(), at.into()))
        .collect();
    update_from_batches(
        tx,
        ws,
        rows,
        &[("last_contact_at", later("last_contact_at", 2))],
        None,
    )
    .await
}

/// Column `n` of the `batch` a metric update joins (a VALUES list names its columns column1, column2 … on both
/// backends; column1 is the contact's id).
fn batch(n: usize) -> Expr {
    Expr::col((Alias::new("batch"), Alias::new(format!("column{n}"))))
}

/// A column of the contact being updated.
fn mine(column: &str) -> Expr {
    Expr::col((Alias::new("contacts"), Alias::new(column)))
}

/// The later of an instant metric and column `n` of the batch.
fn later(column: &str, n: usize) -> SimpleExpr {
    Expr::case(batch(n).gt(mine(column)), batch(n))
        .finally(mine(column))
        .into()
}

/// Sets `set` (column, value read from the contact and the batch) on the contacts of `rows`, each a contact's id
/// followed by its values, joined onto them as a VALUES list: one statement per 500 contacts. With `only_if`, on
/// those of them it holds for.
async fn update_from_batches(
    tx: &mut Tx,
    ws: WorkspaceId,
    rows: Vec<ValueTuple>,
    set: &[(&str, SimpleExpr)],
    only_if: Option<SimpleExpr>,
) -> Result<(), StoreError> {
    for chunk in rows.chunks(500) {
        // The workspace rides in each row, after the values, and the contacts are joined on it: compared with a
        // constant instead, SQLite's statistics (sampled under `analysis_limit`, they put about 1,000 rows under
        // any workspace, however many it has) made a pass over the workspace's contacts look cheaper than 500
        // look-ups by key, and each update read the whole base.
        let workspace = batch(chunk.first().map_or(0, ValueTuple::arity) + 1);
        let rows = chunk
            .iter()
            .map(|row| ValueTuple::Many(row.clone().into_iter().chain([ws.0.into()]).collect()))
            .collect();
        let mut update = Query::update();
        update
            .table(Alias::new("contacts"))
            .from(TableRef::ValuesList(rows, Alias::new("batch").into_iden()));
        for (column, value) in set {
            update.value(Alias::new(*column), value.clone());
        }
        update
            .and_where(mine("workspace_id").eq(workspace))
            .and_where(mine("id").equals((Alias::new("batch"), Alias::new("column1"))));
        if let Some(condition) = &only_if {
            update.and_where(condition.clone());
        }
        tx.execute_all_or_nothing(&update).await?;
    }
    Ok(())
}

/// The contacts an interaction is linked to, read before it changes (so that those it leaves are refreshed too).
pub(crate) async fn contacts_of_interaction(
    tx: &mut Tx,
    ws: WorkspaceId,
    interaction: Uuid,
) -> Result<Vec<Uuid>, StoreError> {
    let q = Query::select()
        .column(Alias::new("contact_id"))
        .from(Alias::new("interaction_contacts"))
        .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
        .and_where(Expr::col(Alias::new("interaction_id")).eq(interaction))
        .to_owned();
    let rows: Vec<(Uuid,)> = tx.fetch_all(&q).await?;
    Ok(rows.into_iter().map(|(c,)| c).collect())
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

/// Finds the workspace's RFM cuts (see `temas_core::rfm`) from the metric columns' indexes and keeps them. Each cut
/// is one index lookup at an offset: among the live contacts sorted by a metric, the non-buyers come first (they
/// hold 0, the least value a metric takes, save orders dated before 1970), so the buyer at position `p` is the
/// contact at `non_buyers + p`.
pub(crate) async fn rescore(pools: &Pools, ws: WorkspaceId, now: i64) -> Result<(), StoreError> {
    let count = |buyers: bool| {
        let metric = Expr::col(Alias::new("orders_count"));
        Query::select()
            .expr(Expr::cust("COUNT(*)"))
            .from(Alias::new("contacts"))
            .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
            .and_where(Expr::col(Alias::new("deleted_at")).is_null())
            .and_where(if buyers { metric.gt(0) } else { metric.eq(0) })
            .to_owned()
    };
    let non_buyers = pools.fetch_numbers(&count(false), 1).await?[0];
    let buyers = pools.fetch_numbers(&count(true), 1).await?[0];
    let Some(positions) = temas_core::rfm::cut_positions(u64::try_from(buyers).unwrap_or(0)) else {
        let clear = Query::delete()
            .from_table(Alias::new("rfm_cuts"))
            .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
            .to_owned();
        let mut tx = pools.begin().await?;
        tx.execute(&clear).await?;
        return tx.commit().await;
    };
    let skip = u64::try_from(non_buyers).unwrap_or(0);
    let cuts = temas_core::rfm::RfmCuts {
        recency: values_at(pools, ws, "last_order_at", skip, positions).await?,
        frequency: values_at(pools, ws, "orders_count", skip, positions).await?,
        monetary: values_at(pools, ws, "total_spent_minor", skip, positions).await?,
    };
    let doc = serde_json::to_value(&cuts).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let save = Query::insert()
        .into_table(Alias::new("rfm_cuts"))
        .columns(["workspace_id", "buyers", "cuts", "computed_at"].map(Alias::new))
        .values_panic([ws.0.into(), buyers.into(), doc.into(), now.into()])
        .on_conflict(
            sea_query::OnConflict::column(Alias::new("workspace_id"))
                .update_columns(["buyers", "cuts", "computed_at"].map(Alias::new))
                .to_owned(),
        )
        .to_owned();
    let mut tx = pools.begin().await?;
    tx.execute(&save).await?;
    tx.commit().await
}

/// The values at `positions` (ascending) among the live contacts sorted by `metric`, past the first `skip`. Each
/// lookup goes on from the row the previous one found, so the index is walked once rather than once per cut. A
/// position past the end (contacts went meanwhile) reads as `i64::MAX`: nobody is above that cut.
async fn values_at(
    pools: &Pools,
    ws: WorkspaceId,
    metric: &'static str,
    skip: u64,
    positions: [u64; 4],
) -> Result<[i64; 4], StoreError> {
    let mut values = [i64::MAX; 4];
    let mut previous: Option<(i64, Uuid)> = None;
    // How many rows of the order lie up to and including `previous`.
    let mut walked = 0u64;
    for (value, position) in values.iter_mut().zip(positions) {
        let Some(ahead) = (skip + position).checked_sub(walked) else {
            // The same position as the last cut (fewer than five buyers).
            *value = previous.map_or(i64::MAX, |(v, _)| v);
            continue;
        };
        let mut q = Query::select();
        q.columns([Alias::new(metric), Alias::new("id")])
            .from(Alias::new("contacts"))
            .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
            .and_where(Expr::col(Alias::new("deleted_at")).is_null())
            .order_by(Alias::new(metric), sea_query::Order::Asc)
            .order_by(Alias::new("id"), sea_query::Order::Asc)
            .limit(1)
            .offset(ahead);
        if let Some((v, id)) = previous {
            q.and_where(
                Expr::tuple([Expr::col(Alias::new(metric)), Expr::col(Alias::new("id"))])
                    .gt(Expr::tuple([Expr::val(v), Expr::val(id)])),
            );
        }
        let Some(found): Option<(i64, Uuid)> = pools.fetch_optional(&q).await? else {
            break;
        };
        *value = found.0;
        previous = Some(found);
        walked = skip + position + 1;
    }
    Ok(values)
}

/// The workspace's RFM cuts, once scored.
pub(crate) async fn cuts(
    pools: &Pools,
    ws: WorkspaceId,
) -> Result<Option<temas_core::rfm::RfmCuts>, StoreError> {
    let q = Query::select()
        .column(Alias::new("cuts"))
        .from(Alias::new("rfm_cuts"))
        .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
        .to_owned();
    let row: Option<(Json<serde_json::Value>,)> = pools.fetch_optional(&q).await?;
    row.map(|(Json(doc),)| {
        serde_json::from_value(doc).map_err(|e| StoreError::Corrupt(format!("rfm_cuts: {e}")))
    })
    .transpose()
}

/// A contact's row as the card reads it: the record, and the figures kept on it.
#[derive(sqlx::FromRow)]
struct CardRow {
    #[sqlx(flatten)]
    record: RecordRow,
    orders_count: i64,
    total_spent_minor: i64,
    last_order_at: i64,
    last_contact_at: i64,
    favourite_category: Option<String>,
    favourite_brand: Option<String>,
    rfm_cuts: Option<Json<serde_json::Value>>,
}

/// A contact the viewer sees, with the figures kept on its row (see [`ContactFigures`]), in one statement: a
/// contact's `GET` is the API's most frequent read, and every further statement costs it a round trip to a
/// database thread.
pub(crate) async fn contact_with_figures(
    pools: &Pools,
    viewer: &Viewer,
    id: Uuid,
) -> Result<Option<(StoredRecord, ContactFigures)>, StoreError> {
    let t = "contacts";
    let mut q = select_records(RecordKind::Contact);
    for c in [
        "orders_count",
        "total_spent_minor",
        "last_order_at",
        "last_contact_at",
        "favourite_category",
        "favourite_brand",
    ] {
        q.expr(col(t, c));
    }
    q.expr_as(col("rfm_cuts", "cuts"), Alias::new("rfm_cuts"))
        .left_join(
            Alias::new("rfm_cuts"),
            col("rfm_cuts", "workspace_id").equals((Alias::new(t), Alias::new("workspace_id"))),
        )
        .cond_where(visible(RecordKind::Contact, viewer))
        .and_where(col(t, "id").eq(id));
    let Some(row): Option<CardRow> = pools.fetch_optional(&q).await? else {
        return Ok(None);
    };
    let cuts: Option<temas_core::rfm::RfmCuts> = row
        .rfm_cuts
        .map(|Json(doc)| serde_json::from_value(doc))
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("rfm_cuts: {e}")))?;
    let figures = ContactFigures {
        orders_count: row.orders_count,
        last_contact_at: (row.last_contact_at != 0).then_some(row.last_contact_at),
        rfm: cuts.and_then(|cuts| {
            cuts.score(temas_core::rfm::RfmInputs {
                last_order_at: row.last_order_at,
                orders_count: row.orders_count,
                total_spent_minor: row.total_spent_minor,
            })
        }),
        favourite_category: row.favourite_category,
        favourite_brand: row.favourite_brand,
    };
    Ok(Some((row.record.into_record(), figures)))
}
