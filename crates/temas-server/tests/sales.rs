//! Sales records through the HTTP API, on SQLite and on PostgreSQL: products with prices per currency.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use reqwest::{Method, StatusCode};
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

/// An order is priced exactly from its lines, refused field by field when wrong, pushed in bulk idempotently on
/// the shop's id, returned in part with the reason (its spend shrinks), listed per customer, and follows its
/// customer through a merge and back through the merge's undo.
async fn orders_are_priced_exactly_pushed_idempotently_and_follow_their_customer(t: TestApp) {
    let tok = &t.owner_token;
    let usd = t
        .patch(tok, "/api/v1/workspace", json!({"default_currency": "USD"}))
        .await;
    assert_eq!(usd.status, StatusCode::OK, "{}", usd.body);
    let ali = t
        .contact_anyway(tok, json!({"first_name": "Ali", "last_name": "Rezaei"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let product = t
        .post(
            tok,
            "/api/v1/products",
            json!({"name": "Coffee beans 1kg", "prices": [{"currency": "USD", "amount": "22.49"}]}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let made = t
        .post(
            tok,
            "/api/v1/orders",
            json!({"contact_id": ali, "currency": "USD", "status": "paid", "channel": "shop",
                   "external_id": "shop-1001",
                   "lines": [{"product_id": product, "quantity": 2, "unit_price": "22.49", "discount": "0"},
                             {"description": "Delivery", "unit_price": "5", "tax_rate": "9"}]}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    assert_eq!(made.body["total"], "50.43");
    assert_eq!(made.body["lines"][0]["total"], "44.98");
    assert_eq!(made.body["spent"], "50.43");
    let order = made.body["id"].as_str().unwrap().to_owned();

    let float = t
        .post(
            tok,
            "/api/v1/orders",
            json!({"contact_id": ali, "currency": "USD", "lines": [{"product_id": product, "unit_price": 22.49}]}),
        )
        .await;
    assert_eq!(
        float.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        float.body
    );
    let unknown = t
        .post(
            tok,
            "/api/v1/orders",
            json!({"contact_id": product, "currency": "USD", "lines": [{"description": "x", "unit_price": "1.005"}]}),
        )
        .await;
    assert_eq!(
        unknown.error_fields(),
        ["lines[0].unit_price"],
        "{}",
        unknown.body
    );
    let missing = t
        .post(
            tok,
            "/api/v1/orders",
            json!({"contact_id": product, "currency": "USD", "lines": [{"description": "x", "unit_price": "1"}]}),
        )
        .await;
    assert_eq!(missing.error_fields(), ["contact_id"], "{}", missing.body);

    // The POS pushes its day twice: the second push updates the same three orders.
    let day = json!({"items": (1..=3).map(|n| json!({
        "contact_id": ali, "currency": "USD", "status": "paid", "channel": "pos", "external_id": format!("pos-{n}"),
        "lines": [{"product_id": product, "quantity": n, "unit_price": "22.49"}]})).collect::<Vec<_>>()});
    for expected in ["created", "updated"] {
        let r = t.post(tok, "/api/v1/orders/bulk", day.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["status"] == expected),
            "{}",
            r.body
        );
    }
    let pushed = t
        .get(tok, "/api/v1/orders?filter=external_id:starts:pos-")
        .await;
    assert_eq!(pushed.body["items"].as_array().unwrap().len(), 3);

    // One bag of the first order came back damaged: the order stays paid, its spend shrinks.
    let returned = t
        .patch(
            tok,
            &format!("/api/v1/orders/{order}"),
            json!({"lines": [{"product_id": product, "quantity": 2, "unit_price": "22.49",
                              "returned_quantity": 1, "return_reason": "damaged in delivery"},
                             {"description": "Delivery", "unit_price": "5", "tax_rate": "9"}]}),
        )
        .await;
    assert_eq!(returned.status, StatusCode::OK, "{}", returned.body);
    assert_eq!(returned.body["total"], "50.43");
    assert_eq!(returned.body["spent"], "27.94");
    assert_eq!(
        returned.body["lines"][0]["return_reason"],
        "damaged in delivery"
    );

    // A duplicate of Ali with an order of its own is merged into Ali: the order moves, and moves back on undo.
    let twin = t
        .contact_anyway(tok, json!({"first_name": "Ali", "last_name": "Rezaie"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let theirs = t
        .post(
            tok,
            "/api/v1/orders",
            json!({"contact_id": twin, "currency": "USD", "status": "invoiced",
                   "lines": [{"product_id": product, "unit_price": "22.49"}]}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let merged = t
        .post(
            tok,
            "/api/v1/contacts/merge",
            json!({"survivor_id": ali, "merged_ids": [twin]}),
        )
        .await;
    assert_eq!(merged.status, StatusCode::CREATED, "{}", merged.body);
    let of_ali = t
        .get(
            tok,
            &format!("/api/v1/orders?filter=contact_id:eq:{ali}&limit=100"),
        )
        .await;
    assert_eq!(
        of_ali.body["items"].as_array().unwrap().len(),
        5,
        "{}",
        of_ali.body
    );
    let merge = merged.body["id"].as_str().unwrap();
    let undone = t
        .post(tok, &format!("/api/v1/merges/{merge}/undo"), json!({}))
        .await;
    assert_eq!(undone.status, StatusCode::OK, "{}", undone.body);
    let back = t.get(tok, &format!("/api/v1/orders/{theirs}")).await;
    assert_eq!(back.body["contact_id"], twin.as_str());

    // Ali's card: four purchases (the first less its return, and the POS's three), the twin's order gone back.
    let card = t.get(tok, &format!("/api/v1/contacts/{ali}")).await;
    let m = &card.body["metrics"];
    assert_eq!(m["orders_count"], 4, "{}", card.body);
    assert_eq!(
        m["total_spent"],
        json!({"currency": "USD", "amount": "162.88"})
    );
    assert_eq!(m["average_order_value"]["amount"], "40.72");
    assert_eq!(m["days_since_last_order"], 0);
    assert!(m["last_order_at"].is_string());
    let twin_card = t.get(tok, &format!("/api/v1/contacts/{twin}")).await;
    assert_eq!(twin_card.body["metrics"]["orders_count"], 1);
    // A quote is not a purchase; trashing an order takes it out.
    t.patch(
        tok,
        &format!("/api/v1/orders/{theirs}"),
        json!({"status": "quote"}),
    )
    .await;
    let after = t.get(tok, &format!("/api/v1/contacts/{twin}")).await;
    assert_eq!(after.body["metrics"]["orders_count"], 0);
    assert!(after.body["metrics"]["total_spent"].is_null());
    let trashed = t
        .call(
            tok,
            Method::DELETE,
            &format!("/api/v1/orders/{order}"),
            None,
            &[],
        )
        .await;
    assert_eq!(trashed.status, StatusCode::OK, "{}", trashed.body);
    let fewer = t.get(tok, &format!("/api/v1/contacts/{ali}")).await;
    assert_eq!(fewer.body["metrics"]["orders_count"], 3);
    assert_eq!(fewer.body["metrics"]["total_spent"]["amount"], "134.94");
}

on_both_backends!(
    products_carry_exact_prices_and_are_listed_by_their_fields,
    orders_are_priced_exactly_pushed_idempotently_and_follow_their_customer,
);
