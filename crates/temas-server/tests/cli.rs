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
