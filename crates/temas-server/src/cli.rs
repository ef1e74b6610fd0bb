//! Command-line contract: `temas [--data-dir DIR] [--database-url URL] <command>`.

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;
use temas_core::access::Role;
use temas_service::admin::InitWorkspace;
use temas_service::{App, AppError};
use temas_store::StoreConfig;

#[derive(Parser)]
#[command(name = "temas", version, about = "Temas, the customer database server")]
pub struct Cli {
    /// Where the embedded SQLite database lives.
    #[arg(
        long,
        env = "TEMAS_DATA_DIR",
        default_value = "./temas-data",
        global = true
    )]
    data_dir: PathBuf,
    /// `postgres://…` selects PostgreSQL; `sqlite://…` a SQLite file elsewhere. Default: SQLite in the data dir.
    #[arg(long, env = "TEMAS_DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// SQLite durability: full (default) or normal.
    #[arg(
        long,
        env = "TEMAS_SQLITE_SYNCHRONOUS",
        default_value = "full",
        global = true
    )]
    sqlite_synchronous: String,
    /// SQLite: apply pending migrations without first copying the database beside itself (for an operator who
    /// keeps backups of their own and has no room for another copy).
    #[arg(long, env = "TEMAS_SKIP_MIGRATION_BACKUP", global = true, value_parser = clap::builder::BoolishValueParser::new())]
    skip_migration_backup: bool,
    /// Where `serve` keeps attached files: a directory, or `s3://bucket[/folder]` for an S3-compatible store,
    /// whose client reads the AWS_… variables (AWS_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION,
    /// AWS_ALLOW_HTTP). Default: `files/` in the data dir.
    #[arg(long, env = "TEMAS_FILES", global = true)]
    files: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a workspace and its owner; the password comes from TEMAS_ADMIN_PASSWORD or stdin.
    Init {
        #[arg(long)]
        workspace: String,
        #[arg(long)]
        admin_email: String,
        #[arg(long, default_value = "US")]
        default_region: String,
        #[arg(long, default_value = "USD")]
        default_currency: String,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Run the HTTP API.
    Serve {
        #[arg(long, env = "TEMAS_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Fill an empty database with a demo workspace and print a login and a token.
        #[arg(long)]
        demo: bool,
    },
    /// Generate N realistic demo contacts (with companies and interactions), and optionally orders over them, into
    /// the first workspace.
    Demo {
        #[arg(long)]
        contacts: usize,
        /// Orders of 2 or 3 catalogue products each, spread over the new contacts (a demo catalogue is added).
        #[arg(long, default_value_t = 0)]
        orders: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Import contacts from a CSV, TSV, XLSX or ODS file, load a workspace dump, or undo an import (--rollback ID).
    Import(crate::import_cmd::ImportArgs),
    /// Export contacts as CSV, XLSX or vCard, or the whole workspace as a JSON-lines dump.
    Export(crate::export_cmd::ExportArgs),
    /// Find duplicate contacts or companies and write the proposed groups as CSV
    /// (group_id,record_id,external_id,score).
    Dedupe(crate::dedupe_cmd::DedupeArgs),
    /// Apply pending migrations.
    Migrate,
    /// Write a consistent online copy of the database to FILE.
    Backup {
        #[arg(long)]
        to: PathBuf,
    },
    /// Verify the database.
    Check,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user to the first workspace; the password comes from TEMAS_USER_PASSWORD (or TEMAS_ADMIN_PASSWORD) or stdin.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        team: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Print a new API token for a user, and nothing else.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

fn read_password(vars: &[&str]) -> anyhow::Result<String> {
    for var in vars {
        if let Ok(p) = std::env::var(var) {
            return Ok(p);
        }
    }
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("reading the password from stdin")?;
    let password = input.lines().next().unwrap_or_default().to_owned();
    if password.is_empty() {
        bail!("no password: set {} or pipe it on stdin", vars[0]);
    }
    Ok(password)
}

pub(crate) fn describe(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(errors) => anyhow::anyhow!("invalid input: {errors}"),
        other => anyhow::anyhow!("{other}"),
    }
}

async fn open(cli: &Cli) -> anyhow::Result<App> {
    let url = match &cli.database_url {
        Some(url) => url.clone(),
        None => {
            std::fs::create_dir_all(&cli.data_dir).with_context(|| {
                format!("creating the data directory {}", cli.data_dir.display())
            })?;
            format!("sqlite://{}", cli.data_dir.join("temas.db").display())
        }
    };
    let mut config = StoreConfig::new(url);
    config.sqlite_synchronous = cli.sqlite_synchronous.clone();
    config.migration_backup = !cli.skip_migration_backup;
    // `migrate` applies the pending migrations itself, to report them.
    let store = if matches!(cli.command, Command::Migrate) {
        temas_store::connect(&config).await
    } else {
        temas_store::open(&config).await
    }
    .context("opening the database")?;
    Ok(App::new(store))
}

/// The file store `serve` keeps attachments in (see `--files`).
fn file_store(
    files: Option<&str>,
    data_dir: &std::path::Path,
) -> anyhow::Result<temas_service::files::FileStore> {
    use temas_service::files::FileStore;
    match files {
        Some(url) if url.starts_with("s3://") => {
            FileStore::s3_from_env(url).map_err(|e| anyhow::anyhow!("--files {e}"))
        }
        Some(dir) => FileStore::local(std::path::Path::new(dir))
            .with_context(|| format!("opening the file store {dir}")),
        None => {
            let dir = data_dir.join("files");
            FileStore::local(&dir)
                .with_context(|| format!("opening the file store {}", dir.display()))
        }
    }
}

async fn first_session(app: &App) -> anyhow::Result<temas_service::Session> {
    let workspace = app
        .store
        .first_workspace()
        .await?
        .context("no workspace yet: run `temas init` first")?;
    let owner = app
        .store
        .users(workspace.id)
        .await?
        .into_iter()
        .find(|u| u.role == Role::Owner)
        .context("the workspace has no owner")?;
    app.session_of(owner).await.map_err(describe)
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let app = open(&cli).await?;
    match cli.command {
        Command::Init {
            workspace,
            admin_email,
            default_region,
            default_currency,
        } => {
            let admin_password = read_password(&["TEMAS_ADMIN_PASSWORD"])?;
            let init = InitWorkspace {
                name: workspace,
                admin_email,
                admin_password,
                default_region,
                default_currency,
            };
            let (ws, owner) = app.init_workspace(init).await.map_err(describe)?;
            println!("workspace {} created with owner {}", ws.name, owner.email);
        }
        Command::User {
            command: UserCommand::Create { email, role, team },
        } => {
            let role = Role::parse(&role).with_context(|| {
                format!("unknown role {role}: owner, admin, manager, member, marketer or viewer")
            })?;
            let password = read_password(&["TEMAS_USER_PASSWORD", "TEMAS_ADMIN_PASSWORD"])?;
            let session = first_session(&app).await?;
            let user = app
                .add_user(
                    session.workspace.id,
                    &email,
                    &password,
                    role,
                    team.as_deref(),
                )
                .await
                .map_err(describe)?;
            println!("user {} created as {}", user.email, role.as_str());
        }
        Command::Token {
            command: TokenCommand::Create { email, name },
        } => {
            let token = app.issue_token(&email, &name).await.map_err(describe)?;
            println!("{token}");
        }
        Command::Serve { listen, demo } => {
            let app = app.with_files(file_store(cli.files.as_deref(), &cli.data_dir)?);
            if demo {
                crate::cli::demo_workspace(&app).await?;
            }
            serve(app, &listen).await?;
        }
        Command::Demo {
            contacts,
            orders,
            seed,
        } => {
            let session = first_session(&app).await?;
            let started = std::time::Instant::now();
            let report = |done: usize| {
                if done.is_multiple_of(50_000) || done == contacts {
                    let rate = done as f64 / started.elapsed().as_secs_f64().max(0.001);
                    eprintln!("demo: {done}/{contacts} contacts ({rate:.0}/s)");
                }
            };
            app.generate_demo(&session, contacts, orders, seed, &report)
                .await
                .map_err(describe)?;
            println!(
                "generated {contacts} contacts and {orders} orders in {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
        Command::Import(args) => {
            if let Some(dump) = crate::import_cmd::dump_file(&args) {
                crate::import_cmd::load_dump(&app, dump).await?;
            } else {
                let session = first_session(&app).await?;
                crate::import_cmd::run(&app, &session, args).await?;
            }
        }
        Command::Export(args) => {
            let session = first_session(&app).await?;
            crate::export_cmd::run(&app, &session, args).await?;
        }
        Command::Dedupe(args) => {
            let session = first_session(&app).await?;
            crate::dedupe_cmd::run(&app, &session, args).await?;
        }
        Command::Migrate => {
            let started = std::time::Instant::now();
            let applied = app.store.migrate().await?;
            for name in &applied {
                println!("applied {name}");
            }
            println!(
                "{} migration(s) applied in {:.1} s",
                applied.len(),
                started.elapsed().as_secs_f64()
            );
        }
        Command::Backup { to } => {
            app.store.backup_to(&to).await?;
            let check = temas_store::open(&StoreConfig::new(format!("sqlite://{}", to.display())))
                .await?
                .check()
                .await?;
            if !check.is_empty() {
                bail!(
                    "the backup at {} does not verify: {}",
                    to.display(),
                    check.join("; ")
                );
            }
            println!("backup written to {} and verified", to.display());
        }
        Command::Check => {
            let findings = app.store.check().await?;
            if !findings.is_empty() {
                bail!("the database has problems:\n{}", findings.join("\n"));
            }
            println!("database ok");
        }
    }
    Ok(())
}

const DEMO_EMAIL: &str = "demo@temas.example";
const DEMO_PASSWORD: &str = "temas-demo-password";

/// Creates the demo workspace when the database is empty, and prints how to sign in.
async fn demo_workspace(app: &App) -> anyhow::Result<()> {
    if app.store.count_workspaces().await? > 0 {
        eprintln!("demo: the database already has a workspace; not adding demo data");
        return Ok(());
    }
    let init = InitWorkspace {
        name: "Demo".into(),
        admin_email: DEMO_EMAIL.into(),
        admin_password: DEMO_PASSWORD.into(),
        default_region: "IR".into(),
        default_currency: "IRR".into(),
    };
    app.init_workspace(init).await.map_err(describe)?;
    let session = first_session(app).await?;
    app.generate_demo(&session, 500, 0, 7, &|_| {})
        .await
        .map_err(describe)?;
    app.generate_demo_sales(&session, 7)
        .await
        .map_err(describe)?;
    let token = app
        .issue_token(DEMO_EMAIL, "demo")
        .await
        .map_err(describe)?;
    println!(
        "demo workspace ready: open the web app and sign in as {DEMO_EMAIL} / {DEMO_PASSWORD}"
    );
    println!("API token: {token}");
    Ok(())
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub async fn serve(app: App, listen: &str) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "temas is listening");
    println!("temas listening on http://{addr}");
    // The background worker (imports, rollbacks, the daily jobs) and the scheduler stop with the server; a job
    // the worker was running is taken up again, from its checkpoint, once its lease runs out.
    let (stop, stopped) = tokio::sync::watch::channel(());
    let until_stopped = |mut stopped: tokio::sync::watch::Receiver<()>| async move {
        let _ = stopped.changed().await;
    };
    let worker = app.clone();
    let lease = job_lease();
    let work = tokio::spawn({
        let stop = until_stopped(stopped.clone());
        async move { worker.work_jobs(lease, stop).await }
    });
    let scheduler = app.clone();
    let schedule = tokio::spawn({
        let stop = until_stopped(stopped);
        async move { scheduler.run_scheduler(stop).await }
    });
    temas_web::serve(listener, app, shutdown_signal()).await?;
    let _ = stop.send(());
    let _ = tokio::join!(work, schedule);
    Ok(())
}

/// How long a worker holds a job without renewing its lease (`TEMAS_JOB_LEASE_SECS`, 30 by default): after a
/// crash, the job is taken up again that long after the last renewal.
fn job_lease() -> std::time::Duration {
    let secs = std::env::var("TEMAS_JOB_LEASE_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| *s >= 3)
        .unwrap_or(30);
    std::time::Duration::from_secs(secs)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
