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

impl Drop for Cli {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
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

    let demo = cli.run(&["demo", "--contacts", "300"], &[], None);
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    assert!(cli.run(&["migrate"], &[], None).status.success());
    assert!(cli.run(&["check"], &[], None).status.success());

    let mut server = cli
        .command(&["serve", "--listen", "127.0.0.1:0"])
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
    let _ = server.kill();
    let _ = server.wait();
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
    let hits: serde_json::Value = reqwest::Client::new()
        .get(format!("{base}/api/v1/search?q=%D8%B9%D9%84%D9%8A"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        !hits["items"].as_array().unwrap().is_empty(),
        "Arabic-letter search finds demo Persian names"
    );
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
