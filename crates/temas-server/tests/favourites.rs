//! A customer's favourite category and brand and their spend converted from every currency, kept current as orders,
//! products and the workspace's rates change, and offered as list fields, on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::*;

fn names(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["first_name"].as_str().unwrap().to_owned())
        .collect()
}

/// Orders in two currencies: the favourites follow the converted spend per category and brand, over the products
/// in the catalogue, and move when an order, a product or a rate changes; lists filter on them and filter and
/// sort on the converted spend, and the card says the same.
async fn favourites_and_converted_spend_follow_every_change(t: TestApp) {
    let tok = &t.owner_token;
    let set = t
        .patch(
            tok,
            "/api/v1/workspace",
            json!({"default_currency": "USD",
                   "currency_rates": [{"currency": "TRY", "from": "2020-01-01", "rate": "0.03"}]}),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let contact = |name: &str| json!({"first_name": name, "last_name": "Demir"});
    let mut people = Vec::new();
    for name in ["Ayla", "Bora", "Cem"] {
        let made = t.contact_anyway(tok, contact(name)).await;
        people.push(made["id"].as_str().unwrap().to_owned());
    }
    let (ayla, bora, cem) = (&people[0], &people[1], &people[2]);
    let product = |name: &str, category: &str, brand: &str| {
        let body = json!({"name": name, "category": category, "brand": brand});
        let t = &t;
        async move {
            let made = t.post(tok, "/api/v1/products", body).await;
            assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
            made.body["id"].as_str().unwrap().to_owned()
        }
    };
    let tea = product("Black tea", "Tea", "Çaykur").await;
    let cups = product("Tea glasses", "Glassware", "Paşabahçe").await;
    let coffee = product("Turkish coffee", "Coffee", "Kurukahveci").await;
    let order = |who: &str, currency: &str, lines: Value| json!({"contact_id": who, "currency": currency, "status": "paid", "lines": lines});
    let line = |product: &str, price: &str| json!({"product_id": product, "unit_price": price});
    let orders = [
        // Ayla: 30 USD of tea, 1,500 TRY (45 USD) of glasses.
        order(ayla, "USD", json!([line(&tea, "30")])),
        order(ayla, "TRY", json!([line(&cups, "1500")])),
        // Bora: 20 USD of coffee and 20 USD of tea: a tie, which goes to the name that sorts first.
        order(bora, "USD", json!([line(&coffee, "20"), line(&tea, "20")])),
        // Cem: 100 TRY of tea (3 USD).
        order(cem, "TRY", json!([line(&tea, "100")])),
    ];
    let mut ids = Vec::new();
    for o in orders {
        let made = t.post(tok, "/api/v1/orders", o).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        ids.push(made.body["id"].as_str().unwrap().to_owned());
    }
    let metrics = |who: &str| {
        let path = format!("/api/v1/contacts/{who}");
        let t = &t;
        async move { t.get(tok, &path).await.body["metrics"].clone() }
    };
    let favourites = |m: &Value| {
        (
            m["favourite_category"].as_str().map(str::to_owned),
            m["favourite_brand"].as_str().map(str::to_owned),
            m["total_spent_converted"]["amount"]
                .as_str()
                .map(str::to_owned),
        )
    };
    let some = |c: &str, b: &str, amount: &str| {
        (
            Some(c.to_owned()),
            Some(b.to_owned()),
            Some(amount.to_owned()),
        )
    };
    assert_eq!(
        favourites(&metrics(ayla).await),
        some("Glassware", "Paşabahçe", "75.00")
    );
    assert_eq!(
        favourites(&metrics(bora).await),
        some("Coffee", "Kurukahveci", "40.00")
    );
    assert_eq!(
        favourites(&metrics(cem).await),
        some("Tea", "Çaykur", "3.00")
    );

    let list = |query: &str| {
        let path = format!("/api/v1/contacts?{query}");
        let t = &t;
        async move {
            let page = t.get(tok, &path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
            names(&page.body)
        }
    };
    assert_eq!(
        list("filter=favourite_category:eq:Tea&sort=name").await,
        ["Cem"]
    );
    assert_eq!(
        list("filter=favourite_brand:contains:bahçe").await,
        ["Ayla"]
    );
    assert_eq!(
        list("filter=total_spent_converted_minor:gte:4000&sort=-total_spent_converted_minor").await,
        ["Ayla", "Bora"]
    );
    assert_eq!(
        list("sort=total_spent_converted_minor&limit=2").await,
        ["Cem", "Bora"]
    );

    // The lira loses half its value from 2020 on: Ayla's glasses now come to 22.50 USD, under her tea.
    let set = t
        .patch(
            tok,
            "/api/v1/workspace",
            json!({"currency_rates": [{"currency": "TRY", "from": "2020-01-01", "rate": "0.015"}]}),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(
        favourites(&metrics(ayla).await),
        some("Tea", "Çaykur", "52.50")
    );
    assert_eq!(
        list("filter=favourite_category:eq:Tea&sort=name").await,
        ["Ayla", "Cem"]
    );

    // Renamed in the catalogue, the category moves on every buyer's card and in lists.
    let renamed = t
        .patch(
            tok,
            &format!("/api/v1/products/{tea}"),
            json!({"category": "Black tea"}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    assert_eq!(
        list("filter=favourite_category:eq:Black tea&sort=name").await,
        ["Ayla", "Bora", "Cem"]
    );
    assert!(list("filter=favourite_category:eq:Tea").await.is_empty());

    // Ayla's tea order goes to the trash: the glasses are all she bought, and her converted spend drops.
    let trashed = t
        .call(
            tok,
            Method::DELETE,
            &format!("/api/v1/orders/{}", ids[0]),
            None,
            &[],
        )
        .await;
    assert_eq!(trashed.status, StatusCode::OK, "{}", trashed.body);
    assert_eq!(
        favourites(&metrics(ayla).await),
        some("Glassware", "Paşabahçe", "22.50")
    );
    // Back from the trash it counts again; then it goes for good.
    let order_path = format!("/api/v1/orders/{}", ids[0]);
    let restored = t
        .post(tok, &format!("{order_path}/restore"), json!({}))
        .await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.body);
    assert_eq!(
        favourites(&metrics(ayla).await),
        some("Black tea", "Çaykur", "52.50")
    );
    let trashed = t.call(tok, Method::DELETE, &order_path, None, &[]).await;
    assert_eq!(trashed.status, StatusCode::OK, "{}", trashed.body);
    // Bora's order changes: the coffee line goes, so tea is all he bought.
    let changed = t
        .patch(
            tok,
            &format!("/api/v1/orders/{}", ids[2]),
            json!({"lines": [line(&tea, "20")]}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(
        favourites(&metrics(bora).await),
        some("Black tea", "Çaykur", "20.00")
    );
    assert_eq!(
        list("filter=favourite_brand:eq:Kurukahveci").await,
        Vec::<String>::new()
    );
    // A contact who never bought has none.
    let new = t.contact_anyway(tok, contact("Deniz")).await;
    let m = metrics(new["id"].as_str().unwrap()).await;
    assert_eq!(favourites(&m), (None, None, Some("0.00".to_owned())), "{m}");
    assert_eq!(
        list("filter=favourite_category:empty&sort=name").await,
        ["Deniz"]
    );

    // The workspace now counts in lira: every order is converted again, and the spend in its currency follows.
    let set = t
        .patch(
            tok,
            "/api/v1/workspace",
            json!({"default_currency": "TRY",
                   "currency_rates": [{"currency": "USD", "from": "2020-01-01", "rate": "40"}]}),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let m = metrics(bora).await;
    assert_eq!(
        (
            favourites(&m),
            m["total_spent"].clone(),
            m["total_spent_converted"]["currency"].clone()
        ),
        (
            some("Black tea", "Çaykur", "800.00"),
            Value::Null,
            json!("TRY")
        ),
        "{m}"
    );
    assert_eq!(
        list("sort=-total_spent_converted_minor&limit=3").await,
        ["Ayla", "Bora", "Cem"]
    );
    assert_eq!(
        list("filter=total_spent_minor:gt:0&sort=-total_spent_minor").await,
        ["Ayla", "Cem"]
    );
}

on_both_backends!(favourites_and_converted_spend_follow_every_change);
