//! Sales records through the HTTP API, on SQLite and on PostgreSQL: products with prices per currency.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::*;
use temas_core::access::Role;

/// A product is created with exact prices, refused field by field when a price is wrong, listed by its fields and
/// tags, changed with its history kept, upserted in bulk by external id, and written only by those who may.
async fn products_carry_exact_prices_and_are_listed_by_their_fields(t: TestApp) {
    let tok = &t.owner_token;
    let field = t
        .post(
            tok,
            "/api/v1/custom-fields",
            json!({"entity": "product", "key": "origin", "label": "Origin", "kind": "text"}),
        )
        .await;
    assert_eq!(field.status, StatusCode::CREATED, "{}", field.body);
    let made = t
        .post(
            tok,
            "/api/v1/products",
            json!({"name": "Espresso machine", "sku": "EM-100", "category": "Coffee", "brand": "Barista",
                   "prices": [{"currency": "usd", "amount": "449.9"}, {"currency": "TRY", "amount": "15000"}],
                   "tags": ["Kitchen"], "custom": {"origin": "Italy"}}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    assert_eq!(
        made.body["prices"],
        json!([{"currency": "USD", "amount": "449.90"}, {"currency": "TRY", "amount": "15000.00"}])
    );
    assert_eq!(made.body["kind"], "product");
    assert_eq!(made.body["active"], true);
    let id = made.body["id"].as_str().unwrap().to_owned();

    let bad = t
        .post(
            tok,
            "/api/v1/products",
            json!({"prices": [{"currency": "USD", "amount": 4.5}, {"currency": "EUR", "amount": "1.999"}]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let floats = t
        .post(
            tok,
            "/api/v1/products",
            json!({"name": "Tea", "prices": [{"currency": "EUR", "amount": "1.999"}, {"currency": "GOLD", "amount": "1"}]}),
        )
        .await;
    assert_eq!(
        floats.error_fields(),
        ["prices[0].amount", "prices[1].currency"],
        "{}",
        floats.body
    );

    t.post(
        tok,
        "/api/v1/products",
        json!({"name": "Grinder", "category": "Coffee", "active": false}),
    )
    .await;
    t.post(
        tok,
        "/api/v1/products",
        json!({"name": "Installation", "kind": "service", "category": "Services"}),
    )
    .await;
    let coffee = t
        .get(tok, "/api/v1/products?filter=category:eq:Coffee&sort=name")
        .await;
    let names: Vec<&str> = coffee.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Espresso machine", "Grinder"]);
    let tagged = t.get(tok, "/api/v1/products?filter=tag:eq:kitchen").await;
    assert_eq!(
        tagged.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        tagged.body
    );
    let italian = t
        .get(tok, "/api/v1/products?filter=custom.origin:eq:Italy")
        .await;
    assert_eq!(italian.body["items"][0]["name"], "Espresso machine");
    let services = t.get(tok, "/api/v1/products?filter=kind:eq:service").await;
    assert_eq!(services.body["items"][0]["name"], "Installation");

    let changed = t
        .patch(
            tok,
            &format!("/api/v1/products/{id}"),
            json!({"prices": [{"currency": "USD", "amount": "399"}]}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(
        changed.body["prices"],
        json!([{"currency": "USD", "amount": "399.00"}])
    );
    let history = t.get(tok, &format!("/api/v1/products/{id}/history")).await;
    assert_eq!(
        history.body["items"][0]["action"], "update",
        "{}",
        history.body
    );

    // The shop pushes its catalogue twice: the second time updates instead of adding.
    let catalogue = json!({"items": [
        {"external_id": "shop-1", "name": "Milk jug", "prices": [{"currency": "USD", "amount": "12"}]},
        {"external_id": "shop-2", "name": "Tamper", "prices": [{"currency": "USD", "amount": "25"}]}
    ]});
    for _ in 0..2 {
        let r = t
            .post(tok, "/api/v1/products/bulk", catalogue.clone())
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let pushed = t
        .get(tok, "/api/v1/products?filter=external_id:starts:shop-")
        .await;
    assert_eq!(pushed.body["items"].as_array().unwrap().len(), 2);

    // The catalogue is everyone's to read and its keepers' (owners, admins, managers) to change.
    let rep = t.user("rep@acme.test", Role::Member, None).await;
    let refused = t
        .post(&rep, "/api/v1/products", json!({"name": "Sneaky"}))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let untouched = t
        .patch(
            &rep,
            &format!("/api/v1/products/{id}"),
            json!({"name": "Cheap"}),
        )
        .await;
    assert_eq!(untouched.status, StatusCode::FORBIDDEN);
    let read = t.get(&rep, &format!("/api/v1/products/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    let all = t.get(&rep, "/api/v1/products?limit=100").await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 5);
    let manager = t.user("boss@acme.test", Role::Manager, None).await;
    let added = t
        .post(&manager, "/api/v1/products", json!({"name": "Descaler"}))
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
}

on_both_backends!(products_carry_exact_prices_and_are_listed_by_their_fields);
