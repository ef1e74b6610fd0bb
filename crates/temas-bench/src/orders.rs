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
    let products = [
        "Filter cartridge",
        "Water heater",
        "Installation",
        "Service visit",
        "Tea",
        "Book",
    ];
    let now = chrono::Utc::now();
    let mut bodies = Vec::new();
    for start in (0..orders).step_by(1000) {
        let items: Vec<Value> = (start..(start + 1000).min(orders))
            .map(|i| {
                let lines: Vec<Value> = (0..rng.random_range(2..4))
                    .map(|_| {
                        json!({"description": products[rng.random_range(0..products.len())],
                               "quantity": rng.random_range(1..4),
                               "unit_price": format!("{}.{:02}", rng.random_range(1..500), rng.random_range(0..100))})
                    })
                    .collect();
                let at = now - chrono::Duration::minutes(rng.random_range(0..1_051_200));
                json!({"contact_id": ids[rng.random_range(0..ids.len())], "currency": "IRR",
                       "status": if i % 10 == 0 { "quote" } else { "paid" }, "channel": "pos",
                       "external_id": format!("bench-{i}"), "ordered_at": at, "lines": lines})
            })
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
