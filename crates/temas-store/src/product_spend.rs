//! What each order counts as spend in the workspace's currency, in all and per product, and the customer metrics
//! read from it: the spend converted from every currency (`total_spent_converted_minor`) and the product category and
//! brand that spend adds up to most in (`favourite_category`, `favourite_brand`), kept as columns of `contacts` so
//! that lists filter on them by index.
//!
//! The service converts an order when it writes it, at the rate of the order's day (`Indexed::spent_converted`
//! and `Indexed::product_spend`); the store keeps the order's converted spend in its row and its spend per product
//! in `order_product_spend`: one row per product, keyed by the customer first, so that a customer's rows lie
//! together, marked live while the order is out of the trash, and carrying the product's category and brand (none
//! while the product is in the trash). A customer's favourites are a grouping of those rows: one short range of
//! one index, never the orders or the products, never a pass over the base. A product whose category or brand
//! changes, or which goes to the trash or comes back, has its rows rewritten and its buyers' favourites recomputed.
//!
//! Orders whose conversion is out of date carry `conversion_pending = 1`: those recorded before this was kept,
//! those loaded from a dump, and those in other currencies when the workspace's rates change. The service converts
//! them again, page by page ([`pending_orders`], [`set_conversions`]).

use crate::db::{Pools, Tx};
use crate::records::{RecordRow, col, select_records};
use crate::types::{Backend, Conversion, RecordKind, StoreError, StoredRecord, WorkspaceId};
use sea_query::{Alias, Expr, ExprTrait, Order, Query};
use std::collections::HashMap;
use uuid::Uuid;

/// The migration that adds the columns and the table. The products' category and brand are copied out of their
/// data; every order recorded so far waits for the service to convert it.
pub(crate) fn migration(backend: Backend) -> String {
    let without_rowid = if backend == Backend::Sqlite {
        " WITHOUT ROWID"
    } else {
        ""
    };
    // The favourites' indexes hold contacts without one too: an index partial on a favourite being set is one
    // SQLite takes for any comparison with it, even when a list means to walk its sort's index and test the
    // favourite on the rows (it read and sorted every contact with that favourite, 43 ms at 100,000 contacts).
    let ddl = format!(
        "ALTER TABLE products ADD COLUMN category {{text_c}};
ALTER TABLE products ADD COLUMN brand {{text_c}};
UPDATE products SET {facets};
ALTER TABLE orders ADD COLUMN spent_converted_minor BIGINT;
ALTER TABLE orders ADD COLUMN conversion_pending BIGINT NOT NULL DEFAULT 1;
CREATE INDEX orders_conversion_pending ON orders (workspace_id, id) WHERE conversion_pending = 1;
CREATE TABLE order_product_spend (
    workspace_id {{uuid}} NOT NULL,
    contact_id {{uuid}} NOT NULL,
    order_id {{uuid}} NOT NULL,
    product_id {{uuid}} NOT NULL,
    live BIGINT NOT NULL,
    spent_minor BIGINT NOT NULL,
    category {{text_c}},
    brand {{text_c}},
    PRIMARY KEY (workspace_id, contact_id, order_id, product_id)){without_rowid};
CREATE INDEX order_product_spend_by_product ON order_product_spend (workspace_id, product_id, contact_id);
ALTER TABLE contacts ADD COLUMN total_spent_converted_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN favourite_category {{text_c}};
ALTER TABLE contacts ADD COLUMN favourite_brand {{text_c}};
CREATE INDEX contacts_by_total_spent_converted_minor ON contacts (workspace_id, total_spent_converted_minor, id) \
WHERE deleted_at IS NULL;
CREATE INDEX contacts_by_favourite_category ON contacts (workspace_id, favourite_category, id) \
WHERE deleted_at IS NULL;
CREATE INDEX contacts_by_favourite_brand ON contacts (workspace_id, favourite_brand, id) \
WHERE deleted_at IS NULL;
",
        facets = facets_from_data(backend),
    );
    crate::dialect::render_ddl(backend, &ddl)
}

/// A text field of a product's data.
fn from_data_expr(backend: Backend, field: &str) -> String {
    match backend {
        Backend::Sqlite => format!("json_extract(data, '$.{field}')"),
        Backend::Postgres => format!("data ->> '{field}'"),
    }
}

/// The `SET` that copies a product's category and brand out of its data.
fn facets_from_data(backend: Backend) -> String {
    format!(
        "category = {}, brand = {}",
        from_data_expr(backend, "category"),
        from_data_expr(backend, "brand")
    )
}

/// Copies the category and brand of the workspace's products out of their data (after a dump is loaded).
pub(crate) async fn copy_facets(tx: &mut Tx, ws: WorkspaceId) -> Result<(), StoreError> {
    let update = Query::update()
        .table(Alias::new("products"))
        .value(
            Alias::new("category"),
            Expr::cust(from_data_expr(tx.backend(), "category")),
        )
        .value(
            Alias::new("brand"),
            Expr::cust(from_data_expr(tx.backend(), "brand")),
        )
        .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
        .to_owned();
    tx.execute(&update).await?;
    Ok(())
}

/// The correlated subquery that finds the contact row being updated's favourite `facet` (`category` or `brand`):
/// the one their live purchases' converted spend adds up to most in, over the products still in the catalogue; a tie
/// goes to the name that sorts first (byte order on both backends).
fn favourite_query(facet: &str) -> String {
    format!(
        "(SELECT s.{facet} FROM order_product_spend s \
         WHERE s.workspace_id = contacts.workspace_id AND s.contact_id = contacts.id AND s.live = 1 \
         AND s.{facet} IS NOT NULL \
         GROUP BY s.{facet} HAVING SUM(s.spent_minor) > 0 \
         ORDER BY SUM(s.spent_minor) DESC, s.{facet} LIMIT 1)"
    )
}

/// The favourite columns and the subqueries that recompute them (public for the benchmark's raw engine, which
/// makes the same writes).
pub fn favourite_columns() -> [(&'static str, String); 2] {
    [
        ("favourite_category", favourite_query("category")),
        ("favourite_brand", favourite_query("brand")),
    ]
}

/// The converted spend column and the subquery that recomputes it.
pub(crate) fn converted_column() -> (&'static str, String) {
    (
        "total_spent_converted_minor",
        format!(
            "(SELECT COALESCE(SUM(o.spent_converted_minor), 0) {})",
            crate::customer_metrics::PURCHASES
        ),
    )
}

/// An order, its customer, and its converted spend per product.
pub(crate) type OrderSpend<'a> = (Uuid, Option<Uuid>, &'a [(Uuid, i64)]);

/// Removes the spend per product of `order`, kept under its customer `contact`.
pub(crate) async fn delete_rows(
    tx: &mut Tx,
    ws: WorkspaceId,
    order: Uuid,
    contact: Option<Uuid>,
) -> Result<(), StoreError> {
    let Some(contact) = contact else {
        return Ok(());
    };
    let delete = Query::delete()
        .from_table(Alias::new("order_product_spend"))
        .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
        .and_where(Expr::col(Alias::new("contact_id")).eq(contact))
        .and_where(Expr::col(Alias::new("order_id")).eq(order))
        .to_owned();
    tx.execute(&delete).await?;
    Ok(())
}

/// Marks the spend per product of `order` (kept under `contact`) as counting or not: the order left the trash or
/// went to it.
pub(crate) async fn set_live(
    tx: &mut Tx,
    ws: WorkspaceId,
    order: Uuid,
    contact: Option<Uuid>,
    live: bool,
) -> Result<(), StoreError> {
    let Some(contact) = contact else {
        return Ok(());
    };
    let update = Query::update()
        .table(Alias::new("order_product_spend"))
        .value(Alias::new("live"), i64::from(live))
        .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
        .and_where(Expr::col(Alias::new("contact_id")).eq(contact))
        .and_where(Expr::col(Alias::new("order_id")).eq(order))
        .to_owned();
    tx.execute(&update).await?;
    Ok(())
}

/// Keeps the spend per product of `orders` (each with its customer: an order without one keeps none), counting
/// when `live`.
pub(crate) async fn insert_rows(
    tx: &mut Tx,
    ws: WorkspaceId,
    orders: &[OrderSpend<'_>],
    live: bool,
) -> Result<(), StoreError> {
    let mut products: Vec<Uuid> = orders
        .iter()
        .flat_map(|(_, _, spend)| spend.iter().map(|(product, _)| *product))
        .collect();
    products.sort_unstable();
    products.dedup();
    let facets = live_facets(tx, ws, &products).await?;
    let rows: Vec<[sea_query::Value; 8]> = orders
        .iter()
        .filter_map(|(order, contact, spend)| Some((*order, (*contact)?, *spend)))
        .flat_map(|(order, contact, spend)| {
            let facets = &facets;
            spend.iter().map(move |(product, minor)| {
                let (category, brand) = facets.get(product).cloned().unwrap_or_default();
                [
                    ws.0.into(),
                    contact.into(),
                    order.into(),
                    (*product).into(),
                    i64::from(live).into(),
                    (*minor).into(),
                    category.into(),
                    brand.into(),
                ]
            })
        })
        .collect();
    for chunk in rows.chunks(200) {
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new("order_product_spend"))
            .columns(
                [
                    "workspace_id",
                    "contact_id",
                    "order_id",
                    "product_id",
                    "live",
                    "spent_minor",
                    "category",
                    "brand",
                ]
                .map(Alias::new),
            );
        for row in chunk {
            insert
                .values(row.clone().map(Expr::val))
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        }
        tx.execute_all_or_nothing(&insert).await?;
    }
    Ok(())
}

/// The category and brand of those of `products` in the catalogue (not in the trash).
async fn live_facets(
    tx: &mut Tx,
    ws: WorkspaceId,
    products: &[Uuid],
) -> Result<HashMap<Uuid, (Option<String>, Option<String>)>, StoreError> {
    let mut facets = HashMap::with_capacity(products.len());
    for chunk in products.chunks(500) {
        let q = Query::select()
            .columns([
                Alias::new("id"),
                Alias::new("category"),
                Alias::new("brand"),
            ])
            .from(Alias::new("products"))
            .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
            .and_where(Expr::col(Alias::new("id")).is_in(chunk.iter().copied()))
            .and_where(Expr::col(Alias::new("deleted_at")).is_null())
            .to_owned();
        let rows: Vec<(Uuid, Option<String>, Option<String>)> = tx.fetch_all(&q).await?;
        facets.extend(rows.into_iter().map(|(id, c, b)| (id, (c, b))));
    }
    Ok(facets)
}

/// A product's category and brand while it is in the catalogue (none in the trash): read before it changes, to
/// know whether its buyers' favourites move, and after, for the rows its buyers keep.
pub(crate) async fn facets_of_product(
    tx: &mut Tx,
    ws: WorkspaceId,
    product: Uuid,
) -> Result<(Option<String>, Option<String>), StoreError> {
    Ok(live_facets(tx, ws, &[product])
        .await?
        .remove(&product)
        .unwrap_or_default())
}

/// Rewrites the category and brand on the spend rows of `product` (it changed, or it left or came back to the
/// catalogue) and recomputes the favourites of everyone who bought it, found on the rows' product index.
pub(crate) async fn refresh_buyers(
    tx: &mut Tx,
    ws: WorkspaceId,
    product: Uuid,
) -> Result<(), StoreError> {
    let (category, brand) = facets_of_product(tx, ws, product).await?;
    let rewrite = Query::update()
        .table(Alias::new("order_product_spend"))
        .value(Alias::new("category"), category)
        .value(Alias::new("brand"), brand)
        .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
        .and_where(Expr::col(Alias::new("product_id")).eq(product))
        .to_owned();
    tx.execute(&rewrite).await?;
    let q = Query::select()
        .distinct()
        .column(Alias::new("contact_id"))
        .from(Alias::new("order_product_spend"))
        .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
        .and_where(Expr::col(Alias::new("product_id")).eq(product))
        .to_owned();
    let buyers: Vec<(Uuid,)> = tx.fetch_all(&q).await?;
    let buyers: Vec<Uuid> = buyers.into_iter().map(|(c,)| c).collect();
    crate::customer_metrics::recompute(tx, ws, &buyers, &favourite_columns()).await
}

/// Marks for conversion the workspace's orders in a currency other than `home` (their rates changed), or all of
/// them without `home` (the workspace's currency changed: every customer's metrics in that currency are
/// recomputed too, in the same transaction).
pub(crate) async fn mark_pending(
    pools: &Pools,
    ws: WorkspaceId,
    home: Option<&str>,
) -> Result<u64, StoreError> {
    let mut tx = pools.begin().await?;
    let mut q = Query::update();
    q.table(Alias::new("orders"))
        .value(Alias::new("conversion_pending"), 1i64)
        .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
        .and_where(Expr::col(Alias::new("conversion_pending")).eq(0));
    if let Some(home) = home {
        q.and_where(Expr::col(Alias::new("currency")).ne(home));
    }
    let marked = tx.execute(&q).await?;
    if home.is_none() {
        let customers = Query::select()
            .distinct()
            .column(Alias::new("contact_id"))
            .from(Alias::new("orders"))
            .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
            .and_where(Expr::col(Alias::new("contact_id")).is_not_null())
            .to_owned();
        let customers: Vec<(Uuid,)> = tx.fetch_all(&customers).await?;
        let customers: Vec<Uuid> = customers.into_iter().map(|(c,)| c).collect();
        crate::customer_metrics::refresh(&mut tx, ws, &customers).await?;
    }
    tx.commit().await?;
    Ok(marked)
}

/// Up to `limit` of the workspace's orders waiting for conversion, trashed ones included, in id order after
/// `after`.
pub(crate) async fn pending_orders(
    pools: &Pools,
    ws: WorkspaceId,
    after: Option<Uuid>,
    limit: u32,
) -> Result<Vec<StoredRecord>, StoreError> {
    let t = "orders";
    let mut q = select_records(RecordKind::Order);
    q.and_where(col(t, "workspace_id").eq(ws.0))
        .and_where(col(t, "conversion_pending").eq(1));
    if let Some(after) = after {
        q.and_where(col(t, "id").gt(after));
    }
    q.order_by((Alias::new(t), Alias::new("id")), Order::Asc)
        .limit(u64::from(limit));
    let rows: Vec<RecordRow> = pools.fetch_all(&q).await?;
    Ok(rows.into_iter().map(RecordRow::into_record).collect())
}

/// Writes the conversions of pending orders and recomputes what their customers' metrics read from them (the
/// converted spend and the favourites), in one transaction. An order written since its version was read keeps
/// the conversion that write gave it.
pub(crate) async fn set_conversions(
    pools: &Pools,
    ws: WorkspaceId,
    conversions: &[Conversion],
) -> Result<(), StoreError> {
    let mut tx = pools.begin().await?;
    let mut customers = Vec::new();
    // The rows of the orders in the trash are kept too, not counting, for when they come back.
    let (mut live, mut trashed) = (Vec::new(), Vec::new());
    for c in conversions {
        let update = Query::update()
            .table(Alias::new("orders"))
            .value(Alias::new("spent_converted_minor"), c.spent_converted)
            .value(Alias::new("conversion_pending"), 0i64)
            .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
            .and_where(Expr::col(Alias::new("id")).eq(c.order))
            .and_where(Expr::col(Alias::new("version")).eq(c.version))
            .and_where(Expr::col(Alias::new("conversion_pending")).eq(1))
            .returning(
                Query::returning().columns([Alias::new("contact_id"), Alias::new("deleted_at")]),
            )
            .to_owned();
        let written: Option<(Option<Uuid>, Option<i64>)> = tx.fetch_optional(&update).await?;
        let Some((customer, deleted_at)) = written else {
            continue;
        };
        delete_rows(&mut tx, ws, c.order, customer).await?;
        let rows = if deleted_at.is_none() {
            &mut live
        } else {
            &mut trashed
        };
        rows.push((c.order, customer, c.product_spend.as_slice()));
        customers.extend(customer);
    }
    insert_rows(&mut tx, ws, &live, true).await?;
    insert_rows(&mut tx, ws, &trashed, false).await?;
    let mut columns = vec![converted_column()];
    columns.extend(favourite_columns());
    crate::customer_metrics::recompute(&mut tx, ws, &customers, &columns).await?;
    tx.commit().await
}
