//! The web app in a real Chromium (Debian's `chromium` and `chromium-driver`), against the real server on both
//! backends: sign in, search with Arabic-keyboard letters for a Persian name, open the card, log a call, edit with
//! a validation error and recover, then switch to Persian and see the page right-to-left with Jalali dates.
//!
//! With `TEMAS_SCREENSHOTS=<dir>` the SQLite run saves screenshots of the main pages there.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use support::{PASSWORD, TestApp, spawn_app};

/// A chromedriver on a free loopback port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn browser() -> (Driver, Client) {
    temas_testdb::ensure_chromedriver();
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (Debian package chromium-driver, installed by the tests when run as root)");
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--window-size=1280,900", "--lang=en-US"]}),
    );
    let mut last_error = None;
    for _ in 0..50 {
        match ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps.clone())
            .connect(&driver.url)
            .await
        {
            Ok(client) => return (driver, client),
            Err(e) => {
                last_error = Some(e);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    panic!("chromedriver did not start: {last_error:?}");
}

async fn wait_css(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
}

/// Waits until the element's text contains `text`.
async fn wait_text(c: &Client, css: &str, text: &str) {
    for _ in 0..100 {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && e.text().await.unwrap_or_default().contains(text)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let seen = match c.find(Locator::Css(css)).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => "(missing)".into(),
    };
    panic!("{css} never showed {text:?}; it shows {seen:?}");
}

async fn shot(c: &Client, name: &str, save: bool) {
    if !save {
        return;
    }
    if let Ok(dir) = std::env::var("TEMAS_SCREENSHOTS") {
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let png = c.screenshot().await.expect("screenshot");
        std::fs::write(format!("{dir}/{name}.png"), png).expect("write screenshot");
    }
}

async fn set_value(c: &Client, css: &str, value: &str) {
    let e = wait_css(c, css).await;
    e.clear().await.expect("clear");
    e.send_keys(value).await.expect("type");
}

/// Presses a key in the focused element.
async fn press(c: &Client, key: Key) {
    c.active_element()
        .await
        .expect("a focused element")
        .send_keys(&char::from(key).to_string())
        .await
        .expect("key press");
}

/// The id (or, without one, the name) of the focused element.
async fn focused(c: &Client) -> String {
    let e = c.active_element().await.expect("a focused element");
    match e.attr("id").await.expect("id") {
        Some(id) if !id.is_empty() => id,
        _ => e.attr("name").await.expect("name").unwrap_or_default(),
    }
}

async fn html_attr(c: &Client, attr: &str) -> String {
    c.find(Locator::Css("html"))
        .await
        .expect("html")
        .attr(attr)
        .await
        .expect("attr")
        .unwrap_or_default()
}

async fn a_working_day_in_the_web_app(t: TestApp, screenshots: bool) {
    let karimi = t
        .contact(
            &t.owner_token,
            json!({"first_name": "یاسمین", "last_name": "کریمی", "job_title": "مدیر خرید",
                   "birth_date": "1990-03-21", "emails": [{"address": "yasmin.karimi@example.ir"}],
                   "phones": [{"number": "0912 345 6789"}], "tags": ["vip"],
                   "handles": [{"network": "telegram", "value": "@ykarimi"}]}),
        )
        .await;
    let id = karimi["id"].as_str().unwrap().to_owned();
    let company = t
        .post(
            &t.owner_token,
            "/api/v1/companies",
            json!({"name": "بازرگانی پارس", "domain": "pars.example", "industry": "بازرگانی"}),
        )
        .await;
    let company_id = company.body["id"].as_str().unwrap().to_owned();
    let linked = t
        .patch(
            &t.owner_token,
            &format!("/api/v1/contacts/{id}"),
            json!({"companies": [{"company_id": company_id, "role": "decision_maker"}]}),
        )
        .await;
    assert_eq!(linked.status, reqwest::StatusCode::OK, "{}", linked.body);
    t.contact(&t.owner_token, json!({"first_name": "Oliver", "last_name": "Smith", "emails": [{"address": "oliver@example.com"}]}))
        .await;
    let (_driver, c) = browser().await;

    // Sign in.
    c.goto(&format!("{}/contacts", t.base)).await.unwrap();
    wait_css(&c, "input[name=email]").await;
    assert!(c.current_url().await.unwrap().path().starts_with("/login"));
    shot(&c, "login-en", screenshots).await;
    // By keyboard: type the email, Tab to the password, Enter to sign in; then `/` jumps to the search box.
    set_value(&c, "input[name=email]", "owner@acme.test").await;
    press(&c, Key::Tab).await;
    assert_eq!(focused(&c).await, "password");
    c.active_element()
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    press(&c, Key::Enter).await;
    wait_text(&c, "main h1", "Contacts").await;
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("/")
        .await
        .unwrap();
    assert_eq!(focused(&c).await, "search");
    assert_eq!(html_attr(&c, "lang").await, "en");
    assert_eq!(html_attr(&c, "dir").await, "ltr");
    shot(&c, "contacts-en", screenshots).await;

    // Search with Arabic letters (ي, ك) for the Persian spelling (ی, ک), then open the card.
    c.active_element()
        .await
        .unwrap()
        .send_keys("كريمي")
        .await
        .unwrap();
    wait_text(&c, "#search-results", "یاسمین کریمی").await;
    shot(&c, "search-en", screenshots).await;
    c.find(Locator::Css("#search-results a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "main h1", "یاسمین کریمی").await;
    assert_eq!(
        c.current_url().await.unwrap().path(),
        format!("/contacts/{id}")
    );
    let tel = c.find(Locator::Css("a[href^='tel:']")).await.unwrap();
    assert_eq!(
        tel.attr("href").await.unwrap().as_deref(),
        Some("tel:+989123456789")
    );
    let telegram = c
        .find(Locator::Css("a[href^='https://t.me/']"))
        .await
        .unwrap();
    assert_eq!(
        telegram.attr("href").await.unwrap().as_deref(),
        Some("https://t.me/ykarimi")
    );

    // Log a call; the timeline updates in place.
    c.find(Locator::Css("#log-channel"))
        .await
        .unwrap()
        .select_by_value("call")
        .await
        .unwrap();
    set_value(&c, "#log-subject", "Pricing for the spring order").await;
    set_value(&c, "#log-outcome", "Sends the PO next week").await;
    c.find(Locator::Css(
        "form[action$='/interactions'] button[type=submit]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    wait_text(&c, "#timeline", "Pricing for the spring order").await;
    shot(&c, "card-en", screenshots).await;

    // Edit with a bad email: the form comes back with the error beside the field and keeps what was typed.
    c.goto(&format!("{}/contacts/{id}/edit", t.base))
        .await
        .unwrap();
    set_value(&c, "#f-job_title", "Head of purchasing").await;
    set_value(&c, "#f-email_1", "not-an-email").await;
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_css(&c, "#e-email_1").await;
    let kept = c
        .find(Locator::Css("#f-job_title"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("Head of purchasing"));
    let bad = c
        .find(Locator::Css("#f-email_1"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(bad.as_deref(), Some("not-an-email"));
    shot(&c, "edit-error-en", screenshots).await;
    set_value(&c, "#f-email_1", "y.karimi@example.com").await;
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "main", "y.karimi@example.com").await;
    wait_text(&c, "main", "Head of purchasing").await;

    // Choose columns, then save the list as a view shared with the team.
    c.goto(&format!("{}/contacts?sort=name", t.base))
        .await
        .unwrap();
    c.find(Locator::Css("details.columns summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("details.columns input[value=owner]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("#list-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#list thead", "Owner").await;
    c.find(Locator::Css("details.save-view summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    set_value(&c, "#view-name", "Everyone by name").await;
    c.find(Locator::Css("details.save-view button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "main h1", "Everyone by name").await;
    wait_text(&c, "nav.views", "Everyone by name").await;
    wait_text(&c, "#list thead", "Owner").await;
    shot(&c, "contacts-view-en", screenshots).await;

    // Owners see the administration page.
    c.goto(&format!("{}/admin", t.base)).await.unwrap();
    wait_text(&c, "main h1", "Administration").await;
    shot(&c, "admin-en", screenshots).await;

    // Persian, Jalali calendar, Persian digits: the whole page turns right-to-left.
    c.goto(&format!("{}/profile", t.base)).await.unwrap();
    c.find(Locator::Css("#language"))
        .await
        .unwrap()
        .select_by_value("fa")
        .await
        .unwrap();
    c.find(Locator::Css("#calendar"))
        .await
        .unwrap()
        .select_by_value("persian")
        .await
        .unwrap();
    c.find(Locator::Css("#digits"))
        .await
        .unwrap()
        .select_by_value("persian")
        .await
        .unwrap();
    set_value(&c, "#time_zone", "Asia/Tehran").await;
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "main h1", "تنظیمات شما").await;
    assert_eq!(html_attr(&c, "lang").await, "fa");
    assert_eq!(html_attr(&c, "dir").await, "rtl");
    c.goto(&format!("{}/contacts/{id}", t.base)).await.unwrap();
    // Born 1990-03-21: 1 Farvardin 1369.
    wait_text(&c, "main", "۱۳۶۹/۰۱/۰۱").await;
    wait_text(&c, "main", "تاریخ تولد").await;
    shot(&c, "card-fa", screenshots).await;
    c.goto(&format!("{}/contacts?sort=name", t.base))
        .await
        .unwrap();
    wait_text(&c, "main h1", "اشخاص").await;
    shot(&c, "contacts-fa", screenshots).await;

    c.goto(&format!("{}/companies/{company_id}", t.base))
        .await
        .unwrap();
    wait_text(&c, "main", "تصمیم‌گیرنده").await;
    shot(&c, "company-fa", screenshots).await;
    c.goto(&format!("{}/contacts/{id}/edit", t.base))
        .await
        .unwrap();
    set_value(&c, "#f-email_1", "نه-ایمیل").await;
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#e-email_1", "نشانی ایمیل معتبر نیست").await;
    shot(&c, "edit-error-fa", screenshots).await;

    // Import a spreadsheet: upload, the mapping with its preview, the job followed to its end.
    let csv = std::env::temp_dir().join(format!("temas-browser-{}.csv", uuid::Uuid::now_v7()));
    std::fs::write(
        &csv,
        "نام,نام خانوادگی,ایمیل\nنگار,صالحی,negar@example.ir\nبهرام,نیکو,bahram@example.ir\n",
    )
    .unwrap();
    c.goto(&format!("{}/imports", t.base)).await.unwrap();
    wait_css(&c, "#i-file")
        .await
        .send_keys(csv.to_str().unwrap())
        .await
        .unwrap();
    c.find(Locator::Css(
        "main form[action='/imports'] button[type=submit]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    wait_css(&c, "select#col-2").await;
    wait_text(&c, "table.mapping", "negar@example.ir").await;
    shot(&c, "import-mapping-fa", screenshots).await;
    c.find(Locator::Css("button[name=dry_run][value='0']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The progress line polls until the job is done, then the page reloads with the result.
    wait_css(&c, "#count-created").await;
    let created = c
        .find(Locator::Css("#count-created"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(created == "2" || created == "۲", "{created}");
    shot(&c, "import-done-fa", screenshots).await;
    let _ = std::fs::remove_file(&csv);

    // Duplicates: a scan started from its page, the queue it leaves, a group merged on its page and the merge undone.
    t.add_different_people(&t.owner_token).await;
    for (first, email) in [
        ("Maryam", "maryam.ahmadi@example.ir"),
        ("Mariam", "Maryam.Ahmadi@example.ir"),
    ] {
        t.contact_anyway(
            &t.owner_token,
            json!({"first_name": first, "last_name": "Ahmadi", "emails": [{"address": email}]}),
        )
        .await;
    }
    c.goto(&format!("{}/duplicates", t.base)).await.unwrap();
    c.find(Locator::Css("form[action='/duplicates/scans'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The progress line polls until the scan is done, then the page reloads with the queue.
    wait_css(&c, "#queue a.button").await;
    shot(&c, "duplicates-queue-fa", screenshots).await;
    c.find(Locator::Css("#queue a.button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_css(&c, "#merge").await;
    shot(&c, "duplicate-group-fa", screenshots).await;
    c.find(Locator::Css("#merge"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_css(&c, "#undo").await;
    c.find(Locator::Css("#undo"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_css(&c, "#dismiss").await;

    // A phone-sized window keeps the card usable.
    c.set_window_size(360, 780).await.unwrap();
    c.goto(&format!("{}/contacts/{id}", t.base)).await.unwrap();
    wait_text(&c, "main h1", "یاسمین کریمی").await;
    shot(&c, "card-fa-phone", screenshots).await;
    let too_wide = c
        .execute(
            "return Array.from(document.querySelectorAll('body *')).filter(e => { const r = e.getBoundingClientRect(); \
             return r.width > 0 && (r.right > window.innerWidth + 1 || r.left < -1); }).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().width)).slice(-8);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(too_wide, json!([]), "these stick out of a 360 px window");

    // Sign out ends the session.
    c.find(Locator::Css("form[action='/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_css(&c, "input[name=password]").await;
    c.goto(&format!("{}/contacts", t.base)).await.unwrap();
    wait_css(&c, "input[name=password]").await;
    c.close().await.unwrap();
}

async fn sign_in(c: &Client, base: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    set_value(c, "input[name=email]", "owner@acme.test").await;
    set_value(c, "input[name=password]", PASSWORD).await;
    press(c, Key::Enter).await;
    wait_text(c, "main h1", "Contacts").await;
}

async fn click(c: &Client, css: &str) {
    wait_css(c, css).await.click().await.unwrap();
}

/// A rep's sale in the web app: a lead added and converted into a contact, a company and a deal, the deal
/// dragged to the next stage on the board and won, the forecast following, an order recorded on the customer's
/// card and part of it returned, and a task for today done from "my day".
async fn a_sale_in_the_web_app(t: TestApp, screenshots: bool) {
    let made = t
        .post(
            &t.owner_token,
            "/api/v1/pipelines",
            json!({"name": "Sales", "stages": [{"name": "Qualified", "probability": 20},
                                                {"name": "Proposal", "probability": 60}]}),
        )
        .await;
    assert_eq!(made.status, reqwest::StatusCode::CREATED, "{}", made.body);
    let (_driver, c) = browser().await;
    sign_in(&c, &t.base).await;

    click(&c, "nav.main a[href='/leads']").await;
    wait_text(&c, "main h1", "Leads").await;
    set_value(&c, "#l-first", "Sara").await;
    set_value(&c, "#l-last", "Rahimi").await;
    set_value(&c, "#l-company", "Parsian Trading").await;
    set_value(&c, "#l-email", "not-an-email").await;
    click(&c, "#new-lead button[type=submit]").await;
    // Refused, with everything typed still there.
    wait_text(&c, ".notice.error", "email").await;
    let kept = wait_css(&c, "#l-company")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("Parsian Trading"));
    set_value(&c, "#l-email", "sara@parsian.example").await;
    click(&c, "#new-lead button[type=submit]").await;
    wait_text(&c, "main h1", "Sara Rahimi").await;
    set_value(&c, "#c-amount", "1000").await;
    click(&c, "#convert button[type=submit]:not([name])").await;
    wait_text(&c, "main h1", "Parsian Trading").await;
    wait_text(&c, "#deal-stage", "Qualified").await;

    // On the board, the card is dragged to the next stage.
    click(&c, "nav.main a[href='/deals']").await;
    wait_css(&c, ".column[data-stage=qualified] .deal-card").await;
    shot(&c, "deals-board", screenshots).await;
    c.execute(
        "const card = document.querySelector('.column[data-stage=qualified] .deal-card');
         const target = document.querySelector('.column[data-stage=proposal]');
         const dt = new DataTransfer();
         card.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: dt}));
         target.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: dt}));
         target.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: dt}));",
        vec![],
    )
    .await
    .unwrap();
    wait_css(&c, ".column[data-stage=proposal] .deal-card").await;
    click(&c, "nav.main a[href='/deals']").await;
    click(&c, "a[href='/forecast']").await;
    wait_text(&c, "#forecast-weighted", "600.00").await;

    click(&c, "nav.main a[href='/deals']").await;
    click(&c, ".deal-card a").await;
    wait_text(&c, "#deal-stage", "Proposal").await;
    c.find(Locator::Css("#dp-status option[value=won]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    set_value(&c, "#dp-reason", "Fast delivery").await;
    click(&c, "form:has(#dp-status) button[type=submit]").await;
    wait_text(&c, "#deal-status", "Won").await;
    c.goto(&format!("{}/forecast", t.base)).await.unwrap();
    wait_text(&c, "#forecast-won", "1000.00").await;
    shot(&c, "forecast", screenshots).await;

    // The customer's card: an order recorded, then one licence of two returned.
    c.back().await.unwrap();
    click(&c, "main ul a[href^='/contacts/']").await;
    click(&c, "#new-order summary").await;
    set_value(&c, "#o-d0", "Licence").await;
    set_value(&c, "#o-q0", "2").await;
    set_value(&c, "#o-p0", "400").await;
    click(&c, "#new-order button[type=submit]").await;
    wait_text(&c, "#metrics-orders", "1").await;
    wait_text(&c, "#metrics-total", "800.00").await;
    click(&c, "details.order summary").await;
    set_value(&c, "details.order input[name=quantity]", "1").await;
    set_value(
        &c,
        "details.order input[name=reason]",
        "damaged on delivery",
    )
    .await;
    click(&c, "details.order button[type=submit]").await;
    wait_text(&c, "#metrics-total", "400.00").await;
    // Once the workspace is scored, the card shows where the customer stands (the only buyer: 1 on each).
    let scored = t.post(&t.owner_token, "/api/v1/rfm/run", json!({})).await;
    assert_eq!(scored.status.as_u16(), 204, "{}", scored.body);
    c.refresh().await.unwrap();
    wait_text(&c, "#metrics-rfm", "111").await;
    // The other licence's box came crushed: a problem recorded on the line, open until it is settled.
    click(&c, "details.order summary").await;
    click(&c, "details.report-problem summary").await;
    set_value(
        &c,
        "details.report-problem input[name=description]",
        "box crushed",
    )
    .await;
    click(&c, "details.report-problem button[type=submit]").await;
    wait_text(&c, "tr.problem.open", "box crushed").await;
    wait_text(&c, "details.order summary .badge", "open problem").await;
    c.execute(
        "document.getElementById('purchases').scrollIntoView()",
        vec![],
    )
    .await
    .unwrap();
    shot(&c, "contact-purchases", screenshots).await;
    set_value(&c, "tr.problem input[name=note]", "new box sent").await;
    click(&c, "tr.problem button[type=submit]").await;
    wait_css(&c, "tr.problem:not(.open)").await;
    click(&c, "details.order summary").await;
    wait_text(&c, "tr.problem", "Replaced").await;
    // The invoice's scan kept with the order, then removed.
    let scan = std::env::temp_dir().join(format!("invoice-{}.pdf", uuid::Uuid::now_v7()));
    std::fs::write(&scan, b"%PDF-1.4 scan").unwrap();
    wait_css(&c, "form.attach input[type=file]")
        .await
        .send_keys(&scan.display().to_string())
        .await
        .unwrap();
    click(&c, "form.attach button[type=submit]").await;
    // The new page shows the order closed again (the old one had it open).
    click(&c, "details.order:not([open]) summary").await;
    wait_text(&c, "ul.files", "invoice-").await;
    let _ = std::fs::remove_file(&scan);
    click(&c, "ul.files button[type=submit]").await;
    click(&c, "details.order:not([open]) summary").await;
    wait_css(&c, "form.attach").await;
    assert!(c.find(Locator::Css("ul.files li")).await.is_err());

    // My day: a task due today shows, with the count beside the link, until it is done.
    click(&c, "nav.main a[href='/my-day']").await;
    wait_css(&c, "#my-day-empty").await;
    set_value(&c, "#t-title", "Send the contract").await;
    let today = temas_core::time::now().date_naive().to_string();
    set_value(&c, "#t-due", &today).await;
    click(&c, "form[action='/tasks'] button").await;
    wait_text(&c, "#my-day", "Send the contract").await;
    wait_text(&c, "nav.main a[href='/my-day'] .badge", "1").await;
    click(&c, "#my-day form button").await;
    wait_css(&c, "#my-day-empty").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_sale_in_the_web_app() {
    a_sale_in_the_web_app(spawn_app(temas_testdb::Backend::Sqlite).await, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_sale_in_the_web_app() {
    a_sale_in_the_web_app(spawn_app(temas_testdb::Backend::Postgres).await, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_working_day_in_the_web_app() {
    a_working_day_in_the_web_app(spawn_app(temas_testdb::Backend::Sqlite).await, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_working_day_in_the_web_app() {
    a_working_day_in_the_web_app(spawn_app(temas_testdb::Backend::Postgres).await, false).await;
}
