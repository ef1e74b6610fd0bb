//! The store conformance suite: the same stories on SQLite and on PostgreSQL, a fresh database per test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;
use std::sync::Arc;
use temas_core::access::{Role, Scope, Viewer};
use temas_core::filter::{CONTACT_COLUMNS, ListQuery, Sort, SortKey, parse_filter};
use temas_core::ids::{TeamId, UserId, WorkspaceId};
use temas_core::search::analyze_query;
use temas_store::*;
use temas_testdb::TestDb;

struct World {
    store: Arc<dyn Store>,
    _db: TestDb,
    ws: WorkspaceId,
    owner: Viewer,
}

fn user(ws: WorkspaceId, email: &str, role: Role, team: Option<TeamId>) -> NewUser {
    NewUser {
        password_hash: "x".into(),
        user: User {
            id: UserId::new(),
            workspace_id: ws,
            email: email.into(),
            name: email.into(),
            role,
            team_id: team,
            prefs: UserPrefs::default(),
            created_at: temas_core::time::now(),
        },
    }
}

fn viewer_of(u: &NewUser, scope: Scope) -> Viewer {
    Viewer {
        workspace_id: u.user.workspace_id,
        user_id: u.user.id,
        team_id: u.user.team_id,
        role: u.user.role,
        scope,
    }
}

async fn world(backend: temas_testdb::Backend) -> World {
    let db = TestDb::new(backend).await;
    let store = open(&StoreConfig::new(db.url.clone()))
        .await
        .expect("open store");
    let ws = WorkspaceId::new();
    let workspace = Workspace {
        id: ws,
        name: "Acme".into(),
        default_region: "IR".into(),
        default_currency: "IRR".into(),
        settings: WorkspaceSettings::default(),
        created_at: temas_core::time::now(),
    };
    let owner = user(ws, "owner@acme.test", Role::Owner, None);
    store.create_workspace(&workspace, &owner).await.unwrap();
    World {
        owner: viewer_of(&owner, Scope::All),
        store,
        _db: db,
        ws,
    }
}

/// A new record's data as a JSON tree.
fn data_of(record: &NewRecord) -> serde_json::Value {
    serde_json::from_str(&record.data_json).unwrap()
}

/// Changes a new record's data.
fn edit(record: &mut NewRecord, change: impl FnOnce(&mut serde_json::Value)) {
    let mut data = data_of(record);
    change(&mut data);
    record.data_json = data.to_string();
}

/// A contact record as the service would prepare it.
fn contact(
    name: &str,
    owner: &Viewer,
    team: Option<TeamId>,
    email: &str,
    extra_terms: &[&str],
) -> NewRecord {
    let key = temas_core::normalize::search_key(name);
    let mut terms: Vec<String> = key.split(' ').map(str::to_owned).collect();
    terms.push(email.to_owned());
    terms.extend(extra_terms.iter().map(|t| t.to_string()));
    NewRecord {
        id: Uuid::now_v7(),
        data_json: json!({"display_name": name, "emails": [{"address": email}], "tags": [], "custom": {"tier": "gold", "score": 7}})
            .to_string(),
        indexed: Indexed {
            sort_name: key.clone(),
            external_id: None,
            owner_id: Some(owner.user_id),
            team_id: team,
            search_doc: format!("{} {email}", terms.join(" ")),
            ..Indexed::default()
        },
        terms,
        links: Links::default(),
    }
}

fn list(limit: u32) -> ListQuery {
    ListQuery {
        limit,
        ..ListQuery::default()
    }
}

async fn migrations_are_idempotent_and_the_database_checks_clean(w: World) {
    assert!(w.store.migrate().await.unwrap().is_empty());
    assert!(w.store.check().await.unwrap().is_empty());
    assert_eq!(w.store.count_workspaces().await.unwrap(), 1);
}

async fn records_round_trip_with_versions_and_history(w: World) {
    let rec = contact("Ali Rezaei", &w.owner, None, "ali@example.com", &[]);
    let id = rec.id;
    w.store
        .insert_records(RecordKind::Contact, &w.owner, vec![rec.clone()])
        .await
        .unwrap();
    let got = w
        .store
        .get_record(RecordKind::Contact, &w.owner, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.version, 1);
    assert_eq!(got.data, data_of(&rec));

    let mut data = data_of(&rec);
    data["display_name"] = json!("Ali R.");
    let update = RecordUpdate {
        action: "update",
        id,
        expected_version: 1,
        data: data.clone(),
        indexed: rec.indexed.clone(),
        old_terms: rec.terms.clone(),
        new_terms: vec!["ali".into(), "r".into()],
        links: Links::default(),
        changes: temas_core::diff::diff(&data_of(&rec), &data),
    };
    w.store
        .update_record(RecordKind::Contact, &w.owner, &update)
        .await
        .unwrap();
    let stale = w
        .store
        .update_record(RecordKind::Contact, &w.owner, &update)
        .await;
    assert!(
        matches!(stale, Err(StoreError::VersionConflict)),
        "{stale:?}"
    );

    let got = w
        .store
        .get_record(RecordKind::Contact, &w.owner, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (got.version, got.data["display_name"].as_str()),
        (2, Some("Ali R."))
    );
    let history = w
        .store
        .history(&w.owner, RecordKind::Contact, id, None, 10)
        .await
        .unwrap();
    assert_eq!(
        history
            .iter()
            .map(|h| h.action.as_str())
            .collect::<Vec<_>>(),
        vec!["update", "create"]
    );
    assert_eq!(history[0].changes[0].field, "display_name");
    assert_eq!(history[0].changes[0].old, json!("Ali Rezaei"));
    let created = history[1]
        .changes
        .iter()
        .find(|c| c.field == "display_name")
        .unwrap();
    assert_eq!(
        (&created.old, &created.new),
        (&json!(null), &json!("Ali Rezaei")),
        "creation rebuilt from update diffs"
    );

    w.store
        .set_deleted(RecordKind::Contact, &w.owner, id, 2, true)
        .await
        .unwrap();
    let trashed = w
        .store
        .get_record(RecordKind::Contact, &w.owner, id)
        .await
        .unwrap()
        .unwrap();
    assert!(trashed.meta.deleted_at.is_some());
    assert!(
        w.store
            .list_records(RecordKind::Contact, &w.owner, &list(10))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let trash = ListQuery {
        deleted: true,
        ..list(10)
    };
    assert_eq!(
        w.store
            .list_records(RecordKind::Contact, &w.owner, &trash)
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    w.store
        .set_deleted(RecordKind::Contact, &w.owner, id, 3, false)
        .await
        .unwrap();
    assert_eq!(
        w.store
            .list_records(RecordKind::Contact, &w.owner, &list(10))
            .await
            .unwrap()
            .items
            .len(),
        1
    );
}

async fn keyset_pages_cover_every_record_once_in_order(w: World) {
    let names = [
        "Zeynep",
        "Ali",
        "Мария",
        "علی",
        "Emma",
        "ali",
        "Bob",
        "Şule",
        "Иван",
        "Oğuz",
        "Chloe",
    ];
    let records: Vec<NewRecord> = names
        .iter()
        .enumerate()
        .map(|(i, n)| contact(n, &w.owner, None, &format!("p{i}@x.com"), &[]))
        .collect();
    w.store
        .insert_records(RecordKind::Contact, &w.owner, records)
        .await
        .unwrap();
    for sort in [
        Sort {
            key: SortKey::Name,
            descending: false,
        },
        Sort {
            key: SortKey::Name,
            descending: true,
        },
        Sort {
            key: SortKey::CreatedAt,
            descending: true,
        },
        Sort {
            key: SortKey::UpdatedAt,
            descending: false,
        },
    ] {
        let mut seen = Vec::new();
        let mut query = ListQuery { sort, ..list(3) };
        loop {
            let page = w
                .store
                .list_records(RecordKind::Contact, &w.owner, &query)
                .await
                .unwrap();
            seen.extend(
                page.items
                    .iter()
                    .map(|r| (r.data["display_name"].as_str().unwrap().to_owned(), r.id)),
            );
            match page.next {
                Some(c) => query.cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen.len(), names.len(), "{sort:?}");
        let mut unique: Vec<_> = seen.iter().map(|s| s.1).collect();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{sort:?}");
        if sort.key == SortKey::Name {
            let keys: Vec<String> = seen
                .iter()
                .map(|s| temas_core::normalize::search_key(&s.0))
                .collect();
            let mut sorted = keys.clone();
            sorted.sort();
            if sort.descending {
                sorted.reverse();
            }
            assert_eq!(keys, sorted, "{sort:?}");
        }
    }
}

async fn filters_reach_json_fields_custom_fields_and_contact_points(w: World) {
    let mut a = contact("Ali Rezaei", &w.owner, None, "ali@example.com", &["#vip"]);
    edit(&mut a, |d| {
        d["job_title"] = json!("Buyer");
        d["custom"] = json!({"tier": "gold", "score": 12});
    });
    let mut b = contact("Sara Karimi", &w.owner, None, "sara@example.com", &[]);
    edit(&mut b, |d| {
        d["custom"] = json!({"tier": "silver", "score": 3})
    });
    w.store
        .insert_records(RecordKind::Contact, &w.owner, vec![a.clone(), b.clone()])
        .await
        .unwrap();
    let region = temas_core::phone::parse_region("IR");
    let cases = [
        ("job_title:eq:Buyer", vec![a.id]),
        ("job_title:empty", vec![b.id]),
        ("display_name:contains:KARIMI", vec![b.id]),
        ("custom.tier:eq:gold", vec![a.id]),
        ("custom.score:gt:5", vec![a.id]),
        ("custom.score:lte:5", vec![b.id]),
        ("email:eq:SARA@example.com", vec![b.id]),
        ("tag:eq:VIP", vec![a.id]),
        ("tag:ne:vip", vec![b.id]),
    ];
    for (text, expected) in cases {
        let f = parse_filter(text, CONTACT_COLUMNS, true, region).unwrap();
        let q = ListQuery {
            filters: vec![f],
            ..list(10)
        };
        let got: Vec<Uuid> = w
            .store
            .list_records(RecordKind::Contact, &w.owner, &q)
            .await
            .unwrap()
            .items
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(got, expected, "{text}");
    }
}

async fn visibility_hides_other_teams_on_every_path(w: World) {
    let (red, blue) = (
        w.store.ensure_team(w.ws, "red").await.unwrap(),
        w.store.ensure_team(w.ws, "blue").await.unwrap(),
    );
    let red_rep = user(w.ws, "red@acme.test", Role::Member, Some(red.id));
    let blue_rep = user(w.ws, "blue@acme.test", Role::Member, Some(blue.id));
    w.store.create_user(&red_rep).await.unwrap();
    w.store.create_user(&blue_rep).await.unwrap();
    let (red_v, blue_v) = (
        viewer_of(&red_rep, Scope::Team),
        viewer_of(&blue_rep, Scope::Team),
    );

    let secret = contact(
        "Secret Customer",
        &red_v,
        Some(red.id),
        "secret@red.test",
        &[],
    );
    w.store
        .insert_records(RecordKind::Contact, &red_v, vec![secret.clone()])
        .await
        .unwrap();
    let q = analyze_query("secret", None).unwrap();

    assert!(
        w.store
            .get_record(RecordKind::Contact, &red_v, secret.id)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        w.store
            .get_record(RecordKind::Contact, &blue_v, secret.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        w.store
            .list_records(RecordKind::Contact, &blue_v, &list(50))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        w.store
            .search_candidates(RecordKind::Contact, &blue_v, &q, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        w.store
            .search_candidates(RecordKind::Contact, &red_v, &q, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        w.store
            .history(&blue_v, RecordKind::Contact, secret.id, None, 10)
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        w.store
            .visible_ids(RecordKind::Contact, &blue_v, &[secret.id])
            .await
            .unwrap(),
        Vec::<Uuid>::new()
    );
    let blue_update = RecordUpdate {
        action: "update",
        id: secret.id,
        expected_version: 1,
        data: data_of(&secret),
        indexed: secret.indexed.clone(),
        old_terms: vec![],
        new_terms: vec![],
        links: Links::default(),
        changes: vec![],
    };
    assert!(matches!(
        w.store
            .update_record(RecordKind::Contact, &blue_v, &blue_update)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        w.store
            .set_deleted(RecordKind::Contact, &blue_v, secret.id, 1, true)
            .await,
        Err(StoreError::NotFound)
    ));
    // The owner sees everything; an "own" scope sees only the user's records.
    assert!(
        w.store
            .get_record(RecordKind::Contact, &w.owner, secret.id)
            .await
            .unwrap()
            .is_some()
    );
    let own = Viewer {
        scope: Scope::Own,
        ..red_v
    };
    assert!(
        w.store
            .get_record(RecordKind::Contact, &own, secret.id)
            .await
            .unwrap()
            .is_some()
    );
    // Another workspace sees nothing, whatever its scope.
    let stranger = Viewer {
        workspace_id: WorkspaceId::new(),
        ..w.owner
    };
    assert!(
        w.store
            .get_record(RecordKind::Contact, &stranger, secret.id)
            .await
            .unwrap()
            .is_none()
    );
}

async fn search_finds_prefixes_then_fragments(w: World) {
    let a = contact("Alireza Karimi", &w.owner, None, "a@x.com", &["9123456789"]);
    let b = contact("Khalil Gibran", &w.owner, None, "k@x.com", &[]);
    w.store
        .insert_records(RecordKind::Contact, &w.owner, vec![a.clone(), b.clone()])
        .await
        .unwrap();
    let ids = |c: Vec<SearchCandidate>| c.into_iter().map(|c| c.record.id).collect::<Vec<_>>();
    let prefix = analyze_query("alir", None).unwrap();
    assert_eq!(
        ids(w
            .store
            .search_candidates(RecordKind::Contact, &w.owner, &prefix, 10)
            .await
            .unwrap()),
        vec![a.id]
    );
    let inner = analyze_query("lil", None).unwrap();
    assert_eq!(
        ids(w
            .store
            .search_candidates(RecordKind::Contact, &w.owner, &inner, 10)
            .await
            .unwrap()),
        vec![b.id]
    );
    let phone = analyze_query("345678", None).unwrap();
    assert_eq!(
        ids(w
            .store
            .search_candidates(RecordKind::Contact, &w.owner, &phone, 10)
            .await
            .unwrap()),
        vec![a.id]
    );
}

async fn external_ids_are_unique_per_workspace(w: World) {
    let mut a = contact("A", &w.owner, None, "a@x.com", &[]);
    a.indexed.external_id = Some("crm-1".into());
    let mut b = contact("B", &w.owner, None, "b@x.com", &[]);
    b.indexed.external_id = Some("crm-1".into());
    w.store
        .insert_records(RecordKind::Contact, &w.owner, vec![a.clone()])
        .await
        .unwrap();
    assert!(matches!(
        w.store
            .insert_records(RecordKind::Contact, &w.owner, vec![b])
            .await,
        Err(StoreError::Taken(_))
    ));
    let found = w
        .store
        .records_by_external_id(RecordKind::Contact, &w.owner, &["crm-1".into()])
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert!(found[0].1);
}

async fn concurrent_inserts_succeed_or_fail_each_on_their_own(w: World) {
    let mut taken = contact("First", &w.owner, None, "first@x.com", &[]);
    taken.indexed.external_id = Some("dup".into());
    w.store
        .insert_records(RecordKind::Contact, &w.owner, vec![taken])
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..6 {
        let store = w.store.clone();
        let owner = w.owner;
        tasks.push(tokio::spawn(async move {
            let mut batch: Vec<NewRecord> = (0..50)
                .map(|j| {
                    contact(
                        &format!("P{i} {j}"),
                        &owner,
                        None,
                        &format!("p{i}.{j}@x.com"),
                        &[],
                    )
                })
                .collect();
            if i == 3 {
                batch[10].indexed.external_id = Some("dup".into());
            }
            store
                .insert_records(RecordKind::Contact, &owner, batch)
                .await
        }));
    }
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap().is_ok());
    }
    assert_eq!(outcomes, vec![true, true, true, false, true, true]);
    let all = w
        .store
        .list_records(RecordKind::Contact, &w.owner, &list(500))
        .await
        .unwrap();
    assert_eq!(
        all.items.len(),
        1 + 5 * 50,
        "the failing batch left nothing behind, the others everything"
    );
}

async fn timelines_page_newest_first(w: World) {
    let c = contact("Timeline Person", &w.owner, None, "t@x.com", &[]);
    w.store
        .insert_records(RecordKind::Contact, &w.owner, vec![c.clone()])
        .await
        .unwrap();
    let base = temas_core::time::to_micros(temas_core::time::now());
    let interactions: Vec<NewRecord> = (0..5)
        .map(|i| NewRecord {
            id: Uuid::now_v7(),
            data_json: json!({"channel": if i == 1 { "meeting" } else { "call" }, "n": i})
                .to_string(),
            indexed: Indexed {
                occurred_at: Some(base - i * 1_000_000),
                owner_id: Some(w.owner.user_id),
                ..Indexed::default()
            },
            terms: vec![],
            links: Links {
                companies: vec![],
                contacts: vec![c.id],
            },
        })
        .collect();
    w.store
        .insert_records(RecordKind::Interaction, &w.owner, interactions)
        .await
        .unwrap();
    let first = w
        .store
        .timeline(&w.owner, TimelineOf::Contact(c.id), None, None, 3)
        .await
        .unwrap();
    assert_eq!(
        first
            .items
            .iter()
            .map(|r| r.data["n"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
    let second = w
        .store
        .timeline(
            &w.owner,
            TimelineOf::Contact(c.id),
            None,
            first.next.as_ref(),
            3,
        )
        .await
        .unwrap();
    assert_eq!(
        second
            .items
            .iter()
            .map(|r| r.data["n"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![3, 4]
    );
    assert!(second.next.is_none());
    let meetings = w
        .store
        .timeline(
            &w.owner,
            TimelineOf::Contact(c.id),
            Some("meeting"),
            None,
            3,
        )
        .await
        .unwrap();
    assert_eq!(meetings.items.len(), 1);
    assert_eq!(meetings.items[0].data["n"], 1);
}

async fn idempotent_responses_are_kept_once(w: World) {
    let r = StoredResponse {
        request_hash: "h".into(),
        status: 201,
        body: "{}".into(),
    };
    w.store
        .save_idempotent_response(&w.owner, "k1", &r)
        .await
        .unwrap();
    w.store
        .save_idempotent_response(
            &w.owner,
            "k1",
            &StoredResponse {
                status: 200,
                ..r.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        w.store.idempotent_response(&w.owner, "k1").await.unwrap(),
        Some(r)
    );
    assert_eq!(
        w.store.idempotent_response(&w.owner, "k2").await.unwrap(),
        None
    );
}

async fn users_tokens_and_custom_fields(w: World) {
    let rep = user(w.ws, "rep@acme.test", Role::Member, None);
    w.store.create_user(&rep).await.unwrap();
    assert!(matches!(
        w.store
            .create_user(&user(w.ws, "rep@acme.test", Role::Member, None))
            .await,
        Err(StoreError::Taken(_))
    ));
    let token = NewToken {
        id: Uuid::now_v7(),
        workspace_id: w.ws,
        user_id: rep.user.id,
        name: "t".into(),
        token_hash: "abc".into(),
    };
    w.store.create_token(&token).await.unwrap();
    assert_eq!(
        w.store
            .user_by_token_hash("abc")
            .await
            .unwrap()
            .map(|u| u.id),
        Some(rep.user.id)
    );
    assert!(w.store.user_by_token_hash("nope").await.unwrap().is_none());
    let def = temas_core::custom::NewCustomField {
        entity: temas_core::custom::Entity::Contact,
        key: "tier".into(),
        label: "Tier".into(),
        kind: temas_core::custom::FieldKind::SingleSelect,
        required: false,
        default: None,
        options: vec!["gold".into()],
    }
    .validate(0)
    .unwrap();
    w.store.create_custom_field(w.ws, &def).await.unwrap();
    assert!(matches!(
        w.store.create_custom_field(w.ws, &def).await,
        Err(StoreError::Taken(_))
    ));
    let mut renamed = def.clone();
    renamed.label = "Customer tier".into();
    w.store.update_custom_field(w.ws, &renamed).await.unwrap();
    assert_eq!(w.store.custom_fields(w.ws).await.unwrap(), vec![renamed]);
}

async fn web_sessions_and_failed_sign_ins(w: World) {
    let at = temas_core::time::now();
    let session = WebSession {
        token_hash: "h1".into(),
        workspace_id: w.ws,
        user_id: w.owner.user_id,
        csrf_token: "c1".into(),
        created_at: at,
        last_seen_at: at,
    };
    w.store.create_web_session(&session).await.unwrap();
    assert_eq!(
        w.store.web_session("h1").await.unwrap(),
        Some(session.clone())
    );
    let later = at + chrono::Duration::minutes(5);
    w.store.touch_web_session("h1", later).await.unwrap();
    let seen = w.store.web_session("h1").await.unwrap().unwrap();
    assert_eq!(seen.last_seen_at, later);
    w.store.delete_web_session("h1").await.unwrap();
    assert!(w.store.web_session("h1").await.unwrap().is_none());

    let window = chrono::Duration::minutes(15);
    let old = at - chrono::Duration::minutes(20);
    assert_eq!(
        w.store
            .add_login_failure("a|ip", old, old - window)
            .await
            .unwrap(),
        1
    );
    // The failure from twenty minutes ago is outside the window and forgotten.
    assert_eq!(
        w.store
            .add_login_failure("a|ip", at, at - window)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        w.store
            .add_login_failure("a|ip", at, at - window)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        w.store
            .add_login_failure("b|ip", at, at - window)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        w.store.login_failures("a|ip", at - window).await.unwrap(),
        2
    );
    w.store.clear_login_failures("a|ip").await.unwrap();
    assert_eq!(
        w.store.login_failures("a|ip", at - window).await.unwrap(),
        0
    );
    assert_eq!(
        w.store.login_failures("b|ip", at - window).await.unwrap(),
        1
    );
}

async fn indexed_fields_keep_filtered_lists_correct(w: World) {
    for (name, lang, gender) in [
        ("Zeynep", "tr", "female"),
        ("Ali", "fa", "male"),
        ("Ayşe", "tr", "female"),
        ("Mert", "tr", "male"),
    ] {
        let mut c = contact(name, &w.owner, None, &format!("{name}@x.test"), &[]);
        edit(&mut c, |d| {
            d["language"] = json!(lang);
            d["gender"] = json!(gender);
        });
        w.store
            .insert_records(RecordKind::Contact, &w.owner, vec![c])
            .await
            .unwrap();
    }
    let fields = |names: &[&str]| {
        names
            .iter()
            .map(|n| {
                temas_core::filter::indexable_fields(n, temas_core::filter::CONTACT_COLUMNS)
                    .unwrap()
            })
            .collect::<Vec<_>>()
    };
    for set in fields(&["gender,language", "language", "owner_id", "custom.tier"]) {
        w.store
            .ensure_field_index(RecordKind::Contact, &set)
            .await
            .unwrap();
        // Twice is harmless.
        w.store
            .ensure_field_index(RecordKind::Contact, &set)
            .await
            .unwrap();
    }
    let mut q = list(10);
    q.sort = temas_core::filter::Sort::parse("name").unwrap();
    for f in ["gender:eq:female", "language:eq:tr"] {
        q.filters.push(
            temas_core::filter::parse_filter(f, temas_core::filter::CONTACT_COLUMNS, true, None)
                .unwrap(),
        );
    }
    let page = w
        .store
        .list_records(RecordKind::Contact, &w.owner, &q)
        .await
        .unwrap();
    let names: Vec<&str> = page
        .items
        .iter()
        .map(|r| r.data["display_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Ayşe", "Zeynep"]);
}

async fn saved_views_are_seen_by_their_owner_and_shared_team(w: World) {
    use temas_core::view::{SavedView, ViewEntity, ViewSettings};
    let red = w.store.ensure_team(w.ws, "red").await.unwrap();
    let blue = w.store.ensure_team(w.ws, "blue").await.unwrap();
    let people = [
        user(w.ws, "a@red.test", Role::Member, Some(red.id)),
        user(w.ws, "b@red.test", Role::Member, Some(red.id)),
        user(w.ws, "c@blue.test", Role::Member, Some(blue.id)),
        user(w.ws, "d@none.test", Role::Member, None),
    ];
    for p in &people {
        w.store.create_user(p).await.unwrap();
    }
    let [a, b, c, d] = people.map(|p| viewer_of(&p, Scope::Team));
    let view = |owner: &Viewer, name: &str, shared: bool| SavedView {
        id: Uuid::now_v7(),
        entity: ViewEntity::Contacts,
        name: name.into(),
        owner_id: owner.user_id,
        shared,
        settings: ViewSettings {
            columns: vec!["name".into(), "custom.tier".into()],
            filters: vec!["language:eq:fa".into()],
            sort: Some("name".into()),
        },
        created_at: temas_core::time::now(),
        updated_at: temas_core::time::now(),
    };
    let team_view = view(&a, "Team", true);
    let private = view(&a, "Private", false);
    let everyone = view(&d, "Everyone", true);
    for (owner, v) in [(&a, &team_view), (&a, &private), (&d, &everyone)] {
        w.store.create_view(owner, v).await.unwrap();
    }
    assert!(matches!(
        w.store.create_view(&a, &view(&a, "Team", false)).await,
        Err(StoreError::Taken("name"))
    ));
    let names =
        |views: Vec<SavedView>| -> Vec<String> { views.into_iter().map(|v| v.name).collect() };
    let seen = |viewer: Viewer| {
        let store = w.store.clone();
        async move { names(store.views(&viewer, ViewEntity::Contacts).await.unwrap()) }
    };
    assert_eq!(seen(a).await, ["Everyone", "Private", "Team"]);
    assert_eq!(seen(b).await, ["Everyone", "Team"]);
    assert_eq!(seen(c).await, ["Everyone"]);
    assert_eq!(seen(d).await, ["Everyone"]);
    assert!(
        w.store
            .views(&a, ViewEntity::Companies)
            .await
            .unwrap()
            .is_empty()
    );
    let got = w
        .store
        .view(&b, team_view.id)
        .await
        .unwrap()
        .expect("shared");
    assert_eq!(got.settings, team_view.settings);
    assert!(w.store.view(&c, team_view.id).await.unwrap().is_none());

    let renamed = SavedView {
        name: "Team (fa)".into(),
        shared: false,
        ..team_view.clone()
    };
    assert!(matches!(
        w.store.update_view(&b, &renamed).await,
        Err(StoreError::NotFound)
    ));
    w.store.update_view(&a, &renamed).await.unwrap();
    assert_eq!(seen(b).await, ["Everyone"]);
    assert!(matches!(
        w.store.delete_view(&b, private.id).await,
        Err(StoreError::NotFound)
    ));
    w.store.delete_view(&a, private.id).await.unwrap();
    assert_eq!(seen(a).await, ["Everyone", "Team (fa)"]);
}

async fn imports_keep_a_journal_match_by_terms_and_purge(w: World) {
    let a = contact(
        "Yasmin Karimi",
        &w.owner,
        None,
        "yasmin@example.ir",
        &["9123456789"],
    );
    let b = contact("Olga Ivanova", &w.owner, None, "olga@example.ru", &[]);
    let ids = [a.id, b.id];
    w.store
        .insert_records(RecordKind::Contact, &w.owner, vec![a, b])
        .await
        .unwrap();
    let found = w
        .store
        .records_by_terms(
            RecordKind::Contact,
            &w.owner,
            &[
                "9123456789".into(),
                "olga@example.ru".into(),
                "nobody@x.test".into(),
            ],
        )
        .await
        .unwrap();
    let mut matched: Vec<(String, Uuid, bool)> =
        found.into_iter().map(|(t, r, v)| (t, r.id, v)).collect();
    matched.sort();
    assert_eq!(
        matched,
        vec![
            ("9123456789".into(), ids[0], true),
            ("olga@example.ru".into(), ids[1], true)
        ]
    );

    let at = temas_core::time::now();
    let run = ImportRun {
        id: Uuid::now_v7(),
        entity: "contacts".into(),
        file_name: "people.csv".into(),
        status: "running".into(),
        summary: json!({"rows": 2}),
        job: json!({"match_on": "email", "dry_run": false}),
        created_by: w.owner.user_id,
        created_at: at,
        updated_at: at,
    };
    w.store.save_import(w.ws, &run).await.unwrap();
    let items: Vec<ImportItem> = (1..=3)
        .map(|seq| ImportItem {
            seq,
            kind: RecordKind::Contact,
            record_id: ids[(seq as usize) % 2],
            action: if seq == 2 {
                ImportAction::Updated
            } else {
                ImportAction::Created
            },
            before: (seq == 2).then(|| (1, json!({"display_name": "Before"}))),
            after_version: seq,
        })
        .collect();
    w.store
        .add_import_items(w.ws, run.id, &items)
        .await
        .unwrap();
    assert_eq!(
        w.store.import_items(w.ws, run.id, 0, 10).await.unwrap(),
        items
    );
    assert_eq!(
        w.store.import_items(w.ws, run.id, 2, 10).await.unwrap(),
        items[2..]
    );
    let done = ImportRun {
        status: "committed".into(),
        ..run.clone()
    };
    w.store.save_import(w.ws, &done).await.unwrap();
    assert_eq!(w.store.import_run(w.ws, run.id).await.unwrap(), Some(done));
    assert_eq!(
        w.store
            .import_run(WorkspaceId::new(), run.id)
            .await
            .unwrap(),
        None
    );

    w.store
        .purge_records(RecordKind::Contact, w.ws, &ids[..1])
        .await
        .unwrap();
    assert!(
        w.store
            .get_record(RecordKind::Contact, &w.owner, ids[0])
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        w.store
            .history(&w.owner, RecordKind::Contact, ids[0], None, 10)
            .await,
        Err(StoreError::NotFound)
    ));
    let left = w
        .store
        .records_by_terms(RecordKind::Contact, &w.owner, &["yasmin@example.ir".into()])
        .await
        .unwrap();
    assert!(left.is_empty(), "a purged record's terms are gone");
    // The same id inserted again starts a history of its own: the purged record's entries are gone too.
    let mut again = contact("Yasmin Karimi", &w.owner, None, "yasmin@example.ir", &[]);
    again.id = ids[0];
    w.store
        .insert_records(RecordKind::Contact, &w.owner, vec![again])
        .await
        .unwrap();
    let history = w
        .store
        .history(&w.owner, RecordKind::Contact, ids[0], None, 10)
        .await
        .unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    assert!(
        w.store
            .get_record(RecordKind::Contact, &w.owner, ids[1])
            .await
            .unwrap()
            .is_some()
    );
}

async fn import_uploads_errors_and_the_job_queue(w: World) {
    let at = temas_core::time::now();
    let id = Uuid::now_v7();
    let run = ImportRun {
        id,
        entity: "contacts".into(),
        file_name: "big.csv".into(),
        status: "uploaded".into(),
        summary: json!({}),
        job: serde_json::Value::Null,
        created_by: w.owner.user_id,
        created_at: at,
        updated_at: at,
    };
    w.store.save_import(w.ws, &run).await.unwrap();
    assert_eq!(w.store.import_runs(w.ws, 10).await.unwrap(), vec![run]);

    // The uploaded file, in parts.
    let parts: Vec<Vec<u8>> = vec![vec![0xEF, 0xBB, 0xBF, b'a'], vec![0, 255, 10]];
    for (n, part) in parts.iter().enumerate() {
        w.store
            .add_import_file_part(w.ws, id, n as i64, part)
            .await
            .unwrap();
    }
    for (n, part) in parts.iter().enumerate() {
        assert_eq!(
            w.store
                .import_file_part(w.ws, id, n as i64)
                .await
                .unwrap()
                .as_ref(),
            Some(part)
        );
    }
    assert_eq!(w.store.import_file_part(w.ws, id, 2).await.unwrap(), None);
    assert_eq!(
        w.store
            .import_file_part(WorkspaceId::new(), id, 0)
            .await
            .unwrap(),
        None
    );
    w.store.delete_import_file(w.ws, id).await.unwrap();
    assert_eq!(w.store.import_file_part(w.ws, id, 0).await.unwrap(), None);

    // The error report, in order, and cut back to a checkpoint.
    let problems: Vec<RowProblem> = (2..=4)
        .map(|row| RowProblem {
            row,
            field: "email".into(),
            reason: format!("bad email on row {row}"),
        })
        .collect();
    w.store
        .add_import_errors(w.ws, id, 1, &problems)
        .await
        .unwrap();
    let all = w.store.import_errors(w.ws, id, 0, 10).await.unwrap();
    assert_eq!(all.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(all[2].1, problems[2]);
    w.store.remove_import_errors(w.ws, id, 1).await.unwrap();
    assert_eq!(
        w.store.import_errors(w.ws, id, 0, 10).await.unwrap().len(),
        1
    );

    // Jobs: claimed once under a lease, taken again when the lease runs out, finished.
    let now = temas_core::time::now();
    let lease = chrono::Duration::seconds(30);
    let job = w.store.enqueue_job(w.ws, "import", id).await.unwrap();
    let claimed = w.store.claim_job(now, now + lease).await.unwrap().unwrap();
    assert_eq!((claimed.id, claimed.subject_id), (job, id));
    assert_eq!((claimed.status.as_str(), claimed.attempts), ("running", 1));
    assert!(
        w.store.claim_job(now, now + lease).await.unwrap().is_none(),
        "a leased job is not claimed twice"
    );
    assert!(w.store.renew_job(w.ws, job, 1, now + lease).await.unwrap());
    let later = now + lease + chrono::Duration::seconds(1);
    let again = w
        .store
        .claim_job(later, later + lease)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (again.id, again.attempts),
        (job, 2),
        "an expired lease frees the job"
    );
    assert!(
        !w.store
            .renew_job(w.ws, job, 1, later + lease)
            .await
            .unwrap(),
        "the first worker learns that its job was taken over"
    );
    assert!(!w.store.finish_job(w.ws, job, 1, None).await.unwrap());
    assert!(
        w.store
            .finish_job(w.ws, job, 2, Some("the file is gone"))
            .await
            .unwrap()
    );
    let ended = w.store.job(w.ws, job).await.unwrap().unwrap();
    assert_eq!(ended.status, "failed");
    assert_eq!(ended.error.as_deref(), Some("the file is gone"));
    assert!(
        !w.store
            .renew_job(w.ws, job, 2, later + lease)
            .await
            .unwrap()
    );
    let much_later = later + lease * 10;
    assert!(
        w.store
            .claim_job(much_later, much_later + lease)
            .await
            .unwrap()
            .is_none(),
        "a finished job stays finished"
    );
}

macro_rules! conformance {
    ($($story:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $story() {
                super::$story(super::world(temas_testdb::Backend::Sqlite).await).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $story() {
                super::$story(super::world(temas_testdb::Backend::Postgres).await).await;
            })*
        }
    };
}

conformance!(
    migrations_are_idempotent_and_the_database_checks_clean,
    records_round_trip_with_versions_and_history,
    keyset_pages_cover_every_record_once_in_order,
    filters_reach_json_fields_custom_fields_and_contact_points,
    visibility_hides_other_teams_on_every_path,
    search_finds_prefixes_then_fragments,
    external_ids_are_unique_per_workspace,
    timelines_page_newest_first,
    concurrent_inserts_succeed_or_fail_each_on_their_own,
    idempotent_responses_are_kept_once,
    users_tokens_and_custom_fields,
    web_sessions_and_failed_sign_ins,
    indexed_fields_keep_filtered_lists_correct,
    saved_views_are_seen_by_their_owner_and_shared_team,
    imports_keep_a_journal_match_by_terms_and_purge,
    import_uploads_errors_and_the_job_queue,
);

#[tokio::test]
async fn sqlite_backup_is_a_consistent_copy() {
    let w = world(temas_testdb::Backend::Sqlite).await;
    w.store
        .insert_records(
            RecordKind::Contact,
            &w.owner,
            vec![contact("Backed Up", &w.owner, None, "b@x.com", &[])],
        )
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("temas-backup-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("copy.db");
    w.store.backup_to(&file).await.unwrap();
    let copy = open(&StoreConfig::new(format!("sqlite://{}", file.display())))
        .await
        .unwrap();
    assert!(copy.check().await.unwrap().is_empty());
    assert_eq!(
        copy.list_records(RecordKind::Contact, &w.owner, &list(10))
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    assert!(matches!(
        w.store.backup_to(&file).await,
        Err(StoreError::Taken(_))
    ));
    let _ = std::fs::remove_dir_all(dir);
}
