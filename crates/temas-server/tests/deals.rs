//! The sales flow through the HTTP API, on SQLite and on PostgreSQL: pipelines, leads and their conversion,
//! deals moving to won, the forecast, offers, tasks, "my day" and the follow-up rules.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use chrono::Datelike;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::*;
use temas_core::access::Role;

async fn pipeline(t: &TestApp) -> String {
    let made = t
        .post(
            &t.owner_token,
            "/api/v1/pipelines",
            json!({"name": "New business", "stages": [
                {"name": "Qualified", "probability": 20},
                {"name": "Proposal", "probability": 60, "stuck_after_days": 10},
                {"key": "negotiation", "name": "مذاکره", "probability": 80}
            ]}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    made.body["id"].as_str().unwrap().to_owned()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// A rep creates a lead, converts it into a contact, a company and a deal, moves the deal to won, records the
/// order and its return, and sees the customer's metrics and the forecast change.
async fn a_lead_becomes_a_customer_and_the_forecast_follows(t: TestApp) {
    let pipeline_id = pipeline(&t).await;
    let rep = t.user("rep@acme.test", Role::Member, None).await;
    // Pipelines are the managers' to shape.
    let refused = t
        .post(
            &rep,
            "/api/v1/pipelines",
            json!({"name": "Mine", "stages": [{"name": "A"}]}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let rates = t
        .patch(
            &t.owner_token,
            "/api/v1/workspace",
            json!({"currency_rates": [{"currency": "usd", "from": "2026-01-01", "rate": "420000"}]}),
        )
        .await;
    assert_eq!(rates.status, StatusCode::OK, "{}", rates.body);

    let lead = t
        .post(
            &rep,
            "/api/v1/leads",
            json!({"first_name": "Sara", "last_name": "Rahimi", "company_name": "Parsian Trading",
                   "email": "Sara@Parsian.example", "phone": "0912 345 6789", "source": "web_form"}),
        )
        .await;
    assert_eq!(lead.status, StatusCode::CREATED, "{}", lead.body);
    assert_eq!(lead.body["phone"], "+989123456789");
    let lead_id = id(&lead.body);
    let bad = t
        .post(
            &rep,
            "/api/v1/leads",
            json!({"first_name": "Ali", "email": "nope", "source": "billboard"}),
        )
        .await;
    assert_eq!(bad.error_fields(), ["email", "source"], "{}", bad.body);

    let converted = t
        .post(
            &rep,
            &format!("/api/v1/leads/{lead_id}/convert"),
            json!({"deal": {"amount": "1000", "currency": "USD", "expected_close": "2026-12-15"}}),
        )
        .await;
    assert_eq!(converted.status, StatusCode::OK, "{}", converted.body);
    let c = &converted.body;
    assert_eq!(c["lead"]["status"], "converted");
    assert_eq!(c["contact"]["display_name"], "Sara Rahimi");
    assert_eq!(c["company"]["name"], "Parsian Trading");
    let deal = &c["deal"];
    assert_eq!(deal["name"], "Parsian Trading");
    assert_eq!(
        (deal["stage"].as_str(), deal["probability"].as_i64()),
        (Some("qualified"), Some(20))
    );
    assert_eq!(deal["pipeline_id"], pipeline_id.as_str());
    let (contact_id, deal_id) = (id(&c["contact"]), id(deal));
    assert_eq!(deal["contacts"][0]["contact_id"], contact_id.as_str());
    assert_eq!(c["lead"]["converted"]["deal_id"], deal_id.as_str());
    let again = t
        .post(&rep, &format!("/api/v1/leads/{lead_id}/convert"), json!({}))
        .await;
    assert_eq!(again.error_fields(), [""], "{}", again.body);

    // The same person coming in again is not made twice: conversion asks, and links the contact chosen.
    let twin = t
        .post(
            &rep,
            "/api/v1/leads",
            json!({"first_name": "Sara", "last_name": "Rahimi", "email": "sara@parsian.example"}),
        )
        .await;
    let twin_id = id(&twin.body);
    let asked = t
        .post(&rep, &format!("/api/v1/leads/{twin_id}/convert"), json!({}))
        .await;
    assert_eq!(asked.status, StatusCode::CONFLICT, "{}", asked.body);
    assert!(
        asked.body.to_string().contains(&contact_id),
        "{}",
        asked.body
    );
    let linked = t
        .post(
            &rep,
            &format!("/api/v1/leads/{twin_id}/convert"),
            json!({"contact_id": contact_id}),
        )
        .await;
    assert_eq!(linked.status, StatusCode::OK, "{}", linked.body);
    assert_eq!(linked.body["contact"]["id"], contact_id.as_str());
    assert!(linked.body["deal"].is_null());
    let sara = t
        .get(
            &rep,
            "/api/v1/contacts?filter=email:eq:sara@parsian.example",
        )
        .await;
    assert_eq!(sara.body["items"].as_array().unwrap().len(), 1);

    // The forecast: 1,000 USD at 20 % in December, in rials.
    let before = t.get(&rep, "/api/v1/forecast").await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    assert_eq!(before.body["currency"], "IRR");
    assert_eq!(before.body["total"]["pipeline"], "420000000.00");
    assert_eq!(before.body["total"]["weighted"], "84000000.00");
    assert_eq!(before.body["months"][0]["month"], "2026-12");

    let unknown = t
        .patch(
            &rep,
            &format!("/api/v1/deals/{deal_id}"),
            json!({"stage": "signed"}),
        )
        .await;
    assert_eq!(unknown.error_fields(), ["stage"], "{}", unknown.body);
    let moved = t
        .patch(
            &rep,
            &format!("/api/v1/deals/{deal_id}"),
            json!({"stage": "proposal"}),
        )
        .await;
    assert_eq!(moved.body["probability"], 60, "{}", moved.body);
    assert_eq!(moved.body["stage_changes"].as_array().unwrap().len(), 2);
    let weighted = t.get(&rep, "/api/v1/forecast").await;
    assert_eq!(weighted.body["total"]["weighted"], "252000000.00");
    let lost = t
        .patch(
            &rep,
            &format!("/api/v1/deals/{deal_id}"),
            json!({"status": "lost"}),
        )
        .await;
    assert_eq!(lost.error_fields(), ["close_reason"], "{}", lost.body);
    let won = t
        .patch(
            &rep,
            &format!("/api/v1/deals/{deal_id}"),
            json!({"status": "won", "close_reason": "Best delivery time"}),
        )
        .await;
    assert_eq!(won.body["probability"], 100, "{}", won.body);
    assert!(won.body["closed_at"].is_string());
    let after = t.get(&rep, "/api/v1/forecast").await;
    assert_eq!(after.body["total"]["won_deals"], 1, "{}", after.body);
    assert_eq!(after.body["total"]["won"], "420000000.00");
    assert_eq!(after.body["total"]["open_deals"], 0);
    let history = t
        .get(&rep, &format!("/api/v1/deals/{deal_id}/history"))
        .await;
    assert!(
        history.body.to_string().contains("proposal"),
        "{}",
        history.body
    );

    // The offer that was accepted, and the order it became, with a line returned.
    let order = t
        .post(
            &rep,
            "/api/v1/orders",
            json!({"contact_id": contact_id, "currency": "USD", "status": "invoiced", "external_id": "INV-77",
                   "lines": [{"description": "Licence", "quantity": 2, "unit_price": "400.00"},
                             {"description": "Training", "quantity": 1, "unit_price": "200.00"}]}),
        )
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    assert_eq!(order.body["total"], "1000.00");
    let order_id = id(&order.body);
    let offer = t
        .post(
            &rep,
            "/api/v1/offers",
            json!({"title": "Licences", "contact_id": contact_id, "deal_id": deal_id, "currency": "USD",
                   "lines": [{"description": "Licence", "quantity": 2, "unit_price": "400.00"}]}),
        )
        .await;
    assert_eq!(offer.status, StatusCode::CREATED, "{}", offer.body);
    assert_eq!(offer.body["total"], "800.00");
    let accepted = t
        .patch(
            &rep,
            &format!("/api/v1/offers/{}", id(&offer.body)),
            json!({"response": "accepted", "order_id": order_id}),
        )
        .await;
    assert_eq!(accepted.body["response"], "accepted", "{}", accepted.body);
    assert!(accepted.body["responded_at"].is_string());

    let metrics = t.get(&rep, &format!("/api/v1/contacts/{contact_id}")).await;
    assert_eq!(
        metrics.body["metrics"]["orders_count"], 1,
        "{}",
        metrics.body
    );
    assert_eq!(
        metrics.body["metrics"]["spent_by_currency"][0]["amount"],
        "1000.00"
    );
    let mut lines = order.body["lines"].clone();
    lines[1]["returned_quantity"] = json!("1");
    lines[1]["return_reason"] = json!("damaged on delivery");
    let returned = t
        .patch(
            &rep,
            &format!("/api/v1/orders/{order_id}"),
            json!({"lines": lines.as_array().unwrap().iter().map(|l| json!({
                "description": l["description"], "quantity": l["quantity"], "unit_price": l["unit_price"],
                "returned_quantity": l["returned_quantity"], "return_reason": l["return_reason"]})).collect::<Vec<_>>()}),
        )
        .await;
    assert_eq!(returned.status, StatusCode::OK, "{}", returned.body);
    let less = t.get(&rep, &format!("/api/v1/contacts/{contact_id}")).await;
    assert_eq!(
        less.body["metrics"]["spent_by_currency"][0]["amount"], "800.00",
        "{}",
        less.body
    );

    // A duplicate's deal and offer follow it into the surviving contact when the two are merged.
    let tok = &t.owner_token;
    let twin = t
        .contact_anyway(tok, json!({"first_name": "Sara", "last_name": "Rahimi"}))
        .await;
    let twin_id = id(&twin);
    let their_deal = t
        .post(
            tok,
            "/api/v1/deals",
            json!({"name": "Renewal", "contacts": [{"contact_id": twin_id}]}),
        )
        .await;
    assert_eq!(
        their_deal.status,
        StatusCode::CREATED,
        "{}",
        their_deal.body
    );
    let their_offer = t
        .post(
            tok,
            "/api/v1/offers",
            json!({"contact_id": twin_id, "currency": "USD", "lines": [{"description": "Support", "unit_price": "50"}]}),
        )
        .await;
    let merged = t
        .post(
            tok,
            "/api/v1/contacts/merge",
            json!({"survivor_id": contact_id, "merged_ids": [twin_id]}),
        )
        .await;
    assert_eq!(merged.status, StatusCode::CREATED, "{}", merged.body);
    let deal_now = t
        .get(tok, &format!("/api/v1/deals/{}", id(&their_deal.body)))
        .await;
    assert_eq!(
        deal_now.body["contacts"][0]["contact_id"],
        contact_id.as_str()
    );
    let offer_now = t
        .get(tok, &format!("/api/v1/offers/{}", id(&their_offer.body)))
        .await;
    assert_eq!(offer_now.body["contact_id"], contact_id.as_str());
}

/// Tasks with due dates and recurrence, the user's day, and the follow-up rules, which never make a task twice.
async fn tasks_fill_the_day_and_the_rules_add_follow_ups(t: TestApp) {
    let tok = &t.owner_token;
    let contact = t
        .contact(
            tok,
            json!({"first_name": "Mina", "last_name": "Karimi",
                   "birth_date": temas_core::time::now().date_naive().with_year(1990).unwrap()}),
        )
        .await;
    let contact_id = id(&contact);
    let due = temas_core::time::now() - chrono::Duration::hours(1);
    let task = t
        .post(
            tok,
            "/api/v1/tasks",
            json!({"title": "Call Mina", "kind": "call", "due_at": due,
                   "related": {"kind": "contact", "id": contact_id},
                   "recurrence": {"every": 1, "unit": "week"}}),
        )
        .await;
    assert_eq!(task.status, StatusCode::CREATED, "{}", task.body);
    let task_id = id(&task.body);
    let bad = t
        .post(
            tok,
            "/api/v1/tasks",
            json!({"title": "x", "related": {"kind": "deal", "id": contact_id}}),
        )
        .await;
    assert_eq!(bad.error_fields(), ["related.id"], "{}", bad.body);
    let later = t
        .post(
            tok,
            "/api/v1/tasks",
            json!({"title": "Next month", "due_at": temas_core::time::now() + chrono::Duration::days(40)}),
        )
        .await;
    assert_eq!(later.status, StatusCode::CREATED);

    let day = t.get(tok, "/api/v1/my-day").await;
    let titles: Vec<&str> = day.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Call Mina"], "{}", day.body);
    let done = t
        .patch(
            tok,
            &format!("/api/v1/tasks/{task_id}"),
            json!({"status": "done"}),
        )
        .await;
    assert_eq!(done.body["status"], "open", "{}", done.body);
    assert!(done.body["done_at"].is_string());
    let next_day = t.get(tok, "/api/v1/my-day").await;
    assert_eq!(next_day.body["items"].as_array().unwrap().len(), 0);

    let run = t.post(tok, "/api/v1/follow-ups/run", json!({})).await;
    assert_eq!(run.status, StatusCode::OK, "{}", run.body);
    assert_eq!(run.body["birthday"], 1, "{}", run.body);
    let twice = t.post(tok, "/api/v1/follow-ups/run", json!({})).await;
    assert_eq!(twice.body["birthday"], 0, "{}", twice.body);
    let birthdays = t.get(tok, "/api/v1/tasks?filter=kind:eq:birthday").await;
    let items = birthdays.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", birthdays.body);
    assert_eq!(items[0]["related"]["id"], contact_id.as_str());
    let member = t.user("m@acme.test", Role::Member, None).await;
    let refused = t.post(&member, "/api/v1/follow-ups/run", json!({})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

/// New leads without an owner go by the workspace's rules: round robin among a territory's reps, the least
/// loaded member of a language's team, and the creator when no rule matches.
async fn leads_are_assigned_by_the_rules(t: TestApp) {
    let tok = &t.owner_token;
    let mut ids = Vec::new();
    for (email, team) in [
        ("a@acme.test", None),
        ("b@acme.test", None),
        ("c@acme.test", Some("Tehran")),
    ] {
        let token = t.user(email, Role::Member, team).await;
        ids.push(id(&t.get(&token, "/api/v1/users/me").await.body));
    }
    let bad = t
        .patch(
            tok,
            "/api/v1/workspace",
            json!({"lead_assignment": [{"territory": "Istanbul", "users": [ids[0]], "method": "random"}]}),
        )
        .await;
    assert_eq!(
        bad.error_fields(),
        ["lead_assignment[0].method"],
        "{}",
        bad.body
    );
    let set = t
        .patch(
            tok,
            "/api/v1/workspace",
            json!({"lead_assignment": [
                {"territory": "Istanbul", "users": [ids[0], ids[1]]},
                {"language": "fa", "team": "Tehran", "method": "workload"}]}),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let mut owners = Vec::new();
    for (n, body) in [
        json!({"first_name": "Can", "territory": "istanbul"}),
        json!({"first_name": "Ece", "territory": "Istanbul"}),
        json!({"first_name": "Efe", "territory": "Istanbul"}),
        json!({"first_name": "Reza", "language": "fa"}),
        json!({"first_name": "Anna", "territory": "Ankara"}),
    ]
    .into_iter()
    .enumerate()
    {
        let made = t.post(tok, "/api/v1/leads", body).await;
        assert_eq!(made.status, StatusCode::CREATED, "lead {n}: {}", made.body);
        owners.push(made.body["owner_id"].as_str().unwrap().to_owned());
    }
    let me = id(&t.get(tok, "/api/v1/users/me").await.body);
    assert_eq!(
        owners,
        [
            ids[0].clone(),
            ids[1].clone(),
            ids[0].clone(),
            ids[2].clone(),
            me
        ]
    );
}

/// Customers' order metrics are kept current as orders change, so lists filter and sort by them; the scoring
/// job ranks buying customers in quintiles.
async fn contacts_are_listed_by_their_metrics_and_scored(t: TestApp) {
    let tok = &t.owner_token;
    let mut ids = Vec::new();
    for name in ["Arash", "Bahar", "Cyrus", "Dara", "Elham", "Farid"] {
        ids.push(id(&t
            .contact_anyway(tok, json!({"first_name": name}))
            .await));
    }
    // Arash buys once for 100 rials, Bahar twice for 200, Cyrus three times for 300 … Farid never.
    let mut orders = Vec::new();
    for (who, id) in ids.iter().enumerate().take(5) {
        for n in 0..=who {
            orders.push(json!({"contact_id": id, "currency": "IRR", "status": "paid",
                "external_id": format!("pos-{who}-{n}"), "ordered_at": format!("2026-0{}-1{n}T10:00:00Z", who + 1),
                "lines": [{"description": "Tea", "unit_price": "100"}]}));
        }
    }
    // A dollar order counts towards Arash's orders but not his spend in rials.
    orders.push(
        json!({"contact_id": ids[0], "currency": "USD", "status": "paid", "external_id": "usd-1",
        "lines": [{"description": "Book", "unit_price": "10"}]}),
    );
    push_orders(&t, &orders).await;

    let names = |body: &Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["display_name"].as_str().unwrap().to_owned())
            .collect()
    };
    let top = t
        .get(
            tok,
            "/api/v1/contacts?filter=orders_count:gte:2&sort=-total_spent_minor&limit=2",
        )
        .await;
    assert_eq!(top.status, StatusCode::OK, "{}", top.body);
    assert_eq!(names(&top.body), ["Elham", "Dara"]);
    let next = t
        .get(
            tok,
            &format!(
                "/api/v1/contacts?filter=orders_count:gte:2&sort=-total_spent_minor&limit=2&cursor={}",
                top.body["next_cursor"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(names(&next.body), ["Cyrus", "Bahar"], "{}", next.body);
    let spenders = t
        .get(
            tok,
            "/api/v1/contacts?filter=total_spent_minor:gt:25000&sort=name",
        )
        .await;
    assert_eq!(names(&spenders.body), ["Cyrus", "Dara", "Elham"]);
    // Few match, so SQLite sorts them apart from the name index: pages still follow on, both ways.
    for (sort, first, rest) in [
        ("name", ["Cyrus", "Dara"], "Elham"),
        ("-name", ["Elham", "Dara"], "Cyrus"),
    ] {
        let path =
            format!("/api/v1/contacts?filter=total_spent_minor:gt:25000&sort={sort}&limit=2");
        let page = t.get(tok, &path).await;
        assert_eq!(names(&page.body), first, "{}", page.body);
        let cursor = page.body["next_cursor"].as_str().unwrap();
        let next = t.get(tok, &format!("{path}&cursor={cursor}")).await;
        assert_eq!(names(&next.body), [rest], "{}", next.body);
    }
    let bad = t.get(tok, "/api/v1/contacts?sort=-shoe_size").await;
    assert_eq!(bad.error_fields(), ["sort"]);

    // Trashing Elham's orders takes her out of the top.
    let hers = t
        .get(
            tok,
            &format!("/api/v1/orders?filter=contact_id:eq:{}&limit=10", ids[4]),
        )
        .await;
    for o in hers.body["items"].as_array().unwrap().iter().take(4) {
        let gone = t
            .call(
                tok,
                reqwest::Method::DELETE,
                &format!("/api/v1/orders/{}", id(o)),
                None,
                &[],
            )
            .await;
        assert_eq!(gone.status, StatusCode::OK);
    }
    let now_top = t
        .get(tok, "/api/v1/contacts?sort=-total_spent_minor&limit=1")
        .await;
    assert_eq!(names(&now_top.body), ["Dara"]);

    let unscored = t.get(tok, &format!("/api/v1/contacts/{}", ids[3])).await;
    assert!(unscored.body["metrics"]["rfm"].is_null());
    let run = t.post(tok, "/api/v1/rfm/run", json!({})).await;
    assert_eq!(run.status, StatusCode::NO_CONTENT, "{}", run.body);
    let dara = t.get(tok, &format!("/api/v1/contacts/{}", ids[3])).await;
    let rfm = &dara.body["metrics"]["rfm"];
    assert_eq!(
        (rfm["frequency"].as_u64(), rfm["monetary"].as_u64()),
        (Some(5), Some(5)),
        "{}",
        dara.body
    );
    let farid = t.get(tok, &format!("/api/v1/contacts/{}", ids[5])).await;
    assert!(farid.body["metrics"]["rfm"].is_null());
    let loyal = t
        .get(tok, "/api/v1/contacts?filter=rfm_monetary:gte:4&sort=name")
        .await;
    assert_eq!(names(&loyal.body), ["Cyrus", "Dara"], "{}", loyal.body);

    // Scores are read against the cuts of the last run, so they follow a new order at once: Arash's big order
    // puts his spend above the top cut.
    let big = t
        .post(
            tok,
            "/api/v1/orders",
            json!({"contact_id": ids[0], "currency": "IRR", "status": "paid",
                "lines": [{"description": "Samovar", "unit_price": "1000"}]}),
        )
        .await;
    assert_eq!(big.status, StatusCode::CREATED, "{}", big.body);
    let top = t
        .get(
            tok,
            "/api/v1/contacts?filter=rfm_monetary:eq:5&sort=-rfm_monetary",
        )
        .await;
    assert_eq!(names(&top.body), ["Arash", "Dara"], "{}", top.body);
    // Farid never bought: he scores 0, which is not 5.
    let rest = t
        .get(tok, "/api/v1/contacts?filter=rfm_monetary:ne:5&sort=name")
        .await;
    assert_eq!(
        names(&rest.body),
        ["Bahar", "Cyrus", "Elham", "Farid"],
        "{}",
        rest.body
    );
}

/// When a contact last bought and was last in touch are kept current as orders and interactions change, so lists
/// filter on the days since and sort by them.
async fn contacts_are_listed_by_days_since_their_last_order_and_contact(t: TestApp) {
    let t = &t;
    let tok = &t.owner_token;
    let mut ids = Vec::new();
    for name in ["Ana", "Ben", "Cem", "Dan"] {
        ids.push(id(&t
            .contact_anyway(tok, json!({"first_name": name}))
            .await));
    }
    let ago = |days: i64| (chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339();
    let mut calls = Vec::new();
    for (who, days) in [(0, 3), (1, 40), (1, 100), (2, 5)] {
        let call = t
            .post(
                tok,
                "/api/v1/interactions",
                json!({"channel": "call", "contact_ids": [ids[who]], "occurred_at": ago(days)}),
            )
            .await;
        assert_eq!(call.status, StatusCode::CREATED, "{}", call.body);
        calls.push(id(&call.body));
    }
    for (who, days) in [(0, 200), (1, 10)] {
        let order = t
            .post(
                tok,
                "/api/v1/orders",
                json!({"contact_id": ids[who], "currency": "IRR", "status": "paid", "ordered_at": ago(days),
                       "lines": [{"description": "Tea", "unit_price": "100"}]}),
            )
            .await;
        assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    }
    let names = |filter: &'static str, sort: &'static str| async move {
        let page = t
            .get(
                tok,
                &format!("/api/v1/contacts?filter={filter}&sort={sort}"),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{filter}: {}", page.body);
        page.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["display_name"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names("days_since_last_contact:gt:30", "name").await,
        ["Ben"]
    );
    assert_eq!(
        names("days_since_last_contact:lte:7", "name").await,
        ["Ana", "Cem"]
    );
    assert_eq!(names("days_since_last_contact:eq:3", "name").await, ["Ana"]);
    assert_eq!(
        names("days_since_last_contact:empty", "name").await,
        ["Dan"]
    );
    assert_eq!(
        names("days_since_last_order:gte:100", "name").await,
        ["Ana"]
    );
    assert_eq!(names("days_since_last_order:lt:30", "name").await, ["Ben"]);
    assert_eq!(
        names("days_since_last_order:empty", "-last_contact_at").await,
        ["Cem", "Dan"]
    );
    assert_eq!(
        names("last_contact_at:notempty", "-last_contact_at").await,
        ["Ana", "Cem", "Ben"]
    );
    let bad = t
        .get(tok, "/api/v1/contacts?filter=days_since_last_order:ne:3")
        .await;
    assert_eq!(bad.error_fields(), ["filter"], "{}", bad.body);

    // Cem's only call goes to the trash: he was never in touch. Ben's 40-day-old call moves to yesterday.
    let trashed = t
        .call(
            tok,
            reqwest::Method::DELETE,
            &format!("/api/v1/interactions/{}", calls[3]),
            None,
            &[],
        )
        .await;
    assert_eq!(trashed.status, StatusCode::OK, "{}", trashed.body);
    let moved = t
        .patch(
            tok,
            &format!("/api/v1/interactions/{}", calls[1]),
            json!({"occurred_at": ago(1)}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(
        names("days_since_last_contact:lte:7", "name").await,
        ["Ana", "Ben"]
    );
    assert_eq!(
        names("days_since_last_contact:empty", "name").await,
        ["Cem", "Dan"]
    );
    let ben = t.get(tok, &format!("/api/v1/contacts/{}", ids[1])).await;
    assert_eq!(
        ben.body["metrics"]["days_since_last_contact"], 1,
        "{}",
        ben.body
    );
    let cem = t.get(tok, &format!("/api/v1/contacts/{}", ids[2])).await;
    assert!(
        cem.body["metrics"]["last_contact_at"].is_null(),
        "{}",
        cem.body
    );
    // Back from the trash, the call counts again.
    let restored = t
        .post(
            tok,
            &format!("/api/v1/interactions/{}/restore", calls[3]),
            json!({}),
        )
        .await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.body);
    assert_eq!(names("days_since_last_contact:eq:5", "name").await, ["Cem"]);
    // Ana's only call is re-linked to Dan: she was never in touch after all, he was 3 days ago.
    let relinked = t
        .patch(
            tok,
            &format!("/api/v1/interactions/{}", calls[0]),
            json!({"contact_ids": [ids[3]]}),
        )
        .await;
    assert_eq!(relinked.status, StatusCode::OK, "{}", relinked.body);
    assert_eq!(names("days_since_last_contact:eq:3", "name").await, ["Dan"]);
    assert_eq!(
        names("days_since_last_contact:empty", "name").await,
        ["Ana"]
    );
}

/// The names of the contacts `filter` finds, by their spend over the last 12 months, highest first.
async fn spenders(t: &TestApp, filter: &str) -> Vec<String> {
    listed(
        t,
        &format!("filter={filter}&sort=-spent_last_12_months_minor"),
    )
    .await
}

/// Creates a contact per first name; their ids, in the same order.
async fn contacts_named(t: &TestApp, names: &[&str]) -> Vec<String> {
    let mut ids = Vec::new();
    for name in names {
        ids.push(id(&t
            .contact_anyway(&t.owner_token, json!({"first_name": name}))
            .await));
    }
    ids
}

/// Pushes `orders` through the bulk API, all of them accepted.
async fn push_orders(t: &TestApp, orders: &[Value]) {
    let pushed = t
        .post(
            &t.owner_token,
            "/api/v1/orders/bulk",
            json!({"items": orders}),
        )
        .await;
    assert_eq!(pushed.status, StatusCode::OK, "{}", pushed.body);
}

/// Trashes the order with external id `key`.
async fn trash_order(t: &TestApp, key: &str) {
    let tok = &t.owner_token;
    let found = t
        .get(tok, &format!("/api/v1/orders?filter=external_id:eq:{key}"))
        .await;
    let order_id = id(&found.body["items"][0]);
    let gone = t
        .call(
            tok,
            reqwest::Method::DELETE,
            &format!("/api/v1/orders/{order_id}"),
            None,
            &[],
        )
        .await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
}

/// The names of the contacts a list query finds, in its order.
async fn listed(t: &TestApp, query: &str) -> Vec<String> {
    let page = t
        .get(&t.owner_token, &format!("/api/v1/contacts?{query}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["display_name"].as_str().unwrap().to_owned())
        .collect()
}

/// The spend over the last 12 months is a list field: purchases after the window's start add to it, moving the
/// window (the daily job) takes off those it passes, and a trashed order's spend goes.
async fn contacts_are_listed_by_their_spend_over_the_last_12_months(t: TestApp) {
    let ids = contacts_named(&t, &["Arash", "Bahar", "Cyrus"]).await;
    let now = chrono::Utc::now();
    let ago = |days: i64| now - chrono::Duration::days(days);
    let order =
        |who: usize, key: &str, status: &str, at: chrono::DateTime<chrono::Utc>, price: &str| {
            json!({"contact_id": ids[who], "currency": "IRR", "status": status, "external_id": key,
               "ordered_at": at, "lines": [{"description": "Tea", "unit_price": price}]})
        };
    let orders = [
        order(0, "a-old", "paid", ago(400), "100"),
        order(0, "a-new", "paid", ago(30), "50"),
        order(1, "b-mid", "paid", ago(200), "70"),
        order(2, "c-quote", "quote", ago(10), "999"),
    ];
    push_orders(&t, &orders).await;
    // The order of 400 days ago is older than the window: Arash's 50 rials count, his 100 do not.
    assert_eq!(
        spenders(&t, "spent_last_12_months_minor:gt:0").await,
        ["Bahar", "Arash"]
    );
    assert_eq!(
        spenders(&t, "spent_last_12_months_minor:eq:5000").await,
        ["Arash"]
    );

    // Half a year on, the window starts 185 days ago: Bahar's purchase of 200 days ago leaves it.
    let ws = t.app.store.workspaces().await.unwrap()[0].id;
    let later = (now + chrono::Duration::days(180)).timestamp_micros();
    t.app.store.advance_spend_window(ws, later).await.unwrap();
    assert_eq!(
        spenders(&t, "spent_last_12_months_minor:gt:0").await,
        ["Arash"]
    );
    // Moving it to the same place again takes nothing more off.
    t.app.store.advance_spend_window(ws, later).await.unwrap();
    assert_eq!(
        spenders(&t, "spent_last_12_months_minor:eq:5000").await,
        ["Arash"]
    );

    // A purchase from before the window's start does not count; one after it does.
    let more = [
        order(1, "b-before", "paid", ago(190), "30"),
        order(1, "b-after", "paid", ago(100), "20"),
    ];
    push_orders(&t, &more).await;
    assert_eq!(
        spenders(&t, "spent_last_12_months_minor:gt:0").await,
        ["Arash", "Bahar"]
    );
    assert_eq!(
        spenders(&t, "spent_last_12_months_minor:eq:2000").await,
        ["Bahar"]
    );

    // Trashing Arash's recent order recomputes him against the same window.
    trash_order(&t, "a-new").await;
    assert_eq!(
        spenders(&t, "spent_last_12_months_minor:gt:0").await,
        ["Bahar"]
    );
}

/// A contact's first purchase and average order value (in the workspace's currency, over the purchases made in it,
/// rounded as the card rounds it) are list fields, kept as orders come and go.
async fn contacts_are_listed_by_first_purchase_and_average_order_value(t: TestApp) {
    let ids = contacts_named(&t, &["Arash", "Bahar", "Cyrus"]).await;
    let now = chrono::Utc::now();
    let ago = |days: i64| now - chrono::Duration::days(days);
    let order = |who: usize, key: &str, currency: &str, status: &str, days: i64, price: &str| {
        json!({"contact_id": ids[who], "currency": currency, "status": status, "external_id": key,
               "ordered_at": ago(days), "lines": [{"description": "Tea", "unit_price": price}]})
    };
    let orders = [
        order(0, "a-old", "IRR", "paid", 400, "100"),
        order(0, "a-usd", "USD", "paid", 60, "10"),
        order(1, "b-one", "IRR", "paid", 200, "70"),
        order(2, "c-quote", "IRR", "quote", 10, "999"),
    ];
    push_orders(&t, &orders).await;
    // Written in two calls, so that the second adds to what the first left; Bahar's second purchase is dated
    // before her first, which moves her first purchase back.
    let more = [
        order(0, "a-new", "IRR", "paid", 30, "50"),
        order(1, "b-two", "IRR", "paid", 300, "30.01"),
    ];
    push_orders(&t, &more).await;

    // Arash: 150 rials over his two rial purchases (the dollars do not divide in); Bahar: 100.01 over two, 50.005,
    // which rounds to 50.01. Cyrus only has a quote.
    let by_average = "sort=-average_order_value_minor&filter=average_order_value_minor:gt:0";
    assert_eq!(listed(&t, by_average).await, ["Arash", "Bahar"]);
    assert_eq!(
        listed(&t, "filter=average_order_value_minor:eq:5001").await,
        ["Bahar"]
    );
    let card = t
        .get(&t.owner_token, &format!("/api/v1/contacts/{}", ids[1]))
        .await;
    assert_eq!(
        card.body["metrics"]["average_order_value"]["amount"], "50.01",
        "{}",
        card.body
    );
    let year_ago = ago(365).date_naive();
    assert_eq!(
        listed(&t, &format!("filter=first_order_at:lt:{year_ago}")).await,
        ["Arash"]
    );
    assert_eq!(
        listed(&t, "filter=first_order_at:notempty&sort=first_order_at").await,
        ["Arash", "Bahar"]
    );
    assert_eq!(listed(&t, "filter=first_order_at:empty").await, ["Cyrus"]);
    let before = ago(250).date_naive();
    assert_eq!(
        listed(
            &t,
            &format!("filter=first_order_at:lt:{before}&sort=first_order_at")
        )
        .await,
        ["Arash", "Bahar"]
    );

    // Trashing Arash's first purchase recomputes him: his first is now the dollar order, his average 50 rials.
    trash_order(&t, "a-old").await;
    assert!(
        listed(&t, &format!("filter=first_order_at:lt:{year_ago}"))
            .await
            .is_empty()
    );
    assert_eq!(
        listed(&t, "filter=first_order_at:notempty&sort=first_order_at").await,
        ["Bahar", "Arash"]
    );
    assert_eq!(
        listed(&t, "filter=average_order_value_minor:eq:5000").await,
        ["Arash"]
    );
}

/// The daily jobs are queued once a day per workspace, whoever asks how often, and the worker runs them: the RFM
/// scores appear without anyone calling for them.
async fn the_daily_jobs_run_once_a_day(t: TestApp) {
    let tok = &t.owner_token;
    let bad = t
        .patch(
            tok,
            "/api/v1/workspace",
            json!({"schedule": {"daily_hour": 24}}),
        )
        .await;
    assert_eq!(bad.error_fields(), ["schedule.daily_hour"], "{}", bad.body);
    let buyer = id(&t.contact_anyway(tok, json!({"first_name": "Nasrin"})).await);
    let order = t
        .post(
            tok,
            "/api/v1/orders",
            json!({"contact_id": buyer, "currency": "IRR", "status": "paid",
                   "lines": [{"description": "Saffron", "unit_price": "500"}]}),
        )
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    let card = t.get(tok, &format!("/api/v1/contacts/{buyer}")).await;
    assert!(card.body["metrics"]["rfm"].is_null(), "{}", card.body);

    // Hour 0 has always come: today's job is due, and is queued once however often the scheduler looks.
    let set = t
        .patch(
            tok,
            "/api/v1/workspace",
            json!({"schedule": {"daily_hour": 0}}),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let now = chrono::Utc::now();
    assert_eq!(t.app.queue_daily_jobs(now).await.unwrap(), 1);
    assert_eq!(t.app.queue_daily_jobs(now).await.unwrap(), 0);
    let mut rfm = Value::Null;
    for _ in 0..100 {
        rfm = t.get(tok, &format!("/api/v1/contacts/{buyer}")).await.body["metrics"]["rfm"].clone();
        if !rfm.is_null() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(rfm["code"], "111", "{rfm}");
    // Turned off, the schedule queues nothing (tomorrow included).
    let off = t
        .patch(
            tok,
            "/api/v1/workspace",
            json!({"schedule": {"daily_hour": null}}),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    let tomorrow = now + chrono::Duration::days(1);
    assert_eq!(t.app.queue_daily_jobs(tomorrow).await.unwrap(), 0);
}

on_both_backends!(
    a_lead_becomes_a_customer_and_the_forecast_follows,
    tasks_fill_the_day_and_the_rules_add_follow_ups,
    leads_are_assigned_by_the_rules,
    contacts_are_listed_by_their_metrics_and_scored,
    contacts_are_listed_by_days_since_their_last_order_and_contact,
    the_daily_jobs_run_once_a_day,
    contacts_are_listed_by_their_spend_over_the_last_12_months,
    contacts_are_listed_by_first_purchase_and_average_order_value,
);
