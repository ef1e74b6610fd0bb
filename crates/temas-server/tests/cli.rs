//! The command-line contract, run through the real `temas` binary on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};
use temas_testdb::{Backend, TestDb};

struct Cli {
    db: TestDb,
    dir: std::path::PathBuf,
}

impl Cli {
    async fn new(backend: Backend) -> Cli {
        let dir = std::env::temp_dir().join(format!("temas-cli-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        Cli {
            db: TestDb::new(backend).await,
            dir,
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_temas"));
        c.args(["--database-url", &self.db.url])
            .args(args)
            .env("TEMAS_LOG", "warn")
            .env_remove("TEMAS_ADMIN_PASSWORD");
        c
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
        let mut c = self.command(args);
        for (k, v) in env {
            c.env(k, v);
        }
        c.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().expect("spawn temas");
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    }
}

impl Cli {
    /// Starts `temas serve` on a random port; returns the process and its base URL.
    fn serve(&self, env: &[(&str, &str)]) -> (std::process::Child, String) {
        let mut c = self.command(&["serve", "--listen", "127.0.0.1:0"]);
        for (k, v) in env {
            c.env(k, v);
        }
        let mut server = c
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(server.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line.trim().rsplit(' ').next().unwrap().to_owned();
        assert!(base.starts_with("http://127.0.0.1:"), "{line}");
        (server, base)
    }
}

impl Drop for Cli {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `GET /api/v1/search?q=` (already URL-encoded) as JSON.
async fn search(base: &str, token: &str, q: &str) -> serde_json::Value {
    get_json(base, token, &format!("/api/v1/search?q={q}")).await
}

async fn get_json(base: &str, token: &str, path: &str) -> serde_json::Value {
    reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The ids of the contacts with a last contact, most recent first, and of those who bought, by spend: what a
/// workspace's metrics make of its interactions and orders.
async fn metric_lists(base: &str, token: &str) -> Vec<Vec<String>> {
    let mut lists = Vec::new();
    for path in [
        "/api/v1/contacts?filter=last_contact_at:notempty&sort=-last_contact_at&limit=500",
        "/api/v1/contacts?filter=orders_count:gte:1&sort=-total_spent_minor&limit=500",
        "/api/v1/contacts?filter=favourite_category:eq:Rugs&sort=-total_spent_converted_minor&limit=500",
    ] {
        let page = get_json(base, token, path).await;
        let ids = page["items"].as_array().unwrap().iter();
        lists.push(ids.map(|c| c["id"].as_str().unwrap().to_owned()).collect());
    }
    lists
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

async fn init_users_tokens_and_serve(backend: Backend) {
    let cli = Cli::new(backend).await;
    let bad = cli.run(
        &[
            "init",
            "--workspace",
            "Acme",
            "--admin-email",
            "not-an-email",
        ],
        &[("TEMAS_ADMIN_PASSWORD", "long enough pw")],
        None,
    );
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("email"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );

    let init = cli.run(
        &[
            "init",
            "--workspace",
            "Acme",
            "--admin-email",
            "owner@acme.test",
            "--default-region",
            "TR",
            "--default-currency",
            "TRY",
        ],
        &[("TEMAS_ADMIN_PASSWORD", "long enough pw")],
        None,
    );
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let user = cli.run(
        &[
            "user",
            "create",
            "--email",
            "rep@acme.test",
            "--role",
            "member",
            "--team",
            "istanbul",
        ],
        &[],
        Some("another long pw\n"),
    );
    assert!(
        user.status.success(),
        "{}",
        String::from_utf8_lossy(&user.stderr)
    );
    let token = cli.run(&["token", "create", "--email", "rep@acme.test"], &[], None);
    assert!(token.status.success());
    let token = stdout(&token);
    assert_eq!(
        token.lines().count(),
        1,
        "token create prints the token and nothing else: {token:?}"
    );
    let token = token.trim().to_owned();
    assert!(token.starts_with("tms_"));

    let demo = cli.run(
        &["demo", "--contacts", "300", "--orders", "1000"],
        &[],
        None,
    );
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let migrate = cli.run(&["migrate"], &[], None);
    assert!(migrate.status.success());
    // Everything was applied when the database was first opened.
    assert!(String::from_utf8_lossy(&migrate.stdout).starts_with("0 migration(s) applied"));
    assert!(cli.run(&["check"], &[], None).status.success());

    let (mut server, base) = cli.serve(&[]);
    let client = reqwest::Client::new();
    let me: serde_json::Value = client
        .get(format!("{base}/api/v1/users/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "rep@acme.test");
    assert_eq!(me["role"], "member");
    let owner_token = stdout(&cli.run(
        &["token", "create", "--email", "owner@acme.test"],
        &[],
        None,
    ))
    .trim()
    .to_owned();
    let page: serde_json::Value = client
        .get(format!("{base}/api/v1/contacts?limit=500"))
        .bearer_auth(&owner_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 300);
    demo_orders_are_counted(&client, &base, &owner_token).await;
    let _ = server.kill();
    let _ = server.wait();
}

/// The demo's 1,000 orders are all there, and its best customer's metrics as lists keep them agree with those
/// the card computes from their orders.
async fn demo_orders_are_counted(client: &reqwest::Client, base: &str, token: &str) {
    let get = |path: String| {
        let request = client.get(format!("{base}{path}")).bearer_auth(token);
        async move {
            let response = request.send().await.unwrap();
            assert!(response.status().is_success(), "{path}");
            response.json::<serde_json::Value>().await.unwrap()
        }
    };
    let mut orders = 0;
    let mut cursor = String::new();
    loop {
        let page = get(format!("/api/v1/orders?limit=500{cursor}")).await;
        orders += page["items"].as_array().unwrap().len();
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(orders, 1000);
    let products = get("/api/v1/products?limit=100".into()).await;
    assert_eq!(products["items"].as_array().unwrap().len(), 20);

    let best = get("/api/v1/contacts?sort=-orders_count&limit=1".into()).await;
    let id = best["items"][0]["id"].as_str().unwrap().to_owned();
    let card = get(format!("/api/v1/contacts/{id}")).await;
    let bought = card["metrics"]["orders_count"].as_u64().unwrap();
    assert!(bought > 10, "the first customers buy most: {card}");
    assert!(card["metrics"]["favourite_category"].is_string(), "{card}");
    let same = get(format!(
        "/api/v1/contacts?filter=orders_count:eq:{bought}&sort=-orders_count&limit=100"
    ))
    .await;
    assert!(
        same["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id.as_str()),
        "the list's orders_count is the card's {bought}"
    );
}

#[tokio::test]
async fn sqlite_init_users_tokens_and_serve() {
    init_users_tokens_and_serve(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_init_users_tokens_and_serve() {
    init_users_tokens_and_serve(Backend::Postgres).await;
}

#[tokio::test]
async fn serve_demo_fills_an_empty_database_and_backup_verifies() {
    let cli = Cli::new(Backend::Sqlite).await;
    let mut server = cli
        .command(&["serve", "--demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(server.stdout.take().unwrap());
    let mut lines = Vec::new();
    for _ in 0..3 {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        lines.push(line.trim().to_owned());
    }
    assert!(lines[0].contains("sign in as"), "{lines:?}");
    let token = lines[1].strip_prefix("API token: ").unwrap().to_owned();
    let base = lines[2].rsplit(' ').next().unwrap().to_owned();
    let hits = search(&base, &token, "%D8%B9%D9%84%D9%8A").await;
    assert!(
        !hits["items"].as_array().unwrap().is_empty(),
        "Arabic-letter search finds demo Persian names"
    );
    // The sales pages have something to show: deals in the forecast, leads, orders on customers' cards.
    let get = |path: &str| {
        reqwest::Client::new()
            .get(format!("{base}{path}"))
            .bearer_auth(&token)
            .send()
    };
    let forecast: serde_json::Value = get("/api/v1/forecast").await.unwrap().json().await.unwrap();
    assert!(
        forecast["total"]["open_deals"].as_u64().unwrap() > 5,
        "{forecast}"
    );
    assert!(
        forecast["total"]["won_deals"].as_u64().unwrap() > 0,
        "{forecast}"
    );
    let leads: serde_json::Value = get("/api/v1/leads").await.unwrap().json().await.unwrap();
    assert_eq!(leads["items"].as_array().unwrap().len(), 6);
    let orders: serde_json::Value = get("/api/v1/orders?filter=status:eq:paid")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!orders["items"].as_array().unwrap().is_empty());
    let backup = cli.dir.join("backup.db");
    let out = cli.run(&["backup", "--to", backup.to_str().unwrap()], &[], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout(&out).contains("verified"));
    let _ = server.kill();
    let _ = server.wait();
}

/// Windows-1256, semicolons and CRLF, as Excel saves "CSV" on a Persian Windows; the Arabic yeh (ي) stands in for
/// the Persian one, which the code page lacks.
fn persian_excel_csv(rows: &[&str]) -> Vec<u8> {
    let text = rows.join("\r\n") + "\r\n";
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1256.encode(&text);
    assert!(!unmappable, "{text}");
    bytes.into_owned()
}

fn lines(o: &Output) -> Vec<String> {
    stdout(o).lines().map(str::to_owned).collect()
}

fn count(o: &Output, label: &str) -> u64 {
    lines(o)
        .iter()
        .find_map(|l| l.strip_prefix(&format!("{label}: ")).map(str::to_owned))
        .unwrap_or_else(|| panic!("no {label:?} in {}", stdout(o)))
        .parse()
        .unwrap()
}

async fn import_dry_run_commit_update_and_roll_back(backend: Backend) {
    let cli = Cli::new(backend).await;
    let pw = [("TEMAS_ADMIN_PASSWORD", "a long enough password")];
    let init = cli.run(
        &[
            "init",
            "--workspace",
            "Acme",
            "--admin-email",
            "o@acme.test",
            "--default-region",
            "IR",
        ],
        &pw,
        None,
    );
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let file = cli.dir.join("customers.csv");
    std::fs::write(
        &file,
        persian_excel_csv(&[
            "نام;نام خانوادگي;ايميل;موبايل;شرکت;تاريخ تولد",
            "ياسمين;کريمي;yasmin@example.ir;0912 345 6789;پارس;1369/01/01",
            "علي;رضايي;ali@example;0912 111 2233;پارس;1370/02/02",
            "مريم;احمدي;maryam@example.ir;09121112244;;",
            "تکراري;;yasmin@example.ir;;;",
        ]),
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let import = |extra: &[&str]| {
        let mut args = vec!["import", path, "--match-on", "email"];
        args.extend_from_slice(extra);
        let out = cli.run(&args, &[], None);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };

    let dry = import(&["--dry-run"]);
    let text = stdout(&dry);
    assert!(
        text.starts_with("dry run: delimited text, windows-1256, separated by ';' (4 rows)"),
        "{text}"
    );
    assert!(
        text.contains("ايميل -> email") && text.contains("شرکت -> company"),
        "{text}"
    );
    assert_eq!(
        (count(&dry, "would create"), count(&dry, "would update")),
        (2, 0)
    );
    assert_eq!((count(&dry, "skipped"), count(&dry, "failed")), (1, 1));
    assert!(text.contains("row 3: emails[0].address"), "{text}");
    assert!(text.contains("row 5: the same email as row 2"), "{text}");
    assert_eq!(
        count(&import(&["--dry-run"]), "would create"),
        2,
        "a dry run changes nothing"
    );

    let first = import(&[]);
    let first_id = lines(&first).last().unwrap().clone();
    assert!(
        uuid::Uuid::parse_str(&first_id).is_ok(),
        "the id on the last line: {first_id}"
    );
    assert_eq!(
        (count(&first, "created"), count(&first, "companies created")),
        (2, 1)
    );
    let report = std::fs::read_to_string(cli.dir.join("customers.errors.csv")).unwrap();
    assert!(report.starts_with('\u{FEFF}'), "a BOM for Excel");
    assert!(
        report.contains("علي,رضايي,ali@example") && report.contains("the domain after @"),
        "{report}"
    );

    // Exports read back in: the same two contacts, matched on email, nothing new.
    for (format, name) in [("csv", "out.csv"), ("xlsx", "out.xlsx")] {
        let out_path = cli.dir.join(name);
        let out_file = out_path.to_str().unwrap();
        let export = cli.run(
            &[
                "export", "--entity", "contacts", "--format", format, "--out", out_file,
            ],
            &[],
            None,
        );
        assert!(
            export.status.success(),
            "{}",
            String::from_utf8_lossy(&export.stderr)
        );
        let back = cli.run(
            &["import", out_file, "--match-on", "email", "--dry-run"],
            &[],
            None,
        );
        assert!(
            back.status.success(),
            "{}",
            String::from_utf8_lossy(&back.stderr)
        );
        assert_eq!(
            (
                count(&back, "would create"),
                count(&back, "would update"),
                count(&back, "failed")
            ),
            (0, 2, 0),
            "{format}: {}",
            stdout(&back)
        );
    }
    let cp1256 = cli.run(
        &["export", "--format", "csv", "--encoding", "windows-1256"],
        &[],
        None,
    );
    let (text, _, bad) = encoding_rs::WINDOWS_1256.decode(&cp1256.stdout);
    assert!(!bad && text.contains("ياسمين"), "{text}");
    let cards = stdout(&cli.run(&["export", "--format", "vcf"], &[], None));
    assert_eq!(
        cards.matches("BEGIN:VCARD\r\nVERSION:4.0\r\n").count(),
        2,
        "{cards}"
    );
    assert!(
        cards.contains("TEL;VALUE=uri;TYPE=\"cell\";PREF=1:tel:+989123456789"),
        "{cards}"
    );

    // The same file again, matched on email: the two contacts are updated, not duplicated.
    let again = import(&[]);
    let again_id = lines(&again).last().unwrap().clone();
    assert_eq!((count(&again, "created"), count(&again, "updated")), (0, 2));

    for id in [&again_id, &first_id] {
        let out = cli.run(&["import", "--rollback", id], &[], None);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout(&out).contains("rolled back import"),
            "{}",
            stdout(&out)
        );
    }
    let after = import(&["--dry-run"]);
    assert_eq!(
        (
            count(&after, "would create"),
            count(&after, "would update"),
            count(&after, "companies to create")
        ),
        (2, 0, 1),
        "the base is as before the imports"
    );
    let twice = cli.run(&["import", "--rollback", &first_id], &[], None);
    assert!(!twice.status.success(), "an import is rolled back once");

    // External ids must be new unless rows are matched on them: a repeat in the file fails its row.
    let ids = cli.dir.join("ids.csv");
    std::fs::write(&ids, "external_id,name\ncrm-1,Ada\ncrm-1,Bob\ncrm-2,Cem\n").unwrap();
    let out = cli.run(&["import", ids.to_str().unwrap()], &[], None);
    assert_eq!(
        (count(&out, "created"), count(&out, "failed")),
        (2, 1),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("row 3: external_id: the same as row 2"),
        "{}",
        stdout(&out)
    );
    let again = cli.run(&["import", ids.to_str().unwrap(), "--dry-run"], &[], None);
    assert_eq!(count(&again, "failed"), 3, "{}", stdout(&again));
    let matched = cli.run(
        &[
            "import",
            ids.to_str().unwrap(),
            "--dry-run",
            "--match-on",
            "external_id",
        ],
        &[],
        None,
    );
    assert_eq!(
        (count(&matched, "would update"), count(&matched, "skipped")),
        (2, 1),
        "{}",
        stdout(&matched)
    );

    // Unknown columns become custom fields on request, and come back out in exports.
    let shoes = cli.dir.join("shoes.csv");
    std::fs::write(&shoes, "name,Shoe size\nAda Lovelace,38\n").unwrap();
    let dry = cli.run(
        &[
            "import",
            shoes.to_str().unwrap(),
            "--new-fields",
            "--dry-run",
        ],
        &[],
        None,
    );
    assert!(
        stdout(&dry).contains("would add custom fields for: Shoe size"),
        "{}",
        stdout(&dry)
    );
    let out = cli.run(
        &["import", shoes.to_str().unwrap(), "--new-fields"],
        &[],
        None,
    );
    assert!(
        stdout(&out).contains("custom fields added for: Shoe size"),
        "{}",
        stdout(&out)
    );
    assert_eq!(count(&out, "created"), 1, "{}", stdout(&out));
    let csv = stdout(&cli.run(&["export", "--format", "csv"], &[], None));
    assert!(
        csv.contains("custom:shoe_size") && csv.contains(",38,"),
        "{csv}"
    );
}

#[tokio::test]
async fn sqlite_import_dry_run_commit_update_and_roll_back() {
    import_dry_run_commit_update_and_roll_back(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_import_dry_run_commit_update_and_roll_back() {
    import_dry_run_commit_update_and_roll_back(Backend::Postgres).await;
}

/// An import job whose server is killed part-way goes on from its last checkpoint when a server starts again:
/// every row ends up imported once.
async fn an_import_cut_short_by_a_crash_goes_on_after_a_restart(backend: Backend) {
    let cli = Cli::new(backend).await;
    let init = cli.run(
        &[
            "init",
            "--workspace",
            "Acme",
            "--admin-email",
            "o@acme.test",
        ],
        &[("TEMAS_ADMIN_PASSWORD", "a long enough password")],
        None,
    );
    assert!(init.status.success());
    let token = stdout(&cli.run(&["token", "create", "--email", "o@acme.test"], &[], None))
        .trim()
        .to_owned();
    let rows = 30_000;
    let mut csv = String::from("first_name,last_name,email\n");
    for i in 0..rows {
        csv.push_str(&format!("Ada{i},Lovelace,ada{i}@example.com\n"));
    }
    let lease = [("TEMAS_JOB_LEASE_SECS", "3")];
    let (mut server, base) = cli.serve(&lease);
    let client = reqwest::Client::new();
    let up: serde_json::Value = client
        .post(format!("{base}/api/v1/imports?file_name=big.csv"))
        .bearer_auth(&token)
        .body(csv)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = up["id"].as_str().unwrap().to_owned();
    let started = client
        .post(format!("{base}/api/v1/imports/{id}/run"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"match_on": "email"}))
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), reqwest::StatusCode::ACCEPTED);
    let status = |base: String| {
        let client = client.clone();
        let token = token.clone();
        let id = id.clone();
        async move {
            client
                .get(format!("{base}/api/v1/imports/{id}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    // Kill the server once a few batches are in.
    let mut seen = serde_json::Value::Null;
    for _ in 0..1200 {
        seen = status(base.clone()).await;
        if seen["summary"]["rows"].as_u64().unwrap_or(0) >= 3000 || seen["status"] != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    server.kill().unwrap();
    let _ = server.wait();
    assert_eq!(
        seen["status"], "running",
        "interrupted while running: {seen}"
    );
    let at_crash = seen["summary"]["rows"].as_u64().unwrap();
    assert!(at_crash < rows, "{seen}");

    let (mut server, base) = cli.serve(&lease);
    let mut done = serde_json::Value::Null;
    for _ in 0..1200 {
        done = status(base.clone()).await;
        if done["status"] != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(done["status"], "committed", "{done}");
    assert_eq!(done["summary"]["rows"], rows);
    assert_eq!(done["summary"]["created"], rows);
    assert_eq!(done["summary"]["failed"], 0);

    let out = cli.dir.join("all.csv");
    let export = cli.run(
        &[
            "export",
            "--entity",
            "contacts",
            "--format",
            "csv",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
        None,
    );
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let emails: std::collections::HashSet<&str> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').find(|c| c.contains('@')))
        .collect();
    assert_eq!(
        text.lines().count() as u64,
        rows + 1,
        "no row twice, none missing"
    );
    assert_eq!(emails.len() as u64, rows);
}

#[tokio::test]
async fn sqlite_an_import_cut_short_by_a_crash_goes_on_after_a_restart() {
    an_import_cut_short_by_a_crash_goes_on_after_a_restart(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_an_import_cut_short_by_a_crash_goes_on_after_a_restart() {
    an_import_cut_short_by_a_crash_goes_on_after_a_restart(Backend::Postgres).await;
}

/// Initialises a workspace (owner o@acme.test) and returns an owner's token.
fn init_acme(cli: &Cli) -> String {
    let init = cli.run(
        &[
            "init",
            "--workspace",
            "Acme",
            "--admin-email",
            "o@acme.test",
            "--default-region",
            "IR",
        ],
        &[("TEMAS_ADMIN_PASSWORD", "a long enough password")],
        None,
    );
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    stdout(&cli.run(&["token", "create", "--email", "o@acme.test"], &[], None))
        .trim()
        .to_owned()
}

/// The rows of a dump, sorted (row order within a table is the database's), without its header line.
fn dump_rows(path: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut rows: Vec<String> = text.lines().skip(1).map(str::to_owned).collect();
    rows.sort();
    rows
}

#[tokio::test]
async fn a_workspace_dump_round_trips_sqlite_postgres_sqlite() {
    let first = Cli::new(Backend::Sqlite).await;
    let token = init_acme(&first);
    let demo = first.run(&["demo", "--contacts", "120"], &[], None);
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let file = first.dir.join("customers.csv");
    std::fs::write(
        &file,
        persian_excel_csv(&[
            "نام;نام خانوادگي;ايميل;موبايل;شرکت",
            "ياسمين;کريمي;yasmin@example.ir;0912 345 6789;پارس",
        ]),
    )
    .unwrap();
    let import = first.run(&["import", file.to_str().unwrap()], &[], None);
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    // A purchase, so that the order metrics have something to carry over.
    let (mut server, base) = first.serve(&[]);
    let buyer = search(&base, &token, "yasmin").await["items"][0]["id"].clone();
    let post = |path: &str, body: serde_json::Value| {
        reqwest::Client::new()
            .post(format!("{base}{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let carpet = post(
        "/api/v1/products",
        serde_json::json!({"name": "Kashan carpet", "category": "Rugs"}),
    )
    .await
    .unwrap();
    assert_eq!(carpet.status(), reqwest::StatusCode::CREATED);
    let carpet = carpet.json::<serde_json::Value>().await.unwrap()["id"].clone();
    let order = post(
        "/api/v1/orders",
        serde_json::json!({"contact_id": buyer, "currency": "USD", "status": "paid",
            "lines": [{"product_id": carpet, "unit_price": "1800"}]}),
    )
    .await
    .unwrap();
    assert_eq!(order.status(), reqwest::StatusCode::CREATED);
    let metrics = metric_lists(&base, &token).await;
    let _ = server.kill();
    let _ = server.wait();
    assert!(
        metrics[0].len() > 50 && metrics[1].len() == 1 && metrics[2] == metrics[1],
        "{metrics:?}"
    );

    let dump = |cli: &Cli, name: &str| {
        let out = cli.dir.join(name);
        let o = cli.run(
            &[
                "export",
                "--format",
                "jsonl",
                "--out",
                out.to_str().unwrap(),
            ],
            &[],
            None,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out
    };
    let load = |cli: &Cli, file: &std::path::Path| {
        let o = cli.run(&["import", file.to_str().unwrap()], &[], None);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        stdout(&o)
    };
    let a = dump(&first, "a.jsonl");
    let second = Cli::new(Backend::Postgres).await;
    let said = load(&second, &a);
    assert!(said.starts_with("loaded workspace Acme: "), "{said}");
    let b = dump(&second, "b.jsonl");
    let third = Cli::new(Backend::Sqlite).await;
    load(&third, &b);
    let c = dump(&third, "c.jsonl");
    let rows = dump_rows(&a);
    assert!(
        rows.len() > 600,
        "records, terms, links, history, users: {}",
        rows.len()
    );
    assert_eq!(rows, dump_rows(&b), "SQLite to PostgreSQL loses nothing");
    assert_eq!(rows, dump_rows(&c), "and back to SQLite neither");

    // The loaded workspace works: its token signs in, search finds what the import brought, by a word's start
    // (the term index) and by a fragment inside it (the trigram index, which loading fills).
    let (mut server, base) = third.serve(&[]);
    let by_start = search(&base, &token, "yasmin").await;
    let by_fragment = search(&base, &token, "asmi").await;
    // The metrics are not in the dump: loading computed them again from the interactions and orders (the orders
    // converted into the workspace's currency again, for the converted spend and the favourites).
    let loaded_metrics = metric_lists(&base, &token).await;
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(
        by_start["items"].as_array().map(Vec::len),
        Some(1),
        "{by_start}"
    );
    let details: Vec<&str> = by_fragment["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["detail"].as_str())
        .collect();
    assert!(details.contains(&"yasmin@example.ir"), "{by_fragment}");
    assert_eq!(loaded_metrics, metrics);
    let check = third.run(&["check"], &[], None);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    // A database holding the workspace, or a file cut short, is refused.
    let again = third.run(&["import", b.to_str().unwrap()], &[], None);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds"));
    let text = std::fs::read_to_string(&a).unwrap();
    let cut = first.dir.join("cut.jsonl");
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    let fourth = Cli::new(Backend::Sqlite).await;
    let refused = fourth.run(&["import", cut.to_str().unwrap()], &[], None);
    assert!(!refused.status.success());
    let why = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert!(why.contains("cut off") || why.contains("line"), "{why}");
}

async fn dedupe_proposes_groups_as_csv(backend: Backend) {
    let cli = Cli::new(backend).await;
    let token = init_acme(&cli);
    let mut rows = vec!["external_id,first_name,last_name,email,phone,birth_date,city".to_owned()];
    let given = [
        "Ali", "Maryam", "Olga", "Ivan", "Ayşe", "Mehmet", "John", "Sarah", "Omar", "Zahra",
    ];
    let family = [
        "Karimi", "Petrov", "Yilmaz", "Smith", "Haddad", "Demir", "Brown", "Kaya",
    ];
    for (i, g) in given.iter().enumerate() {
        for (j, f) in family.iter().enumerate() {
            let n = i * family.len() + j;
            rows.push(format!(
                "base-{n},{g},{f},{}.{}{n}@example.com,+98 912 {:03} {:04},19{:02}-{:02}-{:02},Tehran",
                g.to_lowercase(),
                f.to_lowercase(),
                n % 997,
                (n * 37) % 10_000,
                40 + n % 60,
                1 + n % 12,
                1 + n % 28
            ));
        }
    }
    rows.extend(
        [
            "latin,Reza,Ahmadi,,+98 935 111 2233,1980-03-12,Tehran",
            "persian,رضا,احمدی,,0935 111 2233,1980-03-12,تهران",
            "typo-a,Olga,Smirnova,olga.s@mail.ru,+7 903 555 0101,1975-04-09,Moscow",
            "typo-b,Olga,Smirnva,olga.s@mail.ru,,1975-09-04,Moscow",
            "father,Kamran,Jafari,kamran@jafari.ir,+98 21 8888 7777,1961-01-01,Tehran",
            "daughter,Shirin,Jafari,shirin@jafari.ir,+98 21 8888 7777,1995-06-20,Tehran",
        ]
        .map(str::to_owned),
    );
    let file = cli.dir.join("people.csv");
    std::fs::write(&file, rows.join("\n")).unwrap();
    let import = cli.run(&["import", file.to_str().unwrap()], &[], None);
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );

    let out = cli.run(
        &["dedupe", "--entity", "contacts", "--format", "csv"],
        &[],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("group_id,record_id,external_id,score"));
    let mut groups: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), 4, "{line}");
        assert!(uuid::Uuid::parse_str(cells[1]).is_ok(), "{line}");
        let score: f64 = cells[3].parse().unwrap();
        assert!((0.5..=1.0).contains(&score), "{line}");
        groups
            .entry(cells[0].to_owned())
            .or_default()
            .push(cells[2].to_owned());
    }
    let mut found: Vec<Vec<String>> = groups
        .into_values()
        .map(|mut g| {
            g.sort();
            g
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![vec!["latin", "persian"], vec!["typo-a", "typo-b"]],
        "{text}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("86 contacts scanned"), "{err}");

    let companies = cli.run(&["dedupe", "--entity", "companies"], &[], None);
    assert!(companies.status.success());
    assert_eq!(
        stdout(&companies).trim(),
        "group_id,record_id,external_id,score"
    );
    let wrong = cli.run(&["dedupe", "--entity", "deals"], &[], None);
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("--entity deals"));

    // --apply merges only at the workspace's chosen confidence, and refuses without one.
    let unset = cli.run(&["dedupe", "--apply"], &[], None);
    assert!(!unset.status.success());
    assert!(String::from_utf8_lossy(&unset.stderr).contains("auto-merge confidence"));
    let (mut server, base) = cli.serve(&[]);
    let set = reqwest::Client::new()
        .patch(format!("{base}/api/v1/workspace"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"auto_merge_confidence": 0.9}))
        .send()
        .await
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(set.status(), reqwest::StatusCode::OK);
    let applied = cli.run(&["dedupe", "--apply"], &[], None);
    let err = String::from_utf8_lossy(&applied.stderr);
    assert!(applied.status.success(), "{err}");
    assert!(err.contains("2 groups merged"), "{err}");
    let after = cli.run(&["dedupe"], &[], None);
    assert_eq!(
        stdout(&after).trim(),
        "group_id,record_id,external_id,score"
    );
    assert!(String::from_utf8_lossy(&after.stderr).contains("84 contacts scanned"));
}

#[tokio::test]
async fn sqlite_dedupe_proposes_groups_as_csv() {
    dedupe_proposes_groups_as_csv(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_dedupe_proposes_groups_as_csv() {
    dedupe_proposes_groups_as_csv(Backend::Postgres).await;
}
