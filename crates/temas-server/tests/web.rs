//! The web app over plain HTTP, on both backends: sessions, CSRF, the sign-in limit, language and direction.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::json;
use support::{PASSWORD, TestApp, spawn_app};
use temas_core::access::Role;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The `name=value` of a Set-Cookie header, and the whole header.
fn set_cookie(r: &reqwest::Response, name: &str) -> Option<(String, String)> {
    r.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| {
            (
                v.split(';').next().unwrap_or_default().to_owned(),
                v.to_owned(),
            )
        })
}

/// The value of `<input name="_csrf" value="…">` in a page.
fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("a csrf field");
    let rest = &html[at + "name=\"_csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

struct Browser {
    base: String,
    http: reqwest::Client,
    login_cookie: String,
    login_csrf: String,
}

impl Browser {
    async fn open(t: &TestApp) -> Self {
        let http = client();
        let page = http.get(format!("{}/login", t.base)).send().await.unwrap();
        let (login_cookie, _) = set_cookie(&page, "temas_login").expect("login csrf cookie");
        let html = page.text().await.unwrap();
        Self {
            base: t.base.clone(),
            http,
            login_cookie,
            login_csrf: csrf_in(&html),
        }
    }

    /// Posts a form as the signed-in browser with `session`.
    async fn post(&self, session: &str, path: &str, form: &[(&str, String)]) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, session)
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// A page's HTML as the signed-in browser with `session` sees it.
    async fn page(&self, session: &str, path: &str) -> String {
        self.http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, session)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    async fn sign_in(&self, email: &str, password: &str, next: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/login", self.base))
            .header(COOKIE, &self.login_cookie)
            .form(&[
                ("email", email),
                ("password", password),
                ("_csrf", &self.login_csrf),
                ("next", next),
            ])
            .send()
            .await
            .unwrap()
    }
}

async fn sessions_are_http_only_cookies_and_forms_need_their_csrf_token(t: TestApp) {
    let b = Browser::open(&t).await;
    let r = b
        .sign_in("owner@acme.test", PASSWORD, "/contacts?sort=name")
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/contacts?sort=name");
    let (session, header) = set_cookie(&r, "temas_session").expect("session cookie");
    assert!(
        header.contains("HttpOnly") && header.contains("SameSite=Lax"),
        "{header}"
    );
    let page = b
        .http
        .get(format!("{}/contacts", t.base))
        .header(COOKIE, &session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csrf = csrf_in(&page.text().await.unwrap());

    // A form posted without the session's token changes nothing.
    let forged = b
        .http
        .post(format!("{}/contacts", t.base))
        .header(COOKIE, &session)
        .form(&[("first_name", "Forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let made = b
        .http
        .post(format!("{}/contacts", t.base))
        .header(COOKIE, &session)
        .form(&[("first_name", "Real"), ("_csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let found = t
        .get(
            &t.owner_token,
            "/api/v1/contacts?filter=first_name:eq:Forged",
        )
        .await;
    assert_eq!(found.body["items"], json!([]));

    // Signing out ends the session on the server, not just in the browser.
    let out = b
        .http
        .post(format!("{}/logout", t.base))
        .header(COOKIE, &session)
        .form(&[("_csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let after = b
        .http
        .get(format!("{}/contacts", t.base))
        .header(COOKIE, &session)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
    assert!(
        after.headers()[LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
}

async fn sign_in_is_limited_after_repeated_failures(t: TestApp) {
    let b = Browser::open(&t).await;
    for _ in 0..4 {
        let r = b.sign_in("owner@acme.test", "wrong password!", "").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("The email or password is not right.")
        );
    }
    let fifth = b.sign_in("owner@acme.test", "wrong password!", "").await;
    assert_eq!(fifth.status(), StatusCode::TOO_MANY_REQUESTS);
    // Now even the right password waits for the window to pass.
    let locked = b.sign_in("owner@acme.test", PASSWORD, "").await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.headers()["retry-after"], "900");
    // Numbers in messages are wrapped in Unicode isolation marks (for mixed-direction text).
    let text = locked
        .text()
        .await
        .unwrap()
        .replace(['\u{2068}', '\u{2069}'], "");
    assert!(text.contains("Try again in 15 minutes"), "{text}");
    // A login form without its cookie token is refused before the password is looked at.
    let forged = b
        .http
        .post(format!("{}/login", t.base))
        .form(&[
            ("email", "owner@acme.test"),
            ("password", PASSWORD),
            ("_csrf", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
}

async fn pages_carry_the_users_language_and_direction(t: TestApp) {
    let r = t
        .patch(
            &t.owner_token,
            "/api/v1/users/me",
            json!({"language": "ar", "calendar": "hijri", "digits": "arabic"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let b = Browser::open(&t).await;
    // Outside links are not followed after sign-in.
    let r = b
        .sign_in("owner@acme.test", PASSWORD, "//evil.example/phish")
        .await;
    assert_eq!(r.headers()[LOCATION], "/contacts");
    let (session, _) = set_cookie(&r, "temas_session").unwrap();
    let html = b
        .http
        .get(format!("{}/contacts", t.base))
        .header(COOKIE, &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<html lang=\"ar\" dir=\"rtl\">"),
        "{}",
        &html[..200]
    );
    assert!(html.contains("جهات الاتصال"));
    // The sign-in page follows the browser's language.
    let fa = b
        .http
        .get(format!("{}/login", t.base))
        .header("accept-language", "fa-IR,fa;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(fa.contains("<html lang=\"fa\" dir=\"rtl\">"));
    // Assets are served from the binary.
    let css = b
        .http
        .get(format!("{}/assets/app.css", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}

async fn admins_manage_fields_and_users_and_members_may_not(t: TestApp) {
    let b = Browser::open(&t).await;
    let r = b.sign_in("owner@acme.test", PASSWORD, "/admin").await;
    let (session, _) = set_cookie(&r, "temas_session").unwrap();
    let page = b
        .http
        .get(format!("{}/admin", t.base))
        .header(COOKIE, &session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csrf = csrf_in(&page.text().await.unwrap());
    let field = b
        .post(
            &session,
            "/admin/custom-fields",
            &[
                ("_csrf", csrf.clone()),
                ("entity", "contact".into()),
                ("key", "tier".into()),
                ("label", "Tier".into()),
                ("kind", "single_select".into()),
                ("options", "gold, silver".into()),
            ],
        )
        .await;
    assert_eq!(field.status(), StatusCode::SEE_OTHER);
    let defs = t.get(&t.owner_token, "/api/v1/custom-fields").await;
    assert_eq!(defs.body["items"][0]["options"], json!(["gold", "silver"]));
    // A bad key comes back as a message on the page, not a lost form.
    let bad = b
        .post(
            &session,
            "/admin/custom-fields",
            &[
                ("_csrf", csrf.clone()),
                ("entity", "contact".into()),
                ("key", "Bad Key".into()),
                ("label", "x".into()),
                ("kind", "text".into()),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("must start with a-z"));
    let user = b
        .post(
            &session,
            "/admin/users",
            &[
                ("_csrf", csrf.clone()),
                ("email", "rep@acme.test".into()),
                ("password", PASSWORD.into()),
                ("role", "member".into()),
                ("team", "North".into()),
            ],
        )
        .await;
    assert_eq!(user.status(), StatusCode::SEE_OTHER);
    // Members now see only their own records; the API follows at once.
    let scoped = b
        .post(
            &session,
            "/admin/visibility",
            &[
                ("_csrf", csrf.clone()),
                ("admin", "all".into()),
                ("manager", "team".into()),
                ("member", "own".into()),
                ("marketer", "all".into()),
                ("viewer", "team".into()),
            ],
        )
        .await;
    assert_eq!(scoped.status(), StatusCode::SEE_OTHER);
    let ws = t.get(&t.owner_token, "/api/v1/workspace").await;
    assert_eq!(ws.body["visibility"]["member"], "own");
    let rep = b.sign_in("rep@acme.test", PASSWORD, "/admin").await;
    let (rep_session, _) = set_cookie(&rep, "temas_session").unwrap();
    let denied = b
        .http
        .get(format!("{}/admin", t.base))
        .header(COOKIE, &rep_session)
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
}

async fn many_contacts_are_tagged_or_trashed_at_once(t: TestApp) {
    let a = t
        .contact(&t.owner_token, json!({"first_name": "Aylin"}))
        .await;
    let b2 = t
        .contact(&t.owner_token, json!({"first_name": "Boris"}))
        .await;
    let (ida, idb) = (
        a["id"].as_str().unwrap().to_owned(),
        b2["id"].as_str().unwrap().to_owned(),
    );
    let b = Browser::open(&t).await;
    let r = b.sign_in("owner@acme.test", PASSWORD, "/contacts").await;
    let (session, _) = set_cookie(&r, "temas_session").unwrap();
    let page = b
        .http
        .get(format!("{}/contacts", t.base))
        .header(COOKIE, &session)
        .send()
        .await
        .unwrap();
    let csrf = csrf_in(&page.text().await.unwrap());
    let tagged = b
        .post(
            &session,
            "/contacts/bulk-action",
            &[
                ("_csrf", csrf.clone()),
                ("action", "tag".into()),
                ("tag", "expo-2026".into()),
                ("ids", ida.clone()),
                ("ids", idb.clone()),
            ],
        )
        .await;
    assert_eq!(tagged.status(), StatusCode::SEE_OTHER);
    assert_eq!(tagged.headers()[LOCATION], "/contacts?done=2&failed=0");
    let found = t
        .get(&t.owner_token, "/api/v1/contacts?filter=tag:eq:expo-2026")
        .await;
    assert_eq!(found.body["items"].as_array().unwrap().len(), 2);
    let trashed = b
        .post(
            &session,
            "/contacts/bulk-action",
            &[
                ("_csrf", csrf.clone()),
                ("action", "delete".into()),
                ("ids", ida.clone()),
            ],
        )
        .await;
    assert_eq!(
        trashed.headers()[LOCATION],
        "/contacts?done=1&failed=0&undo=1"
    );
    let trash = b
        .http
        .get(format!("{}/contacts?trash=1", t.base))
        .header(COOKIE, &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(trash.contains("Aylin") && !trash.contains("Boris"));
    let restored = b
        .http
        .post(format!("{}/contacts/{ida}/restore", t.base))
        .header(COOKIE, &session)
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(restored.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        t.get(&t.owner_token, &format!("/api/v1/contacts/{ida}"))
            .await
            .status,
        StatusCode::OK
    );
}

async fn many_companies_are_tagged_given_an_owner_or_trashed_at_once(t: TestApp) {
    let mut ids = Vec::new();
    for name in ["Pars Tejarat", "Volga Trade"] {
        let c = t
            .post(&t.owner_token, "/api/v1/companies", json!({ "name": name }))
            .await;
        ids.push(c.body["id"].as_str().unwrap().to_owned());
    }
    let me = t.get(&t.owner_token, "/api/v1/users/me").await;
    let owner = me.body["id"].as_str().unwrap().to_owned();
    let b = Browser::open(&t).await;
    let r = b.sign_in("owner@acme.test", PASSWORD, "/companies").await;
    let (session, _) = set_cookie(&r, "temas_session").unwrap();
    let page = b
        .http
        .get(format!("{}/companies", t.base))
        .header(COOKIE, &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"action="/companies/bulk-action""#));
    let csrf = csrf_in(&page);
    let act = |action: &str, extra: (&'static str, &str), targets: &[String]| {
        let mut form = vec![
            ("_csrf", csrf.clone()),
            ("action", action.to_owned()),
            (extra.0, extra.1.to_owned()),
        ];
        form.extend(targets.iter().map(|id| ("ids", id.clone())));
        form
    };
    let tagged = b
        .post(
            &session,
            "/companies/bulk-action",
            &act("tag", ("tag", "distributor"), &ids),
        )
        .await;
    assert_eq!(tagged.headers()[LOCATION], "/companies?done=2&failed=0");
    let found = t
        .get(
            &t.owner_token,
            "/api/v1/companies?filter=tag:eq:distributor",
        )
        .await;
    assert_eq!(found.body["items"].as_array().unwrap().len(), 2);
    let owned = b
        .post(
            &session,
            "/companies/bulk-action",
            &act("owner", ("owner", &owner), &ids[..1]),
        )
        .await;
    assert_eq!(owned.headers()[LOCATION], "/companies?done=1&failed=0");
    let trashed = b
        .post(
            &session,
            "/companies/bulk-action",
            &act("delete", ("tag", ""), &ids[..1]),
        )
        .await;
    assert_eq!(
        trashed.headers()[LOCATION],
        "/companies?done=1&failed=0&undo=1"
    );
    let gone = t
        .get(&t.owner_token, &format!("/api/v1/companies/{}", ids[0]))
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let restored = b
        .post(
            &session,
            &format!("/companies/{}/restore", ids[0]),
            &[("_csrf", csrf.clone())],
        )
        .await;
    assert_eq!(
        restored.headers()[LOCATION],
        format!("/companies/{}", ids[0]).as_str()
    );
    let back = t
        .get(&t.owner_token, &format!("/api/v1/companies/{}", ids[0]))
        .await;
    assert_eq!(back.body["owner_id"], owner.as_str());
    assert_eq!(back.body["tags"], json!(["distributor"]));
}

async fn lists_show_chosen_columns_and_views_are_saved(t: TestApp) {
    let tok = &t.owner_token;
    let field = t
        .post(
            tok,
            "/api/v1/custom-fields",
            json!({"entity": "contact", "key": "tier", "label": "Loyalty tier", "kind": "single_select",
                   "options": ["gold", "silver"]}),
        )
        .await;
    assert_eq!(field.status, StatusCode::CREATED, "{}", field.body);
    let acme = t
        .post(tok, "/api/v1/companies", json!({"name": "Pars Trading"}))
        .await;
    let company_id = acme.body["id"].as_str().unwrap().to_owned();
    t.contact(
        tok,
        json!({"first_name": "Dariush", "language": "fa", "custom": {"tier": "gold"},
               "companies": [{"company_id": company_id, "role": "decision_maker"}]}),
    )
    .await;
    t.contact(tok, json!({"first_name": "Olga", "language": "ru"}))
        .await;
    let b = Browser::open(&t).await;
    let r = b.sign_in("owner@acme.test", PASSWORD, "/contacts").await;
    let (session, _) = set_cookie(&r, "temas_session").unwrap();

    let chosen = "/contacts?filter=language:eq:fa&sort=name&col=name&col=custom.tier&col=company&col=owner&col=bogus";
    let html = b.page(&session, chosen).await;
    assert!(
        html.contains("<th scope=\"col\">Loyalty tier</th>"),
        "{html}"
    );
    assert!(html.contains("<td>gold</td>") && html.contains("<td>Pars Trading</td>"));
    assert!(html.contains("Dariush") && !html.contains("Olga"));
    assert!(!html.contains("bogus"), "unknown columns are dropped");
    let csrf = csrf_in(&html);

    let form = |name: &str| {
        vec![
            ("_csrf", csrf.clone()),
            ("filter", "language:eq:fa".to_owned()),
            ("sort", "name".to_owned()),
            ("col", "name".to_owned()),
            ("col", "custom.tier".to_owned()),
            ("name", name.to_owned()),
            ("shared", "1".to_owned()),
        ]
    };
    let saved = b
        .post(&session, "/contacts/views", &form("Persian gold"))
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let location = saved.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(location.starts_with("/contacts?view="), "{location}");
    let view = b.page(&session, &location).await;
    assert!(view.contains("<h1>Persian gold</h1>"), "{view}");
    assert!(view.contains("Loyalty tier") && view.contains("Dariush") && !view.contains("Olga"));
    assert!(
        !view.contains("<th scope=\"col\">Company</th>"),
        "the view's columns, not the last ones"
    );

    let again = b
        .post(&session, "/contacts/views", &form("Persian gold"))
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    let again = again.text().await.unwrap();
    assert!(again.contains("id=\"view-problem\""), "{again}");
    assert!(
        again.contains("value=\"Persian gold\""),
        "the typed name is kept"
    );

    let id = location.trim_start_matches("/contacts?view=");
    let deleted = b
        .post(
            &session,
            &format!("/contacts/views/{id}/delete"),
            &[("_csrf", csrf.clone())],
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    let views = t.get(tok, "/api/v1/views").await;
    assert_eq!(views.body["items"], json!([]));
}

async fn companies_are_created_and_edited_in_the_app(t: TestApp) {
    let b = Browser::open(&t).await;
    let r = b
        .sign_in("owner@acme.test", PASSWORD, "/companies/new")
        .await;
    let (session, _) = set_cookie(&r, "temas_session").unwrap();
    let form_html = b.page(&session, "/companies/new").await;
    assert!(form_html.contains("name=\"domain\"") && form_html.contains("name=\"size\""));
    let csrf = csrf_in(&form_html);
    let typed = |domain: &str, version: &str| {
        vec![
            ("_csrf", csrf.clone()),
            ("version", version.to_owned()),
            ("name", "Pars Trading".to_owned()),
            ("domain", domain.to_owned()),
            ("industry", "Logistics".to_owned()),
            ("size", "51-200".to_owned()),
            ("email", "info@pars.example".to_owned()),
            ("tags", "partner".to_owned()),
        ]
    };
    let bad = b
        .post(&session, "/companies", &typed("not a domain", "0"))
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text().await.unwrap();
    assert!(html.contains("id=\"e-domain\""), "{html}");
    assert!(html.contains("value=\"Logistics\"") && html.contains("value=\"info@pars.example\""));
    let made = b
        .post(&session, "/companies", &typed("pars.example", "0"))
        .await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let card = made.headers()[LOCATION].to_str().unwrap().to_owned();
    let id = card.trim_start_matches("/companies/").to_owned();
    let api = t
        .get(&t.owner_token, &format!("/api/v1/companies/{id}"))
        .await;
    assert_eq!(api.body["domain"], "pars.example");
    assert_eq!(api.body["size"], "51-200");
    assert_eq!(api.body["tags"], json!(["partner"]));

    let edit = b.page(&session, &format!("{card}/edit")).await;
    assert!(edit.contains("value=\"pars.example\""));
    t.patch(
        &t.owner_token,
        &format!("/api/v1/companies/{id}"),
        json!({"industry": "Trade"}),
    )
    .await;
    let stale = b.post(&session, &card, &typed("pars.example", "1")).await;
    assert_eq!(
        stale.status(),
        StatusCode::CONFLICT,
        "a stale version is explained"
    );
    let saved = b.post(&session, &card, &typed("pars.example", "2")).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let api = t
        .get(&t.owner_token, &format!("/api/v1/companies/{id}"))
        .await;
    assert_eq!(api.body["industry"], "Logistics");
}

async fn admins_set_workspace_defaults_and_indexed_fields(t: TestApp) {
    let b = Browser::open(&t).await;
    let r = b.sign_in("owner@acme.test", PASSWORD, "/admin").await;
    let (session, _) = set_cookie(&r, "temas_session").unwrap();
    let csrf = csrf_in(&b.page(&session, "/admin").await);
    let bad = b
        .post(
            &session,
            "/admin/indexed-fields",
            &[
                ("_csrf", csrf.clone()),
                ("contacts", "language\nshoe_size".into()),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("indexed_fields.contacts[1]")
    );
    let saved = b
        .post(
            &session,
            "/admin/indexed-fields",
            &[
                ("_csrf", csrf),
                ("contacts", "language\r\n gender , language \n\n".into()),
                ("companies", "industry".into()),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let w = t.get(&t.owner_token, "/api/v1/workspace").await;
    assert_eq!(
        w.body["indexed_fields"],
        json!({"contacts": ["language", "gender,language"], "companies": ["industry"]})
    );
    let page = b.page(&session, "/admin").await;
    assert!(
        page.contains("language\ngender,language</textarea>"),
        "{page}"
    );

    let csrf = csrf_in(&page);
    let workspace = |calendar: &str| {
        vec![
            ("_csrf", csrf.clone()),
            ("name", "Acme Iran".to_owned()),
            ("default_region", "IR".to_owned()),
            ("default_currency", "IRR".to_owned()),
            ("language", "fa".to_owned()),
            ("calendar", calendar.to_owned()),
            ("digits", "persian".to_owned()),
            ("time_zone", "Asia/Tehran".to_owned()),
        ]
    };
    let bad = b
        .post(&session, "/admin/workspace", &workspace("julian"))
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let saved = b
        .post(&session, "/admin/workspace", &workspace("persian"))
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let w = t.get(&t.owner_token, "/api/v1/workspace").await;
    assert_eq!(w.body["name"], "Acme Iran");
    assert_eq!(
        w.body["user_defaults"],
        json!({"language": "fa", "calendar": "persian", "digits": "persian", "time_zone": "Asia/Tehran"})
    );

    let member = t.user("omid@acme.test", Role::Member, None).await;
    let me = t.get(&member, "/api/v1/users/me").await;
    assert_eq!(
        me.body["language"], "fa",
        "new users start with the workspace's defaults"
    );
    let id = me.body["id"].as_str().unwrap().to_owned();
    let changed = b
        .post(
            &session,
            &format!("/admin/users/{id}"),
            &[
                ("_csrf", csrf.clone()),
                ("role", "manager".into()),
                ("team", "Tehran".into()),
            ],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        t.get(&member, "/api/v1/users/me").await.body["role"],
        "manager"
    );
    assert!(
        b.page(&session, "/admin")
            .await
            .contains("value=\"Tehran\"")
    );
}

/// Polls an import's progress line until the page says to reload (the job is done), for at most a minute.
async fn wait_for_import(b: &Browser, session: &str, id: &str) {
    for _ in 0..600 {
        let r = b
            .http
            .get(format!("{}/imports/{id}/progress", b.base))
            .header(COOKIE, session)
            .header("hx-request", "true")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        if r.headers().contains_key("hx-refresh") {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("import {id} still running after a minute");
}

async fn a_file_is_uploaded_mapped_imported_and_rolled_back_in_the_app(t: TestApp) {
    let b = Browser::open(&t).await;
    let r = b.sign_in("owner@acme.test", PASSWORD, "/imports").await;
    let (session, _) = set_cookie(&r, "temas_session").unwrap();
    let page = b.page(&session, "/imports").await;
    assert!(page.contains("enctype=\"multipart/form-data\""));
    let csrf = csrf_in(&page);
    // A Russian Excel export: Windows-1251, semicolons.
    let mut csv = String::from("Имя;Фамилия;Эл. почта;Заметка\r\n");
    for i in 0..30 {
        csv.push_str(&format!(
            "Иван{i};Петров;ivan{i}@example.ru;звонить утром\r\n"
        ));
    }
    csv.push_str("Пётр;Сидоров;нет почты;\r\n");
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(&csv);
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf.clone())
        .text("sheet", "")
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes.into_owned()).file_name("клиенты.csv"),
        );
    let up = b
        .http
        .post(format!("{}/imports", b.base))
        .header(COOKIE, &session)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(up.status(), StatusCode::SEE_OTHER);
    let card = up.headers()[LOCATION].to_str().unwrap().to_owned();
    let id = card.trim_start_matches("/imports/").to_owned();
    let mapping = b.page(&session, &card).await;
    assert!(mapping.contains("windows-1251"), "the format read is shown");
    assert!(
        mapping.contains("<td>Иван0</td>"),
        "the preview shows the rows as read"
    );
    assert!(mapping.contains("<option value=\"first_name\" selected>"));
    assert!(mapping.contains("<option value=\"email\" selected>"));

    // The note column becomes a call on each contact's timeline; the import runs as a job, the page follows it.
    let run = b
        .post(
            &session,
            &format!("{card}/run"),
            &[
                ("_csrf", csrf.clone()),
                ("col-0", "first_name".into()),
                ("col-1", "last_name".into()),
                ("col-2", "email".into()),
                ("col-3", "interaction:call".into()),
                ("match_on", "email".into()),
                ("dry_run", "0".into()),
            ],
        )
        .await;
    assert_eq!(run.status(), StatusCode::SEE_OTHER);
    wait_for_import(&b, &session, &id).await;
    let done = b.page(&session, &card).await;
    assert!(done.contains("id=\"count-created\">30<"), "{done}");
    assert!(done.contains("id=\"count-failed\">1<"));
    assert!(done.contains("id=\"count-interactions\">30<"));
    let report = b.page(&session, &format!("{card}/errors.csv")).await;
    assert!(report.contains("Пётр,Сидоров,нет почты"), "{report}");
    let found = t.search_ids(&t.owner_token, "ivan7@example.ru").await;
    assert_eq!(found.len(), 1);
    let contact = t
        .get(&t.owner_token, &format!("/api/v1/contacts/{}", found[0]))
        .await;
    assert_eq!(contact.body["first_name"], "Иван7");
    assert!(
        contact.body["notes"].is_null(),
        "the column fed the timeline, not the notes"
    );
    let timeline = t
        .get(
            &t.owner_token,
            &format!("/api/v1/contacts/{}/timeline", found[0]),
        )
        .await;
    let call = timeline.body["items"][0].clone();
    assert_eq!(call["channel"], "call");
    assert_eq!(call["subject"], "Заметка");
    assert_eq!(call["body"], "звонить утром");

    let back = b
        .post(&session, &format!("{card}/rollback"), &[("_csrf", csrf)])
        .await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    wait_for_import(&b, &session, &id).await;
    let undone = b.page(&session, &card).await;
    assert!(undone.contains("data-status=\"rolled_back\""));
    let gone = t
        .get(
            &t.owner_token,
            &format!("/api/v1/interactions/{}", call["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(
        gone.status,
        StatusCode::NOT_FOUND,
        "the logged calls are rolled back too"
    );
    assert!(
        t.search_ids(&t.owner_token, "ivan7@example.ru")
            .await
            .is_empty()
    );
}

async fn the_data_quality_page_links_each_figure_to_its_contacts(t: TestApp) {
    t.contact(
        &t.owner_token,
        json!({"first_name": "Ali", "phones": [{"number": "0912 34"}]}),
    )
    .await;
    t.contact(&t.owner_token, json!({"last_name": "Karimi"}))
        .await;
    let b = Browser::open(&t).await;
    let r = b.sign_in("owner@acme.test", PASSWORD, "/quality").await;
    let (session, _) = set_cookie(&r, "temas_session").unwrap();
    let page = b.page(&session, "/quality?months=3").await;
    assert!(page.contains("<tr data-check=\"first_name\">"), "{page}");
    assert!(page.contains("href=\"/contacts?filter=invalid_phone%3Anotempty\">1</a>"));
    assert!(page.contains("href=\"/contacts?filter=email%3Aempty%3B%20phone%3Aempty\">1</a>"));
    let list = b
        .page(&session, "/contacts?filter=invalid_phone%3Anotempty")
        .await;
    assert!(list.contains("Ali") && !list.contains("Karimi"));
    assert!(
        list.contains("href=\"/contacts/export?format=csv&amp;filter=invalid_phone%3Anotempty")
    );
    let csv = b
        .page(
            &session,
            "/contacts/export?format=csv&filter=invalid_phone%3Anotempty",
        )
        .await;
    assert!(
        csv.starts_with("\u{FEFF}external_id,") && csv.contains("\n,Ali,"),
        "{csv}"
    );
}

/// A new contact that looks like an existing one is not saved at once: the form comes back as typed, listing the
/// existing record ("did you mean…"), and saves when the user ticks that it is a different one.
async fn the_new_contact_form_asks_did_you_mean(t: TestApp) {
    let existing = t
        .contact(
            &t.owner_token,
            json!({"first_name": "Maryam", "last_name": "Ahmadi",
            "emails": [{"address": "maryam.ahmadi@example.ir"}]}),
        )
        .await;
    let b = Browser::open(&t).await;
    let r = b
        .sign_in("owner@acme.test", PASSWORD, "/contacts/new")
        .await;
    let (session, _) = set_cookie(&r, "temas_session").unwrap();
    let csrf = csrf_in(&b.page(&session, "/contacts/new").await);
    let mut typed = vec![
        ("_csrf", csrf),
        ("version", "0".to_owned()),
        ("first_name", "Mariam".to_owned()),
        ("last_name", "Ahmadi".to_owned()),
        ("email", "Maryam.Ahmadi@example.ir".to_owned()),
    ];
    // While typing, the form asks for probable duplicates without saving anything.
    let form = b.page(&session, "/contacts/new").await;
    assert!(form.contains("hx-post=\"/contacts/duplicates\""), "{form}");
    let live = b.post(&session, "/contacts/duplicates", &typed).await;
    assert_eq!(live.status(), StatusCode::OK);
    let fragment = live.text().await.unwrap();
    let id = existing["id"].as_str().unwrap();
    assert!(fragment.contains("id=\"did-you-mean\""), "{fragment}");
    assert!(
        fragment.contains(&format!("href=\"/contacts/{id}\"")),
        "{fragment}"
    );
    let mut half_typed = typed.clone();
    half_typed.retain(|(k, _)| *k != "email" && *k != "first_name");
    half_typed.push(("email", "maryam.ahm".to_owned()));
    let nothing = b.post(&session, "/contacts/duplicates", &half_typed).await;
    assert_eq!(nothing.status(), StatusCode::OK);
    assert!(!nothing.text().await.unwrap().contains("did-you-mean"));
    let asked = b.post(&session, "/contacts", &typed).await;
    assert_eq!(asked.status(), StatusCode::CONFLICT);
    let html = asked.text().await.unwrap();
    assert!(html.contains("id=\"duplicates\""), "{html}");
    assert!(html.contains(&format!("href=\"/contacts/{id}\"")), "{html}");
    assert!(html.contains("value=\"Mariam\"") && html.contains("name=\"confirm_duplicate\""));
    typed.push(("confirm_duplicate", "1".to_owned()));
    let made = b.post(&session, "/contacts", &typed).await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let both = t
        .get(
            &t.owner_token,
            "/api/v1/contacts?filter=last_name:eq:Ahmadi",
        )
        .await;
    assert_eq!(both.body["items"].as_array().unwrap().len(), 2);
}

/// A scan started in the app is followed to its queue; a group is merged on its page with a value chosen by hand,
/// undone, and then dismissed as not duplicates.
async fn duplicates_are_scanned_reviewed_merged_undone_and_dismissed_in_the_app(t: TestApp) {
    let tok = &t.owner_token;
    t.add_different_people(tok).await;
    let first = t
        .contact_anyway(
            tok,
            json!({"first_name": "Maryam", "last_name": "Ahmadi",
            "job_title": "Buyer", "emails": [{"address": "maryam.ahmadi@example.ir"}]}),
        )
        .await;
    let second = t
        .contact_anyway(
            tok,
            json!({"first_name": "Mariam", "last_name": "Ahmadi",
            "job_title": "CFO", "emails": [{"address": "Maryam.Ahmadi@example.ir"}]}),
        )
        .await;
    let (first, second) = (
        first["id"].as_str().unwrap().to_owned(),
        second["id"].as_str().unwrap().to_owned(),
    );
    let b = Browser::open(&t).await;
    let r = b.sign_in("owner@acme.test", PASSWORD, "/duplicates").await;
    let (session, _) = set_cookie(&r, "temas_session").unwrap();
    let csrf = csrf_in(&b.page(&session, "/duplicates").await);
    let started = b
        .post(
            &session,
            "/duplicates/scans",
            &[("_csrf", csrf.clone()), ("entity", "contacts".into())],
        )
        .await;
    assert_eq!(started.status(), StatusCode::SEE_OTHER);
    let scan_path = started.headers()[LOCATION].to_str().unwrap().to_owned();
    let scan_id = scan_path.rsplit('/').next().unwrap().to_owned();
    t.scan_done(tok, &scan_id).await;
    let queue = b.page(&session, &scan_path).await;
    assert!(
        queue.contains("id=\"queue\"") && queue.contains(&format!("/contacts/{first}")),
        "{queue}"
    );
    let at = queue.find(&format!("/contacts/{first}")).unwrap();
    let row = &queue[queue[..at].rfind("data-seq=\"").unwrap() + 10..];
    let seq: String = row.chars().take_while(char::is_ascii_digit).collect();
    let group_path = format!("{scan_path}/groups/{seq}");
    let group = b.page(&session, &group_path).await;
    assert!(
        group.contains("name=\"survivor\"") && group.contains("data-field=\"job_title\""),
        "{group}"
    );

    // Merge into the first record, keeping the second one's job title.
    let merged = b
        .post(
            &session,
            &format!("{group_path}/merge"),
            &[
                ("_csrf", csrf.clone()),
                ("survivor", first.clone()),
                ("pick-job_title", second.clone()),
                ("rule", "most_complete".into()),
            ],
        )
        .await;
    assert_eq!(merged.status(), StatusCode::SEE_OTHER);
    let survivor = t.get(tok, &format!("/api/v1/contacts/{first}")).await;
    assert_eq!(survivor.body["job_title"], "CFO");
    let gone = t.get(tok, &format!("/api/v1/contacts/{second}")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let after = b.page(&session, &group_path).await;
    assert!(
        after.contains("data-status=\"merged\"") && after.contains("id=\"undo\""),
        "{after}"
    );

    let undone = b
        .post(
            &session,
            &format!("{group_path}/undo"),
            &[("_csrf", csrf.clone())],
        )
        .await;
    assert_eq!(undone.status(), StatusCode::SEE_OTHER);
    let back = t.get(tok, &format!("/api/v1/contacts/{second}")).await;
    assert_eq!(back.status, StatusCode::OK);
    let reopened = b.page(&session, &group_path).await;
    assert!(reopened.contains("data-status=\"open\""), "{reopened}");

    let dismissed = b
        .post(
            &session,
            &format!("{group_path}/dismiss"),
            &[("_csrf", csrf)],
        )
        .await;
    assert_eq!(dismissed.status(), StatusCode::SEE_OTHER);
    let open = b.page(&session, &scan_path).await;
    assert!(!open.contains(&format!("data-seq=\"{seq}\"")), "{open}");
}

on_both_backends!(
    duplicates_are_scanned_reviewed_merged_undone_and_dismissed_in_the_app,
    the_new_contact_form_asks_did_you_mean,
    the_data_quality_page_links_each_figure_to_its_contacts,
    a_file_is_uploaded_mapped_imported_and_rolled_back_in_the_app,
    admins_set_workspace_defaults_and_indexed_fields,
    companies_are_created_and_edited_in_the_app,
    lists_show_chosen_columns_and_views_are_saved,
    sessions_are_http_only_cookies_and_forms_need_their_csrf_token,
    sign_in_is_limited_after_repeated_failures,
    pages_carry_the_users_language_and_direction,
    admins_manage_fields_and_users_and_members_may_not,
    many_contacts_are_tagged_or_trashed_at_once,
    many_companies_are_tagged_given_an_owner_or_trashed_at_once,
);
