//! Orders pushed as a shop or POS would push them: `POST /api/v1/orders/bulk`, 2 or 3 lines each, spread over the
//! base's contacts, with external ids (so a repeat run updates rather than duplicates).

use anyhow::{Context, bail};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::time::Instant;
use temas_core::contact::ValidationContext;
use temas_core::ids::UserId;
use temas_core::normalize::search_key;
use temas_core::order::{OrderData, OrderInput};

/// The ids of up to `limit` contacts, in creation order, read page by page through the API.
async fn contact_ids(base: &str, token: &str, limit: usize) -> anyhow::Result<Vec<String>> {
    let client = reqwest::Client::new();
    let mut ids = Vec::with_capacity(limit);
    let mut cursor: Option<String> = None;
    while ids.len() < limit {
        let mut url = format!("{base}/api/v1/contacts?limit=500&sort=created_at");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page = crate::get_json(&client, &url, token).await?;
        let items = page["items"].as_array().context("items")?;
        ids.extend(
            items
                .iter()
                .filter_map(|c| c["id"].as_str().map(str::to_owned)),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    ids.truncate(limit);
    Ok(ids)
}

/// The ids of the products in the catalogue (up to 100), read through the API.
async fn product_ids(base: &str, token: &str) -> anyhow::Result<Vec<String>> {
    let url = format!("{base}/api/v1/products?limit=100");
    let page = crate::get_json(&reqwest::Client::new(), &url, token).await?;
    let items = page["items"].as_array().context("items")?;
    Ok(items
        .iter()
        .filter_map(|p| p["id"].as_str().map(str::to_owned))
        .collect())
}

/// Order number `i` as a shop pushes it: 2 or 3 lines of products from the catalogue (`products`, which must not
/// be empty), a random customer, a time in the last two years, one in ten a quote (no spend).
fn order(
    rng: &mut StdRng,
    customers: &[String],
    products: &[String],
    i: usize,
    now: chrono::DateTime<chrono::Utc>,
) -> Value {
    let lines: Vec<Value> = (0..rng.random_range(2..4))
        .map(|_| {
            json!({"product_id": products[rng.random_range(0..products.len())],
                   "quantity": rng.random_range(1..4),
                   "unit_price": format!("{}.{:02}", rng.random_range(1..500), rng.random_range(0..100))})
        })
        .collect();
    let at = now - chrono::Duration::minutes(rng.random_range(0..1_051_200));
    json!({"contact_id": customers[rng.random_range(0..customers.len())], "currency": "IRR",
           "status": if i.is_multiple_of(10) { "quote" } else { "paid" }, "channel": "pos",
           "external_id": format!("bench-{i:09}"), "ordered_at": at, "lines": lines})
}

/// Pushes the orders numbered `numbers` (their external ids) through the bulk API, `concurrency` calls at once.
pub async fn run(
    base: &str,
    token: &str,
    numbers: std::ops::Range<usize>,
    customers: usize,
    concurrency: usize,
) -> anyhow::Result<()> {
    let orders = numbers.len();
    let started = Instant::now();
    let ids = contact_ids(base, token, customers).await?;
    if ids.is_empty() {
        bail!("the base has no contacts");
    }
    let products = product_ids(base, token).await?;
    if products.is_empty() {
        bail!("the base has no products (make it with `temas demo --orders`)");
    }
    println!(
        "orders: {} customers read in {:.1} s",
        ids.len(),
        started.elapsed().as_secs_f64()
    );
    let mut rng = StdRng::seed_from_u64(7);
    let now = chrono::Utc::now();
    let mut bodies = Vec::new();
    for start in numbers.clone().step_by(1000) {
        let items: Vec<Value> = (start..(start + 1000).min(numbers.end))
            .map(|i| order(&mut rng, &ids, &products, i, now))
            .collect();
        bodies.push(serde_json::to_vec(&json!({ "items": items }))?);
    }
    let url = format!("{base}/api/v1/orders/bulk");
    let secs = crate::post_batches(&url, token, bodies, concurrency, "orders").await?;
    println!(
        "orders: {orders} orders in {secs:.1} s = {:.0} orders/s (batch 1000, {concurrency} connections)",
        orders as f64 / secs
    );
    Ok(())
}

/// An order as Temas stores it: validated by the same code as the bulk API's, owned by `owner`.
fn stored(order: Value, owner: uuid::Uuid) -> anyhow::Result<OrderData> {
    let input: OrderInput = serde_json::from_value(order)?;
    let mut data = input
        .validate(&ValidationContext::default(), None, chrono::Utc::now())
        .map_err(|e| anyhow::anyhow!("a generated order is invalid: {e:?}"))?;
    data.owner_id = Some(UserId(owner));
    Ok(data)
}

/// The raw engine making the same writes as Temas's bulk order ingest, straight on its SQLite database (a copy,
/// or the base itself with `numbers` past those Temas pushes): the orders numbered `numbers` (their external
/// ids); per 1,000 orders, one transaction with the order rows, their spend per product, their history entries,
/// the customers' metrics (one `UPDATE … FROM (VALUES …)` per 500 customers) and their favourites (Temas's own
/// statement). No HTTP or look-ups (the catalogue is read once, before); the rows are built by Temas's own
/// order validation, outside the timed transactions. The WAL is checkpointed as the server does it
/// (`raw_db::open`), or, with `inline_checkpoints`, by SQLite's default: in the committing connection every 1,000
/// pages.
pub async fn raw(
    url: &str,
    numbers: std::ops::Range<usize>,
    customers: usize,
    inline_checkpoints: bool,
) -> anyhow::Result<()> {
    use sqlx::Row;
    let (mut conn, checkpointer) = crate::raw_db::open(url, !inline_checkpoints).await?;
    let workspace = sqlx::query("SELECT id, default_currency FROM workspaces LIMIT 1")
        .fetch_one(&mut conn)
        .await?;
    let ws: uuid::Uuid = workspace.try_get(0)?;
    let home: String = workspace.try_get(1)?;
    let (user, _) = crate::raw_db::first_user(&mut conn, ws).await?;
    let ids = id_strings(
        &mut conn,
        "SELECT id FROM contacts WHERE workspace_id = ? AND deleted_at IS NULL ORDER BY created_at, id LIMIT ?",
        ws,
        customers,
    )
    .await?;
    if ids.is_empty() {
        bail!("the base has no contacts");
    }
    // The catalogue as the API lists it (by creation, which UUIDv7 ids follow), so that the same seed draws the
    // same lines.
    let products = id_strings(
        &mut conn,
        "SELECT id FROM products WHERE workspace_id = ? AND deleted_at IS NULL ORDER BY id LIMIT ?",
        ws,
        100,
    )
    .await?;
    if products.is_empty() {
        bail!("the base has no products (make it with `temas demo --orders`)");
    }
    let facets: Vec<(uuid::Uuid, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT id, category, brand FROM products WHERE workspace_id = ? AND deleted_at IS NULL",
    )
    .bind(ws)
    .fetch_all(&mut conn)
    .await?;
    let mut rng = StdRng::seed_from_u64(7);
    let now = chrono::Utc::now();
    let window: Option<(i64,)> =
        sqlx::query_as("SELECT starts_after FROM spend_windows WHERE workspace_id = ?")
            .bind(ws)
            .fetch_optional(&mut conn)
            .await?;
    let rates = temas_core::forecast::Rates::new(
        temas_core::money::Currency::parse(&home).map_err(anyhow::Error::msg)?,
        &[],
    );
    let target = Target {
        ws,
        user,
        home,
        rates,
        facets: facets.into_iter().map(|(id, c, b)| (id, (c, b))).collect(),
        window_start: window.map_or(
            (now - chrono::Duration::days(365)).timestamp_micros(),
            |w| w.0,
        ),
        at: now.timestamp_micros(),
    };
    // Only the transactions are timed: building the rows stands for the server's request work, which runs
    // beside its writer.
    let mut writing = std::time::Duration::ZERO;
    let orders = numbers.len();
    for start in numbers.clone().step_by(1000) {
        let batch = (start..(start + 1000).min(numbers.end))
            .map(|i| stored(order(&mut rng, &ids, &products, i, now), user))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let started = Instant::now();
        write_batch(&mut conn, &target, batch).await?;
        writing += started.elapsed();
    }
    let secs = writing.as_secs_f64();
    if let Some(task) = checkpointer {
        task.abort();
    }
    let how = if inline_checkpoints {
        "inline"
    } else {
        "in the background, as the server does"
    };
    println!(
        "raw engine, the same writes: {orders} orders in {secs:.1} s of transactions = {:.0} orders/s \
         (1,000 per transaction; WAL checkpointed {how})",
        orders as f64 / secs
    );
    Ok(())
}

/// The ids `query` selects (bound to the workspace and a limit), as strings.
async fn id_strings(
    conn: &mut sqlx::SqliteConnection,
    query: &'static str,
    ws: uuid::Uuid,
    limit: usize,
) -> anyhow::Result<Vec<String>> {
    use sqlx::Row;
    let rows = sqlx::query(query)
        .bind(ws)
        .bind(limit as i64)
        .fetch_all(conn)
        .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get::<uuid::Uuid, _>(0).map(|u| u.to_string()))
        .collect::<Result<_, _>>()?)
}

/// Where the raw engine writes: the workspace, the user who records the orders, the workspace's currency (the
/// one spend counts in) and rates, the start of its 12-month spend window, and the time the rows are stamped with.
struct Target {
    ws: uuid::Uuid,
    user: uuid::Uuid,
    home: String,
    rates: temas_core::forecast::Rates,
    /// The catalogue's category and brand per product, which the spend rows carry.
    facets: std::collections::HashMap<uuid::Uuid, (Option<String>, Option<String>)>,
    window_start: i64,
    at: i64,
}

/// One customer's purchases in a batch: all, and in the workspace's currency the count, spend and spend in the
/// 12-month window; the first and the latest.
#[derive(Default)]
struct Purchases {
    count: i64,
    /// Spent in every currency, converted into the workspace's.
    converted: i64,
    home_count: i64,
    spent: i64,
    recent: i64,
    first: i64,
    last: i64,
}

/// One transaction: the orders' rows and history, and their sums added to their customers' metrics.
async fn write_batch(
    conn: &mut sqlx::SqliteConnection,
    target: &Target,
    batch: Vec<OrderData>,
) -> anyhow::Result<()> {
    use sqlx::Connection;
    let Target {
        ws, user, at: now, ..
    } = *target;
    let per_product: Vec<Vec<(temas_core::ids::ProductId, i64)>> = batch
        .iter()
        .map(|d| d.product_spend_converted(&target.rates))
        .collect();
    let mut sums: std::collections::BTreeMap<uuid::Uuid, Purchases> = Default::default();
    for data in &batch {
        if let (Some(contact), Some(spent)) = (data.contact_id, data.spent_minor()) {
            let at = data.ordered_at.timestamp_micros();
            let sum = sums.entry(contact.0).or_insert(Purchases {
                first: i64::MAX,
                last: i64::MIN,
                ..Purchases::default()
            });
            sum.count += 1;
            sum.converted += data.spent_converted(&target.rates).unwrap_or(0);
            if data.currency == target.home {
                sum.home_count += 1;
                sum.spent += spent;
                if at > target.window_start {
                    sum.recent += spent;
                }
            }
            sum.first = sum.first.min(at);
            sum.last = sum.last.max(at);
        }
    }
    let ids: Vec<uuid::Uuid> = batch.iter().map(|_| uuid::Uuid::now_v7()).collect();
    let mut tx = conn.begin().await?;
    for (part, part_ids) in batch.chunks(500).zip(ids.chunks(500)) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO orders (workspace_id, id, version, sort_name, external_id, owner_id, team_id, data, \
             search_doc, created_by, updated_by, created_at, updated_at, occurred_at, company_id, contact_id, \
             currency, spent_minor, spent_converted_minor, conversion_pending) ",
        );
        let mut rows = Vec::with_capacity(part.len());
        for (data, id) in part.iter().zip(part_ids) {
            rows.push((*id, serde_json::to_string(data)?, data));
        }
        q.push_values(rows, |mut b, (id, text, data)| {
            let external = data.external_id.clone().unwrap_or_default();
            b.push_bind(ws)
                .push_bind(id)
                .push_bind(1i64)
                .push_bind(search_key(&external))
                .push_bind(external)
                .push_bind(user)
                .push_bind(None::<uuid::Uuid>)
                .push_bind(text)
                .push_bind("")
                .push_bind(user)
                .push_bind(user)
                .push_bind(now)
                .push_bind(now)
                .push_bind(data.ordered_at.timestamp_micros())
                .push_bind(None::<uuid::Uuid>)
                .push_bind(data.contact_id.map(|c| c.0))
                .push_bind(data.currency.clone())
                .push_bind(data.spent_minor())
                .push_bind(data.spent_converted(&target.rates))
                .push_bind(0i64);
        });
        q.build().execute(&mut *tx).await?;
    }
    // The spend per product of the purchases, 200 rows per statement as Temas writes them.
    let spend_rows: Vec<(uuid::Uuid, uuid::Uuid, uuid::Uuid, i64)> = batch
        .iter()
        .zip(&ids)
        .zip(&per_product)
        .filter(|((data, _), _)| data.spent_minor().is_some())
        .filter_map(|((data, id), spend)| Some((*id, data.contact_id?.0, spend)))
        .flat_map(|(id, contact, per_product)| {
            per_product
                .iter()
                .map(move |(p, minor)| (id, p.0, contact, *minor))
        })
        .collect();
    for part in spend_rows.chunks(200) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO order_product_spend (workspace_id, contact_id, order_id, product_id, live, spent_minor, \
             category, brand) ",
        );
        q.push_values(part, |mut b, (order, product, contact, minor)| {
            let (category, brand) = target.facets.get(product).cloned().unwrap_or_default();
            b.push_bind(ws)
                .push_bind(*contact)
                .push_bind(*order)
                .push_bind(*product)
                .push_bind(1i64)
                .push_bind(*minor)
                .push_bind(category)
                .push_bind(brand);
        });
        q.build().execute(&mut *tx).await?;
    }
    for part in ids.chunks(500) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO changes (workspace_id, record_id, id, entity, action, actor_id, at, changes) ",
        );
        q.push_values(part, |mut b, id| {
            b.push_bind(ws)
                .push_bind(*id)
                .push_bind(uuid::Uuid::now_v7())
                .push_bind("order")
                .push_bind("create")
                .push_bind(user)
                .push_bind(now)
                .push_bind("null");
        });
        q.build().execute(&mut *tx).await?;
    }
    let sums: Vec<_> = sums.into_iter().collect();
    for part in sums.chunks(500) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "UPDATE contacts SET orders_count = contacts.orders_count + batch.column2, \
             total_spent_minor = contacts.total_spent_minor + batch.column3, \
             last_order_at = CASE WHEN batch.column4 > contacts.last_order_at THEN batch.column4 \
             ELSE contacts.last_order_at END, \
             spent_last_12_months_minor = contacts.spent_last_12_months_minor + batch.column5, \
             home_orders_count = contacts.home_orders_count + batch.column6, \
             average_order_value_minor = CASE WHEN contacts.home_orders_count + batch.column6 > 0 \
             AND contacts.total_spent_minor + batch.column3 >= 0 \
             THEN (2 * (contacts.total_spent_minor + batch.column3) + contacts.home_orders_count + batch.column6) \
             / (2 * (contacts.home_orders_count + batch.column6)) ELSE 0 END, \
             total_spent_converted_minor = contacts.total_spent_converted_minor + batch.column7 FROM (",
        );
        q.push_values(part, |mut b, (contact, p)| {
            b.push_bind(*contact)
                .push_bind(p.count)
                .push_bind(p.spent)
                .push_bind(p.last)
                .push_bind(p.recent)
                .push_bind(p.home_count)
                .push_bind(p.converted)
                .push_bind(ws);
        });
        // Joined on the workspace in each row, as Temas does (`customer_metrics::update_from_batches`).
        q.push(") AS batch WHERE contacts.workspace_id = batch.column8 AND contacts.id = batch.column1");
        q.build().execute(&mut *tx).await?;
        // The first purchase, on the rows it moves (as Temas does: an assigned column's index entry is rewritten
        // even when its value stays).
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "UPDATE contacts SET first_order_at = batch.column2 FROM (",
        );
        q.push_values(part, |mut b, (contact, p)| {
            b.push_bind(*contact).push_bind(p.first).push_bind(ws);
        });
        q.push(
            ") AS batch WHERE contacts.workspace_id = batch.column3 AND contacts.id = batch.column1 \
             AND (contacts.first_order_at = 0 OR batch.column2 < contacts.first_order_at)",
        );
        q.build().execute(&mut *tx).await?;
    }
    // The favourites of the customers who bought products, from all their spend per product (Temas's own
    // statement).
    let buyers: std::collections::BTreeSet<uuid::Uuid> = spend_rows
        .iter()
        .map(|(_, _, contact, _)| *contact)
        .collect();
    let buyers: Vec<uuid::Uuid> = buyers.into_iter().collect();
    let set = temas_store::favourite_columns()
        .map(|(column, query)| format!("{column} = {query}"))
        .join(", ");
    for part in buyers.chunks(500) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(format!(
            "UPDATE contacts SET {set} WHERE workspace_id = "
        ));
        q.push_bind(ws).push(" AND id IN (");
        let mut list = q.separated(", ");
        for contact in part {
            list.push_bind(*contact);
        }
        q.push(")");
        q.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}
