//! Duplicates through the API, on both backends: a scan runs as a background job with progress, leaves a review
//! queue of explained groups, and each group is merged (and undone) or dismissed there; a scan with `merge` merges
//! the confident groups itself; creating a probable duplicate is refused with the candidates unless confirmed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::*;
use temas_core::access::Role;

/// The group holding the contact with this email, from a page of the queue.
fn group_of<'a>(page: &'a Value, email: &str) -> &'a Value {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| {
            g["members"].as_array().unwrap().iter().any(|m| {
                m["record"]["emails"]
                    .as_array()
                    .is_some_and(|e| e.iter().any(|e| e["address"] == email))
            })
        })
        .unwrap_or_else(|| panic!("no group with {email} in {page}"))
}

/// Creates a contact even when it probably duplicates one, as a client does after a 409; returns its id.
async fn contact_with(t: &TestApp, tok: &str, body: Value) -> String {
    t.contact_anyway(tok, body).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn scan_review_merge_undo_and_dismiss(t: TestApp) {
    let tok = &t.owner_token;
    let base = t.add_different_people(tok).await;
    let maryam = contact_with(&t, tok, json!({"first_name": "Maryam", "last_name": "Ahmadi",
        "emails": [{"address": "maryam.ahmadi@example.ir"}], "phones": [{"number": "0912 000 1111"}]})).await;
    let mariam = contact_with(
        &t,
        tok,
        json!({"first_name": "Mariam", "last_name": "Ahmadi", "job_title": "CFO",
        "emails": [{"address": "Maryam.Ahmadi@example.ir"}]}),
    )
    .await;
    contact_with(&t, tok, json!({"first_name": "Ivan", "last_name": "Sokolov",
        "emails": [{"address": "ivan.sokolov@example.ru"}], "phones": [{"number": "+7 916 123 4567"}],
        "birth_date": "1980-04-12"})).await;
    contact_with(
        &t,
        tok,
        json!({"first_name": "Иван", "last_name": "Соколов",
        "phones": [{"number": "8 (916) 123-45-67"}], "birth_date": "1980-04-12"}),
    )
    .await;

    // Checked before it is queued: the entity, and merging without a confidence to merge at.
    let bad = t
        .post(
            tok,
            "/api/v1/dedupe/scans",
            json!({"entity": "deals", "merge": true}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.error_fields(), vec!["entity", "merge"]);

    let done = t.scan(tok, json!({})).await;
    let progress = &done["progress"];
    assert_eq!(progress["records"], 84, "{done}");
    assert_eq!(progress["records_read"], 84, "{done}");
    assert!(progress["groups"].as_u64().unwrap() >= 2, "{done}");
    let id = done["id"].as_str().unwrap().to_owned();
    let queue = t
        .get(tok, &format!("/api/v1/dedupe/scans/{id}/groups"))
        .await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    let confidences: Vec<f64> = queue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["confidence"].as_f64().unwrap())
        .collect();
    assert!(
        confidences.windows(2).all(|w| w[0] >= w[1]),
        "{confidences:?}"
    );

    // Each group is explained field by field: the shared email is evidence for, in bits.
    let ahmadi = group_of(&queue.body, "maryam.ahmadi@example.ir").clone();
    assert_eq!(ahmadi["status"], "open");
    let members: Vec<&str> = ahmadi["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        members,
        vec![maryam.as_str(), mariam.as_str()],
        "oldest first"
    );
    let email = ahmadi["pairs"][0]["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "email")
        .unwrap();
    assert_eq!(email["level"], "same");
    assert!(email["bits"].as_f64().unwrap() > 0.0, "{ahmadi}");
    let sokolov = group_of(&queue.body, "ivan.sokolov@example.ru").clone();

    // Another user cannot follow the owner's scan.
    let rep = t.user("rep@acme.test", Role::Member, Some("North")).await;
    let theirs = t.get(&rep, &format!("/api/v1/dedupe/scans/{id}")).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);

    // Merge the first group into the newer record, keeping its job title; the group is merged, its other member
    // in the trash; undo makes it open again.
    let seq = ahmadi["seq"].as_i64().unwrap();
    let outsider = t
        .post(
            tok,
            &format!("/api/v1/dedupe/scans/{id}/groups/{seq}/merge"),
            json!({"survivor_id": base["items"][0]["id"]}),
        )
        .await;
    assert_eq!(
        outsider.error_fields(),
        vec!["survivor_id"],
        "{}",
        outsider.body
    );
    let merged = t
        .post(
            tok,
            &format!("/api/v1/dedupe/scans/{id}/groups/{seq}/merge"),
            json!({"survivor_id": mariam}),
        )
        .await;
    assert_eq!(merged.status, StatusCode::CREATED, "{}", merged.body);
    assert_eq!(merged.body["merged_ids"], json!([maryam]));
    let after = t
        .get(tok, &format!("/api/v1/dedupe/scans/{id}/groups/{seq}"))
        .await;
    assert_eq!(after.body["status"], "merged", "{}", after.body);
    assert_eq!(after.body["merge_id"], merged.body["id"]);
    let states: Vec<&str> = after.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, vec!["trashed", "live"]);
    let survivor = t.get(tok, &format!("/api/v1/contacts/{mariam}")).await;
    assert_eq!(survivor.body["job_title"], "CFO");
    assert_eq!(survivor.body["phones"].as_array().unwrap().len(), 1);
    let merge = merged.body["id"].as_str().unwrap();
    let undone = t
        .post(tok, &format!("/api/v1/merges/{merge}/undo"), json!({}))
        .await;
    assert_eq!(undone.status, StatusCode::OK, "{}", undone.body);
    let reopened = t
        .get(tok, &format!("/api/v1/dedupe/scans/{id}/groups/{seq}"))
        .await;
    assert_eq!(reopened.body["status"], "open", "{}", reopened.body);

    // Dismissed: the group leaves the open queue, and the next scan does not propose the pair.
    let seq = sokolov["seq"].as_i64().unwrap();
    let dismissed = t
        .post(
            tok,
            &format!("/api/v1/dedupe/scans/{id}/groups/{seq}/dismiss"),
            json!({}),
        )
        .await;
    assert_eq!(dismissed.status, StatusCode::OK, "{}", dismissed.body);
    assert_eq!(dismissed.body["status"], "dismissed");
    let open = t
        .get(
            tok,
            &format!("/api/v1/dedupe/scans/{id}/groups?status=open"),
        )
        .await;
    assert!(
        open.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["seq"] != seq),
        "{}",
        open.body
    );
    let next = t.scan(tok, json!({"entity": "contacts"})).await;
    let next_id = next["id"].as_str().unwrap();
    let next_queue = t
        .get(
            tok,
            &format!("/api/v1/dedupe/scans/{next_id}/groups?limit=100"),
        )
        .await;
    let proposed = next_queue.body.to_string();
    assert!(!proposed.contains("ivan.sokolov@example.ru"), "{proposed}");
    assert!(proposed.contains("maryam.ahmadi@example.ir"), "{proposed}");

    // The list shows both scans, newest first.
    let scans = t.get(tok, "/api/v1/dedupe/scans").await;
    assert_eq!(scans.body["items"][0]["id"], next["id"]);
    assert_eq!(scans.body["items"][1]["id"], done["id"]);
}

async fn a_scan_with_merge_merges_the_confident_groups(t: TestApp) {
    let tok = &t.owner_token;
    t.add_different_people(tok).await;
    let first = contact_with(&t, tok, json!({"first_name": "Elif", "last_name": "Şahin",
        "emails": [{"address": "elif.sahin@example.com.tr"}], "phones": [{"number": "0532 111 2233"}],
        "birth_date": "1990-02-03"})).await;
    let second = contact_with(&t, tok, json!({"first_name": "ELİF", "last_name": "Sahin",
        "emails": [{"address": "elif.sahin@example.com.tr"}], "phones": [{"number": "+90 532 111 22 33"}],
        "birth_date": "1990-02-03"})).await;
    let set = t
        .patch(
            tok,
            "/api/v1/workspace",
            json!({"auto_merge_confidence": 0.9}),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let done = t.scan(tok, json!({"merge": true})).await;
    assert!(done["progress"]["merged"].as_u64().unwrap() >= 1, "{done}");
    assert_eq!(done["progress"]["merge_failed"], 0, "{done}");
    let kept = t.get(tok, &format!("/api/v1/contacts/{first}")).await;
    assert_eq!(kept.status, StatusCode::OK, "the oldest record survives");
    let gone = t.get(tok, &format!("/api/v1/contacts/{second}")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND, "{}", gone.body);
    let id = done["id"].as_str().unwrap();
    let merged = t
        .get(
            tok,
            &format!("/api/v1/dedupe/scans/{id}/groups?status=merged"),
        )
        .await;
    let group = group_of(&merged.body, "elif.sahin@example.com.tr");
    assert!(group["confidence"].as_f64().unwrap() >= 0.9);
    assert!(group["merge_id"].is_string());
}

async fn a_probable_duplicate_is_refused_with_its_candidates_unless_confirmed(t: TestApp) {
    let tok = &t.owner_token;
    t.add_different_people(tok).await;
    let maryam = t
        .contact(tok, json!({"first_name": "Maryam", "last_name": "Ahmadi",
            "emails": [{"address": "maryam.ahmadi@example.ir"}], "phones": [{"number": "0912 000 1111"}]}))
        .await;
    let again = json!({"first_name": "Mariam", "last_name": "Ahmadi",
        "emails": [{"address": "Maryam.Ahmadi@Example.ir"}]});
    let refused = t.post(tok, "/api/v1/contacts", again.clone()).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(refused.body["code"], "probable_duplicate");
    let candidate = &refused.body["candidates"][0];
    assert_eq!(candidate["id"], maryam["id"]);
    assert_eq!(candidate["record"]["display_name"], "Maryam Ahmadi");
    assert!(
        candidate["probability"].as_f64().unwrap() >= 0.5,
        "{candidate}"
    );
    assert!(
        candidate["contributions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "email" && c["bits"].as_f64().unwrap() > 0.0),
        "{candidate}"
    );
    // Nothing was written; confirmed, it is.
    let list = t
        .get(tok, "/api/v1/contacts?filter=last_name:eq:Ahmadi")
        .await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        list.body
    );
    t.contact_anyway(tok, again).await;

    // Someone new, or a namesake with nothing else in common, goes straight in.
    t.contact(
        tok,
        json!({"first_name": "Olga", "last_name": "Ivanova",
        "emails": [{"address": "olga@example.ru"}]}),
    )
    .await;
    t.contact(
        tok,
        json!({"first_name": "Maryam", "last_name": "Karimi",
        "emails": [{"address": "m.karimi@example.org"}], "phones": [{"number": "0935 777 8899"}]}),
    )
    .await;

    // Companies are checked too: the same domain.
    t.post(
        tok,
        "/api/v1/companies",
        json!({"name": "Acme Trading", "domain": "acme-trading.example"}),
    )
    .await;
    let company = t
        .post(
            tok,
            "/api/v1/companies",
            json!({"name": "ACME Trading Ltd", "domain": "https://www.acme-trading.example/"}),
        )
        .await;
    assert_eq!(company.status, StatusCode::CONFLICT, "{}", company.body);

    // A member never learns of records out of their view: the owner's Maryam is not a candidate for them.
    let rep = t.user("rep@acme.test", Role::Member, Some("North")).await;
    let theirs = t
        .post(
            &rep,
            "/api/v1/contacts",
            json!({"first_name": "Maryam", "last_name": "Ahmadi",
            "emails": [{"address": "maryam.ahmadi@example.ir"}]}),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::CREATED, "{}", theirs.body);
}

on_both_backends!(
    scan_review_merge_undo_and_dismiss,
    a_scan_with_merge_merges_the_confident_groups,
    a_probable_duplicate_is_refused_with_its_candidates_unless_confirmed,
);
