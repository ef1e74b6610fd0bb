//! Merging duplicates through the API, on both backends: every point kept, links moved, the history written;
//! undo after later edits; "not duplicates" remembered by the scan; companies merged with their people.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::*;
use temas_core::access::Role;

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// Whether a new scan (as the owner) puts the record in a group.
async fn a_scan_proposes(t: &TestApp, record: &str) -> bool {
    let scan = t.scan(&t.owner_token, json!({})).await;
    let id = scan["id"].as_str().unwrap();
    let queue = t
        .get(
            &t.owner_token,
            &format!("/api/v1/dedupe/scans/{id}/groups?limit=100"),
        )
        .await;
    queue.body["items"].as_array().unwrap().iter().any(|g| {
        g["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == record)
    })
}

async fn contacts_merge_keep_everything_and_undo_exactly(t: TestApp) {
    let tok = &t.owner_token;
    let ali = t
        .post(
            tok,
            "/api/v1/contacts",
            json!({
                "first_name": "Ali", "last_name": "Rezaei", "external_id": "crm-1",
                "emails": [{"address": "ali@rezaei.ir", "primary": true}],
                "phones": [{"number": "+98 912 345 6789"}],
                "tags": ["vip"], "notes": "Met at the fair"
            }),
        )
        .await;
    assert_eq!(ali.status, StatusCode::CREATED, "{}", ali.body);
    let alireza = t
        .post(tok, "/api/v1/contacts?confirm=true", json!({
            "first_name": "Alireza", "last_name": "Rezaei", "job_title": "Buyer",
            "emails": [{"address": "ALI@rezaei.ir"}, {"address": "a.rezaei@shop.example", "primary": true}],
            "phones": [{"number": "021 8888 7777", "kind": "work"}],
            "tags": ["fair-2026"], "notes": "Prefers Telegram"
        }))
        .await;
    let (a, b) = (id(&ali.body), id(&alireza.body));
    let call = t
        .post(
            tok,
            "/api/v1/interactions",
            json!({"channel": "call", "subject": "Quote", "contact_ids": [b]}),
        )
        .await;
    let both = t
        .post(
            tok,
            "/api/v1/interactions",
            json!({"channel": "note", "subject": "Both", "contact_ids": [a, b]}),
        )
        .await;
    let (call, both) = (id(&call.body), id(&both.body));

    let bad = t
        .post(
            tok,
            "/api/v1/contacts/merge",
            json!({"survivor_id": a, "merged_ids": [a]}),
        )
        .await;
    assert_eq!(bad.error_fields(), vec!["merged_ids[0]"]);
    let bad = t
        .post(
            tok,
            "/api/v1/contacts/merge",
            json!({"survivor_id": a, "merged_ids": [b], "choose": {"job_title": call}}),
        )
        .await;
    assert_eq!(bad.error_fields(), vec!["choose.job_title"]);

    let merged = t
        .post(
            tok,
            "/api/v1/contacts/merge",
            json!({"survivor_id": a, "merged_ids": [b], "choose": {"name": b}}),
        )
        .await;
    assert_eq!(merged.status, StatusCode::CREATED, "{}", merged.body);
    assert_eq!(merged.body["status"], "applied");
    assert_eq!(merged.body["report"]["links_moved"], 2);
    let merge = id(&merged.body);
    let survivor = t.get(tok, &format!("/api/v1/contacts/{a}")).await.body;
    assert_eq!(survivor["display_name"], "Alireza Rezaei");
    assert_eq!(survivor["job_title"], "Buyer");
    assert_eq!(survivor["external_id"], "crm-1");
    assert_eq!(survivor["emails"].as_array().unwrap().len(), 2);
    assert_eq!(survivor["phones"].as_array().unwrap().len(), 2);
    assert_eq!(survivor["tags"], json!(["vip", "fair-2026"]));
    assert_eq!(survivor["notes"], "Met at the fair\n\nPrefers Telegram");
    assert_eq!(
        t.get(tok, &format!("/api/v1/contacts/{b}")).await.status,
        StatusCode::NOT_FOUND
    );
    let moved = t
        .get(tok, &format!("/api/v1/interactions/{call}"))
        .await
        .body;
    assert_eq!(moved["contact_ids"], json!([a]));
    let moved = t
        .get(tok, &format!("/api/v1/interactions/{both}"))
        .await
        .body;
    assert_eq!(moved["contact_ids"], json!([a]));
    let history = t
        .get(tok, &format!("/api/v1/contacts/{a}/history"))
        .await
        .body;
    assert_eq!(history["items"][0]["action"], "merge");

    // Later edits to the survivor: a new phone and a new job title.
    let mut phones = survivor["phones"].as_array().unwrap().clone();
    phones.push(json!({"number": "+7 495 123 45 67", "kind": "work"}));
    let phones: Vec<Value> = phones
        .iter()
        .map(|p| json!({"number": p["number"], "kind": p["kind"], "primary": p["primary"].as_bool().unwrap_or(false)}))
        .collect();
    let edited = t
        .patch(
            tok,
            &format!("/api/v1/contacts/{a}"),
            json!({"job_title": "Head of purchasing", "phones": phones}),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);

    let undone = t
        .post(tok, &format!("/api/v1/merges/{merge}/undo"), json!({}))
        .await;
    assert_eq!(undone.status, StatusCode::OK, "{}", undone.body);
    assert_eq!(undone.body["status"], "undone");
    let kept = &undone.body["report"]["undo"]["changed_since_merge"];
    assert_eq!(kept, &json!([{"id": a, "fields": ["job_title", "phones"]}]));
    let back = t.get(tok, &format!("/api/v1/contacts/{a}")).await.body;
    assert_eq!(back["display_name"], "Ali Rezaei");
    assert_eq!(back["job_title"], "Head of purchasing");
    assert_eq!(back["notes"], "Met at the fair");
    assert_eq!(back["tags"], json!(["vip"]));
    assert_eq!(back["emails"], ali.body["emails"]);
    let numbers: Vec<&str> = back["phones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["e164"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["+989123456789", "+74951234567"]);
    let b_back = t.get(tok, &format!("/api/v1/contacts/{b}")).await;
    assert_eq!(b_back.status, StatusCode::OK);
    assert_eq!(b_back.body["emails"], alireza.body["emails"]);
    let call_back = t
        .get(tok, &format!("/api/v1/interactions/{call}"))
        .await
        .body;
    assert_eq!(call_back["contact_ids"], json!([b]));
    let both_back = t
        .get(tok, &format!("/api/v1/interactions/{both}"))
        .await
        .body;
    assert_eq!(both_back["contact_ids"], json!([a, b]));
    let again = t
        .post(tok, &format!("/api/v1/merges/{merge}/undo"), json!({}))
        .await;
    assert_eq!(again.error_fields(), vec!["merge"]);

    // "Not duplicates": the scan that grouped the two no longer does. A base of different people first, for the
    // engine to learn what unrelated records look like.
    t.add_different_people(tok).await;
    assert!(
        a_scan_proposes(&t, &a).await,
        "the engine should propose the pair"
    );
    let decided = t
        .post(
            tok,
            "/api/v1/contacts/not-duplicates",
            json!({"ids": [a, b]}),
        )
        .await;
    assert_eq!(decided.body["pairs"], 1, "{}", decided.body);
    assert!(
        !a_scan_proposes(&t, &a).await,
        "a pair said to be different was proposed again"
    );
}

async fn companies_merge_with_their_people_and_timeline(t: TestApp) {
    let tok = &t.owner_token;
    let bad = t
        .patch(
            tok,
            "/api/v1/workspace",
            json!({"auto_merge_confidence": 1.5}),
        )
        .await;
    assert_eq!(bad.error_fields(), vec!["auto_merge_confidence"]);
    let set = t
        .patch(
            tok,
            "/api/v1/workspace",
            json!({"auto_merge_confidence": 0.95}),
        )
        .await;
    assert_eq!(set.body["auto_merge_confidence"], 0.95);
    let off = t
        .patch(
            tok,
            "/api/v1/workspace",
            json!({"auto_merge_confidence": null}),
        )
        .await;
    assert!(off.body["auto_merge_confidence"].is_null(), "{}", off.body);
    let one = t
        .post(
            tok,
            "/api/v1/companies",
            json!({"name": "Pars Tejarat", "domain": "pars.example"}),
        )
        .await;
    let two = t
        .post(
            tok,
            "/api/v1/companies",
            json!({"name": "Pars Tejarat Co.", "industry": "Trade"}),
        )
        .await;
    let (one, two) = (id(&one.body), id(&two.body));
    let person = t
        .post(tok, "/api/v1/contacts", json!({"first_name": "Yasmin", "companies": [{"company_id": two, "role": "decision_maker"}]}))
        .await;
    let person = id(&person.body);
    let visit = t
        .post(
            tok,
            "/api/v1/interactions",
            json!({"channel": "visit", "company_id": two, "contact_ids": [person]}),
        )
        .await;
    let visit = id(&visit.body);
    let merged = t
        .post(
            tok,
            "/api/v1/companies/merge",
            json!({"survivor_id": one, "merged_ids": [two]}),
        )
        .await;
    assert_eq!(merged.status, StatusCode::CREATED, "{}", merged.body);
    let company = t.get(tok, &format!("/api/v1/companies/{one}")).await.body;
    assert_eq!(company["industry"], "Trade");
    assert_eq!(company["domain"], "pars.example");
    let p = t.get(tok, &format!("/api/v1/contacts/{person}")).await.body;
    assert_eq!(
        p["companies"],
        json!([{"company_id": one, "role": "decision_maker"}])
    );
    let v = t
        .get(tok, &format!("/api/v1/interactions/{visit}"))
        .await
        .body;
    assert_eq!(v["company_id"], one.as_str());
    let undone = t
        .post(
            tok,
            &format!("/api/v1/merges/{}/undo", id(&merged.body)),
            json!({}),
        )
        .await;
    assert_eq!(undone.status, StatusCode::OK, "{}", undone.body);
    let p = t.get(tok, &format!("/api/v1/contacts/{person}")).await.body;
    assert_eq!(
        p["companies"],
        json!([{"company_id": two, "role": "decision_maker"}])
    );
    let v = t
        .get(tok, &format!("/api/v1/interactions/{visit}"))
        .await
        .body;
    assert_eq!(v["company_id"], two.as_str());
    let company = t.get(tok, &format!("/api/v1/companies/{one}")).await.body;
    assert!(
        company.get("industry").is_none_or(Value::is_null),
        "{company}"
    );
}

/// A member merges two of their contacts; a call someone else logged with one of them, which the member cannot see,
/// moves to the survivor all the same (and back on undo), so that nothing points into the trash.
async fn links_the_merging_user_cannot_see_move_too(t: TestApp) {
    let member = t.user("rep@acme.test", Role::Member, Some("red")).await;
    let a = id(&t
        .post(
            &member,
            "/api/v1/contacts",
            json!({"first_name": "Oleg", "last_name": "Petrov"}),
        )
        .await
        .body);
    let b = id(&t
        .post(
            &member,
            "/api/v1/contacts?confirm=true",
            json!({"first_name": "Oleg", "last_name": "Petrov"}),
        )
        .await
        .body);
    let call = t
        .post(
            &t.owner_token,
            "/api/v1/interactions",
            json!({"channel": "call", "contact_ids": [b]}),
        )
        .await;
    let call = id(&call.body);
    let hidden = t
        .get(&member, &format!("/api/v1/interactions/{call}"))
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let merged = t
        .post(
            &member,
            "/api/v1/contacts/merge",
            json!({"survivor_id": a, "merged_ids": [b]}),
        )
        .await;
    assert_eq!(merged.status, StatusCode::CREATED, "{}", merged.body);
    let moved = t
        .get(&t.owner_token, &format!("/api/v1/interactions/{call}"))
        .await;
    assert_eq!(moved.body["contact_ids"], json!([a]));
    let undone = t
        .post(
            &member,
            &format!("/api/v1/merges/{}/undo", id(&merged.body)),
            json!({}),
        )
        .await;
    assert_eq!(undone.status, StatusCode::OK, "{}", undone.body);
    let back = t
        .get(&t.owner_token, &format!("/api/v1/interactions/{call}"))
        .await;
    assert_eq!(back.body["contact_ids"], json!([b]));
}

on_both_backends!(
    contacts_merge_keep_everything_and_undo_exactly,
    links_the_merging_user_cannot_see_move_too,
    companies_merge_with_their_people_and_timeline,
);
