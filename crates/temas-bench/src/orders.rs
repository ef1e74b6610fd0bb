//! Orders pushed as a shop or POS would push them: `POST /api/v1/orders/bulk`, 2 or 3 lines each, spread over the
//! base's contacts, with external ids (so a repeat run updates rather than duplicates).

use anyhow::{Context, bail};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::time::Instant;

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
        let page: Value = client
            .get(&url)
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?;
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

const PRODUCTS: [&str; 6] = [
    "Filter cartridge",
    "Water heater",
    "Installation",
    "Service visit",
    "Tea",
    "Book",
];

/// Order number `i` as a shop pushes it: 2 or 3 lines, a random customer, a time in the last two years, one in
/// ten a quote (no spend).
fn order(
    rng: &mut StdRng,
    customers: &[String],
    i: usize,
    now: chrono::DateTime<chrono::Utc>,
) -> Value {
    let lines: Vec<Value> = (0..rng.random_range(2..4))
        .map(|_| {
            json!({"description": PRODUCTS[rng.random_range(0..PRODUCTS.len())],
                   "quantity": rng.random_range(1..4),
                   "unit_price": format!("{}.{:02}", rng.random_range(1..500), rng.random_range(0..100))})
        })
        .collect();
    let at = now - chrono::Duration::minutes(rng.random_range(0..1_051_200));
    json!({"contact_id": customers[rng.random_range(0..customers.len())], "currency": "IRR",
           "status": if i.is_multiple_of(10) { "quote" } else { "paid" }, "channel": "pos",
           "external_id": format!("bench-{i:09}"), "ordered_at": at, "lines": lines})
}

pub async fn run(
    base: &str,
    token: &str,
    orders: usize,
    customers: usize,
    concurrency: usize,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let ids = contact_ids(base, token, customers).await?;
    if ids.is_empty() {
        bail!("the base has no contacts");
    }
    println!(
        "orders: {} customers read in {:.1} s",
        ids.len(),
        started.elapsed().as_secs_f64()
    );
    let mut rng = StdRng::seed_from_u64(7);
    let now = chrono::Utc::now();
    let mut bodies = Vec::new();
    for start in (0..orders).step_by(1000) {
        let items: Vec<Value> = (start..(start + 1000).min(orders))
            .map(|i| order(&mut rng, &ids, i, now))
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

/// An amount such as "400.11" in minor units.
fn minor(amount: &str) -> i64 {
    let (major, cents) = amount.split_once('.').unwrap_or((amount, "0"));
    major.parse::<i64>().unwrap_or(0) * 100 + cents.parse::<i64>().unwrap_or(0)
}

fn major(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// The row Temas stores for an order: its data as stored (lines with their totals), and what it counts as spend.
fn stored(order: &Value, owner: &str) -> (String, Option<i64>) {
    let mut total = 0;
    let lines: Vec<Value> = order["lines"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|l| {
            let quantity = l["quantity"].as_i64().unwrap_or(1);
            let net = quantity * minor(l["unit_price"].as_str().unwrap_or("0"));
            total += net;
            json!({"description": l["description"], "discount": "0.00", "net": major(net), "problems": [],
                   "product_id": null, "quantity": quantity.to_string(), "return_reason": null,
                   "returned_quantity": null, "subtotal": major(net), "tax": "0.00", "tax_rate": "0",
                   "total": major(net), "unit_price": l["unit_price"]})
        })
        .collect();
    let paid = order["status"] == "paid";
    let data = json!({"attachments": [], "channel": order["channel"], "company_id": null,
        "contact_id": order["contact_id"], "currency": order["currency"], "custom": {}, "discount": "0.00",
        "external_id": order["external_id"], "invoice_number": null, "lines": lines, "notes": null,
        "open_problems": 0, "ordered_at": order["ordered_at"], "owner_id": owner,
        "spent": if paid { Value::String(major(total)) } else { Value::Null }, "status": order["status"],
        "status_reason": null, "subtotal": major(total), "tax": "0.00", "total": major(total)});
    (data.to_string(), paid.then_some(total))
}

/// Checkpoints the WAL from a connection of its own, as the server does: passively every half second, and with
/// truncation once the log passes 16,384 pages.
async fn checkpoint(url: String) -> anyhow::Result<()> {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(&url).await?;
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let (_, frames, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&mut conn)
            .await?;
        if frames > 16_384 {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&mut conn)
                .await?;
        }
    }
}

/// The raw engine making the same writes as Temas's bulk order ingest, straight on a copy of its SQLite database:
/// per 1,000 orders, one transaction with the order rows, their history entries and the customers' metrics
/// (one `UPDATE … FROM (VALUES …)` per 500 customers). No HTTP, JSON parsing, validation or look-ups. The WAL is
/// checkpointed as the server does it (`checkpoint`), or, with `inline_checkpoints`, by SQLite's default: in
/// the committing connection every 1,000 pages.
pub async fn raw(
    url: &str,
    orders: usize,
    customers: usize,
    inline_checkpoints: bool,
) -> anyhow::Result<()> {
    use sqlx::{Connection, Row};
    let mut conn = sqlx::SqliteConnection::connect(url).await?;
    sqlx::raw_sql("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536")
        .execute(&mut conn)
        .await?;
    let checkpointer = (!inline_checkpoints).then(|| tokio::spawn(checkpoint(url.to_owned())));
    if checkpointer.is_some() {
        sqlx::raw_sql("PRAGMA wal_autocheckpoint=0")
            .execute(&mut conn)
            .await?;
    }
    let ws: uuid::Uuid = sqlx::query("SELECT id FROM workspaces LIMIT 1")
        .fetch_one(&mut conn)
        .await?
        .try_get(0)?;
    let user: uuid::Uuid =
        sqlx::query("SELECT id FROM users WHERE workspace_id = ? ORDER BY created_at LIMIT 1")
            .bind(ws)
            .fetch_one(&mut conn)
            .await?
            .try_get(0)?;
    let ids: Vec<String> = sqlx::query(
        "SELECT id FROM contacts WHERE workspace_id = ? AND deleted_at IS NULL ORDER BY created_at, id LIMIT ?",
    )
    .bind(ws)
    .bind(customers as i64)
    .fetch_all(&mut conn)
    .await?
    .iter()
    .map(|r| r.try_get::<uuid::Uuid, _>(0).map(|u| u.to_string()))
    .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        bail!("the base has no contacts");
    }
    let mut rng = StdRng::seed_from_u64(7);
    let now = chrono::Utc::now();
    let at_micros = now.timestamp_micros();
    let owner = user.to_string();
    let started = Instant::now();
    for start in (0..orders).step_by(1000) {
        let batch: Vec<Value> = (start..(start + 1000).min(orders))
            .map(|i| order(&mut rng, &ids, i, now))
            .collect();
        let mut tx = conn.begin().await?;
        let mut sums: std::collections::BTreeMap<uuid::Uuid, (i64, i64, i64)> = Default::default();
        let mut created = Vec::with_capacity(batch.len());
        for part in batch.chunks(500) {
            let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "INSERT INTO orders (workspace_id, id, version, sort_name, external_id, owner_id, team_id, data, \
                 search_doc, created_by, updated_by, created_at, updated_at, occurred_at, company_id, contact_id, \
                 currency, spent_minor) ",
            );
            let mut rows = Vec::with_capacity(part.len());
            for o in part {
                let (data, spent) = stored(o, &owner);
                let contact: uuid::Uuid = o["contact_id"].as_str().unwrap_or_default().parse()?;
                let at = chrono::DateTime::parse_from_rfc3339(
                    o["ordered_at"].as_str().unwrap_or_default(),
                )?
                .timestamp_micros();
                if let Some(spent) = spent {
                    let sum = sums.entry(contact).or_insert((0, 0, i64::MIN));
                    *sum = (sum.0 + 1, sum.1 + spent, sum.2.max(at));
                }
                let id = uuid::Uuid::now_v7();
                created.push(id);
                rows.push((
                    id,
                    o["external_id"].as_str().unwrap_or_default().to_owned(),
                    data,
                    contact,
                    at,
                    spent,
                ));
            }
            q.push_values(rows, |mut b, (id, external, data, contact, at, spent)| {
                b.push_bind(ws)
                    .push_bind(id)
                    .push_bind(1i64)
                    .push_bind(external.clone())
                    .push_bind(external)
                    .push_bind(user)
                    .push_bind(None::<uuid::Uuid>)
                    .push_bind(data)
                    .push_bind("")
                    .push_bind(user)
                    .push_bind(user)
                    .push_bind(at_micros)
                    .push_bind(at_micros)
                    .push_bind(at)
                    .push_bind(None::<uuid::Uuid>)
                    .push_bind(contact)
                    .push_bind("IRR")
                    .push_bind(spent);
            });
            q.build().execute(&mut *tx).await?;
        }
        for part in created.chunks(500) {
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
                    .push_bind(at_micros)
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
                 ELSE contacts.last_order_at END FROM (",
            );
            q.push_values(part, |mut b, (contact, (count, spent, last))| {
                b.push_bind(*contact)
                    .push_bind(*count)
                    .push_bind(*spent)
                    .push_bind(*last);
            });
            q.push(") AS batch WHERE contacts.workspace_id = ")
                .push_bind(ws)
                .push(" AND contacts.id = batch.column1");
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    let secs = started.elapsed().as_secs_f64();
    if let Some(task) = checkpointer {
        task.abort();
    }
    let how = if inline_checkpoints {
        "inline"
    } else {
        "in the background, as the server does"
    };
    println!(
        "raw engine, the same writes: {orders} orders in {secs:.1} s = {:.0} orders/s (1,000 per transaction; \
         WAL checkpointed {how})",
        orders as f64 / secs
    );
    Ok(())
}
