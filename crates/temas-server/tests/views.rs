//! Saved list views through the API, on both backends: validation, sharing with the team, owner-only changes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::*;
use temas_core::access::Role;

async fn views_are_validated_shared_with_the_team_and_changed_by_their_owner(t: TestApp) {
    let owner = &t.owner_token;
    let field = t
        .post(
            owner,
            "/api/v1/custom-fields",
            json!({"entity": "contact", "key": "tier", "label": "Tier", "kind": "text"}),
        )
        .await;
    assert_eq!(field.status, StatusCode::CREATED, "{}", field.body);
    let red = t.user("red@acme.test", Role::Member, Some("red")).await;
    let red2 = t.user("red2@acme.test", Role::Member, Some("red")).await;
    let blue = t.user("blue@acme.test", Role::Member, Some("blue")).await;

    let bad = t
        .post(
            &red,
            "/api/v1/views",
            json!({"name": "", "entity": "contacts", "columns": ["name", "shoe_size"],
                   "filters": ["language:like:fa"], "sort": "-updated_at"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.error_fields(), ["name", "columns[1]", "filters[0]"]);

    let shared = t
        .post(
            &red,
            "/api/v1/views",
            json!({"name": "Persian VIPs", "entity": "contacts",
                   "columns": ["name", "phone", "custom.tier", "owner"],
                   "filters": ["language:eq:fa", "tag:eq:vip"], "sort": "name", "shared": true}),
        )
        .await;
    assert_eq!(shared.status, StatusCode::CREATED, "{}", shared.body);
    assert_eq!(
        shared.body["columns"],
        json!(["name", "phone", "custom.tier", "owner"])
    );
    let shared_id = shared.body["id"].as_str().unwrap().to_owned();
    let private = t
        .post(
            &red,
            "/api/v1/views",
            json!({"name": "Mine", "entity": "contacts", "filters": ["source:eq:fair"]}),
        )
        .await;
    assert_eq!(private.status, StatusCode::CREATED, "{}", private.body);
    assert_eq!(
        private.body["columns"],
        json!(["name", "email", "phone", "job_title", "tags", "updated_at"]),
        "no columns means the defaults"
    );
    let again = t
        .post(
            &red,
            "/api/v1/views",
            json!({"name": "Mine", "entity": "contacts"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);

    let names = |reply: &Reply| -> Vec<String> {
        reply.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&t.get(&red, "/api/v1/views?entity=contacts").await),
        ["Mine", "Persian VIPs"]
    );
    assert_eq!(
        names(&t.get(&red2, "/api/v1/views").await),
        ["Persian VIPs"]
    );
    assert!(names(&t.get(&blue, "/api/v1/views").await).is_empty());
    assert!(names(&t.get(&red, "/api/v1/views?entity=companies").await).is_empty());
    let path = format!("/api/v1/views/{shared_id}");
    assert_eq!(t.get(&blue, &path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(t.get(&red2, &path).await.status, StatusCode::OK);

    let change = json!({"name": "Persian VIPs", "columns": ["name", "email"], "shared": true});
    let by_teammate = t
        .call(&red2, Method::PUT, &path, Some(change.clone()), &[])
        .await;
    assert_eq!(by_teammate.status, StatusCode::FORBIDDEN);
    let by_owner = t.call(&red, Method::PUT, &path, Some(change), &[]).await;
    assert_eq!(by_owner.status, StatusCode::OK, "{}", by_owner.body);
    assert_eq!(by_owner.body["columns"], json!(["name", "email"]));
    assert_eq!(by_owner.body["filters"], json!([]));
    let other_list = t
        .call(
            &red,
            Method::PUT,
            &path,
            Some(json!({"name": "x", "entity": "companies"})),
            &[],
        )
        .await;
    assert_eq!(other_list.error_fields(), ["entity"]);

    assert_eq!(
        t.call(&red2, Method::DELETE, &path, None, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.call(&red, Method::DELETE, &path, None, &[]).await.status,
        StatusCode::NO_CONTENT
    );
    assert!(names(&t.get(&red2, "/api/v1/views").await).is_empty());
}

on_both_backends!(views_are_validated_shared_with_the_team_and_changed_by_their_owner,);
