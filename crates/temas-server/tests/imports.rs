//! Imports through the API, on both backends: upload, preview and guessed mapping, a dry run, the error report,
//! commit, rollback, as background jobs run by the real worker. Also the data quality report.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::*;
use temas_core::access::Role;
use temas_testdb::Backend;

/// A CSV as a Persian spreadsheet would have it: Persian headers, one bad email, one row repeating an email.
fn file(rows: usize) -> Vec<u8> {
    let mut csv = String::from("نام,نام خانوادگی,ایمیل,موبایل,شرکت\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "علی{i},رضایی,ali{i}@example.ir,0912{:07},شرکت {}\n",
            i,
            i % 7
        ));
    }
    csv.push_str("مریم,احمدی,not-an-email,09120000000,\n");
    csv.push_str("علی,تکراری,ali0@example.ir,,\n");
    csv.into_bytes()
}

/// Uploads a CSV and starts running it with `body` (mapping, match key, dry run): the import's id and the reply.
async fn upload_and_run(t: &TestApp, token: &str, csv: &str, body: Value) -> (String, Reply) {
    let up = t
        .upload(
            token,
            "/api/v1/imports?file_name=rows.csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.body);
    let id = up.body["id"].as_str().unwrap().to_owned();
    let run = t
        .post(token, &format!("/api/v1/imports/{id}/run"), body)
        .await;
    (id, run)
}

/// Polls an import until it leaves `status`, for at most a minute.
async fn wait_while(t: &TestApp, token: &str, id: &str, status: &str) -> Value {
    for _ in 0..600 {
        let r = t.get(token, &format!("/api/v1/imports/{id}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        if r.body["status"] != status {
            return r.body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("import {id} still {status} after a minute");
}

async fn upload_check_commit_and_roll_back(backend: Backend) {
    let t = spawn_app(backend).await;
    let owner = t.owner_token.clone();
    let rows = 2500;
    let up = t
        .upload(
            &owner,
            "/api/v1/imports?file_name=customers.csv",
            file(rows),
        )
        .await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.body);
    let id = up.body["id"].as_str().unwrap().to_owned();
    assert_eq!(up.body["status"], "uploaded");
    assert_eq!(up.body["headers"][2], "ایمیل");
    assert_eq!(up.body["preview"].as_array().unwrap().len(), 5);
    assert_eq!(
        up.body["mapping"],
        json!([
            "first_name",
            "last_name",
            "email",
            "phone:mobile",
            "company"
        ])
    );
    assert!(up.body["format"].as_str().unwrap().contains("UTF-8"));

    // A mapping naming a column the file lacks, or a field that does not exist, is refused field by field.
    let bad = t
        .post(
            &owner,
            &format!("/api/v1/imports/{id}/run"),
            json!({"mapping": {"Fax": "phone:fax", "شرکت": "galaxy"}, "dry_run": true}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, ["mapping.Fax", "mapping.شرکت"]);

    // A dry run: counts, nothing written.
    let run = t
        .post(
            &owner,
            &format!("/api/v1/imports/{id}/run"),
            json!({"dry_run": true, "match_on": "email"}),
        )
        .await;
    assert_eq!(run.status, StatusCode::ACCEPTED, "{}", run.body);
    let checked = wait_while(&t, &owner, &id, "checking").await;
    assert_eq!(checked["status"], "checked", "{checked}");
    let s = &checked["summary"];
    assert_eq!(s["rows"], rows + 2);
    assert_eq!(s["created"], rows);
    assert_eq!(s["failed"], 1);
    assert_eq!(
        s["skipped"], 1,
        "the repeated email is a duplicate inside the file"
    );
    assert_eq!(s["companies_created"], 7);
    assert_eq!(s["failed_rows"][0]["row"], rows + 2);
    assert!(t.search_ids(&owner, "ali17@example.ir").await.is_empty());

    // The error report: the failed row as it was, with the reason.
    let report = t.get(&owner, &format!("/api/v1/imports/{id}/errors")).await;
    assert_eq!(report.status, StatusCode::OK);
    let text = report.body.as_str().unwrap().to_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("\u{FEFF}نام,"));
    assert!(lines[0].ends_with(",error"));
    assert!(
        lines[1].starts_with("مریم,احمدی,not-an-email"),
        "{}",
        lines[1]
    );

    // Someone else's import is not found.
    let rep = t.user("rep@acme.test", Role::Member, None).await;
    let theirs = t.get(&rep, &format!("/api/v1/imports/{id}")).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);

    // Commit.
    let run = t
        .post(
            &owner,
            &format!("/api/v1/imports/{id}/run"),
            json!({"match_on": "email"}),
        )
        .await;
    assert_eq!(run.status, StatusCode::ACCEPTED, "{}", run.body);
    let done = wait_while(&t, &owner, &id, "running").await;
    assert_eq!(done["status"], "committed", "{done}");
    assert_eq!(done["summary"]["created"], rows);
    let found = t.search_ids(&owner, "ali17@example.ir").await;
    assert_eq!(found.len(), 1);
    let contact = t
        .get(&owner, &format!("/api/v1/contacts/{}", found[0]))
        .await;
    assert_eq!(contact.body["phones"][0]["e164"], "+989120000017");
    assert_eq!(contact.body["companies"].as_array().unwrap().len(), 1);

    // A committed import cannot run again; it can be rolled back.
    let again = t
        .post(&owner, &format!("/api/v1/imports/{id}/run"), json!({}))
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let back = t
        .post(&owner, &format!("/api/v1/imports/{id}/rollback"), json!({}))
        .await;
    assert_eq!(back.status, StatusCode::ACCEPTED, "{}", back.body);
    let undone = wait_while(&t, &owner, &id, "rolling_back").await;
    assert_eq!(undone["status"], "rolled_back", "{undone}");
    assert_eq!(undone["rollback"]["removed"], rows + 7);
    let gone = t
        .get(&owner, &format!("/api/v1/contacts/{}", found[0]))
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);

    let list = t.get(&owner, "/api/v1/imports").await;
    assert_eq!(list.body["items"][0]["id"], id.as_str());

    // A file with the same columns starts from the mapping and key used last time.
    let run = t
        .post(&owner, &format!("/api/v1/imports/{id}/run"), json!({}))
        .await;
    assert_eq!(
        run.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rolled back: not again"
    );
    let again = t
        .upload(&owner, "/api/v1/imports?file_name=more.csv", file(3))
        .await;
    assert_eq!(again.body["mapping_from"], id.as_str());
    assert_eq!(again.body["match_on"], "email");
}

#[tokio::test]
async fn sqlite_upload_check_commit_and_roll_back() {
    upload_check_commit_and_roll_back(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_upload_check_commit_and_roll_back() {
    upload_check_commit_and_roll_back(Backend::Postgres).await;
}

#[tokio::test]
async fn an_unreadable_upload_is_refused_with_the_reason() {
    let t = spawn_app(Backend::Sqlite).await;
    let owner = t.owner_token.clone();
    let broken = t
        .upload(
            &owner,
            "/api/v1/imports?file_name=book.xlsx",
            b"PK\x03\x04 not really a workbook".to_vec(),
        )
        .await;
    assert_eq!(
        broken.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        broken.body
    );
    assert_eq!(broken.error_fields(), ["file"]);
    let message = broken.body["errors"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("book.xlsx: "), "{message}");
}

async fn the_data_quality_report_counts_and_links_to_lists(backend: Backend) {
    let t = spawn_app(backend).await;
    let owner = t.owner_token.clone();
    let field = t
        .post(
            &owner,
            "/api/v1/custom-fields",
            json!({"entity": "contact", "key": "tier", "label": "Tier", "kind": "text"}),
        )
        .await;
    assert_eq!(field.status, StatusCode::CREATED, "{}", field.body);
    for body in [
        json!({"first_name": "Ali", "emails": [{"address": "ali@example.ir"}], "custom": {"tier": "gold"}}),
        json!({"first_name": "Sara", "emails": [{"address": "sara@example.ir", "opted_out": true}],
               "phones": [{"number": "0912 345 6789"}]}),
        json!({"first_name": "Reza", "phones": [{"number": "0912 34"}]}),
        json!({"last_name": "Nobody"}),
    ] {
        t.contact(&owner, body).await;
    }
    let r = t.get(&owner, "/api/v1/data-quality?stale_months=6").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["contacts"], 4);
    let count = |section: &str, check: &str| {
        r.body[section]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["check"] == check)
            .unwrap_or_else(|| panic!("{check} in {}", r.body))
            .clone()
    };
    assert_eq!(count("fields", "first_name")["count"], 3);
    assert_eq!(count("fields", "first_name")["percent"], 75);
    assert_eq!(count("fields", "email")["count"], 2);
    assert_eq!(count("fields", "custom.tier")["count"], 1);
    assert_eq!(count("problems", "no_email_or_phone")["count"], 1);
    assert_eq!(count("problems", "invalid_phone")["count"], 1);
    assert_eq!(count("problems", "opted_out_email")["count"], 1);
    assert_eq!(count("problems", "stale")["count"], 0);
    // The filter of a line lists exactly its contacts.
    let filter = count("problems", "invalid_phone")["filter"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = t
        .get(
            &owner,
            &format!("/api/v1/contacts?filter={}", urlencode(&filter)),
        )
        .await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["items"][0]["first_name"], "Reza");

    // The same filter exports its contacts: CSV with a BOM and the importer's headers, or a workbook.
    let csv = t
        .get(
            &owner,
            &format!(
                "/api/v1/contacts/export?format=csv&filter={}",
                urlencode(&filter)
            ),
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.headers["content-type"], "text/csv");
    let text = csv.body.as_str().unwrap().to_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("\u{FEFF}external_id,first_name,"),
        "{text}"
    );
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[1].starts_with(",Reza,"));
    let xlsx = t.get(&owner, "/api/v1/contacts/export?format=xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(
        xlsx.headers["content-disposition"]
            .to_str()
            .unwrap()
            .ends_with("contacts.xlsx\"")
    );
    let bad = t.get(&owner, "/api/v1/contacts/export?format=pdf").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_fields(), ["format"]);

    // A member sees the report over their own contacts only.
    let rep = t.user("rep@acme.test", Role::Member, None).await;
    let theirs = t.get(&rep, "/api/v1/data-quality").await;
    assert_eq!(theirs.body["contacts"], 0);
    let bad = t.get(&owner, "/api/v1/data-quality?stale_months=0").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn sqlite_the_data_quality_report_counts_and_links_to_lists() {
    the_data_quality_report_counts_and_links_to_lists(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_the_data_quality_report_counts_and_links_to_lists() {
    the_data_quality_report_counts_and_links_to_lists(Backend::Postgres).await;
}

async fn rows_update_the_contacts_with_the_same_custom_field_value(backend: Backend) {
    let t = spawn_app(backend).await;
    let owner = t.owner_token.clone();
    for (key, kind) in [("crm_id", "text"), ("score", "number")] {
        let r = t
            .post(
                &owner,
                "/api/v1/custom-fields",
                json!({"entity": "contact", "key": key, "label": key, "kind": kind}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let import = |csv: &'static str, match_on: &'static str| {
        upload_and_run(&t, &owner, csv, json!({"match_on": match_on}))
    };
    let (first, run) = import("crm_id,first_name\nA-1,Ali\nA-2,Sara\n", "none").await;
    assert_eq!(run.status, StatusCode::ACCEPTED, "{}", run.body);
    let done = wait_while(&t, &owner, &first, "running").await;
    assert_eq!(done["summary"]["created"], 2, "{done}");

    // A number field cannot be a key; an unknown one neither.
    let (_, bad) = import("crm_id,first_name\nA-1,Ali\n", "custom:score").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_fields(), ["match_on"]);
    let (_, unknown) = import("crm_id,first_name\nA-1,Ali\n", "custom:nope").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);

    let (second, run) = import(
        "crm_id,first_name\nA-2,Sarah\nA-3,Reza\nA-3,Reza again\n",
        "custom:crm_id",
    )
    .await;
    assert_eq!(run.status, StatusCode::ACCEPTED, "{}", run.body);
    let done = wait_while(&t, &owner, &second, "running").await;
    let s = &done["summary"];
    assert_eq!(
        (
            s["updated"].as_u64(),
            s["created"].as_u64(),
            s["skipped"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{done}"
    );
    assert_eq!(s["duplicate_rows"][0]["reason"], "the same crm_id as row 3");
    let list = t
        .get(&owner, "/api/v1/contacts?filter=custom.crm_id:eq:A-2")
        .await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["items"][0]["first_name"], "Sarah");

    // A call logged from a column counts as Ali's last contact, until the import is rolled back.
    let touched = "/api/v1/contacts?filter=days_since_last_contact:eq:0";
    let (calls, run) = upload_and_run(
        &t,
        &owner,
        "crm_id,first_name,summary\nA-1,Ali,Called about the renewal\n",
        json!({"match_on": "custom:crm_id", "mapping": {"crm_id": "custom:crm_id", "first_name": "first_name",
               "summary": "interaction:call"}}),
    )
    .await;
    assert_eq!(run.status, StatusCode::ACCEPTED, "{}", run.body);
    let done = wait_while(&t, &owner, &calls, "running").await;
    assert_eq!(done["summary"]["updated"], 1, "{done}");
    let names = |page: Reply| -> Vec<String> {
        page.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["first_name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(t.get(&owner, touched).await), ["Ali"]);
    let back = t
        .post(
            &owner,
            &format!("/api/v1/imports/{calls}/rollback"),
            json!({}),
        )
        .await;
    assert_eq!(back.status, StatusCode::ACCEPTED, "{}", back.body);
    let undone = wait_while(&t, &owner, &calls, "rolling_back").await;
    assert_eq!(undone["status"], "rolled_back", "{undone}");
    assert!(names(t.get(&owner, touched).await).is_empty());
}

#[tokio::test]
async fn sqlite_rows_update_the_contacts_with_the_same_custom_field_value() {
    rows_update_the_contacts_with_the_same_custom_field_value(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_rows_update_the_contacts_with_the_same_custom_field_value() {
    rows_update_the_contacts_with_the_same_custom_field_value(Backend::Postgres).await;
}

/// A dry run flags, with the duplicate engine, a row that probably is a contact already in the base (another
/// email, a misspelled name, the same phone) and a row that probably repeats an earlier row of the file (the same
/// person in Persian script, the email in other letter case); the unrelated row is not flagged. Rows are not
/// matched on a key here, so only the engine sees the repeat.
async fn a_dry_run_flags_probable_duplicates(backend: Backend) {
    let t = spawn_app(backend).await;
    let owner = t.owner_token.clone();
    let existing = t
        .contact(
            &owner,
            json!({"first_name": "Maryam", "last_name": "Ahmadi",
            "emails": [{"address": "maryam@example.ir"}], "phones": [{"number": "+98 912 345 6789"}]}),
        )
        .await;
    let csv = "first_name,last_name,email,phone\n\
               Mariam,Ahmadi,m.ahmadi@other.ir,09123456789\n\
               Reza,Karimi,reza@karimi.ir,09351112233\n\
               رضا,کریمی,Reza@Karimi.ir,0935 111 2233\n\
               Olga,Petrova,olga@petrova.ru,+7 903 555 0101\n";
    let (id, run) = upload_and_run(
        &t,
        &owner,
        csv,
        json!({"dry_run": true, "match_on": "none"}),
    )
    .await;
    assert_eq!(run.status, StatusCode::ACCEPTED, "{}", run.body);
    let checked = wait_while(&t, &owner, &id, "checking").await;
    let s = &checked["summary"];
    assert_eq!(s["created"], 4, "{checked}");
    assert_eq!(s["likely_duplicates"], 1, "{checked}");
    assert_eq!(s["probable_duplicates_in_file"], 1, "{checked}");
    let reasons: Vec<(u64, String)> = s["duplicate_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["row"].as_u64().unwrap(),
                d["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let existing_id = existing["id"].as_str().unwrap();
    assert!(
        reasons
            .iter()
            .any(|(row, why)| *row == 2 && why.contains(existing_id)),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|(row, why)| *row == 4 && why.contains("row 3")),
        "{reasons:?}"
    );
    assert_eq!(reasons.len(), 2, "{reasons:?}");
}

#[tokio::test]
async fn sqlite_a_dry_run_flags_probable_duplicates() {
    a_dry_run_flags_probable_duplicates(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_a_dry_run_flags_probable_duplicates() {
    a_dry_run_flags_probable_duplicates(Backend::Postgres).await;
}
