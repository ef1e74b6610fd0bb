//! HTTP API stories against the real server on a random loopback port, on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::*;
use temas_core::access::Role;

async fn health_and_the_openapi_document_cover_every_endpoint(t: TestApp) {
    assert_eq!(t.get("", "/healthz").await.status, StatusCode::OK);
    assert_eq!(t.get("", "/readyz").await.status, StatusCode::OK);
    let doc = t.get("", "/api/v1/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc.body["paths"].as_object().unwrap();
    assert!(paths.len() >= 20, "{}", paths.len());
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let concrete = path.replace("{id}", "01a203b4-b514-72e6-9246-840a26702ed6");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = t
                .call("not-a-token", m, &concrete, Some(json!({})), &[])
                .await;
            let public = ["/healthz", "/readyz", "/api/v1/openapi.json"].contains(&path.as_str());
            let expected = if public {
                StatusCode::OK
            } else {
                StatusCode::UNAUTHORIZED
            };
            assert_eq!(
                r.status, expected,
                "{method} {path} is documented but answers {}",
                r.status
            );
        }
    }
    assert!(doc.body["components"]["schemas"]["Contact"].is_object());
}

async fn contacts_are_created_read_and_normalised(t: TestApp) {
    let tok = &t.owner_token;
    let r = t.post(tok, "/api/v1/contacts", ali()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(r.headers["etag"], "\"1\"");
    assert_eq!(
        r.headers["location"],
        format!("/api/v1/contacts/{id}").as_str()
    );
    assert_eq!(r.body["display_name"], "علی کریمی");
    assert_eq!(r.body["phones"][0]["number"], "0912 345 6789");
    assert_eq!(r.body["phones"][0]["e164"], "+989123456789");
    assert_eq!(r.body["emails"][0]["address"], "Ali.Karimi@Example.com");
    assert_eq!(r.body["emails"][0]["normalized"], "ali.karimi@example.com");
    let mut got = t.get(tok, &format!("/api/v1/contacts/{id}")).await;
    assert_eq!(got.status, StatusCode::OK);
    // Read by itself, a contact also carries its order metrics.
    let metrics = got.body.as_object_mut().unwrap().remove("metrics").unwrap();
    assert_eq!(metrics["orders_count"], 0);
    assert_eq!(got.body, r.body);
}

async fn invalid_input_names_every_bad_field(t: TestApp) {
    let r = t
        .post(&t.owner_token, "/api/v1/contacts", json!({"emails": [{"address": "nope"}], "phones": [{"number": "abc"}], "birth_date": "2001-02-30"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    assert_eq!(r.body["code"], "validation_failed");
    let fields = r.error_fields();
    for f in [
        "emails[0].address",
        "phones[0].number",
        "birth_date",
        "display_name",
    ] {
        assert!(fields.contains(&f.to_owned()), "{f} not in {fields:?}");
    }
    let unknown = t
        .post(
            &t.owner_token,
            "/api/v1/contacts",
            json!({"first_name": "A", "nickname": "x"}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nickname")
    );
}

async fn patch_checks_the_version_and_records_history(t: TestApp) {
    let tok = &t.owner_token;
    let c = t.contact(tok, ali()).await;
    let path = format!("/api/v1/contacts/{}", c["id"].as_str().unwrap());
    let stale = t
        .call(
            tok,
            Method::PATCH,
            &path,
            Some(json!({"job_title": "CEO"})),
            &[("If-Match", "\"7\"")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.body["code"], "version_mismatch");
    let ok = t
        .call(
            tok,
            Method::PATCH,
            &path,
            Some(json!({"job_title": "CEO", "tags": null})),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["version"], 2);
    assert_eq!(ok.body["job_title"], "CEO");
    assert_eq!(ok.body["tags"], json!([]));
    assert_eq!(
        ok.body["emails"][0]["normalized"], "ali.karimi@example.com",
        "untouched fields stay"
    );
    let history = t.get(tok, &format!("{path}/history")).await;
    let entries = history.body["items"].as_array().unwrap();
    assert_eq!(entries[0]["action"], "update");
    let fields: Vec<&str> = entries[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["job_title", "tags"]);
    assert_eq!(entries[1]["action"], "create");
    let created: Vec<(&str, &Value)> = entries[1]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["field"].as_str().unwrap(), &c["new"]))
        .collect();
    assert!(
        created.contains(&("tags", &json!(["VIP"]))),
        "the creation shows the values as first written: {created:?}"
    );
    assert!(
        !created.iter().any(|(f, _)| *f == "job_title"),
        "a field added later is not part of the creation"
    );
}

async fn idempotency_keys_replay_the_first_answer(t: TestApp) {
    let tok = &t.owner_token;
    let key = [("Idempotency-Key", "order-42")];
    let first = t
        .call(
            tok,
            Method::POST,
            "/api/v1/contacts",
            Some(json!({"first_name": "Once"})),
            &key,
        )
        .await;
    let again = t
        .call(
            tok,
            Method::POST,
            "/api/v1/contacts",
            Some(json!({"first_name": "Once"})),
            &key,
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(first.body["id"], again.body["id"]);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    let other = t
        .call(
            tok,
            Method::POST,
            "/api/v1/contacts",
            Some(json!({"first_name": "Twice"})),
            &key,
        )
        .await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other.body["code"], "idempotency_key_reused");
    let list = t
        .get(tok, "/api/v1/contacts?filter=first_name:eq:Once")
        .await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
}

async fn custom_fields_are_validated_and_filterable(t: TestApp) {
    let tok = &t.owner_token;
    let def = t.post(tok, "/api/v1/custom-fields", json!({"entity": "contact", "key": "tier", "label": "Tier", "kind": "single_select", "options": ["gold", "silver"]})).await;
    assert_eq!(def.status, StatusCode::CREATED, "{}", def.body);
    let bad = t
        .post(
            tok,
            "/api/v1/contacts",
            json!({"first_name": "A", "custom": {"tier": "bronze"}}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_fields(), vec!["custom.tier"]);
    let gold = t
        .contact(
            tok,
            json!({"first_name": "Gold", "custom": {"tier": "gold"}}),
        )
        .await;
    t.contact(
        tok,
        json!({"first_name": "Silver", "custom": {"tier": "silver"}}),
    )
    .await;
    let r = t
        .get(tok, "/api/v1/contacts?filter=custom.tier:eq:gold")
        .await;
    let ids: Vec<&Value> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["id"])
        .collect();
    assert_eq!(ids, vec![&gold["id"]]);
    let bad_filter = t.get(tok, "/api/v1/contacts?filter=nope:eq:1").await;
    assert_eq!(bad_filter.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_filter.error_fields(), vec!["filter"]);
}

async fn fields_used_in_filters_can_be_indexed(t: TestApp) {
    let tok = &t.owner_token;
    t.post(
        tok,
        "/api/v1/custom-fields",
        json!({"entity": "contact", "key": "tier", "label": "Tier", "kind": "text"}),
    )
    .await;
    for (name, lang, tier) in [
        ("Zeynep", "tr", "gold"),
        ("Ali", "fa", "gold"),
        ("Ayşe", "tr", "gold"),
        ("Oleg", "ru", ""),
    ] {
        t.contact(
            tok,
            json!({"first_name": name, "language": lang, "custom": {"tier": tier}}),
        )
        .await;
    }
    let bad = t
        .patch(tok, "/api/v1/workspace", json!({"indexed_fields": {"contacts": ["language", "email", "custom.nope", "shoe_size"]}}))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(
        bad.error_fields(),
        vec![
            "indexed_fields.contacts[1]",
            "indexed_fields.contacts[2]",
            "indexed_fields.contacts[3]"
        ]
    );
    let ok = t
        .patch(tok, "/api/v1/workspace", json!({"indexed_fields": {"contacts": ["language", "language,custom.tier"], "companies": ["industry"]}}))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(
        ok.body["indexed_fields"]["contacts"],
        json!(["language", "language,custom.tier"])
    );
    // Setting them again is harmless, and lists read through the new indexes give the same answers.
    let again = t
        .patch(
            tok,
            "/api/v1/workspace",
            json!({"indexed_fields": {"contacts": ["language", "custom.tier"]}}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let r = t
        .get(
            tok,
            "/api/v1/contacts?sort=name&filter=language:eq:tr&filter=custom.tier:eq:gold",
        )
        .await;
    let names: Vec<&str> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["first_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Ayşe", "Zeynep"]);
}

async fn lists_page_by_cursor_without_gaps(t: TestApp) {
    let tok = &t.owner_token;
    let items: Vec<Value> = (0..25)
        .map(|i| json!({"first_name": format!("Person {i:02}")}))
        .collect();
    let bulk = t
        .post(tok, "/api/v1/contacts/bulk", json!({"items": items}))
        .await;
    assert_eq!(bulk.status, StatusCode::OK, "{}", bulk.body);
    let mut seen = Vec::new();
    let mut path = "/api/v1/contacts?limit=10&sort=name".to_owned();
    loop {
        let page = t.get(tok, &path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        seen.extend(
            page.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["display_name"].as_str().unwrap().to_owned()),
        );
        match page.body["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/contacts?limit=10&sort=name&cursor={c}"),
            None => break,
        }
    }
    let expected: Vec<String> = (0..25).map(|i| format!("Person {i:02}")).collect();
    assert_eq!(seen, expected);
}

async fn bulk_answers_per_item_and_upserts_by_external_id(t: TestApp) {
    let tok = &t.owner_token;
    let items = json!({"items": [
        {"first_name": "One", "external_id": "shop-1"},
        {"first_name": "Bad", "emails": [{"address": "broken"}]},
        {"first_name": "Two", "external_id": "shop-2"},
        {"first_name": "Dup", "external_id": "shop-2"}
    ]});
    let r = t.post(tok, "/api/v1/contacts/bulk", items).await;
    let statuses: Vec<&str> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["created", "error", "created", "error"]);
    assert_eq!(
        r.body["items"][1]["errors"][0]["field"],
        "emails[0].address"
    );
    let again = t
        .post(
            tok,
            "/api/v1/contacts/bulk",
            json!({"items": [{"first_name": "Uno", "external_id": "shop-1"}]}),
        )
        .await;
    assert_eq!(again.body["items"][0]["status"], "updated");
    assert_eq!(again.body["items"][0]["id"], r.body["items"][0]["id"]);
    let got = t
        .get(
            tok,
            &format!(
                "/api/v1/contacts/{}",
                r.body["items"][0]["id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(got.body["first_name"], "Uno");
    assert_eq!(got.body["version"], 2);
    let path = format!(
        "/api/v1/contacts/{}",
        r.body["items"][2]["id"].as_str().unwrap()
    );
    assert_eq!(
        t.call(tok, Method::DELETE, &path, None, &[]).await.status,
        StatusCode::OK
    );
    let revived = t
        .post(
            tok,
            "/api/v1/contacts/bulk",
            json!({"items": [{"first_name": "Dos", "external_id": "shop-2"}]}),
        )
        .await;
    assert_eq!(
        revived.body["items"][0]["status"], "updated",
        "{}",
        revived.body
    );
    let back = t.get(tok, &path).await;
    assert_eq!(
        (
            back.status,
            back.body["first_name"].as_str(),
            back.body["version"].as_i64()
        ),
        (StatusCode::OK, Some("Dos"), Some(4))
    );
    let too_many: Vec<Value> = (0..1001).map(|_| json!({"first_name": "x"})).collect();
    assert_eq!(
        t.post(tok, "/api/v1/contacts/bulk", json!({"items": too_many}))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

async fn search_matches_across_scripts_and_phone_formats(t: TestApp) {
    let tok = &t.owner_token;
    let c = t.contact(tok, ali()).await;
    let id = c["id"].as_str().unwrap().to_owned();
    t.contact(tok, json!({"first_name": "Иван", "last_name": "Петров"}))
        .await;
    t.contact(tok, json!({"first_name": "İsmail", "last_name": "Şahin"}))
        .await;
    for q in [
        "علي",
        "كريمي",
        "علی کریمی",
        "ali.kar",
        "0912 345",
        "+98 912 345 6789",
        "۰۹۱۲۳۴۵۶۷۸۹",
        "3456789",
    ] {
        assert_eq!(t.search_ids(tok, q).await.first(), Some(&id), "{q}");
    }
    assert_eq!(t.search_ids(tok, "ivan").await.len(), 1);
    assert_eq!(t.search_ids(tok, "ISMAIL").await.len(), 1);
    assert!(t.search_ids(tok, "zzzz").await.is_empty());
    let company = t
        .post(
            tok,
            "/api/v1/companies",
            json!({"name": "Pars Sanat", "domain": "https://www.parssanat.ir"}),
        )
        .await;
    assert_eq!(company.status, StatusCode::CREATED, "{}", company.body);
    let r = t.get(tok, "/api/v1/search?q=pars").await;
    assert_eq!(r.body["items"][0]["entity"], "company");
}

async fn a_member_cannot_reach_another_teams_records_by_any_path(t: TestApp) {
    let red = t.user("red@acme.test", Role::Member, Some("red")).await;
    let blue = t.user("blue@acme.test", Role::Member, Some("blue")).await;
    let red_manager = t
        .user("redboss@acme.test", Role::Manager, Some("red"))
        .await;
    let c = t.contact(&red, json!({"first_name": "Hidden", "last_name": "Customer", "external_id": "crm-9", "emails": [{"address": "hidden@red.test"}]})).await;
    let id = c["id"].as_str().unwrap();
    let path = format!("/api/v1/contacts/{id}");
    let call = t
        .post(
            &red,
            "/api/v1/interactions",
            json!({"channel": "call", "contact_ids": [id], "subject": "hello"}),
        )
        .await;
    assert_eq!(call.status, StatusCode::CREATED, "{}", call.body);

    assert_eq!(t.get(&blue, &path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        t.patch(&blue, &path, json!({"first_name": "Mine"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.call(&blue, Method::DELETE, &path, None, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get(&blue, &format!("{path}/history")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get(&blue, &format!("{path}/timeline")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get(
            &blue,
            &format!("/api/v1/interactions/{}", call.body["id"].as_str().unwrap())
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        t.get(&blue, "/api/v1/contacts").await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        t.get(&blue, "/api/v1/contacts?filter=email:eq:hidden@red.test")
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(t.search_ids(&blue, "hidden").await.is_empty());
    let steal = t
        .post(
            &blue,
            "/api/v1/contacts/bulk",
            json!({"items": [{"first_name": "Mine", "external_id": "crm-9"}]}),
        )
        .await;
    assert_eq!(steal.body["items"][0]["status"], "error");
    let link = t
        .post(
            &blue,
            "/api/v1/interactions",
            json!({"channel": "note", "contact_ids": [id]}),
        )
        .await;
    assert_eq!(link.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(link.error_fields(), vec!["contact_ids"]);

    assert_eq!(t.get(&red_manager, &path).await.status, StatusCode::OK);
    assert_eq!(t.search_ids(&red_manager, "hidden").await.len(), 1);
    assert_eq!(t.get(&t.owner_token, &path).await.status, StatusCode::OK);
    let untouched = t.get(&red, &path).await;
    assert_eq!(untouched.body["first_name"], "Hidden");
    assert_eq!(untouched.body["version"], 1);
}

async fn each_roles_scope_is_a_workspace_setting(t: TestApp) {
    let a = t.user("a@acme.test", Role::Member, Some("north")).await;
    let b = t.user("b@acme.test", Role::Member, Some("north")).await;
    let c = t.contact(&a, json!({"first_name": "Teammate's"})).await;
    let path = format!("/api/v1/contacts/{}", c["id"].as_str().unwrap());
    assert_eq!(
        t.get(&b, &path).await.status,
        StatusCode::OK,
        "members see their team's records by default"
    );
    let denied = t.patch(&b, "/api/v1/workspace", json!({"visibility": {"owner": "all", "admin": "all", "manager": "team", "member": "own", "marketer": "all", "viewer": "team"}})).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let r = t.patch(&t.owner_token, "/api/v1/workspace", json!({"visibility": {"owner": "all", "admin": "all", "manager": "team", "member": "own", "marketer": "all", "viewer": "team"}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["visibility"]["member"], "own");
    assert_eq!(
        t.get(&b, &path).await.status,
        StatusCode::NOT_FOUND,
        "now members see only their own"
    );
    assert_eq!(t.get(&a, &path).await.status, StatusCode::OK);
    let bad = t
        .patch(
            &t.owner_token,
            "/api/v1/workspace",
            json!({"default_region": "XX", "default_currency": "rial"}),
        )
        .await;
    assert_eq!(
        bad.error_fields(),
        vec!["default_region", "default_currency"]
    );
}

async fn viewers_read_but_do_not_write(t: TestApp) {
    let viewer = t.user("viewer@acme.test", Role::Viewer, None).await;
    let r = t
        .post(&viewer, "/api/v1/contacts", json!({"first_name": "No"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body["code"], "forbidden");
    let def = t
        .post(
            &viewer,
            "/api/v1/custom-fields",
            json!({"entity": "contact", "key": "x", "label": "X", "kind": "text"}),
        )
        .await;
    assert_eq!(def.status, StatusCode::FORBIDDEN);
}

async fn interactions_fill_the_timeline_newest_first(t: TestApp) {
    let tok = &t.owner_token;
    let c = t.contact(tok, ali()).await;
    let id = c["id"].as_str().unwrap();
    for (i, when) in [
        "2025-01-01T10:00:00Z",
        "2025-03-01T10:00:00Z",
        "2025-02-01T10:00:00Z",
    ]
    .iter()
    .enumerate()
    {
        let r = t.post(tok, "/api/v1/interactions", json!({"channel": "call", "direction": "outbound", "occurred_at": when, "duration_seconds": 60, "subject": format!("call {i}"), "outcome": "reached", "contact_ids": [id]})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let page = t
        .get(tok, &format!("/api/v1/contacts/{id}/timeline?limit=2"))
        .await;
    let subjects: Vec<&str> = page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, vec!["call 1", "call 2"]);
    let next = page.body["next_cursor"].as_str().unwrap();
    let rest = t
        .get(
            tok,
            &format!("/api/v1/contacts/{id}/timeline?limit=2&cursor={next}"),
        )
        .await;
    assert_eq!(rest.body["items"][0]["subject"], "call 0");
    assert!(rest.body["next_cursor"].is_null());
    let note = t
        .post(
            tok,
            "/api/v1/interactions",
            json!({"channel": "note", "subject": "a note", "contact_ids": [id]}),
        )
        .await;
    assert_eq!(note.status, StatusCode::CREATED, "{}", note.body);
    let notes = t
        .get(tok, &format!("/api/v1/contacts/{id}/timeline?channel=note"))
        .await;
    let subjects: Vec<&str> = notes.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, vec!["a note"]);
    let bad = t
        .post(
            tok,
            "/api/v1/interactions",
            json!({"channel": "fax", "contact_ids": [id]}),
        )
        .await;
    assert_eq!(bad.error_fields(), vec!["channel"]);
}

async fn trash_and_restore(t: TestApp) {
    let tok = &t.owner_token;
    let c = t.contact(tok, json!({"first_name": "Temp"})).await;
    let path = format!("/api/v1/contacts/{}", c["id"].as_str().unwrap());
    let del = t
        .call(tok, Method::DELETE, &path, None, &[("If-Match", "\"1\"")])
        .await;
    assert_eq!(del.status, StatusCode::OK);
    assert!(del.body["deleted_at"].is_string());
    assert_eq!(t.get(tok, &path).await.status, StatusCode::NOT_FOUND);
    // Asked for by name, a trashed contact reads back as it was trashed, without the customer's numbers.
    let trashed = t.get(tok, &format!("{path}?include_deleted=true")).await;
    assert_eq!(trashed.status, StatusCode::OK);
    assert_eq!(trashed.body["first_name"], "Temp");
    assert!(trashed.body["deleted_at"].is_string());
    assert!(trashed.body.get("metrics").is_none_or(|m| m.is_null()));
    assert_eq!(
        t.get(tok, "/api/v1/contacts?deleted=true").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let restored = t.post(tok, &format!("{path}/restore"), json!({})).await;
    assert_eq!(restored.status, StatusCode::OK);
    let back = t.get(tok, &path).await;
    assert_eq!(back.status, StatusCode::OK);
    assert_eq!(back.body["metrics"]["orders_count"], 0);
}

async fn users_set_their_language_calendar_digits_and_zone(t: TestApp) {
    let tok = &t.owner_token;
    let ok = t.patch(tok, "/api/v1/users/me", json!({"language": "fa", "calendar": "persian", "digits": "persian", "time_zone": "Asia/Tehran"})).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(
        t.get(tok, "/api/v1/users/me").await.body["calendar"],
        "persian"
    );
    let bad = t
        .patch(
            tok,
            "/api/v1/users/me",
            json!({"language": "xx", "time_zone": "Nowhere"}),
        )
        .await;
    assert_eq!(bad.error_fields(), vec!["language", "time_zone"]);

    // The workspace chooses what new users start with; existing users keep theirs.
    let defaults = t
        .patch(
            tok,
            "/api/v1/workspace",
            json!({"user_defaults": {"language": "tr", "time_zone": "Europe/Istanbul"}}),
        )
        .await;
    assert_eq!(defaults.status, StatusCode::OK, "{}", defaults.body);
    assert_eq!(
        defaults.body["user_defaults"],
        json!({"language": "tr", "calendar": "gregorian", "digits": "latin", "time_zone": "Europe/Istanbul"})
    );
    let newcomer = t.user("ayse@acme.test", Role::Member, None).await;
    let me = t.get(&newcomer, "/api/v1/users/me").await;
    assert_eq!(me.body["language"], "tr");
    assert_eq!(me.body["time_zone"], "Europe/Istanbul");
    assert_eq!(t.get(tok, "/api/v1/users/me").await.body["language"], "fa");
    let bad = t
        .patch(
            tok,
            "/api/v1/workspace",
            json!({"user_defaults": {"calendar": "julian"}}),
        )
        .await;
    assert_eq!(bad.error_fields(), vec!["user_defaults.calendar"]);
}

async fn admins_change_roles_and_teams_and_the_workspace_keeps_an_owner(t: TestApp) {
    let owner = &t.owner_token;
    let admin = t.user("admin@acme.test", Role::Admin, None).await;
    let member = t.user("mina@acme.test", Role::Member, Some("red")).await;
    let mina = t.get(&member, "/api/v1/users/me").await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/users/{mina}");
    let moved = t
        .patch(&admin, &path, json!({"role": "manager", "team": "blue"}))
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.body["role"], "manager");
    let me = t.get(&member, "/api/v1/users/me").await;
    assert_eq!(me.body["role"], "manager", "open sessions take the change");
    assert_eq!(me.body["team_id"], moved.body["team_id"]);
    let solo = t.patch(&admin, &path, json!({"team": ""})).await;
    assert_eq!(solo.body["team_id"], serde_json::Value::Null);

    assert_eq!(
        t.patch(&admin, &path, json!({"role": "owner"}))
            .await
            .status,
        StatusCode::FORBIDDEN,
        "only an owner makes owners"
    );
    assert_eq!(
        t.patch(&member, &path, json!({"role": "admin"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let owner_id = t.get(owner, "/api/v1/users/me").await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let last = t
        .patch(
            owner,
            &format!("/api/v1/users/{owner_id}"),
            json!({"role": "admin"}),
        )
        .await;
    assert_eq!(last.error_fields(), ["role"]);
    assert_eq!(
        t.patch(
            owner,
            "/api/v1/users/01a203b4-b514-72e6-9246-840a26702ed6",
            json!({"role": "viewer"})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

async fn companies_link_people_and_show_their_timeline(t: TestApp) {
    let tok = &t.owner_token;
    let co = t
        .post(
            tok,
            "/api/v1/companies",
            json!({"name": "Anadolu Ticaret", "industry": "retail", "size": "11-50"}),
        )
        .await;
    let co_id = co.body["id"].as_str().unwrap();
    let person = t.contact(tok, json!({"first_name": "Zeynep", "companies": [{"company_id": co_id, "role": "decision_maker"}]})).await;
    assert_eq!(person["companies"][0]["role"], "decision_maker");
    let linked = t
        .get(
            tok,
            &format!("/api/v1/contacts?filter=company_id:eq:{co_id}"),
        )
        .await;
    assert_eq!(linked.body["items"][0]["id"], person["id"]);
    t.post(
        tok,
        "/api/v1/interactions",
        json!({"channel": "meeting", "company_id": co_id, "contact_ids": [person["id"]]}),
    )
    .await;
    let timeline = t
        .get(tok, &format!("/api/v1/companies/{co_id}/timeline"))
        .await;
    assert_eq!(timeline.body["items"].as_array().unwrap().len(), 1);
    let bad_link = t.post(tok, "/api/v1/contacts", json!({"first_name": "X", "companies": [{"company_id": "01a203b4-b514-72e6-9246-840a26702ed6"}]})).await;
    assert_eq!(bad_link.error_fields(), vec!["companies"]);
}

on_both_backends!(
    health_and_the_openapi_document_cover_every_endpoint,
    contacts_are_created_read_and_normalised,
    invalid_input_names_every_bad_field,
    patch_checks_the_version_and_records_history,
    idempotency_keys_replay_the_first_answer,
    custom_fields_are_validated_and_filterable,
    fields_used_in_filters_can_be_indexed,
    lists_page_by_cursor_without_gaps,
    bulk_answers_per_item_and_upserts_by_external_id,
    search_matches_across_scripts_and_phone_formats,
    a_member_cannot_reach_another_teams_records_by_any_path,
    viewers_read_but_do_not_write,
    each_roles_scope_is_a_workspace_setting,
    interactions_fill_the_timeline_newest_first,
    trash_and_restore,
    users_set_their_language_calendar_digits_and_zone,
    companies_link_people_and_show_their_timeline,
    admins_change_roles_and_teams_and_the_workspace_keeps_an_owner,
);
