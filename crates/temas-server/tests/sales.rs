//! Sales records through the HTTP API, on SQLite and on PostgreSQL: products with prices per currency.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
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
    // The same product on two lines of a quote (not a purchase: the metrics below do not count it).
    let twice = t
        .post(
            tok,
            "/api/v1/orders",
            json!({"contact_id": ali, "currency": "USD",
                   "lines": [{"product_id": product, "unit_price": "22.49"},
                             {"product_id": product, "unit_price": "20.00", "description": "second bag"}]}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CREATED, "{}", twice.body);
    // In bulk, each order's references are checked on their own: the one naming no real product fails alone.
    let mixed = t
        .post(
            tok,
            "/api/v1/orders/bulk",
            json!({"items": [
                {"contact_id": ali, "currency": "USD", "external_id": "mixed-1",
                 "lines": [{"product_id": product, "unit_price": "1"}]},
                {"contact_id": ali, "currency": "USD", "external_id": "mixed-2",
                 "lines": [{"product_id": ali, "unit_price": "1"}]}]}),
        )
        .await;
    assert_eq!(mixed.status, StatusCode::OK, "{}", mixed.body);
    let items = mixed.body["items"].as_array().unwrap();
    let status_of = |i: u64| {
        items
            .iter()
            .find(|it| it["index"] == i)
            .map(|it| it["status"].clone())
    };
    assert_eq!(
        (status_of(0), status_of(1)),
        (Some(json!("created")), Some(json!("error"))),
        "{}",
        mixed.body
    );

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
    // His six (two of them quotes) and the twin's.
    assert_eq!(
        of_ali.body["items"].as_array().unwrap().len(),
        7,
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

/// A damaged bag is recorded against its order line and settled; the card adds converted spend, the last 12
/// months, the last contact and what the customer buys most.
async fn problems_are_settled_on_the_line_and_the_card_knows_the_customer(t: TestApp) {
    let tok = &t.owner_token;
    let set = t
        .patch(
            tok,
            "/api/v1/workspace",
            json!({"default_currency": "USD",
                   "currency_rates": [{"currency": "EUR", "from": "2020-01-01", "rate": "1.1"}]}),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let sara = t
        .contact_anyway(tok, json!({"first_name": "Sara", "last_name": "Karimi"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let product = |name: &str, category: &str, brand: &str| json!({"name": name, "category": category, "brand": brand});
    let coffee = t
        .post(
            tok,
            "/api/v1/products",
            product("Espresso 1kg", "Coffee", "Lavazza"),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tea = t
        .post(
            tok,
            "/api/v1/products",
            product("Black tea 500g", "Tea", "Golestan"),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let two_years_ago = (chrono::Utc::now() - chrono::Duration::days(730)).to_rfc3339();
    let orders = [
        json!({"contact_id": sara, "currency": "USD", "status": "paid",
               "lines": [{"product_id": coffee, "quantity": 2, "unit_price": "22.49"}]}),
        json!({"contact_id": sara, "currency": "USD", "status": "paid", "ordered_at": two_years_ago,
               "lines": [{"product_id": tea, "quantity": 4, "unit_price": "25"}]}),
        json!({"contact_id": sara, "currency": "EUR", "status": "invoiced",
               "lines": [{"product_id": tea, "unit_price": "10"}]}),
    ];
    let mut ids = Vec::new();
    for order in orders {
        let made = t.post(tok, "/api/v1/orders", order).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        ids.push(made.body["id"].as_str().unwrap().to_owned());
    }
    let call = t
        .post(
            tok,
            "/api/v1/interactions",
            json!({"channel": "call", "contact_ids": [sara], "subject": "delivery"}),
        )
        .await;
    assert_eq!(call.status, StatusCode::CREATED, "{}", call.body);

    let card = t.get(tok, &format!("/api/v1/contacts/{sara}")).await;
    let m = &card.body["metrics"];
    assert_eq!(m["orders_count"], 3, "{}", card.body);
    assert_eq!(m["total_spent"]["amount"], "144.98");
    assert_eq!(
        m["total_spent_converted"],
        json!({"currency": "USD", "amount": "155.98"})
    );
    assert_eq!(m["spent_last_12_months"]["amount"], "55.98");
    assert_eq!(m["favourite_category"], "Tea");
    assert_eq!(m["favourite_brand"], "Golestan");
    assert_eq!(m["days_since_last_contact"], 0);
    assert!(m["last_contact_at"].is_string());
    assert!(m["first_order_at"].as_str().unwrap() < m["last_order_at"].as_str().unwrap());
    // A product taken out of the catalogue no longer counts towards the favourites.
    let tea_path = format!("/api/v1/products/{tea}");
    let trashed = t.call(tok, Method::DELETE, &tea_path, None, &[]).await;
    assert_eq!(trashed.status, StatusCode::OK, "{}", trashed.body);
    let card = t.get(tok, &format!("/api/v1/contacts/{sara}")).await;
    assert_eq!(card.body["metrics"]["favourite_category"], "Coffee");
    assert_eq!(card.body["metrics"]["favourite_brand"], "Lavazza");
    let restored = t.post(tok, &format!("{tea_path}/restore"), json!({})).await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.body);

    // One bag came torn: the problem is recorded on its line, open until it is settled.
    let order = &ids[0];
    let line = |problems: Value| json!({"lines": [{"product_id": coffee, "quantity": 2, "unit_price": "22.49", "problems": problems}]});
    let bad = t
        .patch(
            tok,
            &format!("/api/v1/orders/{order}"),
            line(json!([{"kind": "lost", "resolved_at": "2026-01-01T00:00:00Z"}])),
        )
        .await;
    assert_eq!(
        bad.error_fields(),
        [
            "lines[0].problems[0].kind",
            "lines[0].problems[0].resolved_at"
        ],
        "{}",
        bad.body
    );
    let reported = t
        .patch(
            tok,
            &format!("/api/v1/orders/{order}"),
            line(json!([{"kind": "damaged", "description": "bag torn"}])),
        )
        .await;
    assert_eq!(reported.status, StatusCode::OK, "{}", reported.body);
    assert_eq!(reported.body["open_problems"], 1);
    let problem = &reported.body["lines"][0]["problems"][0];
    assert_eq!(problem["status"], "open");
    let mut settled_problem = problem.clone();
    settled_problem["resolution"] = json!("replaced");
    settled_problem["resolution_note"] = json!("new bag sent");
    settled_problem.as_object_mut().unwrap().remove("status");
    let settled = t
        .patch(
            tok,
            &format!("/api/v1/orders/{order}"),
            line(json!([settled_problem])),
        )
        .await;
    assert_eq!(settled.status, StatusCode::OK, "{}", settled.body);
    assert_eq!(settled.body["open_problems"], 0);
    let problem = &settled.body["lines"][0]["problems"][0];
    assert_eq!(
        (
            &problem["status"],
            &problem["resolution"],
            &problem["description"]
        ),
        (&json!("resolved"), &json!("replaced"), &json!("bag torn"))
    );
    assert!(problem["resolved_at"].is_string());
    // Both steps are in the order's history.
    let history = t.get(tok, &format!("/api/v1/orders/{order}/history")).await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.body);
    assert!(
        history.body["items"].as_array().unwrap().len() >= 3,
        "{}",
        history.body
    );
}

/// An invoice's scan is kept with its order: uploaded, listed on the order, downloaded as it was sent (its Persian
/// name kept), kept through edits, in the history, out of reach of those who may not see the order, and removed.
async fn files_are_kept_with_an_order(t: TestApp) {
    let tok = &t.owner_token;
    let buyer = t.contact_anyway(tok, json!({"first_name": "Omid"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let order = t
        .post(
            tok,
            "/api/v1/orders",
            json!({"contact_id": buyer, "currency": "IRR", "status": "invoiced", "invoice_number": "F-12",
                   "lines": [{"description": "Carpet", "unit_price": "90000000"}]}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pdf = b"%PDF-1.4 an invoice".to_vec();
    let path = format!("/api/v1/orders/{order}/attachments");
    let name = "%D9%81%D8%A7%DA%A9%D8%AA%D9%88%D8%B1.pdf"; // فاکتور.pdf
    let added = t
        .upload_typed(
            tok,
            &format!("{path}?name={name}"),
            pdf.clone(),
            Some("application/pdf"),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    assert_eq!(added.body["file_name"], "فاکتور.pdf");
    assert_eq!(added.body["size"], pdf.len());
    assert_eq!(added.body["content_type"], "application/pdf");
    let file = added.body["id"].as_str().unwrap().to_owned();
    let empty = t
        .upload_typed(tok, &format!("{path}?name=x.pdf"), Vec::new(), None)
        .await;
    assert_eq!(empty.error_fields(), ["file"], "{}", empty.body);
    let nameless = t
        .upload_typed(tok, &format!("{path}?name=../"), pdf.clone(), None)
        .await;
    assert_eq!(nameless.error_fields(), ["name"], "{}", nameless.body);

    // Editing the order keeps its files; the history has the file's arrival.
    let paid = t
        .patch(
            tok,
            &format!("/api/v1/orders/{order}"),
            json!({"status": "paid", "attachments": []}),
        )
        .await;
    assert_eq!(
        paid.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "attachments are not written through the order"
    );
    let paid = t
        .patch(
            tok,
            &format!("/api/v1/orders/{order}"),
            json!({"status": "paid"}),
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    assert_eq!(paid.body["attachments"][0]["id"], file.as_str());
    let history = t.get(tok, &format!("/api/v1/orders/{order}/history")).await;
    assert!(
        history.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["action"] == "attach"),
        "{}",
        history.body
    );

    let got = t.get(tok, &format!("{path}/{file}")).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body, json!("%PDF-1.4 an invoice"));
    let disposition = got.headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains(&format!("filename*=UTF-8''{name}")),
        "{disposition}"
    );
    assert_eq!(got.headers["x-content-type-options"], "nosniff");

    // A member of another team sees neither the order nor its file; a viewer cannot add one.
    let other = t.user("rep@acme.test", Role::Member, Some("Tabriz")).await;
    let hidden = t.get(&other, &format!("{path}/{file}")).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let viewer = t.user("viewer@acme.test", Role::Viewer, None).await;
    let refused = t
        .upload_typed(&viewer, &format!("{path}?name=a.txt"), b"a".to_vec(), None)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

    let removed = t
        .call(tok, Method::DELETE, &format!("{path}/{file}"), None, &[])
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    let gone = t.get(tok, &format!("{path}/{file}")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let after = t.get(tok, &format!("/api/v1/orders/{order}")).await;
    assert_eq!(after.body["attachments"], json!([]));
}

/// With the file store in an S3-compatible bucket, an order's file goes there as an object under the workspace's
/// folder, comes back as it was sent, and leaves the bucket when it is removed.
#[tokio::test]
async fn files_are_kept_in_an_s3_bucket() {
    let root = tempfile::tempdir().unwrap();
    let bucket = support::s3_bucket(root.path()).await;
    let t = support::spawn_app_with_files(temas_testdb::Backend::Sqlite, bucket, root).await;
    let tok = &t.owner_token;
    let buyer = t.contact_anyway(tok, json!({"first_name": "Parisa"})).await["id"].clone();
    let order = t
        .post(
            tok,
            "/api/v1/orders",
            json!({"contact_id": buyer, "currency": "IRR", "status": "invoiced",
                   "lines": [{"description": "Carpet", "unit_price": "90000000"}]}),
        )
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    let path = format!(
        "/api/v1/orders/{}/attachments",
        order.body["id"].as_str().unwrap()
    );
    let scan = b"%PDF-1.4 a scanned invoice".to_vec();
    let added = t
        .upload_typed(
            tok,
            &format!("{path}?name=scan.pdf"),
            scan.clone(),
            Some("application/pdf"),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let file = added.body["id"].as_str().unwrap().to_owned();
    let ws = t.app.store.first_workspace().await.unwrap().unwrap().id.0;
    let object = t.files.path().join(format!("invoices/temas/{ws}/{file}"));
    assert_eq!(
        std::fs::read(&object).unwrap(),
        scan,
        "the object in the bucket"
    );

    let got = t.get(tok, &format!("{path}/{file}")).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body, json!("%PDF-1.4 a scanned invoice"));
    let removed = t
        .call(tok, Method::DELETE, &format!("{path}/{file}"), None, &[])
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    assert!(!object.exists(), "the object left the bucket");
}

on_both_backends!(
    files_are_kept_with_an_order,
    products_carry_exact_prices_and_are_listed_by_their_fields,
    orders_are_priced_exactly_pushed_idempotently_and_follow_their_customer,
    problems_are_settled_on_the_line_and_the_card_knows_the_customer,
);
